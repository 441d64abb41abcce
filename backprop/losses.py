"""Loss functions, their gradients, and the fused output deltas.

Conventions: a loss is summed over output units and averaged over samples
(rows).  MSE carries the 1/2.  Each :class:`Loss` gives ``value(yhat, y)`` and
``gradient(yhat, y) = dL/dyhat`` (already divided by the number of samples).

Two pairs are *fused*: sigmoid + binary cross-entropy and softmax +
cross-entropy.  For them the loss is computed from the logits ``z`` (so a logit
of 1000 costs exactly 1000, with no overflow) and the output delta is simply
``(yhat - y) / n``; see :func:`fused_loss`.

Examples
--------
>>> import numpy as np
>>> yhat, y = np.array([[0.5], [1.0]]), np.array([[0.6], [0.0]])
>>> print(f"{mse(yhat, y):.4f}")
0.2525
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import _row_max, _row_sum

Array = np.ndarray


def mse(yhat: Array, y: Array) -> float:
    """Half mean squared error: ``1/(2n) * sum_i sum_k (yhat_ik - y_ik)**2``.

    Examples
    --------
    >>> mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))
    2.5
    """
    d = yhat - y
    return float(0.5 * np.sum(d * d) / len(y))


def mse_grad(yhat: Array, y: Array) -> Array:
    """``dL/dyhat`` of :func:`mse`: ``(yhat - y) / n``.

    Examples
    --------
    >>> mse_grad(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]))
    array([[0.5],
           [1. ]])
    """
    return (yhat - y) / len(y)


def _xlogy(x: Array, y: Array) -> Array:
    # x * log(y) with the convention 0 * log(0) = 0 (a target of 0 ignores its prediction).
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where(x == 0, 0.0, out)


def bce(yhat: Array, y: Array) -> float:
    """Binary cross-entropy ``-1/n sum [y log yhat + (1-y) log(1-yhat)]`` from probabilities.

    A prediction of exactly 0 or 1 on the wrong side gives ``inf``; the network
    avoids that by computing the loss from logits (:func:`bce_from_logits`).

    Examples
    --------
    >>> print(f"{bce(np.array([[0.8]]), np.array([[1.0]])):.6f}")
    0.223144
    """
    return float(-np.sum(_xlogy(y, yhat) + _xlogy(1.0 - y, 1.0 - yhat)) / len(y))


def bce_grad(yhat: Array, y: Array) -> Array:
    """``dL/dyhat`` of :func:`bce`: ``(yhat - y) / (yhat (1 - yhat)) / n``.

    Examples
    --------
    >>> bce_grad(np.array([[0.5]]), np.array([[1.0]]))
    array([[-2.]])
    """
    return (yhat - y) / (yhat * (1.0 - yhat)) / len(y)


def cross_entropy(yhat: Array, y: Array) -> float:
    """Categorical cross-entropy ``-1/n sum_i sum_k y_ik log yhat_ik``; rows of ``y`` are distributions.

    Examples
    --------
    >>> print(f"{cross_entropy(np.array([[0.7, 0.2, 0.1]]), np.array([[1.0, 0.0, 0.0]])):.6f}")
    0.356675
    """
    return float(-np.sum(_xlogy(y, yhat)) / len(y))


def cross_entropy_grad(yhat: Array, y: Array) -> Array:
    """``dL/dyhat`` of :func:`cross_entropy`: ``-y / yhat / n``.

    Examples
    --------
    >>> cross_entropy_grad(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    array([[-2., -0.]])
    """
    return -y / yhat / len(y)


def bce_from_logits(z: Array, y: Array) -> float:
    """Binary cross-entropy of ``sigmoid(z)`` computed from the logits without overflow.

    Per entry the loss is ``log(1 + exp(z)) - y z`` (:func:`numpy.logaddexp`).

    Examples
    --------
    >>> bce_from_logits(np.array([[1000.0], [-1000.0]]), np.array([[0.0], [1.0]]))
    1000.0
    """
    return float(np.sum(np.logaddexp(0.0, z) - y * z) / len(y))


def cross_entropy_from_logits(z: Array, y: Array) -> float:
    """Cross-entropy of ``softmax(z)`` computed from the logits with a stable log-softmax.

    Examples
    --------
    >>> cross_entropy_from_logits(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]]))
    1000.0
    """
    shifted = z - _row_max(z)
    log_softmax = shifted - np.log(_row_sum(np.exp(shifted)))
    return float(-np.sum(y * log_softmax) / len(y))


@dataclass(frozen=True)
class Loss:
    """A loss ``value(yhat, y) -> float`` with its gradient ``dL/dyhat``.

    ``check_targets(y)`` raises ``ValueError`` for targets the loss is not
    defined for; ``needs`` is the range predictions must lie in.

    Examples
    --------
    >>> half_abs = Loss("half_abs", lambda p, t: float(np.abs(p - t).sum() / 2 / len(t)),
    ...                 lambda p, t: np.sign(p - t) / 2 / len(t))
    >>> half_abs.value(np.array([[3.0]]), np.array([[1.0]]))
    1.0
    """

    name: str
    value: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    needs: tuple[float, float] = (-np.inf, np.inf)
    check_targets: Callable[[Array], None] | None = None

    def __call__(self, yhat: Array, y: Array) -> float:
        return self.value(yhat, y)


def _check_bce_targets(y: Array) -> None:
    if np.any((y < 0) | (y > 1)):
        bad = y[(y < 0) | (y > 1)].flat[0]
        raise ValueError(f"bce targets Y must lie in [0, 1]; found {float(bad)}")


def _check_cross_entropy_targets(y: Array) -> None:
    if np.any(y < 0):
        raise ValueError(f"cross_entropy targets Y must be non-negative; found {float(y[y < 0].flat[0])}")
    sums = y.sum(axis=1)
    tol = 1e-6 if y.dtype == np.float64 else 1e-4
    bad = np.flatnonzero(np.abs(sums - 1.0) > tol)
    if bad.size:
        raise ValueError(
            f"cross_entropy targets: each row of Y must sum to 1 (a distribution over classes); "
            f"row {bad[0]} sums to {sums[bad[0]]:.6g}"
        )


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad),
    "bce": Loss("bce", bce, bce_grad, (0.0, 1.0), _check_bce_targets),
    "cross_entropy": Loss("cross_entropy", cross_entropy, cross_entropy_grad, (0.0, np.inf),
                          _check_cross_entropy_targets),
}
"""Name -> :class:`Loss`."""

FUSED: dict[tuple[str, str], Callable[[Array, Array], float]] = {
    ("sigmoid", "bce"): bce_from_logits,
    ("softmax", "cross_entropy"): cross_entropy_from_logits,
}
"""(output activation, loss) -> loss computed from the logits.  For these pairs
the output delta ``dL/dz`` is ``(yhat - y) / n``."""

DEFAULT_OUTPUT: dict[str, str] = {"mse": "identity", "bce": "sigmoid", "cross_entropy": "softmax"}
"""The output activation a loss is usually paired with (used when ``output`` is not given)."""


def get_loss(spec: str | Loss) -> Loss:
    """Look up a loss by name, or pass a :class:`Loss` through.

    Examples
    --------
    >>> get_loss("hinge")
    Traceback (most recent call last):
    ...
    ValueError: unknown loss 'hinge'; valid names: mse, bce, cross_entropy
    """
    if isinstance(spec, Loss):
        if not (callable(spec.value) and callable(spec.gradient)):
            raise TypeError(f"loss {spec.name!r} needs a value and a gradient function")
        return spec
    if isinstance(spec, str):
        try:
            return LOSSES[spec]
        except KeyError:
            raise ValueError(f"unknown loss {spec!r}; valid names: {', '.join(LOSSES)}") from None
    raise TypeError(f"loss must be a name ({', '.join(LOSSES)}) or a Loss, not {type(spec).__name__}")


def fused_loss(output: str, loss: str) -> Callable[[Array, Array], float] | None:
    """The from-logits loss for a fused (output, loss) pair, or None.

    Examples
    --------
    >>> fused_loss("sigmoid", "bce").__name__
    'bce_from_logits'
    >>> fused_loss("identity", "mse") is None
    True
    """
    return FUSED.get((output, loss))
