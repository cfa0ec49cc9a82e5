"""The ground floor: the firmware ABI's final line, and which file a module name means.

The compiler's module loader and the host's import hook both resolve names
through ``tamapy.project``; the last test checks that they agree on every
name in a small tree, since a disagreement would prove one file and run
another.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tamapy.abi import final_outcome, run_status
from tamapy.lang.resolve import ModuleLoader
from tamapy.project import Project, canonical_module, module_source
from tamapy.sim.host_import import FirmwareFinder
from tamapy.specs import load_board

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("line", "expected"), [
    (b"tamapy: exit 0", ("exit", 0)),
    (b"tamapy: exit 12\r", ("exit", 12)),
    (b"tamapy: exit 012", ("exit", 12)),
    (b"tamapy: panic 0xffff0001", ("panic", 0xFFFF0001)),
    (b"tamapy: panic 0xFFFF0001", None),  # the firmware prints lower-case hex
    (b"tamapy: exit", None),
    (b" tamapy: exit 0", None),
    (b"tamapy: exit 0 and more", None),
])
def test_final_line(line: bytes, expected: tuple[str, int] | None) -> None:
    assert final_outcome(line) == expected


def test_run_status_is_zero_only_for_exit_zero() -> None:
    assert run_status("exit", 0) == 0
    assert run_status("exit", 1) == 1
    assert run_status("panic", 0) == 1
    assert run_status(None, None) == 1


def test_board_names_map_to_the_board_package() -> None:
    assert canonical_module("board.console", "usbarmory_mk2") == "board.usbarmory_mk2.console"
    assert canonical_module("board", "usbarmory_mk2") == "board.usbarmory_mk2"
    assert canonical_module("board.usbarmory_mk2.console", "usbarmory_mk2") == "board.usbarmory_mk2.console"
    assert canonical_module("runtime.console", "usbarmory_mk2") == "runtime.console"


def _tree(root: Path) -> Path:
    firmware = root / "firmware"
    for rel in ("a/__init__.py", "a/b.py", "c.py", "d/e.py", "f.py", "board/pkg/__init__.py", "board/pkg/x.py"):
        (firmware / rel).parent.mkdir(parents=True, exist_ok=True)
        (firmware / rel).write_text("")
    (firmware / "f").mkdir()  # a module file wins over a directory of the same name
    (firmware / "g.py").mkdir()  # a directory named like a module file is not one
    return firmware


def test_module_source_rule(tmp_path: Path) -> None:
    firmware = _tree(tmp_path)
    c = module_source(firmware, "c")
    assert c is not None and c.path == firmware / "c.py" and not c.package
    a = module_source(firmware, "a")
    assert a is not None and a.path == firmware / "a" / "__init__.py" and a.package
    d = module_source(firmware, "d")
    assert d is not None and d.path is None and d.package and d.directory == firmware / "d"
    f = module_source(firmware, "f")
    assert f is not None and f.path == firmware / "f.py"
    assert module_source(firmware, "missing") is None
    assert module_source(firmware, "a.missing") is None


def test_compiler_and_host_mean_the_same_file(tmp_path: Path) -> None:
    firmware = _tree(tmp_path)
    board = replace(load_board(ROOT / "specs", "usbarmory-mk2"), firmware_package="pkg")
    loader = ModuleLoader(Project(tmp_path, firmware, ROOT / "specs"), board)
    finder = FirmwareFinder(firmware, "pkg", {})
    names = ["a", "a.b", "c", "d", "d.e", "f", "g", "missing", "a.missing", "board", "board.x"]
    for name in names:
        compiled = loader.path_of(loader.canonical(name))
        spec = finder.find_spec(name)
        hosted = Path(spec.origin) if spec is not None and spec.origin else None
        assert compiled == hosted, name
