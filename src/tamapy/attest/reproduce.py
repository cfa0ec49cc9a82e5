"""Rebuild an application somewhere else and compare the images byte for byte.

A reproducible build is one whose bytes depend only on the sources, specs
and toolchain -- not on where the checkout lives, the time zone, the hash
seed or the working directory.  :func:`rebuild` tests exactly that: it copies
``firmware/``, ``specs/`` and ``proofs/`` into a fresh temporary directory
and builds there in a separate Python process with a different ``TZ``, a
different ``PYTHONHASHSEED`` (set-order accidents show up) and no
``SOURCE_DATE_EPOCH``; :func:`reproduce` compares the result with a build's
output directory and names the files that differ.

The rebuild compiles without re-running the prover: proofs do not change the
bytes, and whether the proof certificates match is checked separately (by
digest) when an attestation is verified.

The child process runs :func:`_main` (also reachable as ``python -m
tamapy.attest.reproduce APP BOARD OUT``): build APP, relative to the working
directory, and write the three images to OUT.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import tamapy
from tamapy.diagnostics import TamapyError, display_path, error
from tamapy.inputs import read_input

REBUILD_FAILED = "E726"  # the rebuild process failed
PROJECT_DIRS = ("firmware", "specs", "proofs")
REBUILT_HINT = "run `tamapy build` on the same sources to see the full diagnostics"
_TIME_ZONES = ("ACST-9:30", "NST+3:30")
"""POSIX TZ strings (no tzdata needed) with half-hour offsets, far from UTC."""
_HASH_SEEDS = ("4201", "4202")
_CHILD = "import sys; from tamapy.attest.reproduce import _main; sys.exit(_main(sys.argv[1:]))"
"""The child's command (``-c`` rather than ``-m``, which would warn that the
package already imported this module)."""


def _other(current: str | None, choices: Sequence[str]) -> str:
    return next(c for c in choices if c != current)


def _child_env() -> dict[str, str]:
    """This process's environment with the build-relevant variables changed."""
    env = dict(os.environ)
    env["TZ"] = _other(env.get("TZ"), _TIME_ZONES)
    env["PYTHONHASHSEED"] = _other(env.get("PYTHONHASHSEED"), _HASH_SEEDS)
    env.pop("SOURCE_DATE_EPOCH", None)
    src = str(Path(tamapy.__file__).resolve().parents[1])  # works for source trees that are not installed
    env["PYTHONPATH"] = os.pathsep.join([src, *filter(None, [env.get("PYTHONPATH")])])
    return env


def rebuild(app: Path, board: str, *, timeout: float = 900.0) -> dict[str, bytes]:
    """Build ``app`` for ``board`` from a copy of its project in a fresh temporary directory.

    Returns the images (file name -> bytes) in the order ELF, bin, imx.
    """
    from tamapy.build import app_name
    from tamapy.project import find_project

    project = find_project(app)
    try:
        relative = app.resolve().relative_to(project.root.resolve())
    except ValueError:
        raise error(display_path(app), 0, 0, REBUILD_FAILED, "the application is not inside its project",
                    "pass an application under the project's firmware/ directory") from None
    name = app_name(app)
    with tempfile.TemporaryDirectory(prefix="tamapy-rebuild-") as tmp:
        root = Path(tmp) / "checkout"
        for directory in PROJECT_DIRS:
            if (project.root / directory).is_dir():
                shutil.copytree(project.root / directory, root / directory,
                                ignore=shutil.ignore_patterns("__pycache__"))
        out = Path(tmp) / "out"
        try:
            proc = subprocess.run(
                [sys.executable, "-c", _CHILD, relative.as_posix(), board, str(out)],
                cwd=root, env=_child_env(), capture_output=True, timeout=timeout, check=False,
            )
        except subprocess.TimeoutExpired:
            raise error(display_path(app), 0, 0, REBUILD_FAILED, f"the rebuild took longer than {timeout:g} s",
                        "run `tamapy build` on the same sources to see where the time goes") from None
        if proc.returncode != 0:
            detail = proc.stderr.decode(errors="replace").strip().splitlines()
            raise error(display_path(app), 0, 0, REBUILD_FAILED,
                        f"the rebuild failed (exit {proc.returncode})" + (f": {detail[-1]}" if detail else ""),
                        REBUILT_HINT)
        files = [f"{name}.elf", f"{name}.bin", f"{name}.imx"]
        return {f: read_input(out / f, f, REBUILD_FAILED, "the rebuilt image", REBUILT_HINT) for f in files}


def compare(expected: dict[str, bytes | None], rebuilt: dict[str, bytes]) -> list[str]:
    """Names of the files whose rebuilt bytes differ from ``expected`` (None = file missing)."""
    return [name for name, data in expected.items() if data is None or rebuilt.get(name) != data]


def reproduce(app: Path, board: str, out_dir: Path) -> list[str]:
    """Rebuild ``app`` elsewhere and compare with ``<app>.elf/.bin/.imx`` in ``out_dir``.

    Returns the names of the files that differ (or are missing in ``out_dir``);
    empty means the build reproduced bit for bit.
    """
    rebuilt = rebuild(app, board)
    expected: dict[str, bytes | None] = {}
    for file_name in rebuilt:
        try:
            expected[file_name] = read_input(out_dir / file_name, file_name, REBUILD_FAILED, "image", REBUILT_HINT)
        except TamapyError:  # missing or not a regular file: reported as differing
            expected[file_name] = None
    return compare(expected, rebuilt)


def _main(argv: Sequence[str]) -> int:
    """Child process: build and write the three images; diagnostics to stderr, exit 2 on bad input."""
    from tamapy.build import compile_app, write_images

    if len(argv) != 3:
        print("usage: python -m tamapy.attest.reproduce APP BOARD OUT", file=sys.stderr)
        return 2
    app, board, out = Path(argv[0]), argv[1], Path(argv[2])
    try:
        write_images(compile_app(app, board, verify=False), out)
    except TamapyError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
