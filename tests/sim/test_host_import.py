"""The import hook: firmware/ as the root, board.* and soc.<soc>.regs as the compiler resolves them."""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path
from types import ModuleType

import pytest

from tamapy.sim.host import Host
from tamapy.sim.host_import import compile_firmware


def test_board_modules_are_the_board_package(host: Host) -> None:
    from board import console  # type: ignore[import-not-found]

    assert Path(console.__file__).parts[-3:] == ("board", "mcimx6ul_evk", "console.py")
    canonical = importlib.import_module("board.mcimx6ul_evk.console")
    assert canonical is console and console.__spec__ is not None and console.__spec__.name == "board.console"
    assert host.module("board") is sys.modules["board.mcimx6ul_evk"]
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("board.usbarmory_mk2.console")  # another board's package is not visible


def test_other_board(fw_project: Path) -> None:
    with Host(fw_project, "usbarmory-mk2") as host:
        console = host.module("board.console")
        assert console.NAME == b"USB armory Mk II" and console.PORT is host.regs.UART2


def test_regs_module_is_generated_and_shared(host: Host) -> None:
    import soc.imx6ul.regs as regs  # type: ignore[import-not-found]
    from soc.imx6ul import uart  # type: ignore[import-not-found, unused-ignore]

    assert regs is host.regs and regs.__spec__ is not None and regs.__spec__.origin == "tamapy:generated"
    assert uart.UART is regs.UART and uart.__name__ == "soc.imx6ul.uart"
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("soc.imx6ull.regs")


def test_modules_leave_with_the_host(fw_project: Path) -> None:
    sentinel = ModuleType("runtime")
    sys.modules["runtime"] = sentinel  # an unrelated module of the same name is shadowed, then restored
    try:
        with Host(fw_project, "mcimx6ul-evk") as host:
            console = host.module("runtime.console")
            assert sys.modules["runtime"] is not sentinel and console.__name__ == "runtime.console"
        assert sys.modules["runtime"] is sentinel
        assert not any(name.startswith(("board", "soc.", "runtime.")) for name in sys.modules)
        with pytest.raises(RuntimeError, match="enter the host"):
            host.module("runtime.console")
    finally:
        del sys.modules["runtime"]


def test_one_host_at_a_time(host: Host, fw_project: Path) -> None:
    with pytest.raises(RuntimeError, match="another tamapy host"), Host(fw_project, "usbarmory-mk2"):
        pass
    assert host.module("board.console").NAME == b"MCIMX6UL-EVK"  # the first one is untouched


def test_non_firmware_names_are_refused(host: Host) -> None:
    with pytest.raises(ModuleNotFoundError):
        host.module("json")
    with pytest.raises(ModuleNotFoundError):
        host.module("runtime.nothing_here")


def test_directory_without_init_is_a_package(fw_project: Path, tmp_path: Path) -> None:
    from tests.fw.support import make_project

    root = make_project(tmp_path / "proj")
    (root / "firmware" / "extra" / "deep").mkdir(parents=True)
    (root / "firmware" / "extra" / "deep" / "mod.py").write_text("from tamapy.fw import u8\n\nX: u8 = 3\n")
    with Host(root, "mcimx6ul-evk") as host:
        assert host.module("extra.deep.mod").X == 3


def test_rewrites_keep_line_numbers(probe: ModuleType) -> None:
    with pytest.raises(OverflowError) as info:
        probe.local_claim(300)
    frame = traceback.extract_tb(info.value.__traceback__)[-2]
    assert probe.__file__ is not None and frame.lineno is not None
    source = Path(probe.__file__).read_text().splitlines()
    assert frame.filename == probe.__file__ and source[frame.lineno - 1].strip() == "small = value"


def test_claims_at_assignments_and_boundaries(probe: ModuleType) -> None:
    assert probe.local_claim(255) == 255
    assert probe.augmented_claim(5) == 255
    with pytest.raises(OverflowError, match="u8"):
        probe.augmented_claim(6)
    with pytest.raises(OverflowError, match=r"narrow\(\): result = 256"):
        probe.narrow(256)
    with pytest.raises(OverflowError, match="argument value"):
        probe.narrow(-1)
    assert probe.narrow(7) == 7


def test_claims_can_be_switched_off(fw_project: Path) -> None:
    with Host(fw_project, "mcimx6ul-evk", check_claims=False) as host:
        probe = host.module("hosttest.probe")
        assert probe.narrow(256) == 256 and probe.augmented_claim(10) == 260


def test_compile_is_cached_per_file_version(fw_project: Path) -> None:
    path = fw_project / "firmware" / "hosttest" / "probe.py"
    assert compile_firmware(path) is compile_firmware(path)
    assert compile_firmware(path) is not compile_firmware(path, check_claims=False)


def test_globals_restart_after_reset(host: Host, probe: ModuleType) -> None:
    assert (probe.bump(), probe.bump()) == (1, 2)
    assert probe.buffer.tolist() == [0, 1, 2, 0]
    host.reset()
    fresh = host.module("hosttest.probe")
    assert fresh is not probe and fresh.bump() == 1


@pytest.mark.parametrize("board", ["mcimx6ul-evk", "usbarmory-mk2"])
def test_every_firmware_module_imports(fw_project: Path, board: str) -> None:
    firmware = fw_project / "firmware"
    package = board.replace("-", "_")
    with Host(fw_project, board) as host:
        for path in sorted(firmware.rglob("*.py")):
            parts = list(path.relative_to(firmware).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            if parts[:1] == ["board"] and len(parts) > 1 and parts[1] != package:
                continue  # another board's package: not visible, as for the compiler
            assert host.module(".".join(parts)).__name__ == ".".join(parts).replace(f"board.{package}", "board")


def test_bool_results_are_bools(probe: ModuleType) -> None:
    assert probe.uart_ready() is True


def test_module_level_claims(tmp_path: Path) -> None:
    from tests.fw.support import make_project

    root = make_project(tmp_path / "proj")
    (root / "firmware" / "claims.py").write_text(
        "from typing import Final\n\nfrom tamapy.fw import u8\n\nLIMIT: Final[u8] = 300\n")
    with Host(root, "mcimx6ul-evk") as host, pytest.raises(OverflowError, match="300 does not fit u8"):
        host.module("claims")
