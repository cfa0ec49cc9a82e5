"""``tamapy stubs``: writes the stubs atomically and deterministically, ``--check`` finds
stale ones, they are generated files git ignores, and bad input is a located error (exit 2)."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

import tamapy.fw
from tamapy.build import stub_files, write_stubs
from tamapy.cli import main
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[2]
STUBS = ("firmware/soc/imx6ul/regs.pyi", "firmware/board/__init__.pyi")


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A project without stubs: the specs and the default board's package."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copytree(ROOT / "firmware" / "board" / "mcimx6ul_evk", tmp_path / "firmware" / "board" / "mcimx6ul_evk")
    return tmp_path


def test_the_stubs_are_generated_files_git_ignores() -> None:
    """Every stub is generated (never committed beside the source), and git ignores it."""
    git = require_tool("git", "git")
    paths = sorted(str(p.relative_to(ROOT)) for p in stub_files(ROOT))
    assert set(STUBS) <= set(paths)
    ignored = subprocess.run([git, "check-ignore", "--no-index", *paths], cwd=ROOT, capture_output=True, text=True)
    assert ignored.stdout.split() == paths
    tracked = subprocess.run([git, "ls-files", "--", *paths], cwd=ROOT, capture_output=True, text=True, check=True)
    assert tracked.stdout == "", "generated stubs are not committed: `git rm --cached` them"


def test_stubs_are_written_then_up_to_date(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", str(bare), "--check"]) == 1
    assert "stale type stub: " in capsys.readouterr().err
    assert not (bare / STUBS[0]).exists()  # --check writes nothing
    assert main(["stubs", str(bare)]) == 0
    first = {s: (bare / s).read_bytes() for s in STUBS}
    assert first == {s: stub_files(ROOT)[ROOT / s]() for s in STUBS}  # same specs, same bytes
    assert main(["stubs", str(bare / "firmware")]) == 0  # any path inside the project
    assert "up to date" in capsys.readouterr().out
    assert {s: (bare / s).read_bytes() for s in STUBS} == first
    assert main(["stubs", str(bare), "--check"]) == 0
    assert not list(bare.rglob(".*.tmp"))  # the atomic write left no temporary file


def test_check_finds_a_stub_edited_by_hand(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["stubs", str(bare)])
    stub = bare / STUBS[0]
    stub.write_bytes(stub.read_bytes() + b"# edited\n")
    assert main(["stubs", str(bare), "--check"]) == 1
    assert "firmware/soc/imx6ul/regs.pyi" in capsys.readouterr().err


def test_a_spec_change_changes_the_stub(bare: Path) -> None:
    main(["stubs", str(bare)])
    toml = bare / "specs" / "soc" / "imx6ul" / "wdog.toml"
    toml.write_text(toml.read_text().replace("registers.WMCR", "registers.WMCR2"))
    assert write_stubs(bare, check=True) == [bare / STUBS[0]]


def test_missing_and_stale_stubs_are_written_and_current_ones_kept(bare: Path) -> None:
    (bare / STUBS[1]).parent.mkdir(parents=True, exist_ok=True)
    (bare / STUBS[1]).write_bytes(b"# stale\n")
    assert write_stubs(bare) == [bare / s for s in sorted(STUBS)]
    written = {s: (bare / s).stat().st_mtime_ns for s in STUBS}
    assert write_stubs(bare) == []
    assert {s: (bare / s).stat().st_mtime_ns for s in STUBS} == written  # nothing rewritten


def test_not_a_project_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", str(tmp_path)]) == 2
    assert "error[E010]" in capsys.readouterr().err


def test_a_missing_path_is_an_error_not_the_enclosing_project(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", str(bare / "firmware" / "nowhere")]) == 2
    assert "nowhere: error[E001]: no such file or directory" in capsys.readouterr().err
    assert not (bare / STUBS[0]).exists()


def test_a_malformed_spec_is_reported_at_its_line(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    toml = bare / "specs" / "soc" / "imx6ul" / "gpt.toml"
    toml.write_text(toml.read_text() + "\n[registers.BROKEN\n")
    assert main(["stubs", str(bare)]) == 2
    err = capsys.readouterr().err
    assert "gpt.toml:" in err and "error[E301]" in err and "hint:" in err


def test_the_fw_stub_declares_what_the_runtime_exports() -> None:
    tree = ast.parse((ROOT / "src" / "tamapy" / "fw" / "__init__.pyi").read_text())
    exported = next(n for n in tree.body if isinstance(n, ast.Assign)
                    and isinstance(n.targets[0], ast.Name) and n.targets[0].id == "__all__")
    assert ast.literal_eval(exported.value) == tamapy.fw.__all__
