"""The gate's decision: findings of every target merged, BASE's policy applied, approvals matched.

The policy is BASE's, so a change cannot relax the rules it is judged by (a change to the policy
is itself a finding).  Approvals are HEAD's, since a change that adds trusted code brings its
approval; every approval the change adds is listed for a reviewer to confirm.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict
from typing import Any

from tamapy.gate.findings import finding
from tamapy.gate.policy import Approval, Policy
from tamapy.gate.snapshot import Snapshot

RULES = ("build", "unproved", "trusted-unapproved", "contract-weakening", "max-tcb-lines")
"""The policy's rules, each a kind of violation."""
TRUSTED_KINDS = ("trusted-added", "trusted-changed")
WEAKENING_KINDS = ("contract-changed", "contract-removed")


def merge(per_target: list[tuple[str, list[dict[str, Any]]]]) -> list[dict[str, Any]]:
    """One finding per distinct content, with the targets (``app@board``) it was found for."""
    merged: dict[str, dict[str, Any]] = {}
    for target, found in per_target:
        for f in found:
            entry = merged.setdefault(json.dumps(f, sort_keys=True), {**f, "targets": []})
            entry["targets"].append(target)
    return sorted(merged.values(), key=lambda f: (f["kind"], f["subject"], f["message"], f["line"] or 0))


def _tcb_lines(snapshots: list[Snapshot]) -> int:
    lines: dict[str, int] = {}
    for s in snapshots:
        lines.update({name: t["lines"] for name, t in s.trusted.items()})
    return sum(lines.values())


def violation(rule: str, f: dict[str, Any] | None, message: str) -> dict[str, Any]:
    return {"rule": rule, "subject": f["subject"] if f else "", "message": message,
            "file": f["file"] if f else None, "line": f["line"] if f else None}


def _violations(policy: Policy, findings: list[dict[str, Any]], head_approvals: tuple[Approval, ...],
                tcb: dict[str, int]) -> list[dict[str, Any]]:
    approved = {(a.function, a.sha256) for a in head_approvals}
    out = []
    for f in findings:
        if f["kind"] == "head-unbuildable":
            out.append(violation("build", f, f["message"]))
        elif f["kind"] == "unproved" and policy.forbid_unproved:
            out.append(violation("unproved", f, f"{f['subject']}: {f['message']}"))
        elif f["kind"] in TRUSTED_KINDS and policy.require_approval_for_trusted \
                and (f["subject"], f["after"]) not in approved:
            out.append(violation("trusted-unapproved", f, f"{f['subject']}: no approval for sha256 {f['after']}"))
        elif f["kind"] in WEAKENING_KINDS and policy.forbid_contract_weakening:
            out.append(violation("contract-weakening", f, f"{f['subject']}: {f['message']}"))
    if policy.max_tcb_lines is not None and tcb["head"] > policy.max_tcb_lines:
        out.append(violation("max-tcb-lines", None, f"{tcb['head']} trusted lines exceed max_tcb_lines = "
                             f"{policy.max_tcb_lines}"))
    return out


def summary(passed: bool, findings: list[dict[str, Any]], violations: list[dict[str, Any]]) -> str:
    rules = Counter(v["rule"] for v in violations)
    broken = ", ".join(f"{r}: {n}" for r, n in sorted(rules.items()))
    head = "PASS" if passed else f"FAIL: {len(violations)} policy violation{'s' * (len(violations) != 1)} ({broken})"
    return f"{head}; {len(findings)} finding{'s' * (len(findings) != 1)}"


def decide(policy: Policy, policy_changed: bool, approvals: tuple[tuple[Approval, ...], tuple[Approval, ...]],
           per_target: list[tuple[str, list[dict[str, Any]]]], pairs: list[tuple[Snapshot, Snapshot]]) -> dict[str, Any]:
    """The verdict part of the gate's JSON document (``passed``, ``summary``, ``findings`` ...)."""
    findings = merge(per_target)
    added = sorted(set(approvals[1]) - set(approvals[0]))
    findings += [finding("approval-added", a.function, f"approved by {a.by}: {a.reason}", after=a.sha256)
                 | {"targets": []} for a in added]
    if policy_changed:
        findings.append(finding("policy-changed", "pyproject.toml", "HEAD changes [tool.tamapy.gate]; BASE's policy "
                                "applies to this change", file="pyproject.toml") | {"targets": []})
    tcb = {"base": _tcb_lines([b for b, _ in pairs]), "head": _tcb_lines([h for _, h in pairs])}
    tcb["growth"] = tcb["head"] - tcb["base"]
    violations = _violations(policy, findings, approvals[1], tcb)
    passed = not violations
    return {"passed": passed, "summary": summary(passed, findings, violations), "policy": asdict(policy),
            "tcb_lines": tcb, "findings": findings, "violations": violations,
            "approvals_added": [asdict(a) for a in added]}
