"""Every function of firmware/crypto is proved free of run-time errors (what
``tamapy verify firmware/crypto`` reports), without writing certificates."""

from __future__ import annotations

from tamapy.verify import Status, verify_tree
from tests.crypto_sw.support import BOARD, FIRMWARE

PUBLIC = {
    "crypto.sha256_sw.init",
    "crypto.sha256_sw.update",
    "crypto.sha256_sw.final",
    "crypto.sha256_sw.sha256",
    "crypto.hmac_sw.hmac_sha256",
}


def test_crypto_is_fully_proved() -> None:
    report = verify_tree([FIRMWARE / "crypto"], BOARD, store=None)
    functions = {r.function for r in report.results}
    assert functions >= PUBLIC
    assert all(f.startswith("crypto.") for f in functions)
    failures = [f"{o.id}: {o.status.value}: {o.message}" for o in report.obligations if o.status is not Status.PROVED]
    assert failures == []
    assert len(report.obligations) > 200
