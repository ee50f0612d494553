"""Configuration: `from pkg.config.settings import settings`."""
