"""What every derivation shares: LaTeX display, exact numbers, and how derived values are compared.

A derivation is compared with two independent sources, each giving a `Comparison`: the library's
NumPy code (`against="library"`) and centred finite differences of the library's *values*
(`against="finite differences"`).  An error is measured relative to the largest derived entry of
the comparison, so an entry that is exactly 0 is judged by its absolute difference.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

LIBRARY_TOLERANCE = 1e-12
"""Largest allowed |library - derived| relative to the largest derived entry.

Both sides are float64 evaluations of equal formulas written differently, so they differ by the
rounding of a few operations, about 1e-16 to 1e-15 of the largest entry (`backprop-verify` prints
the largest).  A wrong formula is off by far more than 1e-12."""

FD_STEP = 1e-6
"""Step h of the centred differences (f(x + h) - f(x - h)) / 2h."""

FD_TOLERANCE = 1e-7
"""Largest allowed |finite difference - derived| relative to the largest derived entry.

The centred difference errs by h^2/6 |f'''| (truncation) plus about eps |f| / h (rounding):
with h = 1e-6 and the functions and points used here (|f'''| <= 2e4 for the binary
cross-entropy at predictions >= 0.05, |f| <= 10), both stay below 1e-8 of the largest entry."""


class Derivation:
    """Base of the result objects: `latex` (the derivation in the book's notation), `text` (one line
    of plain text), `compare()` and `check()`.

    `_repr_latex_` makes a notebook display the derivation as typeset math.
    """

    @property
    def latex(self) -> str:
        raise NotImplementedError

    @property
    def text(self) -> str:
        """The result in one line of plain text (what `backprop-verify` prints)."""
        raise NotImplementedError

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex}$"

    def proofs(self) -> list[str]:
        """What SymPy could not prove (empty: every symbolic identity of the derivation holds)."""
        return []

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """Compare the derived values with the library and with finite differences.

        `rng` draws the points; without it a fixed set of points is used.
        """
        raise NotImplementedError

    def check(self) -> None:
        """Raise `AssertionError` (naming the mismatch) if a proof fails or the library disagrees."""
        problems = self.proofs() + [str(c) for c in self.compare() if not c.ok]
        fail_if(problems, self.what)

    @property
    def what(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class Comparison:
    """Derived values against the library's or against finite differences.

    `error` is max |got - want| divided by the largest |want| (the absolute difference when every
    derived value is 0); `worst` says where that maximum is; `ok` is `error <= tolerance` (a NaN
    is never ok).

    Examples
    --------
    >>> c = compare("relu'", "library", np.array([0.0, 1.0]), np.array([0.0, 1.0 + 1e-9]), 1e-12)
    >>> c.ok, f"{c.error:.1e}"
    (False, '1.0e-09')
    >>> print(c)
    relu' vs library: error 1.0e-09 > 1.0e-12 (largest at entry (1,): got 1.0, derived 1.000000001)
    """

    label: str
    against: str
    error: float
    tolerance: float
    worst: str = ""

    @property
    def ok(self) -> bool:
        return self.error <= self.tolerance

    def __str__(self) -> str:
        sign = "<=" if self.ok else ">"
        return (f"{self.label} vs {self.against}: error {self.error:.1e} {sign} {self.tolerance:.1e}"
                + (f" ({self.worst})" if self.worst else ""))


def compare(label: str, against: str, got: object, want: object, tolerance: float,
            where: Callable[[tuple[int, ...]], str] | None = None) -> Comparison:
    """A `Comparison` of `got` with the derived values `want` (arrays of the same shape).

    `where(index)` describes an entry for the message (default: its index).
    """
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    if got.shape != want.shape:
        return Comparison(label, against, math.inf, tolerance, f"shape {got.shape}, derived {want.shape}")
    diff = np.abs(got - want)
    if not np.all(np.isfinite(diff)):
        idx = tuple(int(i) for i in np.argwhere(~np.isfinite(diff))[0])
        return Comparison(label, against, math.inf, tolerance, f"not finite at {idx}: got {float(got[idx])!r}")
    if diff.size == 0:
        return Comparison(label, against, 0.0, tolerance)
    scale = float(np.abs(want).max()) or 1.0
    idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    place = where(idx) if where is not None else f"entry {idx}"
    return Comparison(label, against, float(diff[idx]) / scale, tolerance,
                      f"largest at {place}: got {float(got[idx])!r}, derived {float(want[idx])!r}")


def centred_differences(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = FD_STEP) -> np.ndarray:
    """(f(x + h e) - f(x - h e)) / 2h for every entry e of `x`: the gradient of a scalar `f`.

    Examples
    --------
    >>> g = centred_differences(lambda v: float(np.sum(v ** 2)), np.array([1.0, -2.0]))
    >>> np.round(g, 6)
    array([ 2., -4.])
    """
    x = np.array(x, dtype=float)
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + h
        up = f(x)
        x[idx] = keep - h
        down = f(x)
        x[idx] = keep
        out[idx] = (up - down) / (2 * h)
    return out


def exact(x: float | int) -> sp.Rational:
    """A float read as the decimal it prints as, made exact: `0.1` -> `1/10`.

    The library's float differs from that decimal by less than half an ulp, far
    below the 1e-12 the comparisons use.

    Examples
    --------
    >>> exact(0.1), exact(-1.5), exact(3)
    (1/10, -3/2, 3)
    """
    return sp.Rational(repr(float(x)))


def exact_matrix(M: object) -> sp.Matrix:
    """A 2-D array as a SymPy Matrix of exact Rationals (see `exact`).

    Examples
    --------
    >>> exact_matrix([[1.0, 0.5, -1.5]])
    Matrix([[1, 1/2, -3/2]])
    """
    arr = np.asarray(M, dtype=float)
    return sp.Matrix(arr.shape[0], arr.shape[1], [exact(v) for v in arr.ravel()])


def is_zero(expr: sp.Expr) -> bool:
    """True when `expr` is provably 0: plain simplification, then again in exponentials.

    `simplify` alone does not see that the sigmoid's derivative equals
    `s (1 - s)`; rewriting in `exp` first does.

    Examples
    --------
    >>> z = sp.Symbol("z")
    >>> s = 1 / (1 + sp.exp(-z))
    >>> is_zero(sp.diff(s, z) - s * (1 - s))
    True
    """
    expr = sp.sympify(expr)
    if expr == 0 or sp.expand(expr) == 0:
        return True
    return sp.simplify(expr) == 0 or sp.simplify(expr.rewrite(sp.exp)) == 0


def plain(text: str) -> str:
    """A SymPy string with the TeX braces of the book's symbol names removed: `w^{(1)}_{12}` -> `w^(1)_12`.

    Examples
    --------
    >>> plain("-y + yhat + w^{(2)}_{11}*a^{(1)}")
    '-y + yhat + w^(2)_11*a^(1)'
    """
    return text.replace("{", "").replace("}", "")


def fail_if(problems: list[str], what: str) -> None:
    """Raise `AssertionError` listing `problems` (at most 10 lines) if there are any."""
    if problems:
        more = f"\n... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise AssertionError(f"{what}: the library disagrees with the derivation\n" + "\n".join(problems[:10]) + more)
