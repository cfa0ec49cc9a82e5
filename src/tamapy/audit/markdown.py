"""``audit.md``: the audit JSON as Markdown for a review thread or a wiki page, the seven
sections as headings and tables in the JSON's order (the unproved obligations first in §2)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "-"
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _hex(n: int) -> str:
    return f"0x{n:08x}"


def _proofs(p: dict[str, Any]) -> list[str]:
    t = p["totals"]
    out = ["## 2. Proofs", "",
           f"{t['obligations']} obligations: {t['proved']} proved, {t['failed']} failed, {t['unknown']} unknown "
           f"({t['seconds']} s of solver time recorded in the certificates).", "", "### Unproved obligations", ""]
    out += table(["place", "function", "category", "status", "message", "counterexample"],
                 ([f"{u['file']}:{u['line']}:{u['col']}", u["function"], u["category"], u["status"], u["message"],
                   [f"{k} = {v}" for k, v in (u["counterexample"] or {}).items()]] for u in p["unproved"])) \
        if p["unproved"] else ["None: every obligation is proved.", ""]
    out += ["### Stack", ""]
    out += table(["stack", "proved", "needed", "size", "worst chain"],
                 ([s["stack"], s["proved"], s["needed"], s["size"], " → ".join(s["chain"])] for s in p["stack"]))
    out += ["### By category", ""]
    out += table(["category", "obligations", "proved", "failed", "unknown"],
                 ([c["category"], c["obligations"], c["proved"], c["failed"], c["unknown"]] for c in p["by_category"]))
    out += ["### By module", ""]
    out += table(["module", "functions", "obligations", "proved", "failed", "unknown", "seconds"],
                 ([m["module"], m["functions"], m["obligations"], m["proved"], m["failed"], m["unknown"], m["seconds"]]
                  for m in p["by_module"]))
    out += ["### By function", ""]
    out += table(["function", "place", "obligations", "proved", "failed", "unknown", "seconds", "solvers", "certificate"],
                 ([f["function"], f"{f['file']}:{f['line']}", f["obligations"], f["proved"], f["failed"], f["unknown"],
                   f["seconds"], f["solvers"], f["certificate"]] for f in p["by_function"]))
    r = p["recheck"]
    return [*out, f"Second solver ({r['solver']}): {r['status']} — {r['detail']}.", ""]


def _modifies(declared: list[str] | None) -> str:
    if declared is None:
        return "undeclared (callers forget every global, DMA buffer, gate and invariant)"
    return ", ".join(declared) or "nothing beyond its body"


def _tcb(t: dict[str, Any]) -> list[str]:
    lines = t["lines"]
    out = ["## 3. Trusted computing base", "",
           f"{lines['trusted']} source lines in @trusted functions, {lines['startup_ir']} lines of start-up LLVM IR, "
           f"{lines['proven']} source lines proved.", "", "### Trusted functions", ""]
    out += table(["function", "place", "lines", "reason", "modifies"],
                 ([f["function"], f"{f['file']}:{f['line']}-{f['end_line']}", f["lines"], f["reason"],
                   _modifies(f["modifies"])]
                  for f in t["trusted_functions"]))
    out += ["### Start-up code", "", *table(["symbol", "role"], ([s["symbol"], s["role"]] for s in t["startup"]))]
    out += ["### Intrinsics and raw MMIO", "",
            *table(["intrinsic", "functions"], ([i["name"], i["functions"]] for i in t["intrinsics"]))]
    out += ["### Relocations applied", "", *table(["kind", "count"], ([r["kind"], r["count"]] for r in t["relocations"]))]
    out += ["### Spec facts", "", *table(["file", "kind", "name", "registers", "invariants", "sha256"],
                                         ([s["file"], s["kind"], s["name"], s["registers"], s["invariants"], s["sha256"]]
                                          for s in t["spec_facts"]))]
    return out


def _registers(r: dict[str, Any]) -> list[str]:
    out = ["## 4. Register access matrix", ""]
    out += table(["function", "peripheral", "instance", "register", "accesses", "clock gate", "invariants", "DMA fields"],
                 ([m["function"], m["peripheral"], m["instance"] or "(parameter)", m["register"], m["accesses"],
                   m["clock_gate"], m["invariants"], m["dma_fields"]] for m in r["matrix"]))
    return [*out, f"Functions that write a DMA address: {_cell(r['dma_functions'])}.", ""]


def _image(i: dict[str, Any]) -> list[str]:
    out = ["## 6. Image", "", f"Entry {_hex(i['entry'])}. W^X: {'ok' if i['wx']['ok'] else 'VIOLATED'} ({i['wx']['detail']}).",
           "", "### Segments", ""]
    out += table(["vaddr", "paddr", "filesz", "memsz", "flags"],
                 ([_hex(s["vaddr"]), _hex(s["paddr"]), s["filesz"], s["memsz"], s["flags"]] for s in i["segments"]))
    out += ["### Sections", "", *table(["name", "address", "size", "flags"],
                                       ([s["name"], _hex(s["address"]), s["size"], s["flags"]] for s in i["sections"]))]
    out += ["### Largest symbols", "", *table(["symbol", "address", "size", "kind"],
                                              ([s["name"], _hex(s["address"]), s["size"], s["kind"]]
                                               for s in i["largest_symbols"]))]
    out += ["### Code size by module", "", *table(["module", "bytes"], ([m["module"], m["bytes"]] for m in i["size_by_module"]))]
    out += ["### Digests (SHA-256)", "", *table(["file", "sha256"], sorted(i["digests"].items()))]
    return out


def _inputs(n: dict[str, Any]) -> list[str]:
    out = ["## 7. Inputs and toolchain", "", *table(["tool", "version"], sorted(n["toolchain"].items()))]
    a = n["attestation"]
    out += ["### Attestation", ""]
    out += (["None checked (pass --envelope and --key).", ""] if a is None else
            table(["envelope", "key id", "verified", "subjects match", "reasons"],
                  [[a["envelope"], a["key_id"], a["verified"], a["subjects_match"], a["reasons"]]]))
    out += ["### Files", "", *table(["path", "kind", "sha256"], ([f["path"], f["kind"], f["sha256"]] for f in n["files"]))]
    return out


def render_markdown(audit: dict[str, Any]) -> str:
    v = audit["verdict"]
    out = [f"# Audit: {audit['app']} on {audit['board']} ({audit['soc']})", "", "## 1. Verdict", "",
           f"**{v['summary']}**", ""]
    out += [f"- {r}" for r in v["reasons"]] + ([""] if v["reasons"] else [])
    out += _proofs(audit["proofs"]) + _tcb(audit["tcb"]) + _registers(audit["registers"])
    out += ["## 5. Crypto and RNG interface use", ""]
    out += table(["caller", "interface", "module", "requires", "ensures"],
                 ([c["function"], c["interface"], c["module"], c["requires"], c["ensures"]] for c in audit["crypto"]))
    out += _image(audit["image"]) + _inputs(audit["inputs"])
    return "\n".join(out).rstrip("\n") + "\n"
