"""Sections 2 to 7 of the HTML audit report, and the table helpers they share.

Every string from the audit passes through `esc` (via `cell` or `code`): the
JSON carries function names, messages and paths a firmware author chose.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from tamapy.audit.svg import Node, Series, bar_chart, call_graph, num

PROVED = Series("proved", "#0072B2", "solid")
FAILED = Series("failed", "#D55E00", "hatch")
UNKNOWN = Series("unknown", "#F0E442", "dots")
SECONDS = Series("seconds", "#009E73", "solid")
BYTES = Series("bytes", "#56B4E9", "solid")
DIGESTS = ("elf", "bin", "imx")
TOOLS = ("tamapy", "python", "llvm", "llvmlite", "z3")


def esc(text: str) -> str:
    """Text made safe for element content and quoted attributes."""
    return escape(text, quote=True)


def obj(value: object) -> dict[str, object]:
    """A JSON object, or an empty one where the audit has none."""
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}


def items(value: object) -> list[dict[str, object]]:
    """A JSON list of objects."""
    return [obj(v) for v in value] if isinstance(value, list) else []


def strs(value: object) -> list[str]:
    """A JSON list of strings."""
    return [str(v) for v in value] if isinstance(value, list) else []


def ordered(value: object, first: Sequence[str]) -> list[tuple[str, object]]:
    """An object's pairs, the documented keys first, then any others by name.

    Equal objects then render the same whatever order their keys were built in.
    """
    pairs = obj(value)
    rest = sorted(k for k in pairs if k not in first)
    return [(k, pairs[k]) for k in [*(k for k in first if k in pairs), *rest]]


def number(value: object) -> float:
    """A JSON number (a bool or anything else counts as 0)."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def text(value: object) -> str:
    """A JSON value as plain (unescaped) text for a table cell."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return num(value)
    if isinstance(value, list):
        return ", ".join(text(v) for v in value) if value else "—"
    return str(value)


def cell(value: object) -> str:
    return esc(text(value))


def code(value: object) -> str:
    """Text as code, with line-break chances after the dots and slashes of names and paths."""
    broken = esc(text(value)).replace(".", ".<wbr>").replace("/", "/<wbr>")
    return f"<code>{broken}</code>"


def lines_of(value: object) -> str:
    """A list of strings, one per line, each as code."""
    return "<br>".join(code(s) for s in strs(value)) or "—"


def hexaddr(value: object) -> str:
    """An address as the 32-bit hex a datasheet and a linker map use."""
    return f"<code>0x{int(number(value)):08x}</code>"


def where(row: dict[str, object]) -> str:
    """file:line[:col] of a source location."""
    spot = f"{text(row.get('file'))}:{text(row.get('line'))}"
    return code(spot + (f":{text(row['col'])}" if "col" in row else ""))


def table(
    caption: str,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: frozenset[int] = frozenset(),
) -> str:
    """A table whose cells are already HTML; the first cell of a row heads it."""
    if not rows:
        return f'<p class="none">{esc(caption)}: none.</p>'

    def col(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    heads = "".join(f'<th scope="col"{col(i)}>{esc(h)}</th>' for i, h in enumerate(head))
    body = "".join(
        "<tr>"
        + "".join(
            f'<th scope="row"{col(i)}>{c}</th>' if i == 0 else f"<td{col(i)}>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="wide"><table><caption>{esc(caption)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _counterexample(value: object) -> str:
    """The solver's model, one variable a line; an unknown has none to show."""
    pairs = obj(value)
    if not pairs:
        return "none (the solver gave no model)"
    return "<br>".join(f"<code>{esc(k)} = {esc(text(v))}</code>" for k, v in ordered(pairs, ()))


def _unproved(proofs: dict[str, object]) -> str:
    rows = [
        [
            where(u),
            code(u.get("function")),
            cell(u.get("category")),
            f'<strong class="bad">{cell(u.get("status"))}</strong>',
            cell(u.get("message")),
            _counterexample(u.get("counterexample")),
        ]
        for u in items(proofs.get("unproved"))
    ]
    if not rows:
        return '<h3>Unproved obligations</h3><p class="good">Every obligation is proved.</p>'
    head = ["Where", "Function", "Category", "Status", "Message", "Counterexample"]
    return "<h3>Unproved obligations</h3>" + table(
        f"{len(rows)} unproved obligations, by file, line and column", head, rows
    )


def _proof_charts(proofs: dict[str, object]) -> str:
    modules = items(proofs.get("by_module"))
    counts = [
        (text(m.get("module")), [number(m.get(k)) for k in ("proved", "failed", "unknown")])
        for m in modules
    ]
    seconds = [(text(m.get("module")), [number(m.get("seconds"))]) for m in modules]
    return figure(
        bar_chart(
            "chart-obligations",
            "Proof obligations by module",
            counts,
            [PROVED, FAILED, UNKNOWN],
            "",
        ),
        "Obligations per module: proved (solid blue), failed (hatched), unknown (dotted).",
    ) + figure(
        bar_chart("chart-seconds", "Solver time by module", seconds, [SECONDS], "s"),
        "Seconds the solvers spent on each module's obligations.",
    )


def _stack(proofs: dict[str, object]) -> str:
    rows = [
        [
            cell(s.get("stack")),
            cell(s.get("proved")),
            cell(s.get("needed")),
            cell(s.get("size")),
            " → ".join(code(c) for c in strs(s.get("chain"))) or "—",
        ]
        for s in items(proofs.get("stack"))
    ]
    return table(
        "Stack depth: the worst call chain, outermost first",
        ["Stack", "Bound proved", "Bytes needed", "Bytes reserved", "Worst chain"],
        rows,
        frozenset({2, 3}),
    )


def _tallies(proofs: dict[str, object]) -> str:
    counts = ["obligations", "proved", "failed", "unknown"]
    by_category = [
        [cell(c.get("category")), *(cell(c.get(k)) for k in counts)]
        for c in items(proofs.get("by_category"))
    ]
    by_module = [
        [
            code(m.get("module")),
            cell(m.get("functions")),
            *(cell(m.get(k)) for k in counts),
            cell(m.get("seconds")),
        ]
        for m in items(proofs.get("by_module"))
    ]
    by_function = [
        [
            code(f.get("function")),
            where(f),
            *(cell(f.get(k)) for k in counts),
            cell(f.get("seconds")),
            cell(f.get("solvers")),
            cell(f.get("certificate")),
        ]
        for f in items(proofs.get("by_function"))
    ]
    tally = ["Obligations", "Proved", "Failed", "Unknown"]
    return (
        table("Obligations by category", ["Category", *tally], by_category, frozenset(range(1, 5)))
        + table(
            "Obligations by module",
            ["Module", "Functions", *tally, "Seconds"],
            by_module,
            frozenset(range(1, 7)),
        )
        + table(
            "Obligations by function",
            ["Function", "Defined at", *tally, "Seconds", "Solvers", "Certificate"],
            by_function,
            frozenset(range(2, 7)),
        )
    )


def proofs_section(proofs: dict[str, object]) -> str:
    """Unproved obligations first, with their counterexamples; then the tallies."""
    t = obj(proofs.get("totals"))
    recheck = obj(proofs.get("recheck"))
    summary = (
        f"<p>{cell(t.get('obligations'))} obligations: {cell(t.get('proved'))} proved, "
        f"{cell(t.get('failed'))} failed, {cell(t.get('unknown'))} unknown, "
        f"in {cell(t.get('seconds'))} s of solver time.</p>"
    )
    return (
        summary
        + _unproved(proofs)
        + "<h3>Obligations and time by module</h3>"
        + _proof_charts(proofs)
        + "<h3>Independent re-check</h3>"
        + f"<p>{cell(recheck.get('solver'))}: <strong>{cell(recheck.get('status'))}</strong>. "
        f"{cell(recheck.get('detail'))}</p>"
        + "<h3>Stack bounds</h3>"
        + _stack(proofs)
        + "<h3>Tallies</h3>"
        + _tallies(proofs)
    )


def _modifies(value: object) -> str:
    """null: no modifies clause was declared; []: declared to modify nothing."""
    if value is None:
        return "not declared"
    return lines_of(value) if strs(value) else "nothing"


def _graph(graph: dict[str, object]) -> str:
    """The call graph picture; its edges arrive as [caller, callee] pairs."""
    nodes = [
        Node(text(n.get("function")), text(n.get("module")), n.get("trusted") is True)
        for n in items(graph.get("nodes"))
    ]
    edges_raw = graph.get("edges")
    edges = [
        (str(e[0]), str(e[1]))
        for e in (edges_raw if isinstance(edges_raw, list) else [])
        if isinstance(e, list) and len(e) == 2
    ]
    if not nodes and not edges:
        return '<p class="none">Call graph: none.</p>'
    return figure(
        f'<div class="wide">{call_graph(nodes, edges)}</div>',
        "Calls from left to right, in layers by the longest call path from an entry; "
        "trusted functions hatched orange with a dashed outline.",
    )


def tcb_section(tcb: dict[str, object], graph: dict[str, object]) -> str:
    """What the proofs take on trust: @trusted bodies, startup code, intrinsics, specs."""
    lines = obj(tcb.get("lines"))
    trusted = [
        [
            code(f.get("function")),
            code(f"{text(f.get('file'))}:{text(f.get('line'))}-{text(f.get('end_line'))}"),
            cell(f.get("lines")),
            cell(f.get("reason")),
            _modifies(f.get("modifies")),
        ]
        for f in items(tcb.get("trusted_functions"))
    ]
    startup = [[code(s.get("symbol")), cell(s.get("role"))] for s in items(tcb.get("startup"))]
    intrinsics = [
        [code(i.get("name")), lines_of(i.get("functions"))] for i in items(tcb.get("intrinsics"))
    ]
    relocations = [
        [code(r.get("kind")), cell(r.get("count"))] for r in items(tcb.get("relocations"))
    ]
    specs = [
        [
            code(s.get("file")),
            cell(s.get("kind")),
            cell(s.get("name")),
            cell(s.get("registers")),
            cell(s.get("invariants")),
            code(s.get("sha256")),
        ]
        for s in items(tcb.get("spec_facts"))
    ]
    return (
        f"<p>{cell(lines.get('trusted'))} source lines in @trusted bodies, "
        f"{cell(lines.get('startup_ir'))} lines of startup LLVM IR, "
        f"{cell(lines.get('proven'))} lines in proven functions.</p>"
        + table(
            "Trusted functions",
            ["Function", "Lines", "Count", "Why trusted", "Modifies"],
            trusted,
            frozenset({2}),
        )
        + "<h3>Call graph</h3>"
        + _graph(graph)
        + table("Startup code", ["Symbol", "Role"], startup)
        + table("Intrinsics", ["Intrinsic", "Used by"], intrinsics)
        + table("Relocations the linker applied", ["Kind", "Count"], relocations, frozenset({1}))
        + table(
            "Spec files the proofs rest on",
            ["File", "Kind", "Name", "Registers", "Invariants", "SHA-256"],
            specs,
            frozenset({3, 4}),
        )
    )


def registers_section(registers: dict[str, object]) -> str:
    """Which function touches which register, how, and under which clock gate."""
    rows = [
        [
            code(r.get("function")),
            cell(r.get("peripheral")),
            cell(r.get("instance"))
            if r.get("instance") is not None
            else "<em>every instance it is called with</em>",
            code(r.get("register")),
            cell(r.get("accesses")),
            cell(r.get("clock_gate")),
            cell(r.get("invariants")),
            f'<strong class="bad">DMA: {cell(r.get("dma_fields"))}</strong>'
            if strs(r.get("dma_fields"))
            else "—",
        ]
        for r in items(registers.get("matrix"))
    ]
    head = [
        "Function",
        "Peripheral",
        "Instance",
        "Register",
        "Accesses",
        "Clock gate",
        "Protocol invariants",
        "DMA address fields",
    ]
    dma = strs(registers.get("dma_functions"))
    dma_text = ", ".join(code(d) for d in dma) if dma else "none"
    return (
        table("Register accesses, by function, peripheral and register", head, rows)
        + f"<p>Functions that write a DMA-capable field: {dma_text}.</p>"
    )


def crypto_section(crypto: object) -> str:
    """Each caller of a crypto or RNG interface function, with the contract it relies on."""
    rows = [
        [
            code(c.get("function")),
            code(c.get("interface")),
            code(c.get("module")),
            lines_of(c.get("requires")),
            lines_of(c.get("ensures")),
        ]
        for c in items(crypto)
    ]
    return table(
        "Crypto and RNG interface calls",
        ["Caller", "Interface", "Implemented in", "Requires", "Ensures"],
        rows,
    )


def image_section(image: dict[str, object]) -> str:
    """The ELF as written: layout, W^X, what takes the space, digests."""
    wx = obj(image.get("wx"))
    ok = wx.get("ok") is True
    mark = (
        '<strong class="good">W^X holds</strong>'
        if ok
        else '<strong class="bad">W^X violated</strong>'
    )
    sizes = [
        (text(m.get("module")), [number(m.get("bytes"))])
        for m in items(image.get("size_by_module"))
    ]
    segments = [
        [
            hexaddr(s.get("vaddr")),
            hexaddr(s.get("paddr")),
            cell(s.get("filesz")),
            cell(s.get("memsz")),
            code(s.get("flags")),
        ]
        for s in items(image.get("segments"))
    ]
    sections = [
        [code(s.get("name")), hexaddr(s.get("address")), cell(s.get("size")), code(s.get("flags"))]
        for s in items(image.get("sections"))
    ]
    symbols = [
        [code(s.get("name")), hexaddr(s.get("address")), cell(s.get("size")), cell(s.get("kind"))]
        for s in items(image.get("largest_symbols"))
    ]
    digests = [[code(k), code(v)] for k, v in ordered(image.get("digests"), DIGESTS)]
    chart = (
        figure(
            bar_chart("chart-size", "Image size by module", sizes, [BYTES], "bytes"),
            "Bytes of function code per firmware module, largest first.",
        )
        if sizes
        else '<p class="none">Image size by module: none.</p>'
    )
    return (
        f"<p>Entry point {hexaddr(image.get('entry'))}. {mark}: {cell(wx.get('detail'))}.</p>"
        + chart
        + table(
            "Segments",
            ["Virtual address", "Physical address", "File bytes", "Memory bytes", "Flags"],
            segments,
            frozenset({2, 3}),
        )
        + table(
            "Allocated sections, by address",
            ["Section", "Address", "Bytes", "Flags"],
            sections,
            frozenset({2}),
        )
        + table("Largest symbols", ["Symbol", "Address", "Bytes", "Kind"], symbols, frozenset({2}))
        + table("SHA-256 of each file as written", ["File", "SHA-256"], digests)
    )


def _attestation(value: object) -> str:
    if value is None:
        return (
            '<p class="bad"><strong>No attestation checked.</strong> The proofs may all hold, '
            "but nothing ties them to the bytes a device will run.</p>"
        )
    a = obj(value)
    verified = a.get("verified") is True
    mark = (
        '<strong class="good">verifies</strong>'
        if verified
        else '<strong class="bad">does not verify</strong>'
    )
    reasons = "".join(f"<li>{esc(r)}</li>" for r in strs(a.get("reasons")))
    return (
        f"<p>Envelope {code(a.get('envelope'))}, key {code(a.get('key_id'))}: {mark}; "
        f"subjects match the images: {cell(a.get('subjects_match'))}.</p>"
        + (f"<ul>{reasons}</ul>" if reasons else "")
    )


def inputs_section(inputs: dict[str, object]) -> str:
    """What went in: the toolchain's versions, the attestation, every input file's digest."""
    tools = [[cell(k), code(v)] for k, v in ordered(inputs.get("toolchain"), TOOLS)]
    files = [
        [code(f.get("path")), cell(f.get("kind")), code(f.get("sha256"))]
        for f in items(inputs.get("files"))
    ]
    return (
        table("Toolchain", ["Tool", "Version"], tools)
        + "<h3>Attestation</h3>"
        + _attestation(inputs.get("attestation"))
        + table("Input files, by path", ["Path", "Kind", "SHA-256"], files)
    )
