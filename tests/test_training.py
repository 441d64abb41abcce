"""fit: full-batch equals hand-written gradient descent, mini-batches, progress, divergence, bad options."""

import io

import numpy as np
import pytest

import backprop as bp


def data(n=32, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    Y = (X[:, :1] * X[:, 1:] > 0).astype(float)
    return X, Y


def test_full_batch_is_plain_gradient_descent():
    X, Y = data()
    net, ref = bp.MLP([2, 8, 1], loss="bce", seed=1), bp.MLP([2, 8, 1], loss="bce", seed=1)
    history = net.fit(X, Y, epochs=5, lr=0.5)
    for e in range(5):
        assert history.loss[e] == pytest.approx(ref.loss(X, Y), rel=1e-14)
        grads = ref.gradients(X, Y)
        norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        assert history.grad_norm[e] == pytest.approx(norm, rel=1e-12)
        for k in ref.params:
            ref.params[k] = ref.params[k] - 0.5 * grads[k]
    for k in ref.params:
        np.testing.assert_allclose(net.params[k], ref.params[k], rtol=1e-13)


def test_training_reduces_loss():
    X, Y = data(128)
    net = bp.MLP([2, 16, 1], hidden="tanh", loss="bce", seed=0)
    history = net.fit(X, Y, epochs=300, lr=1.0)
    assert history.loss[-1] < 0.5 * history.loss[0]
    assert np.mean((net.predict(X) > 0.5) == Y) > 0.9


def test_minibatch_matches_manual_batches_without_shuffle():
    X, Y = data(10)
    net, ref = bp.MLP([2, 4, 1], seed=2), bp.MLP([2, 4, 1], seed=2)
    history = net.fit(X, Y, epochs=1, lr=0.1, batch_size=4, shuffle=False)
    losses = []
    for lo in (0, 4, 8):
        Xb, Yb = X[lo:lo + 4], Y[lo:lo + 4]
        losses.append(ref.loss(Xb, Yb) * len(Xb))
        g = ref.gradients(Xb, Yb)
        for k in ref.params:
            ref.params[k] -= 0.1 * g[k]
    assert history.loss[0] == pytest.approx(sum(losses) / 10, rel=1e-13)
    for k in ref.params:
        np.testing.assert_allclose(net.params[k], ref.params[k], rtol=1e-13)


def test_shuffle_is_seeded():
    X, Y = data(20)
    a, b = bp.MLP([2, 4, 1], seed=5), bp.MLP([2, 4, 1], seed=5)
    a.fit(X, Y, epochs=3, batch_size=5)
    b.fit(X, Y, epochs=3, batch_size=5)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_progress_is_reported():
    X, Y = data(8)
    out = io.StringIO()
    bp.MLP([2, 3, 1], seed=0).fit(X, Y, epochs=7, progress=out)
    last = out.getvalue().rstrip("\n").split("\r")[-1]
    assert last.startswith("[" + "#" * 20 + "] epoch 7/7") and "loss" in last and "0.0s left" in last


def test_divergence_raises_with_history():
    X = np.linspace(-1, 1, 20).reshape(-1, 1) * 100
    net = bp.MLP([1, 1], loss="mse", seed=0)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(bp.TrainingDiverged, match="lr=5.0") as err:
        net.fit(X, 3 * X, epochs=500, lr=5.0)
    h = err.value.history
    assert 0 < h.epochs < 500 and len(h.loss) == h.epochs and np.all(np.isfinite(h.loss))
    assert h.loss[-1] > h.loss[0]


@pytest.mark.parametrize(
    "kw, msg",
    [
        (dict(epochs=0), "epochs must be a positive integer"),
        (dict(epochs=2.5), "epochs must be a positive integer"),
        (dict(lr=-0.1), "lr must be a positive finite number"),
        (dict(lr=float("nan")), "lr must be a positive finite number"),
        (dict(batch_size=0), "batch_size must be a positive integer or None"),
    ],
)
def test_bad_options(kw, msg):
    X, Y = data(4)
    with pytest.raises(ValueError, match=msg):
        bp.MLP([2, 2, 1]).fit(X, Y, **kw)
