"""The worked-network drawing (backprop.book.netvalues): its numbers are the library's, and it refuses
what it cannot draw legibly."""

from __future__ import annotations

import numpy as np
import pytest

import backprop as bp
from backprop.book.netvalues import draw_network_values, network_values, network_values_alt, network_values_figsize
from backprop.book.pages import svg_figure_html


def three_two_one():
    net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    net.params.update(W1=np.array([[0.2, 0.7], [-0.4, 0.3], [0.1, -0.5]]), b1=np.array([0.1, -0.2]),
                      W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
    return net, np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])


def test_the_numbers_are_the_librarys():
    net, X, Y = three_two_one()
    v = network_values(net, X, Y)
    fp, deltas, grads = net.forward(X), net.deltas(X, Y), net.gradients(X, Y)
    for l in (1, 2):
        assert np.array_equal(v["z"][l], fp.z[l][0]) and np.array_equal(v["a"][l], fp.a[l][0])
        assert np.array_equal(v["delta"][l], deltas[l][0])
    assert all(np.array_equal(v["grads"][k], grads[k]) for k in grads)


def test_the_drawing_shows_every_unit_and_weight_and_fits_a_phone():
    net, X, Y = three_two_one()
    seen = {}

    def draw(fig):
        ax = draw_network_values(fig, net, X, Y)
        seen["texts"] = [t.get_text() for t in ax.texts if t.get_text()]

    html = svg_figure_html(draw, alt=network_values_alt(net, X, Y), figsize=network_values_figsize(net.sizes))
    assert "<svg" in html
    texts = seen["texts"]
    assert sum("x_{" in t for t in texts) == 3 and sum("delta" in t for t in texts) == 3
    weight_labels = [t for t in texts if t.startswith("$") and "=" not in t]
    assert len(weight_labels) == 3 * 2 + 2 * 1  # one number per weight
    assert "$-1.153$" in weight_labels  # dL/dW1[2, 1], the largest gradient


def test_alt_text_names_the_largest_weight_gradient():
    net, X, Y = three_two_one()
    alt = network_values_alt(net, X, Y)
    g = net.gradients(X, Y)["W1"]
    assert np.unravel_index(np.argmax(np.abs(g)), g.shape) == (2, 1)
    assert "from unit 3 of layer 0 to unit 2 of layer 1" in alt and "−1.153" in alt


def test_more_than_one_sample_is_refused():
    net, X, Y = three_two_one()
    with pytest.raises(ValueError, match="one sample"):
        network_values(net, np.vstack([X, X]), np.vstack([Y, Y]))


def test_a_network_too_wide_for_its_figure_is_refused():
    net = bp.MLP([6, 6, 1], hidden="tanh", loss="mse", seed=0)
    X, Y = np.ones((1, 6)), np.zeros((1, 1))
    with pytest.raises(ValueError, match="overlap|no free place"):
        svg_figure_html(lambda fig: draw_network_values(fig, net, X, Y), alt="Too wide.",
                        figsize=network_values_figsize(net.sizes))
