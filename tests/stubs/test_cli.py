"""``tamapy stubs``: writes the stubs atomically and deterministically, ``--check`` finds
stale ones, the committed ones are current, and bad input is a located error (exit 2)."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

import tamapy.fw
from tamapy.build import write_stubs
from tamapy.cli import main

ROOT = Path(__file__).resolve().parents[2]
STUBS = ("firmware/soc/imx6ul/regs.pyi", "firmware/board/__init__.pyi")


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    """A project without stubs: the specs and the default board's package."""
    shutil.copytree(ROOT / "specs", tmp_path / "specs")
    shutil.copytree(ROOT / "firmware" / "board" / "mcimx6ul_evk", tmp_path / "firmware" / "board" / "mcimx6ul_evk")
    return tmp_path


def test_the_committed_stubs_are_current() -> None:
    assert write_stubs(ROOT, check=True) == [], "run `tamapy stubs` and commit the result"


def test_stubs_are_written_then_up_to_date(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", str(bare), "--check"]) == 1
    assert "stale type stub: " in capsys.readouterr().err
    assert not (bare / STUBS[0]).exists()  # --check writes nothing
    assert main(["stubs", str(bare)]) == 0
    first = {s: (bare / s).read_bytes() for s in STUBS}
    assert first == {s: (ROOT / s).read_bytes() for s in STUBS}  # same specs, same bytes
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


def test_a_build_refreshes_only_stubs_the_project_has(bare: Path) -> None:
    assert write_stubs(bare, only_existing=True) == []
    assert not (bare / STUBS[0]).exists()
    (bare / STUBS[1]).parent.mkdir(parents=True, exist_ok=True)
    (bare / STUBS[1]).write_bytes(b"# stale\n")
    assert write_stubs(bare, only_existing=True) == [bare / STUBS[1]]
    assert (bare / STUBS[1]).read_bytes() == (ROOT / STUBS[1]).read_bytes()
    assert not (bare / STUBS[0]).exists()


def test_not_a_project_is_a_located_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", str(tmp_path)]) == 2
    assert "error[E010]" in capsys.readouterr().err


def test_a_missing_path_is_an_error_not_the_enclosing_project(bare: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stubs", str(bare / "firmware" / "nowhere")]) == 2
    assert "nowhere:0:0: error[E001]: no such file or directory" in capsys.readouterr().err
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
