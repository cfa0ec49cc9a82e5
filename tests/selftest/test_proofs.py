"""Every line of the self-test, the crypto interface and the runtime is proved (what
``tamapy verify firmware/examples/selftest firmware/crypto firmware/runtime`` reports),
the interface contracts of specs/interfaces/crypto.toml are attached to crypto.api, and
both images have a bounded stack and measure no writable byte."""

from __future__ import annotations

from collections import Counter

import pytest

from tamapy.specs.interfaces import load_interfaces
from tamapy.verify import Report, Status, verify_tree
from tests.selftest.support import APP, EVK, IMAGE_BASE, MEASURE_BYTES, MK2, ROOT, Image

CRYPTO, RUNTIME = ROOT / "firmware" / "crypto", ROOT / "firmware" / "runtime"
INTERFACE = {
    "sha256", "sha256_engine", "hmac_sha256", "aes128_ecb_encrypt", "aes128_ecb_decrypt",
    "aes128_cbc_encrypt", "aes128_cbc_decrypt", "derive_key", "rng_self_test", "rng_read",
}


def test_interface_file_lists_the_crypto_api() -> None:
    interfaces = [i for i in load_interfaces(ROOT / "specs") if i.source.endswith("crypto.toml")]
    assert {i.name for i in interfaces} == INTERFACE
    assert {i.module for i in interfaces} == {"crypto.api"}
    assert all(i.returns == "CryptoStatus" for i in interfaces)


def _failures(report: Report) -> list[str]:
    return [f"{o.id}: {o.status.value}: {o.message}" for o in report.obligations if o.status is not Status.PROVED]


def test_selftest_crypto_and_runtime_are_fully_proved() -> None:
    """The merge-gate command's trees, for its default board (the MCIMX6UL-EVK)."""
    report = verify_tree([APP, CRYPTO, RUNTIME], EVK, store=None)
    assert _failures(report) == []
    functions = {r.function for r in report.results}
    assert {f"crypto.api.{name}" for name in INTERFACE} <= functions
    assert {"runtime.line.read_line", "runtime.hexcodec.decode", "examples.selftest.main.main"} <= functions
    # the interface's post-conditions are proved in each implementation
    posts = Counter(o.function for o in report.obligations if o.category.value == "postcondition")
    assert all(posts[f"crypto.api.{name}"] >= 1 for name in INTERFACE)
    by_category = Counter(o.category.value for o in report.obligations)
    assert by_category["precondition"] > 100 and by_category["postcondition"] > 20
    assert len(report.obligations) > 800


def test_board_dependent_modules_are_proved_for_the_usb_armory() -> None:
    """The modules that print through the board's console, for the other board."""
    report = verify_tree([APP, RUNTIME], MK2, store=None)
    assert _failures(report) == []
    assert len(report.obligations) > 400


@pytest.mark.parametrize("image_name", ["mk2", "evk"])
def test_image_stack_is_bounded_and_the_measured_region_is_read_only(image_name: str,
                                                                     request: pytest.FixtureRequest) -> None:
    image: Image = request.getfixturevalue(image_name)
    assert all(proved for proved, _ in image.stack), image.stack
    segments = {name: (vaddr, filesz, memsz) for name, vaddr, filesz, memsz in image.segments}
    assert segments["text"][0] == IMAGE_BASE == image.board.load_address
    # the measured region ends at or before the writable segment: nothing it covers changes
    # (how much of the read-only image it covers is documented in docs/selftest.md: all of it
    # at the time of writing; growing code leaves part of the rodata out, never adds RW bytes)
    assert IMAGE_BASE + MEASURE_BYTES <= segments["data"][0] == image.symbols["__data_start"]
