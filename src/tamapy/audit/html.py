"""The audit report as one self-contained HTML page (audit.html, docs/audit.md).

Built from the audit JSON alone. Nothing on the page loads anything: styles
are inline, pictures are inline SVG, there is no script, and a Content
Security Policy forbids fetching should a hostile name ever slip through
escaping. The same audit gives the same bytes.
"""

from __future__ import annotations

from tamapy.audit.html_sections import (
    cell,
    code,
    crypto_section,
    esc,
    image_section,
    inputs_section,
    obj,
    proofs_section,
    registers_section,
    strs,
    tcb_section,
)

# The section ids and headings, in the order docs/audit.md gives them.
SECTIONS = (
    ("verdict", "1. Verdict"),
    ("proofs", "2. Proofs"),
    ("tcb", "3. The trusted computing base"),
    ("registers", "4. Register access matrix"),
    ("crypto", "5. Crypto and RNG interface use"),
    ("image", "6. The image"),
    ("inputs", "7. Inputs and toolchain"),
)

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.45 system-ui, sans-serif; color: #111; background: #fff;
       max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { border-bottom: 2px solid #333; padding-bottom: .2rem; margin-top: 2.5rem; }
h3 { margin-top: 1.6rem; }
.meta { color: #333; margin-top: 0; }
nav ul { columns: 2; list-style: none; padding-left: 0; }
a { color: #0b4f8a; }
code { font: .86em/1.3 ui-monospace, monospace; overflow-wrap: break-word; }
.verdict { border: 4px solid; padding: .6rem 1.2rem 1rem; margin-top: 1.5rem; }
.verdict h2 { border: 0; margin-top: .4rem; }
.verdict.ok { border-color: #0072b2; background: #eaf4fb; }
.verdict.not-ok { border-color: #b13c00; background: #fdf0e8; border-style: double;
                  border-width: 8px; }
.status { font-size: 1.9rem; font-weight: 800; letter-spacing: .03em; margin: .2rem 0; }
.summary { font-size: 1.1rem; font-weight: 600; }
.good { color: #005a8c; }
.bad { color: #a33300; }
.none { color: #444; font-style: italic; }
.wide { overflow-x: auto; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .9rem; }
caption { text-align: left; font-weight: 700; padding: .3rem 0; }
th, td { border: 1px solid #999; padding: .25rem .5rem; vertical-align: top; text-align: left; }
thead th { background: #eee; }
tbody th { font-weight: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1rem 0; }
figcaption { font-size: .85rem; color: #333; }
svg.chart { max-width: 100%; height: auto; display: block; }
svg.graph { max-width: none; border: 1px solid #ccc; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; background: #fff; color: #000; }
  nav { display: none; }
  section { break-before: page; }
  section.verdict { break-before: avoid; }
  h2, h3, caption { break-after: avoid; }
  .verdict.ok, .verdict.not-ok, thead th { background: none; }
  .wide { overflow: visible; }
  svg.graph { max-width: 100%; }
  table { font-size: 8pt; }
  code { overflow-wrap: anywhere; }
  thead { display: table-header-group; }
  tr, figure { break-inside: avoid; }
  a { color: #000; text-decoration: none; }
}
"""


def _verdict(verdict: dict[str, object]) -> str:
    """The banner: shippable or not, the summary line and every reason."""
    ok = verdict.get("shippable") is True
    reasons = "".join(f"<li>{esc(r)}</li>" for r in strs(verdict.get("reasons")))
    return (
        f'<section id="verdict" class="verdict {"ok" if ok else "not-ok"}" '
        'aria-labelledby="h-verdict">'
        f'<h2 id="h-verdict">{SECTIONS[0][1]}</h2>'
        f'<p class="status">{"✓ Shippable" if ok else "✗ Not shippable"}</p>'
        f'<p class="summary">{cell(verdict.get("summary"))}</p>'
        + (f'<p>Reasons:</p><ul class="reasons">{reasons}</ul>' if reasons else "")
        + "</section>"
    )


def _section(sid: str, heading: str, body: str) -> str:
    return (
        f'<section id="{sid}" aria-labelledby="h-{sid}">'
        f'<h2 id="h-{sid}">{esc(heading)}</h2>{body}</section>'
    )


def render_html(audit: dict[str, object]) -> str:
    """The whole page: a header, the verdict banner, then sections 2 to 7 in order."""
    app, board, soc = (cell(audit.get(k)) for k in ("app", "board", "soc"))
    bodies = {
        "proofs": proofs_section(obj(audit.get("proofs"))),
        "tcb": tcb_section(obj(audit.get("tcb")), obj(audit.get("call_graph"))),
        "registers": registers_section(obj(audit.get("registers"))),
        "crypto": crypto_section(audit.get("crypto")),
        "image": image_section(obj(audit.get("image"))),
        "inputs": inputs_section(obj(audit.get("inputs"))),
    }
    toc = "".join(f'<li><a href="#{sid}">{esc(h)}</a></li>' for sid, h in SECTIONS)
    sections = "".join(_section(sid, h, bodies[sid]) for sid, h in SECTIONS[1:])
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Audit: {app} on {board}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>Audit: {app} on {board}</h1>"
        f'<p class="meta">Board {board}, SoC {soc}; report format {code(audit.get("format"))}.</p>'
        f'<nav aria-label="Sections"><ul>{toc}</ul></nav></header>'
        f"<main>{_verdict(obj(audit.get('verdict')))}{sections}</main></body></html>\n"
    )
