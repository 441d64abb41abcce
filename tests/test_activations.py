"""Activations: the records and their views, values against definitions, derivatives against finite differences."""

import math
import warnings

import numpy as np
import pytest

import backprop as bp

ELEMENTWISE = ["identity", "sigmoid", "tanh", "relu"]
DEFINITIONS = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + math.exp(-z)),
    "tanh": math.tanh,
    "relu": lambda z: max(0.0, z),
}
POINTS = np.linspace(-6, 6, 49) + 0.0123  # avoids the ReLU kink at exactly 0


def test_one_record_per_activation_and_the_derivative_table_is_a_view(monkeypatch):
    assert all(isinstance(act, bp.Activation) and act.name == name for name, act in bp.ACTIVATIONS.items())
    assert set(bp.ACTIVATIONS) == set(ELEMENTWISE) | {"softmax"}
    # Elementwise activations only: softmax's derivative is a Jacobian, not an entry of this table.
    assert list(bp.DERIVATIVES) == ELEMENTWISE
    assert all(bp.DERIVATIVES[n] is bp.ACTIVATIONS[n].derivative for n in ELEMENTWISE)
    # A record added to ACTIVATIONS appears in the view at once, and the view cannot be written to.
    square = bp.Activation("square", lambda z: z * z, lambda z: 2 * z)
    monkeypatch.setitem(bp.ACTIVATIONS, "square", square)
    assert bp.DERIVATIVES["square"] is square.derivative and bp.get_activation("square") is square
    with pytest.raises(TypeError):
        bp.DERIVATIVES["cube"] = lambda z: 3 * z * z


def test_records_carry_range_kinks_and_initialisation():
    acts = bp.ACTIVATIONS
    assert acts["relu"].init == "he" and acts["relu"].kinks == (0.0,)
    assert all(acts[n].init == "glorot" and acts[n].kinks == () for n in ("identity", "sigmoid", "tanh", "softmax"))
    assert acts["sigmoid"].bounds == (0.0, 1.0) and acts["tanh"].bounds == (-1.0, 1.0)
    assert acts["softmax"].distribution and not any(acts[n].distribution for n in ELEMENTWISE)
    assert acts["softmax"].derivative is None and acts["softmax"].vjp is not None


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_match_definition(name):
    got = bp.ACTIVATIONS[name](POINTS)
    np.testing.assert_allclose(got, [DEFINITIONS[name](z) for z in POINTS], rtol=1e-14, atol=1e-300)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_centered_difference(name):
    # Centered difference with h = 1e-5: truncation ~h^2 |f'''| <= 1e-10, rounding ~1e-16/h = 1e-11.
    h = 1e-5
    f = bp.ACTIVATIONS[name]
    numeric = (f(POINTS + h) - f(POINTS - h)) / (2 * h)
    np.testing.assert_allclose(bp.DERIVATIVES[name](POINTS), numeric, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backward_equals_grad_times_derivative(name):
    act = bp.ACTIVATIONS[name]
    g = np.random.default_rng(0).normal(size=POINTS.shape)
    expected = g * bp.DERIVATIVES[name](POINTS)
    np.testing.assert_allclose(act.backward(POINTS.copy(), act(POINTS), g.copy()), expected, rtol=1e-14)


def test_softmax_jacobian_matches_finite_difference_and_backward():
    z = np.array([0.3, -1.2, 2.0, 0.1])
    h = 1e-6
    numeric = np.stack([(bp.softmax(z + h * e) - bp.softmax(z - h * e)) / (2 * h) for e in np.eye(4)], axis=1)
    J = bp.softmax_jacobian(z)
    np.testing.assert_allclose(J, numeric, atol=1e-9)
    g = np.array([[0.5, -1.0, 0.25, 2.0]])
    np.testing.assert_allclose(bp.ACTIVATIONS["softmax"].backward(z[None], bp.softmax(z[None]), g), g @ J, rtol=1e-12)


def test_no_overflow_for_huge_logits():
    z = np.array([-1e4, -1000.0, -40.0, 0.0, 40.0, 1000.0, 1e4])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = bp.sigmoid(z)
        p = bp.softmax(np.array([[1000.0, -1000.0, 0.0], [-1e4, -1e4, -1e4]]))
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0 and s[3] == 0.5
    assert s[2] == pytest.approx(1.0 / (1.0 + math.exp(40.0)), rel=1e-14)  # tiny values keep full precision
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]], rtol=1e-15)


@pytest.mark.parametrize("name", list(bp.ACTIVATIONS))
def test_float32_stays_float32(name):
    z = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    assert bp.ACTIVATIONS[name](z).dtype == np.float32
    if name in bp.DERIVATIVES:
        assert bp.DERIVATIVES[name](z).dtype == np.float32


def test_unknown_or_wrong_type_activation():
    with pytest.raises(ValueError, match="unknown activation 'swish'.*relu"):
        bp.get_activation("swish")
    with pytest.raises(TypeError, match="name .* or an Activation"):
        bp.get_activation(42)
    with pytest.raises(TypeError, match="needs a function and a derivative"):
        bp.get_activation(bp.Activation("bad", np.sin, None))


@pytest.mark.parametrize(
    "kwargs, exc, msg",
    [
        (dict(name="", function=np.sin, derivative=np.cos), TypeError, "needs a name"),
        (dict(name="s", function=3, derivative=np.cos), TypeError, "function must be callable"),
        (dict(name="s", function=np.sin, derivative="cos"), TypeError, "derivative must be callable"),
        (dict(name="s", function=np.sin, derivative=np.cos, bounds=(1, 0)), ValueError, "bounds must be"),
        (dict(name="s", function=np.sin, derivative=np.cos, kinks=(np.nan,)), ValueError, "kinks must be"),
        (dict(name="s", function=np.sin, derivative=np.cos, init="lecun"), ValueError, "unknown init 'lecun'"),
        (dict(name="s", function=np.sin, derivative=np.cos, init=2), TypeError, "init must be a name"),
    ],
)
def test_a_bad_record_is_refused_when_made(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        bp.Activation(**kwargs)


def test_backward_refuses_a_derivative_that_is_not_elementwise():
    # A scalar derivative would broadcast into a plausible-looking but wrong gradient.
    scalar = bp.Activation("half", lambda z: 0.5 * z, lambda z: 0.5)
    z = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"activation 'half': derivative returned shape \(\) for z of shape \(2, 3\)"):
        scalar.backward(z, scalar(z), np.ones((2, 3)))
    widen = bp.Activation("widen", np.tanh, None, vjp=lambda z, a, g: np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"'widen': vjp gave dL/dz of shape \(2, 4\)"):
        widen.backward(z, np.tanh(z), np.ones((2, 3)))
