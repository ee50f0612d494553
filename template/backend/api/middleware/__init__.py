"""HTTP middleware, added to the application in main.py."""
