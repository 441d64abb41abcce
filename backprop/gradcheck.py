"""Gradient checking: backpropagation against centered finite differences.

For every parameter entry ``p`` the numerical derivative is the centered
difference ``(L(p + h) - L(p - h)) / (2h)`` (or, with ``order=4``, the
five-point stencil ``(-L(p+2h) + 8L(p+h) - 8L(p-h) + L(p-2h)) / (12h)``), and
the agreement is the relative error of CS231n's notes::

    rel = |analytic - numeric| / (|analytic| + |numeric|)      (0 when both are 0)

Two cases are reported rather than hidden:

* **kinks**: if a perturbation moves a ReLU pre-activation across 0, the loss
  is not differentiable inside the stencil and the difference quotient is
  meaningless there; such entries are counted in ``kinks`` and left out of
  ``max_rel_error``.
* **noise floor**: a difference quotient cannot resolve a derivative below
  its own rounding error, about ``eps * |L| / h``.  Entries whose absolute
  difference is below that ``noise`` pass even when their relative error is
  large (their relative error measures rounding, not the gradient); those
  that pass *only* for that reason are counted in ``below_noise`` and the
  report says so.  The step used is the one actually taken, ``(p + h) - p``
  in the parameter's dtype.

Examples
--------
>>> import numpy as np, backprop as bp
>>> net = bp.MLP([3, 4, 2], hidden="tanh", loss="mse", seed=1)
>>> X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.zeros((5, 2))
>>> report = bp.check_gradients(net, X, Y)
>>> report.ok, report.max_rel_error < 1e-7
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .network import MLP


@dataclass
class ParameterCheck:
    """The comparison for one parameter array (``W1``, ``b1``, ...)."""

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: np.ndarray
    kink: np.ndarray  # True where the stencil crossed a kink
    noise: float
    tol: float = 1e-7

    @property
    def max_rel_error(self) -> float:
        """Largest relative error over entries whose stencil crossed no kink."""
        ok = self.rel_error[~self.kink]
        return float(ok.max()) if ok.size else 0.0

    @property
    def max_abs_error(self) -> float:
        d = np.abs(self.analytic - self.numeric)[~self.kink]
        return float(d.max()) if d.size else 0.0

    @property
    def below_noise(self) -> int:
        """Entries that pass only because ``|a - n|`` is within the noise (their relative error is >= tol)."""
        d = np.abs(self.analytic - self.numeric)
        return int(np.sum(~self.kink & (self.rel_error >= self.tol) & (d <= self.noise)))

    def passed(self, tol: float | None = None) -> np.ndarray:
        """Per entry: a kink, or relative error below ``tol``, or a difference within the noise."""
        tol = self.tol if tol is None else tol
        d = np.abs(self.analytic - self.numeric)
        return self.kink | (self.rel_error < tol) | (d <= self.noise)


@dataclass
class GradientCheck:
    """A report per parameter; ``ok`` is True when every entry passed at ``tol``."""

    parameters: dict[str, ParameterCheck] = field(default_factory=dict)
    tol: float = 1e-7
    h: float = 1e-3
    order: int = 4

    @property
    def ok(self) -> bool:
        return all(bool(p.passed(self.tol).all()) for p in self.parameters.values())

    @property
    def max_rel_error(self) -> float:
        return max((p.max_rel_error for p in self.parameters.values()), default=0.0)

    @property
    def kinks(self) -> int:
        return sum(int(p.kink.sum()) for p in self.parameters.values())

    def raise_if_failed(self) -> None:
        """Raise ``AssertionError`` with the report if any entry failed."""
        if not self.ok:
            raise AssertionError(f"gradient check failed at tol={self.tol:g}\n{self}")

    def __str__(self) -> str:
        rows = [f"{'param':<6} {'shape':<10} {'max rel error':>14} {'max abs error':>14} "
                f"{'kinks':>6} {'below noise':>12}  result"]
        for p in self.parameters.values():
            rows.append(
                f"{p.name:<6} {str(p.analytic.shape):<10} {p.max_rel_error:>14.3e} "
                f"{p.max_abs_error:>14.3e} {int(p.kink.sum()):>6} {p.below_noise:>12}  "
                f"{'ok' if p.passed(self.tol).all() else 'FAILED'}"
            )
        noisy = sum(p.below_noise for p in self.parameters.values())
        if noisy:
            rows.append(f"note: {noisy} entries pass only because their difference is within the rounding noise of "
                        f"the difference quotient; their relative error is not meaningful (try a larger h)")
        return "\n".join(rows)

    __repr__ = __str__


NOISE_SAFETY = 10.0
"""Safety factor on the estimated rounding noise of a difference quotient (see ``ParameterCheck.noise``)."""

_STENCILS = {2: ((1, 1.0), (-1, -1.0)), 4: ((2, -1.0), (1, 8.0), (-1, -8.0), (-2, 1.0))}
_DENOMS = {2: 2.0, 4: 12.0}


def _kink_pattern(net: MLP, X: np.ndarray) -> list[np.ndarray]:
    fp = net._forward(X)
    return [np.sign(fp.z[l] - k) for l, act in enumerate(net.activations, 1) for k in act.kinks]


def check_gradients(
    net: MLP,
    X: object,
    Y: object,
    h: float | None = None,
    order: int = 4,
    tol: float | None = None,
) -> GradientCheck:
    """Compare ``net.gradients(X, Y)`` with finite differences on every parameter entry.

    ``h`` defaults to 1e-3 for ``order=4`` and 1e-5 for ``order=2`` in float64
    (about where truncation and rounding errors balance), and to 1e-2 / 1e-2 in
    float32.  ``tol`` defaults to 1e-7 in float64 and 1e-2 in float32 (float32
    rounding alone is about 1e-7 of the loss, divided by ``h``).  The network's
    parameters are restored afterwards.
    """
    if order not in _STENCILS:
        raise ValueError(f"order must be 2 or 4, got {order!r}")
    X, Y = net.check_inputs(X, Y)
    f32 = net.dtype == np.float32
    if h is None:
        h = 1e-2 if f32 else (1e-3 if order == 4 else 1e-5)
    if not (np.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    tol = (1e-2 if f32 else 1e-7) if tol is None else tol
    analytic = net._backprop(net._forward(X), Y)
    base = _kink_pattern(net, X)
    eps = float(np.finfo(net.dtype).eps)
    report = GradientCheck(tol=tol, h=h, order=order)
    for name, p in net.params.items():
        numeric = np.zeros(p.shape)
        kink = np.zeros(p.shape, dtype=bool)
        largest = 0.0
        for idx in np.ndindex(p.shape):
            orig = p[idx]
            # The step actually taken: orig + h rounds in the parameter's dtype (matters in float32).
            h_idx = float(p.dtype.type(orig + h) - orig) or h
            total = 0.0
            for step, weight in _STENCILS[order]:
                p[idx] = orig + step * h_idx
                value = net._loss(net._forward(X), Y)
                largest = max(largest, abs(value))
                total += weight * value
                if base and any(
                    not np.array_equal(a, b) for a, b in zip(_kink_pattern(net, X), base, strict=True)
                ):
                    kink[idx] = True
            p[idx] = orig
            numeric[idx] = total / (_DENOMS[order] * h_idx)
        a = analytic[name].astype(np.float64)
        denom = np.abs(a) + np.abs(numeric)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(denom == 0, 0.0, np.abs(a - numeric) / denom)
        # Rounding noise of the difference quotient: each loss value carries about
        # eps*|L| of error (times a safety factor of 10 for the summation inside it),
        # amplified by the stencil's weights over its denominator.
        weights = sum(abs(w) for _, w in _STENCILS[order])
        noise = NOISE_SAFETY * eps * largest * weights / (_DENOMS[order] * h)
        report.parameters[name] = ParameterCheck(name, a, numeric, rel, kink, noise, tol)
    return report
