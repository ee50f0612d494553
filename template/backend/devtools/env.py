"""Write the project's `.env` from `.env.example`, or add the keys it lacks; passwords generated.

From backend/, with any python3 (standard library only):

    python -m devtools.env            # create ../.env once (make install, make env)
    python -m devtools.env --update   # append the keys .env lacks, keep every value it has

A key whose example value is empty and that holds a secret (`*_PASSWORD`, `*_BASIC_AUTH`) gets
a random value, so no service runs with an empty or well-known password. `copier update` runs
`--update` after a task-runner switch.
"""

import argparse
import re
import secrets
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]
_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")
SECRET_SUFFIXES = ("_PASSWORD", "_BASIC_AUTH")


def entries(text: str) -> list[tuple[str, str, str]]:
    """(key, value, line) of each KEY=VALUE line; comments and blank lines skipped."""
    found = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            found.append((match.group(1), match.group(2).strip(), line))
    return found


def filled(key: str, value: str, line: str) -> str:
    """The line, with a generated secret when the example leaves a secret empty."""
    if value or not key.endswith(SECRET_SUFFIXES):
        return line
    secret = secrets.token_urlsafe(24)
    return f"{key}=admin:{secret}" if key.endswith("_BASIC_AUTH") else f"{key}={secret}"


def create(env: Path, example: str) -> None:
    if env.exists():
        sys.exit(f"{env} exists already: edit it, or `python -m devtools.env --update`.")
    lines = []
    for line in example.splitlines():
        match = _LINE.match(line)
        if match and not line.lstrip().startswith("#"):
            line = filled(match.group(1), match.group(2).strip(), line)
        lines.append(line)
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env.chmod(0o600)
    print(f"wrote {env} (passwords generated)")


def update(env: Path, example: str, reason: str) -> list[str]:
    """Append the keys `example` has and `env` lacks; returns them. Values already set stay."""
    current = env.read_text(encoding="utf-8")
    present = {key for key, _, _ in entries(current)}
    missing = [(key, filled(key, value, line)) for key, value, line in entries(example)]
    missing = [(key, line) for key, line in missing if key not in present]
    if missing:
        separator = "" if current.endswith("\n") or not current else "\n"
        block = "\n".join(line for _, line in missing)
        env.write_text(
            f"{current}{separator}\n# Added by {reason}; values from .env.example\n{block}\n",
            encoding="utf-8",
        )
    return [key for key, _ in missing]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="append missing keys to .env")
    parser.add_argument("--example", type=Path, default=PROJECT_DIR / ".env.example")
    parser.add_argument("--reason", default="devtools.env")
    args = parser.parse_args()
    env = PROJECT_DIR / ".env"
    example = args.example.read_text(encoding="utf-8")
    if not args.update:
        create(env, example)
    elif env.exists():
        added = update(env, example, args.reason)
        print(f".env: added {', '.join(added)}" if added else ".env: nothing to add")


if __name__ == "__main__":
    main()
