"""The L2 penalty (weight decay) and inverted dropout: training only, gradients checked with the mask held fixed,
and tests that a wrong gradient would fail.

Tolerance: float64 relative error below 1e-7 (check_gradients' default), float32 1e-2.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop as bp


def data(n=12, n_in=3, n_out=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))


# -- L2 ---------------------------------------------------------------------------------------------------------
def test_the_l2_penalty_is_in_the_training_loss_only():
    X, Y = data()
    net = bp.MLP([3, 5, 2], hidden="tanh", l2=0.3, seed=0)
    plain = bp.MLP([3, 5, 2], hidden="tanh", seed=0)
    penalty = 0.15 * sum(float(np.sum(net.params[k] ** 2)) for k in ("W1", "W2"))  # biases are not penalised
    assert net.loss(X, Y) == plain.loss(X, Y)
    assert net.loss(X, Y, train=True) == pytest.approx(plain.loss(X, Y) + penalty, rel=1e-15)
    fp = net.forward(X, Y, train=True)
    assert fp.penalty == pytest.approx(penalty, rel=1e-15)


def test_the_l2_gradient_adds_alpha_w_to_the_weights_only():
    X, Y = data()
    net = bp.MLP([3, 5, 2], hidden="tanh", l2=0.3, seed=0)
    data_grads = net.gradients(X, Y)
    grads = net.gradients(X, Y, train=True)
    for k in net.params:
        extra = 0.3 * net.params[k] if k.startswith("W") else 0.0
        np.testing.assert_allclose(grads[k], data_grads[k] + extra, rtol=1e-14, atol=1e-16)
    report = bp.check_gradients(net, X, Y, train=True)
    assert report.ok and report.max_rel_error < 1e-7, report


def test_a_wrong_l2_gradient_is_caught():
    X, Y = data()
    net = bp.MLP([3, 5, 2], hidden="tanh", l2=0.3, seed=0)
    original = bp.network.l2_penalty
    try:  # a penalty of (alpha/4) sum w^2 in the loss, while the gradient still adds alpha W
        bp.network.l2_penalty = lambda weights, alpha: original(weights, alpha / 2)
        assert not bp.check_gradients(net, X, Y, train=True).ok
    finally:
        bp.network.l2_penalty = original


def test_with_sgd_the_penalty_is_shrinkage_then_the_data_step():
    X, Y = data()
    net, ref = bp.MLP([3, 4, 2], l2=0.2, seed=1), bp.MLP([3, 4, 2], seed=1)
    net.fit(X, Y, epochs=1, lr=0.5)
    g = ref.gradients(X, Y)
    for k in ref.params:
        shrink = (1 - 0.5 * 0.2) if k.startswith("W") else 1.0
        np.testing.assert_allclose(net.params[k], shrink * ref.params[k] - 0.5 * g[k], rtol=1e-13, atol=1e-15)


def test_adam_with_l2_and_adamw_differ():
    # The same alpha: under Adam the penalty's gradient is divided by sqrt(r-hat) with the data's gradient;
    # AdamW shrinks each weight by lr * alpha * w whatever its gradient.
    X, Y = data(40, seed=3)
    a = bp.MLP([3, 6, 2], hidden="tanh", l2=0.1, seed=2)
    b = bp.MLP([3, 6, 2], hidden="tanh", seed=2)
    a.fit(X, Y, epochs=30, lr=0.01, optimiser="adam")
    b.fit(X, Y, epochs=30, lr=0.01, optimiser=bp.AdamW(weight_decay=0.1))
    difference = max(float(np.abs(a.params[k] - b.params[k]).max()) for k in a.params)
    assert difference > 1e-3
    # With plain gradient descent the two are the same thing (checked above for SGD + l2); with a zero
    # data gradient AdamW is exactly exponential decay, (1 - lr alpha)^t.
    params = {"W1": np.ones((1, 1))}
    opt = bp.AdamW(weight_decay=0.1)
    for _ in range(10):
        opt.step(params, {"W1": np.zeros((1, 1))}, 0.01)
    assert params["W1"][0, 0] == pytest.approx((1 - 0.001) ** 10, rel=1e-14)


# -- dropout ----------------------------------------------------------------------------------------------------
def test_prediction_never_drops_units():
    X, _ = data()
    net = bp.MLP([3, 6, 6, 2], hidden="relu", dropout=0.5, seed=0)
    plain = bp.MLP([3, 6, 6, 2], hidden="relu", seed=0)
    assert all(np.array_equal(net.params[k], plain.params[k]) for k in net.params)
    state = net.rng.bit_generator.state
    np.testing.assert_array_equal(net.predict(X), plain.predict(X))
    assert net.rng.bit_generator.state == state  # prediction draws no mask
    assert net.forward(X).masks == [None] * 4


def test_the_training_pass_multiplies_hidden_activations_by_the_mask():
    X, _ = data(200)
    net = bp.MLP([3, 50, 40, 2], hidden="tanh", dropout=[0.3, 0.6], seed=0)
    fp = net.forward(X, train=True)
    assert fp.masks[0] is None and fp.masks[3] is None  # never the input or the output
    for l, rate in ((1, 0.3), (2, 0.6)):
        M = fp.masks[l]
        assert set(np.unique(M)) == {0.0, 1 / (1 - rate)}
        assert abs((M == 0).mean() - rate) < 0.03  # 10,000 and 8,000 draws: 4 standard deviations
        np.testing.assert_array_equal(fp.a[l], fp.unmasked[l] * M)
        np.testing.assert_array_equal(fp.unmasked[l], np.tanh(fp.z[l]))


def test_inverted_scaling_keeps_the_mean_activation():
    # One hidden layer: its activations before the mask do not depend on the mask, so averaging the masked
    # activations over many masks gives back the unmasked ones (the 1/q makes E[mask] = 1).
    X, _ = data(4)
    net = bp.MLP([3, 5, 1], hidden="sigmoid", dropout=0.4, seed=0)
    masked = np.mean([net.forward(X, train=True).a[1] for _ in range(4000)], axis=0)
    np.testing.assert_allclose(masked, net.forward(X).a[1], rtol=0.05)


def test_masks_are_seeded_by_the_network():
    X, Y = data()
    a = bp.MLP([3, 6, 2], dropout=0.5, seed=4)
    b = bp.MLP([3, 6, 2], dropout=0.5, seed=4)
    a.fit(X, Y, epochs=5, lr=0.1, batch_size=4)
    b.fit(X, Y, epochs=5, lr=0.1, batch_size=4)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_the_gradient_with_a_fixed_mask_passes_the_check(hidden, loss):
    X, Y = data(8, n_out=3, seed=1)
    if loss == "cross_entropy":
        Y = np.arange(8) % 3
    net = bp.MLP([3, 7, 6, 3], hidden=hidden, loss=loss, dropout=[0.5, 0.25], seed=1)
    report = bp.check_gradients(net, X, Y, train=True)
    assert report.ok, report
    assert report.verified + report.kinks == report.entries
    # A unit dropped for every sample receives no gradient at all.
    masks = net.dropout_masks(8, np.random.default_rng(0))
    masks[1][:, 2] = 0.0
    grads = net.gradients(X, Y, train=True, masks=masks)
    assert np.all(grads["W1"][:, 2] == 0) and grads["b1"][2] == 0 and np.any(grads["W1"] != 0)
    assert bp.check_gradients(net, X, Y, train=True, seed=5).ok


def test_a_gradient_computed_with_another_mask_fails_the_check():
    X, Y = data(8, seed=2)
    net = bp.MLP([3, 6, 2], hidden="tanh", dropout=0.5, seed=2)
    m1 = net.dropout_masks(8, np.random.default_rng(1))
    m2 = net.dropout_masks(8, np.random.default_rng(2))
    g = net.gradients(X, Y, train=True, masks=m1)
    h = 1e-6
    W = net.params["W1"]
    numeric = np.empty_like(W)
    for idx in np.ndindex(W.shape):
        old = W[idx]
        W[idx] = old + h
        up = net.loss(X, Y, train=True, masks=m2)
        W[idx] = old - h
        down = net.loss(X, Y, train=True, masks=m2)
        W[idx] = old
        numeric[idx] = (up - down) / (2 * h)
    assert np.abs(g["W1"] - numeric).max() > 1e-3 * np.abs(numeric).max()


def test_bad_dropout_and_masks_are_refused():
    X, Y = data()
    net = bp.MLP([3, 4, 2], dropout=0.5, seed=0)
    with pytest.raises(ValueError, match="masks are for the training pass"):
        net.forward(X, masks=net.dropout_masks(len(X)))
    with pytest.raises(ValueError, match=r"masks\[1\] must have shape \(12, 4\)"):
        net.forward(X, train=True, masks=[None, np.ones((3, 4)), None])
    with pytest.raises(ValueError, match=r"masks\[2\] must be None"):
        net.forward(X, train=True, masks=[None, np.ones((12, 4)), np.ones((12, 2))])
    with pytest.raises(ValueError, match="list of 3 entries"):
        net.forward(X, train=True, masks=[np.ones((12, 4))])
    with pytest.raises(TypeError, match="train must be True or False"):
        net.forward(X, train=1)
    for bad, error in ((1.0, ValueError), (-0.1, ValueError), ("0.5", TypeError), (True, TypeError)):
        with pytest.raises(error, match="dropout"):
            bp.MLP([3, 4, 2], dropout=bad)
    with pytest.raises(ValueError, match="one value or a list of 2"):
        bp.MLP([3, 4, 4, 2], dropout=[0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="has none"):
        bp.MLP([3, 2], dropout=0.5)
    for bad, error in ((-1.0, ValueError), (float("inf"), ValueError), ("big", TypeError)):
        with pytest.raises(error, match="l2"):
            bp.MLP([3, 2], l2=bad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_with_dropout_and_l2(dtype):
    X, Y = data()
    net = bp.MLP([3, 6, 2], hidden="tanh", dropout=0.3, l2=0.01, seed=0, dtype=dtype)
    fp = net.forward(X, Y, train=True)
    assert all(a.dtype == dtype for a in fp.a) and fp.masks[1].dtype == dtype
    assert all(g.dtype == dtype for g in net.gradients(X, Y, train=True).values())
    net.fit(X, Y, epochs=2, lr=0.1, optimiser="adam")
    assert all(p.dtype == dtype for p in net.params.values())
    assert bp.check_gradients(net, X, Y, train=True).ok


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=3),
    hidden=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    rates=st.lists(st.sampled_from([0.0, 0.2, 0.5, 0.9]), min_size=2, max_size=2),
    l2=st.sampled_from([0.0, 1e-3, 0.5]),
    n=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_property_dropout_and_l2_gradients_pass_the_check(sizes, hidden, rates, l2, n, seed):
    rng = np.random.default_rng(seed)
    n_hidden = len(sizes) - 1
    net = bp.MLP([2] + sizes, hidden=hidden, dropout=rates[:n_hidden], l2=l2, seed=seed)
    X, Y = rng.normal(size=(n, 2)), rng.normal(size=(n, sizes[-1]))
    report = bp.check_gradients(net, X, Y, train=True, seed=seed)
    assert report.ok, report
