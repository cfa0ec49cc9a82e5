"""Programs the front end must accept, whatever order their modules are resolved in."""

from __future__ import annotations

from pathlib import Path

from tamapy.lang.program import check_tree


def test_enums_and_instance_aliases_imported_by_name_from_modules_resolved_later(project: Path) -> None:
    pkg = project / "firmware" / "examples" / "order"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    # `zz` sorts after `aa`, so it is resolved after the module that imports from it.
    (pkg / "zz.py").write_text(
        "from enum import IntEnum\n\n\nclass Mode(IntEnum):\n    OFF = 0\n    ON = 1\n"
    )
    (pkg / "aa.py").write_text(
        "from board.console import PORT\nfrom examples.order.zz import Mode\n"
        "from tamapy.fw import clock_enabled, requires, u32\n\n\n"
        "def flip(m: Mode) -> Mode:\n    if m == Mode.ON:\n        return Mode.OFF\n    return Mode.ON\n\n\n"
        "@requires(lambda: clock_enabled(PORT))\ndef status() -> u32:\n    return PORT.USR1.read()\n"
    )
    checked, _ = check_tree([pkg], "mcimx6ul-evk")
    flip = checked[0].functions["examples.order.aa.flip"]
    assert str(flip.ret) == "examples.order.zz.Mode"
    assert "examples.order.aa.status" in checked[0].functions
