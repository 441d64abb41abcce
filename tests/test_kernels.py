"""The speed-only kernels (backprop/_kernels.py) compute the plain formulas, and fit's kept arrays change nothing.

Each kernel is compared with the formula it replaces on arrays drawn by hypothesis, with and
without a workspace.  Where the kernel computes exactly the same operations (the matrix products,
the bias add, ReLU, the output delta) the results must be bit for bit equal.  The bias gradient
1_Nᵀ δ is a BLAS matrix-vector product whose additions come in another order than
``delta.sum(axis=0)``: the two may differ by rounding, bounded by N machine epsilons times the sum
of the absolute values (the standard bound for any order of summation).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import backprop as bp
from backprop import _kernels as kernels

DTYPES = st.sampled_from([np.float32, np.float64])
finite = dict(allow_nan=False, allow_infinity=False)


@st.composite
def matrix(draw, max_rows=9):
    dt = draw(DTYPES)
    shape = (draw(st.integers(1, max_rows)), draw(st.integers(1, 7)))
    return draw(arrays(dt, shape, elements=st.floats(-1e3, 1e3, width=np.dtype(dt).itemsize * 8, **finite)))


def maybe_workspace(use: bool) -> kernels.Workspace | None:
    return kernels.Workspace() if use else None


@settings(max_examples=60, deadline=None)
@given(data=st.data(), use_work=st.booleans())
def test_affine_is_A_W_plus_bias(data, use_work):
    A = data.draw(matrix())
    k = data.draw(st.integers(1, 6))
    W = data.draw(arrays(A.dtype, (A.shape[1], k), elements=st.floats(-10, 10, width=A.dtype.itemsize * 8)))
    b = data.draw(arrays(A.dtype, (k,), elements=st.floats(-10, 10, width=A.dtype.itemsize * 8)))
    work = maybe_workspace(use_work)
    for _ in range(2):  # the second call reuses the workspace's array
        Z = kernels.affine(A, W, b, work, 1)
        expected = A @ W
        expected += b
        assert Z.dtype == A.dtype and np.array_equal(Z, expected)


@settings(max_examples=60, deadline=None)
@given(Z=matrix(), use_work=st.booleans())
def test_relu_kernel_is_the_relu_record(Z, use_work):
    work = maybe_workspace(use_work)
    expected, before = bp.ACTIVATIONS["relu"].function(Z), Z.copy()
    A = kernels.relu(Z, work, 1)
    assert A.dtype == Z.dtype and np.array_equal(A, expected)
    if use_work:  # a training step: A written over Z, whose signs, all ReLU's derivative reads, A keeps
        assert A is Z and np.array_equal(A > 0, before > 0)
    else:  # a pass a user sees keeps Z
        assert not np.shares_memory(A, Z) and np.array_equal(Z, before)


@settings(max_examples=80, deadline=None)
@given(delta=matrix(max_rows=300), use_work=st.booleans())
def test_bias_gradient_is_the_column_sums(delta, use_work):
    got = kernels.bias_gradient(delta, maybe_workspace(use_work), 1)
    exact = np.sum(delta.astype(np.float64), axis=0)
    eps = np.finfo(delta.dtype).eps
    bound = len(delta) * eps * np.sum(np.abs(delta.astype(np.float64)), axis=0)
    assert got.shape == (delta.shape[1],) and got.dtype == delta.dtype
    assert np.all(np.abs(got - exact) <= bound + np.finfo(delta.dtype).tiny)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), use_work=st.booleans())
def test_weight_and_input_gradients_are_the_products(data, use_work):
    delta = data.draw(matrix())
    n_in = data.draw(st.integers(1, 6))
    elements = st.floats(-10, 10, width=delta.dtype.itemsize * 8)
    A = data.draw(arrays(delta.dtype, (len(delta), n_in), elements=elements))
    W = data.draw(arrays(delta.dtype, (n_in, delta.shape[1]), elements=elements))
    work = maybe_workspace(use_work)
    assert np.array_equal(kernels.weight_gradient(A, delta, work, 2), A.T @ delta)
    assert np.array_equal(kernels.input_gradient(delta, W, work, 1), delta @ W.T)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), use_work=st.booleans())
def test_output_delta_is_the_difference_over_N(data, use_work):
    Yhat = data.draw(matrix())
    Y = data.draw(arrays(Yhat.dtype, Yhat.shape, elements=st.floats(0, 1, width=Yhat.dtype.itemsize * 8)))
    assert np.array_equal(kernels.output_delta(Yhat, Y, maybe_workspace(use_work), 2), (Yhat - Y) / len(Y))


def test_workspace_gives_the_same_memory_and_first_rows_for_a_smaller_batch():
    work = kernels.Workspace()
    a = work.array("Z", 1, (5, 3), np.float32)
    assert np.shares_memory(a, work.array("Z", 1, (5, 3), np.float32))
    last = work.array("Z", 1, (2, 3), np.float32)
    assert last.shape == (2, 3) and last.flags.c_contiguous and np.shares_memory(a, last)
    assert not np.shares_memory(a, work.array("Z", 2, (5, 3), np.float32))  # another layer, another array
    assert work.array("Z", 1, (5, 3), np.float64).dtype == np.float64  # another dtype: a new array
    assert work.array("Z", 1, (7, 3), np.float64).shape == (7, 3)  # more rows: a new, larger array


def test_workspace_is_only_for_steps_with_large_arrays():
    assert kernels.workspace_for([1, 1, 1], 1, np.dtype(np.float64), True) is None
    assert kernels.workspace_for([3, 2, 1], 1, np.dtype(np.float64), True) is None
    work = kernels.workspace_for([784, 256, 128, 10], 128, np.dtype(np.float32), False)
    assert isinstance(work, kernels.Workspace) and not work.gradients


# -- fit with kept arrays trains exactly as fresh arrays would ------------------------------------------------------
NETS = [
    dict(sizes=[40, 64, 32, 5], hidden="relu", loss="cross_entropy"),
    dict(sizes=[40, 64, 1], hidden="tanh", loss="bce"),
    dict(sizes=[40, 48, 48, 3], hidden=["relu", "sigmoid"], loss="mse"),
    dict(sizes=[40, 64, 32, 5], hidden="relu", loss="cross_entropy", dropout=0.2, l2=1e-3),
    dict(sizes=[40, 64, 32, 5], hidden="relu", loss="cross_entropy", batch_norm=[True, False]),
]


def _data(n, net_options, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, net_options["sizes"][0]))
    k = net_options["sizes"][-1]
    if net_options["loss"] == "cross_entropy":
        return X, rng.integers(0, k, n)
    if net_options["loss"] == "bce":
        return X, (X[:, :1] > 0).astype(float)
    return X, rng.normal(size=(n, k))


@pytest.mark.parametrize("options", NETS, ids=lambda o: f"{o['loss']}-{o.get('dropout', 0)}-{o.get('batch_norm')}")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("optimiser", ["sgd", "adam"])
def test_fit_with_kept_arrays_equals_fit_with_fresh_arrays(options, dtype, optimiser, monkeypatch):
    """Mini-batches of 96 (the last one 64: the kept arrays' first rows) and a full-batch run: every parameter and
    every recorded loss is bit for bit the same with the workspace (ReLU over Z) as with fresh arrays every step."""
    X, y = _data(544, options, 0)
    monkeypatch.setattr(kernels, "SMALL_STEP_BYTES", 0)  # a workspace even for these small networks
    runs = []
    for keep in (True, False):
        if not keep:  # no workspace at all: fresh arrays, and ReLU into an array of its own
            monkeypatch.setattr(bp.training, "workspace_for", lambda *args, **kwargs: None)
        net = bp.MLP(seed=3, dtype=dtype, **options)
        assert kernels.workspace_for(net.sizes, 96, net.dtype, True) is not None  # the test covers the kept arrays
        h1 = net.fit(X, y, epochs=3, lr=0.05, batch_size=96, optimiser=optimiser)
        h2 = net.fit(X, y, epochs=2, lr=0.05, optimiser=optimiser)
        runs.append((net, h1, h2))
    (a, a1, a2), (b, b1, b2) = runs
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert np.array_equal(a1.step_loss, b1.step_loss) and np.array_equal(a2.loss, b2.loss)
    assert np.array_equal(a1.grad_norm, b1.grad_norm)


def test_a_users_optimiser_that_keeps_its_gradient_gets_fresh_ones(monkeypatch):
    """An optimiser of the user's may keep the gradient array it is given: fit must not overwrite it later."""

    class KeepsGradients(bp.Optimiser):
        def update(self, key, p, g, state, lr):
            return lr * g, {"g": g}  # keeps g itself, not a copy

    monkeypatch.setattr(kernels, "SMALL_STEP_BYTES", 0)
    X, y = _data(256, NETS[0], 1)
    net = bp.MLP(seed=0, **NETS[0])
    opt = KeepsGradients()
    kept = []  # after every step: the arrays the optimiser kept, and copies of them
    original = opt.step

    def step(params, grads, lr):
        original(params, grads, lr)
        kept.append({k: (v["g"], v["g"].copy()) for k, v in opt.state.items()})

    opt.step = step
    net.fit(X, y, epochs=4, lr=0.01, optimiser=opt)
    assert len(kept) == 4
    assert all(np.array_equal(array, copy) for moment in kept for array, copy in moment.values())
    assert not np.array_equal(kept[0]["W1"][1], kept[-1]["W1"][1])  # the gradients did change between steps


def test_value_and_grad_never_returns_an_array_that_fit_overwrites(monkeypatch):
    monkeypatch.setattr(kernels, "SMALL_STEP_BYTES", 0)
    X, y = _data(256, NETS[0], 2)
    net = bp.MLP(seed=0, **NETS[0])
    loss, grads = net.value_and_grad(X, y)
    fp = net.forward(X)
    saved = {k: g.copy() for k, g in grads.items()}
    outputs = [a.copy() for a in fp.a[1:]]
    net.fit(X, y, epochs=3, lr=0.01)
    assert all(np.array_equal(grads[k], saved[k]) for k in grads)
    assert all(np.array_equal(a, b) for a, b in zip(fp.a[1:], outputs, strict=True))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_all_finite_is_every_entry_finite(data):
    # any floats: huge finite ones (whose sum overflows), inf, -inf, NaN, and mixtures of them
    dt = data.draw(DTYPES)
    shape = (data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6)))
    a = data.draw(arrays(dt, shape, elements=st.floats(width=np.dtype(dt).itemsize * 8)))
    assert kernels.all_finite(a) == bool(np.isfinite(a).all())
