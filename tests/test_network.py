"""MLP construction, shapes, dtypes, user-defined activations and losses, and bad input."""

import subprocess
import sys
import warnings

import numpy as np
import pytest

import backprop as bp


def make(sizes=(3, 4, 2), **kw):
    return bp.MLP(list(sizes), seed=0, **kw)


def test_param_shapes_follow_rows_convention():
    net = make((5, 10, 10, 4), loss="cross_entropy")
    assert {k: v.shape for k, v in net.params.items()} == {
        "W1": (5, 10), "b1": (10,), "W2": (10, 10), "b2": (10,), "W3": (10, 4), "b3": (4,)}
    fp = net.forward(np.ones((7, 5)))
    assert [a.shape for a in fp.a] == [(7, 5), (7, 10), (7, 10), (7, 4)]
    assert [None if z is None else z.shape for z in fp.z] == [None, (7, 10), (7, 10), (7, 4)]
    np.testing.assert_allclose(fp.output.sum(axis=1), 1.0)  # softmax output by default for cross-entropy


def test_forward_is_the_equations():
    net = make((3, 4, 2), hidden="tanh", output="sigmoid", loss="bce")
    X = np.random.default_rng(1).normal(size=(6, 3))
    P = net.params
    a1 = np.tanh(X @ P["W1"] + P["b1"])
    a2 = 1 / (1 + np.exp(-(a1 @ P["W2"] + P["b2"])))
    np.testing.assert_allclose(net.predict(X), a2, rtol=1e-14)


def test_params_are_assignable_in_place():
    net = make()
    X = np.ones((2, 3))
    before = net.predict(X).copy()
    net.params["b2"][:] += 1.0
    np.testing.assert_allclose(net.predict(X), before + 1.0)


def test_seed_makes_initialisation_reproducible():
    a, b, c = bp.MLP([3, 5, 1], seed=3), bp.MLP([3, 5, 1], seed=3), bp.MLP([3, 5, 1], seed=4)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_hidden_list_one_per_layer():
    net = bp.MLP([2, 3, 3, 1], hidden=["relu", "tanh"], seed=0)
    assert [a.name for a in net.activations] == ["relu", "tanh", "identity"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_end_to_end(dtype):
    net = bp.MLP([4, 8, 3], hidden="relu", loss="cross_entropy", seed=0, dtype=dtype)
    X = np.random.default_rng(0).normal(size=(5, 4))  # float64 data: converted once, not upcast
    Y = np.eye(3)[[0, 1, 2, 0, 1]]
    fp = net.forward(X)
    assert all(a.dtype == dtype for a in fp.a) and all(z.dtype == dtype for z in fp.z[1:])
    assert all(g.dtype == dtype for g in net.gradients(X, Y).values())
    net.fit(X, Y, epochs=2, lr=0.1)
    assert all(p.dtype == dtype for p in net.params.values())


def test_user_defined_activation_and_loss():
    softplus = bp.Activation("softplus", lambda z: np.logaddexp(0, z), lambda z: bp.sigmoid(z))
    quartic = bp.Loss(
        "quartic", lambda p, t: float(np.sum((p - t) ** 4) / len(t)), lambda p, t: 4 * (p - t) ** 3 / len(t)
    )
    net = bp.MLP([2, 3, 1], hidden=softplus, output="identity", loss=quartic, seed=0)
    X = np.random.default_rng(2).normal(size=(4, 2))
    Y = np.random.default_rng(3).normal(size=(4, 1))
    assert not net.fused
    assert bp.check_gradients(net, X, Y).ok


def test_fusion_only_for_builtin_pairs():
    assert bp.MLP([2, 1], loss="bce").fused and bp.MLP([2, 2], loss="cross_entropy").fused
    assert not bp.MLP([2, 1], output="sigmoid", loss="mse").fused
    lookalike = bp.Activation("sigmoid", bp.sigmoid, bp.sigmoid_grad, (0.0, 1.0))
    assert not bp.MLP([2, 1], output=lookalike, loss="bce").fused


def test_huge_logits_give_exact_loss_and_finite_gradients():
    for loss, Y in (("bce", np.array([[0.0]])), ("cross_entropy", np.array([[0.0, 1.0]]))):
        net = bp.MLP([1, Y.shape[1]], loss=loss, seed=0)
        net.params["W1"][:] = 0.0
        net.params["b1"][:] = [1000.0] if loss == "bce" else [1000.0, 0.0]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert net.loss(np.zeros((1, 1)), Y) == 1000.0
            g = net.gradients(np.zeros((1, 1)), Y)
        assert all(np.all(np.isfinite(v)) for v in g.values())
        np.testing.assert_allclose(g["b1"], (net.predict(np.zeros((1, 1))) - Y)[0])


def test_import_does_not_load_sympy_or_matplotlib():
    code = "import backprop, sys; bad = {'sympy', 'matplotlib'} & set(sys.modules); assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "sizes, exc, msg",
    [
        ([3], ValueError, "at least an input and an output"),
        ([3, 0, 1], ValueError, r"sizes\[1\] is 0"),
        ([3, 2.5, 1], ValueError, r"sizes\[1\] is 2.5"),
        ([3, -2, 1], ValueError, r"sizes\[1\] is -2"),
        ([True, 2], ValueError, r"sizes\[0\] is True"),
        ("321", TypeError, "list of layer sizes"),
        (5, TypeError, "list of layer sizes"),
    ],
)
def test_bad_sizes(sizes, exc, msg):
    with pytest.raises(exc, match=msg):
        bp.MLP(sizes)


def test_bad_activation_loss_and_pairs():
    with pytest.raises(ValueError, match="unknown hidden activation 'swish'; valid names: identity, sigmoid"):
        bp.MLP([2, 2, 1], hidden="swish")
    with pytest.raises(ValueError, match="unknown output activation 'lin'"):
        bp.MLP([2, 1], output="lin")
    with pytest.raises(ValueError, match="unknown loss 'l1'; valid names: mse, bce, cross_entropy"):
        bp.MLP([2, 1], loss="l1")
    with pytest.raises(ValueError, match="list of 2"):
        bp.MLP([2, 3, 3, 1], hidden=["relu"])
    with pytest.raises(ValueError, match="softmax is an output activation"):
        bp.MLP([2, 3, 1], hidden="softmax")
    with pytest.raises(ValueError, match="loss 'bce' needs predictions in \\[0.0, 1.0\\].*'relu'"):
        bp.MLP([2, 1], output="relu", loss="bce")
    with pytest.raises(TypeError, match="dtype must be float32 or float64"):
        bp.MLP([2, 1], dtype=np.int64)


@pytest.mark.parametrize(
    "X, Y, exc, msg",
    [
        (np.ones((4, 2)), np.ones((4, 1)), ValueError, r"X has 2 columns but the network needs 3"),
        (np.ones(3), np.ones((1, 1)), ValueError, r"X must be 2-D .*shape \(3,\)"),
        (np.ones((4, 3)), np.ones(4), ValueError, r"Y must be 2-D .*reshape\(-1, 1\)"),
        (np.ones((4, 3)), np.ones((4, 2)), ValueError, r"Y has 2 columns but the network needs 1"),
        (np.ones((4, 3)), np.ones((5, 1)), ValueError, r"Y has 5 rows but X has 4"),
        (np.array([[1.0, np.nan, 0.0]]), np.ones((1, 1)), ValueError, r"X contains nan at row 0, column 1"),
        (np.ones((2, 3)), np.array([[0.0], [np.inf]]), ValueError, r"Y contains inf at row 1, column 0"),
        (np.array([["a", "b", "c"]]), np.ones((1, 1)), TypeError, r"X must be a numeric array"),
        (np.ones((1, 3)) * 1j, np.ones((1, 1)), TypeError, r"X must be real"),
        (np.ones((0, 3)), np.ones((0, 1)), ValueError, r"X has no rows"),
    ],
)
def test_bad_X_Y(X, Y, exc, msg):
    net = bp.MLP([3, 2, 1], seed=0)
    for call in (net.loss, net.gradients, net.fit):
        with pytest.raises(exc, match=msg):
            call(X, Y)


def test_bad_targets_for_the_loss():
    with pytest.raises(ValueError, match=r"bce targets Y must lie in \[0, 1\]; found 1.5"):
        bp.MLP([2, 1], loss="bce").loss(np.ones((2, 2)), np.array([[1.0], [1.5]]))
    ce = bp.MLP([2, 3], loss="cross_entropy")
    with pytest.raises(ValueError, match="row 1 sums to 0.5"):
        ce.gradients(np.ones((2, 2)), np.array([[1.0, 0, 0], [0.5, 0, 0]]))
    with pytest.raises(ValueError, match="non-negative"):
        ce.loss(np.ones((1, 2)), np.array([[1.5, -0.5, 0.0]]))


def test_replaced_params_are_checked():
    net = bp.MLP([3, 2, 1], seed=0)
    net.params["W1"] = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"params\['W1'\] has shape \(2, 3\), expected \(3, 2\)"):
        net.predict(np.ones((1, 3)))
    net.params["W1"] = np.ones((3, 2), dtype=np.float32)
    with pytest.raises(TypeError, match="dtype float32, the network uses float64"):
        net.predict(np.ones((1, 3)))
