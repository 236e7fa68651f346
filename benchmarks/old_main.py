"""The generator of an older commit, installed beside this one, for side-by-side builds (issue 15).

    python benchmarks/old_main.py [--rev 70a969f] DIR      # prepare DIR and print the proof line

`prepare(rev, folder)` exports the commit's tree with `git archive` (a checkout into a temporary folder
that registers no worktree in the shared repository, so nothing is left to remove), builds its wheel
with this interpreter's setuptools (`pip wheel --no-deps --no-build-isolation`: nothing is installed or
uninstalled anywhere), and unpacks the wheel into `<folder>/site-packages`: the package, its templates
and its `mkdocs.plugins` entry point, as `pip install` would lay them out. Run with `PYTHONPATH` set to
that folder, this interpreter imports the old `generator` (the path finder searches PYTHONPATH before
site-packages and before the editable install's finder) with this environment's pinned dependencies.
`prepare` proves it: a child process started the same way must import `generator` and
`generator.site_templates` from the unpacked folder, and `generator.commands.build` must print stage
timings, or `OldMainError` says what went wrong.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
OLD_MAIN_REV = "70a969f"  # main before issue 15 (2026-11-30): the build the new one is compared with
_PROOF = (
    "import json, generator, generator.site_templates as t\n"
    "from generator.commands.build import STAGES\n"
    "print(json.dumps({'generator': generator.__file__, 'templates': list(t.__path__), 'stages': list(STAGES)}))\n"
)


class OldMainError(RuntimeError):
    pass


@dataclass(frozen=True)
class OldMain:
    rev: str
    commit: str  # the full hash the rev named
    site_packages: Path  # put on PYTHONPATH to run the old generator with this interpreter
    proof: str  # where the child imported the old package from

    def environment(self, base: dict[str, str] | None = None) -> dict[str, str]:
        return {**(os.environ if base is None else base), "PYTHONPATH": str(self.site_packages)}


def _run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(command, capture_output=True, text=True, check=False, **options)  # type: ignore[call-overload]
    if completed.returncode != 0:
        tail = " | ".join((completed.stdout + completed.stderr).strip().splitlines()[-4:])
        raise OldMainError(f"{' '.join(command[:4])} ... exited {completed.returncode}: {tail}")
    return completed  # type: ignore[no-any-return]


def export_tree(rev: str, folder: Path) -> str:
    """The commit's tracked files, written into `folder`; returns the full commit hash."""
    commit = _run(["git", "-C", str(REPOSITORY), "rev-parse", "--verify", f"{rev}^{{commit}}"]).stdout.strip()
    archive = subprocess.run(["git", "-C", str(REPOSITORY), "archive", "--format=tar", commit],
                             capture_output=True, check=False)
    if archive.returncode != 0:
        raise OldMainError(f"git archive {commit} exited {archive.returncode}: {archive.stderr.decode()[-300:]}")
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(folder, filter="data")
    return commit


def build_wheel(tree: Path, wheels: Path) -> Path:
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--disable-pip-version-check",
          "--quiet", "--wheel-dir", str(wheels), str(tree)])
    built = sorted(wheels.glob("*.whl"))
    if len(built) != 1:
        raise OldMainError(f"expected one wheel in {wheels}, found {[p.name for p in built]}")
    return built[0]


def prove(site_packages: Path) -> str:
    """Start a child as the benchmark will and check where it imports the generator from."""
    environment = {**os.environ, "PYTHONPATH": str(site_packages)}
    found = json.loads(_run([sys.executable, "-c", _PROOF], env=environment, cwd=site_packages).stdout)
    inside = [Path(found["generator"]), *(Path(p) for p in found["templates"])]
    outside = [str(path) for path in inside if site_packages.resolve() not in path.resolve().parents]
    if outside:
        raise OldMainError(f"the old commit's child imported code from outside {site_packages}: {outside}")
    if "engine" not in found["stages"]:
        raise OldMainError(f"the old generator's build has no engine stage to compare: {found['stages']}")
    return f"generator from {found['generator']}, templates from {found['templates'][0]}"


def prepare(folder: Path, rev: str = OLD_MAIN_REV) -> OldMain:
    """The old commit's generator, unpacked under `folder` (created; must be empty or absent)."""
    if folder.exists() and any(folder.iterdir()):
        raise OldMainError(f"{folder} is not empty")
    commit = export_tree(rev, folder / "tree")
    wheel = build_wheel(folder / "tree", folder / "wheels")
    site_packages = folder / "site-packages"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site_packages)
    return OldMain(rev, commit, site_packages, prove(site_packages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rev", default=OLD_MAIN_REV)
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    try:
        old = prepare(args.folder, args.rev)
    except OldMainError as error:
        sys.stderr.write(f"old_main: {error}\n")
        return 1
    sys.stdout.write(f"{old.rev} ({old.commit[:12]}): {old.proof}\nrun it with PYTHONPATH={old.site_packages}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
