"""Activation functions: one record per activation, and the name-keyed tables built from them.

An activation is an [Activation][backprop.Activation] record: the function
a = f(z), its vector-Jacobian product (what backpropagation needs), its
elementwise derivative f′(z) when it has one, the range of its outputs, its
kinks and the weight initialisation it wants.  [ACTIVATIONS][backprop.ACTIVATIONS]
maps a name to its record; [DERIVATIVES][backprop.DERIVATIVES] is a view of it
(name → f′ for the elementwise ones), so adding a record adds it everywhere.

Examples
--------
>>> import numpy as np
>>> z = np.array([-2.0, 0.0, 3.0])
>>> relu(z), relu_grad(z)
(array([0., 0., 3.]), array([0., 0., 1.]))
>>> print(f"{sigmoid(np.array(0.3)):.4f}")
0.5744
>>> ACTIVATIONS["relu"].init, ACTIVATIONS["tanh"].bounds
('he', (-1.0, 1.0))
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ._rows import row_max, row_sum
from ._views import TableView
from .initialisation import INITIALISATIONS, Initialisation

Array = np.ndarray


def identity(z: Array) -> Array:
    """Return ``z`` unchanged: the output activation of a regression network.

    Examples
    --------
    >>> identity(np.array([-1.0, 2.0]))
    array([-1.,  2.])
    """
    return z


def identity_grad(z: Array) -> Array:
    """Derivative of [identity][backprop.identity]: ones of the shape of ``z``.

    Examples
    --------
    >>> identity_grad(np.array([-1.0, 2.0]))
    array([1., 1.])
    """
    return np.ones_like(z)


def sigmoid(z: Array) -> Array:
    """Logistic sigmoid σ(z) = 1 / (1 + e^(−z)), computed without overflow.

    It is evaluated as ``exp(-logaddexp(0, -z))``, which stays finite and
    accurate for any finite ``z``.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_grad(z: Array) -> Array:
    """Derivative of [sigmoid][backprop.sigmoid]: σ′(z) = σ(z)(1 − σ(z)).

    Examples
    --------
    >>> sigmoid_grad(np.array([0.0]))
    array([0.25])
    """
    s = sigmoid(z)
    return s * (1.0 - s)


def tanh(z: Array) -> Array:
    """Hyperbolic tangent.

    Examples
    --------
    >>> tanh(np.array([0.0]))
    array([0.])
    """
    return np.tanh(z)


def tanh_grad(z: Array) -> Array:
    """Derivative of [tanh][backprop.tanh]: 1 − tanh²(z).

    Examples
    --------
    >>> tanh_grad(np.array([0.0]))
    array([1.])
    """
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z: Array) -> Array:
    """Rectified linear unit max(0, z).

    Examples
    --------
    >>> relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    return np.maximum(z, 0.0)


def relu_grad(z: Array) -> Array:
    """Derivative of [relu][backprop.relu]: 1 where z > 0, else 0 (0 is used at the kink z = 0).

    Examples
    --------
    >>> relu_grad(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 1.])
    """
    return np.asarray(z > 0, dtype=np.result_type(z, np.float32))


def softmax(z: Array) -> Array:
    """Softmax over the last axis (each row is one sample), shifted so it never overflows.

    Examples
    --------
    >>> p = softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]]))
    >>> np.round(p, 4)
    array([[0.09  , 0.2447, 0.6652],
           [1.    , 0.    , 0.    ]])
    >>> p.sum(axis=1)
    array([1., 1.])
    """
    e = np.exp(z - row_max(z))
    e /= row_sum(e)
    return e


def softmax_jacobian(z: Array) -> Array:
    """Jacobian of [softmax][backprop.softmax] for one sample: J[i, j] = sᵢ(δᵢⱼ − sⱼ), s = softmax(z).

    Softmax is not elementwise, so its derivative is a matrix; for a batch of
    shape (N, k) the result has shape (N, k, k).  Backpropagation never forms
    it: the softmax record's ``vjp`` computes the product g J directly.

    Examples
    --------
    >>> np.round(softmax_jacobian(np.array([0.0, 0.0])), 3)
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    s = softmax(z)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


# Vector-Jacobian products: dL/dz from dL/da (grad_a), reusing a = f(z) where that is cheaper.
def _identity_vjp(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a


def _sigmoid_vjp(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a * (a * (1.0 - a))


def _tanh_vjp(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a * (1.0 - a * a)


def _relu_vjp(z: Array, a: Array, grad_a: Array) -> Array:
    # In place on grad_a (a temporary of the backward pass): a multiply by the
    # boolean mask is several times faster than grad_a[z <= 0] = 0 or np.where.
    return np.multiply(grad_a, z > 0, out=grad_a)


def _softmax_vjp(z: Array, a: Array, grad_a: Array) -> Array:
    # g J without the (N, k, k) Jacobian: dL/dz_j = a_j (dL/da_j - sum_i dL/da_i a_i)
    return a * (grad_a - row_sum(grad_a * a))


@dataclass(frozen=True)
class Activation:
    """One activation function and everything the library needs to know about it.

    An elementwise activation needs only ``name``, ``function`` and
    ``derivative``; the others have defaults.  A non-elementwise one (such as
    softmax) gives ``vjp`` instead of ``derivative``.  The record is checked
    when it is made (a ``TypeError`` or ``ValueError`` names the bad field),
    and the network checks at every call that ``function``, ``derivative`` and
    ``vjp`` return arrays of the shape of ``z``.

    Attributes
    ----------
    name : str
        The name used in the tables, in reports and in saved files.
    function : Callable[[ndarray], ndarray]
        a = f(z), vectorised: ``z`` has shape (N, n_l), one row per sample.
    derivative : Callable[[ndarray], ndarray] or None
        The elementwise derivative f′(z), of the shape of ``z``; ``None`` for
        an activation that is not elementwise.
    bounds : tuple of float
        The closed range (low, high) of the outputs; a loss that needs
        predictions in a range (BCE needs [0, 1]) refuses an output activation
        whose range does not fit.
    kinks : tuple of float
        Values of z where the derivative jumps (0 for ReLU).  A finite-difference
        check whose stencil crosses one flags the entry instead of judging it.
    vjp : Callable[[ndarray, ndarray, ndarray], ndarray] or None
        The vector-Jacobian product ``vjp(z, a, grad_a)`` = ∂𝓛/∂z from
        ``grad_a`` = ∂𝓛/∂a, row by row; it may overwrite ``grad_a``.  When
        ``None``, it is ``grad_a * derivative(z)``.
    init : str or Callable
        The weight initialisation of the layer this activation follows: a name
        in [INITIALISATIONS][backprop.INITIALISATIONS] (``"he"`` for ReLU-like
        units, ``"glorot"`` otherwise) or a function ``(n_in, n_out, rng) -> W``.
    distribution : bool
        True if every output row is a probability distribution (entries in
        [0, 1] that sum to 1), as for softmax; cross-entropy needs such an output.

    Examples
    --------
    A user's leaky ReLU, with its kink and He initialisation:

    >>> leaky = Activation("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z),
    ...                    lambda z: np.where(z > 0, 1.0, 0.01), kinks=(0.0,), init="he")
    >>> leaky.backward(np.array([3.0, -2.0]), None, np.array([1.0, 1.0]))
    array([1.  , 0.01])
    """

    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array], Array] | None = None
    bounds: tuple[float, float] = (-math.inf, math.inf)
    kinks: tuple[float, ...] = ()
    vjp: Callable[[Array, Array, Array], Array] | None = field(default=None, repr=False)
    init: str | Initialisation = "glorot"
    distribution: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"an activation needs a name (a non-empty string), got {self.name!r}")
        what = f"activation {self.name!r}"
        if not callable(self.function):
            raise TypeError(f"{what}: function must be callable, got {type(self.function).__name__}")
        if self.derivative is None and self.vjp is None:
            raise TypeError(f"{what} needs a function and a derivative (or a vjp, if it is not elementwise)")
        for key in ("derivative", "vjp"):
            value = getattr(self, key)
            if value is not None and not callable(value):
                raise TypeError(f"{what}: {key} must be callable or None, got {type(value).__name__}")
        bounds = tuple(self.bounds) if isinstance(self.bounds, (tuple, list)) else None
        if bounds is None or len(bounds) != 2 or not all(_is_real(b) for b in bounds) or bounds[0] > bounds[1]:
            raise ValueError(f"{what}: bounds must be (low, high) with low <= high, got {self.bounds!r}")
        object.__setattr__(self, "bounds", (float(bounds[0]), float(bounds[1])))
        kinks = tuple(self.kinks) if isinstance(self.kinks, (tuple, list)) else None
        if kinks is None or not all(_is_real(k) and math.isfinite(k) for k in kinks):
            raise ValueError(f"{what}: kinks must be a tuple of finite numbers, got {self.kinks!r}")
        object.__setattr__(self, "kinks", tuple(float(k) for k in kinks))
        if isinstance(self.init, str):
            if self.init not in INITIALISATIONS:
                raise ValueError(f"{what}: unknown init {self.init!r}; valid names: {', '.join(INITIALISATIONS)}")
        elif not callable(self.init):
            raise TypeError(f"{what}: init must be a name ({', '.join(INITIALISATIONS)}) or a function "
                            f"(n_in, n_out, rng) -> W, got {type(self.init).__name__}")
        if not isinstance(self.distribution, (bool, np.bool_)):
            raise TypeError(f"{what}: distribution must be True or False, got {self.distribution!r}")

    def __call__(self, z: Array) -> Array:
        """a = f(z): the record is called like its function."""
        return self.function(z)

    def backward(self, z: Array, a: Array | None, grad_a: Array) -> Array:
        """∂𝓛/∂z from ∂𝓛/∂a (``grad_a``) at pre-activation ``z`` with output ``a = f(z)``.

        Raises ``ValueError`` if the derivative or the vector-Jacobian product
        returns an array of another shape than ``z`` (a scalar derivative would
        otherwise broadcast into wrong gradients without any error).

        Examples
        --------
        >>> ACTIVATIONS["tanh"].backward(np.array([0.0]), np.array([0.0]), np.array([2.0]))
        array([2.])
        """
        if self.vjp is not None:
            out = self.vjp(z, a, grad_a)
            part = "vjp"
        else:
            d = self.derivative(z)
            if np.shape(d) != np.shape(z):
                raise ValueError(
                    f"activation {self.name!r}: derivative returned shape {np.shape(d)} for z of shape "
                    f"{np.shape(z)}; it must give f'(z) for every entry of z (elementwise)")
            out = grad_a * d
            part = "derivative"
        if type(out) is not np.ndarray or type(z) is not np.ndarray or out.shape != z.shape:  # fast path first
            if np.shape(out) != np.shape(z):
                raise ValueError(f"activation {self.name!r}: {part} gave dL/dz of shape {np.shape(out)} for z of "
                                 f"shape {np.shape(z)}")
        return out


def _is_real(x: object) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, (bool, np.bool_))


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("identity", identity, identity_grad, vjp=_identity_vjp),
        Activation("sigmoid", sigmoid, sigmoid_grad, (0.0, 1.0), vjp=_sigmoid_vjp),
        Activation("tanh", tanh, tanh_grad, (-1.0, 1.0), vjp=_tanh_vjp),
        Activation("relu", relu, relu_grad, (0.0, math.inf), (0.0,), vjp=_relu_vjp, init="he"),
        Activation("softmax", softmax, None, (0.0, 1.0), vjp=_softmax_vjp, distribution=True),
    )
}
"""Name → [Activation][backprop.Activation] record: the library's activations.

A record is called like its function (``ACTIVATIONS["tanh"](z)``).  A record
added here can be used by name (``MLP(..., hidden="mine")``); the test suite
requires every record of the library to have a SymPy derivation
([backprop.symbolic][]).
"""

DERIVATIVES: Mapping[str, Callable[[Array], Array]] = TableView(
    lambda: {name: d for name, act in ACTIVATIONS.items() if (d := getattr(act, "derivative", None)) is not None})
"""Name → elementwise derivative f′(z): a read-only view of [ACTIVATIONS][backprop.ACTIVATIONS].

Only elementwise activations have one: softmax's derivative is a Jacobian
matrix ([softmax_jacobian][backprop.softmax_jacobian]), and its record carries
a vector-Jacobian product instead.
"""


def get_activation(spec: str | Activation, *, what: str = "activation") -> Activation:
    """The record for a name of [ACTIVATIONS][backprop.ACTIVATIONS], or an [Activation][backprop.Activation] itself.

    Parameters
    ----------
    spec
        A name or a record.
    what
        How the error message calls it (``"hidden activation"``, ...).

    Returns
    -------
    Activation
        The record.

    Examples
    --------
    >>> get_activation("relu").name
    'relu'
    >>> get_activation("swish")
    Traceback (most recent call last):
    ...
    ValueError: unknown activation 'swish'; valid names: identity, sigmoid, tanh, relu, softmax
    """
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, str):
        if spec not in ACTIVATIONS:
            raise ValueError(f"unknown {what} {spec!r}; valid names: {', '.join(ACTIVATIONS)}")
        record = ACTIVATIONS[spec]
        if not isinstance(record, Activation):
            raise TypeError(f"ACTIVATIONS[{spec!r}] must be an Activation record, not {type(record).__name__}")
        return record
    raise TypeError(f"{what} must be a name ({', '.join(ACTIVATIONS)}) or an Activation, not {type(spec).__name__}")
