"""Losses: values against their definitions, gradients against finite differences, fused stability."""

import math
import warnings

import numpy as np
import pytest

import backprop as bp

RNG = np.random.default_rng(7)
N, K = 5, 3


def manual(name, yhat, y):
    pairs = [(p, t) for row_p, row_t in zip(yhat, y, strict=True) for p, t in zip(row_p, row_t, strict=True)]
    n = len(y)
    if name == "mse":
        return sum((p - t) ** 2 for p, t in pairs) / (2 * n)
    if name == "bce":
        return -sum(t * math.log(p) + (1 - t) * math.log(1 - p) for p, t in pairs) / n
    return -sum(t * math.log(p) for p, t in pairs if t) / n


def sample(name):
    yhat = bp.softmax(RNG.normal(size=(N, K))) if name == "cross_entropy" else RNG.uniform(0.05, 0.95, (N, K))
    if name == "cross_entropy":
        y = np.eye(K)[RNG.integers(0, K, N)]
    elif name == "bce":
        y = RNG.uniform(0, 1, (N, K))
    else:
        y = RNG.normal(size=(N, K))
    return yhat, y


@pytest.mark.parametrize("name", list(bp.LOSSES))
def test_value_matches_definition(name):
    yhat, y = sample(name)
    assert bp.LOSSES[name].value(yhat, y) == pytest.approx(manual(name, yhat.tolist(), y.tolist()), rel=1e-13)


@pytest.mark.parametrize("name", list(bp.LOSSES))
def test_gradient_matches_centered_difference(name):
    yhat, y = sample(name)
    loss = bp.LOSSES[name]
    h = 1e-6
    numeric = np.zeros_like(yhat)
    for idx in np.ndindex(yhat.shape):
        e = np.zeros_like(yhat)
        e[idx] = h
        numeric[idx] = (loss.value(yhat + e, y) - loss.value(yhat - e, y)) / (2 * h)
    # h = 1e-6: truncation ~1e-12 |L'''|, rounding ~1e-16/1e-6; 1e-7 relative is ample.
    np.testing.assert_allclose(loss.gradient(yhat, y), numeric, rtol=1e-6, atol=1e-9)


def test_fused_losses_equal_unfused_at_moderate_logits():
    z = RNG.normal(size=(N, 1))
    y = RNG.uniform(0, 1, (N, 1))
    assert bp.bce_from_logits(z, y) == pytest.approx(bp.bce(bp.sigmoid(z), y), rel=1e-13)
    Z = RNG.normal(size=(N, K))
    Y = np.eye(K)[RNG.integers(0, K, N)]
    assert bp.cross_entropy_from_logits(Z, Y) == pytest.approx(bp.cross_entropy(bp.softmax(Z), Y), rel=1e-13)


def test_fused_losses_exact_at_huge_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert bp.bce_from_logits(np.array([[1000.0]]), np.array([[0.0]])) == 1000.0
        assert bp.bce_from_logits(np.array([[-1000.0]]), np.array([[1.0]])) == 1000.0
        assert bp.bce_from_logits(np.array([[1000.0]]), np.array([[1.0]])) == 0.0
        assert bp.cross_entropy_from_logits(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]])) == 1000.0


def test_zero_targets_ignore_zero_predictions():
    # 0 * log(0) is taken as 0: a one-hot target does not care about predictions of other classes.
    assert bp.cross_entropy(np.array([[1.0, 0.0]]), np.array([[1.0, 0.0]])) == 0.0
    assert bp.bce(np.array([[1.0]]), np.array([[1.0]])) == 0.0


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid names: mse, bce, cross_entropy"):
        bp.get_loss("hinge")
    with pytest.raises(TypeError):
        bp.get_loss(3.0)


# ------------------------------------------------------------------------------ records and views
def test_one_record_per_loss_and_the_fused_table_is_a_view(monkeypatch):
    assert all(isinstance(loss, bp.Loss) and loss.name == name for name, loss in bp.LOSSES.items())
    assert dict(bp.FUSED) == {("sigmoid", "bce"): bp.bce_from_logits,
                              ("softmax", "cross_entropy"): bp.cross_entropy_from_logits}
    from backprop.losses import DEFAULT_OUTPUT

    assert dict(DEFAULT_OUTPUT) == {"mse": "identity", "bce": "sigmoid", "cross_entropy": "softmax"}
    # The output a loss pairs with is the activation record itself, not a second copy of it.
    assert bp.LOSSES["bce"].output is bp.ACTIVATIONS["sigmoid"]
    probit = bp.Loss("probit_bce", bp.bce, bp.bce_grad, (0.0, 1.0), output="sigmoid", from_logits=bp.bce_from_logits)
    monkeypatch.setitem(bp.LOSSES, "probit_bce", probit)
    assert bp.FUSED[("sigmoid", "probit_bce")] is bp.bce_from_logits and DEFAULT_OUTPUT["probit_bce"] == "sigmoid"
    with pytest.raises(TypeError):
        bp.FUSED[("identity", "mse")] = bp.mse


@pytest.mark.parametrize(
    "kwargs, exc, msg",
    [
        (dict(name=None, value=bp.mse, gradient=bp.mse_grad), TypeError, "needs a name"),
        (dict(name="m", value=bp.mse, gradient=None), TypeError, "needs a value and a gradient"),
        (dict(name="m", value=bp.mse, gradient=bp.mse_grad, needs=(1.0,)), ValueError, "needs must be"),
        (dict(name="m", value=bp.mse, gradient=bp.mse_grad, output="swish"), ValueError, "unknown output activation"),
        (dict(name="m", value=bp.mse, gradient=bp.mse_grad, labels="multi"), ValueError, "labels must be one of"),
        (dict(name="m", value=bp.mse, gradient=bp.mse_grad, from_logits=1.0), TypeError, "from_logits must be"),
    ],
)
def test_a_bad_loss_record_is_refused_when_made(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        bp.Loss(**kwargs)


# ------------------------------------------------------------------------------ labels
def test_cross_entropy_accepts_class_labels():
    labels = RNG.integers(0, K, N)
    Z = RNG.normal(size=(N, K))
    P = bp.softmax(Z)
    Y = bp.one_hot(labels, K)
    assert bp.cross_entropy(P, labels) == bp.cross_entropy(P, Y)
    np.testing.assert_array_equal(bp.cross_entropy_grad(P, labels), bp.cross_entropy_grad(P, Y))
    assert bp.cross_entropy_from_logits(Z, labels) == bp.cross_entropy_from_logits(Z, Y)
    # Independent route: minus the mean log-probability of the right class.
    expected = -np.mean(np.log(P[np.arange(N), labels]))
    assert bp.cross_entropy(P, labels) == pytest.approx(expected, rel=1e-14)


def test_one_hot_at_top_level():
    assert bp.one_hot is bp.datasets.one_hot
    np.testing.assert_array_equal(bp.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert bp.one_hot(np.array([1]), 2, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match="n_classes must be a positive integer"):
        bp.one_hot([0], 0)
    with pytest.raises(ValueError, match="needs n_classes"):
        bp.one_hot(np.array([], dtype=int))
    with pytest.raises(ValueError, match="class indices"):
        bp.one_hot(np.array([True, False]))
