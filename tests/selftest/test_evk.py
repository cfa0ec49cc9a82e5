"""On the MCIMX6UL-EVK (i.MX6UL: no DCP, no RNGB) the self-test says so, hashes in
software and refuses random bytes, AES and quotes -- in the simulator and under QEMU."""

from __future__ import annotations

import hashlib
from pathlib import Path

from tamapy.qemu import QEMU, run_qemu
from tests.selftest.support import Image, measurement, run
from tests.tools import require_tool

ABSENT = {
    "dcp: ": "absent",
    "rngb: ": "absent",
    "rng self-test: ": "UNAVAILABLE",
    "random: ": "RNG unavailable",
    "kat sha256 dcp: ": "UNAVAILABLE",
    "kat sha256 software: ": "PASS",
    "kat aes-128-cbc-encrypt dcp: ": "UNAVAILABLE",
    "kat aes-128-cbc-decrypt dcp: ": "UNAVAILABLE",
    "kat hmac-sha256 software: ": "PASS",
    "quote: ": "unavailable (no fresh nonce: rng UNAVAILABLE)",
    "selftest: ": "2 passed, 0 failed, 4 unavailable",
}


def test_evk_reports_the_engines_absent_and_uses_software(evk: Image) -> None:
    r = run(evk)
    assert r.lines[0] == "tamapy selftest on MCIMX6UL-EVK"
    assert r.value("soc: ") == "i.MX6UL (emulated) (DIGPROG family 0x64, revision 0x0000)"
    for prefix, value in ABSENT.items():
        assert r.value(prefix) == value, prefix
    assert r.value("measurement: ") == measurement(evk).hex()
    assert r.exited and r.outcome.code == 0
    # the DCP and RNGB windows are unmapped on this part: touching them would have faulted
    assert r.outcome.fault is None and r.outcome.exceptions == ()


def test_evk_console_hashes_in_software_and_refuses_the_rest(evk: Image) -> None:
    r = run(evk, ["sha256 616263", "rand 16", "aes-cbc " + "00" * 16 + " " + "11" * 16 + " " + "22" * 16,
                  "quote 01", "uid"])
    assert r.responses() == [
        f"digest: {hashlib.sha256(b'abc').hexdigest()}",
        "error: rand UNAVAILABLE",
        "error: aes-cbc UNAVAILABLE",
        "error: quote UNAVAILABLE",
        "uid: " + r.values("uid: ")[0],
    ]
    # nothing but refusals: no random bytes, no ciphertext, no quote
    assert r.values("random: ") == ["RNG unavailable"]
    assert r.values("quote: ") == ["unavailable (no fresh nonce: rng UNAVAILABLE)"]
    assert r.values("ciphertext: ") == []


def test_evk_under_qemu_reports_the_engines_absent(evk: Image, tmp_path: Path) -> None:
    require_tool(QEMU, "qemu-system-arm")
    elf = tmp_path / "selftest.elf"
    elf.write_bytes(evk.elf)
    outcome = run_qemu(evk.board, elf, timeout=60.0)
    lines = outcome.output.decode("latin-1").replace("\r", "").split("\n")
    assert "tamapy selftest on MCIMX6UL-EVK" in lines
    for prefix in ("dcp: ", "rngb: ", "random: ", "kat sha256 software: ", "kat hmac-sha256 software: ", "quote: "):
        assert f"{prefix}{ABSENT[prefix]}" in lines, prefix
    # QEMU runs the same image bytes: the same measurement as the host computes
    assert f"measurement: {measurement(evk).hex()}" in lines
    # no input under QEMU: the console ends after its bounded idle wait
    assert "console: no input, done" in lines
    assert outcome.final == "exit" and outcome.code == 0
