"""Activation functions and their derivatives, in name-keyed tables.

Each activation is an :class:`Activation`: the function ``a = f(z)`` and its
elementwise derivative ``f'(z)``.  The tables :data:`ACTIVATIONS` and
:data:`DERIVATIVES` map a name to the NumPy function, so pages and tests can
loop over all of them.

Examples
--------
>>> import numpy as np
>>> z = np.array([-2.0, 0.0, 3.0])
>>> relu(z), relu_grad(z)
(array([0., 0., 3.]), array([0., 0., 1.]))
>>> print(f"{sigmoid(np.array(0.3)):.4f}")
0.5744
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

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
    """Derivative of :func:`identity`: ones of the shape of ``z``.

    Examples
    --------
    >>> identity_grad(np.array([-1.0, 2.0]))
    array([1., 1.])
    """
    return np.ones_like(z)


def sigmoid(z: Array) -> Array:
    """Logistic sigmoid ``1 / (1 + exp(-z))``, computed without overflow.

    It is written as ``exp(-log(1 + exp(-z)))`` with :func:`numpy.logaddexp`,
    which stays finite and accurate for any finite ``z``.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    return np.exp(-np.logaddexp(0.0, -z))


def sigmoid_grad(z: Array) -> Array:
    """Derivative of :func:`sigmoid`: ``sigmoid(z) * (1 - sigmoid(z))``.

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
    """Derivative of :func:`tanh`: ``1 - tanh(z)**2``.

    Examples
    --------
    >>> tanh_grad(np.array([0.0]))
    array([1.])
    """
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z: Array) -> Array:
    """Rectified linear unit ``max(0, z)``.

    Examples
    --------
    >>> relu(np.array([-1.0, 2.0]))
    array([0., 2.])
    """
    return np.maximum(z, 0.0)


def relu_grad(z: Array) -> Array:
    """Derivative of :func:`relu`: 1 where ``z > 0``, else 0 (0 is used at the kink z = 0).

    Examples
    --------
    >>> relu_grad(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 1.])
    """
    return np.asarray(z > 0, dtype=np.result_type(z, np.float32))


def _row_max(z: Array) -> Array:
    """``z.max(axis=-1, keepdims=True)``: the largest entry of each row (sample).

    NumPy reduces a short last axis one row at a time, which dominates for a
    batch of class scores (many rows, few columns); reducing the transposed
    copy down its columns gives the same numbers several times faster.

    Examples
    --------
    >>> _row_max(np.array([[1.0, 3.0], [4.0, 2.0], [0.0, -1.0]]))
    array([[3.],
           [4.],
           [0.]])
    """
    if _many_short_rows(z):
        return z.T.copy().max(axis=0)[:, None]
    return z.max(axis=-1, keepdims=True)


def _row_sum(z: Array) -> Array:
    """``z.sum(axis=-1, keepdims=True)``: the sum of each row, fast for few columns like :func:`_row_max`.

    Examples
    --------
    >>> _row_sum(np.array([[1.0, 3.0], [4.0, 2.0], [0.0, -1.0]]))
    array([[ 4.],
           [ 6.],
           [-1.]])
    """
    if _many_short_rows(z):
        return z.T.copy().sum(axis=0)[:, None]
    return z.sum(axis=-1, keepdims=True)


def _many_short_rows(z: Array) -> bool:
    return z.ndim == 2 and z.shape[1] < min(z.shape[0], 64)


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
    e = np.exp(z - _row_max(z))
    e /= _row_sum(e)
    return e


def softmax_jacobian(z: Array) -> Array:
    """Jacobian of :func:`softmax` for one sample: ``J[i, j] = s_i (delta_ij - s_j)``.

    Softmax is not elementwise, so its derivative is a matrix.  For a batch of
    shape (n, k) the result has shape (n, k, k).

    Examples
    --------
    >>> np.round(softmax_jacobian(np.array([0.0, 0.0])), 3)
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    s = softmax(z)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


def _softmax_backward(z: Array, a: Array, grad_a: Array) -> Array:
    # Jacobian-vector product without forming the (n, k, k) Jacobian:
    # dL/dz_j = a_j (dL/da_j - sum_i dL/da_i a_i)
    return a * (grad_a - _row_sum(grad_a * a))


def _sigmoid_backward(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a * (a * (1.0 - a))


def _tanh_backward(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a * (1.0 - a * a)


def _relu_backward(z: Array, a: Array, grad_a: Array) -> Array:
    # In place on grad_a (a temporary of the backward pass): a multiply by the
    # boolean mask is several times faster than grad_a[z <= 0] = 0 or np.where.
    return np.multiply(grad_a, z > 0, out=grad_a)


def _identity_backward(z: Array, a: Array, grad_a: Array) -> Array:
    return grad_a


@dataclass(frozen=True)
class Activation:
    """An activation function ``a = function(z)`` with its derivative.

    ``derivative(z)`` is the elementwise derivative ``da/dz``.  A user-defined
    activation needs only those two (vectorised NumPy functions); the built-in
    ones also carry a faster ``backward(z, a, grad_a)`` that reuses ``a``.

    ``bounds`` is the closed range of outputs, used to reject losses that would
    take the log of a negative number; ``kinks`` are points where the
    derivative jumps (finite-difference checks that straddle one are flagged).

    Examples
    --------
    >>> square = Activation("square", lambda z: z**2, lambda z: 2 * z)
    >>> square.backward(np.array([3.0]), np.array([9.0]), np.array([1.0]))
    array([6.])
    """

    name: str
    function: Callable[[Array], Array]
    derivative: Callable[[Array], Array] | None
    bounds: tuple[float, float] = (-np.inf, np.inf)
    kinks: tuple[float, ...] = ()
    vjp: Callable[[Array, Array, Array], Array] | None = field(default=None, repr=False)

    def __call__(self, z: Array) -> Array:
        return self.function(z)

    def backward(self, z: Array, a: Array, grad_a: Array) -> Array:
        """Return ``dL/dz`` given ``dL/da`` (``grad_a``) at pre-activation ``z``."""
        if self.vjp is not None:
            return self.vjp(z, a, grad_a)
        return grad_a * self.derivative(z)


ACTIVATIONS: dict[str, Callable[[Array], Array]] = {
    "identity": identity,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "relu": relu,
    "softmax": softmax,
}
"""Name -> activation function."""

DERIVATIVES: dict[str, Callable[[Array], Array]] = {
    "identity": identity_grad,
    "sigmoid": sigmoid_grad,
    "tanh": tanh_grad,
    "relu": relu_grad,
    "softmax": softmax_jacobian,
}
"""Name -> derivative (for softmax: the full Jacobian, one (k, k) matrix per sample)."""

_BUILTIN: dict[str, Activation] = {
    "identity": Activation("identity", identity, identity_grad, vjp=_identity_backward),
    "sigmoid": Activation("sigmoid", sigmoid, sigmoid_grad, (0.0, 1.0), vjp=_sigmoid_backward),
    "tanh": Activation("tanh", tanh, tanh_grad, (-1.0, 1.0), vjp=_tanh_backward),
    "relu": Activation("relu", relu, relu_grad, (0.0, np.inf), (0.0,), vjp=_relu_backward),
    "softmax": Activation("softmax", softmax, None, (0.0, 1.0), vjp=_softmax_backward),
}


def get_activation(spec: str | Activation, *, what: str = "activation") -> Activation:
    """Look up an activation by name, or pass an :class:`Activation` through.

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
        if not callable(spec.function) or (spec.derivative is None and spec.vjp is None):
            raise TypeError(f"{what} {spec.name!r} needs a function and a derivative")
        return spec
    if isinstance(spec, str):
        try:
            return _BUILTIN[spec]
        except KeyError:
            raise ValueError(
                f"unknown {what} {spec!r}; valid names: {', '.join(_BUILTIN)}"
            ) from None
    raise TypeError(
        f"{what} must be a name ({', '.join(_BUILTIN)}) or an Activation, "
        f"not {type(spec).__name__}"
    )
