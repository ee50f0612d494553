"""`copier update` on a project with user code: a runner switch, and a version upgrade with no
answer change, at several project sizes.

The template is a throwaway git repo with two real tags, built from the template on disk now, so
the migrations in copier.yml (whatever they are when this runs) take part as they would for a user.
The baseline is the same upgrade of a trivial one-file template, on a project of the same size.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml
from packaging.version import Version

from bench.common import (
    BIN,
    ROOT,
    Config,
    Figure,
    commit_all,
    copier_copy,
    git,
    ratio_at_most,
    run,
    say,
    snapshot_template,
    timed,
)

SIZES = (50, 200, 400)
DEFAULT_SIZE = 200
RELEASE_LINE = "This project follows the Lich layout."

USER_MODULE = '''\
"""{domain} service {index}: user code the template knows nothing about."""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

logger = logging.getLogger(__name__)


@dataclass
class {cls}:
    id: int
    name: str
    tags: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def label(self) -> str:
        return f"{{self.name}} ({{', '.join(self.tags) or 'untagged'}})"


class {cls}Repository:
    def __init__(self) -> None:
        self._items: dict[int, {cls}] = {{}}

    def add(self, item: {cls}) -> None:
        logger.debug("adding %s", item.id)
        self._items[item.id] = item

    def get(self, item_id: int) -> {cls} | None:
        return self._items.get(item_id)

    def search(self, text: str) -> list[{cls}]:
        return [item for item in self._items.values() if text.lower() in item.name.lower()]
'''

USER_TEST = """\
from internal.{domain}.service_{index:03d} import {cls}, {cls}Repository


def test_search_finds_by_name() -> None:
    repository = {cls}Repository()
    repository.add({cls}(id=1, name="Alpha"))
    assert [item.id for item in repository.search("alp")] == [1]
"""

TRIVIAL_FILES = {
    "copier.yml": "project_name:\n  type: str\n",
    "{{_copier_conf.answers_file}}.jinja": "{{ _copier_answers|to_nice_yaml -}}\n",
    "README.md.jinja": "# {{ project_name }}\n",
}


def add_user_code(project: Path, count: int) -> None:
    """`count` files of ordinary application code and tests, spread over a few domains."""
    domains = ("billing", "accounts", "catalog", "orders", "reports")
    for index in range(count):
        domain = domains[index % len(domains)]
        cls = f"{domain.title()}Item{index}"
        if index % 4 == 3:  # one file in four is a test
            path = project / "backend" / "tests" / domain / f"test_service_{index - 1:03d}.py"
            text = USER_TEST.format(
                domain=domain, index=index - 1, cls=f"{domain.title()}Item{index - 1}"
            )
        else:
            path = project / "backend" / "internal" / domain / f"service_{index:03d}.py"
            text = USER_MODULE.format(domain=domain, index=index, cls=cls)
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text)


def release_tags() -> tuple[str, str]:
    """Two tags newer than any versioned migration in copier.yml.

    A project upgrading between two current releases runs the unversioned migrations (they run on
    every update) but not the ones written for older releases, which is what this measures.
    """
    settings: dict[str, Any] = yaml.safe_load((ROOT / "copier.yml").read_text()) or {}
    versions = [
        Version(str(migration["version"]))
        for migration in settings.get("_migrations") or []
        if isinstance(migration, dict) and migration.get("version")
    ]
    major = max([version.major + 1 for version in versions] + [1])
    return f"v{major}.0.0", f"v{major}.1.0"


def template_with_two_tags(destination: Path) -> tuple[str, str]:
    """The template on disk as `old`, then a small release on top of it as `new`."""
    old, new = release_tags()
    snapshot_template(destination, old)
    # What a typical release changes: wording in the docs and a comment in generated code.
    readme = destination / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + f"\n{RELEASE_LINE}\n")
    logging_module = destination / "template" / "backend" / "pkg" / "logger" / "setup.py"
    text = logging_module.read_text()
    assert text.startswith('"""Logging shared'), "the release edit needs its anchor"
    logging_module.write_text(text.replace('"""Logging shared', '"""Logging, shared', 1))
    commit_all(destination, "a small release", new)
    return old, new


def without_migrations(template: Path, destination: Path, tag: str) -> Path:
    """The same template repo with no `_migrations` in copier.yml, at the same tag: what copier
    alone costs for this template, the profile row's floor."""
    shutil.copytree(template, destination, symlinks=True)
    settings = destination / "copier.yml"
    loaded = yaml.safe_load(settings.read_text())
    loaded.pop("_migrations", None)
    settings.write_text(yaml.safe_dump(loaded, sort_keys=False, allow_unicode=True))
    git(destination, "checkout", "-q", tag)
    git(destination, "commit", "-q", "-a", "-m", "no migrations")
    git(destination, "tag", "-f", tag)
    return destination


def trivial_with_two_tags(destination: Path) -> None:
    destination.mkdir(parents=True)
    for name, text in TRIVIAL_FILES.items():
        (destination / name).write_text(text)
    commit_all(destination, "trivial template", "v1.0.0")
    readme = destination / "README.md.jinja"
    readme.write_text(readme.read_text() + "\nA second line.\n")
    commit_all(destination, "a small release", "v1.1.0")


def project(template: Path, destination: Path, ref: str, files: int, **answers: str) -> Path:
    """A generated project with `files` user files, committed (update needs a clean tree)."""
    run(copier_copy(template, destination, vcs_ref=ref, **answers))
    add_user_code(destination, files)
    commit_all(destination, "generated project plus user code")
    return destination


def copier_update(project_dir: Path, expect: str, *extra: str) -> float:
    """One update; checks it did its job (`expect` is a line of the new answers or README)."""
    command = [BIN / "copier", "update", "--trust", "--defaults", "--quiet", *extra]
    seconds = timed(command, project_dir)
    conflicts = git(project_dir, "diff", "--name-only", "--diff-filter=U")
    if conflicts:
        raise RuntimeError(f"update left conflicts in {project_dir}: {conflicts}")
    rendered = (project_dir / ".copier-answers.yml").read_text()
    rendered += (project_dir / "README.md").read_text()
    if expect not in rendered:
        raise RuntimeError(f"update of {project_dir} did not apply: no {expect!r}")
    return seconds


def copy_and_update(base: Path, scratch: Path, rep: int, expect: str, *extra: str) -> float:
    """One update of a fresh copy of the same committed project."""
    copy = scratch / f"{base.name}-{rep}"
    shutil.copytree(base, copy, symlinks=True)
    seconds = copier_update(copy, expect, *extra)
    shutil.rmtree(copy)
    return seconds


def run_update(config: Config) -> list[Figure]:
    work = config.work / "update"
    template = work / "template"
    old, new = template_with_two_tags(template)
    trivial = work / "trivial"
    trivial_with_two_tags(trivial)
    reps = config.reps(5, 1)
    scratch = work / "scratch"

    say(f"update: projects at {old}, upgrading to {new}; {reps} run(s) per figure, interleaved")
    trivial_project = project(
        trivial, work / "projects" / f"trivial-{DEFAULT_SIZE}", "v1.0.0", DEFAULT_SIZE
    )

    def projects(runner: str) -> dict[int, Path]:
        return {
            size: project(
                template, work / "projects" / f"{runner}-{size}", old, size, task_runner=runner
            )
            for size in SIZES
        }

    none_projects, celery_projects = projects("none"), projects("celery")
    bare = without_migrations(template, work / "template-no-migrations", old)
    bare_project = project(
        bare, work / "projects" / f"bare-none-{DEFAULT_SIZE}", old, DEFAULT_SIZE, task_runner="none"
    )
    # A switch keeps the template version, so it measures the switch alone.
    to_celery = ("-d", "task_runner=celery", "--vcs-ref=:current:")
    to_temporal = ("-d", "task_runner=temporal", "--vcs-ref=:current:")
    # (label, project, a line the update must write, arguments, largest ratio to the baseline)
    cases: list[tuple[str, Path, str, tuple[str, ...], float | None]] = [
        (
            f"baseline: copier update, trivial template, upgrade, {DEFAULT_SIZE} user files",
            trivial_project,
            "A second line.",
            (),
            None,
        ),
        *[
            (
                f"copier update, switch none->celery, {size} user files",
                none_projects[size],
                "task_runner: celery",
                to_celery,
                2.2 if size > DEFAULT_SIZE else 2.0,
            )
            for size in SIZES
        ],
        (
            f"profile: switch none->celery, {DEFAULT_SIZE} user files, template without its "
            "update migrations",
            bare_project,
            "task_runner: celery",
            to_celery,
            None,
        ),
        (
            f"copier update, switch celery->temporal, {DEFAULT_SIZE} user files",
            celery_projects[DEFAULT_SIZE],
            "task_runner: temporal",
            to_temporal,
            2.2,
        ),
        *[
            (
                f"copier update, upgrade {old}->{new}, celery, same answers, {size} user files",
                celery_projects[size],
                RELEASE_LINE,
                (),
                1.8,
            )
            for size in SIZES
        ],
    ]
    samples: list[list[float]] = [[] for _ in cases]
    for rep in range(reps):
        # Interleaved, so a burst of load from elsewhere hits every figure alike.
        for index, (_, base, expect, extra, _) in enumerate(cases):
            samples[index].append(copy_and_update(base, scratch, rep, expect, *extra))
    floor = Figure("update", cases[0][0], samples[0], "s")
    figures = [floor]
    for (label, _, _, _, limit), runs in zip(cases[1:], samples[1:], strict=True):
        figures.append(
            Figure(
                "update",
                label,
                runs,
                "s",
                baseline=floor,
                target=f"<= {limit}x baseline" if limit else "",
                check=ratio_at_most(limit) if limit else None,
                note="copier's own cost for this template: the rest is the migrations'"
                if limit is None
                else "",
            )
        )
    return figures
