"""The shipped RNGB health invariant ends on every status and command that voids it.

``RNGB.healthy`` (specs/soc/imx6ul/rngb.toml) must end on an SR read showing an
error, on one showing a failed self-test (ST_PF != 0, even with ERR clear), on
a new self-test command (CMD.ST) and on a software reset (CMD.SR).  Each
program below starts healthy (``@requires``), does one of those, then reads
OUT: the OUT read must fail with category ``protocol`` at its line, and its
twin, which checks the status again (or reads OUT before the command), must
prove.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tamapy.specs import load_soc
from tamapy.verify import Status, verify_tree

ROOT = Path(__file__).resolve().parents[2]
MK2 = "usbarmory-mk2"  # an i.MX6ULZ: it has the RNGB

FIRMWARE = '''from soc.imx6ul.regs import RNGB
from tamapy.fw import poll, requires, u32


@requires(lambda: RNGB.healthy)
def failed_self_test() -> u32:
    sr: u32 = RNGB.SR.read()
    if (sr >> 16) & 1 == 0:
        return RNGB.OUT.read()  # BAD: ST_PF may be non-zero
    return 0


@requires(lambda: RNGB.healthy)
def good_failed_self_test() -> u32:
    sr: u32 = RNGB.SR.read()
    if (sr >> 16) & 1 == 0 and (sr >> 21) & 7 == 0:
        return RNGB.OUT.read()
    return 0


@requires(lambda: RNGB.healthy)
def self_test_command() -> u32:
    RNGB.CMD.write(ST=1)
    return RNGB.OUT.read()  # BAD: the self-test is re-running


@requires(lambda: RNGB.healthy)
def good_self_test_command() -> u32:
    word: u32 = RNGB.OUT.read()
    RNGB.CMD.write(ST=1)
    if not poll(RNGB.SR.STDN == 1, limit=1000):
        return 0
    sr: u32 = RNGB.SR.read()
    if (sr >> 4) & 1 == 1 and (sr >> 5) & 1 == 1 and (sr >> 21) & 7 == 0 and (sr >> 16) & 1 == 0:
        return word ^ RNGB.OUT.read()
    return 0


@requires(lambda: RNGB.healthy)
def self_test_by_modify() -> u32:
    RNGB.CMD.modify(CI=1)
    return RNGB.OUT.read()  # BAD: the CMD value written back may hold ST


@requires(lambda: RNGB.healthy)
def clear_on_err() -> u32:
    if RNGB.SR.ERR == 1:
        return RNGB.OUT.read()  # BAD: an error was seen
    return 0


@requires(lambda: RNGB.healthy)
def good_clear_on_err() -> u32:
    word: u32 = RNGB.OUT.read()
    if RNGB.SR.ERR == 1:
        return 0
    return word


@requires(lambda: RNGB.healthy)
def err_clear_alone() -> u32:
    if RNGB.SR.ERR == 0:
        return RNGB.OUT.read()  # BAD: the same SR value may show ST_PF != 0
    return 0


@requires(lambda: RNGB.healthy)
def software_reset() -> u32:
    RNGB.CMD.write(SR=1)
    return RNGB.OUT.read()  # BAD: the reset lost self-test and seed


@requires(lambda: RNGB.healthy)
def other_command() -> u32:
    RNGB.CMD.write(CI=1)
    return RNGB.OUT.read()
'''

BAD = ("failed_self_test", "err_clear_alone", "self_test_command", "self_test_by_modify", "clear_on_err",
       "software_reset")
GOOD = ("good_failed_self_test", "good_self_test_command", "good_clear_on_err", "other_command")
NEW_RULES = ('         { on = "read", register = "SR", when = "ST_PF != 0" },\n',
             '         { on = "write", register = "CMD", when = "ST == 1" },\n')


def _bad_lines() -> dict[str, int]:
    """The line of each bad program's OUT read (marked ``BAD``)."""
    lines: dict[str, int] = {}
    function = ""
    for number, line in enumerate(FIRMWARE.splitlines(), start=1):
        if line.startswith("def "):
            function = line[4:line.index("(")]
        if "# BAD" in line:
            lines[function] = number
    return lines


def _verify(project: Path) -> dict[str, list[tuple[str, int, Status]]]:
    path = project / "firmware" / "examples" / "rng_health.py"
    path.write_text(FIRMWARE)
    report = verify_tree([path], MK2, workers=1, store=None)
    out: dict[str, list[tuple[str, int, Status]]] = {}
    for o in report.obligations:
        out.setdefault(o.function.rsplit(".", 1)[1], []).append((o.category.value, o.span.line, o.status))
    return out


def test_each_way_health_ends_is_caught_at_the_out_read(project: Path) -> None:
    results = _verify(project)
    lines = _bad_lines()
    assert sorted(lines) == sorted(BAD)
    for name in BAD:
        failed = [(c, line) for c, line, s in results[name] if s is not Status.PROVED]
        assert failed == [("protocol", lines[name])], name
    for name in GOOD:
        assert results[name] and all(s is Status.PROVED for _, _, s in results[name]), name
        assert "protocol" in {c for c, _, _ in results[name]}, name


def test_without_the_new_rules_the_failed_test_and_the_new_test_went_unseen(project: Path) -> None:
    spec = project / "specs" / "soc" / "imx6ul" / "rngb.toml"
    text = spec.read_text()
    for rule in NEW_RULES:
        assert rule in text
        text = text.replace(rule, "")
    spec.write_text(text)
    results = _verify(project)
    for name in ("failed_self_test", "err_clear_alone", "self_test_command"):
        assert all(s is Status.PROVED for _, _, s in results[name]), name
    # (a CMD read-modify-write may write back SR = 1 as well: it was caught already)
    for name in ("clear_on_err", "software_reset", "self_test_by_modify"):
        assert any(s is Status.FAILED for _, _, s in results[name]), name


@pytest.mark.parametrize(("register", "on", "value", "ends"), [
    ("SR", "read", 0x0000_0030, False),          # STDN, SDN: healthy
    ("SR", "read", 0x0001_0030, True),           # ERR
    ("SR", "read", 0x0020_0030, True),           # ST_PF bit 21, ERR clear
    ("SR", "read", 0x0080_0030, True),           # ST_PF bit 23, ERR clear
    ("SR", "read", 0x0000_0F30, False),          # a full FIFO is no failure
    ("CMD", "write", 0x01, True),                # ST
    ("CMD", "write", 0x40, True),                # SR
    ("CMD", "write", 0x12, False),               # GS and CI
])
def test_the_shipped_rules_end_health_exactly_on_failures(register: str, on: str, value: int, ends: bool) -> None:
    soc = load_soc(ROOT / "specs", "imx6ul")
    rngb = soc.peripheral("RNGB")
    assert rngb is not None
    (healthy,) = rngb.invariants
    reg = rngb.register(register)
    assert reg is not None
    clears = [r for r in healthy.rules if r.effect == "clear" and r.on == on and r.register == register]
    sets = [r for r in healthy.rules if r.effect == "set" and r.on == on and r.register == register]
    assert any(r.holds(reg, value) for r in clears) is ends
    if ends:
        assert not any(r.holds(reg, value) for r in sets)  # no status both starts and ends it
