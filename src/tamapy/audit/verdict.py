"""Section 1, the verdict: shippable only when every obligation is proved, the build is verified,
every certificate it rests on is current, the image is W^X, and a signed attestation of exactly
these images was checked (docs/audit.md).  Every reason it is not is named."""

from __future__ import annotations

from typing import Any

from tamapy.audit.collect import CURRENT, Evidence


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def reasons(ev: Evidence, proofs: dict[str, Any], image: dict[str, Any], attestation: dict[str, Any] | None) -> list[str]:
    out: list[str] = []
    unproved = proofs["unproved"]
    if unproved:
        where = sorted({f"{u['function']}: {u['category']}" for u in unproved})
        out.append(f"{_plural(len(unproved), 'obligation')} unproved ({', '.join(where)})")
    if not ev.result.verified:
        out.append("unverified build")
    program = ev.result.program
    out += sorted({f"{state} certificate: {ev.certificate_file(program.function(fn).module)}"
                   for fn, state in ev.certificates.items() if state != CURRENT})
    if not image["wx"]["ok"]:
        out.append(f"W^X violated: {image['wx']['detail']}")
    if attestation is None:
        out.append("no attestation checked (pass --envelope and --key)")
    else:
        if not attestation["verified"]:
            out.append("attestation does not verify: " + "; ".join(attestation["reasons"]))
        if not attestation["subjects_match"]:
            out.append("attestation does not cover these images (its subjects are not the audited images' digests)")
    return out


def verdict_section(ev: Evidence, proofs: dict[str, Any], image: dict[str, Any],
                    attestation: dict[str, Any] | None) -> dict[str, Any]:
    found = reasons(ev, proofs, image, attestation)
    if found:
        more = f" (and {_plural(len(found) - 1, 'more reason')})" if len(found) > 1 else ""
        summary = f"not shippable: {found[0]}{more}"
    else:
        assert attestation is not None
        summary = (f"shippable: {_plural(proofs['totals']['proved'], 'obligation')} proved, every certificate current, "
                   f"attestation by key {attestation['key_id'][:16]} verified for these images")
    return {"shippable": not found, "summary": summary, "reasons": found}
