"""A real git repository holding this checkout's project and a small application, committed as
the base each test's change is made on (one proof cache for the whole session keeps it fast)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
APP = "firmware/examples/gatecheck"
BOARD = "usbarmory-mk2"

GATECHECK = '''"""The gate tests' application: a contract, a caller resting on it, and a loop."""

from runtime import console
from runtime.system import finish
from tamapy.fw import ensures, requires, u32


@ensures(lambda x, result: result < 10)
def digit(x: u32) -> u32:
    return x % 10


@requires(lambda n: n < 100)
def scale(n: u32) -> u32:
    return n * 1000


def main() -> None:
    if not console.init():
        finish(1)
        return
    value: u32 = digit(12345)
    console.write_dec(scale(value))
    console.newline()
    finish(0)
'''


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), "-c", "user.name=gate", "-c", "user.email=gate@test", *args],
                          check=True, capture_output=True, text=True)
    return done.stdout


@pytest.fixture(scope="session")
def proof_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gate-cache")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The repository, its base commit tagged ``base``; each test commits on a branch of its own."""
    root = tmp_path_factory.mktemp("repo")
    for name in ("firmware", "specs", "proofs"):
        shutil.copytree(CHECKOUT / name, root / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyi"))
    for name in ("pyproject.toml", ".gitignore"):
        shutil.copy2(CHECKOUT / name, root / name)
    (root / APP).mkdir()
    (root / APP / "__init__.py").write_text("")
    (root / APP / "main.py").write_text(GATECHECK)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "tag", "base")
    yield root
