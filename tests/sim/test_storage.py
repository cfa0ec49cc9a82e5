"""A peripheral the specs describe but no model covers is plain storage, and says so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tamapy.sim import simulate
from tamapy.sim.bus import Bus
from tamapy.sim.peripherals import Storage, build_devices
from tamapy.sim.runner import messages
from tamapy.specs import Board, Soc, load_board, load_soc

from .support import MK2, ROOT, board, hello

FOO = """
[peripheral]
name = "FOO"
description = "a block with a spec and no simulator model"
size = 0x4000
width = 32

[instances]
FOO1 = 0x021A0000
FOO2 = 0x021A4000

[registers.CTRL]
offset = 0x00
reset = 0x5
description = "control"

[registers.STAT]
offset = 0x04
access = "RO"
reset = 0x80
description = "status"
"""
FOO1 = 0x021A_0000


def with_foo(tmp_path: Path) -> tuple[Board, Soc]:
    """The project's specs plus FOO, copied under ``tmp_path``."""
    root = tmp_path / "specs"
    shutil.copytree(ROOT / "specs", root)
    (root / "soc" / "imx6ul" / "foo.toml").write_text(FOO, encoding="utf-8")
    b = load_board(root, MK2)
    return b, load_soc(root, b.soc)


def test_the_run_report_and_the_messages_name_plain_storage(tmp_path: Path) -> None:
    b, soc = with_foo(tmp_path)
    outcome = simulate(hello(MK2), b, soc)
    assert outcome.final == "exit"
    assert outcome.plain_storage == {"FOO": ("FOO1", "FOO2")}
    assert json.loads(outcome.report_json())["plain_storage"] == {"FOO": ["FOO1", "FOO2"]}
    assert messages(outcome) == ["tamapy: FOO has no simulator model: plain register storage"]


def test_the_real_specs_have_a_model_for_every_peripheral() -> None:
    b, soc = board(MK2)
    outcome = simulate(hello(MK2), b, soc)
    assert outcome.plain_storage == {}
    assert json.loads(outcome.report_json())["plain_storage"] == {}
    assert messages(outcome) == []


def test_plain_storage_keeps_what_is_written_and_nothing_else(tmp_path: Path) -> None:
    _, soc = with_foo(tmp_path)
    devices = build_devices(soc)
    assert [d.instance for d in devices if isinstance(d, Storage)] == ["FOO1", "FOO2"]
    bus = Bus(devices)
    assert (bus.read(FOO1, 4), bus.read(FOO1 + 4, 4)) == (0x5, 0x80)
    bus.write(FOO1, 4, 0x1234)
    assert (bus.read(FOO1, 4), bus.read(FOO1 + 4, 4), bus.read(FOO1 + 0x4000, 4)) == (0x1234, 0x80, 0x5)
