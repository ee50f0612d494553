"""Benchmarks: `python3 dev.py bench` (see bench/__main__.py and BENCHMARKS.md)."""
