"""Logging: `setup_logging()` once per process, `get_logger(__name__)` everywhere."""

from pkg.logger.setup import get_logger, setup_logging

__all__ = ["get_logger", "setup_logging"]
