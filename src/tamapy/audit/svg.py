"""Inline SVG pictures for the HTML audit report, built as plain strings.

Every number goes through `num`, and every layout choice is a function of the
data alone, so the same audit gives the same bytes. Colours come from the
Okabe-Ito palette and each one is paired with a pattern or a dashed outline
and a labelled legend, so the pictures still read in grey print and for
colour-blind readers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

# Monospace labels: a character is 0.6 em wide, so widths follow from lengths.
_CHAR = 0.6
_FONT = 12.0
_BAR = 16.0
_BAR_GAP = 6.0
_PLOT = 360.0
_VALUE_ROOM = 110.0


def num(x: float) -> str:
    """A coordinate or value with at most two decimals and no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@dataclass(frozen=True)
class Series:
    """One stacked part of each bar: its name, fill and the pattern over it."""

    name: str
    colour: str
    pattern: str  # "solid", "hatch" or "dots"


def _pattern_defs(chart_id: str, series: Sequence[Series]) -> str:
    """Hatching and dots over the fill, so no bar depends on its colour alone."""
    defs = []
    for s in series:
        if s.pattern == "hatch":
            mark = '<path d="M0 0V6" stroke="#000" stroke-width="1.5"/>'
            transform = ' patternTransform="rotate(45)"'
        elif s.pattern == "dots":
            mark = '<circle cx="3" cy="3" r="1.2" fill="#000"/>'
            transform = ""
        else:
            continue
        defs.append(
            f'<pattern id="{_fill_id(chart_id, s)}" width="6" height="6" '
            f'patternUnits="userSpaceOnUse"{transform}>'
            f'<rect width="6" height="6" fill="{s.colour}"/>{mark}</pattern>'
        )
    return f"<defs>{''.join(defs)}</defs>" if defs else ""


def _fill_id(chart_id: str, s: Series) -> str:
    return f"{chart_id}-{s.pattern}-{s.name.replace(' ', '-')}"


def _fill(chart_id: str, s: Series) -> str:
    return s.colour if s.pattern == "solid" else f"url(#{_fill_id(chart_id, s)})"


def _legend(chart_id: str, series: Sequence[Series], y: float) -> str:
    """A swatch and a name for each series, in one row."""
    parts, x = [], 0.0
    for s in series:
        parts.append(
            f'<rect x="{num(x)}" y="{num(y)}" width="12" height="12" '
            f'fill="{_fill(chart_id, s)}" stroke="#000" stroke-width="0.5"/>'
            f'<text x="{num(x + 16)}" y="{num(y + 10)}">{escape(s.name)}</text>'
        )
        x += 16 + len(s.name) * _CHAR * _FONT + 18
    return f'<g class="legend">{"".join(parts)}</g>'


def amount(x: float) -> str:
    """A value as a label: whole numbers with thousands separators."""
    return f"{int(x):,}" if x == int(x) else num(x)


def _value_label(values: Sequence[float], series: Sequence[Series], unit: str) -> str:
    """The bar's total, then any part beyond the first by name: "49 (1 failed)"."""
    total = f"{amount(sum(values))}{' ' + unit if unit else ''}"
    extra = [f"{amount(v)} {s.name}" for s, v in zip(series[1:], values[1:], strict=True) if v > 0]
    return f"{total} ({', '.join(extra)})" if extra else total


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[Series],
    unit: str,
) -> str:
    """Horizontal stacked bars, one per row: the row's label, its parts, its total."""
    label_w = max((len(label) for label, _ in rows), default=0) * _CHAR * _FONT + 10
    top = 24.0 + (20.0 if len(series) > 1 else 0.0)
    width = label_w + _PLOT + _VALUE_ROOM
    height = top + len(rows) * (_BAR + _BAR_GAP) + 4
    biggest = max((sum(values) for _, values in rows), default=0.0)
    scale = _PLOT / biggest if biggest > 0 else 0.0
    bars = []
    for i, (label, values) in enumerate(rows):
        y = top + i * (_BAR + _BAR_GAP)
        segs, x = [], label_w
        for s, value in zip(series, values, strict=True):
            if value <= 0:
                continue
            w = value * scale
            segs.append(
                f'<rect class="seg" x="{num(x)}" y="{num(y)}" width="{num(w)}" '
                f'height="{num(_BAR)}" fill="{_fill(chart_id, s)}" stroke="#000" '
                f'stroke-width="0.5"><title>{escape(label)}: {num(value)} {escape(unit)} '
                f"{escape(s.name)}</title></rect>"
            )
            x += w
        bars.append(
            f'<g class="bar"><text x="{num(label_w - 6)}" y="{num(y + 12)}" '
            f'text-anchor="end">{escape(label)}</text>{"".join(segs)}'
            f'<text x="{num(x + 6)}" y="{num(y + 12)}">{escape(_value_label(values, series, unit))}'
            "</text></g>"
        )
    legend = _legend(chart_id, series, 22.0) if len(series) > 1 else ""
    return (
        f'<svg class="chart" id="{chart_id}" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" width="{num(width)}" height="{num(height)}" '
        f'font-family="monospace" font-size="{num(_FONT)}">'
        f"<title>{escape(title)}</title>{_pattern_defs(chart_id, series)}"
        f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>'
        f"{legend}{''.join(bars)}</svg>"
    )


_TRUSTED = "#E69F00"
_PROVEN = "#FFFFFF"


@dataclass(frozen=True)
class Node:
    """A function in the call graph, and whether it is @trusted (not proved)."""

    function: str
    module: str
    trusted: bool


def _back_edges(
    names: Sequence[str], succ: dict[str, list[str]], roots: list[str]
) -> set[tuple[str, str]]:
    """Edges that close a cycle, found by a depth-first walk from the roots, then by name."""
    state: dict[str, int] = {}  # absent: unseen, 1: on the walk's path, 2: done
    back: set[tuple[str, str]] = set()
    for start in [*roots, *names]:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(succ[start]))]
        while stack:
            node, rest = stack[-1]
            nxt = next(rest, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                back.add((node, nxt))
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
    return back


def layers(
    names: Sequence[str], edges: Sequence[tuple[str, str]]
) -> tuple[dict[str, int], set[tuple[str, str]]]:
    """Each function's layer, the longest call path to it from a root, and the cycle edges."""
    succ: dict[str, list[str]] = {n: [] for n in names}
    indegree = dict.fromkeys(names, 0)
    for a, b in edges:
        succ[a].append(b)
        indegree[b] += 1
    for targets in succ.values():
        targets.sort()
    roots = sorted(n for n in names if indegree[n] == 0)
    back = _back_edges(sorted(names), succ, roots)
    remaining = dict.fromkeys(names, 0)
    for a, b in edges:
        if (a, b) not in back:
            remaining[b] += 1
    layer = dict.fromkeys(names, 0)
    ready = sorted(n for n in names if remaining[n] == 0)
    while ready:
        node = ready.pop()
        for nxt in succ[node]:
            if (node, nxt) in back:
                continue
            layer[nxt] = max(layer[nxt], layer[node] + 1)
            remaining[nxt] -= 1
            if remaining[nxt] == 0:
                ready.append(nxt)
    return layer, back


def _graph_legend(font: float, cycles: bool) -> str:
    """What a trusted box, a proven box and a line mean."""
    box_w, box_h = 7 * _CHAR * font + 12, font * 1.7
    x2 = box_w + 16 + 17 * _CHAR * font
    items = [
        f'<rect x="0" y="0" width="{num(box_w)}" height="{num(box_h)}" fill="{_PROVEN}" '
        'stroke="#000"/>'
        f'<text x="{num(box_w + 6)}" y="{num(font * 1.2)}">proven function</text>',
        f'<rect x="{num(x2)}" y="0" width="{num(box_w)}" height="{num(box_h)}" '
        f'fill="url(#cg-trusted)" stroke="#000" stroke-width="2.5" stroke-dasharray="5 3"/>'
        f'<text x="{num(x2 + box_w + 6)}" y="{num(font * 1.2)}">'
        "trusted (@trusted, not proved)</text>",
    ]
    x3 = x2 + box_w + 6 + 31 * _CHAR * font
    items.append(
        f'<path d="M{num(x3)} {num(box_h / 2)}h40" stroke="#444" marker-end="url(#cg-arrow)"/>'
        f'<text x="{num(x3 + 46)}" y="{num(font * 1.2)}">calls</text>'
    )
    if cycles:
        x4 = x3 + 46 + 8 * _CHAR * font
        items.append(
            f'<path d="M{num(x4)} {num(box_h / 2)}h40" stroke="#444" stroke-dasharray="4 3" '
            f'marker-end="url(#cg-arrow)"/>'
            f'<text x="{num(x4 + 46)}" y="{num(font * 1.2)}">call that closes a cycle</text>'
        )
    return f'<g class="legend">{"".join(items)}</g>'


def _graph_defs() -> str:
    return (
        "<defs>"
        '<pattern id="cg-trusted" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{_TRUSTED}"/>'
        '<path d="M0 0V6" stroke="#000" stroke-width="1" stroke-opacity="0.3"/></pattern>'
        '<marker id="cg-arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0 0L8 4L0 8z" fill="#444"/></marker>'
        "</defs>"
    )


def _node_svg(node: Node, x: float, y: float, w: float, h: float, font: float) -> str:
    kind = "trusted" if node.trusted else "proven"
    style = (
        'fill="url(#cg-trusted)" stroke="#000" stroke-width="2.5" stroke-dasharray="5 3"'
        if node.trusted
        else f'fill="{_PROVEN}" stroke="#000"'
    )
    return (
        f'<g class="node {kind}">'
        f"<title>{escape(node.function)} ({escape(node.module)}, {kind})</title>"
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="3" {style}/>'
        f'<text x="{num(x + 6)}" y="{num(y + h / 2 + font * 0.35)}">'
        f"{escape(node.function)}</text></g>"
    )


@dataclass(frozen=True)
class _Layout:
    """Where each box goes, and where each call passing a column crosses it."""

    boxes: dict[str, tuple[float, float, float]]  # name: x, top y, width
    lanes: dict[
        tuple[str, str, int], tuple[float, float, float]
    ]  # (caller, callee, layer): x, y, w
    width: float
    height: float


def _layout(
    layer: dict[str, int],
    edges: Sequence[tuple[str, str]],
    back: set[tuple[str, str]],
    font: float,
) -> _Layout:
    """Columns by layer, boxes by name, then a thin lane per call passing through.

    A call that skips layers runs in its own lane below each column's boxes
    rather than behind them, so no line seems to touch a box it does not call.
    """
    count = max(layer.values(), default=-1) + 1
    columns: list[list[str]] = [[] for _ in range(count)]
    for name in sorted(layer):
        columns[layer[name]].append(name)
    passing: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    for a, b in edges:
        if (a, b) not in back:
            for k in range(layer[a] + 1, layer[b]):
                passing[k].append((a, b))
    h, pitch, lane, gap = font * 1.7, font * 2.3, font * 0.9, font * 5
    tall = [len(c) * pitch + len(p) * lane for c, p in zip(columns, passing, strict=True)]
    tallest = max(tall, default=0.0)
    top = h + font * 2
    boxes: dict[str, tuple[float, float, float]] = {}
    lanes: dict[tuple[str, str, int], tuple[float, float, float]] = {}
    x = 0.0
    for k, column in enumerate(columns):
        w = max((len(name) for name in column), default=0) * _CHAR * font + 12
        y = top + (tallest - tall[k]) / 2
        for i, name in enumerate(column):
            boxes[name] = (x, y + i * pitch, w)
        for j, (a, b) in enumerate(passing[k]):
            lanes[(a, b, k)] = (x, y + len(column) * pitch + j * lane + lane / 2 - h / 2, w)
        x += w + gap
    width = max(x - gap, 100 * _CHAR * font)  # at least room for the legend
    return _Layout(boxes, lanes, width, top + tallest + font)


def _edge_path(points: Sequence[tuple[float, float]]) -> str:
    """A smooth path through the points, leaving and entering each one level."""
    d = [f"M{num(points[0][0])} {num(points[0][1])}"]
    for (x1, y1), (x2, y2) in pairwise(points):
        dx = max(abs(x2 - x1) / 2, 20.0)
        d.append(f"C{num(x1 + dx)} {num(y1)} {num(x2 - dx)} {num(y2)} {num(x2)} {num(y2)}")
    return "".join(d)


def _edges_svg(
    edges: Sequence[tuple[str, str]],
    layer: dict[str, int],
    back: set[tuple[str, str]],
    place: _Layout,
    h: float,
) -> str:
    """Each call from its caller's right side, through its lanes, to the callee's left side."""
    lines = []
    for a, b in edges:
        (ax, ay, aw), (bx, by, _) = place.boxes[a], place.boxes[b]
        points = [(ax + aw, ay + h / 2)]
        if (a, b) not in back:
            for k in range(layer[a] + 1, layer[b]):
                lx, ly, lw = place.lanes[(a, b, k)]
                points += [(lx, ly + h / 2), (lx + lw, ly + h / 2)]
        points.append((bx, by + h / 2))
        dash = ' stroke-dasharray="4 3"' if (a, b) in back else ""
        lines.append(
            f'<path class="edge" d="{_edge_path(points)}" fill="none" stroke="#444"{dash} '
            f'marker-end="url(#cg-arrow)"><title>{escape(a)} calls {escape(b)}</title></path>'
        )
    return f'<g class="edges">{"".join(lines)}</g>'


def call_graph(nodes: Sequence[Node], edges: Sequence[tuple[str, str]]) -> str:
    """The call graph in layers from left to right, trusted functions marked."""
    by_name = {n.function: n for n in nodes}
    for a, b in edges:  # a call to a function the node list lacks is still drawn
        for name in (a, b):
            by_name.setdefault(name, Node(name, "", trusted=False))
    calls = sorted(set(edges))
    layer, back = layers(sorted(by_name), calls)
    font = 11.0 if len(by_name) <= 60 else 9.0 if len(by_name) <= 200 else 7.0
    h = font * 1.7
    place = _layout(layer, calls, back, font)
    boxes = [
        _node_svg(by_name[n], *place.boxes[n][:2], place.boxes[n][2], h, font)
        for n in sorted(by_name)
    ]
    trusted = sum(1 for n in by_name.values() if n.trusted)
    title = f"Call graph: {len(by_name)} functions, {trusted} trusted, {len(calls)} calls"
    return (
        f'<svg class="chart graph" id="call-graph" role="img" aria-label="{escape(title)}" '
        f'viewBox="0 0 {num(place.width)} {num(place.height)}" width="{num(place.width)}" '
        f'height="{num(place.height)}" font-family="monospace" font-size="{num(font)}" '
        'preserveAspectRatio="xMinYMin meet">'
        f"<title>{escape(title)}</title>{_graph_defs()}{_graph_legend(font, bool(back))}"
        f"{_edges_svg(calls, layer, back, place, h)}{''.join(boxes)}</svg>"
    )
