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
