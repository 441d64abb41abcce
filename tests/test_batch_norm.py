"""Batch normalisation: the forward pass against its definition, the backward pass against finite differences in
training mode (and a wrong backward pass caught), running statistics for prediction, fit, float32.

Tolerance: float64 relative error below 1e-7 (check_gradients' default), float32 1e-2.
"""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import backprop as bp


def data(n=10, n_in=3, n_out=2, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)) * 3 + 1, rng.normal(size=(n, n_out))


def test_the_training_pass_normalises_each_unit_over_the_batch():
    X, _ = data()
    net = bp.MLP([3, 4, 2], hidden="tanh", batch_norm=True, seed=0)
    net.params["gamma1"][:] = [1.0, 2.0, 0.5, -1.0]
    net.params["beta1"][:] = [0.0, 1.0, -2.0, 0.3]
    fp = net.forward(X, train=True)
    U = X @ net.params["W1"]
    mean, var = U.mean(axis=0), U.var(axis=0)
    z_hat = (U - mean) / np.sqrt(var + bp.BATCH_NORM_EPSILON)
    np.testing.assert_allclose(fp.z[1], z_hat * net.params["gamma1"] + net.params["beta1"], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(fp.a[1], np.tanh(fp.z[1]), rtol=1e-15)
    np.testing.assert_allclose(fp.norms[1].z_hat.mean(axis=0), 0, atol=1e-15)
    np.testing.assert_allclose(fp.norms[1].z_hat.var(axis=0), var / (var + 1e-5), rtol=1e-13)
    assert fp.norms[2] is None and "b1" not in net.params  # the output layer keeps its bias


def test_prediction_uses_the_running_statistics_so_samples_are_independent():
    X, _ = data(20)
    net = bp.MLP([3, 4, 2], batch_norm=True, seed=0)
    net.running_stats["mean1"][:] = [0.5, -1.0, 2.0, 0.0]
    net.running_stats["var1"][:] = [4.0, 1.0, 0.25, 9.0]
    together = net.predict(X)
    alone = np.vstack([net.predict(X[i:i + 1]) for i in range(len(X))])
    np.testing.assert_allclose(together, alone, rtol=1e-14)
    U = X @ net.params["W1"]
    Z = (U - net.running_stats["mean1"]) / np.sqrt(net.running_stats["var1"] + 1e-5)
    np.testing.assert_allclose(net.forward(X).z[1], Z, rtol=1e-13)
    # In training a sample's output depends on the rest of its batch.
    t1 = net.forward(X[:5], train=True).a[1][0]
    t2 = net.forward(X[:6], train=True).a[1][0]
    assert not np.allclose(t1, t2)


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu", "identity"])
@pytest.mark.parametrize("loss", ["mse", "bce", "cross_entropy"])
@pytest.mark.parametrize("train", [True, False])
def test_the_backward_pass_passes_the_gradient_check(hidden, loss, train):
    X, Y = data(6, n_out=3, seed=1)
    if loss == "bce":
        Y = (Y > 0).astype(float)
    elif loss == "cross_entropy":
        Y = np.arange(6) % 3
    net = bp.MLP([3, 5, 4, 3], hidden=hidden, loss=loss, batch_norm=True, seed=1)
    rng = np.random.default_rng(2)
    for k in net.params:  # move gamma and beta off 1 and 0, and the running statistics off 0 and 1
        net.params[k] += 0.3 * rng.normal(size=net.params[k].shape)
    for k in net.running_stats:
        net.running_stats[k][:] = rng.uniform(0.5, 2.0, size=net.running_stats[k].shape)
    report = bp.check_gradients(net, X, Y, train=train)
    assert report.ok, report
    for p in report.parameters.values():  # below the quotient's noise, relative error measures rounding
        resolved = ~p.kink & (np.abs(p.analytic - p.numeric) > p.noise)
        assert np.all(p.rel_error[resolved] < 1e-7), report
    if hidden == "identity" and train:
        # beta1 shifts every sample's Z(1) alike; through an identity unit the next layer's normalisation
        # removes the shift, so its gradient is 0 (up to rounding): the check reports it as below noise.
        assert report.parameters["beta1"].below_noise + report.parameters["beta1"].zero.sum() == 5


def test_a_backward_pass_that_ignores_the_batch_statistics_is_caught(monkeypatch):
    # The prediction-time formula dL/dU = G gamma / s, used in training, misses the gradient through the mean
    # and the variance: the check must fail on it.
    X, Y = data(6, seed=3)
    net = bp.MLP([3, 4, 2], hidden="tanh", batch_norm=True, seed=3)
    assert bp.check_gradients(net, X, Y, train=True).ok
    right = bp.network.batch_norm_backward

    def frozen(bn, gamma, G):
        return right(bp.BatchNormPass(bn.z_hat, bn.std, bn.mean, bn.var, train=False), gamma, G)

    monkeypatch.setattr(bp.network, "batch_norm_backward", frozen)
    report = bp.check_gradients(net, X, Y, train=True)
    assert not report.ok and report.parameters["W1"].max_rel_error > 1e-2


def test_a_gradient_that_is_the_same_for_every_sample_does_not_reach_u():
    # Each column of U-hat has mean 0 and sum of squares N(1 - eps/s^2): the backward pass removes the parts
    # of G along 1 and along U-hat.
    rng = np.random.default_rng(0)
    U = rng.normal(size=(7, 3))
    gamma = rng.normal(size=3)
    _, bn = bp.batch_norm(U, gamma, np.zeros(3))
    for G in (np.ones((7, 3)), bn.z_hat.copy()):
        _, _, dU = bp.batch_norm_backward(bn, gamma, G)
        scale = np.abs(gamma / bn.std).max()
        assert np.abs(dU).max() < 1e-4 * scale  # zero up to the eps/s^2 part of U-hat's variance
    _, _, dU = bp.batch_norm_backward(bn, gamma, rng.normal(size=(7, 3)))
    np.testing.assert_allclose(dU.sum(axis=0), 0, atol=1e-14)  # the gradient of U never moves the mean


def test_running_statistics_follow_the_exponential_average():
    X, Y = data(8)
    net = bp.MLP([3, 4, 2], batch_norm=True, seed=0)
    mean, var = np.zeros(4), np.ones(4)
    for _ in range(3):
        U = X @ net.params["W1"]
        mean = 0.9 * mean + 0.1 * U.mean(axis=0)
        var = 0.9 * var + 0.1 * U.var(axis=0, ddof=1)  # unbiased, as in PyTorch
        net.fit(X, Y, epochs=1, lr=0.05)
    np.testing.assert_allclose(net.running_stats["mean1"], mean, rtol=1e-13)
    np.testing.assert_allclose(net.running_stats["var1"], var, rtol=1e-13)


def test_a_gradient_check_and_a_forward_pass_leave_running_statistics_alone():
    X, Y = data(8)
    net = bp.MLP([3, 4, 2], batch_norm=True, seed=0)
    before = {k: v.copy() for k, v in net.running_stats.items()}
    bp.check_gradients(net, X, Y, train=True)
    net.forward(X, Y, train=True)
    net.value_and_grad(X, Y, train=True)
    assert all(np.array_equal(before[k], net.running_stats[k]) for k in before)


def test_training_needs_two_samples_per_batch():
    X, Y = data(5)
    net = bp.MLP([3, 4, 2], batch_norm=True, seed=0)
    with pytest.raises(ValueError, match="at least 2 samples per batch"):
        net.forward(X[:1], train=True)
    net.predict(X[:1])  # prediction is fine
    with pytest.raises(ValueError, match="at least 2 samples per batch"):
        net.fit(X, Y, epochs=1, batch_size=2, shuffle=False)  # the last batch has one sample


def test_divergence_rolls_running_statistics_back_too():
    X, Y = data(12)
    net = bp.MLP([3, 6, 2], hidden="relu", batch_norm=True, seed=0)

    def lr(epoch):
        return 0.01 if epoch < 4 else 1e200

    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(bp.TrainingDiverged) as err:
        net.fit(X, Y, epochs=20, lr=lr)
    twin = bp.MLP([3, 6, 2], hidden="relu", batch_norm=True, seed=0)
    twin.fit(X, Y, epochs=err.value.history.epochs - 1, lr=lr)
    assert all(np.array_equal(net.params[k], twin.params[k]) for k in net.params)
    assert all(np.array_equal(net.running_stats[k], twin.running_stats[k]) for k in net.running_stats)


def test_early_stopping_restores_the_running_statistics_of_the_best_epoch():
    X, Y = data(30, seed=1)
    Xv, Yv = data(15, seed=2)
    net = bp.MLP([3, 8, 2], hidden="tanh", batch_norm=True, seed=0)
    history = net.fit(X, Y, epochs=300, lr=0.3, validation=(Xv, Yv), patience=5)
    assert history.stopped == "early stopping"
    assert net.loss(Xv, Yv) == pytest.approx(history.val_loss[history.best_epoch], rel=1e-14)


def test_bad_running_statistics_are_refused():
    X, _ = data()
    net = bp.MLP([3, 4, 2], batch_norm=True, seed=0)
    net.running_stats["var1"] = np.ones(3)
    with pytest.raises(ValueError, match=r"running_stats\['var1'\] must be an array of shape \(4,\)"):
        net.predict(X)
    net.running_stats["var1"] = -np.ones(4)
    with pytest.raises(ValueError, match="a variance >= 0"):
        net.predict(X)
    del net.running_stats["var1"]
    with pytest.raises(ValueError, match=r"running_stats must hold exactly \['mean1', 'var1'\]"):
        net.predict(X)
    with pytest.raises(ValueError, match="has none"):
        bp.MLP([3, 2], batch_norm=True)
    with pytest.raises(TypeError, match=r"batch_norm\[1\] must be True or False"):
        bp.MLP([3, 4, 4, 2], batch_norm=[True, "yes"])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    X, Y = data(8)
    net = bp.MLP([3, 5, 2], hidden="tanh", batch_norm=True, seed=0, dtype=dtype)
    fp = net.forward(X, Y, train=True)
    assert all(a.dtype == dtype for a in fp.a) and fp.norms[1].z_hat.dtype == dtype
    assert all(g.dtype == dtype for g in net.gradients(X, Y, train=True).values())
    net.fit(X, Y, epochs=3, lr=0.1, batch_size=4, optimiser="momentum")
    assert all(v.dtype == dtype for v in [*net.params.values(), *net.running_stats.values()])
    assert bp.check_gradients(net, X, Y, train=True).ok


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=3),
    hidden=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    flags=st.lists(st.booleans(), min_size=2, max_size=2),
    dropout=st.sampled_from([0.0, 0.3]),
    n=st.integers(2, 6),
    scale=st.sampled_from([0.1, 1.0, 30.0]),
    train=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_property_batch_norm_gradients_pass_the_check(sizes, hidden, flags, dropout, n, scale, train, seed):
    rng = np.random.default_rng(seed)
    n_hidden = len(sizes) - 1
    net = bp.MLP([2] + sizes, hidden=hidden, batch_norm=flags[:n_hidden], dropout=dropout, seed=seed)
    X, Y = scale * rng.normal(size=(n, 2)), rng.normal(size=(n, sizes[-1]))
    report = bp.check_gradients(net, X, Y, train=train, seed=seed)
    assert report.ok, report
