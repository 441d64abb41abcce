"""The general rule of backpropagation, proved by SymPy for concrete sizes with everything symbolic.

For a network with symbolic inputs ``x_{ij}``, targets ``y_{ik}``, weights,
biases, one undefined activation function ``f^{(l)}`` per layer and an
undefined per-entry loss ``\\ell(\\hat y, y)`` (``L = 1/n sum_i sum_k
\\ell(a^{(L)}_{ik}, y_{ik})``), :func:`prove_backprop_rule` differentiates ``L``
with respect to every parameter, entry by entry, and checks that the result
equals the matrix form (samples are rows, ``.`` is the elementwise product)::

    delta(L) = dL/da(L) . f_L'(z(L))
    delta(l) = (delta(l+1) W(l+1)^T) . f_l'(z(l))
    dL/dW(l) = a(l-1)^T delta(l)          dL/db(l) = sum over samples of delta(l)

The difference of the two, expanded, is 0 for every parameter.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ._base import Derivation, fail_if
from .networks import parameter_symbols

ell = sp.Function(r"\ell")
"""The undefined per-entry loss ``\\ell(\\hat y, y)``."""

RULE_LATEX = (r"\delta^{(L)} = \frac{\partial L}{\partial a^{(L)}} \odot f_L'(z^{(L)}),\quad "
              r"\delta^{(l)} = \left(\delta^{(l+1)} {W^{(l+1)}}^{\mathsf T}\right) \odot f_l'(z^{(l)}),\quad "
              r"\frac{\partial L}{\partial W^{(l)}} = {a^{(l-1)}}^{\mathsf T} \delta^{(l)},\quad "
              r"\frac{\partial L}{\partial b^{(l)}} = \sum_{i=1}^{n} \delta^{(l)}_{i\cdot}")
"""The matrix form in the book's notation (rows are samples)."""


def _derivative(f: sp.Function, M: sp.Matrix) -> sp.Matrix:
    """``f'`` applied entrywise: ``d f(u)/du`` at ``u = M[i, k]``, derived with ``sympy.diff``."""
    u = sp.Dummy("u")
    fprime = sp.diff(f(u), u)
    return M.applyfunc(lambda m: fprime.subs(u, m))


@dataclass
class RuleProof(Derivation):
    """The elementwise derivatives of a symbolic network's loss against the matrix-form rule.

    ``elementwise[key]`` are ``sympy.diff`` of the loss, ``matrix_form[key]``
    the rule's matrices, ``differences[key]`` their expanded difference (all
    zero when proved); ``deltas[l]`` the rule's ``delta^{(l)}``.
    """

    sizes: list[int]
    n_samples: int
    loss: sp.Expr
    elementwise: dict[str, sp.Matrix]
    matrix_form: dict[str, sp.Matrix]
    differences: dict[str, sp.Matrix]
    deltas: dict[int, sp.Matrix]
    seconds: float

    @property
    def proved(self) -> bool:
        """True when every difference expanded to 0."""
        return all(d.is_zero_matrix for d in self.differences.values())

    @property
    def latex(self) -> str:
        sizes = "\\text{-}".join(str(s) for s in self.sizes)
        verdict = r"\text{holds}" if self.proved else r"\text{FAILS}"
        return rf"{RULE_LATEX}\quad ({sizes},\ n = {self.n_samples}:\ {verdict})"

    def check(self) -> None:
        """Raise ``AssertionError`` naming every parameter whose derivative differs from the matrix form."""
        problems = [f"dL/d{key}[{i},{j}]: elementwise - matrix form = {D[i, j]}"
                    for key, D in self.differences.items() for i in range(D.rows) for j in range(D.cols)
                    if D[i, j] != 0]
        fail_if(problems, f"backpropagation rule for {self.sizes}")


def prove_backprop_rule(sizes: Sequence[int], n_samples: int = 2) -> RuleProof:
    """Prove the matrix form of backpropagation for these layer sizes, with everything symbolic.

    Examples
    --------
    >>> proof = prove_backprop_rule([2, 3, 2], n_samples=2)
    >>> proof.proved
    True
    >>> {l: d.shape for l, d in proof.deltas.items()}
    {2: (2, 2), 1: (2, 3)}
    >>> proof.check()
    """
    start = time.perf_counter()
    sizes = list(sizes)
    P = parameter_symbols(sizes)
    n, L = n_samples, len(sizes) - 1
    X = sp.Matrix(n, sizes[0], lambda i, j: sp.Symbol(f"x_{{{i + 1}{j + 1}}}"))
    Y = sp.Matrix(n, sizes[-1], lambda i, k: sp.Symbol(f"y_{{{i + 1}{k + 1}}}"))
    f = {l: sp.Function(f"f^{{({l})}}") for l in range(1, L + 1)}
    ones = sp.ones(n, 1)

    z: dict[int, sp.Matrix] = {}
    a: dict[int, sp.Matrix] = {0: X}
    for l in range(1, L + 1):
        z[l] = a[l - 1] * P[f"W{l}"] + ones * P[f"b{l}"]
        a[l] = z[l].applyfunc(f[l])
    loss = sum((ell(a[L][i, k], Y[i, k]) for i in range(n) for k in range(sizes[-1])), sp.Integer(0)) / n

    elementwise = {key: M.applyfunc(lambda s: sp.diff(loss, s)) for key, M in P.items()}

    u = sp.Dummy("u")
    dL_da = sp.Matrix(n, sizes[-1], lambda i, k: sp.diff(ell(u, Y[i, k]), u).subs(u, a[L][i, k]) / n)
    deltas = {L: dL_da.multiply_elementwise(_derivative(f[L], z[L]))}
    for l in range(L - 1, 0, -1):
        deltas[l] = (deltas[l + 1] * P[f"W{l + 1}"].T).multiply_elementwise(_derivative(f[l], z[l]))
    matrix_form: dict[str, sp.Matrix] = {}
    for l in range(1, L + 1):
        matrix_form[f"W{l}"] = a[l - 1].T * deltas[l]
        matrix_form[f"b{l}"] = ones.T * deltas[l]

    differences = {key: (elementwise[key] - matrix_form[key]).applyfunc(sp.expand) for key in P}
    return RuleProof(sizes, n, loss, elementwise, matrix_form, differences, deltas, time.perf_counter() - start)
