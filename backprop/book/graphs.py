"""Draw a computational graph: one box per value, with its forward value and its upstream gradient.

A page draws a graph with :func:`~backprop.book.figure`::

    nodes = [GraphNode("x", (0, 1), "x", 0.5, grad=-0.3, leaf=True),
             GraphNode("y", (0, 0), "y", 0.25, grad=1.0)]
    figure(lambda fig: draw_graph(fig, nodes, [("x", "y")]), alt="...")

Each box shows ``label = value`` and, below it, ``bar label = grad``: the upstream gradient
$\\bar v = \\partial \\mathcal{L} / \\partial v$ of the book's [graph chapter](computational-graph.py).
Inputs (leaves) have dashed boxes. Arrows run from a value to the values computed from it and may
carry a label (a local derivative) and a colour of the cycle (``"C0"`` ... ``"C5"``).

:func:`draw_graph` refuses a drawing in which two boxes overlap, a box leaves the axes, or an edge
names a missing node, so a figure that would be unreadable fails the build instead.

Examples
--------
>>> bar_label(r"z^{(1)}_1"), bar_label(r"\\hat y"), bar_label(r"\\mathcal{L}")
('\\\\bar{z}^{(1)}_1', '\\\\bar{\\\\hat y}', '\\\\bar{\\\\mathcal{L}}')
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .numbers import tex

__all__ = ["GraphNode", "bar_label", "check_graph_layout", "draw_graph", "layout_renderer", "node_text"]

_GID = "bp-graph-node:"  # gid of a node's text, so the layout check finds the boxes of every graph


@dataclass(frozen=True)
class GraphNode:
    """One value of a computational graph, as drawn.

    ``label`` is TeX without dollars (``"z^{(1)}_1"``); ``value`` the forward value; ``grad`` the upstream
    gradient (omitted when ``None``); ``bar`` the TeX of the gradient's name (default :func:`bar_label`);
    ``leaf`` marks an input (dashed box); ``op`` an operation name written above the label.
    """

    key: str
    xy: tuple[float, float]
    label: str
    value: float | None = None
    grad: float | None = None
    leaf: bool = False
    bar: str | None = None
    op: str | None = None


_FIRST = re.compile(r"^(\\[a-zA-Z]+\{[^{}]*\}|\\[a-zA-Z]+\s+\w|\\[a-zA-Z]+|\w)(.*)$", re.S)


def bar_label(label: str) -> str:
    """TeX for the upstream gradient of ``label``: a bar over its leading symbol, indices kept outside."""
    m = _FIRST.match(label.strip())
    if not m:
        return rf"\bar{{{label}}}"
    return rf"\bar{{{m.group(1)}}}{m.group(2)}"


def node_text(node: GraphNode, digits: int = 4) -> str:
    """The text in a node's box: an optional operation line, ``label = value`` and ``bar = grad``."""
    lines = []
    if node.op:
        lines.append(node.op)
    lines.append(f"${node.label}$" if node.value is None else f"${node.label} = {tex(node.value, digits)}$")
    if node.grad is not None:
        lines.append(f"${node.bar or bar_label(node.label)} = {tex(node.grad, digits)}$")
    return "\n".join(lines)


def draw_graph(
    fig_or_ax: Any,
    nodes: Sequence[GraphNode],
    edges: Sequence[tuple[str, str]],
    *,
    edge_labels: Mapping[tuple[str, str], str] | None = None,
    edge_colors: Mapping[tuple[str, str], str] | None = None,
    digits: int = 4,
    pad: tuple[float, float] = (0.8, 0.45),
    check: bool = True,
) -> Any:
    """Draw the graph on a matplotlib Figure or Axes and return the Axes.

    ``edges`` are ``(from, to)`` pairs of node keys; ``edge_labels`` maps some of them to text drawn
    beside the arrow's middle (math allowed), ``edge_colors`` to a cycle colour. ``pad`` is the margin
    around the node centres, in data units (x, y). Raises ``ValueError`` when an edge names an unknown
    node and, with ``check`` (see :func:`check_graph_layout`), when two boxes of a graph on the figure
    overlap or a box reaches outside its axes; a figure of several graphs may check once, after the last.
    """
    import matplotlib as mpl

    ax = fig_or_ax.subplots() if hasattr(fig_or_ax, "subplots") else fig_or_ax
    by_key = {n.key: n for n in nodes}
    if len(by_key) != len(nodes):
        raise ValueError("two graph nodes share a key")
    for u, v in edges:
        for k in (u, v):
            if k not in by_key:
                raise ValueError(f"edge ({u!r}, {v!r}) names the unknown node {k!r}")
    fg = mpl.rcParams["text.color"]
    edge_colour = mpl.rcParams["axes.edgecolor"]
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]

    def colour(name: str | None) -> str:
        if name is None:
            return fg
        if re.fullmatch(r"C\d", name):
            return cycle[int(name[1:]) % len(cycle)]
        raise ValueError(f"edge colours come from the cycle 'C0'...'C5' (they follow the theme), not {name!r}")

    texts = {}
    for n in nodes:
        texts[n.key] = ax.text(
            *n.xy, node_text(n, digits), ha="center", va="center", color=fg, zorder=3, linespacing=1.5,
            gid=_GID + n.key,
            bbox=dict(boxstyle="round,pad=0.35", fc="none", ec=edge_colour if n.leaf else fg,
                      lw=1.0, linestyle="--" if n.leaf else "-"))
    for u, v in edges:
        c = colour((edge_colors or {}).get((u, v)))
        ax.annotate("", xy=by_key[v].xy, xytext=by_key[u].xy, zorder=2,
                    arrowprops=dict(arrowstyle="-|>", color=c, lw=1.3, shrinkA=2, shrinkB=2,
                                    patchA=texts[u].get_bbox_patch(), patchB=texts[v].get_bbox_patch()))
        label = (edge_labels or {}).get((u, v))
        if label:
            (x0, y0), (x1, y1) = by_key[u].xy, by_key[v].xy
            ax.annotate(label, ((x0 + x1) / 2, (y0 + y1) / 2), xytext=(6, 0), textcoords="offset points",
                        ha="left", va="center", color=c, zorder=4)
    xs = [n.xy[0] for n in nodes]
    ys = [n.xy[1] for n in nodes]
    ax.set_xlim(min(xs) - pad[0], max(xs) + pad[0])
    ax.set_ylim(min(ys) - pad[1], max(ys) + pad[1])
    ax.axis("off")
    if check:
        check_graph_layout(ax.figure)
    return ax


def layout_renderer(fig: Any) -> Any:
    """Lay the figure out (as drawing it would) and return a renderer that measures its texts."""
    if not hasattr(fig.canvas, "get_renderer"):  # a bare Figure: measure with Agg
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def check_graph_layout(fig: Any) -> None:
    """Raise ``ValueError`` if two node boxes of a graph overlap or a box reaches outside its axes.

    Measured on the drawn figure (its layout done), for every graph :func:`draw_graph` put on it.
    """
    renderer = layout_renderer(fig)
    for ax in fig.axes:
        boxes = {t.get_gid()[len(_GID):]: t.get_bbox_patch().get_window_extent(renderer)
                 for t in ax.texts if (t.get_gid() or "").startswith(_GID)}
        frame = ax.get_window_extent(renderer)
        keys = list(boxes)
        for i, a in enumerate(keys):
            box = boxes[a]
            if box.x0 < frame.x0 - 1 or box.x1 > frame.x1 + 1 or box.y0 < frame.y0 - 1 or box.y1 > frame.y1 + 1:
                raise ValueError(f"graph node {a!r} reaches outside the axes: widen pad or the figure")
            for b in keys[i + 1:]:
                if box.overlaps(boxes[b]):
                    raise ValueError(f"graph nodes {a!r} and {b!r} overlap: move them apart")
