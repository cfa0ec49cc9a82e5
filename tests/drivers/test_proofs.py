"""Every function of firmware/soc/imx6ul is proved (what ``tamapy verify firmware/soc/imx6ul``
reports), the proofs are not vacuous, and breaking a protocol rule is caught."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tamapy.verify import Status, verify_tree
from tests.drivers.support import MK2, ROOT

DRIVERS = ROOT / "firmware" / "soc" / "imx6ul"
PUBLIC = {
    "soc.imx6ul.ccm.enable_uart", "soc.imx6ul.ccm.enable_dcp", "soc.imx6ul.ccm.enable_gpt1",
    "soc.imx6ul.soc.model", "soc.imx6ul.soc.has_dcp", "soc.imx6ul.soc.has_rngb",
    "soc.imx6ul.gpt.init", "soc.imx6ul.gpt.uptime_ticks", "soc.imx6ul.gpt.delay_us",
    "soc.imx6ul.wdog.init", "soc.imx6ul.wdog.service", "soc.imx6ul.wdog.disable_power_down",
    "soc.imx6ul.ocotp.read_fuse", "soc.imx6ul.ocotp.unique_id", "soc.imx6ul.ocotp.reload_shadows",
    "soc.imx6ul.snvs.read", "soc.imx6ul.snvs.load", "soc.imx6ul.snvs.start", "soc.imx6ul.snvs.stop",
    "soc.imx6ul.rngb.init", "soc.imx6ul.rngb.read_words",
    "soc.imx6ul.dcp.init", "soc.imx6ul.dcp.run", "soc.imx6ul.dcp.sha256", "soc.imx6ul.dcp.aes_ecb",
    "soc.imx6ul.dcp.aes_cbc", "soc.imx6ul.dcp.aes_cbc_slot", "soc.imx6ul.dcp.aes_cbc_unique",
    "soc.imx6ul.gpio.make_output", "soc.imx6ul.gpio.make_input", "soc.imx6ul.gpio.set_pin",
    "soc.imx6ul.gpio.clear_pin", "soc.imx6ul.gpio.toggle_pin", "soc.imx6ul.gpio.read_pin",
    "soc.imx6ul.gpio.clear_event",
}


def test_drivers_are_fully_proved() -> None:
    report = verify_tree([DRIVERS], MK2, store=None)
    functions = {r.function for r in report.results}
    assert functions >= PUBLIC
    failures = [f"{o.id}: {o.status.value}: {o.message}" for o in report.obligations if o.status is not Status.PROVED]
    assert failures == []
    by_category = Counter(o.category.value for o in report.obligations)
    # The register protocol is really exercised: RNGB OUT reads, DCP channel 0 writes,
    # the DMA address of the work packet, and every clock gate.
    assert by_category["protocol"] >= 3
    assert by_category["dma"] >= 1
    assert by_category["clock"] >= 50
    assert by_category["termination"] >= 3
    assert len(report.obligations) > 500


def _verify_mutant(project: Path, module: str, old: str, new: str) -> dict[str, set[str]]:
    path = project / "firmware" / "soc" / "imx6ul" / module
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    report = verify_tree([path], MK2, store=None)
    failed: dict[str, set[str]] = {}
    for o in report.obligations:
        if o.status is not Status.PROVED:
            failed.setdefault(o.function.rsplit(".", 1)[1], set()).add(o.category.value)
    return failed


def test_reading_rngb_out_without_a_healthy_status_is_refused(project: Path) -> None:
    failed = _verify_mutant(project, "rngb.py", "        if not healthy(sr):\n", "        if sr.ERR == 1:\n")
    # the guarded OUT read fails, and so does next_word's promise that OK means healthy
    assert failed == {"next_word": {"protocol", "postcondition"}}


def test_submitting_without_channel0_enabled_is_refused(project: Path) -> None:
    failed = _verify_mutant(project, "dcp.py", "    DCP.CHANNELCTRL.write(ENABLE_CHANNEL=CHANNEL0)\n",
                            "    DCP.CHANNELCTRL.write(ENABLE_CHANNEL=2)\n")
    assert failed == {"init": {"postcondition"}}


def test_packet_address_must_be_a_dma_buffer(project: Path) -> None:
    failed = _verify_mutant(project, "dcp.py", "    DCP.CH0CMDPTR.write(ADDR=addr_of(packet))\n",
                            "    DCP.CH0CMDPTR.write(ADDR=addr_of(packet) + 2)\n")
    assert failed == {"run": {"dma"}}


def test_a_gpio_pin_without_its_bound_or_its_clock_is_refused(project: Path) -> None:
    """The pin bound is what proves the field-array elements in range; the gate, the access."""
    head = "@requires(lambda gpio, pin: clock_enabled(gpio) and pin < PINS)\ndef "
    failed = _verify_mutant(project, "gpio.py", head + "toggle_pin", "@requires(lambda gpio, pin: clock_enabled(gpio))\ndef toggle_pin")
    assert failed == {"toggle_pin": {"index"}}  # both the read of DR.IO[pin] and its write
    failed = _verify_mutant(project, "gpio.py", head + "read_pin", "@requires(lambda gpio, pin: pin < PINS)\ndef read_pin")
    assert failed == {"toggle_pin": {"index"}, "read_pin": {"clock"}}
