"""The shared proof cache: a proof is reused wherever its key comes up (another board, the
other of verify and build, another checkout), and only there; an altered entry is proved again."""

from __future__ import annotations

import json
from pathlib import Path

from tamapy.build import compile_app
from tamapy.verify import ProofCache, ProofStore, Status, verify_tree

BROKEN = '''from tamapy.fw import u32


def halve(x: u32) -> u32:
    return 100 // x
'''


def _keys(results: tuple[object, ...]) -> dict[str, str]:
    return {r.function: r.key for r in results}  # type: ignore[attr-defined]


def test_a_warm_build_on_any_board_proves_nothing_again(project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    app = project / "firmware" / "examples" / "hello"
    evk = compile_app(app, "mcimx6ul-evk", cache=cache).report
    assert evk is not None and evk.all_proved and all(r.proved_now for r in evk.results)
    armory = compile_app(app, "usbarmory-mk2", cache=cache).report
    assert armory is not None and armory.all_proved
    before = _keys(evk.results)
    shared = {r.function for r in armory.results if r.shared}
    fresh = {r.function for r in armory.results if r.proved_now}
    assert shared and fresh, "board-independent code is shared, the board's console is not"
    assert all(before.get(r.function) == r.key for r in armory.results if r.shared)
    assert all(before.get(r.function) != r.key for r in armory.results if r.proved_now)
    assert any(name.startswith("board.") or "console" in name for name in fresh), fresh
    for board in ("usbarmory-mk2", "mcimx6ul-evk"):
        again = compile_app(app, board, cache=cache).report
        assert again is not None and not [r.function for r in again.results if r.proved_now], board


def test_verify_proves_main_as_build_does(project: Path, tmp_path: Path) -> None:
    """`verify` proves an application's main from reset, so a build finds its certificate."""
    app = project / "firmware" / "examples" / "hello"
    store = ProofStore(project)
    report = verify_tree([app], "mcimx6ul-evk", workers=1, store=store)
    store.write(list(report.results))
    built = compile_app(app, "mcimx6ul-evk", cache=tmp_path / "empty").report
    assert built is not None
    main = next(r for r in built.results if r.function == "examples.hello.main.main")
    assert main.cached and not main.shared


def test_an_altered_cache_entry_is_proved_again(project: Path, tmp_path: Path) -> None:
    path = project / "firmware" / "examples" / "lib.py"
    path.write_text(BROKEN)
    cache = ProofCache(tmp_path / "cache")
    first = verify_tree([path], "mcimx6ul-evk", workers=1, cache=cache)
    statuses = [o.status for o in first.obligations]
    assert Status.FAILED in statuses
    (entry,) = (tmp_path / "cache").rglob("*.json")
    doc = json.loads(entry.read_text())
    for o in doc["obligations"]:
        o["status"] = "proved"  # the digest no longer matches
    entry.write_text(json.dumps(doc))
    again = verify_tree([path], "mcimx6ul-evk", workers=1, cache=cache)
    assert [o.status for o in again.obligations] == statuses
    assert all(r.proved_now for r in again.results)
    third = verify_tree([path], "mcimx6ul-evk", workers=1, cache=cache)
    assert all(r.shared for r in third.results), "the altered entry was replaced by the new proof"
    assert [o.status for o in third.obligations] == statuses


def test_a_cache_that_cannot_be_written_only_costs_time(project: Path, tmp_path: Path) -> None:
    path = project / "firmware" / "examples" / "lib.py"
    path.write_text(BROKEN.replace("100 // x", "x // 2"))
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    report = verify_tree([path], "mcimx6ul-evk", workers=1, cache=ProofCache(blocked))
    assert report.all_proved


EXTRA = '''[peripheral]
name = "EXTRA"
description = "a block no firmware uses"
size = 0x1000

[instances]
EXTRA1 = 0x02310000

[registers.CTRL]
offset = 0x0
[registers.CTRL.fields]
EN = { bits = "0:0" }
'''

USER = '''from soc.imx6ul.regs import UART1
from tamapy.fw import clock_enabled, requires, u32


@requires(lambda: clock_enabled(UART1))
def enable() -> None:
    UART1.UCR1.modify(UARTEN=1)


def half(x: u32) -> u32:
    return x // 2
'''


def test_certificates_survive_a_spec_file_no_proof_reads(project: Path) -> None:
    """A proof reads the register maps of the peripherals its code names, and CCM's gates: a new
    block elsewhere changes no key; a change to a map the code uses does."""
    path = project / "firmware" / "examples" / "user.py"
    path.write_text(USER)
    store = ProofStore(project)
    first = verify_tree([path], "mcimx6ul-evk", workers=1, store=store)
    store.write(list(first.results))
    (project / "specs" / "soc" / "imx6ul" / "extra.toml").write_text(EXTRA)
    second = verify_tree([path], "mcimx6ul-evk", workers=1, store=store)
    assert all(r.cached for r in second.results) and second.stale == ()
    uart = project / "specs" / "soc" / "imx6ul" / "uart.toml"
    uart.write_text(uart.read_text().replace('description = "', 'description = "(edited) ', 1))
    third = verify_tree([path], "mcimx6ul-evk", workers=1, store=store)
    assert {r.function.rsplit(".", 1)[1]: r.cached for r in third.results} == {"enable": False, "half": True}


VALUE_USER = '''from tamapy.fw import RegValue, u32
from soc.imx6ul.regs import RNGB


def level(sr: RegValue[RNGB.SR]) -> u32:
    return sr.FIFO_LVL
'''


def test_a_register_value_parameter_keys_on_its_peripherals_map(project: Path) -> None:
    """A function that only receives a read value still reads its register's map (the fields)."""
    path = project / "firmware" / "examples" / "value_user.py"
    path.write_text(VALUE_USER)
    store = ProofStore(project)
    first = verify_tree([path], "mcimx6ul-evk", workers=1, store=store)
    store.write(list(first.results))
    rngb = project / "specs" / "soc" / "imx6ul" / "rngb.toml"
    rngb.write_text(rngb.read_text().replace('description = "', 'description = "(edited) ', 1))
    second = verify_tree([path], "mcimx6ul-evk", workers=1, store=store)
    assert [r.cached for r in second.results] == [False]
