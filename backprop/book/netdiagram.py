"""Draw a fully connected network from its layer sizes, labelled with the book's notation.

A page draws a network with :func:`~backprop.book.figure`::

    from backprop.book.netdiagram import draw_network, network_alt, network_figsize
    sizes = [2, 3, 2, 1]
    figure(lambda fig: draw_network(fig, sizes), alt=network_alt(sizes), figsize=network_figsize(sizes))

One circle per unit (labelled $a^{(l)}_k$; input units $x_k = a^{(0)}_k$), one line per weight, a heading per
layer with its size $n_l$, and between two layers the shape of the weight matrix $W^{(l)}$ (rows: units of
layer $l-1$, columns: units of layer $l$). A few weights are labelled $w^{(l)}_{jk}$ (from unit $j$ of
layer $l-1$ to unit $k$ of layer $l$) so the index order can be read off the drawing.

Colours: units use the first colour of the cycle, lines and text the theme's axes and text colours (read
from ``rcParams`` when drawing: ``figure()`` turns them into CSS variables that follow the theme).
Only matplotlib is needed; nothing here imports ``backprop``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["draw_network", "network_alt", "network_figsize", "count_parameters"]


def count_parameters(sizes: Sequence[int]) -> tuple[int, int]:
    """``(weights, biases)`` of a fully connected network with layer sizes ``sizes``.

    >>> count_parameters([2, 3, 2, 1])
    (14, 6)
    """
    weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    return weights, sum(sizes[1:])


def network_alt(sizes: Sequence[int], extra: str = "") -> str:
    """Alt text computed from the layer sizes.

    >>> network_alt([2, 3, 2, 1])[:60]
    'Diagram of a fully connected network with layer sizes 2-3-2-'
    """
    weights, biases = count_parameters(sizes)
    L = len(sizes) - 1
    shapes = ", ".join(f"W{l} is {sizes[l - 1]} by {sizes[l]}" for l in range(1, L + 1))
    text = (
        f"Diagram of a fully connected network with layer sizes {'-'.join(map(str, sizes))}: "
        f"{sizes[0]} input units on the left, {L - 1} hidden layer{'s' if L != 2 else ''} and "
        f"{sizes[-1]} output unit{'s' if sizes[-1] != 1 else ''} on the right. Every unit is joined to every "
        f"unit of the next layer, {weights} lines, one per weight ({shapes}); with {biases} biases the network "
        f"has {weights + biases} parameters."
    )
    return f"{text} {extra}".strip()


def network_figsize(sizes: Sequence[int], scale: float | None = None) -> tuple[float, float]:
    """The figure size (inches) of :func:`draw_network`: ``scale`` inches per unit spacing (default 0.65, or 0.5
    for layers of more than 6 units), so the text keeps its size whatever the network."""
    scale = scale or (0.65 if max(sizes) <= 6 else 0.5)
    width = _DX * len(sizes) + 0.2
    height = max(sizes) + 2.4
    return (max(3.5, scale * width), scale * height)


_DX = 2.4  # horizontal distance between layers; units of a layer are 1 apart vertically
_R = 0.34  # radius of a unit


def _unit_label(l: int, k: int, L: int) -> str:
    return f"$x_{{{k}}}$" if l == 0 else f"$a^{{({l})}}_{{{k}}}$"


def draw_network(
    fig_or_ax: Any,
    sizes: Sequence[int],
    *,
    unit_labels: bool | None = None,
    weight_labels: Sequence[tuple[int, int, int]] | str | None = "auto",
    layer_names: bool = True,
    shapes: bool = True,
) -> Any:
    """Draw the network ``sizes`` (e.g. ``[2, 3, 2, 1]``) on a matplotlib Figure or Axes; return the Axes.

    ``unit_labels``: label each circle with $a^{(l)}_k$ (default: when no layer has more than 6 units, else
    none: the labels would not fit). ``weight_labels``: ``(l, j, k)`` triples (1-based) of
    weights to label $w^{(l)}_{jk}$; ``"auto"`` labels, in each layer, the weight from unit 1 to unit 1
    and (up to 6 units a layer) from the last unit to the last unit; ``None`` labels none.
    """
    import matplotlib as mpl
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Circle

    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes needs at least two positive layer sizes, got {sizes}")
    ax = fig_or_ax.subplots() if hasattr(fig_or_ax, "subplots") else fig_or_ax
    L = len(sizes) - 1
    tallest = max(sizes)
    dx, r = _DX, _R
    fg = mpl.rcParams["text.color"]
    edge = mpl.rcParams["axes.edgecolor"]
    unit_colour = mpl.rcParams["axes.prop_cycle"].by_key()["color"][0]
    font = 9 if tallest <= 6 else 7

    def pos(l: int, k: int) -> tuple[float, float]:  # k is 0-based, unit 1 at the top
        return l * dx, (sizes[l] - 1) / 2 - k

    # One line per weight, under the circles.
    n_weights = sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    lw = 0.9 if n_weights <= 40 else 0.5
    segments = []
    for l in range(1, L + 1):
        for j in range(sizes[l - 1]):
            for k in range(sizes[l]):
                (x0, y0), (x1, y1) = pos(l - 1, j), pos(l, k)
                # Stop at the circles' rims, so the translucent units stay clear of lines.
                length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
                ux, uy = (x1 - x0) / length * r, (y1 - y0) / length * r
                segments.append([(x0 + ux, y0 + uy), (x1 - ux, y1 - uy)])
    ax.add_collection(LineCollection(segments, colors=edge, linewidths=lw, alpha=0.75, zorder=1,
                                     capstyle="round"))

    if weight_labels == "auto":
        weight_labels = [(l, 1, 1) for l in range(1, L + 1)]
        if tallest <= 6:
            weight_labels += [(l, sizes[l - 1], sizes[l]) for l in range(1, L + 1) if sizes[l - 1] * sizes[l] > 1]
    for l, j, k in weight_labels or ():
        if not (1 <= l <= L and 1 <= j <= sizes[l - 1] and 1 <= k <= sizes[l]):
            raise ValueError(f"no weight w^({l})_{j}{k} in a {sizes} network")
        (x0, y0), (x1, y1) = pos(l - 1, j - 1), pos(l, k - 1)
        t = 0.3
        xm, ym = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
        sep = "," if max(j, k) > 9 else ""
        below = (j, k) != (1, 1)  # the last-to-last weights are labelled under their line
        ax.annotate(f"$w^{{({l})}}_{{{j}{sep}{k}}}$", (xm, ym), xytext=(0, -4 if below else 4),
                    textcoords="offset points", ha="center", va="top" if below else "bottom",
                    fontsize=font + 1, color=fg, zorder=4)

    if unit_labels is None:
        unit_labels = tallest <= 6
    for l, n in enumerate(sizes):
        for k in range(n):
            x, y = pos(l, k)
            # An opaque disc in the page's own colour would need the theme's background; instead a
            # translucent fill over an opaque ring of the unit colour hides the lines well enough.
            ax.add_patch(Circle((x, y), r, facecolor=mpl.colors.to_rgba(unit_colour, 0.12 if l == 0 else 0.3),
                                edgecolor=unit_colour, lw=1.4, zorder=2, linestyle="--" if l == 0 else "-"))
            if unit_labels:
                ax.text(x, y, _unit_label(l, k + 1, L), ha="center", va="center", fontsize=font,
                        color=fg, zorder=3)

    top = (tallest - 1) / 2 + r
    if layer_names:
        for l, n in enumerate(sizes):
            role = "input" if l == 0 else ("output" if l == L else "hidden")
            ax.text(l * dx, top + 0.35, f"layer {l} ({role})\n$n_{{{l}}} = {n}$", ha="center", va="bottom",
                    fontsize=font + 1, color=fg)
    if shapes:
        for l in range(1, L + 1):
            ax.text((l - 0.5) * dx, -top - 0.3, f"$W^{{({l})}}$: ${sizes[l - 1]}\\times{sizes[l]}$",
                    ha="center", va="top", fontsize=font + 1, color=fg)

    ax.set_xlim(-dx / 2 - 0.1, L * dx + dx / 2 + 0.1)
    ax.set_ylim(-top - (1.0 if shapes else 0.2), top + (1.25 if layer_names else 0.2))
    ax.set_aspect("equal")
    ax.axis("off")
    return ax
