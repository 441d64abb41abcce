"""What every derivation shares: LaTeX display, exact numbers, and the comparison helpers."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import sympy as sp


class Derivation:
    """Base of the result objects: ``latex`` (the derivation in the book's notation) and ``check()``.

    ``_repr_latex_`` makes a notebook display the derivation as typeset math.
    """

    @property
    def latex(self) -> str:
        raise NotImplementedError

    def _repr_latex_(self) -> str:
        return f"$\\displaystyle {self.latex}$"

    def check(self) -> None:
        """Raise ``AssertionError`` (naming the mismatch) if the library disagrees with the derivation."""
        raise NotImplementedError


def exact(x: float | int) -> sp.Rational:
    """A float read as the decimal it prints as, made exact: ``0.1`` -> ``1/10``.

    The library's float differs from that decimal by less than half an ulp, far
    below the 1e-12 the comparisons use.

    Examples
    --------
    >>> exact(0.1), exact(-1.5), exact(3)
    (1/10, -3/2, 3)
    """
    return sp.Rational(repr(float(x)))


def exact_matrix(M: object) -> sp.Matrix:
    """A 2-D array as a SymPy Matrix of exact Rationals (see :func:`exact`).

    Examples
    --------
    >>> exact_matrix([[1.0, 0.5, -1.5]])
    Matrix([[1, 1/2, -3/2]])
    """
    arr = np.asarray(M, dtype=float)
    return sp.Matrix(arr.shape[0], arr.shape[1], [exact(v) for v in arr.ravel()])


def is_zero(expr: sp.Expr) -> bool:
    """True when ``expr`` is provably 0: plain simplification, then again in exponentials.

    ``simplify`` alone does not see that the sigmoid's derivative equals
    ``s (1 - s)``; rewriting in ``exp`` first does.

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


def mismatches(label: str, got: np.ndarray, want: np.ndarray, rtol: float, atol: float,
               where: Iterable | None = None) -> list[str]:
    """One line per entry where ``|got - want| > atol + rtol |want|``."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    bad = ~(np.abs(got - want) <= atol + rtol * np.abs(want))
    points = list(where) if where is not None else None
    lines = []
    for idx in zip(*np.nonzero(bad), strict=True):
        at = f" at {points[idx[0]]:.6g}" if points is not None else f" {tuple(int(i) for i in idx)}"
        lines.append(f"{label}{at}: library {got[idx]!r}, derived {want[idx]!r}")
    return lines


def fail_if(problems: list[str], what: str) -> None:
    """Raise ``AssertionError`` listing ``problems`` (at most 10 lines) if there are any."""
    if problems:
        more = f"\n... and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise AssertionError(f"{what}: the library disagrees with the derivation\n" + "\n".join(problems[:10]) + more)
