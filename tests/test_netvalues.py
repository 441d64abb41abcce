"""The worked-network drawing (backprop.book.netvalues): its numbers are the library's, it says what it
drew, and it refuses what it cannot draw legibly."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Annotation

import backprop as bp
from backprop.book.netvalues import (
    _last_subpath,
    draw_network_values,
    network_values,
    network_values_alt,
    network_values_figsize,
    show_network_values,
)
from backprop.book.numbers import tex
from backprop.book.pages import svg_figure_html


def three_two_one():
    net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    net.params.update(W1=np.array([[0.2, 0.7], [-0.4, 0.3], [0.1, -0.5]]), b1=np.array([0.1, -0.2]),
                      W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
    return net, np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])


def one_one_one():
    net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    return net, np.array([[0.5]]), np.array([[0.6]])


def drawn(net, X, Y, show):
    """Draw through the book's figure pipeline (which applies the guards); return the drawing."""
    out = {}

    def draw(fig):
        out["drawing"] = draw_network_values(fig, net, X, Y, show)

    html = svg_figure_html(draw, alt=network_values_alt(net, X, Y, show), figsize=network_values_figsize(net.sizes))
    assert "<svg" in html
    return out["drawing"]


def library_value(net, X, Y, key):
    """The library's number for a key of NetworkDrawing.numbers (1-based unit indices)."""
    fp, deltas, grads = net.forward(X), net.deltas(X, Y), net.gradients(X, Y)
    name, l, *idx = key
    if name in ("w", "dw"):
        j, k = idx
        return (net.params if name == "w" else grads)[f"W{l}"][j - 1, k - 1]
    (k,) = idx
    return {"a": lambda: fp.a[l][0, k - 1], "z": lambda: fp.z[l][0, k - 1], "b": lambda: net.params[f"b{l}"][k - 1],
            "delta": lambda: deltas[l][0, k - 1]}[name]()


@pytest.mark.parametrize("make", [three_two_one, one_one_one])
@pytest.mark.parametrize("show", ["forward", "backward"])
def test_every_number_drawn_is_the_librarys_and_is_on_the_figure(make, show):
    net, X, Y = make()
    d = drawn(net, X, Y, show)
    sizes = net.sizes
    n_units, n_weights = sum(sizes[1:]), sum(a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
    per_unit = {"forward": ("b", "z", "a"), "backward": ("a", "delta")}[show]
    expected_keys = ({("a", 0, k) for k in range(1, sizes[0] + 1)}
                     | {(name, l, k) for l in range(1, len(sizes)) for k in range(1, sizes[l] + 1) for name in per_unit}
                     | {("w" if show == "forward" else "dw", l, j, k) for l in range(1, len(sizes))
                        for j in range(1, sizes[l - 1] + 1) for k in range(1, sizes[l] + 1)})
    assert set(d.numbers) == expected_keys
    assert len(d.numbers) == sizes[0] + len(per_unit) * n_units + n_weights
    for key, value in d.numbers.items():
        assert value == library_value(net, X, Y, key), key
        assert d.texts[key] == tex(value)
    shown = " ".join(t.get_text() for t in d.ax.texts)
    for key, text in d.texts.items():
        assert f"= {text}$" in shown or f"${text}$" in shown, (key, text)


def test_weight_labels_are_numbers_beside_their_lines():
    net, X, Y = three_two_one()
    d = drawn(net, X, Y, "backward")
    labels = [t.get_text() for t in d.ax.texts if (t.get_gid() or "").startswith("bp-graph-node:w")]
    assert len(labels) == 3 * 2 + 2 * 1  # one number per weight
    assert "$-1.153$" in labels  # dL/dW1[2, 1], the largest gradient


@pytest.mark.parametrize("show, down", [("forward", True), ("backward", False)])
def test_arrows_point_the_way_the_numbers_flow(show, down):
    net, X, Y = three_two_one()
    d = drawn(net, X, Y, show)
    arrows = [t for t in d.ax.texts if isinstance(t, Annotation) and t.arrow_patch is not None]
    assert len(arrows) == 8
    for a in arrows:
        (_, y_from), (_, y_to) = a.xyann, a.xy  # xyann: the tail (xytext), xy: the head
        assert (y_to < y_from) == down


def test_no_number_covers_an_arrowhead():
    net, X, Y = three_two_one()
    d = drawn(net, X, Y, "backward")
    renderer = d.ax.figure.canvas.get_renderer()
    heads = [_last_subpath(t.arrow_patch.get_transform().transform_path(t.arrow_patch.get_path())).get_extents()
             for t in d.ax.texts if isinstance(t, Annotation) and t.arrow_patch is not None]
    labels = [t.get_bbox_patch().get_window_extent(renderer) for t in d.ax.texts
              if (t.get_gid() or "").startswith("bp-graph-node:w")]
    assert len(heads) == 8 and len(labels) == 8
    assert not any(label.overlaps(head) for label in labels for head in heads)


def test_the_numbers_match_network_values():
    net, X, Y = three_two_one()
    v = network_values(net, X, Y)
    fp, deltas, grads = net.forward(X), net.deltas(X, Y), net.gradients(X, Y)
    for l in (1, 2):
        assert np.array_equal(v["z"][l], fp.z[l][0]) and np.array_equal(v["a"][l], fp.a[l][0])
        assert np.array_equal(v["delta"][l], deltas[l][0])
    assert all(np.array_equal(v["grads"][k], grads[k]) for k in grads)


def test_alt_text_says_what_each_view_shows():
    net, X, Y = three_two_one()
    forward, backward = network_values_alt(net, X, Y, "forward"), network_values_alt(net, X, Y, "backward")
    assert "inputs are 1, 0.5, −1.5" in forward and "prediction is 0.2315" in forward
    g = net.gradients(X, Y)["W1"]
    assert np.unravel_index(np.argmax(np.abs(g)), g.shape) == (2, 1)
    assert "from unit 3 of layer 0 to unit 2 of layer 1" in backward and "−1.153" in backward
    assert "4 of the 8 weight gradients are exactly 0" in backward  # the inactive unit's 3 inputs and 1 output
    one = network_values_alt(*one_one_one(), "backward")
    assert "back to the input." in one and "exactly 0" not in one


def test_bad_requests_are_refused():
    net, X, Y = three_two_one()
    with pytest.raises(ValueError, match="one sample"):
        network_values(net, np.vstack([X, X]), np.vstack([Y, Y]))
    with pytest.raises(ValueError, match="show must be"):
        network_values_alt(net, X, Y, "both")
    with pytest.raises(ValueError, match="show must be"):
        svg_figure_html(lambda fig: draw_network_values(fig, net, X, Y, "sideways"), alt="A network.")


def test_a_network_too_wide_for_its_figure_is_refused():
    net = bp.MLP([6, 6, 1], hidden="tanh", loss="mse", seed=0)
    X, Y = np.ones((1, 6)), np.zeros((1, 1))
    with pytest.raises(ValueError, match="overlap|no free place"):
        svg_figure_html(lambda fig: draw_network_values(fig, net, X, Y), alt="Too wide.",
                        figsize=network_values_figsize(net.sizes))


def test_lines_and_numbers_into_unit_k_take_colour_k():
    import matplotlib as mpl
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    net, X, Y = three_two_one()
    cycle = ["#111111", "#222222", "#333333", "#444444", "#555555", "#666666"]
    with mpl.rc_context({"axes.prop_cycle": mpl.cycler(color=cycle), "text.color": "#000001"}):
        d = draw_network_values(Figure(figsize=network_values_figsize(net.sizes)), net, X, Y, "forward")
    labels = {t.get_gid(): to_hex(t.get_color()) for t in d.ax.texts
              if (t.get_gid() or "").startswith("bp-graph-node:w")}
    for j in range(3):
        for k in range(2):  # layer 1 has two units: unit k + 1 takes colour C{k}
            assert labels[f"bp-graph-node:w1:{j}:{k}"] == cycle[k]
    arrows = [t for t in d.ax.texts if isinstance(t, Annotation) and t.arrow_patch is not None]
    into = {}
    for a in arrows:
        into.setdefault(round(a.xy[0], 6), set()).add(to_hex(a.arrow_patch.get_edgecolor()))
    layer1_heads = sorted(x for x in into if len(into[x] & {cycle[0], cycle[1]}))
    assert [into[x] for x in layer1_heads] == [{cycle[0]}, {cycle[1]}]  # left unit C0, right unit C1
    assert labels["bp-graph-node:w2:0:0"] == "#000001"  # a single output unit: the text colour


def test_show_network_values_shows_the_figure_and_returns_its_numbers(monkeypatch):
    """The pages' one call: the figure goes to the page (display) with the drawing's alt text, and the
    numbers returned are the drawing's, which are the library's."""
    from backprop.book import pages

    shown = []
    monkeypatch.setattr(pages, "_display", lambda obj: shown.append(obj._repr_html_()))
    net, X, Y = three_two_one()
    numbers = show_network_values(net, X, Y, "backward", "A caption.")
    assert numbers == drawn(net, X, Y, "backward").numbers
    assert len(shown) == 1 and "<figcaption>A caption.</figcaption>" in shown[0]
    assert network_values_alt(net, X, Y, "backward")[:60] in shown[0]
