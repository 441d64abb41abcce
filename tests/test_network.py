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


# ------------------------------------------------------------------------------ issue 12: defects
def test_extra_or_missing_params_keys_are_named():  # defect 7: was a bare KeyError
    net = bp.MLP([3, 2, 1], seed=0)
    net.params["W3"] = np.ones((1, 1))
    X, Y = np.ones((2, 3)), np.ones((2, 1))
    for call in (net.gradients, net.fit, net.loss):
        with pytest.raises(ValueError, match=r"params has unexpected 'W3': a network of sizes \[3, 2, 1\] has "
                                             r"exactly W1, b1, W2, b2"):
            call(X, Y)
    del net.params["W3"], net.params["b2"]
    with pytest.raises(ValueError, match=r"params is missing 'b2'"):
        net.predict(X)


def test_non_finite_params_are_named():
    net = bp.MLP([3, 2, 1], seed=0)
    net.params["W1"][1, 0] = np.nan
    with pytest.raises(ValueError, match=r"params\['W1'\] contains nan at index \(1, 0\)"):
        net.predict(np.ones((1, 3)))


@pytest.mark.parametrize(
    "output, loss, k, msg",
    [
        ("relu", "cross_entropy", 3, r"needs predictions in \[0.0, 1.0\] but output activation 'relu'"),
        ("sigmoid", "cross_entropy", 3, "needs each row of predictions to be a probability distribution.*'sigmoid'"),
        ("identity", "cross_entropy", 3, "needs predictions in"),
        ("softmax", "cross_entropy", 1, "over a single output unit always gives 1"),
        ("softmax", "mse", 1, "over a single output unit always gives 1"),
    ],
)
def test_output_loss_pairs_that_make_no_sense_are_refused(output, loss, k, msg):  # defect 8
    with pytest.raises(ValueError, match=msg):
        bp.MLP([2, 4, k], output=output, loss=loss)


def test_the_refused_pairs_did_train_to_nonsense():
    # Why defect 8 matters: with cross-entropy on relu outputs the loss goes negative (predictions above 1),
    # and sigmoid outputs over 3 classes are all pushed towards 1. Reproduced by hand with the library's pieces.
    X = np.random.default_rng(0).normal(size=(30, 2))
    Y = bp.one_hot(np.random.default_rng(1).integers(0, 3, 30), 3)
    for out in ("relu", "sigmoid"):
        act = bp.ACTIVATIONS[out]
        W, b = np.random.default_rng(2).normal(size=(2, 3)), np.zeros(3)
        for _ in range(300):
            Z = X @ W + b
            P = act(Z)
            delta = act.backward(Z, P, bp.cross_entropy_grad(np.maximum(P, 1e-300), Y))
            W -= 0.5 * X.T @ delta
            b -= 0.5 * delta.sum(axis=0)
        P = act(X @ W + b)
        if out == "relu":
            assert bp.cross_entropy(np.maximum(P, 1e-300), Y) < 0
        else:
            assert P.mean() > 0.9 and np.all(P.sum(axis=1) > 1.5)  # not a distribution: every class "likely"


def test_custom_loss_and_activation_are_checked_at_every_call():  # defect 9
    X, Y = np.ones((4, 2)), np.zeros((4, 1))
    array_loss = bp.Loss("array_loss", lambda p, t: (p - t) ** 2, lambda p, t: 2 * (p - t) / len(t))
    net = bp.MLP([2, 3, 1], hidden="tanh", loss=array_loss, seed=0)
    with pytest.raises(TypeError, match=r"loss 'array_loss' returned ndarray of shape \(4, 1\); it must return one"):
        net.loss(X, Y)
    with pytest.raises(TypeError, match="array_loss"):
        net.fit(X, Y, epochs=2)
    flat_grad = bp.Loss("flat", bp.mse, lambda p, t: float(np.sum(p - t)))
    with pytest.raises(ValueError, match=r"'flat': gradient returned shape \(\) for predictions of shape \(4, 1\)"):
        bp.MLP([2, 3, 1], loss=flat_grad, seed=0).gradients(X, Y)
    scalar = bp.Activation("scalar_tanh", np.tanh, lambda z: 1.0)  # f' as one number: wrong gradients if broadcast
    with pytest.raises(ValueError, match=r"activation 'scalar_tanh': derivative returned shape \(\)"):
        bp.MLP([2, 3, 1], hidden=scalar, seed=0).gradients(X, Y)
    narrow = bp.Activation("narrow", lambda z: z[:, :1], lambda z: np.ones_like(z))
    with pytest.raises(ValueError, match=r"activation 'narrow' returned shape \(4, 1\) for z of shape \(4, 3\)"):
        bp.MLP([2, 3, 1], hidden=narrow, seed=0).predict(X)


def test_a_custom_loss_with_a_new_name_gets_a_clear_message():  # defect 9: was KeyError: 'my_bce'
    my_bce = bp.Loss("my_bce", bp.bce, bp.bce_grad, (0.0, 1.0))
    with pytest.raises(ValueError, match=r"loss 'my_bce' needs predictions in \[0.0, 1.0\] but output activation "
                                         r"'identity'.*use output='identity'"):
        bp.MLP([2, 1], loss=my_bce)
    assert bp.MLP([2, 1], output="sigmoid", loss=my_bce).loss_fn is my_bce


def test_number_types_are_consistent():  # defect 10
    X, Y = np.ones((2, 2)), np.ones((2, 1))
    bp.MLP([2, 1], seed=np.int64(3)).fit(X, Y, epochs=np.int64(2), lr=np.int64(1), batch_size=np.int32(1))
    bp.MLP(np.array([2, 3, 1]), seed=0).fit(X, Y, epochs=1, lr=np.float32(0.5))
    for seed in (True, -1, 1.5, "0"):
        with pytest.raises(ValueError, match=f"seed must be None or a non-negative integer, got {seed!r}"):
            bp.MLP([2, 1], seed=seed)
    for bad in (dict(epochs=True), dict(lr=True), dict(batch_size=False)):
        with pytest.raises(ValueError, match=f"{next(iter(bad))} must be a positive"):
            bp.MLP([2, 1]).fit(X, Y, **bad)


def test_ragged_lists_and_overflow_name_the_argument():  # defect 10
    net = bp.MLP([2, 1], seed=0)
    with pytest.raises(ValueError, match=r"X must be a rectangular array of numbers"):
        net.predict([[1.0, 2.0], [3.0]])
    with pytest.raises(ValueError, match=r"Y must be a rectangular array of numbers"):
        net.loss([[1.0, 2.0]], [[1.0], []])
    net32 = bp.MLP([2, 1], seed=0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"X\[0, 1\] = 1e\+200 overflows float32"):
        net32.predict(np.array([[0.0, 1e200]]))
    with pytest.raises(ValueError, match=r"X contains inf at row 0, column 1"):
        net32.predict(np.array([[0.0, np.inf]]))


def test_a_user_activation_asks_for_its_initialisation():
    leaky = bp.Activation("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01),
                          kinks=(0.0,), init="he")
    he = bp.MLP([3, 4, 1], hidden="relu", seed=5).params["W1"]
    glorot = bp.MLP([3, 4, 1], hidden="tanh", seed=5).params["W1"]
    np.testing.assert_array_equal(bp.MLP([3, 4, 1], hidden=leaky, seed=5).params["W1"], he)
    default = bp.Activation("leaky_relu", leaky.function, leaky.derivative)
    np.testing.assert_array_equal(bp.MLP([3, 4, 1], hidden=default, seed=5).params["W1"], glorot)
    # The two schemes have the variances they are named for (200 x 300 entries: 2 % statistical accuracy).
    W_he = bp.MLP([200, 300, 1], hidden="relu", seed=0).params["W1"]
    W_gl = bp.MLP([200, 300, 1], hidden="tanh", seed=0).params["W1"]
    assert W_he.var() == pytest.approx(2 / 200, rel=0.02) and W_gl.var() == pytest.approx(2 / 500, rel=0.02)
    own = bp.Activation("own", np.tanh, bp.tanh_grad, init=lambda n_in, n_out, rng: np.full((n_in, n_out), 0.5))
    assert np.all(bp.MLP([3, 4, 1], hidden=own).params["W1"] == 0.5)


# ------------------------------------------------------------------------------ labels and predictions
def test_cross_entropy_network_accepts_labels():
    X = np.random.default_rng(0).normal(size=(6, 2))
    labels = np.array([0, 2, 1, 1, 0, 2])
    net = bp.MLP([2, 4, 3], hidden="tanh", loss="cross_entropy", seed=0)
    Y = bp.one_hot(labels, 3)
    assert net.loss(X, labels) == net.loss(X, Y)
    loss_l, grads_l = net.value_and_grad(X, labels)
    loss_y, grads_y = net.value_and_grad(X, Y)
    assert loss_l == loss_y and all(np.array_equal(grads_l[k], grads_y[k]) for k in grads_y)
    a, b = bp.MLP([2, 4, 3], loss="cross_entropy", seed=1), bp.MLP([2, 4, 3], loss="cross_entropy", seed=1)
    a.fit(X, labels, epochs=5, batch_size=2)
    b.fit(X, Y, epochs=5, batch_size=2)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    with pytest.raises(ValueError, match="holds the class label 3, but the network has 3 outputs"):
        net.loss(X, np.array([0, 1, 2, 3, 0, 1]))
    with pytest.raises(ValueError, match="Y has 5 labels but X has 6 rows"):
        net.loss(X, labels[:5])
    with pytest.raises(ValueError, match="or give class labels as a 1-D integer array"):
        net.loss(X, labels.astype(float))


def test_predict_labels():
    X = np.random.default_rng(0).normal(size=(8, 2))
    ce = bp.MLP([2, 4, 3], loss="cross_entropy", seed=0)
    np.testing.assert_array_equal(ce.predict_labels(X), ce.predict(X).argmax(axis=1))
    binary = bp.MLP([2, 4, 1], loss="bce", seed=0)
    p = binary.predict(X)[:, 0]
    np.testing.assert_array_equal(binary.predict_labels(X), (p > 0.5).astype(int))
    assert binary.predict_labels(X).shape == (8,)
    multi = bp.MLP([2, 4, 2], loss="bce", seed=0)
    assert multi.predict_labels(X).shape == (8, 2)
    with pytest.raises(ValueError, match="predict_labels needs a classification loss"):
        bp.MLP([2, 1], loss="mse").predict_labels(X)


def test_bce_accepts_binary_labels_for_one_output():
    X = np.random.default_rng(0).normal(size=(5, 2))
    y = np.array([0, 1, 1, 0, 1])
    net = bp.MLP([2, 3, 1], loss="bce", seed=0)
    assert net.loss(X, y) == net.loss(X, y.reshape(-1, 1).astype(float)) == net.loss(X, y.astype(bool))
    with pytest.raises(ValueError, match="binary labels must be 0 or 1; Y holds 2"):
        net.loss(X, np.array([0, 1, 2, 0, 1]))
    with pytest.raises(ValueError, match="need a network with one output"):
        bp.MLP([2, 3, 2], loss="bce").loss(X, y)


def test_value_and_grad_is_the_step_and_checked_skips_only_the_data_checks():
    net = bp.MLP([2, 3, 1], hidden="tanh", seed=0)
    X, Y = net.check_inputs([[1, 2], [3, 4]], [[1], [0]])
    loss, grads = net.value_and_grad(X, Y, checked=True)
    assert loss == net.loss(X, Y) and all(np.array_equal(grads[k], g) for k, g in net.gradients(X, Y).items())
    fp = net.forward(X, Y)
    assert fp.loss == loss and fp.output is fp.a[-1]
    net.params["W2"] = np.ones((4, 1))  # replaced: the checked path still checks shapes
    with pytest.raises(ValueError, match=r"params\['W2'\] has shape \(4, 1\), expected \(3, 1\)"):
        net.value_and_grad(X, Y, checked=True)


# -- initialisation: MLP(..., init=...) -------------------------------------------------------------
def test_default_init_is_what_each_activation_asks_for():
    # The default draws He before ReLU and Glorot before tanh/identity, from the seeded generator in layer order.
    net = bp.MLP([6, 5, 4, 3], hidden=["relu", "tanh"], seed=7)
    rng = np.random.default_rng(7)
    expected = [bp.he_normal(6, 5, rng), bp.glorot_uniform(5, 4, rng), bp.glorot_uniform(4, 3, rng)]
    for l, W in enumerate(expected, 1):
        np.testing.assert_array_equal(net.params[f"W{l}"], W)
        np.testing.assert_array_equal(net.params[f"b{l}"], np.zeros(W.shape[1]))
    same = bp.MLP([6, 5, 4, 3], hidden=["relu", "tanh"], seed=7, init=None)
    assert all(np.array_equal(net.params[k], same.params[k]) for k in net.params)


@pytest.mark.parametrize("name, scheme", [("he", bp.he_normal), ("glorot", bp.glorot_uniform)])
def test_named_init_applies_to_every_layer(name, scheme):
    net = bp.MLP([6, 5, 4, 3], hidden=["relu", "tanh"], seed=3, init=name)
    rng = np.random.default_rng(3)
    for l, (n_in, n_out) in enumerate([(6, 5), (5, 4), (4, 3)], 1):
        np.testing.assert_array_equal(net.params[f"W{l}"], scheme(n_in, n_out, rng))


def test_a_number_is_the_standard_deviation_of_a_gaussian():
    net = bp.MLP([400, 300, 200], hidden="relu", seed=0, init=0.001)
    for key in ("W1", "W2"):  # 120,000 and 60,000 draws: the sample std is within 1 % of 0.001
        assert abs(net.params[key].std() / 0.001 - 1) < 0.01
        assert abs(net.params[key].mean()) < 1e-5
    rng = np.random.default_rng(5)
    np.testing.assert_array_equal(bp.MLP([3, 2], seed=5, init=0.25).params["W1"], rng.normal(0, 0.25, (3, 2)))
    np.testing.assert_array_equal(bp.MLP([3, 2], seed=5, init=bp.gaussian(0.25)).params["W1"],
                                  bp.MLP([3, 2], seed=5, init=0.25).params["W1"])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_keeps_the_dtype_and_a_callable_gets_the_layer_sizes(dtype):
    seen = []

    def ones(n_in, n_out, rng):
        seen.append((n_in, n_out))
        return np.ones((n_in, n_out))

    net = bp.MLP([3, 4, 2], seed=0, init=ones, dtype=dtype)
    assert seen == [(3, 4), (4, 2)]
    assert all(p.dtype == dtype for p in net.params.values())
    assert np.all(net.params["W2"] == 1)


@pytest.mark.parametrize("init, error, message", [
    ("lecun", ValueError, "unknown init 'lecun'; use a name"),
    (0.0, ValueError, "init=0.0: .*positive and finite"),
    (-1e-3, ValueError, "positive and finite"),
    (float("inf"), ValueError, "positive and finite"),
    (True, TypeError, "init must be a name"),
    ([0.1], TypeError, "init must be a name"),
    (lambda n_in, n_out, rng: np.ones((n_out, n_in)), ValueError, r"gave W1 of shape \(2, 3\); expected \(3, 2\)"),
    (lambda n_in, n_out, rng: np.full((n_in, n_out), np.nan), ValueError, "not finite"),
    (lambda n_in, n_out, rng: np.full((n_in, n_out), 1e300), ValueError, "not finite in float32"),
    (lambda n_in, n_out, rng: np.full((n_in, n_out), "w"), TypeError, "numeric array"),
])
def test_bad_init_is_refused_naming_it(init, error, message):
    with pytest.raises(error, match=message):
        bp.MLP([3, 2], init=init, dtype=np.float32)
