"""Reusable building blocks with no knowledge of this application's domain."""
