"""Backpropagation against finite differences, over random architectures and every activation x loss pair.

Tolerance: float64 relative error below 1e-7 (CS231n's |a-n|/(|a|+|n|)).  Two
kinds of entries are reported by check_gradients instead of being judged by
relative error, and the tests look at both so neither can hide a failure:
ReLU kinks (the stencil straddles z = 0, so the loss is not differentiable
there) and entries below the difference quotient's rounding noise
(|a - n| <= noise ~ 1e-12 for losses of order 1, where relative error measures
rounding, not the gradient).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop as bp

HIDDEN = ["identity", "sigmoid", "tanh", "relu"]
# Every (output activation, loss) pair the library accepts: a loss needs outputs in its domain.
PAIRS = [(out, "mse") for out in bp.ACTIVATIONS] + [
    ("sigmoid", "bce"), ("softmax", "bce"), ("softmax", "cross_entropy"), ("sigmoid", "cross_entropy")]


def targets(rng, loss, n, k):
    if loss == "mse":
        return rng.normal(size=(n, k))
    if loss == "bce":
        return rng.uniform(0, 1, size=(n, k))
    return rng.dirichlet(np.ones(k), size=n)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    hidden=st.lists(st.sampled_from(HIDDEN), min_size=3, max_size=3),
    pair=st.sampled_from(PAIRS),
    n=st.integers(1, 4),
    seed=st.integers(0, 2**16),
)
def test_backprop_matches_finite_differences(sizes, hidden, pair, n, seed):
    output, loss = pair
    if output == "softmax":
        sizes = sizes[:-1] + [max(2, sizes[-1])]  # a softmax over one unit is the constant 1
    rng = np.random.default_rng(seed)
    net = bp.MLP([rng.integers(1, 4)] + sizes, hidden=hidden[: len(sizes) - 1], output=output, loss=loss, seed=seed)
    X = rng.normal(size=(n, net.sizes[0]))
    Y = targets(rng, loss, n, net.sizes[-1])
    report = bp.check_gradients(net, X, Y)
    assert report.ok, str(report)
    for p in report.parameters.values():
        resolved = ~p.kink & (np.abs(p.analytic - p.numeric) > p.noise)
        assert np.all(p.rel_error[resolved] < 1e-7), str(report)
        # The floor is far below the gradient's own scale, so it cannot excuse a real error.
        assert p.noise <= 1e-9 * max(1.0, float(np.abs(p.analytic).max()))
    # Kinks are flagged, not hidden: only ReLU layers can produce them.
    if report.kinks:
        assert "relu" in [a.name for a in net.activations]


def test_kinks_are_detected_and_reported():
    net = bp.MLP([1, 1, 1], hidden="relu", seed=0)
    net.params.update(W1=np.array([[1.0]]), b1=np.array([-0.5 + 1e-4]), W2=np.array([[2.0]]), b2=np.array([0.0]))
    X, Y = np.array([[0.5]]), np.array([[1.0]])  # z1 = 1e-4, inside the stencil's reach of 0
    report = bp.check_gradients(net, X, Y)
    assert report.kinks > 0 and report.parameters["W1"].kink.all()
    assert "kinks" in str(report)


def test_a_wrong_derivative_is_caught():
    wrong = bp.Activation("tanh_wrong", np.tanh, lambda z: 1 - np.tanh(z))  # should be 1 - tanh^2
    net = bp.MLP([2, 3, 1], hidden=wrong, seed=0)
    X = np.random.default_rng(0).normal(size=(4, 2))
    report = bp.check_gradients(net, X, np.ones((4, 1)))
    assert not report.ok
    assert report.parameters["W2"].max_rel_error < 1e-7  # the output layer does not use f'
    assert report.parameters["W1"].max_rel_error > 1e-3
    with pytest.raises(AssertionError, match="FAILED"):
        report.raise_if_failed()


@pytest.mark.parametrize("order", [2, 4])
def test_both_stencils_and_parameters_restored(order):
    net = bp.MLP([3, 4, 2], hidden="sigmoid", loss="cross_entropy", seed=3)
    X = np.random.default_rng(1).normal(size=(5, 3))
    Y = np.eye(2)[[0, 1, 1, 0, 1]]
    before = {k: v.copy() for k, v in net.params.items()}
    report = bp.check_gradients(net, X, Y, order=order)
    assert report.ok, str(report)
    assert all(np.array_equal(before[k], net.params[k]) for k in before)


def test_float32_check_is_looser_but_passes():
    net = bp.MLP([3, 4, 1], hidden="tanh", seed=3, dtype=np.float32)
    X = np.random.default_rng(1).normal(size=(5, 3))
    report = bp.check_gradients(net, X, np.ones((5, 1)))
    assert report.tol == 1e-2 and report.ok, str(report)


def test_bad_step_and_order():
    net = bp.MLP([1, 1])
    with pytest.raises(ValueError, match="order must be 2 or 4"):
        bp.check_gradients(net, np.ones((1, 1)), np.ones((1, 1)), order=3)
    with pytest.raises(ValueError, match="h must be a positive finite number"):
        bp.check_gradients(net, np.ones((1, 1)), np.ones((1, 1)), h=0.0)


def test_entries_passing_only_by_noise_are_reported():
    # float32 with a tiny step: the difference quotient is mostly rounding noise. The check must say
    # so instead of quietly reporting success.
    net = bp.MLP([3, 4, 1], hidden="tanh", seed=3, dtype=np.float32)
    X = np.random.default_rng(1).normal(size=(5, 3))
    report = bp.check_gradients(net, X, np.ones((5, 1)), h=1e-4, order=2)
    assert sum(p.below_noise for p in report.parameters.values()) > 0
    assert "pass only because their difference is within the rounding noise" in str(report)
    # a well-chosen step in float64 resolves every entry: nothing passes by the noise clause alone
    net64 = bp.MLP([3, 4, 1], hidden="tanh", seed=3)
    report64 = bp.check_gradients(net64, X, np.ones((5, 1)))
    assert sum(p.below_noise for p in report64.parameters.values()) == 0 and "note:" not in str(report64)


def test_step_is_the_one_actually_taken_in_float32():
    # In float32, 1000 + 0.01 rounds to 1000.0098; dividing by the nominal h would bias the quotient by
    # about 1e-3 relative. z = W x + b = (1000 + step) - 999 is exact, so only the step matters here.
    net = bp.MLP([1, 1], loss="mse", seed=0, dtype=np.float32)
    net.params["W1"][:] = 1000.0
    net.params["b1"][:] = -999.0
    report = bp.check_gradients(net, np.array([[1.0]]), np.array([[0.0]]), h=1e-2, order=2)
    assert report.parameters["W1"].rel_error.max() < 1e-5, str(report)
