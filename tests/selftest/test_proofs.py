"""Every line of the self-test, the crypto interface and the runtime is proved (what
``tamapy verify firmware/examples/selftest firmware/crypto firmware/runtime`` reports),
the interface contracts of specs/interfaces/crypto.toml are attached to crypto.api, and
both images have a bounded stack and measure no writable byte."""

from __future__ import annotations

from collections import Counter

import pytest

from tamapy.build import compile_app
from tamapy.specs.interfaces import load_interfaces
from tamapy.verify import Status, verify_tree
from tamapy.verify.obligation import Status as ObligationStatus
from tests.selftest.support import APP, EVK, IMAGE_BASE, MEASURE_BYTES, MK2, ROOT, Image

TREES = [APP, ROOT / "firmware" / "crypto", ROOT / "firmware" / "runtime"]
INTERFACE = {
    "sha256", "sha256_engine", "hmac_sha256", "aes128_ecb_encrypt", "aes128_ecb_decrypt",
    "aes128_cbc_encrypt", "aes128_cbc_decrypt", "derive_key", "rng_self_test", "rng_read",
}


def test_interface_file_lists_the_crypto_api() -> None:
    interfaces = [i for i in load_interfaces(ROOT / "specs") if i.source.endswith("crypto.toml")]
    assert {i.name for i in interfaces} == INTERFACE
    assert {i.module for i in interfaces} == {"crypto.api"}
    assert all(i.returns == "CryptoStatus" for i in interfaces)


@pytest.mark.parametrize("board", [MK2, EVK])
def test_selftest_crypto_and_runtime_are_fully_proved(board: str) -> None:
    report = verify_tree(TREES, board, store=None)
    failures = [f"{o.id}: {o.status.value}: {o.message}" for o in report.obligations if o.status is not Status.PROVED]
    assert failures == []
    functions = {r.function for r in report.results}
    assert {f"crypto.api.{name}" for name in INTERFACE} <= functions
    assert {"runtime.line.read_line", "runtime.hexcodec.decode", "examples.selftest.main.main"} <= functions
    # the interface's post-conditions are proved in each implementation
    posts = Counter(o.function for o in report.obligations if o.category.value == "postcondition")
    assert all(posts[f"crypto.api.{name}"] >= 1 for name in INTERFACE)
    by_category = Counter(o.category.value for o in report.obligations)
    assert by_category["precondition"] > 100 and by_category["clock"] > 50
    assert len(report.obligations) > 800


@pytest.mark.parametrize("image_name", ["mk2", "evk"])
def test_image_stack_is_bounded_and_the_measured_region_is_read_only(image_name: str,
                                                                     request: pytest.FixtureRequest) -> None:
    image: Image = request.getfixturevalue(image_name)
    result = compile_app(APP, image.name, verify=False)
    assert all(o.status is ObligationStatus.PROVED for o in result.stack), [o.message for o in result.stack]
    segments = {name: (vaddr, filesz, memsz) for name, vaddr, filesz, memsz in image.segments}
    assert segments["text"][0] == IMAGE_BASE == image.board.load_address
    # the measured region ends at or before the writable segment: nothing it covers changes
    assert IMAGE_BASE + MEASURE_BYTES <= segments["data"][0] == image.symbols["__data_start"]
    # ... and at the time of writing covers all code and read-only data
    assert IMAGE_BASE + MEASURE_BYTES >= image.symbols["__rodata_end"]
