# Shortcuts for dev.py, which needs only Python and git.
.PHONY: demo test bench lint
demo:
	python3 dev.py demo
test:
	python3 dev.py test
bench:
	python3 dev.py bench
lint:
	python3 dev.py setup
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
