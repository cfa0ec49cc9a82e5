"""The gate's report for people (plain text, a Markdown PR comment) and for CI (JUnit XML): the
same findings and violations as the JSON document, read from it alone."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from tamapy.gate.verdict import RULES

KIND_TITLES = {
    "head-unbuildable": "HEAD does not build", "base-unbuildable": "BASE does not build",
    "unproved": "Unproved at HEAD", "obligation-status": "Obligations whose status changed",
    "obligation-added": "Obligations added", "obligation-removed": "Obligations removed",
    "contract-changed": "Contracts changed", "contract-removed": "Contracts removed",
    "contract-added": "Contracts added", "trusted-added": "Trusted code added",
    "trusted-changed": "Trusted code changed", "trusted-removed": "Trusted code removed",
    "approval-added": "Approvals added by this change (review them)",
    "register-write-added": "Functions that newly write a register", "dma-write-added": "Functions that newly write a DMA field",
    "register-added": "Register accesses added", "register-removed": "Register accesses removed",
    "register-changed": "Register accesses changed", "spec-changed": "Spec files changed",
    "spec-added": "Spec files added", "spec-removed": "Spec files removed", "image-changed": "Image",
    "policy-changed": "Policy",
}
"""Every finding kind, in the order the reports show them."""


def _where(f: dict[str, Any]) -> str:
    return f" ({f['file']}:{f['line']})" if f["file"] and f["line"] else ""


def _line(f: dict[str, Any]) -> str:
    change = f" [{f['before']} -> {f['after']}]" if f["before"] is not None and f["after"] is not None else ""
    return f"{f['subject']}: {f['message']}{change}{_where(f)}"


def grouped(doc: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(title, [f for f in doc["findings"] if f["kind"] == kind]) for kind, title in KIND_TITLES.items()
            if any(f["kind"] == kind for f in doc["findings"])]


def render_text(doc: dict[str, Any]) -> str:
    lines = [f"tamapy gate {doc['base']['ref']}..{doc['head']['ref']}: {doc['summary']}",
             f"targets: {', '.join(doc['targets']) or 'none'}",
             f"trusted lines: {doc['tcb_lines']['base']} -> {doc['tcb_lines']['head']} ({doc['tcb_lines']['growth']:+d})"]
    for v in doc["violations"]:
        lines.append(f"violation[{v['rule']}]: {v['message']}")
    for title, found in grouped(doc):
        lines.append(f"{title}:")
        lines += [f"  {_line(f)}" for f in found]
    return "\n".join(lines) + "\n"


def _cell(text: Any) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(doc: dict[str, Any]) -> str:
    mark = "✅" if doc["passed"] else "❌"
    out = [f"{mark} **tamapy gate: {doc['summary']}**", "",
           f"`{doc['base']['ref']}` ({doc['base']['commit'] or 'work tree'}) → `{doc['head']['ref']}` "
           f"({doc['head']['commit'] or 'work tree'}); targets: {', '.join(doc['targets']) or 'none'}; "
           f"trusted lines {doc['tcb_lines']['base']} → {doc['tcb_lines']['head']} ({doc['tcb_lines']['growth']:+d})", ""]
    if doc["violations"]:
        out += ["## Policy violations", "", "| rule | subject | message |", "|---|---|---|"]
        out += [f"| {v['rule']} | `{_cell(v['subject'])}` | {_cell(v['message'])} |" for v in doc["violations"]]
        out.append("")
    for title, found in grouped(doc):
        out += [f"## {title}", "", "| subject | finding | before | after | where |", "|---|---|---|---|---|"]
        out += [f"| `{_cell(f['subject'])}` | {_cell(f['message'])} | {_cell(f['before'])} | {_cell(f['after'])} | "
                f"{_cell(_where(f).strip(' ()'))} |" for f in found]
        out.append("")
    if not doc["findings"]:
        out += ["No findings: the change alters no proof, contract, trusted code, register access, spec or image.", ""]
    return "\n".join(out)


def render_junit(doc: dict[str, Any]) -> bytes:
    """One test case per finding kind, and one per policy rule (a ``failure`` per violation)."""
    suites = ET.Element("testsuites", name="tamapy gate")
    suite = ET.SubElement(suites, "testsuite", name="tamapy gate", skipped="0", errors="0")
    cases = 0
    for kind, title in KIND_TITLES.items():
        found = [f for f in doc["findings"] if f["kind"] == kind]
        case = ET.SubElement(suite, "testcase", classname="findings", name=kind)
        cases += 1
        if found:
            ET.SubElement(case, "system-out").text = "\n".join([title, *(_line(f) for f in found)])
    failures = 0
    for rule in RULES:
        case = ET.SubElement(suite, "testcase", classname="policy", name=rule)
        cases += 1
        broken = [v for v in doc["violations"] if v["rule"] == rule]
        if broken:
            failures += 1
            failure = ET.SubElement(case, "failure", message=f"{len(broken)} violation(s)", type=rule)
            failure.text = "\n".join(v["message"] for v in broken)
    suite.set("tests", str(cases))
    suite.set("failures", str(failures))
    for k in ("tests", "failures"):
        suites.set(k, suite.get(k, "0"))
    suites.set("errors", "0")
    ET.indent(suites)
    data: bytes = ET.tostring(suites, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
