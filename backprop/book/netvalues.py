"""Draw a small network with the numbers of one forward and backward pass, computed by the library.

Each unit is a box: an input unit shows $x_j$; a unit of layer $l \\ge 1$ shows its pre-activation
$z^{(l)}_k$, its activation $a^{(l)}_k$ and its delta $\\delta^{(l)}_k = \\partial \\mathcal{L}/\\partial z^{(l)}_k$.
Each weight is a line labelled with its gradient $\\bar w^{(l)}_{jk} = \\partial \\mathcal{L}/\\partial w^{(l)}_{jk}$
(the bar of the [graph chapter](computational-graph.py)). With one sample, the gradient of a bias is the
delta of its unit, so the boxes carry the bias gradients too. Everything is computed from the network
when drawing (`net.forward`, `net.deltas`, `net.gradients`); nothing is typed in.

A page shows it with `backprop.book.figure`::

    figure(lambda fig: draw_network_values(fig, net, X, Y), alt=network_values_alt(net, X, Y),
           figsize=network_values_figsize(net.sizes))

The drawing refuses overlapping boxes or labels (see `backprop.book.graphs.check_graph_layout`), so a
network too large to label legibly fails instead of printing a smudge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .graphs import GraphNode, check_graph_layout, draw_graph, layout_renderer
from .numbers import num, tex

__all__ = ["draw_network_values", "network_values", "network_values_alt", "network_values_figsize"]

_DY = 1.0  # between layers (data units)


def network_values(net: Any, X: Any, Y: Any) -> dict[str, Any]:
    """The numbers the drawing shows, from the library: `z[l]`, `a[l]`, `delta[l]` (rows of the one
    sample) and `grads` (the gradients of the weights and biases).

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    >>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    >>> v = network_values(net, [[0.5]], [[0.6]])
    >>> round(float(v["a"][2][0]), 4), round(float(v["delta"][2][0]), 5)
    (0.3723, -0.22767)
    """
    X, Y = net.check_inputs(X, Y)
    if len(X) != 1:
        raise ValueError(f"draw_network_values shows one sample; X has {len(X)} rows")
    fp = net.forward(X)
    deltas = net.deltas(X, Y)
    return {"z": [None] + [z[0] for z in fp.z[1:]], "a": [a[0] for a in fp.a],
            "delta": [None] + [d[0] for d in deltas[1:]], "grads": net.gradients(X, Y)}


def network_values_figsize(sizes: Sequence[int]) -> tuple[float, float]:
    """A figure size (inches) that keeps 12-pt text legible on a phone: 5 inches wide, 1.9 inches per
    layer from the top (inputs) to the bottom (outputs)."""
    return (5.0, 1.9 * (len(sizes) - 1) + 1.0)


def _label_side(l: int, k: int, sizes: Sequence[int]) -> int:
    """-1 to write a line's label on its left, +1 on its right: outside the fan of lines that leave a unit,
    so each number sits next to its own line only."""
    return -1 if k < (sizes[l] - 1) / 2 else 1


def draw_network_values(fig_or_ax: Any, net: Any, X: Any, Y: Any, digits: int = 4) -> Any:
    """Draw `net` from the inputs (top) to the outputs (bottom) with the forward values, deltas and weight
    gradients of the one sample `(X, Y)`.

    The lines into unit $k$ of a layer, and the numbers beside them (each weight's gradient), take the
    colour `"C{k-1}"` of the cycle. Each number is placed beside its own line, at the first height where it
    touches no other line, label or box. Returns the Axes. Raises `ValueError` for more than one sample, or
    when a number finds no free place.
    """
    import matplotlib as mpl
    from matplotlib.path import Path

    values = network_values(net, X, Y)
    sizes = net.sizes
    L = len(sizes) - 1
    ax = fig_or_ax.subplots() if hasattr(fig_or_ax, "subplots") else fig_or_ax
    spread = 3.4 / max(max(sizes) - 1, 1)  # the widest layer spans 3.4 data units (about 3.4 inches)

    def pos(l: int, k: int) -> tuple[float, float]:  # k is 0-based, unit 1 on the left
        return (k - (sizes[l] - 1) / 2) * spread, -l * _DY * 1.9

    nodes, edges, colours = [], [], {}
    for l, n in enumerate(sizes):
        for k in range(n):
            key = f"{l}:{k}"
            if l == 0:
                nodes.append(GraphNode(key, pos(l, k), f"x_{{{k + 1}}}", float(values["a"][0][k]), leaf=True))
                continue
            z, a, d = (float(values[name][l][k]) for name in ("z", "a", "delta"))
            # three lines: z on the first, a on the second, delta on the third
            nodes.append(GraphNode(key, pos(l, k), f"a^{{({l})}}_{{{k + 1}}}", a, d,
                                   bar=rf"\delta^{{({l})}}_{{{k + 1}}}",
                                   op=f"$z^{{({l})}}_{{{k + 1}}} = {tex(z, digits)}$"))
    for l in range(1, L + 1):
        for j in range(sizes[l - 1]):
            for k in range(sizes[l]):
                edges.append((f"{l - 1}:{j}", f"{l}:{k}"))
                colours[edges[-1]] = f"C{k % 6}" if sizes[l] > 1 else None
    ax = draw_graph(ax, nodes, edges, digits=digits, pad=(0.75, 0.42), check=False,
                    edge_colors={e: c for e, c in colours.items() if c})

    fig = ax.figure
    renderer = layout_renderer(fig)  # lay the figure out, then place the numbers in display coordinates
    node_boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts
                  if (t.get_gid() or "").startswith("bp-graph-node:")]
    segments = {(l, j, k): Path(ax.transData.transform([pos(l - 1, j), pos(l, k)]))
                for l in range(1, L + 1) for j in range(sizes[l - 1]) for k in range(sizes[l])}
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    fg = mpl.rcParams["text.color"]
    placed = list(node_boxes)
    grads = values["grads"]
    for (l, j, k), _ in segments.items():
        (x0, y0), (x1, y1) = pos(l - 1, j), pos(l, k)
        side = _label_side(l, k, sizes)
        colour = cycle[k % len(cycle)] if sizes[l] > 1 else fg
        label = ax.annotate(tex(float(grads[f"W{l}"][j, k]), digits).join("$$"), (x0, y0), xytext=(5 * side, 0),
                            textcoords="offset points", ha="left" if side > 0 else "right", va="center",
                            color=colour, zorder=5, gid=f"bp-graph-node:w{l}:{j}:{k}",
                            bbox=dict(boxstyle="square,pad=0.1", fc="none", ec="none"))
        for t in np.linspace(0.2, 0.75, 23):  # from near the unit the line leaves, downwards
            label.xy = (x0 + t * (x1 - x0), y0 + t * (y1 - y0))
            label.update_positions(renderer)
            label.update_bbox_position_size(renderer)
            box = label.get_bbox_patch().get_window_extent(renderer)
            crosses = any(seg.intersects_bbox(box, filled=True) for key, seg in segments.items() if key != (l, j, k))
            if not crosses and not any(box.overlaps(b) for b in placed):
                placed.append(box)
                break
        else:
            raise ValueError(f"no free place for the gradient of w({l})_{j + 1}{k + 1}: make the figure larger")
    check_graph_layout(fig)
    return ax


def network_values_alt(net: Any, X: Any, Y: Any, digits: int = 4) -> str:
    """Alt text with the numbers of the drawing: the prediction, the output delta and the largest weight gradient.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    >>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    >>> network_values_alt(net, [[0.5]], [[0.6]])[:58]
    'The 1-1-1 network drawn from the inputs at the top to the '
    """
    v = network_values(net, X, Y)
    L = len(net.sizes) - 1
    yhat = ", ".join(num(float(a), digits) for a in v["a"][L])
    delta = ", ".join(num(float(d), digits) for d in v["delta"][L])
    largest = max(((abs(float(g)), key, idx) for key, G in v["grads"].items() if key.startswith("W")
                   for idx, g in np.ndenumerate(G)))
    _, key, (j, k) = largest
    g = float(v["grads"][key][j, k])
    return (f"The {'-'.join(map(str, net.sizes))} network drawn from the inputs at the top to the output at the "
            f"bottom, with the numbers of one sample. "
            f"Each unit shows its pre-activation z, its activation a and its delta, the derivative of the loss "
            f"with respect to z; each weight's line shows the derivative of the loss with respect to that weight. "
            f"The output is {yhat} with delta {delta}; the largest weight gradient in size is {num(g, digits)}, "
            f"of the weight from unit {j + 1} of layer {int(key[1:]) - 1} to unit {k + 1} of layer {key[1:]}.")
