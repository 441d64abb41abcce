"""fit: full-batch equals hand-written gradient descent, mini-batches, validation, early stopping, divergence,
interruption, bad options."""

import inspect
import io
import warnings

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
    assert h.loss[-1] > h.loss[0] and h.stopped == "diverged"


def test_divergence_rolls_back_to_the_last_parameters_with_a_finite_loss():  # issue 12, defect 2
    X = np.linspace(-1, 1, 20).reshape(-1, 1) * 100
    net = bp.MLP([1, 1], loss="mse", seed=0)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(bp.TrainingDiverged) as err:
        net.fit(X, 3 * X, epochs=500, lr=5.0)
    h = err.value.history
    assert all(np.all(np.isfinite(p)) for p in net.params.values())
    assert np.isfinite(net.loss(X, 3 * X)) and np.all(np.isfinite(net.predict(X)))
    # The loss became inf at the start of epoch h.epochs; the last finite one was at the start of the epoch before.
    twin = bp.MLP([1, 1], loss="mse", seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        twin.fit(X, 3 * X, epochs=h.epochs - 1, lr=5.0)
    assert all(np.array_equal(net.params[k], twin.params[k]) for k in net.params)
    assert "rolled back" in str(err.value)


def test_a_blow_up_on_the_last_update_is_noticed():  # issue 12, defect 1: fit used to return normally
    X = np.random.default_rng(0).normal(size=(10, 2))
    Y = np.ones((10, 1))
    net = bp.MLP([2, 3, 1], hidden="tanh", seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(bp.TrainingDiverged,
                                                                     match="after the last update") as err:
        net.fit(X, Y, epochs=1, lr=1e200)
    assert all(np.array_equal(before[k], net.params[k]) for k in before)  # the only parameters with a finite loss
    assert np.isfinite(net.loss(X, Y)) and err.value.history.epochs == 1


def test_a_mini_batch_divergence_keeps_the_steps_before_it():  # issue 12, defect 2: the history was empty
    X = np.random.default_rng(0).normal(size=(10, 2))
    Y = np.ones((10, 1))
    net = bp.MLP([2, 3, 1], hidden="tanh", seed=0)
    with np.errstate(over="ignore", invalid="ignore"), pytest.raises(bp.TrainingDiverged, match="epoch 0, batch 1"
                                                                     ) as err:
        net.fit(X, Y, epochs=3, lr=1e200, batch_size=5)
    h = err.value.history
    assert h.epochs == 0 and len(h.step_loss) == 1 and np.isfinite(h.step_loss[0])
    assert np.isfinite(net.loss(X, Y))


@pytest.mark.parametrize(
    "kw, msg",
    [
        (dict(epochs=0), "epochs must be a positive integer"),
        (dict(epochs=2.5), "epochs must be a positive integer"),
        (dict(lr=-0.1), "lr must be a positive finite number"),
        (dict(lr=float("nan")), "lr must be a positive finite number"),
        (dict(batch_size=0), "batch_size must be a positive integer or None"),
        (dict(patience=3), "patience .* needs validation"),
        (dict(patience=0, validation=(np.ones((1, 2)), np.ones((1, 1)))), "patience must be a positive integer"),
        (dict(validation=(np.ones((1, 3)), np.ones((1, 1)))), "validation: X has 3 columns"),
    ],
)
def test_bad_options(kw, msg):
    X, Y = data(4)
    with pytest.raises(ValueError, match=msg):
        bp.MLP([2, 2, 1]).fit(X, Y, **kw)


@pytest.mark.parametrize("progress", [1, "yes", 0.5, object()])
def test_a_bad_progress_value_fails_before_training(progress):  # issue 12, defect 5: failed after training
    X, Y = data(8)
    net = bp.MLP([2, 3, 1], seed=0)
    before = {k: v.copy() for k, v in net.params.items()}
    with pytest.raises(TypeError, match="progress must be True, False or a text stream"):
        net.fit(X, Y, epochs=3, progress=progress)
    assert all(np.array_equal(before[k], net.params[k]) for k in before)


def test_a_read_only_parameter_fails_before_any_update():  # issue 12, defect 6: W1, b1 were stepped first
    X, Y = data(8)
    net = bp.MLP([2, 3, 1], seed=0)
    net.params["W2"] = np.broadcast_to(net.params["W2"][:1], (3, 1))  # read-only view, right shape
    before = {k: v.copy() for k, v in net.params.items()}
    with pytest.raises(ValueError, match=r"params\['W2'\] is read-only .* give it a writable copy"):
        net.fit(X, Y, epochs=2)
    assert all(np.array_equal(before[k], net.params[k]) for k in before)


def test_a_parameter_replaced_during_fit_gets_a_clear_error():  # issue 12, defect 6: a raw matmul error
    X, Y = data(8)
    net = bp.MLP([2, 3, 1], seed=0)
    calls = 0

    def meddling_tanh(z):
        nonlocal calls
        calls += 1
        if calls == 3:
            net.params["W2"] = np.ones((4, 1))
        return np.tanh(z)

    net.activations[0] = bp.Activation("tanh", meddling_tanh, bp.tanh_grad, (-1.0, 1.0))
    with pytest.raises(ValueError, match=r"params\['W2'\] has shape \(4, 1\), expected \(3, 1\)") as err:
        net.fit(X, Y, epochs=5)
    assert "stopped after 2 complete epochs" in "".join(err.value.__notes__)


# ------------------------------------------------------------------------------ validation and early stopping
def test_validation_loss_is_recorded_after_each_epoch():
    X, Y = data(40)
    Xv, Yv = data(20, seed=1)
    net, ref = bp.MLP([2, 6, 1], loss="bce", seed=4), bp.MLP([2, 6, 1], loss="bce", seed=4)
    history = net.fit(X, Y, epochs=6, lr=0.5, validation=(Xv, Yv))
    expected = []
    for _ in range(6):
        ref.fit(X, Y, epochs=1, lr=0.5)
        expected.append(ref.loss(Xv, Yv))
    np.testing.assert_array_equal(history.val_loss, expected)
    assert history.best_epoch == int(np.argmin(expected)) and history.stopped == "completed"
    assert all(np.array_equal(net.params[k], ref.params[k]) for k in net.params)  # no patience: last parameters kept


def test_early_stopping_restores_the_best_parameters():
    X, y, _ = bp.datasets.load_iris()
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    train, val = np.arange(0, 150, 5), np.arange(1, 150, 5)  # small training set: it overfits
    net = bp.MLP([4, 32, 3], hidden="tanh", loss="cross_entropy", seed=0)
    history = net.fit(X[train], y[train], epochs=2000, lr=0.5, validation=(X[val], y[val]), patience=25)
    assert history.stopped == "early stopping" and history.epochs == history.best_epoch + 25 + 1
    assert history.val_loss[history.best_epoch] == history.val_loss.min()
    assert np.all(history.val_loss[history.best_epoch + 1:] >= history.val_loss[history.best_epoch])
    assert net.loss(X[val], y[val]) == history.val_loss[history.best_epoch]  # the best epoch's parameters are back
    twin = bp.MLP([4, 32, 3], hidden="tanh", loss="cross_entropy", seed=0)
    twin.fit(X[train], y[train], epochs=history.best_epoch + 1, lr=0.5)
    assert all(np.array_equal(net.params[k], twin.params[k]) for k in net.params)


def test_fit_shows_its_real_options():
    method = inspect.signature(bp.MLP.fit).parameters
    function = inspect.signature(bp.fit).parameters
    assert list(method)[1:] == list(function)[1:] and "options" not in method
    assert {"batch_size", "shuffle", "validation", "patience", "progress"} <= set(method)
    assert all(method[k].default == function[k].default and method[k].kind == function[k].kind
               for k in list(method)[1:])
    assert inspect.signature(bp.MLP.fit).return_annotation in ("History", bp.History)
    doc = inspect.getdoc(bp.MLP.fit)
    assert all(f"{k}\n" in doc for k in ("batch_size", "shuffle", "validation", "patience", "progress"))


# ------------------------------------------------------------------------------ interruption
def test_keyboard_interrupt_keeps_the_network_and_returns_the_history():
    X, Y = data(16)
    net = bp.MLP([2, 4, 1], hidden="tanh", seed=0)
    calls = 0

    def tired_tanh(z):
        nonlocal calls
        calls += 1
        if calls == 6:  # the 6th forward pass: epoch 5 (0-based), before its update
            raise KeyboardInterrupt
        return np.tanh(z)

    net.activations[0] = bp.Activation("tanh", tired_tanh, bp.tanh_grad, (-1.0, 1.0), vjp=bp.ACTIVATIONS["tanh"].vjp)
    with pytest.warns(UserWarning, match="fit interrupted .* after 5 complete epochs"):
        history = net.fit(X, Y, epochs=50, lr=0.3)
    assert history.stopped == "interrupted" and history.epochs == 5 and len(history.loss) == 5
    twin = bp.MLP([2, 4, 1], hidden="tanh", seed=0)
    twin.fit(X, Y, epochs=5, lr=0.3)
    assert all(np.array_equal(net.params[k], twin.params[k]) for k in net.params)


def test_other_exceptions_say_where_training_stopped():
    X, Y = data(16)
    net = bp.MLP([2, 4, 1], seed=0)
    calls = 0

    def broken(z):
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("sensor unplugged")
        return np.tanh(z)

    net.activations[0] = bp.Activation("tanh", broken, bp.tanh_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeError, match="sensor unplugged") as err:
            net.fit(X, Y, epochs=10)
    assert "stopped after 3 complete epochs" in "".join(err.value.__notes__)
