"""The tiny autodiff engine (backprop.autodiff): local derivatives against SymPy, whole networks
against the library, the reused-variable case, the topological order and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import backprop as bp
import backprop.symbolic as bs
from backprop.autodiff import Value, mlp_loss, sigmoid, topological_order

s, t = sp.symbols("s t", real=True)

# (name, engine function of one or two Values, SymPy expression in s (and t), domain of s)
UNARY = [
    ("neg", lambda a: -a, -s, (-5, 5)),
    ("exp", lambda a: a.exp(), sp.exp(s), (-20, 20)),
    ("log", lambda a: a.log(), sp.log(s), (1e-3, 50)),
    ("tanh", lambda a: a.tanh(), sp.tanh(s), (-6, 6)),
    ("sigmoid", sigmoid, 1 / (1 + sp.exp(-s)), (-30, 30)),
    ("square", lambda a: a**2, s**2, (-5, 5)),
    ("cube", lambda a: a**3, s**3, (-5, 5)),
    ("sqrt", lambda a: a**0.5, sp.sqrt(s), (1e-2, 50)),
    ("reciprocal", lambda a: 1 / a, 1 / s, (0.1, 10)),
    ("3 - a", lambda a: 3 - a, 3 - s, (-5, 5)),
    ("a / 4", lambda a: a / 4, s / 4, (-5, 5)),
    ("2.5 * a + 1", lambda a: 2.5 * a + 1, 2.5 * s + 1, (-5, 5)),
    ("relu", lambda a: a.relu(), sp.Max(s, 0), (-5, 5)),
]
BINARY = [
    ("+", lambda a, b: a + b, s + t),
    ("-", lambda a, b: a - b, s - t),
    ("*", lambda a, b: a * b, s * t),
    ("/", lambda a, b: a / b, s / t),
    ("max", lambda a, b: a.max(b), sp.Max(s, t)),
]


def close(a: float, b: float, rel: float = 1e-13) -> bool:
    """Relative agreement; two float64 evaluations of the same formula differ by a few ulps."""
    return abs(a - b) <= rel * max(abs(a), abs(b)) or a == b


@pytest.mark.parametrize("name, f, expr, domain", UNARY, ids=[u[0] for u in UNARY])
def test_local_derivatives_of_unary_operations_are_sympys(name, f, expr, domain):
    value = sp.lambdify(s, expr, "math")
    slope = sp.lambdify(s, sp.diff(expr, s), "math")
    for x0 in np.linspace(*domain, 41):
        x0 = float(x0)
        if name == "relu" and x0 == 0:
            continue
        x = Value(x0)
        out = f(x)
        out.backward()
        assert close(out.data, value(x0)), (name, x0, out.data, value(x0))
        assert close(x.grad, float(slope(x0))), (name, x0, x.grad, slope(x0))


@pytest.mark.parametrize("name, f, expr", BINARY, ids=[b[0] for b in BINARY])
@settings(deadline=None)  # SymPy's first call of an operation is slow
@given(a0=st.floats(-10, 10), b0=st.floats(-10, 10))
def test_local_derivatives_of_binary_operations_are_sympys(name, f, expr, a0, b0):
    if name == "/" and abs(b0) < 1e-3:
        b0 = 1.0
    if name == "max" and a0 == b0:
        b0 += 1.0  # max is not differentiable on a tie
    a, b = Value(a0), Value(b0)
    out = f(a, b)
    out.backward()
    point = {s: a0, t: b0}
    for v, sym in ((a, s), (b, t)):
        expected = float(sp.diff(expr, sym).subs(point))
        assert close(v.grad, expected), (name, a0, b0, v.grad, expected)


def test_relu_and_max_at_the_kink_follow_the_library():
    x = Value(0.0)
    y = x.relu()
    y.backward()
    assert x.grad == float(bp.relu_grad(np.array(0.0))) == 0.0
    a, b = Value(1.5), Value(1.5)
    m = a.max(b)
    m.backward()
    assert (a.grad, b.grad) == (0.0, 1.0)  # a tie routes to the second argument, as documented


# -- reused variables: the gradient is a sum over uses ----------------------------------------------
REUSE = [
    ("x * x", lambda x, y: x * x, s * s),
    ("x + x", lambda x, y: x + x, 2 * s),
    ("x * y + x", lambda x, y: x * y + x, s * t + s),
    ("(x*y).tanh() * x", lambda x, y: (x * y).tanh() * x, sp.tanh(s * t) * s),
    ("exp(x) / (x + y*y)", lambda x, y: x.exp() / (x + y * y), sp.exp(s) / (s + t * t)),
]


@pytest.mark.parametrize("name, f, expr", REUSE, ids=[r[0] for r in REUSE])
def test_a_value_used_several_times_gets_the_sum_of_its_uses(name, f, expr):
    x0, y0 = 0.7, -1.3
    x, y = Value(x0), Value(y0)
    out = f(x, y)
    out.backward()
    for v, sym in ((x, s), (y, t)):
        expected = float(sp.diff(expr, sym).subs({s: x0, t: y0}))
        assert close(v.grad, expected), (name, v.grad, expected)


def test_backward_twice_gives_the_same_gradients():
    x, y = Value(0.3), Value(2.0)
    out = (x * y + x).exp()
    out.backward()
    first = (x.grad, y.grad)
    out.backward()
    assert (x.grad, y.grad) == first


# -- the topological order ---------------------------------------------------------------------------
@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.sampled_from("+*")), min_size=1,
                max_size=60))
def test_topological_order_puts_every_parent_first_and_lists_each_node_once(recipe):
    nodes = [Value(0.5), Value(-0.25)]
    for i, j, op in recipe:
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(a + b if op == "+" else a * b)
    order = topological_order(nodes[-1])
    position = {id(v): k for k, v in enumerate(order)}
    assert len(position) == len(order) and order[-1] is nodes[-1]
    for v in order:
        for parent, _ in v.parents:
            assert position[id(parent)] < position[id(v)]


def test_a_long_chain_needs_no_recursion():
    x = Value(1.0)
    total = x
    for _ in range(5 * 1000):  # five times Python's default recursion limit
        total = total + x
    total.backward()
    assert x.grad == 5001.0 and len(topological_order(total)) == 5001  # x and 5000 sums


# -- whole networks against the library --------------------------------------------------------------
PAIRS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"), ("softmax", "mse"),
         ("sigmoid", "bce"), ("softmax", "cross_entropy")]


def engine_gradients(params: dict) -> dict[str, np.ndarray]:
    return {k: np.array([[v.grad for v in row] for row in p]) if isinstance(p[0], list)
            else np.array([v.grad for v in p]) for k, p in params.items()}


def random_problem(sizes, hidden, output, loss, n, seed):
    rng = np.random.default_rng(seed)
    net = bp.MLP(sizes, hidden=hidden, output=output, loss=loss, seed=seed)
    for k in net.params:
        if k.startswith("b"):
            net.params[k] = rng.normal(0.0, 0.5, size=net.params[k].shape)
    X = rng.normal(size=(n, sizes[0]))
    if loss == "mse":
        Y = rng.normal(size=(n, sizes[-1]))
    elif loss == "bce":
        Y = rng.uniform(size=(n, sizes[-1])) if seed % 2 else rng.integers(0, 2, (n, sizes[-1])).astype(float)
    else:
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    return net, X, Y


def assert_agrees_with_library(net, X, Y, tol=1e-12):
    """Engine == library to ``tol`` times the largest gradient entry (an exact zero gradient stays exactly 0).

    Both are float64 computations of the same sums in different orders (BLAS against one term at a time),
    so they differ by rounding: a few ulps of the largest terms."""
    loss, params = mlp_loss(net, X, Y)
    loss.backward()
    library = net.gradients(X, Y)
    engine = engine_gradients(params)
    assert abs(loss.data - net.loss(X, Y)) <= tol * abs(net.loss(X, Y)), (loss.data, net.loss(X, Y))
    scale = max(float(np.max(np.abs(g))) for g in library.values())
    for k, g in library.items():
        assert engine[k].shape == g.shape, k
        err = float(np.max(np.abs(engine[k] - g)))
        assert err <= tol * scale, (k, err, scale)
    return engine, library


@settings(max_examples=80, deadline=None)
@given(widths=st.lists(st.integers(1, 4), min_size=2, max_size=5),
       hidden=st.lists(st.sampled_from(["identity", "sigmoid", "tanh", "relu"]), min_size=3, max_size=3),
       pair=st.sampled_from(PAIRS), n=st.integers(1, 4), seed=st.integers(0, 2**32 - 1))
def test_engine_gradients_equal_the_librarys_on_random_networks(widths, hidden, pair, n, seed):
    output, loss = pair
    sizes = list(widths)
    if output == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    net, X, Y = random_problem(sizes, hidden[: len(sizes) - 2], output, loss, n, seed)
    assert_agrees_with_library(net, X, Y)


def test_non_fused_bce_agrees_with_the_library():
    # bce of a softmax output, the library's one unfused pairing of a cross-entropy: it divides by
    # yhat (1 - yhat), so its rounding grows as the outputs saturate; these outputs stay inside (0.05, 0.95).
    net, X, Y = random_problem([3, 4, 2], ["tanh"], "softmax", "bce", 3, 3)
    assert not net.fused
    p = net.predict(X)
    assert 0.05 < p.min() and p.max() < 0.95
    assert_agrees_with_library(net, X, Y)


def test_all_zero_gradients_stay_exactly_zero():
    net = bp.MLP([2, 3, 1], hidden="relu", loss="mse", seed=0)
    net.params["b1"] = np.full(3, -10.0)  # every hidden unit dead: only b2 learns
    X, Y = np.array([[0.1, -0.2]]), np.array([[1.0]])
    engine, library = assert_agrees_with_library(net, X, Y)
    for k in ("W1", "b1", "W2"):
        assert np.array_equal(engine[k], library[k]) and not engine[k].any()


def test_the_worked_examples_agree_with_library_and_sympy():
    one = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    one.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    three = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    three.params.update(W1=np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]]).T.copy(), b1=np.array([0.1, -0.2]),
                        W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
    for net, X, Y in [(one, np.array([[0.5]]), np.array([[0.6]])),
                      (three, np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]]))]:
        engine, _ = assert_agrees_with_library(net, X, Y)
        exact = bs.derive_network(net, X, Y).exact
        for k, e in engine.items():
            ref = np.array(exact[k].tolist(), dtype=float).reshape(e.shape)
            assert np.allclose(e, ref, rtol=1e-14, atol=1e-16), (k, e, ref)


# -- bad input -------------------------------------------------------------------------------------------
def test_bad_input_is_refused_with_a_clear_error():
    with pytest.raises(TypeError, match="real number"):
        Value("1.0")
    with pytest.raises(TypeError, match="real number"):
        Value(True)
    with pytest.raises(ValueError, match="finite"):
        Value(math.nan)
    with pytest.raises(ValueError, match="finite"):
        Value(1.0) * math.inf
    with pytest.raises(ValueError, match=r"log\(0.0\)"):
        Value(0.0).log()
    with pytest.raises(OverflowError, match=r"exp\(1000.0\)"):
        Value(1000.0).exp()
    with pytest.raises(ValueError, match="negative base"):
        Value(-8.0) ** (1 / 3)
    with pytest.raises(ValueError, match="infinite at 0"):
        Value(0.0) ** 0.5
    with pytest.raises(ZeroDivisionError):
        Value(1.0) / Value(0.0)
    with pytest.raises(ValueError, match=r"\*\(1e\+300, 1e\+300\) gave inf"):
        Value(1e300) * Value(1e300)
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError):
        Value(2.0) ** Value(2.0)
    with pytest.raises(TypeError, match="needs Values"):
        topological_order(1.0)
    leaky = bp.Activation("leaky", lambda z: np.maximum(z, 0.1 * z), lambda z: np.where(z > 0, 1.0, 0.1))
    net = bp.MLP([1, 2, 1], hidden=leaky, loss="mse", seed=0)
    with pytest.raises(ValueError, match="'leaky'"):
        mlp_loss(net, np.ones((1, 1)), np.ones((1, 1)))
    # a user's activation that borrows a library name is not the library's tanh
    fake_tanh = bp.Activation("tanh", np.sin, np.cos)
    net = bp.MLP([1, 2, 1], hidden=fake_tanh, loss="mse", seed=0)
    with pytest.raises(ValueError, match="user-defined 'tanh'"):
        mlp_loss(net, np.ones((1, 1)), np.ones((1, 1)))
    with pytest.raises(ValueError, match="columns"):
        mlp_loss(bp.MLP([1, 2, 1], hidden="tanh", seed=0), np.ones((1, 2)), np.ones((1, 1)))
