"""Whole networks: the loss as one SymPy expression of every weight and bias, and its exact gradients.

`derive_network` writes the loss of a concrete `MLP` on concrete data with one symbol per
parameter, named as in the book (`w^{(l)}_{jk}` for `W{l}[j-1, k-1]`: row `j` is the input unit,
column `k` the output unit; `b^{(l)}_{k}`; a network with one unit per layer drops the
subscripts: `w^{(l)}`, `b^{(l)}`), differentiates it with respect to every parameter, and
evaluates the derivatives exactly (the decimal inputs as Rationals) and in floating point.
`chain_rule` shows one such derivative of a one-unit-per-layer network as its chain-rule factors.

ReLU: the expression is built with the branch active at the given point (`z` where `z > 0`, else
`0`), which equals `max(0, z)` in a neighbourhood of the point and is what SymPy differentiates
quickly.  Where a pre-activation is exactly 0 (a kink: no derivative exists) the `0` branch is
used, giving the library's convention `relu'(0) = 0`; such places are listed in `kinks`.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp

from backprop.network import MLP
from backprop.symbolic import elementary
from backprop.symbolic._base import (
    FD_TOLERANCE,
    LIBRARY_TOLERANCE,
    Comparison,
    Derivation,
    centred_differences,
    compare,
    exact,
    exact_matrix,
    fail_if,
    plain,
)
from backprop.symbolic.elementary import (
    ACTIVATION_TABLE,
    FROM_LOGITS_TABLE,
    LOSS_TABLE,
    SymbolicActivation,
    _table_row,
    derive_activation,
)

RTOL = LIBRARY_TOLERANCE
"""Library and SymPy gradients must agree to this, relative to the network's largest gradient entry."""


def _index(*ks: int) -> str:
    return ",".join(str(k) for k in ks) if max(ks) > 9 else "".join(str(k) for k in ks)


def parameter_symbols(sizes: Sequence[int]) -> dict[str, sp.Matrix]:
    """One SymPy symbol per weight and bias, keyed and shaped like `MLP.params` (biases as 1-row matrices).

    Indices are 1-based: `W{l}[j-1, k-1]` is `w^{(l)}_{jk}`, the weight from unit `j` of layer
    `l-1` to unit `k` of layer `l` (with a comma when an index exceeds 9), and `b{l}[k-1]` is
    `b^{(l)}_{k}`.  A network with one unit per layer writes `w^{(l)}` and `b^{(l)}`, as the book
    does for its 1-1-1 example.

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
    >>> parameter_symbols([1, 1, 1])["W2"]
    Matrix([[w^{(2)}]])
    """
    sizes = list(sizes)
    single = all(s == 1 for s in sizes)
    out: dict[str, sp.Matrix] = {}
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), 1):
        if single:
            out[f"W{l}"] = sp.Matrix([[sp.Symbol(f"w^{{({l})}}")]])
            out[f"b{l}"] = sp.Matrix([[sp.Symbol(f"b^{{({l})}}")]])
            continue
        out[f"W{l}"] = sp.Matrix(n_in, n_out, [sp.Symbol(f"w^{{({l})}}_{{{_index(j + 1, k + 1)}}}")
                                               for j in range(n_in) for k in range(n_out)])
        out[f"b{l}"] = sp.Matrix(1, n_out, [sp.Symbol(f"b^{{({l})}}_{{{k + 1}}}") for k in range(n_out)])
    return out


def _rows(net: MLP) -> list[SymbolicActivation]:
    return [_table_row(ACTIVATION_TABLE, act.name, "activation") for act in net.activations]


def _forward(net: MLP, X: sp.Matrix, P: dict[str, sp.Matrix], point: dict) -> tuple[list, list, list]:
    """Symbolic forward pass, one sample (row) at a time: `z[l][i]` and `a[l][i]` are lists of units."""
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
    """`loss = 1/N sum_i (loss of sample i)`; from the logits for the fused pairs, as the library does."""
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

    `symbols` are the parameters (see `parameter_symbols`), `point` their exact values, `loss`
    the scalar expression of the loss in those symbols, `gradients[key]` the matrix of the
    derivatives with respect to the parameters `key` (symbolic), `exact[key]` its exact value at
    `point`, `numeric[key]` its float value (the expression evaluated in 53-bit floating point at
    the float parameters), `library` the network's `gradients(X, Y)`.  `kinks` lists
    `(layer, sample, unit)` where a ReLU pre-activation is exactly 0.  `seconds` is the time taken.
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
    def what(self) -> str:
        return f"network {self.net!r}"

    @property
    def latex(self) -> str:
        return rf"\mathcal{{L}} = {sp.latex(self.loss)}"

    def _entry(self, key: str, index: tuple[int, ...]) -> tuple[int, int]:
        return index if key.startswith("W") else (0, index[-1])

    def gradient_latex(self, key: str, index: tuple[int, ...] = (0, 0), digits: int = 6) -> str:
        """`d loss/dp = expression = value` for one parameter entry, e.g. `("W1", (0, 1))` for w^{(1)}_{12}."""
        i = self._entry(key, index)
        sym, g = self.symbols[key][i], self.gradients[key][i]
        return (rf"\frac{{\partial \mathcal{{L}}}}{{\partial {sp.latex(sym)}}} = {sp.latex(g)}"
                rf" = {sp.latex(sp.N(self.exact[key][i], digits))}")

    def gradient_text(self, key: str, index: tuple[int, ...] = (0, 0)) -> str:
        """`dL/dp = exact value = float` for one parameter entry, in plain text.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> net = bp.MLP([1, 1], output="identity", loss="mse")
        >>> net.params.update(W1=np.array([[0.5]]), b1=np.array([0.0]))
        >>> derive_network(net, [[2.0]], [[3.0]]).gradient_text("b1")
        'dL/db^(1) = -2 = -2'
        """
        i = self._entry(key, index)
        value = self.exact[key][i]
        return f"dL/d{plain(str(self.symbols[key][i]))} = {value} = {float(sp.N(value, 30)):.6g}"

    @property
    def text(self) -> str:
        return f"{sum(len(M) for M in self.symbols.values())} gradients, " + self.gradient_text(list(self.symbols)[-1])

    def rows(self) -> list[tuple[sp.Symbol, float, float]]:
        """One `(symbol, derived, library)` row per parameter, in `params` order, for tables on pages."""
        return [(s, float(sp.N(e, 30)), float(lib))
                for key in self.symbols
                for s, e, lib in zip(self.symbols[key], self.exact[key], self.library[key].ravel(), strict=True)]

    def _exact_values(self) -> dict[str, np.ndarray]:
        return {k: _as_array(self.exact[k], self.library[k].shape) for k in self.exact}

    @property
    def max_error(self) -> float:
        """Largest `|library - derived|` over all entries, divided by the largest `|derived|` entry."""
        exact_values = self._exact_values()
        scale = max(float(np.abs(v).max()) for v in exact_values.values()) or 1.0
        return max(float(np.abs(self.library[k] - v).max()) for k, v in exact_values.items()) / scale

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The library's gradients and loss, the float evaluation, and centred differences of the library's loss.

        All against the exact values (to 30 digits), relative to the network's largest gradient
        entry.  `rng` is not used: the network and the data are given.  No finite differences where
        a ReLU sits exactly at its kink (they would straddle it, and no derivative exists there).
        """
        keys = list(self.symbols)
        want = np.concatenate([v.ravel() for v in self._exact_values().values()])
        names = [f"dL/d{plain(str(s))}" for key in keys for s in self.symbols[key]]

        def where(idx):
            return names[idx[0]]

        out = [
            compare("gradients", "library", np.concatenate([self.library[k].ravel() for k in keys]), want,
                    LIBRARY_TOLERANCE, where),
            compare("gradients evaluated in floating point", "library",
                    np.concatenate([self.numeric[k].ravel() for k in keys]), want, LIBRARY_TOLERANCE, where),
            compare("loss", "library", self.library_loss, float(sp.N(self.loss.xreplace(self.point), 30)),
                    LIBRARY_TOLERANCE),
        ]
        if not self.kinks:
            out.append(compare("gradients", "finite differences", self._finite_differences(keys), want,
                               FD_TOLERANCE, where))
        return out

    def _finite_differences(self, keys: list[str]) -> np.ndarray:
        """Centred differences of the library's loss at the derivation's parameters (not the network's
        current ones, which training may have moved since), on a copy of the network."""
        X, Y = np.array(self.X, dtype=float), np.array(self.Y, dtype=float)
        params = {k: np.array([float(v) for v in self.symbols[k].xreplace(self.point)], dtype=self.net.dtype)
                  .reshape(self.library[k].shape) for k in keys}
        probe = copy.copy(self.net)
        probe.params = dict(params)

        def loss(flat: np.ndarray) -> float:
            start = 0
            for k in keys:
                n = params[k].size
                probe.params[k] = flat[start:start + n].reshape(params[k].shape)
                start += n
            return probe.loss(X, Y)

        return centred_differences(loss, np.concatenate([params[k].ravel() for k in keys]))

    def check(self, rtol: float = RTOL) -> None:
        """Raise `AssertionError` unless library, exact, float-evaluated and finite-difference gradients agree.

        Tolerance: `|library - derived| <= rtol * max |derived|` (relative to the network's largest
        gradient entry; `rtol = 1e-12`), for the library's values and for the floating-point
        evaluation of the expressions; the loss value to `rtol` relative to itself; finite
        differences to `FD_TOLERANCE`.
        """
        problems = [str(c) for c in self.compare()
                    if (c.error > rtol if c.against == "library" else not c.ok)]
        fail_if(problems, self.what)


def derive_network(net: MLP, X: object, Y: object) -> NetworkDerivation:
    """Write the loss of `net` on `(X, Y)` in SymPy and differentiate it with respect to every parameter.

    Meant for small networks (up to about 60 parameters) and a few samples.  The inputs, targets
    and parameters are read as exact decimals (see `exact`).

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    >>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    >>> d = derive_network(net, [[0.5]], [[0.6]])
    >>> d.loss
    (b^{(2)} + w^{(2)}/(exp(-b^{(1)} - w^{(1)}/2) + 1) - 3/5)**2/2
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


# ---------------------------------------------------------------------------------------------- worked examples
def worked_example(name: str) -> tuple[MLP, np.ndarray, np.ndarray]:
    """The network, input and target of a worked example of the book: `"1-1-1"` or `"3-2-1"`.

    1-1-1: sigmoid hidden unit, identity output, half squared error, x = 0.5, y = 0.6,
    w^(1) = 0.4, b^(1) = 0.1, w^(2) = 0.3, b^(2) = 0.2.  3-2-1: two ReLU hidden units, a sigmoid
    output and binary cross-entropy, x = (1, 0.5, -1.5), y = 1 (its weights as on its page).

    Examples
    --------
    >>> net, X, Y = worked_example("3-2-1")
    >>> net.sizes, X.tolist(), Y.tolist()
    ([3, 2, 1], [[1.0, 0.5, -1.5]], [[1.0]])
    """
    if name == "1-1-1":
        net = MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
        net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
        return net, np.array([[0.5]]), np.array([[0.6]])
    if name == "3-2-1":
        net = MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
        W1_col = np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]])  # one row per hidden unit: W^(1) transposed
        net.params.update(W1=W1_col.T.copy(), b1=np.array([0.1, -0.2]), W2=np.array([[0.5], [-1.0]]),
                          b2=np.array([0.2]))
        return net, np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])
    raise ValueError(f"unknown worked example {name!r}; valid: 1-1-1, 3-2-1")


# ---------------------------------------------------------------------------------------------- chain rule
@dataclass
class ChainFactor:
    """One factor of a chain rule: its LaTeX `label` (a partial derivative), `expr` and exact `value`."""

    label: str
    expr: sp.Expr
    value: sp.Expr


@dataclass
class ChainRule(Derivation):
    """The derivative of the loss with respect to one parameter of a network with one unit per layer,
    written as the product of its chain-rule factors.

    `factors` run from the loss back to the parameter; `product` is their product at the point,
    `direct` the derivative of the whole loss expression (from `derive_network`), `library` the
    network's value.
    """

    parameter: sp.Symbol
    factors: list[ChainFactor]
    product: sp.Expr
    direct: sp.Expr
    library: float

    @property
    def what(self) -> str:
        return "chain rule"

    @property
    def latex(self) -> str:
        head = rf"\frac{{\partial \mathcal{{L}}}}{{\partial {sp.latex(self.parameter)}}}"
        labels = r"\,".join(f.label for f in self.factors)
        exprs = r"\cdot ".join(rf"\left({sp.latex(f.expr)}\right)" for f in self.factors)
        values = r"\cdot ".join(rf"\left({float(sp.N(f.value, 20)):.6g}\right)" for f in self.factors)
        return rf"{head} = {labels} = {exprs} = {values} = {float(sp.N(self.product, 20)):.6g}"

    @property
    def text(self) -> str:
        exprs = " * ".join(f"({f.expr})" for f in self.factors if f.expr != 1)
        return f"dL/d{plain(str(self.parameter))} = {plain(exprs)} = {float(sp.N(self.product, 30)):.6g}"

    def proofs(self) -> list[str]:
        product, direct = sp.N(self.product, 40), sp.N(self.direct, 40)
        if abs(product - direct) > sp.Float("1e-30", 40) * max(1, abs(direct)):
            return [f"product of factors {product} != derivative of the loss {direct}"]
        return []

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The library's derivative against the derived one (`rng` is not used)."""
        return [compare(f"dL/d{plain(str(self.parameter))}", "library", self.library, float(sp.N(self.direct, 30)),
                        RTOL)]


def chain_rule(net: MLP, X: object, Y: object, key: str) -> ChainRule:
    """Show the derivative of the loss with respect to the parameter `key` ("W1", "b2", ...) as chain-rule factors.

    For networks with one unit per layer and one sample (e.g. the 1-1-1 worked example).  Each
    factor is the derivative of one relation of the forward pass (`loss(yhat)`, `a = f(z)`,
    `z = w a + b`), derived with `sympy.diff` and evaluated at the forward pass.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    >>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    >>> c = chain_rule(net, [[0.5]], [[0.6]], "W1")
    >>> [f.expr for f in c.factors]
    [-y + yhat, 1, w^{(2)}, a^{(1)}*(1 - a^{(1)}), x]
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
    factors = [ChainFactor(r"\frac{\partial \mathcal{L}}{\partial \hat{y}}", sp.diff(entry, acts[L]), None)]
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
    """`da/dz` of layer `l`: `diff(f(z), z)`, written with `a` when `f` is invertible."""
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
