"""Sections compared with independent facts: `tamapy verify --json`, readelf, hashlib over the files."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path

import pytest

from tamapy.codegen import compile_ir
from tamapy.specs import load_board
from tests.tools import require_tool

from .conftest import BOARD, Audited, tamapy


def test_obligations_agree_with_verify_json(selftest: Audited) -> None:
    out = selftest.project / "verify.json"
    tamapy(selftest.project, "verify", "--check", "--board", BOARD, "--json", str(out), "firmware/")
    verified = json.loads(out.read_text())["functions"]
    by_name = {f["function"]: f for f in verified if BOARD in f["boards"]}
    proofs = selftest.audit["proofs"]
    for f in proofs["by_function"]:
        statuses = [o["status"] for o in by_name[f["function"]]["obligations"]]
        assert (f["obligations"], f["proved"], f["failed"], f["unknown"]) == (
            len(statuses), statuses.count("proved"), statuses.count("failed"), statuses.count("unknown")), f["function"]
        assert f["seconds"] == round(sum(o["time"] for o in by_name[f["function"]]["obligations"]), 4)
    functions_total = sum(len(by_name[f["function"]]["obligations"]) for f in proofs["by_function"])
    assert proofs["totals"]["obligations"] == functions_total + 2  # and the image's two stack bounds
    assert proofs["totals"]["proved"] == proofs["totals"]["obligations"]
    assert sum(c["obligations"] for c in proofs["by_category"]) == proofs["totals"]["obligations"]
    assert sum(m["obligations"] for m in proofs["by_module"]) == functions_total
    assert [s["stack"] for s in proofs["stack"]] == ["main", "exception"]
    assert proofs["stack"][0]["chain"][:2] == ["__tamapy_reset", "examples.selftest.main.main"]


def _readelf(tool: str, flag: str, elf: Path) -> str:
    return subprocess.run([tool, flag, str(elf)], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def built(selftest: Audited, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``tamapy build`` of selftest: the files the audit's image section must describe."""
    out = tmp_path_factory.mktemp("built")
    result = tamapy(selftest.project, "build", "firmware/examples/selftest", "--board", BOARD, "-o", str(out))
    assert result.returncode == 0, result.stderr
    return out


def test_image_agrees_with_readelf_and_the_built_files(selftest: Audited, built: Path) -> None:
    readelf = require_tool("readelf", "binutils")
    elf = built / "selftest.elf"
    image = selftest.audit["image"]
    load = re.findall(r"^\s*LOAD\s+0x\S+\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+(0x\S+)\s+([RWE ]+?)\s+0x\S+$",
                      _readelf(readelf, "-lW", elf), re.MULTILINE)
    assert [(s["vaddr"], s["paddr"], s["filesz"], s["memsz"], s["flags"]) for s in image["segments"]] == [
        (int(v, 16), int(p, 16), int(f, 16), int(m, 16),
         ("R" if "R" in fl else "-") + ("W" if "W" in fl else "-") + ("X" if "E" in fl else "-"))
        for v, p, f, m, fl in load]
    assert image["wx"]["ok"] and not any("W" in s["flags"] and "X" in s["flags"] for s in image["segments"])
    header = _readelf(readelf, "-hW", elf)
    entry = re.search(r"Entry point address:\s+(0x[0-9a-f]+)", header)
    assert entry is not None and image["entry"] == int(entry.group(1), 16)
    rows = re.findall(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]{8})\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+([A-Z]*)\s",
                      _readelf(readelf, "-SW", elf), re.MULTILINE)
    allocated = sorted((int(a, 16), n, int(s, 16), "".join(c for c in "WAX" if c in f)) for n, a, s, f in rows if "A" in f)
    assert [(s["address"], s["name"], s["size"], s["flags"]) for s in image["sections"]] == allocated
    assert image["digests"] == {suffix: hashlib.sha256((built / f"selftest.{suffix}").read_bytes()).hexdigest()
                                for suffix in ("bin", "elf", "imx")}
    largest = image["largest_symbols"]
    assert len(largest) == 20 and [s["size"] for s in largest] == sorted((s["size"] for s in largest), reverse=True)


def test_relocations_are_those_of_the_linked_sections(selftest: Audited, built: Path, tmp_path: Path) -> None:
    """readelf's relocation entries of the object, for the sections the linked ELF kept."""
    readelf = require_tool("readelf", "binutils")
    board = load_board(selftest.project / "specs", BOARD)
    obj = tmp_path / "selftest.o"
    obj.write_bytes(compile_ir((built / "selftest.ll").read_text(), board.triple, board.cpu, "selftest")[0])
    kept = set(re.findall(r"^\s*\[\s*\d+\]\s+(\S+)", _readelf(readelf, "-SW", built / "selftest.elf"), re.MULTILINE))
    counts: dict[str, int] = {}
    for target, body in re.findall(r"^Relocation section '\.rel(\S+)'.*?\n((?:.*\n)*?)(?:\n|\Z)",
                                   _readelf(readelf, "-rW", obj) + "\n", re.MULTILINE):
        if target in kept:
            for kind in re.findall(r"^[0-9a-f]{8}\s+[0-9a-f]{8}\s+(R_ARM_\w+)", body, re.MULTILINE):
                counts[kind] = counts.get(kind, 0) + 1
    assert counts and selftest.audit["tcb"]["relocations"] == [{"kind": k, "count": n} for k, n in sorted(counts.items())]


def test_input_digests_are_the_files(selftest: Audited) -> None:
    files = selftest.audit["inputs"]["files"]
    assert [f["path"] for f in files] == sorted(f["path"] for f in files)
    for f in files:
        assert f["sha256"] == hashlib.sha256((selftest.project / f["path"]).read_bytes()).hexdigest(), f["path"]
    paths = {f["path"]: f["kind"] for f in files}
    assert paths["firmware/examples/selftest/main.py"] == "firmware"
    assert paths["specs/boards/usbarmory-mk2.toml"] == "spec"
    assert paths["specs/interfaces/crypto.toml"] == "spec"
    assert paths["proofs/examples/selftest/main.json"] == "certificate"
    modules = {n["module"] for n in selftest.audit["call_graph"]["nodes"]}
    assert {f"proofs/{m.replace('.', '/')}.json" for m in modules} <= set(paths)


def test_tcb_names_the_trusted_code(selftest: Audited) -> None:
    tcb = selftest.audit["tcb"]
    source = (selftest.project / "firmware/examples/selftest/attest.py").read_text().splitlines()
    [trusted] = tcb["trusted_functions"]
    assert trusted["function"] == "examples.selftest.attest.load_page"
    assert "@trusted(" in source[trusted["line"] - 1] or "def load_page" in source[trusted["line"] - 1]
    assert tcb["lines"]["trusted"] == trusted["lines"] == trusted["end_line"] - trusted["line"] + 1
    assert {"__tamapy_vectors", "__tamapy_reset", "__tamapy_panic", "__tamapy_halt"} <= {s["symbol"] for s in tcb["startup"]}
    assert {i["name"] for i in tcb["intrinsics"]} >= {"wfi", "mmio.read8"}
    assert all(r["kind"].startswith("R_ARM_") and r["count"] > 0 for r in tcb["relocations"])
    ccm = next(s for s in tcb["spec_facts"] if s["file"] == "specs/soc/imx6ul/ccm.toml")
    text = (selftest.project / "specs/soc/imx6ul/ccm.toml").read_text()
    assert ccm["kind"] == "register map" and ccm["registers"] == len(re.findall(r"^\[registers\.\w+\]$", text, re.M))


def test_crypto_calls_name_their_interfaces(selftest: Audited) -> None:
    rows = selftest.audit["crypto"]
    assert rows == sorted(rows, key=lambda r: (r["function"], r["interface"]))
    derive = [r for r in rows if r["interface"] == "derive_key"]
    assert derive and all(r["module"] == "crypto.api" for r in derive)
    assert any("clock_enabled(DCP)" in req for r in derive for req in r["requires"])
