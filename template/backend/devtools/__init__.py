"""Development helpers: embedded servers and the `make dev` / `make demo` runners. Not shipped."""
