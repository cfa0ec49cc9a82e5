"""The HTML audit report: sections in order, escaped, self-contained, deterministic."""

from __future__ import annotations

import copy
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tamapy.audit.html import SECTIONS, render_html
from tamapy.audit.svg import layers

SAMPLE = Path(__file__).parent / "fixtures" / "sample_audit.json"
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def audit() -> dict[str, object]:
    data: dict[str, object] = json.loads(SAMPLE.read_text())
    return data


def _svgs(page: str) -> dict[str, ET.Element]:
    """Every inline SVG, parsed as XML, by its id."""
    found = {}
    for text in re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL):
        root = ET.fromstring(text)
        found[root.attrib["id"]] = root
    return found


def _classes(svg: ET.Element, name: str) -> list[ET.Element]:
    return [e for e in svg.iter() if name in e.attrib.get("class", "").split()]


def _section(page: str, sid: str) -> str:
    match = re.search(rf'<section id="{sid}".*?</section>', page, flags=re.DOTALL)
    assert match is not None, sid
    return match.group(0)


def test_the_sections_come_in_the_documented_order(audit: dict[str, object]) -> None:
    page = render_html(audit)
    headings = re.findall(r'<h2 id="h-([a-z]+)">(.*?)</h2>', page)
    assert headings == list(SECTIONS)
    assert [h for _, h in headings] == [
        "1. Verdict",
        "2. Proofs",
        "3. The trusted computing base",
        "4. Register access matrix",
        "5. Crypto and RNG interface use",
        "6. The image",
        "7. Inputs and toolchain",
    ]
    assert page.count("<h1>") == 1
    assert page.index("<h1>") < page.index("<h2")


def test_the_sections_match_the_docs_headings() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "audit.md").read_text()
    for _, heading in SECTIONS:
        assert heading in docs


def test_the_verdict_leads_with_its_summary_and_every_reason(audit: dict[str, object]) -> None:
    page = render_html(audit)
    verdict = _section(page, "verdict")
    assert page.index(verdict) < page.index('<section id="proofs"')
    assert "Not shippable" in verdict
    assert "not shippable: 2 obligations unproved, 1 stale certificate" in verdict
    for reason in [
        "2 obligations unproved (crypto.sha256_sw.compress: index, runtime.hexcodec.encode: index)",
        "stale certificate: proofs/crypto/sha256_sw.json",
        "no attestation checked (pass --envelope and --key)",
    ]:
        assert f"<li>{reason}</li>" in verdict


def test_a_not_shippable_verdict_shows_every_reason(audit: dict[str, object]) -> None:
    reasons = [f"reason {i}: attestation does not verify: subject {i}" for i in range(7)]
    audit["verdict"] = {
        "shippable": False,
        "summary": "not shippable: 7 reasons",
        "reasons": reasons,
    }
    verdict = _section(render_html(audit), "verdict")
    assert re.findall(r"<li>(.*?)</li>", verdict) == reasons
    assert 'class="verdict not-ok"' in verdict


def test_a_shippable_verdict_says_so_without_reasons(audit: dict[str, object]) -> None:
    audit["verdict"] = {
        "shippable": True,
        "summary": "shippable: 154 obligations proved",
        "reasons": [],
    }
    verdict = _section(render_html(audit), "verdict")
    assert "✓ Shippable" in verdict and "Not shippable" not in verdict
    assert "<li>" not in verdict


def test_unproved_obligations_come_first_with_their_counterexamples(
    audit: dict[str, object],
) -> None:
    proofs = _section(render_html(audit), "proofs")
    first = proofs.index("Unproved obligations")
    assert first < proofs.index("<svg") < proofs.index("Obligations by function")
    assert "<code>i = 48</code>" in proofs and "<code>len(w) = 64</code>" in proofs
    assert "w[i + 16] may be out of bounds" in proofs
    assert "none (the solver gave no model)" in proofs


def test_every_obligation_proved_is_said_plainly(audit: dict[str, object]) -> None:
    proofs = audit["proofs"]
    assert isinstance(proofs, dict)
    proofs["unproved"] = []
    assert "Every obligation is proved." in _section(render_html(audit), "proofs")


def test_each_picture_is_well_formed_and_counts_its_data(audit: dict[str, object]) -> None:
    svgs = _svgs(render_html(audit))
    assert sorted(svgs) == ["call-graph", "chart-obligations", "chart-seconds", "chart-size"]
    assert len(_classes(svgs["chart-obligations"], "bar")) == 16  # by_module
    assert len(_classes(svgs["chart-seconds"], "bar")) == 16
    assert len(_classes(svgs["chart-size"], "bar")) == 15  # size_by_module
    # a part per non-zero count: 11 modules all proved, 2 with a failure or an unknown, 3 empty
    assert len(_classes(svgs["chart-obligations"], "seg")) == 11 + 2 * 2
    graph = svgs["call-graph"]
    assert len(_classes(graph, "node")) == 17
    assert len(_classes(graph, "trusted")) == 2
    assert len(_classes(graph, "edge")) == 18
    for svg in svgs.values():
        assert svg.attrib["role"] == "img" and svg.attrib["aria-label"]
        assert svg.find("title") is not None
        assert "viewBox" in svg.attrib


def test_failed_and_unknown_parts_are_labelled_not_only_coloured(
    audit: dict[str, object],
) -> None:
    chart = _svgs(render_html(audit))["chart-obligations"]
    labels = [t.text for t in chart.iter("text")]
    assert "49 (1 failed)" in labels and "10 (1 unknown)" in labels
    assert {"proved", "failed", "unknown"} <= set(labels)  # the legend


def test_trusted_functions_are_the_hatched_dashed_nodes(audit: dict[str, object]) -> None:
    graph = _svgs(render_html(audit))["call-graph"]
    trusted = {g.findtext("title", "").split(" ")[0] for g in _classes(graph, "trusted")}
    assert trusted == {"runtime.system.wait_for_interrupt", "soc.imx6ul.dcp.start_hash"}
    for g in _classes(graph, "trusted"):
        rect = g.find("rect")
        assert rect is not None and rect.attrib["stroke-dasharray"]
        assert rect.attrib["fill"] == "url(#cg-trusted)"


def _waypoints(path: str) -> list[tuple[float, float]]:
    """The points a call's path runs through: the end point of each curve but the last."""
    curves = re.findall(r"C[^C]*", path)
    return [(float(x), float(y)) for x, y in (c[1:].split()[-2:] for c in curves[:-1])]


def test_a_call_that_skips_layers_runs_clear_of_the_boxes(audit: dict[str, object]) -> None:
    graph = _svgs(render_html(audit))["call-graph"]
    boxes = [
        {k: float(r.attrib[k]) for k in ("x", "y", "width", "height")}
        for r in (g.find("rect") for g in _classes(graph, "node"))
        if r is not None
    ]
    edges = {e.findtext("title"): e.attrib["d"] for e in _classes(graph, "edge")}
    long = edges["board.usbarmory_mk2.console.init calls soc.imx6ul.ccm.enable_gate"]
    assert len(_waypoints(long)) == 4  # in and out of each of the two columns it passes
    for d in edges.values():
        for x, y in _waypoints(d):
            assert not any(
                b["x"] <= x <= b["x"] + b["width"] and b["y"] <= y <= b["y"] + b["height"]
                for b in boxes
            ), (d, x, y)


def test_nothing_on_the_page_loads_anything(audit: dict[str, object]) -> None:
    page = render_html(audit)
    for value in re.findall(r"""\b(?:src|href|xlink:href|action)\s*=\s*["']?([^"'\s>]*)""", page):
        assert value.startswith("#"), value
    assert "@import" not in page
    for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", page):
        assert target.startswith(("#", "data:")), target
    for tag in ("<script", "<link", "<img", "<iframe", "<object", "<embed", "<base"):
        assert tag not in page.lower()
    for value in re.findall(r'[\w:-]+="([^"]*)"', page):
        assert not re.match(r"[a-zA-Z][\w+.-]*:|//", value), value


def test_every_table_header_has_a_scope(audit: dict[str, object]) -> None:
    page = render_html(audit)
    headers = re.findall(r"<th\b[^>]*>", page)
    assert headers and all(re.search(r'scope="(?:col|row)"', h) for h in headers)


def _plant(audit: dict[str, object], name: str) -> None:
    """Put a hostile name everywhere a function name or message appears."""
    proofs, tcb, graph = audit["proofs"], audit["tcb"], audit["call_graph"]
    registers, image = audit["registers"], audit["image"]
    assert isinstance(proofs, dict) and isinstance(tcb, dict) and isinstance(graph, dict)
    assert isinstance(registers, dict) and isinstance(image, dict)
    proofs["by_function"][0]["function"] = name
    proofs["by_module"][0]["module"] = name
    proofs["unproved"][0]["message"] = name
    proofs["unproved"][0]["counterexample"] = {name: name}
    tcb["trusted_functions"][0]["reason"] = name
    registers["matrix"][0]["register"] = name
    image["size_by_module"][0]["module"] = name
    graph["nodes"].append({"function": name, "module": name, "trusted": True})
    graph["edges"].append(["examples.selftest.main.main", name])
    verdict = audit["verdict"]
    assert isinstance(verdict, dict)
    verdict["reasons"].append(name)
    audit["app"] = name


def test_hostile_names_are_escaped_everywhere(audit: dict[str, object]) -> None:
    _plant(audit, HOSTILE)
    page = render_html(audit)
    assert "<script" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 10
    svgs = _svgs(page)  # still well-formed XML
    assert len(_classes(svgs["call-graph"], "node")) == 18


def test_quotes_cannot_leave_an_attribute(audit: dict[str, object]) -> None:
    _plant(audit, "x\" onmouseover=\"alert(1)' y='")
    page = render_html(audit)
    assert "onmouseover=" not in page.replace("onmouseover=&quot;", "")
    _svgs(page)


def test_the_same_audit_gives_the_same_bytes(audit: dict[str, object]) -> None:
    once = render_html(audit)
    assert render_html(copy.deepcopy(audit)) == once
    assert render_html(json.loads(json.dumps(audit))) == once


def test_key_order_does_not_change_the_bytes(audit: dict[str, object]) -> None:
    once = render_html(audit)
    image, inputs = audit["image"], audit["inputs"]
    assert isinstance(image, dict) and isinstance(inputs, dict)
    image["digests"] = dict(reversed(image["digests"].items()))
    inputs["toolchain"] = dict(reversed(inputs["toolchain"].items()))
    assert render_html(dict(reversed(audit.items()))) == once


def test_an_attestation_is_shown_with_its_result(audit: dict[str, object]) -> None:
    inputs = audit["inputs"]
    assert isinstance(inputs, dict)
    assert "No attestation checked." in _section(render_html(audit), "inputs")
    inputs["attestation"] = {
        "envelope": "audit/selftest.intoto.jsonl",
        "key_id": "ab12cd34",
        "verified": False,
        "reasons": ["signature does not verify"],
        "subjects_match": True,
    }
    section = _section(render_html(audit), "inputs")
    assert "does not verify" in section and "<li>signature does not verify</li>" in section


def test_layers_follow_the_longest_call_path() -> None:
    layer, back = layers(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("a", "c"), ("d", "c")])
    assert layer == {"a": 0, "b": 1, "c": 2, "d": 0}
    assert back == set()


def test_a_cycle_is_drawn_but_does_not_stop_the_layout() -> None:
    layer, back = layers(["a", "b", "c"], [("a", "b"), ("b", "c"), ("c", "b"), ("c", "c")])
    assert layer == {"a": 0, "b": 1, "c": 2}
    assert back == {("c", "b"), ("c", "c")}


def test_a_large_call_graph_stays_legible(audit: dict[str, object]) -> None:
    names = [f"app.mod{i // 10}.fn{i:03d}" for i in range(150)]
    audit["call_graph"] = {
        "nodes": [
            {"function": n, "module": n.rsplit(".", 1)[0], "trusted": i % 25 == 0}
            for i, n in enumerate(names)
        ],
        "edges": sorted(
            [names[i], names[j]] for i in range(150) for j in (2 * i + 1, 2 * i + 2) if j < 150
        ),
    }
    graph = _svgs(render_html(audit))["call-graph"]
    assert len(_classes(graph, "node")) == 150 and len(_classes(graph, "trusted")) == 6
    assert graph.attrib["font-size"] == "9"
    width, height = (float(v) for v in graph.attrib["viewBox"].split()[2:])
    assert width < 2000 and height < 2500
