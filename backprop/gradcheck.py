"""Gradient checking: backpropagation against centred finite differences.

For a parameter entry p the numerical derivative ĝ is the centred difference
(𝓛(p + h) − 𝓛(p − h)) / (2h) (``order=2``) or the five-point stencil
(−𝓛(p + 2h) + 8𝓛(p + h) − 8𝓛(p − h) + 𝓛(p − 2h)) / (12h) (``order=4``), and
its agreement with backpropagation's gradient g is the relative error of
CS231n's notes, |g − ĝ| / (|g| + |ĝ|), which passes below ``tol``.  Where that
number means nothing the check says so instead of hiding it:

* **kinks**: a perturbation moved a pre-activation across a kink of its
  activation (z = 0 for ReLU), so 𝓛 is not differentiable inside the stencil.
  Such entries are counted in ``kinks``, not judged, and not counted as verified.
* **exact zeros**: where g is exactly 0 the relative error is 1 for any
  nonzero ĝ, however tiny.  These entries are judged by the absolute
  difference |ĝ| against the error bound below, and counted in ``zeros``.
* **gradients too small to resolve**: an entry whose |g − ĝ| is within the
  error of the comparison itself passes whatever its relative error, and is
  counted: in ``below_noise`` if the rounding noise of the quotient covers it,
  in ``unresolved`` if it takes the truncation and rounding estimates too
  (typically at or near a minimum of the loss, where the gradient is smaller
  than any finite difference can see).

The error bound of an entry is ``noise`` + NOISE_SAFETY · (``truncation`` +
``backprop_rounding``):

* ``noise``, the rounding noise of the quotient, NOISE_SAFETY · ν · Σ|cⱼ| / (d·h)
  for the stencil weights cⱼ and denominator d.  ν, the rounding noise of one
  loss value, is *measured* with Moré and Wild's ECnoise method: the loss at 9
  points √ε apart (ε: the machine epsilon of the network's dtype) on a random
  ray from the parameters, whose high-order differences cancel the smooth part
  of 𝓛 and leave the noise; 100 times farther apart (up to NOISE_WIDENINGS
  times) where half the values are equal, a loss quantised coarser than it
  changes.  (Not estimated from the size of 𝓛: a confident classifier has a
  tiny loss made of terms of order 1, whose rounding does not shrink with it.)
* ``truncation``, the quotient's truncation error, estimated (only for an
  entry that would otherwise fail) from a second quotient at h/2:
  |ĝ(h) − ĝ(h/2)| · 16/15 for order 4, · 4/3 for order 2 (Richardson).
* ``backprop_rounding``, the rounding error of g itself: ε(|Ŷ| + |Y|)/N, the
  error of the output delta, backpropagated with absolute values, plus ε times
  the terms of each sum.  It matters where Ŷ − Y is itself a rounding error (a
  perfect fit).

Each evaluation of the loss is one forward pass (which also gives the
pre-activations for the kink test), so an entry costs 2 (``order=2``) or 4
(``order=4``) forward passes, twice that if it needs the truncation estimate;
a check adds 11 of its own (the gradient, the kink pattern, the noise
measurement and backpropagation's rounding), and 8 for each widening of the
noise measurement.  The parameters are restored
exactly, even when the check is interrupted.

Examples
--------
>>> import numpy as np, backprop as bp
>>> net = bp.MLP([3, 4, 2], hidden="tanh", loss="mse", seed=1)
>>> X, Y = np.random.default_rng(0).normal(size=(5, 3)), np.zeros((5, 2))
>>> report = bp.check_gradients(net, X, Y)
>>> report.ok, report.max_rel_error < 1e-7, report.verified
(True, True, 26)
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .network import MLP

NOISE_SAFETY = 10.0
"""Safety factor on the estimated errors of the comparison (rounding noise, truncation, backprop's rounding).

ν, the standard deviation of the rounding noise of one loss value, is estimated
from 9 values and can come out low by a factor of 2 to 3 by chance; the
quotient's own noise is a weighted sum of independent roundings, below
ν · Σ|cⱼ| / (d·h) but with tails; the truncation and rounding estimates are
first-order.  A factor of 10 covers these, so a correct gradient does not fail
for want of resolution, while a derivative wrong by one part in 10⁵ still fails
(tested on a confident Iris classifier).
"""

NOISE_POINTS = 9
"""The number of loss values the noise measurement takes (Moré and Wild suggest 7 to 9)."""

NOISE_WIDENINGS = 3
"""How many times the noise measurement may widen its spacing 100-fold when the loss looks flat (a quantised loss)."""

STENCILS: dict[int, tuple[tuple[tuple[int, float], ...], float]] = {
    2: (((1, 1.0), (-1, -1.0)), 2.0),
    4: (((2, -1.0), (1, 8.0), (-1, -8.0), (-2, 1.0)), 12.0),
}
"""Order → (steps and weights (k, cⱼ), denominator d): the derivative is Σ cⱼ 𝓛(p + k h) / (d h).

Each stencil is antisymmetric (the weight of −k is minus that of k), so it is
summed pair by pair, Σ_{k>0} c_k (𝓛(p + k h) − 𝓛(p − k h)): exactly 0 when
the loss takes the same value on both sides of p.
"""
assert all(dict(steps)[-k] == -c for steps, _ in STENCILS.values() for k, c in steps)


@dataclass
class ParameterCheck:
    """The comparison for one parameter array (``W1``, ``b1``, …).

    Attributes
    ----------
    name : str
        The key in ``params``.
    analytic : ndarray
        Backpropagation's gradient g (as float64), the shape of the parameter.
    numeric : ndarray
        The finite-difference estimate ĝ; NaN for entries not checked (``sample``).
    rel_error : ndarray
        |g − ĝ| / (|g| + |ĝ|); NaN where the entry was not checked or g is
        exactly 0 (judged by absolute difference instead: see ``zero``).
    kink : ndarray of bool
        True where the stencil crossed a kink of an activation (not judged).
    noise : float
        The rounding noise of the difference quotient for this array,
        NOISE_SAFETY · ν · Σ|cⱼ| / (d·h), ν being ``GradientCheck.loss_noise``.
    tol : float
        The relative-error tolerance.
    checked : ndarray of bool
        True for the entries that were evaluated (all, unless a sample was asked for).
    truncation : ndarray
        The estimated truncation error of the quotient, for the entries that
        would otherwise have failed (0 elsewhere).
    backprop_rounding : ndarray
        The estimated rounding error of backpropagation's gradient.
    """

    name: str
    analytic: np.ndarray
    numeric: np.ndarray
    rel_error: np.ndarray
    kink: np.ndarray
    noise: float
    tol: float = 1e-7
    checked: np.ndarray | None = None
    truncation: np.ndarray | None = None
    backprop_rounding: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.checked is None:
            self.checked = np.ones(self.analytic.shape, dtype=bool)
        for key in ("truncation", "backprop_rounding"):
            if getattr(self, key) is None:
                setattr(self, key, np.zeros(self.analytic.shape))

    @property
    def error_bound(self) -> np.ndarray:
        """Per entry, how far apart g and ĝ may be for want of resolution.

        noise + NOISE_SAFETY · (truncation + backprop_rounding).
        """
        return self.noise + NOISE_SAFETY * (self.truncation + self.backprop_rounding)

    @property
    def judged(self) -> np.ndarray:
        """The entries that were checked and crossed no kink."""
        return self.checked & ~self.kink

    @property
    def zero(self) -> np.ndarray:
        """Judged entries whose analytic gradient is exactly 0: judged by |numeric| against ``error_bound``."""
        return self.judged & (self.analytic == 0)

    @property
    def verified(self) -> int:
        """The number of entries compared: checked, and not skipped as kinks."""
        return int(self.judged.sum())

    @property
    def abs_error(self) -> np.ndarray:
        """|analytic − numeric| (NaN where not checked)."""
        return np.abs(self.analytic - self.numeric)

    @property
    def max_rel_error(self) -> float:
        """The largest relative error over the judged entries with a nonzero analytic gradient (0 if none)."""
        sel = self.judged & (self.analytic != 0)
        return float(self.rel_error[sel].max()) if sel.any() else 0.0

    @property
    def max_abs_error(self) -> float:
        """The largest |analytic − numeric| over the judged entries (0 if none)."""
        sel = self.judged
        return float(self.abs_error[sel].max()) if sel.any() else 0.0

    @property
    def max_zero_error(self) -> float:
        """The largest |numeric| over the entries whose analytic gradient is exactly 0 (0 if none)."""
        sel = self.zero
        return float(np.abs(self.numeric[sel]).max()) if sel.any() else 0.0

    def _not_relative(self) -> np.ndarray:
        # Judged nonzero entries that the relative error alone does not pass.
        with np.errstate(invalid="ignore"):
            return self.judged & (self.analytic != 0) & ~(self.rel_error < self.tol)

    @property
    def below_noise(self) -> int:
        """Nonzero entries that pass only because |g − ĝ| is within ``noise`` (their relative error is ≥ tol)."""
        with np.errstate(invalid="ignore"):
            return int(np.sum(self._not_relative() & (self.abs_error <= self.noise)))

    @property
    def unresolved(self) -> int:
        """Nonzero entries that pass only because |g − ĝ| is within ``error_bound`` but not within ``noise``.

        Their gradient is smaller than the comparison's own truncation and
        rounding errors: typically at or near a minimum of the loss, where a
        finite difference cannot check it.
        """
        with np.errstate(invalid="ignore"):
            return int(np.sum(self._not_relative() & (self.abs_error > self.noise)
                              & (self.abs_error <= self.error_bound)))

    def passed(self, tol: float | None = None) -> np.ndarray:
        """Per entry: not judged (not checked, or a kink), or within ``tol`` relatively, or within ``error_bound``.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> report = bp.check_gradients(bp.MLP([2, 1], seed=0), np.ones((1, 2)), np.zeros((1, 1)))
        >>> report.parameters["W1"].passed()
        array([[ True],
               [ True]])
        """
        tol = self.tol if tol is None else tol
        with np.errstate(invalid="ignore"):
            good = (self.rel_error < tol) | (self.abs_error <= self.error_bound)
        return ~self.judged | good


@dataclass
class GradientCheck:
    """The report of [check_gradients][backprop.check_gradients], parameter by parameter.

    It holds one [ParameterCheck][backprop.ParameterCheck] per parameter array;
    ``print(report)`` shows a table and notes on what was skipped or judged
    differently; ``ok`` is the verdict.

    Attributes
    ----------
    parameters : dict of str to ParameterCheck
        Keyed like ``params``.
    tol : float
        The relative-error tolerance.
    h : float
        The finite-difference step.
    order : int
        2 (centred difference) or 4 (five-point stencil).
    loss_noise : float
        ν, the measured standard deviation of the rounding noise of one
        evaluation of the loss at the parameters checked (at least ε·|𝓛|).
    sample : int or None
        Entries checked per parameter, chosen at random (``None``: all).
    """

    parameters: dict[str, ParameterCheck] = field(default_factory=dict)
    tol: float = 1e-7
    h: float = 1e-3
    order: int = 4
    loss_noise: float = 0.0
    sample: int | None = None

    @property
    def ok(self) -> bool:
        """True when every judged entry passed."""
        return all(bool(p.passed(self.tol).all()) for p in self.parameters.values())

    @property
    def max_rel_error(self) -> float:
        """The largest relative error over all judged entries with a nonzero analytic gradient."""
        return max((p.max_rel_error for p in self.parameters.values()), default=0.0)

    @property
    def kinks(self) -> int:
        """The number of checked entries skipped because their stencil crossed a kink."""
        return sum(int((p.kink & p.checked).sum()) for p in self.parameters.values())

    @property
    def verified(self) -> int:
        """The number of entries actually compared (checked, and not skipped as kinks)."""
        return sum(p.verified for p in self.parameters.values())

    @property
    def zeros(self) -> int:
        """The number of verified entries with an exact zero gradient (judged by absolute difference)."""
        return sum(int(p.zero.sum()) for p in self.parameters.values())

    @property
    def below_noise(self) -> int:
        """The number of nonzero entries that pass only because their difference is within the quotient's noise."""
        return sum(p.below_noise for p in self.parameters.values())

    @property
    def unresolved(self) -> int:
        """The number of nonzero entries too small to resolve: they pass only within the error bound."""
        return sum(p.unresolved for p in self.parameters.values())

    @property
    def entries(self) -> int:
        """The number of parameter entries of the network (checked or not)."""
        return sum(p.analytic.size for p in self.parameters.values())

    def raise_if_failed(self) -> None:
        """Raise ``AssertionError`` with the report if any entry failed."""
        if not self.ok:
            raise AssertionError(f"gradient check failed at tol={self.tol:g}\n{self}")

    def __str__(self) -> str:
        rows = [f"{'param':<6} {'shape':<10} {'verified':>9} {'max rel error':>14} {'max abs error':>14} "
                f"{'kinks':>6} {'zeros':>6} {'below noise':>12}  result"]
        for p in self.parameters.values():
            rows.append(
                f"{p.name:<6} {str(p.analytic.shape):<10} {f'{p.verified}/{p.analytic.size}':>9} "
                f"{p.max_rel_error:>14.3e} {p.max_abs_error:>14.3e} {int((p.kink & p.checked).sum()):>6} "
                f"{int(p.zero.sum()):>6} {p.below_noise:>12}  {'ok' if p.passed(self.tol).all() else 'FAILED'}")
        noise = max((p.noise for p in self.parameters.values()), default=0.0)
        rows.append(f"verified {self.verified} of {self.entries} entries (h = {self.h:g}, order {self.order}, "
                    f"relative tolerance {self.tol:g}; noise floor {noise:.2e}, from a measured noise of "
                    f"{self.loss_noise:.1e} in each loss value)")
        if self.sample is not None:
            rows.append(f"note: a random sample of at most {self.sample} entries per parameter was checked")
        if self.kinks:
            rows.append(f"note: {self.kinks} entries were skipped: their stencil crossed a kink of an activation, "
                        f"where the loss has no derivative (fewer samples or a smaller h give fewer)")
        if self.zeros:
            worst = max(p.max_zero_error for p in self.parameters.values())
            rows.append(f"note: {self.zeros} entries have an exact zero gradient; they were judged by the absolute "
                        f"difference |numeric| <= error bound (largest {worst:.2e}), as relative error is 1 for any "
                        f"nonzero estimate of 0")
        if self.below_noise:
            rows.append(f"note: {self.below_noise} entries pass only because their difference is within the rounding "
                        f"noise of the difference quotient; their relative error is not meaningful (try a larger h)")
        if self.unresolved:
            rows.append(f"note: {self.unresolved} entries pass only because their difference is within the estimated "
                        f"truncation and rounding errors of the comparison: their gradient is too small to resolve "
                        f"(at or near a minimum of the loss a finite difference cannot check the gradient)")
        return "\n".join(rows)

    __repr__ = __str__


def _kink_pattern(net: MLP, z: list) -> list[np.ndarray]:
    return [np.sign(z[l] - k) for l, act in enumerate(net.activations, 1) for k in act.kinks]


def _noise_level(values: np.ndarray) -> tuple[float, bool]:
    """ν, the noise level of equally spaced values of a function (Moré and Wild's ECnoise, 2011), and if detected.

    The k-th differences of the values cancel the smooth part (it contributes
    about t^k f^(k), negligible for a small spacing t) and leave noise of
    variance ν² · C(2k, k).  The estimate is the first k whose level agrees
    within a factor 4 with the next two and whose differences change sign
    (detected); failing that, the smallest level from k = 2 on (an upper bound,
    not detected).
    """
    d = np.asarray(values, dtype=np.float64)
    levels, changes_sign = [], []
    gamma = 1.0
    for k in range(1, len(d)):
        d = np.diff(d)
        gamma *= 0.5 * k / (2 * k - 1)  # 1 / C(2k, k)
        scale = float(np.max(np.abs(d)))  # the root mean square without squaring huge values
        levels.append(scale * math.sqrt(gamma * float(np.mean((d / scale) ** 2))) if 0 < scale < np.inf else scale)
        changes_sign.append(bool(d.max() > 0 > d.min()))
    for k in range(len(levels) - 2):
        trio = levels[k:k + 3]
        if min(trio) > 0 and max(trio) <= 4 * min(trio) and changes_sign[k]:
            return levels[k], True
    return min(levels[1:]), False


def _measure_noise(net: MLP, X: np.ndarray, Y: np.ndarray, loss: float, rng: np.random.Generator,
                   kinks: list[np.ndarray], mode: dict) -> float:
    """The rounding noise ν of one evaluation of the loss at the current parameters (restored afterwards).

    The loss is taken at NOISE_POINTS points on a random ray from the parameters, √ε apart relative to each
    entry.  Where half of their differences are exactly 0 the loss is flat at that spacing (its values are
    quantised coarser than it changes: a very confident classifier's ln(1 + s), s ≈ 1e-14, moves in steps of
    ε/N), so the noise cannot show; as Moré and Wild advise, the points are then taken 100 times farther
    apart, up to NOISE_WIDENINGS times.  A wider measurement counts only if the noise is detected in it and
    the ray stays clear of trouble: no kink crossed (``kinks``: the pattern at the parameters), a finite loss
    that changes by at most a tenth of its size (their "h too large").  Otherwise the flat one stands.
    """
    params = net.params
    base = {k: p.copy() for k, p in params.items()}
    t = math.sqrt(float(np.finfo(net.dtype).eps))
    # A random direction that moves every entry by about t of its own size (biases at 0: of 1e-3). The points
    # lie on a ray from the parameters: a kink exactly at them (a zero bias after a dead ReLU unit gives z = 0)
    # is at its end, not crossed.
    step = {k: rng.choice([-t, t], size=p.shape) * np.maximum(np.abs(p), 1e-3) for k, p in base.items()}
    nu = 0.0
    try:
        for widening in range(NOISE_WIDENINGS + 1):
            scale = 100.0**widening
            values, crossed = [loss], False
            for j in range(1, NOISE_POINTS):
                for k, p in params.items():
                    p[...] = base[k] + j * scale * step[k]
                fp = net.forward(X, Y, checked=True, **mode)
                values.append(fp.loss)
                if widening and kinks and any(not np.array_equal(z, z0) for z, z0 in
                                              zip(_kink_pattern(net, fp.z), kinks, strict=True)):
                    crossed = True
            flat = np.count_nonzero(np.diff(values) == 0) >= (NOISE_POINTS - 1) / 2
            if widening == 0:
                nu = _noise_level(values)[0]
            elif crossed or not np.all(np.isfinite(values)) or np.ptp(values) > 0.1 * np.max(np.abs(values)):
                break  # too far: keep the closer measurement
            elif not flat:
                level, detected = _noise_level(values)
                if detected:
                    nu = level
                break
            if not flat:
                break  # the noise shows at this spacing
    finally:
        for k, p in params.items():
            p[...] = base[k]
    return max(nu, float(np.finfo(net.dtype).eps) * abs(loss))


def _backprop_rounding(net: MLP, X: np.ndarray, Y: np.ndarray, mode: dict) -> dict[str, np.ndarray]:
    """The rounding error of backpropagation's gradient, entry by entry (a first-order estimate).

    The output delta (Ŷ − Y)/N is off by about ε(|Ŷ| + |Y|)/N; that error is
    backpropagated with absolute values (|W|, |f′|, the dropout mask, and
    |γ|/s with the two mean terms of a batch normalisation), and each layer
    adds ε|δ| for its own rounding.  The gradient of W⁽ˡ⁾ is then off by
    |A⁽ˡ⁻¹⁾|ᵀ times the error of δ⁽ˡ⁾ (plus ε α|W⁽ˡ⁾| for an L2 penalty).
    """
    eps = float(np.finfo(net.dtype).eps)
    fp = net.forward(X, Y, checked=True, **mode)
    deltas: list = [None] * (net.n_layers + 1)
    net.backward(fp, Y, deltas)
    err = eps * (np.abs(fp.output) + np.abs(Y)) / len(Y)
    out = {}
    for l in range(net.n_layers, 0, -1):
        err = err + eps * np.abs(deltas[l])
        bn = fp.norms[l]
        if bn is not None:
            out[f"gamma{l}"] = (err * np.abs(bn.z_hat)).sum(axis=0).astype(np.float64)
            out[f"beta{l}"] = err.sum(axis=0).astype(np.float64)
            e = err * np.abs(net.params[f"gamma{l}"])
            if bn.train:
                e = e + e.mean(axis=0) + np.abs(bn.z_hat) * (e * np.abs(bn.z_hat)).mean(axis=0)
            err = e / bn.std
        else:
            out[f"b{l}"] = err.sum(axis=0).astype(np.float64)
        W = net.params[f"W{l}"]
        out[f"W{l}"] = (np.abs(fp.a[l - 1]).T @ err).astype(np.float64)
        if fp.train and net.l2:
            out[f"W{l}"] += eps * net.l2 * np.abs(W)
        if l > 1:
            grad_a = err @ np.abs(W).T
            a = fp.a[l - 1]
            if fp.masks[l - 1] is not None:
                grad_a *= fp.masks[l - 1]
                a = fp.unmasked[l - 1]
            err = np.abs(net.activations[l - 2].backward(fp.z[l - 1], a, grad_a))
    return out


def check_gradients(
    net: MLP,
    X: object,
    Y: object,
    h: float | None = None,
    order: int = 4,
    tol: float | None = None,
    *,
    sample: int | None = None,
    seed: int = 0,
    train: bool = False,
) -> GradientCheck:
    """Compare backpropagation's gradient with finite differences, entry by entry.

    Parameters
    ----------
    net
        The network; its parameters are restored exactly afterwards (also when
        the check is interrupted or fails).
    X, Y
        The batch (targets may be labels, as for [MLP.fit][backprop.MLP.fit]).
    h
        The step: by default 1e-3 for ``order=4`` and 1e-5 for ``order=2`` in
        float64 (about where truncation and rounding errors balance), 1e-2 in
        float32.  The step actually taken, (p + h) − p in the parameter's dtype,
        is the one divided by.
    order
        2 (centred difference) or 4 (five-point stencil).
    tol
        The relative-error tolerance: 1e-7 in float64, 1e-2 in float32 by default.
    sample
        Check only this many entries of each parameter, chosen at random
        (CS231n's advice for large networks); ``None`` checks every entry.
    seed
        Seed of the random direction of the noise measurement, of the choice
        of entries and of the dropout masks.
    train
        Check the gradient of the training loss (``value_and_grad(...,
        train=True)``): batch statistics in batch-normalised layers, the L2
        penalty, and dropout with masks drawn once (from ``seed``) and held
        fixed for every evaluation, so the loss is a smooth function of the
        parameters.

    Returns
    -------
    GradientCheck
        The report (``print`` it; ``ok`` is the verdict).

    Raises
    ------
    ValueError
        For a bad option, bad data, or a loss that is not finite at the
        parameters or next to them (there is nothing to differentiate).

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([20, 30, 3], hidden="tanh", loss="cross_entropy", seed=0)
    >>> X = np.random.default_rng(0).normal(size=(8, 20))
    >>> report = bp.check_gradients(net, X, np.arange(8) % 3, sample=10)
    >>> report.ok, report.verified, report.entries   # 10 of each parameter, and all 3 of b2
    (True, 33, 723)
    """
    if order not in STENCILS:
        raise ValueError(f"order must be 2 or 4, got {order!r}")
    f32 = net.dtype == np.float32
    if h is None:
        h = 1e-2 if f32 else (1e-3 if order == 4 else 1e-5)
    if not isinstance(h, numbers.Real) or not (math.isfinite(h) and h > 0):
        raise ValueError(f"h must be a positive finite number, got {h!r}")
    tol = (1e-2 if f32 else 1e-7) if tol is None else tol
    if not isinstance(tol, numbers.Real) or not (math.isfinite(tol) and tol > 0):
        raise ValueError(f"tol must be a positive finite number, got {tol!r}")
    if sample is not None and (not isinstance(sample, numbers.Integral) or isinstance(sample, bool) or sample < 1):
        raise ValueError(f"sample must be a positive integer or None, got {sample!r}")
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be True or False, got {train!r}")
    X, Y = net.check_inputs(X, Y)
    rng = np.random.default_rng(seed)
    mode = {"train": bool(train), "masks": net.dropout_masks(len(X), rng) if train and any(net.dropout) else None}
    loss, analytic = net.value_and_grad(X, Y, checked=True, **mode)
    if not math.isfinite(loss):
        raise ValueError(f"the loss is {loss} at these parameters: a gradient check needs a finite loss")
    base = _kink_pattern(net, net.forward(X, checked=True, **mode).z)
    nu = _measure_noise(net, X, Y, loss, rng, base, mode)
    if not math.isfinite(nu):
        raise ValueError(f"the loss ({loss:.3g}) overflows next to these parameters (within a relative change of "
                         f"sqrt(eps) of each), so it cannot be differentiated numerically")
    rounding = _backprop_rounding(net, X, Y, mode)
    steps, denom = STENCILS[order]
    noise = NOISE_SAFETY * nu * sum(abs(c) for _, c in steps) / (denom * h)
    richardson = 2.0**order / (2.0**order - 1.0)  # error of the quotient at h, from it and the one at h/2
    report = GradientCheck(tol=float(tol), h=float(h), order=order, loss_noise=nu, sample=sample)
    for name, p in net.params.items():
        a = analytic[name].astype(np.float64)
        numeric = np.full(p.shape, np.nan)
        truncation = np.zeros(p.shape)
        kink = np.zeros(p.shape, dtype=bool)
        checked = np.zeros(p.shape, dtype=bool)
        flat = np.arange(p.size) if sample is None or sample >= p.size else np.sort(
            rng.choice(p.size, size=sample, replace=False))
        for i in flat:
            idx = np.unravel_index(i, p.shape)
            numeric[idx], kink[idx] = _quotient(net, X, Y, p, idx, h, order, base, mode)
            checked[idx] = True
            diff = abs(a[idx] - numeric[idx])
            bound = noise + NOISE_SAFETY * rounding[name][idx]
            if not kink[idx] and diff > bound and (a[idx] == 0 or diff >= tol * (abs(a[idx]) + abs(numeric[idx]))):
                # Failing so far: estimate the quotient's truncation error from a second one at h/2.
                half, kink[idx] = _quotient(net, X, Y, p, idx, h / 2, order, base, mode)
                truncation[idx] = richardson * abs(numeric[idx] - half)
        diff = np.abs(a - numeric)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(a == 0, np.nan, diff / (np.abs(a) + np.abs(numeric)))
        report.parameters[name] = ParameterCheck(name, a, numeric, rel, kink, noise, float(tol), checked, truncation,
                                                 rounding[name])
    return report


def _quotient(net: MLP, X: np.ndarray, Y: np.ndarray, p: np.ndarray, idx: tuple, h: float, order: int,
              base: list[np.ndarray], mode: dict) -> tuple[float, bool]:
    """The finite-difference derivative of the loss in entry ``idx`` of ``p``, and whether it crossed a kink.

    The stencil is summed pair by pair, c_k (𝓛(p + k h) − 𝓛(p − k h)) for k > 0: exactly 0 where the loss
    is even about p (summed in stencil order, the rounding of a partial sum would remain), and no value
    near overflow is ever multiplied by a weight (two finite losses of one sign differ by a finite number).
    """
    steps, denom = STENCILS[order]
    orig = p[idx]
    # The step actually taken: orig + h rounds in the parameter's dtype (matters in float32).
    h_idx = float(p.dtype.type(orig + h) - orig) or h
    values, kink = {}, False
    try:
        for k, _ in steps:
            p[idx] = orig + k * h_idx
            fp = net.forward(X, Y, checked=True, **mode)
            values[k] = fp.loss
            if base and any(not np.array_equal(z, z0) for z, z0 in zip(_kink_pattern(net, fp.z), base, strict=True)):
                kink = True
    finally:
        p[idx] = orig
    total = sum(c * (values[k] - values[-k]) for k, c in steps if k > 0)
    return total / (denom * h_idx), kink
