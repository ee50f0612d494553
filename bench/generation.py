"""`copier copy` of the full template per runner, against a trivial one-file template (the floor).

Every copy is the real CLI in a fresh process, from a local git repo (copier clones it, as it does
a URL), so both sides pay the same interpreter start, copier import and clone.
"""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path

import yaml

from bench.common import (
    BIN,
    ROOT,
    RUNNERS,
    Config,
    Figure,
    commit_all,
    copier_copy,
    count_files,
    ratio_at_most,
    say,
    snapshot_template,
    timed,
)

# Its one file in a subdirectory, as the real template's are: copier walks nothing else.
TRIVIAL_COPIER_YML = """\
_subdirectory: template
project_name:
  type: str
author_name:
  type: str
author_email:
  type: str
"""


def trivial_template(destination: Path, with_extensions: bool) -> Path:
    """One file; optionally loading the real template's Jinja extensions (copier.yml's list)."""
    destination.mkdir(parents=True)
    settings = TRIVIAL_COPIER_YML
    if with_extensions:
        shutil.copytree(
            ROOT / "extensions", destination / "extensions", ignore=shutil.ignore_patterns("__*")
        )
        extensions = yaml.safe_load((ROOT / "copier.yml").read_text())["_jinja_extensions"]
        settings += yaml.safe_dump({"_jinja_extensions": extensions})
    (destination / "copier.yml").write_text(settings)
    (destination / "template").mkdir()
    (destination / "template" / "README.md.jinja").write_text("# {{ project_name }}\n")
    commit_all(destination, "trivial template", "v1.0.0")
    return destination


def run_generation(config: Config) -> list[Figure]:
    work = config.work / "generation"
    template = snapshot_template(work / "template")
    plain = work / "template-plain"  # the same files, not a git repo: no clone
    shutil.copytree(template, plain, ignore=shutil.ignore_patterns(".git"))
    trivial = trivial_template(work / "trivial", with_extensions=False)
    trivial_ext = trivial_template(work / "trivial-ext", with_extensions=True)

    variants: dict[str, tuple[Path, dict[str, str]]] = {
        "trivial": (trivial, {}),
        "trivial+ext": (trivial_ext, {}),
        **{runner: (template, {"task_runner": runner}) for runner in RUNNERS},
        "plain-celery": (plain, {"task_runner": "celery"}),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    import_samples: list[float] = []
    files: dict[str, int] = {}
    reps = config.reps(5, 2)
    say(f"generation: {reps} x {len(variants)} copies")
    for rep in range(reps):
        # Interleaved, so a burst of load from elsewhere hits every variant alike.
        import_samples.append(timed([BIN / "python", "-c", "import copier"]))
        for name, (source, answers) in variants.items():
            destination = work / "out" / f"{name}-{rep}"
            samples[name].append(timed(copier_copy(source, destination, **answers)))
            files[name] = count_files(destination)
            shutil.rmtree(destination)

    floor = Figure("generation", "copier copy, trivial one-file template", samples["trivial"], "s")
    figures = [floor]
    for runner in RUNNERS:
        count = files[runner]
        median_time = statistics.median(samples[runner])
        figures.append(
            Figure(
                "generation",
                f"copier copy, full template, task_runner={runner}",
                samples[runner],
                "s",
                baseline=floor,
                target="<= 1.35x floor",
                check=ratio_at_most(1.35),
                note=f"{count} files, {count / median_time:.0f} files/s",
            )
        )
    figures += [
        Figure(
            "generation",
            "profile: trivial template + the template's Jinja extensions",
            samples["trivial+ext"],
            "s",
            baseline=floor,
            target="<= 1.1x floor",
            check=ratio_at_most(1.1),
            note="cost of loading the template's Jinja extensions (copier.yml's list)",
        ),
        Figure(
            "generation",
            "profile: full template (celery) from a plain directory, no git clone",
            samples["plain-celery"],
            "s",
            baseline=floor,
            note="compare with the celery row: the difference is the clone",
        ),
        Figure(
            "generation",
            "profile: `python -c 'import copier'`",
            import_samples,
            "s",
            baseline=floor,
            note="interpreter start + copier import, part of every copy",
        ),
    ]
    return figures


def generate(template: Path, destination: Path, **answers: str) -> Path:
    """One real copy, for the other benchmarks that need a project."""
    started = time.perf_counter()
    timed(copier_copy(template, destination, **answers))
    say(f"generated {destination.name} in {time.perf_counter() - started:.1f} s")
    return destination


def section_backend(work: Path, runner: str, modules: dict[str, str]) -> tuple[Path, Path]:
    """A section's set-up: the backend/ of a project generated in `work` for `runner`, and a
    folder of the section's own modules (file name -> source) for PYTHONPATH."""
    template = snapshot_template(work / "template")
    backend = generate(template, work / "project", task_runner=runner) / "backend"
    folder = work / "modules"
    folder.mkdir()
    for name, source in modules.items():
        (folder / name).write_text(source)
    return backend, folder
