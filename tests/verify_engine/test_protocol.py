"""Protocol invariants declared in a register map are tracked as ghost state and guard accesses."""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.diagnostics import TamapyError
from tamapy.specs import load_soc
from tamapy.verify import Status, verify_tree

RNG_SPEC = '''[peripheral]
name = "TRNG"
size = 0x1000

[instances]
TRNG1 = 0x02310000

[registers.CMD]
offset = 0x4
access = "WO"
[registers.CMD.fields]
SELF_TEST = { bits = "0" }
SW_RST = { bits = "6" }

[registers.SR]
offset = 0xC
access = "RO"
[registers.SR.fields]
ST_DONE = { bits = "4" }
ERR = { bits = "16" }
ST_PF = { bits = "21" }

[registers.OUT]
offset = 0x14
access = "RO"
read_sensitive = true

[invariants.healthy]
description = "a self-test passed and no error was seen since"
initial = false
set = [{ on = "read", register = "SR", when = "ST_DONE == 1 and ST_PF == 0 and ERR == 0" }]
clear = [{ on = "read", register = "SR", when = "ERR == 1" }, { on = "write", register = "CMD", when = "SW_RST == 1" }]
guards_read = ["OUT"]
'''

FIRMWARE = '''from soc.imx6ul.regs import TRNG1
from tamapy.fw import ensures, requires, u32


def unchecked() -> u32:
    return TRNG1.OUT.read()


def checked() -> u32:
    sr: u32 = TRNG1.SR.read()
    if (sr >> 4) & 1 == 1 and (sr >> 21) & 1 == 0 and (sr >> 16) & 1 == 0:
        return TRNG1.OUT.read()
    return 0


def checked_fields() -> u32:
    if TRNG1.SR.ERR == 0:
        return TRNG1.OUT.read()
    return 0


def reset_then_read() -> u32:
    if TRNG1.SR.read() == 0x10:
        TRNG1.CMD.write(SW_RST=1)
        return TRNG1.OUT.read()
    return 0


def touch() -> None:
    TRNG1.CMD.write(SELF_TEST=1)


def after_call() -> u32:
    if TRNG1.SR.read() == 0x10:
        touch()
        return TRNG1.OUT.read()
    return 0


@requires(lambda: TRNG1.healthy)
@ensures(lambda result: TRNG1.healthy)
def read_word() -> u32:
    return TRNG1.OUT.read()


def contract_chain() -> u32:
    if TRNG1.SR.read() == 0x10:
        a: u32 = read_word()
        b: u32 = read_word()
        return a ^ b
    return 0
'''


def _setup(project: Path) -> Path:
    (project / "specs" / "soc" / "imx6ul" / "trng.toml").write_text(RNG_SPEC)
    path = project / "firmware" / "examples" / "trng.py"
    path.write_text(FIRMWARE)
    return path


def test_guarded_reads_need_the_invariant(project: Path) -> None:
    report = verify_tree([_setup(project)], "mcimx6ul-evk", workers=1)
    protocol = {o.function.rsplit(".", 1)[1]: o.status for o in report.obligations if o.category.value == "protocol"}
    assert protocol["unchecked"] is Status.FAILED
    assert protocol["checked"] is Status.PROVED
    assert protocol["checked_fields"] is Status.FAILED  # ERR == 0 alone does not mean the self-test passed
    assert protocol["reset_then_read"] is Status.FAILED  # a software reset clears the health
    assert protocol["after_call"] is Status.FAILED  # the callee touched the TRNG, with no contract
    assert protocol["read_word"] is Status.PROVED
    chain = [o for o in report.obligations if o.function.endswith("contract_chain")]
    assert "precondition" in {o.category.value for o in chain} and all(o.status is Status.PROVED for o in chain)
    other = [o for o in report.obligations if o.status is not Status.PROVED and o.category.value != "protocol"]
    assert other == []


def test_malformed_rule_is_rejected_at_its_key(project: Path) -> None:
    (project / "specs" / "soc" / "imx6ul" / "trng.toml").write_text(RNG_SPEC.replace("ERR == 1", "NOPE == 1"))
    with pytest.raises(TamapyError) as info:
        load_soc(project / "specs", "imx6ul")
    d = info.value.diagnostics[0]
    assert d.code == "E331" and "NOPE" in d.message and d.file.endswith("trng.toml")
