"""The recorded output hashes hold: images, certificates and verify --json.

A change that means to alter an output re-records ``hashes.json`` with
``python -m tests.identity.outputs --record`` in the same commit.
"""

from __future__ import annotations

import json

from tests.identity.outputs import RECORD, compute


def test_outputs_match_the_recorded_hashes() -> None:
    recorded = json.loads(RECORD.read_text())
    now = compute()
    assert sorted(now) == sorted(recorded), "the set of outputs changed"
    differing = sorted(k for k in recorded if now[k] != recorded[k])
    assert not differing, f"outputs differ from the recorded hashes: {differing}"
