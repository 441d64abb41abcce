"""Draw a small network with the numbers of one forward or backward pass, computed by the library.

Two views of the same network and sample, drawn top (inputs) to bottom (outputs):

* ``show="forward"``: each line carries its weight $w^{(l)}_{jk}$, each unit of layer $l \\ge 1$ its bias
  $b^{(l)}_k$, pre-activation $z^{(l)}_k$ and activation $a^{(l)}_k$; the arrows point the way the values
  flow, down to the output.
* ``show="backward"``: each unit shows its activation $a^{(l)}_k$ and its delta
  $\\delta^{(l)}_k = \\partial \\mathcal{L}/\\partial z^{(l)}_k$, each line the gradient
  $\\partial \\mathcal{L}/\\partial w^{(l)}_{jk} = a^{(l-1)}_j \\delta^{(l)}_k$ of its weight; the arrows point
  the way the deltas flow, up from the output. With one sample the gradient of a bias is the delta of its
  unit, so the boxes carry the bias gradients too.

Input units show $x_j$ in both. Every number comes from the network when drawing (`net.forward`,
`net.deltas`, `net.gradients`); nothing is typed in, and the drawing returns what it drew
(:class:`NetworkDrawing`), so a page can assert that the numbers on the picture are the library's::

    drawn = {}
    figure(lambda fig: drawn.update(draw_network_values(fig, net, X, Y, "forward").numbers),
           alt=network_values_alt(net, X, Y, "forward"), figsize=network_values_figsize(net.sizes))

The drawing refuses overlapping boxes or labels (see `backprop.book.graphs.check_graph_layout`), so a
network too large to label legibly fails instead of printing a smudge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .graphs import GraphNode, check_graph_layout, draw_graph, layout_renderer
from .numbers import num, tex

__all__ = ["NetworkDrawing", "draw_network_values", "network_values", "network_values_alt",
           "network_values_figsize", "show_network_values"]

_DY = 1.9  # between layers (data units, about inches)
_VIEWS = ("forward", "backward")


@dataclass
class NetworkDrawing:
    """What :func:`draw_network_values` drew.

    ``numbers`` maps each drawn quantity to its value, with 1-based unit indices as in the book:
    ``("a", l, k)`` (``l = 0``: the input $x_k$), ``("b", l, k)``, ``("z", l, k)``, ``("delta", l, k)``,
    ``("w", l, j, k)`` (the weight $w^{(l)}_{jk}$, library ``W{l}[j-1, k-1]``) and ``("dw", l, j, k)`` (its
    gradient). ``texts`` maps the same keys to the TeX of the number as it appears on the figure.
    """

    ax: Any
    numbers: dict[tuple, float] = field(default_factory=dict)
    texts: dict[tuple, str] = field(default_factory=dict)


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
    """A figure size (inches) that keeps 12-pt text legible on a phone: 5 inches wide (3.2 for a chain of
    single units), 1.9 inches per layer from the top (inputs) to the bottom (outputs).

    >>> network_values_figsize([1, 1, 1]), network_values_figsize([3, 2, 1])
    ((3.2, 4.8), (5.0, 4.8))
    """
    return (5.0 if max(sizes) > 1 else 3.2, _DY * (len(sizes) - 1) + 1.0)


def _check_view(show: str) -> None:
    if show not in _VIEWS:
        raise ValueError(f"show must be 'forward' or 'backward', got {show!r}")


def _label_side(l: int, k: int, sizes: Sequence[int]) -> int:
    """-1 to write a line's label on its left, +1 on its right: outside the fan of lines that leave a unit,
    so each number sits next to its own line only."""
    return -1 if k < (sizes[l] - 1) / 2 else 1


def _last_subpath(path: Any) -> Any:
    """The last piece of a compound path (an arrow's head: the line is drawn first, then the head)."""
    from matplotlib.path import Path

    starts = np.flatnonzero(path.codes == Path.MOVETO) if path.codes is not None else [0]
    return Path(path.vertices[starts[-1]:], None if path.codes is None else path.codes[starts[-1]:])


def draw_network_values(fig_or_ax: Any, net: Any, X: Any, Y: Any, show: str = "backward",
                        digits: int = 4) -> NetworkDrawing:
    """Draw `net` from the inputs (top) to the outputs (bottom) with the numbers of the one sample `(X, Y)`:
    its forward pass (``show="forward"``) or its backward pass (``show="backward"``), see the module.

    The lines into unit $k$ of a layer, and the numbers beside them, take the colour `"C{k-1}"` of the
    cycle. Each number is placed beside its own line, at the first height where it touches no other line,
    label or box. Returns a :class:`NetworkDrawing` (the Axes, and every number drawn). Raises `ValueError`
    for more than one sample, an unknown view, or when a number finds no free place.
    """
    import matplotlib as mpl
    from matplotlib.path import Path
    from matplotlib.text import Annotation

    _check_view(show)
    values = network_values(net, X, Y)
    params, grads = net.params, values["grads"]
    sizes = net.sizes
    L = len(sizes) - 1
    ax = fig_or_ax.subplots() if hasattr(fig_or_ax, "subplots") else fig_or_ax
    drawing = NetworkDrawing(ax)
    spread = 3.4 / max(max(sizes) - 1, 1)  # the widest layer spans 3.4 data units (about 3.4 inches)

    def record(key: tuple, value: Any) -> str:
        value = float(value)
        drawing.numbers[key] = value
        drawing.texts[key] = tex(value, digits)
        return drawing.texts[key]

    def pos(l: int, k: int) -> tuple[float, float]:  # k is 0-based, unit 1 on the left
        return (k - (sizes[l] - 1) / 2) * spread, -l * _DY

    nodes, edges, colours = [], [], {}
    for l, n in enumerate(sizes):
        for k in range(n):
            key, unit = f"{l}:{k}", f"^{{({l})}}_{{{k + 1}}}"
            a = values["a"][l][k]
            if l == 0:
                nodes.append(GraphNode(key, pos(l, k), f"x_{{{k + 1}}} = {record(('a', 0, k + 1), a)}",
                                       leaf=True))
            elif show == "forward":  # three lines: the bias, z, a (node_text wraps the label in $...$)
                nodes.append(GraphNode(key, pos(l, k), f"b{unit} = {record(('b', l, k + 1), params[f'b{l}'][k])}$\n"
                                       f"$z{unit} = {record(('z', l, k + 1), values['z'][l][k])}$\n"
                                       f"$a{unit} = {record(('a', l, k + 1), a)}"))
            else:  # two lines: a, delta
                nodes.append(GraphNode(key, pos(l, k), f"a{unit} = {record(('a', l, k + 1), a)}$\n"
                                       f"$\\delta{unit} = {record(('delta', l, k + 1), values['delta'][l][k])}"))
    for l in range(1, L + 1):
        for j in range(sizes[l - 1]):
            for k in range(sizes[l]):
                down = (f"{l - 1}:{j}", f"{l}:{k}")
                edges.append(down if show == "forward" else down[::-1])
                if sizes[l] > 1:
                    colours[edges[-1]] = f"C{k % 6}"
    ax = draw_graph(ax, nodes, edges, digits=digits, pad=(0.75, 0.5), check=False, edge_colors=colours)
    drawing.ax = ax

    fig = ax.figure
    renderer = layout_renderer(fig)  # lay the figure out, then place the numbers in display coordinates
    node_boxes = [t.get_bbox_patch().get_window_extent(renderer) for t in ax.texts
                  if (t.get_gid() or "").startswith("bp-graph-node:")]
    segments = {(l, j, k): Path(ax.transData.transform([pos(l - 1, j), pos(l, k)]))
                for l in range(1, L + 1) for j in range(sizes[l - 1]) for k in range(sizes[l])}
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    fg = mpl.rcParams["text.color"]
    # Arrowheads are obstacles too (the lines are the segments above): a number over a head would hide it.
    heads = [_last_subpath(t.arrow_patch.get_transform().transform_path(t.arrow_patch.get_path()))
             .get_extents().padded(2.0) for t in ax.texts if isinstance(t, Annotation) and t.arrow_patch]
    placed = node_boxes + heads
    for l, j, k in segments:
        (x0, y0), (x1, y1) = pos(l - 1, j), pos(l, k)
        side = _label_side(l, k, sizes)
        colour = cycle[k % len(cycle)] if sizes[l] > 1 else fg
        if show == "forward":
            text = record(("w", l, j + 1, k + 1), params[f"W{l}"][j, k])
        else:
            text = record(("dw", l, j + 1, k + 1), grads[f"W{l}"][j, k])
        label = ax.annotate(f"${text}$", (x0, y0), xytext=(5 * side, 0),
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
            raise ValueError(f"no free place for the number of w({l})_{j + 1}{k + 1}: make the figure larger")
    check_graph_layout(fig)
    return drawing


def network_values_alt(net: Any, X: Any, Y: Any, show: str = "backward", digits: int = 4) -> str:
    """Alt text with the numbers of the drawing: for the forward view the inputs, the activations of each
    layer and the prediction; for the backward view the deltas of each layer and the largest weight gradient.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    >>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    >>> network_values_alt(net, [[0.5]], [[0.6]], "forward")[:72]
    'The 1-1-1 network drawn from the input at the top to the output at the b'
    """
    _check_view(show)
    v = network_values(net, X, Y)
    L = len(net.sizes) - 1

    def row(values: Any) -> str:
        return ", ".join(num(float(x), digits, trim=True) for x in values)

    inputs = "input" if net.sizes[0] == 1 else "inputs"
    outputs = "output" if net.sizes[L] == 1 else "outputs"
    head = (f"The {'-'.join(map(str, net.sizes))} network drawn from the {inputs} at the top to the {outputs} at "
            f"the bottom, with the {show} pass of one sample. ")
    back = "the input" if net.sizes[0] == 1 else "the inputs"
    hidden = range(1, L)
    if show == "forward":
        layers = "; ".join(f"layer {l}: {row(v['a'][l])}" for l in hidden)
        return (head + "Each line is labelled with its weight; each unit shows its bias, its pre-activation z and "
                f"its activation a. The {inputs} {'is' if net.sizes[0] == 1 else 'are'} {row(v['a'][0])}; the "
                f"activations are, by hidden layer, {layers}; the prediction is {row(v['a'][L])}.")
    grads = {key: G for key, G in v["grads"].items() if key.startswith("W")}
    _, key, (j, k) = max((abs(float(g)), key, idx) for key, G in grads.items() for idx, g in np.ndenumerate(G))
    n_weights = sum(G.size for G in grads.values())
    n_zero = sum(int(np.count_nonzero(G == 0)) for G in grads.values())
    zeros = f" {n_zero} of the {n_weights} weight gradients are exactly 0." if n_zero else ""
    deltas = "; ".join(f"layer {l}: {row(v['delta'][l])}" for l in range(L, 0, -1))
    return (head + f"Arrows point from the {outputs} back to {back}. Each unit shows its activation a and its "
            "delta, the derivative of the loss with respect to its pre-activation; each line shows the derivative "
            "of the loss with respect to its weight, the activation at its upper end times the delta at its lower "
            f"end. The deltas are, from the output back, {deltas}. The largest weight gradient in size is "
            f"{num(float(grads[key][j, k]), digits, trim=True)}, of the weight from unit {j + 1} of layer "
            f"{int(key[1:]) - 1} to unit {k + 1} of layer {key[1:]}.{zeros}")


def show_network_values(net: Any, X: Any, Y: Any, show: str, caption: str) -> dict[tuple, float]:
    """Show the drawing of :func:`draw_network_values` as a page figure (with its alt text and its size)
    and return the numbers it drew, for the page to check against its own computation."""
    from .pages import figure

    drawn: dict[str, NetworkDrawing] = {}

    def draw(fig: Any) -> None:
        drawn["drawing"] = draw_network_values(fig, net, X, Y, show)

    figure(draw, alt=network_values_alt(net, X, Y, show), caption=caption, figsize=network_values_figsize(net.sizes))
    return drawn["drawing"].numbers
