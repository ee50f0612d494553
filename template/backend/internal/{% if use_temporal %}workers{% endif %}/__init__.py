"""Temporal worker: workflows, activities, the worker entry point and the client helper."""
