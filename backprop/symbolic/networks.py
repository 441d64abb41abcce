"""Whole networks: the loss as one SymPy expression of every weight and bias, and its exact gradients.

:func:`derive_network` writes the loss of a concrete :class:`~backprop.MLP` on
concrete data with one symbol per parameter, named as in the book
(``w^{(l)}_{jk}`` for ``W{l}[j-1, k-1]``: row ``j`` is the input unit,
column ``k`` the output unit; ``b^{(l)}_{k}``), differentiates it with respect
to every parameter, and evaluates the derivatives exactly (the decimal inputs
as Rationals) and in floating point.  :func:`chain_rule` shows one such
derivative of a one-unit-per-layer network as its chain-rule factors.

ReLU: the expression is built with the branch active at the given point (``z``
where ``z > 0``, else ``0``), which equals ``max(0, z)`` in a neighbourhood of
the point and is what SymPy differentiates quickly.  Where a pre-activation is
exactly 0 (a kink: no derivative exists) the ``0`` branch is used, giving the
library's convention ``relu'(0) = 0``; such places are listed in ``kinks``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..network import MLP
from . import elementary
from ._base import Derivation, exact, exact_matrix, fail_if
from .elementary import (
    ACTIVATION_TABLE,
    FROM_LOGITS_TABLE,
    LOSS_TABLE,
    SymbolicActivation,
    _table_row,
    derive_activation,
)

RTOL = 1e-12
"""Library and SymPy gradients must agree to this, relative to the network's largest gradient entry."""


def _index(*ks: int) -> str:
    return ",".join(str(k) for k in ks) if max(ks) > 9 else "".join(str(k) for k in ks)


def parameter_symbols(sizes: Sequence[int]) -> dict[str, sp.Matrix]:
    """One SymPy symbol per weight and bias, keyed and shaped like ``MLP.params`` (biases as 1-row matrices).

    Indices are 1-based: ``W{l}[j-1, k-1]`` is ``w^{(l)}_{jk}``, the weight from
    unit ``j`` of layer ``l-1`` to unit ``k`` of layer ``l`` (with a comma when
    an index exceeds 9).

    Examples
    --------
    >>> P = parameter_symbols([3, 2, 1])
    >>> P["W1"]
    Matrix([
    [w^{(1)}_{11}, w^{(1)}_{12}],
    [w^{(1)}_{21}, w^{(1)}_{22}],
    [w^{(1)}_{31}, w^{(1)}_{32}]])
    >>> P["b1"], sp.latex(P["W2"][1, 0])
    (Matrix([[b^{(1)}_{1}, b^{(1)}_{2}]]), 'w^{(2)}_{21}')
    """
    out: dict[str, sp.Matrix] = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), 1):
        out[f"W{l}"] = sp.Matrix(n_in, n_out, [sp.Symbol(f"w^{{({l})}}_{{{_index(j + 1, k + 1)}}}")
                                               for j in range(n_in) for k in range(n_out)])
        out[f"b{l}"] = sp.Matrix(1, n_out, [sp.Symbol(f"b^{{({l})}}_{{{k + 1}}}") for k in range(n_out)])
    return out


def _rows(net: MLP) -> list[SymbolicActivation]:
    return [_table_row(ACTIVATION_TABLE, act.name, "activation") for act in net.activations]


def _forward(net: MLP, X: sp.Matrix, P: dict[str, sp.Matrix], point: dict) -> tuple[list, list, list]:
    """Symbolic forward pass, one sample (row) at a time: ``z[l][i]`` and ``a[l][i]`` are lists of units."""
    a: list[list[list[sp.Expr]]] = [[list(X.row(i)) for i in range(X.rows)]]
    z: list = [None]
    kinks = []
    for l, row in enumerate(_rows(net), 1):
        W, b = P[f"W{l}"], P[f"b{l}"]
        z_l = [[sum((ai[j] * W[j, k] for j in range(W.rows)), sp.Integer(0)) + b[0, k] for k in range(W.cols)]
               for ai in a[-1]]
        if row.branches is None:
            a_l = [row.row(zi) for zi in z_l]
        else:
            values = [[zk.xreplace(point) for zk in zi] for zi in z_l]
            kinks += [(l, i, k) for i, vi in enumerate(values) for k, v in enumerate(vi) if v == row.kinks[0]]
            a_l = [[row.near(zk, v) for zk, v in zip(zi, vi, strict=True)] for zi, vi in zip(z_l, values, strict=True)]
        z.append(z_l)
        a.append(a_l)
    return z, a, kinks


def _loss(net: MLP, z: list, a: list, Y: sp.Matrix) -> sp.Expr:
    """``L = 1/n sum_i loss of sample i``; from the logits for the fused pairs, as the library does."""
    key = (net.activations[-1].name, net.loss_fn.name)
    if net.fused:
        per_sample = [FROM_LOGITS_TABLE[key](zi, list(Y.row(i))) for i, zi in enumerate(z)]
    else:
        entry = _table_row(LOSS_TABLE, net.loss_fn.name, "loss").entry
        per_sample = [sum(entry(p, t) for p, t in zip(ai, Y.row(i), strict=True)) for i, ai in enumerate(a)]
    return sp.Add(*per_sample) / Y.rows


def _as_array(M: sp.Matrix, shape: tuple[int, ...], digits: int = 30) -> np.ndarray:
    return np.array([float(sp.N(v, digits)) for v in M], dtype=float).reshape(shape)


@dataclass
class NetworkDerivation(Derivation):
    """The loss of a concrete network on concrete data as a SymPy expression, and its gradients.

    ``symbols`` are the parameters (see :func:`parameter_symbols`), ``point``
    their exact values, ``loss`` the scalar expression ``L`` in those symbols,
    ``gradients[key]`` the matrix of ``dL/dp`` (symbolic), ``exact[key]`` its
    exact value at ``point``, ``numeric[key]`` its float value (the expression
    compiled by ``lambdify`` and run at the float parameters), ``library`` the
    network's ``gradients(X, Y)``.  ``kinks`` lists ``(layer, sample, unit)``
    where a ReLU pre-activation is exactly 0.  ``seconds`` is the time taken.
    """

    net: MLP
    X: sp.Matrix
    Y: sp.Matrix
    symbols: dict[str, sp.Matrix]
    point: dict[sp.Symbol, sp.Rational]
    loss: sp.Expr
    gradients: dict[str, sp.Matrix]
    exact: dict[str, sp.Matrix]
    numeric: dict[str, np.ndarray]
    library: dict[str, np.ndarray]
    library_loss: float
    kinks: list[tuple[int, int, int]]
    seconds: float

    @property
    def latex(self) -> str:
        return f"L = {sp.latex(self.loss)}"

    def gradient_latex(self, key: str, index: tuple[int, ...] = (0, 0), digits: int = 6) -> str:
        """``dL/dp = expression = value`` for one parameter entry, e.g. ``("W1", (0, 1))`` for w^{(1)}_{12}."""
        i = index if key.startswith("W") else (0, index[-1])
        sym, g = self.symbols[key][i], self.gradients[key][i]
        return (rf"\frac{{\partial L}}{{\partial {sp.latex(sym)}}} = {sp.latex(g)}"
                rf" = {sp.latex(sp.N(self.exact[key][i], digits))}")

    def rows(self) -> list[tuple[sp.Symbol, float, float]]:
        """One ``(symbol, derived, library)`` row per parameter, in ``params`` order, for tables on pages."""
        return [(s, float(sp.N(e, 30)), float(lib))
                for key in self.symbols
                for s, e, lib in zip(self.symbols[key], self.exact[key], self.library[key].ravel(), strict=True)]

    @property
    def max_error(self) -> float:
        """Largest ``|library - derived|`` over all entries, divided by the largest ``|derived|`` entry."""
        exact_values = {k: _as_array(self.exact[k], self.library[k].shape) for k in self.exact}
        scale = max(float(np.abs(v).max()) for v in exact_values.values()) or 1.0
        return max(float(np.abs(self.library[k] - v).max()) for k, v in exact_values.items()) / scale

    def check(self, rtol: float = RTOL) -> None:
        """Raise ``AssertionError`` unless library, exact and float-evaluated gradients agree.

        Tolerance: ``|library - derived| <= rtol * max |derived|`` (relative to
        the network's largest gradient entry; ``rtol = 1e-12``), for the exact
        values (to 30 digits) and for the floating-point ones; the loss value
        must agree to ``rtol`` relative to itself.
        """
        exact_values = {k: _as_array(self.exact[k], self.library[k].shape) for k in self.exact}
        scale = max(float(np.abs(v).max()) for v in exact_values.values()) or 1.0
        problems = []
        for key, want in exact_values.items():
            for label, got in (("library", self.library[key]), ("float", self.numeric[key])):
                bad = np.abs(got - want) > rtol * scale
                for idx in zip(*np.nonzero(bad), strict=True):
                    sym = self.symbols[key][idx if key.startswith("W") else (0, idx[0])]
                    problems.append(f"dL/d{sym} ({key}{list(idx)}): {label} {got[idx]!r}, exact {want[idx]!r}")
        loss = float(sp.N(self.loss.xreplace(self.point), 30))
        if abs(self.library_loss - loss) > rtol * abs(loss):
            problems.append(f"loss: library {self.library_loss!r}, derived {loss!r}")
        fail_if(problems, f"network {self.net!r}")


def derive_network(net: MLP, X: object, Y: object) -> NetworkDerivation:
    """Write the loss of ``net`` on ``(X, Y)`` in SymPy and differentiate it with respect to every parameter.

    Meant for small networks (up to about 60 parameters) and a few samples.
    The inputs, targets and parameters are read as exact decimals
    (:func:`~backprop.symbolic.exact`).

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    >>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    >>> d = derive_network(net, [[0.5]], [[0.6]])
    >>> d.loss
    (b^{(2)}_{1} + w^{(2)}_{11}/(exp(-b^{(1)}_{1} - w^{(1)}_{11}/2) + 1) - 3/5)**2/2
    >>> d.exact["b2"][0]
    -2/5 + 3/(10*(exp(-3/10) + 1))
    >>> print(f"{float(d.exact['b2'][0]):.5f}")
    -0.22767
    >>> d.check()
    """
    start = time.perf_counter()
    Xf, Yf = net.check_inputs(X, Y)
    P = parameter_symbols(net.sizes)
    point = {s: exact(v) for key, M in P.items() for s, v in zip(M, net.params[key].ravel(), strict=True)}
    Xe, Ye = exact_matrix(Xf), exact_matrix(Yf)
    z, a, kinks = _forward(net, Xe, P, point)
    loss = _loss(net, z[-1], a[-1], Ye)
    gradients = {key: M.applyfunc(lambda s: sp.diff(loss, s)) for key, M in P.items()}
    exact_grads = {key: G.xreplace(point) for key, G in gradients.items()}
    floats = {s: sp.Float(float(v)) for s, v in point.items()}  # 53-bit binary floating point
    numeric = {key: np.array([float(g.xreplace(floats)) for g in G]).reshape(net.params[key].shape)
               for key, G in gradients.items()}
    library = {k: np.asarray(v, dtype=float) for k, v in net.gradients(Xf, Yf).items()}
    seconds = time.perf_counter() - start
    return NetworkDerivation(net, Xe, Ye, P, point, loss, gradients, exact_grads, numeric, library,
                             net.loss(Xf, Yf), kinks, seconds)


# ---------------------------------------------------------------------------------------------- chain rule
@dataclass
class ChainFactor:
    """One factor of a chain rule: its LaTeX ``label`` (a partial derivative), ``expr`` and exact ``value``."""

    label: str
    expr: sp.Expr
    value: sp.Expr


@dataclass
class ChainRule(Derivation):
    """``dL/dp`` of a network with one unit per layer, written as the product of its chain-rule factors.

    ``factors`` run from the loss back to the parameter; ``product`` is their
    product at the point, ``direct`` the derivative of the whole loss
    expression (from :func:`derive_network`), ``library`` the network's value.
    """

    parameter: sp.Symbol
    factors: list[ChainFactor]
    product: sp.Expr
    direct: sp.Expr
    library: float

    @property
    def latex(self) -> str:
        head = rf"\frac{{\partial L}}{{\partial {sp.latex(self.parameter)}}}"
        labels = r"\,".join(f.label for f in self.factors)
        exprs = r"\cdot ".join(rf"\left({sp.latex(f.expr)}\right)" for f in self.factors)
        values = r"\cdot ".join(rf"\left({float(sp.N(f.value, 20)):.6g}\right)" for f in self.factors)
        return rf"{head} = {labels} = {exprs} = {values} = {float(sp.N(self.product, 20)):.6g}"

    def check(self) -> None:
        """Raise ``AssertionError`` unless the product equals the direct derivative (to 30 digits)
        and the library's value (to 1e-12 relative)."""
        product, direct = sp.N(self.product, 40), sp.N(self.direct, 40)
        problems = []
        if abs(product - direct) > sp.Float("1e-30", 40) * max(1, abs(direct)):
            problems.append(f"product of factors {product} != derivative of the loss {direct}")
        if abs(self.library - float(direct)) > RTOL * abs(float(direct)):
            problems.append(f"dL/d{self.parameter}: library {self.library!r}, derived {float(direct)!r}")
        fail_if(problems, "chain rule")


def chain_rule(net: MLP, X: object, Y: object, key: str) -> ChainRule:
    """Show ``dL/dp`` for the parameter ``key`` ("W1", "b2", ...) as chain-rule factors.

    For networks with one unit per layer and one sample (e.g. the 1-1-1
    worked example).  Each factor is the derivative of one relation of the
    forward pass (``L(yhat)``, ``a = f(z)``, ``z = w a + b``), derived with
    ``sympy.diff`` and evaluated at the forward pass.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    >>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    >>> c = chain_rule(net, [[0.5]], [[0.6]], "W1")
    >>> [f.expr for f in c.factors]
    [-y + yhat, 1, w^{(2)}_{11}, a^{(1)}*(1 - a^{(1)}), x]
    >>> print(", ".join(f"{float(f.value):.5f}" for f in c.factors), f"= {float(c.product):.5f}")
    -0.22767, 1.00000, 0.30000, 0.24446, 0.50000 = -0.00835
    >>> c.check()
    """
    if any(s != 1 for s in net.sizes):
        raise ValueError(f"chain_rule needs one unit per layer (sizes like [1, 1, 1]), got {net.sizes}")
    derivation = derive_network(net, X, Y)
    if derivation.X.rows != 1:
        raise ValueError(f"chain_rule needs one sample, got {derivation.X.rows}")
    if key not in derivation.symbols:
        raise ValueError(f"unknown parameter {key!r}; valid: {', '.join(derivation.symbols)}")
    L, target = net.n_layers, int(key[1:])
    P, point = derivation.symbols, derivation.point
    zs = [None] + [sp.Symbol(f"z^{{({l})}}") for l in range(1, L + 1)]
    acts = [sp.Symbol("x")] + [sp.Symbol(f"a^{{({l})}}") for l in range(1, L)] + [sp.Symbol("yhat")]
    values = {acts[0]: derivation.X[0, 0], sp.Symbol("y"): derivation.Y[0, 0]}
    for l in range(1, L + 1):  # the forward pass, exactly
        values[zs[l]] = (P[f"W{l}"][0, 0] * values[acts[l - 1]] + P[f"b{l}"][0, 0]).xreplace(point)
        values[acts[l]] = ACTIVATION_TABLE[net.activations[l - 1].name].function(values[zs[l]])
    values.update(point)

    entry = LOSS_TABLE[net.loss_fn.name].entry(acts[L], sp.Symbol("y"))
    factors = [ChainFactor(r"\frac{\partial L}{\partial \hat{y}}", sp.diff(entry, acts[L]), None)]
    for l in range(L, target - 1, -1):
        factors.append(_activation_factor(net, l, zs[l], acts[l], values))
        if l > target:
            w = P[f"W{l}"][0, 0]
            factors.append(ChainFactor(rf"\frac{{\partial z^{{({l})}}}}{{\partial {sp.latex(acts[l - 1])}}}",
                                       sp.diff(w * acts[l - 1] + P[f"b{l}"][0, 0], acts[l - 1]), None))
    param = P[key][0, 0]
    z_target = P[f"W{target}"][0, 0] * acts[target - 1] + P[f"b{target}"][0, 0]
    factors.append(ChainFactor(rf"\frac{{\partial z^{{({target})}}}}{{\partial {sp.latex(param)}}}",
                               sp.diff(z_target, param), None))
    for f in factors:
        if f.value is None:
            f.value = sp.sympify(f.expr).xreplace(values)
    product = sp.Mul(*[f.value for f in factors])
    library = float(derivation.library[key].ravel()[0])
    return ChainRule(param, factors, product, derivation.exact[key][0, 0], library)


def _activation_factor(net: MLP, l: int, z_l: sp.Symbol, a_l: sp.Symbol, values: dict) -> ChainFactor:
    """``da/dz`` of layer ``l``: ``diff(f(z), z)``, written with ``a`` when ``f`` is invertible."""
    name = net.activations[l - 1].name
    row = ACTIVATION_TABLE[name]
    derivative = sp.diff(row.near(z_l, values[z_l]), z_l)  # the branch active at the point, for ReLU
    d = derive_activation(name)
    if d.in_terms_of_a is not None:
        expr = d.in_terms_of_a.subs(elementary.a, a_l)
    else:
        expr = d.derivative.subs(elementary.z, z_l)
    label = rf"\frac{{\partial {sp.latex(a_l)}}}{{\partial z^{{({l})}}}}"
    return ChainFactor(label, expr, derivative.xreplace(values))
