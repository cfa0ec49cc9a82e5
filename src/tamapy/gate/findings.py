"""What changed between two revisions of one target, as findings a reviewer reads.

Each finding is a dict: ``kind``, ``subject`` (a function, register row or file), ``message``,
``before`` and ``after`` (text, or None), ``file``/``line``/``end_line`` (HEAD's source, or
None), and ``introduced`` (false only for an unproved obligation already unproved at BASE).
"""

from __future__ import annotations

from typing import Any

from tamapy.gate.snapshot import Snapshot
from tamapy.verify.obligation import Obligation, Status

WRITE_KINDS = ("write", "modify", "set", "clear", "toggle", "raw")


def finding(kind: str, subject: str, message: str, *, before: str | None = None, after: str | None = None,
            file: str | None = None, line: int | None = None, end_line: int | None = None,
            introduced: bool = True) -> dict[str, Any]:
    return {"kind": kind, "subject": subject, "message": message, "before": before, "after": after,
            "file": file, "line": line, "end_line": end_line if end_line is not None else line,
            "introduced": introduced}


def _describe(o: Obligation) -> str:
    return f"{o.category.value}: {o.message} ({o.status.value})"


def obligation_findings(base: Snapshot, head: Snapshot) -> list[dict[str, Any]]:
    out = []
    for key, o in head.obligations.items():
        file, line = head.locations[key]
        old = base.obligations.get(key)
        if old is None:
            out.append(finding("obligation-added", o.function, _describe(o), after=o.status.value, file=file, line=line))
        elif old.status is not o.status:
            out.append(finding("obligation-status", o.function, f"{o.category.value}: {o.message}",
                               before=old.status.value, after=o.status.value, file=file, line=line))
        if o.status is not Status.PROVED:
            known = old is not None and old.status is not Status.PROVED
            out.append(finding("unproved", o.function, f"{o.category.value}: {o.message} ({o.status.value})",
                               after=o.status.value, file=file, line=line, introduced=not known))
    for key, o in base.obligations.items():
        if key not in head.obligations:
            out.append(finding("obligation-removed", o.function, _describe(o), before=o.status.value))
    return out


def contract_findings(base: Snapshot, head: Snapshot) -> list[dict[str, Any]]:
    """Clauses compared by text and meaning per function and kind: a clause gone and another come
    is a change (shown before and after); any change is for a reviewer, whether it weakens or
    strengthens."""
    both = base.functions.keys() & head.functions.keys()
    out = []
    for key in sorted(k for k in base.contracts.keys() | head.contracts.keys() if k[0] in both):
        function, kind = key  # a function added or removed is told by its obligations
        old, new = base.contracts.get(key, []), head.contracts.get(key, [])
        gone = " and ".join(c.text for c in old if (c.text, c.meaning) not in {(n.text, n.meaning) for n in new})
        came = [c for c in new if (c.text, c.meaning) not in {(o.text, o.meaning) for o in old}]
        text = " and ".join(c.text for c in came)
        if gone and came:
            what = f"{kind} changed" if gone != text else \
                f"{kind} changed meaning: its text is the same, a name in it stands for something else now"
            out.append(finding("contract-changed", function, what, before=gone, after=text,
                               file=came[0].file, line=came[0].line, end_line=came[-1].end_line))
        elif gone:
            file, line = head.functions[function]
            out.append(finding("contract-removed", function, f"{kind} removed: {gone}", before=gone, file=file,
                               line=line))
        elif came:
            out.append(finding("contract-added", function, f"{kind} added: {text}", after=text, file=came[0].file,
                               line=came[0].line, end_line=came[-1].end_line))
    return out


def trusted_findings(base: Snapshot, head: Snapshot) -> list[dict[str, Any]]:
    out = []
    for name, t in sorted(head.trusted.items()):
        old = base.trusted.get(name)
        if old is None:
            out.append(finding("trusted-added", name, f"new trusted function ({t['lines']} lines): {t['reason']}",
                               after=t["sha256"], file=t["file"], line=t["line"], end_line=t["end_line"]))
        elif old["sha256"] != t["sha256"]:
            out.append(finding("trusted-changed", name, f"trusted source changed ({old['lines']} -> {t['lines']} lines)",
                               before=old["sha256"], after=t["sha256"], file=t["file"], line=t["line"],
                               end_line=t["end_line"]))
    for name, t in sorted(base.trusted.items()):
        if name not in head.trusted:
            out.append(finding("trusted-removed", name, f"no longer trusted or gone: {t['reason']}", before=t["sha256"]))
    return out


def _row_key(r: dict[str, Any]) -> tuple[str, str, str, str]:
    return r["function"], r["peripheral"], r["instance"] or "*", r["register"]


def register_findings(base: Snapshot, head: Snapshot) -> list[dict[str, Any]]:
    """Rows of the register access matrix added, removed or changed; a function that newly writes
    a register, or newly stores to a DMA-address field, gets a finding of its own."""
    rows = [{_row_key(r): r for r in s.audit.get("registers", {}).get("matrix", [])} for s in (base, head)]
    out = []
    for key in sorted(rows[0].keys() | rows[1].keys()):
        old, new = rows[0].get(key), rows[1].get(key)
        subject = f"{key[0]}: {key[1]}[{key[2]}].{key[3]}"
        shown = [", ".join(r["accesses"]) if r else None for r in (old, new)]
        if old is None:
            out.append(finding("register-added", subject, f"accesses {shown[1]}", after=shown[1]))
        elif new is None:
            out.append(finding("register-removed", subject, f"no longer accesses ({shown[0]})", before=shown[0]))
        elif old != new:
            out.append(finding("register-changed", subject, "access changed", before=_row_text(old),
                               after=_row_text(new)))
        if _writes(new) and not _writes(old):
            out.append(finding("register-write-added", subject, f"newly writes {key[1]}.{key[3]}",
                               before=shown[0], after=shown[1]))
    dma = [set(s.audit.get("registers", {}).get("dma_functions", [])) for s in (base, head)]
    out += [finding("dma-write-added", f, "newly stores to a DMA-address field") for f in sorted(dma[1] - dma[0])]
    return out


def _writes(row: dict[str, Any] | None) -> bool:
    return row is not None and any(k in WRITE_KINDS for k in row["accesses"])


def _row_text(r: dict[str, Any]) -> str:
    return (f"{', '.join(r['accesses'])}; gate {r['clock_gate']}; invariants {', '.join(r['invariants']) or '-'}; "
            f"dma fields {', '.join(r['dma_fields']) or '-'}")


def spec_findings(base: Snapshot, head: Snapshot) -> list[dict[str, Any]]:
    """Spec files the build rests on whose SHA-256 differs (or that one side does not read)."""
    facts = [{f["file"]: f for f in s.audit.get("tcb", {}).get("spec_facts", [])} for s in (base, head)]
    out = []
    for file in sorted(facts[0].keys() | facts[1].keys()):
        old, new = facts[0].get(file), facts[1].get(file)
        if old is None and new is not None:
            out.append(finding("spec-added", file, f"the build now reads {new['kind']} {new['name']}",
                               after=new["sha256"], file=file, line=1))
        elif new is None and old is not None:
            out.append(finding("spec-removed", file, "the build no longer reads it", before=old["sha256"]))
        elif old is not None and new is not None and old["sha256"] != new["sha256"]:
            out.append(finding("spec-changed", file, f"{new['kind']} {new['name']} changed ({old['registers']} -> "
                               f"{new['registers']} registers, {old['invariants']} -> {new['invariants']} invariants)",
                               before=old["sha256"], after=new["sha256"], file=file, line=1))
    return out


def _sizes(audit: dict[str, Any]) -> str:
    segments = audit.get("image", {}).get("segments", [])
    parts = [f"{s['flags']} 0x{s['vaddr']:08x} {s['filesz']}/{s['memsz']}" for s in segments]
    return "; ".join([*parts, f"total {sum(s['filesz'] for s in segments)} bytes loaded"])


def image_findings(base: Snapshot, head: Snapshot) -> list[dict[str, Any]]:
    """The loaded bytes (``.bin``) or the segments' sizes differ; debug information alone (local
    names, lines) changes only the ELF and is not a finding."""
    old, new = (s.audit.get("image", {}) for s in (base, head))
    if not old or not new or (old["digests"]["bin"] == new["digests"]["bin"] and _sizes(base.audit) == _sizes(head.audit)):
        return []
    before, after = _sizes(base.audit), _sizes(head.audit)
    return [finding("image-changed", "image", "sizes unchanged, bytes differ" if before == after else
                    "segment sizes changed", before=before, after=after)]


def compare(base: Snapshot, head: Snapshot) -> list[dict[str, Any]]:
    """Every finding for one target, sorted by kind, subject, message."""
    found = [*obligation_findings(base, head), *contract_findings(base, head), *trusted_findings(base, head),
             *register_findings(base, head), *spec_findings(base, head), *image_findings(base, head)]
    return sorted(found, key=lambda f: (f["kind"], f["subject"], f["message"], f["line"] or 0))
