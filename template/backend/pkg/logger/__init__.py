"""Logging: `setup_logging()` once per process (the API, each worker); modules log through
the standard library, `logger = logging.getLogger(__name__)` (`get_logger` is the same, under
Lich's name)."""

from pkg.logger.setup import get_logger, setup_logging

__all__ = ["get_logger", "setup_logging"]
