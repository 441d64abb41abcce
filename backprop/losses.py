"""Loss functions: one record per loss, and the name-keyed tables built from them.

Conventions (the book's notation): the loss 𝓛 is the mean over the N samples
(rows) of a per-sample loss that sums over the output units,
𝓛 = (1/N) Σᵢ Σₖ ℓ(ŷᵢₖ, yᵢₖ).  MSE is the *half* squared error, ℓ = ½(ŷ − y)².
Each [Loss][backprop.Loss] record gives ``value(Ŷ, Y)`` = 𝓛 and
``gradient(Ŷ, Y)`` = ∂𝓛/∂Ŷ (already divided by N), the targets it accepts,
the output activation it pairs with and, for sigmoid + BCE and softmax +
cross-entropy, the loss computed from the logits z: a logit of 1000 then
costs exactly 1000, without overflow, and the output delta is (Ŷ − Y)/N.

Cross-entropy accepts class labels (a 1-D integer array) in place of one-hot
rows: see [one_hot][backprop.one_hot].

Examples
--------
>>> import numpy as np
>>> yhat, y = np.array([[0.5], [1.0]]), np.array([[0.6], [0.0]])
>>> print(f"{mse(yhat, y):.4f}")
0.2525
>>> p = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]])
>>> cross_entropy(p, np.array([0, 1])) == cross_entropy(p, one_hot(np.array([0, 1]), 3))
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ._rows import row_max, row_sum
from ._views import TableView
from .activations import ACTIVATIONS, Activation, get_activation

Array = np.ndarray


# ---------------------------------------------------------------------------------------- labels
def one_hot(labels: object, n_classes: int | None = None, dtype: type | np.dtype = np.float64) -> Array:
    """Rows of the identity matrix: class label k becomes a row with a 1 in column k.

    Parameters
    ----------
    labels
        A 1-D array (or list) of non-negative integer class indices.
    n_classes
        The number of columns; by default the largest label plus one.
    dtype
        The dtype of the result.

    Returns
    -------
    ndarray
        Shape (N, n_classes).

    Raises
    ------
    ValueError
        For labels that are not 1-D non-negative integers, or do not fit ``n_classes``.

    Examples
    --------
    >>> one_hot(np.array([0, 2, 1]))
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    y = np.asarray(labels)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
        raise ValueError(f"labels must be a 1-D array of non-negative class indices, got {y.dtype} shape {y.shape}")
    if n_classes is None:
        if not y.size:
            raise ValueError("one_hot of no labels needs n_classes")
        n_classes = int(y.max()) + 1
    elif isinstance(n_classes, (bool, np.bool_)) or not isinstance(n_classes, numbers.Integral) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive integer, got {n_classes!r}")
    if y.size and y.max() >= n_classes:
        raise ValueError(f"class index {int(y.max())} does not fit n_classes={n_classes}")
    return np.eye(int(n_classes), dtype=dtype)[y]


def _rows(y: Array, like: Array) -> Array:
    # Class labels (1-D integers) become one-hot rows as wide as the predictions.
    if y.ndim == 1 and np.issubdtype(y.dtype, np.integer) and like.ndim == 2:
        return one_hot(y, like.shape[1], like.dtype)
    return y


# ---------------------------------------------------------------------------------------- losses
def mse(yhat: Array, y: Array) -> float:
    """Half mean squared error: 𝓛 = (1/2N) Σᵢ Σₖ (ŷᵢₖ − yᵢₖ)².

    Examples
    --------
    >>> mse(np.array([[1.0, 2.0]]), np.array([[0.0, 0.0]]))
    2.5
    """
    d = yhat - y
    return float(0.5 * np.sum(d * d) / len(y))


def mse_grad(yhat: Array, y: Array) -> Array:
    """∂𝓛/∂Ŷ of [mse][backprop.mse]: (Ŷ − Y)/N.

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
    """Binary cross-entropy from probabilities: 𝓛 = −(1/N) Σ [y ln ŷ + (1 − y) ln(1 − ŷ)].

    A prediction of exactly 0 or 1 on the wrong side gives ``inf``; a network
    avoids that by computing the loss from the logits
    ([bce_from_logits][backprop.bce_from_logits]).

    Examples
    --------
    >>> print(f"{bce(np.array([[0.8]]), np.array([[1.0]])):.6f}")
    0.223144
    """
    return float(-np.sum(_xlogy(y, yhat) + _xlogy(1.0 - y, 1.0 - yhat)) / len(y))


def bce_grad(yhat: Array, y: Array) -> Array:
    """∂𝓛/∂Ŷ of [bce][backprop.bce]: (Ŷ − Y) / (Ŷ(1 − Ŷ)) / N.

    Examples
    --------
    >>> bce_grad(np.array([[0.5]]), np.array([[1.0]]))
    array([[-2.]])
    """
    return (yhat - y) / (yhat * (1.0 - yhat)) / len(y)


def cross_entropy(yhat: Array, y: Array) -> float:
    """Categorical cross-entropy 𝓛 = −(1/N) Σᵢ Σₖ yᵢₖ ln ŷᵢₖ; rows of ``y`` are distributions, or ``y`` holds labels.

    Examples
    --------
    >>> print(f"{cross_entropy(np.array([[0.7, 0.2, 0.1]]), np.array([[1.0, 0.0, 0.0]])):.6f}")
    0.356675
    >>> print(f"{cross_entropy(np.array([[0.7, 0.2, 0.1]]), np.array([0])):.6f}")
    0.356675
    """
    y = _rows(y, yhat)
    return float(-np.sum(_xlogy(y, yhat)) / len(y))


def cross_entropy_grad(yhat: Array, y: Array) -> Array:
    """∂𝓛/∂Ŷ of [cross_entropy][backprop.cross_entropy]: −Y / Ŷ / N.

    Examples
    --------
    >>> cross_entropy_grad(np.array([[0.5, 0.5]]), np.array([[1.0, 0.0]]))
    array([[-2., -0.]])
    """
    y = _rows(y, yhat)
    return -y / yhat / len(y)


def bce_from_logits(z: Array, y: Array) -> float:
    """Binary cross-entropy of σ(z), computed from the logits z without overflow.

    Per entry the loss is ln(1 + eᶻ) − y z (``np.logaddexp(0, z) - y * z``).

    Examples
    --------
    >>> bce_from_logits(np.array([[1000.0], [-1000.0]]), np.array([[0.0], [1.0]]))
    1000.0
    """
    return float(np.sum(np.logaddexp(0.0, z) - y * z) / len(y))


def cross_entropy_from_logits(z: Array, y: Array) -> float:
    """Cross-entropy of softmax(z), computed from the logits with a stable log-softmax.

    Examples
    --------
    >>> cross_entropy_from_logits(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]]))
    1000.0
    """
    y = _rows(y, z)
    shifted = z - row_max(z)
    log_softmax = shifted - np.log(row_sum(np.exp(shifted)))
    return float(-np.sum(y * log_softmax) / len(y))


# ---------------------------------------------------------------------------------------- records
_LABELS = (None, "classes", "binary")


@dataclass(frozen=True)
class Loss:
    """One loss and everything the library needs to know about it.

    A user's loss needs only ``name``, ``value`` and ``gradient``; the others
    have defaults.  The network checks at every call that ``value`` returns one
    number and ``gradient`` an array of the predictions' shape.

    Attributes
    ----------
    name : str
        The name used in the tables, in reports and in saved files.
    value : Callable[[ndarray, ndarray], float]
        𝓛 = ``value(Ŷ, Y)``: one number, the mean over the N samples (rows).
    gradient : Callable[[ndarray, ndarray], ndarray]
        ∂𝓛/∂Ŷ = ``gradient(Ŷ, Y)``, of the shape of Ŷ (the 1/N included).
    needs : tuple of float
        The closed range (low, high) predictions must lie in: an output
        activation whose [bounds][backprop.Activation] do not fit is refused.
    check_targets : Callable[[ndarray], None] or None
        Raises ``ValueError`` for targets Y the loss is not defined for.
    output : Activation or str
        The output activation the loss pairs with, used when ``MLP`` is given
        no ``output``; a name is replaced by its record.
    from_logits : Callable[[ndarray, ndarray], float] or None
        The loss of ``output(z)`` computed from the logits z = z⁽ᴸ⁾.  Giving it
        declares that the pair has the output delta δ⁽ᴸ⁾ = (Ŷ − Y)/N (true for
        sigmoid + BCE and softmax + cross-entropy); the network uses both when
        its output activation is this very ``output`` record.
    needs_distribution : bool
        True if each row of predictions must be a probability distribution
        (cross-entropy): the output activation must have ``distribution=True``.
    labels : str or None
        How the loss reads class labels: ``"classes"`` (a 1-D integer array of
        class indices, turned into one-hot rows; predicted labels are the
        argmax), ``"binary"`` (0/1 targets, 1-D for one output; predicted labels
        are ŷ > 0.5) or ``None`` (targets are numbers, no labels).

    Examples
    --------
    >>> half_abs = Loss("half_abs", lambda p, t: float(np.abs(p - t).sum() / 2 / len(t)),
    ...                 lambda p, t: np.sign(p - t) / 2 / len(t))
    >>> half_abs.value(np.array([[3.0]]), np.array([[1.0]]))
    1.0
    >>> half_abs.output.name
    'identity'
    """

    name: str
    value: Callable[[Array, Array], float]
    gradient: Callable[[Array, Array], Array]
    needs: tuple[float, float] = (-math.inf, math.inf)
    check_targets: Callable[[Array], None] | None = None
    output: Activation | str = "identity"
    from_logits: Callable[[Array, Array], float] | None = None
    needs_distribution: bool = False
    labels: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"a loss needs a name (a non-empty string), got {self.name!r}")
        what = f"loss {self.name!r}"
        if not (callable(self.value) and callable(self.gradient)):
            raise TypeError(f"{what} needs a value and a gradient function")
        for key in ("check_targets", "from_logits"):
            value = getattr(self, key)
            if value is not None and not callable(value):
                raise TypeError(f"{what}: {key} must be callable or None, got {type(value).__name__}")
        needs = tuple(self.needs) if isinstance(self.needs, (tuple, list)) else None
        if (needs is None or len(needs) != 2 or not all(isinstance(v, numbers.Real) for v in needs)
                or needs[0] > needs[1]):
            raise ValueError(f"{what}: needs must be (low, high) with low <= high, got {self.needs!r}")
        object.__setattr__(self, "needs", (float(needs[0]), float(needs[1])))
        object.__setattr__(self, "output", get_activation(self.output, what=f"output activation of {what}"))
        if self.labels not in _LABELS:
            raise ValueError(f"{what}: labels must be one of {_LABELS}, got {self.labels!r}")
        if not isinstance(self.needs_distribution, (bool, np.bool_)):
            raise TypeError(f"{what}: needs_distribution must be True or False, got {self.needs_distribution!r}")

    def __call__(self, yhat: Array, y: Array) -> float:
        """𝓛 = value(Ŷ, Y): the record is called like its value function."""
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
    loss.name: loss
    for loss in (
        Loss("mse", mse, mse_grad, output=ACTIVATIONS["identity"]),
        Loss("bce", bce, bce_grad, (0.0, 1.0), _check_bce_targets, output=ACTIVATIONS["sigmoid"],
             from_logits=bce_from_logits, labels="binary"),
        Loss("cross_entropy", cross_entropy, cross_entropy_grad, (0.0, 1.0), _check_cross_entropy_targets,
             output=ACTIVATIONS["softmax"], from_logits=cross_entropy_from_logits, needs_distribution=True,
             labels="classes"),
    )
}
"""Name → [Loss][backprop.Loss] record: the library's losses.

A record added here can be used by name (``MLP(..., loss="mine")``); the test
suite requires every record of the library to have a SymPy derivation.
"""

FUSED: Mapping[tuple[str, str], Callable[[Array, Array], float]] = TableView(
    lambda: {(loss.output.name, name): loss.from_logits for name, loss in LOSSES.items()
             if getattr(loss, "from_logits", None) is not None})
"""(output activation, loss) → the loss computed from the logits: a read-only view of [LOSSES][backprop.LOSSES].

For these pairs the output delta is δ⁽ᴸ⁾ = ∂𝓛/∂Z⁽ᴸ⁾ = (Ŷ − Y)/N.
"""

DEFAULT_OUTPUT: Mapping[str, str] = TableView(
    lambda: {name: loss.output.name for name, loss in LOSSES.items() if isinstance(loss, Loss)})
"""Loss name → the name of the output activation it pairs with: a read-only view of [LOSSES][backprop.LOSSES]."""


def get_loss(spec: str | Loss) -> Loss:
    """The record for a name of [LOSSES][backprop.LOSSES], or a [Loss][backprop.Loss] itself.

    Examples
    --------
    >>> get_loss("bce").output.name
    'sigmoid'
    >>> get_loss("hinge")
    Traceback (most recent call last):
    ...
    ValueError: unknown loss 'hinge'; valid names: mse, bce, cross_entropy
    """
    if isinstance(spec, Loss):
        return spec
    if isinstance(spec, str):
        if spec not in LOSSES:
            raise ValueError(f"unknown loss {spec!r}; valid names: {', '.join(LOSSES)}")
        record = LOSSES[spec]
        if not isinstance(record, Loss):
            raise TypeError(f"LOSSES[{spec!r}] must be a Loss record, not {type(record).__name__}")
        return record
    raise TypeError(f"loss must be a name ({', '.join(LOSSES)}) or a Loss, not {type(spec).__name__}")
