"""The files: SARIF valid against the OASIS schema, the SBOM against CycloneDX's, the Markdown
carrying the seven sections, all byte-identical across runs and free of the machine's paths."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from .conftest import BOARD, Audited, tamapy

FILES = ("audit.json", "audit.md", "audit.sarif", "sbom.cdx.json")


def test_sarif_is_valid_and_lists_unproved_and_trusted(bad: Audited, selftest: Audited,
                                                       sarif_validator: jsonschema.protocols.Validator) -> None:
    for audited in (bad, selftest):
        log = json.loads(audited.file("audit.sarif").read_text())
        sarif_validator.validate(log)
        results = log["runs"][0]["results"]
        trusted = [r for r in results if r["ruleId"] == "trusted"]
        assert len(trusted) == len(audited.audit["tcb"]["trusted_functions"])
        assert all(r["level"] == "note" for r in trusted)
        assert len(results) - len(trusted) == len(audited.audit["proofs"]["unproved"])
    [dma] = [r for r in json.loads(bad.file("audit.sarif").read_text())["runs"][0]["results"] if r["ruleId"] == "dma"]
    place = dma["locations"][0]["physicalLocation"]
    assert place["artifactLocation"]["uri"] == "firmware/examples/bad/main.py" and place["region"]["startLine"] == 9
    assert dma["level"] == "error"


def test_sbom_is_valid_cyclonedx_with_the_files_digests(selftest: Audited) -> None:
    text = selftest.file("sbom.cdx.json").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    doc = json.loads(text)
    assert "timestamp" not in doc["metadata"]
    top = doc["metadata"]["component"]
    assert top["type"] == "firmware"
    assert top["hashes"] == [{"alg": "SHA-256", "content": selftest.audit["image"]["digests"]["elf"]}]
    components = {c["name"]: c["hashes"][0]["content"] for c in doc["components"]}
    assert "firmware/examples/selftest/main.py" in components and "specs/soc/imx6ul/uart.toml" in components
    for name, digest in components.items():
        assert digest == hashlib.sha256((selftest.project / name).read_bytes()).hexdigest()
    tools = {t["name"]: t["version"] for t in doc["metadata"]["tools"]["components"]}
    assert tools == selftest.audit["inputs"]["toolchain"]


def test_markdown_has_the_seven_sections_in_order(selftest: Audited) -> None:
    text = selftest.file("audit.md").read_text()
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## 1. Verdict", "## 2. Proofs", "## 3. Trusted computing base", "## 4. Register access matrix",
                        "## 5. Crypto and RNG interface use", "## 6. Image", "## 7. Inputs and toolchain"]
    proofs = text[text.index("## 2. Proofs"):text.index("## 3.")]
    assert proofs.index("### Unproved obligations") < proofs.index("### By function")


def test_two_runs_give_the_same_bytes_without_machine_paths(selftest: Audited) -> None:
    other = selftest.project / "audit-2"
    result = tamapy(selftest.project / "firmware", "audit", "examples/selftest", "--board", BOARD, "-o", str(other))
    assert result.returncode == 0, result.stderr
    for name in FILES:
        first = selftest.file(name).read_bytes()
        assert first == (other / name).read_bytes(), name
        assert str(selftest.project).encode() not in first and b"/tmp" not in first, name
    assert sorted(p.name for p in other.iterdir()) == sorted([*FILES, *(["audit.html"] if (other / "audit.html").exists() else [])])


def test_bad_input_is_exit_2_without_a_traceback(selftest: Audited, tmp_path: Path) -> None:
    for args, said in ((["firmware/examples/selftest", "--board", BOARD, "--key", "k.pub"], "E525"),
                       (["firmware/examples/nothing", "--board", BOARD], "E011"),
                       (["firmware/examples/selftest", "--board", "no-such-board"], "unknown board"),
                       (["firmware/examples/selftest", "--board", BOARD, "--key", "k.pub", "--envelope", "e.jsonl"],
                        "E720"),
                       (["firmware/examples/selftest", "--board", BOARD, "-o", "firmware/examples/selftest/main.py"],
                        "E621")):
        result = tamapy(selftest.project, "audit", "-o", str(tmp_path / "out"), *args)
        assert result.returncode == 2 and said in result.stderr and "Traceback" not in result.stderr
