"""Backpropagation against finite differences, over random architectures and every activation x loss pair.

Tolerance: float64 relative error below 1e-7 (CS231n's |a-n|/(|a|+|n|)).  Two
kinds of entries are reported by check_gradients instead of being judged by
relative error, and the tests look at both so neither can hide a failure:
ReLU kinks (the stencil straddles z = 0, so the loss is not differentiable
there) and entries below the difference quotient's rounding noise
(|a - n| <= noise, about 1e-13 to 1e-11 in float64, measured for each check;
there relative error measures rounding, not the gradient).
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop as bp

HIDDEN = ["identity", "sigmoid", "tanh", "relu"]
# Every (output activation, loss) pair the library accepts: a loss needs outputs in its domain.
PAIRS = [(out, "mse") for out in bp.ACTIVATIONS] + [
    ("sigmoid", "bce"), ("softmax", "bce"), ("softmax", "cross_entropy")]


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
        assert not np.any(resolved & (p.analytic == 0)), str(report)  # an exact zero is judged absolutely
        assert np.all(p.rel_error[resolved] < 1e-7), str(report)
        # The floor is below what the tolerance resolves on the network's largest gradients, so it cannot
        # excuse an error there. (It is measured, not assumed: BCE on a softmax output computes 1 - yhat
        # by cancellation, and its noise can reach 1e-8 of the gradient.)
        scale = max(float(np.abs(q.analytic).max()) for q in report.parameters.values())
        assert p.noise <= report.tol * max(1.0, scale), str(report)
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


# ------------------------------------------------------------------------------ issue 12 and issue 11 item 1
def confident_iris(dtype=np.float64):
    """4-16-3 tanh/softmax trained on standardised Iris to a training loss of about 3e-5 (float64)."""
    X, y, _ = bp.datasets.load_iris()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    Y = bp.datasets.one_hot(y)
    net = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0, dtype=dtype)
    net.fit(X, Y, epochs=1000 if dtype == np.float64 else 500, lr=2.0, batch_size=5)
    return net, X, Y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_no_false_alarm_on_a_confident_network(dtype):  # defect 4: FAILED on correct gradients
    # The loss is tiny but the terms it is computed from are of order 1: a noise floor of eps * |loss| was far
    # below the quotient's real rounding error (float64: about 1e-14 against a floor of 1e-16; float32: relative
    # error 1.0 in W1, b1 and W2).
    net, X, y = confident_iris(dtype)
    assert net.loss(X, y) < 1e-3
    report = bp.check_gradients(net, X, y)
    assert report.ok, str(report)
    # The floor is not loose: it is within 100 x the quotient's actual rounding error here, and in float64 it
    # cannot excuse an error that the tolerance would catch on the largest gradients.
    worst = max(p.max_abs_error for p in report.parameters.values())
    scale = max(float(np.abs(p.analytic).max()) for p in report.parameters.values())
    noise = report.parameters["W1"].noise
    assert noise < 100 * worst, (noise, worst)
    if dtype == np.float64:
        assert noise < report.tol * scale, (noise, scale)


def test_no_false_alarm_when_the_loss_is_quantised_coarser_than_it_changes():
    # A classifier so confident that its loss is 7e-14: the loss of a sample is ln(1 + s) with s ~ 1e-14, and
    # 1 + s rounds to a multiple of eps, so the loss moves in steps of eps/N (3.7e-17) and is flat between them.
    # Along the noise measurement's ray (sqrt(eps) of each parameter) it did not move at all: the measured noise
    # was 0, the floor fell back to eps |L| (1.6e-29, twelve orders too small) and correct gradients, of order
    # 1e-13, FAILED on quotients that are those steps divided by h. Moré and Wild's remedy for a flat table
    # (half the differences 0): measure again 100 times farther apart.
    rng = np.random.default_rng(0)
    y = np.arange(6) % 3
    X = rng.normal(size=(6, 2)) * 0.3 + np.array([[2, 0], [-1, 1.7], [-1, -1.7]])[y]
    net = bp.MLP([2, 4, 3], hidden="tanh", loss="cross_entropy", seed=0)
    net.fit(X, y, epochs=300, lr=2.0)
    net.params["W2"] *= 4
    net.params["b2"] *= 4
    loss = net.loss(X, y)
    assert 1e-14 < loss < 1e-12
    report = bp.check_gradients(net, X, y)
    assert report.ok, str(report)
    assert report.loss_noise > 1e-3 * np.finfo(float).eps / len(y), report.loss_noise  # the steps, not eps |L|
    # A wrong derivative is still caught where the gradient is large enough to see.
    net.params["W2"] /= 4
    net.params["b2"] /= 4
    off = 1 + 1e-4
    net.activations[0] = bp.Activation("tanh", bp.tanh, lambda z: off * bp.tanh_grad(z), (-1.0, 1.0))
    assert not bp.check_gradients(net, X, y).ok


def test_a_flat_loss_does_not_inflate_the_noise_floor():
    # A dead ReLU output (z = -0.046 for the only sample): the loss is constant near the parameters, so the noise
    # measurement sees a flat table and widens. Widened, its ray crossed the kink at z = 0, and the kink was taken
    # for noise: nu = 9e-4 and a floor of 13.6, which would pass any gradient. A wider measurement must stay clear
    # of kinks and detect noise, or the flat one stands.
    net = bp.MLP([2, 3, 1], hidden="tanh", output="relu", loss="mse", seed=1)
    X, Y = np.array([[0.82161814, 0.33043708]]), np.array([[-1.30315723]])
    assert -0.05 < net.forward(X).z[-1][0, 0] < 0
    report = bp.check_gradients(net, X, Y)
    assert report.ok and report.zeros == report.entries, str(report)
    assert report.loss_noise < 1e-14 and all(p.noise < 1e-10 for p in report.parameters.values()), str(report)


def test_a_small_error_is_still_caught_on_a_confident_network():
    net, X, y = confident_iris()
    off = 1 + 1e-5  # a derivative wrong by one part in 100 000
    net.activations[0] = bp.Activation("tanh", bp.tanh, lambda z: off * bp.tanh_grad(z), (-1.0, 1.0))
    report = bp.check_gradients(net, X, y)
    assert not report.ok and report.parameters["W1"].max_rel_error > 1e-6, str(report)


def test_an_interrupted_check_restores_every_parameter():  # defect 3: a weight was left off by h
    net = bp.MLP([3, 4, 2], hidden="tanh", seed=1)
    X = np.random.default_rng(0).normal(size=(5, 3))
    before = {k: v.copy() for k, v in net.params.items()}
    calls = 0

    def tanh_until_interrupted(z):
        nonlocal calls
        calls += 1
        if calls == 40:
            raise KeyboardInterrupt
        return np.tanh(z)

    net.activations[0] = bp.Activation("tanh", tanh_until_interrupted, bp.tanh_grad, (-1.0, 1.0))
    with pytest.raises(KeyboardInterrupt):
        bp.check_gradients(net, X, np.zeros((5, 2)))
    assert all(np.array_equal(before[k], net.params[k]) for k in before)


def net_321():
    """The book's 3-2-1 example: hidden unit 1 is silenced by ReLU, so five gradients are exactly 0."""
    net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    net.params.update(W1=np.array([[0.2, 0.7], [-0.4, 0.3], [0.1, -0.5]]), b1=np.array([0.1, -0.2]),
                      W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
    return net, np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])


def test_exact_zero_gradients_are_judged_absolutely_and_reported():  # issue 11, item 1
    net, X, Y = net_321()
    report = bp.check_gradients(net, X, Y)
    zero = {k: p.zero for k, p in report.parameters.items()}
    assert report.ok and report.zeros == 5 and report.kinks == 0, str(report)
    assert zero["W1"][:, 0].all() and zero["b1"][0] and zero["W2"][0, 0] and not zero["b2"].any()
    for p in report.parameters.values():
        assert np.all(np.isnan(p.rel_error[p.zero])) and np.all(np.abs(p.numeric[p.zero]) <= p.noise)
        assert np.all(p.rel_error[~p.zero] < 1e-9)
    assert report.max_rel_error < 1e-9  # the relative error of 1 a zero entry would give is not in the maximum
    assert "5 entries have an exact zero gradient; they were judged by the absolute difference" in str(report)
    # A nonzero estimate of an exact zero above the floor fails.
    report.parameters["b1"].numeric[0] = 10 * report.parameters["b1"].noise
    assert not report.ok


def test_verified_entries_are_counted_and_kinks_are_not_verified():
    net = bp.MLP([1, 1, 1], hidden="relu", seed=0)
    net.params.update(W1=np.array([[1.0]]), b1=np.array([-0.5 + 1e-4]), W2=np.array([[2.0]]), b2=np.array([0.0]))
    report = bp.check_gradients(net, np.array([[0.5]]), np.array([[1.0]]))
    assert report.kinks == 2 and report.verified == 2 and report.entries == 4
    assert "verified 2 of 4 entries" in str(report) and "2 entries were skipped" in str(report)


def test_a_random_sample_of_entries():
    net = bp.MLP([30, 20, 4], hidden="tanh", loss="cross_entropy", seed=0)
    X = np.random.default_rng(0).normal(size=(6, 30))
    y = np.arange(6) % 4
    report = bp.check_gradients(net, X, y, sample=7, seed=3)
    W1 = report.parameters["W1"]
    assert report.ok and W1.checked.sum() == 7 and np.isnan(W1.numeric[~W1.checked]).all()
    assert report.verified == 7 + 7 + 7 + 4 and "a random sample of at most 7 entries" in str(report)
    again = bp.check_gradients(net, X, y, sample=7, seed=3)
    assert np.array_equal(again.parameters["W1"].checked, W1.checked)
    full = bp.check_gradients(net, X, y)
    np.testing.assert_array_equal(full.parameters["W1"].numeric[W1.checked], W1.numeric[W1.checked])
    with pytest.raises(ValueError, match="sample must be a positive integer or None"):
        bp.check_gradients(net, X, y, sample=0)


def test_each_entry_costs_one_forward_pass_per_stencil_point():
    def passes(sizes, order):
        net = bp.MLP(sizes, hidden="relu", seed=0)
        X, Y = np.random.default_rng(0).normal(size=(4, sizes[0])), np.zeros((4, sizes[-1]))
        calls = 0

        def counted_relu(z):
            nonlocal calls
            calls += 1
            return bp.relu(z)

        net.activations[0] = bp.Activation("relu", counted_relu, bp.relu_grad, (0.0, np.inf), (0.0,), init="he")
        report = bp.check_gradients(net, X, Y, order=order)
        assert report.ok and not any(p.truncation.any() for p in report.parameters.values())
        return calls, report.entries

    for order in (2, 4):
        (small, n_small), (large, n_large) = passes([2, 3, 1], order), passes([5, 7, 2], order)
        # The kink test reuses the loss's forward pass: `order` passes per entry, a fixed number per check.
        assert large - small == order * (n_large - n_small), (order, small, large)
        assert small - order * n_small == 11  # the gradient, the kink pattern, 8 for the noise, 1 for rounding


def test_at_a_perfect_fit_the_gradient_is_reported_as_too_small_to_resolve():
    # One sample fitted exactly: the gradient is zero up to rounding, below what a finite difference can see
    # (its truncation error, and backpropagation's own rounding where Yhat - Y is itself a rounding error).
    net = bp.MLP([1, 3, 1], hidden="tanh", seed=0)
    X, Y = np.array([[0.5]]), np.array([[0.3]])
    net.fit(X, Y, epochs=3000, lr=0.5)
    assert net.loss(X, Y) < 1e-30
    report = bp.check_gradients(net, X, Y)
    assert report.ok and report.unresolved > 0 and report.max_rel_error > 0.1, str(report)
    assert "too small to resolve" in str(report)
    assert all(np.all(p.abs_error[p.judged] <= p.error_bound[p.judged]) for p in report.parameters.values())


def test_a_loss_even_in_a_parameter_gives_a_quotient_of_exactly_zero():
    # L(w) = tanh(89 w)^2 / 2 at w = 0: tanh is odd in floating point too, so L(kh) == L(-kh) for every step of
    # the stencil and the quotient must be exactly 0, like backpropagation's gradient. Summed in stencil order,
    # -L(2h) + 8 L(h) - 8 L(-h) + L(-2h) keeps the rounding of its first partial sum (1.4e-16 here), which then
    # had to be excused by a truncation estimate (two more forward passes per stencil point).
    net = bp.MLP([1, 1, 1], hidden="tanh", seed=0)
    net.params.update(W1=np.array([[0.0]]), b1=np.array([0.0]), W2=np.array([[1.0]]), b2=np.array([0.0]))
    for order in (2, 4):
        report = bp.check_gradients(net, np.array([[89.0]]), np.array([[0.0]]), order=order)
        W1 = report.parameters["W1"]
        assert W1.analytic[0, 0] == 0 and W1.numeric[0, 0] == 0 and W1.truncation[0, 0] == 0, (order, str(report))
        assert report.ok and report.zeros >= 1


def test_a_loss_that_is_not_finite_cannot_be_checked():
    net = bp.MLP([1, 1], loss="mse", seed=0)
    net.params["W1"][:] = 1e200
    with np.errstate(over="ignore"), pytest.raises(ValueError, match="the loss is inf at these parameters"):
        bp.check_gradients(net, np.array([[1e200]]) / 1e100, np.zeros((1, 1)))


def test_a_loss_on_the_edge_of_overflow_cannot_be_checked():
    net = bp.MLP([1, 1], loss="mse", seed=0)
    net.params["W1"][:] = np.sqrt(np.finfo(np.float64).max) * (1 - 1e-8)  # z**2 finite, but not a step away
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(ValueError, match="overflows next to these"):
        bp.check_gradients(net, np.array([[1.0]]), np.zeros((1, 1)))
