"""Activations and losses derived with SymPy, and proved equal to the library's formulas and code.

Each activation and loss of the library has a row in :data:`ACTIVATION_TABLE` or
:data:`LOSS_TABLE`: its definition written in SymPy, and the library's
derivative formula transcribed from its docstring.  A derivation differentiates
the definition with :func:`sympy.diff`, proves the result equal to the formula
(their difference reduces to 0) and compares it with the library's NumPy code
at many points.

Examples
--------
>>> d = derive_activation("sigmoid")
>>> d.derivative
exp(-z)/(1 + exp(-z))**2
>>> d.in_terms_of_a
a*(1 - a)
>>> d.check()
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from ..activations import DERIVATIVES, Activation, get_activation
from ..losses import Loss, get_loss
from ..network import MLP
from ._base import Derivation, fail_if, is_zero, mismatches

z = sp.Symbol("z")
"""The pre-activation of one unit."""
a = sp.Symbol("a")
"""The activation ``a = f(z)`` of one unit."""
yhat, y = sp.symbols("yhat y")
"""A prediction and its target (``yhat`` prints as \\hat{y})."""

_RTOL, _ATOL = 1e-10, 1e-14  # NumPy vs lambdified SymPy, both float64, on |z| <= 10
_POINTS = np.linspace(-10.0, 10.0, 401)


def _sigmoid(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


def _softmax(zs: list[sp.Expr]) -> list[sp.Expr]:
    total = sum(sp.exp(zi) for zi in zs)
    return [sp.exp(zi) / total for zi in zs]


@dataclass(frozen=True)
class SymbolicActivation:
    """One row of :data:`ACTIVATION_TABLE`: an activation written in SymPy.

    ``function(z)`` is the activation of one unit (``None`` for softmax, which
    acts on a whole row through ``vector``).  ``formula(z)`` is the library's
    derivative as its docstring states it (for softmax ``formula(s, i, j)`` is
    the Jacobian entry).  ``inverse(a)`` gives ``z`` from ``a = f(z)`` so that
    ``f'`` can be written in terms of ``a``.  ``kinks`` are the points where
    ``f`` is not differentiable and ``branches`` its pieces left and right of
    the kink.
    """

    symbol: str
    function: Callable[[sp.Expr], sp.Expr] | None
    formula: Callable[..., sp.Expr]
    inverse: Callable[[sp.Expr], sp.Expr] | None = None
    kinks: tuple[int, ...] = ()
    branches: tuple[Callable[[sp.Expr], sp.Expr], Callable[[sp.Expr], sp.Expr]] | None = None
    vector: Callable[[list[sp.Expr]], list[sp.Expr]] | None = None

    def row(self, zs: list[sp.Expr]) -> list[sp.Expr]:
        """The activations of one sample's row of pre-activations."""
        return self.vector(zs) if self.vector is not None else [self.function(zi) for zi in zs]

    def near(self, expr: sp.Expr, value: sp.Expr) -> sp.Expr:
        """An expression equal to ``f(expr)`` near the point where ``expr == value``.

        For a kinked function it is the branch active there, which SymPy
        differentiates and evaluates quickly; exactly at the kink it is the left
        branch, whose derivative (0 for ReLU) is the library's convention.
        """
        if self.branches is None:
            return self.function(expr)
        left, right = self.branches
        return right(expr) if value > self.kinks[0] else left(expr)


ACTIVATION_TABLE: dict[str, SymbolicActivation] = {
    "identity": SymbolicActivation(r"\operatorname{id}", lambda x: x, lambda x: sp.Integer(1), lambda v: v),
    "sigmoid": SymbolicActivation(r"\sigma", _sigmoid, lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
                                  lambda v: sp.log(v / (1 - v))),
    "tanh": SymbolicActivation(r"\tanh", sp.tanh, lambda x: 1 - sp.tanh(x) ** 2, sp.atanh),
    "relu": SymbolicActivation(r"\operatorname{relu}", lambda x: sp.Max(0, x), lambda x: sp.Heaviside(x, 0),
                               kinks=(0,), branches=(lambda x: sp.Integer(0), lambda x: x)),
    "softmax": SymbolicActivation(r"\operatorname{softmax}", None,
                                  lambda s, i, j: s[i] * (sp.KroneckerDelta(i, j) - s[j]), vector=_softmax),
}
"""Activation name -> its SymPy definition and the library's derivative formula.

Every name in :data:`backprop.ACTIVATIONS` needs a row here (a test enforces it)."""


@dataclass(frozen=True)
class SymbolicLoss:
    """One row of :data:`LOSS_TABLE`.

    Every library loss is a sum of one term per output entry,
    ``L = 1/n sum_i sum_k entry(yhat_ik, y_ik)``; ``formula`` is the library's
    ``dL/dyhat`` per entry before the ``1/n``, as its docstring states it.
    """

    entry: Callable[[sp.Expr, sp.Expr], sp.Expr]
    formula: Callable[[sp.Expr, sp.Expr], sp.Expr]


LOSS_TABLE: dict[str, SymbolicLoss] = {
    "mse": SymbolicLoss(lambda p, t: (p - t) ** 2 / 2, lambda p, t: p - t),
    "bce": SymbolicLoss(lambda p, t: -(t * sp.log(p) + (1 - t) * sp.log(1 - p)),
                        lambda p, t: (p - t) / (p * (1 - p))),
    "cross_entropy": SymbolicLoss(lambda p, t: -t * sp.log(p), lambda p, t: -t / p),
}
"""Loss name -> its SymPy definition and the library's gradient formula.

Every name in :data:`backprop.LOSSES` needs a row here (a test enforces it)."""


FROM_LOGITS_TABLE: dict[tuple[str, str], Callable[[list[sp.Expr], list[sp.Expr]], sp.Expr]] = {
    ("sigmoid", "bce"): lambda zs, ys: sum(sp.log(1 + sp.exp(zk)) - yk * zk for zk, yk in zip(zs, ys, strict=True)),
    ("softmax", "cross_entropy"): lambda zs, ys: -sum(yk * (zk - sp.log(sum(sp.exp(zj) for zj in zs)))
                                                      for zk, yk in zip(zs, ys, strict=True)),
}
"""(output, loss) -> one sample's loss written from the logits, as the library computes fused pairs
(:data:`backprop.FUSED`).  Same values as the loss of ``f(z)``, and much smaller derivatives."""


def _table_row(table: dict, name: str, what: str):
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"no derivation for {what} {name!r}: add a row to backprop.symbolic.{what.upper()}_TABLE")\
            from None


# ---------------------------------------------------------------------------------------------- activations
@dataclass
class ActivationDerivation(Derivation):
    """The derivative of an elementwise activation, derived and compared with the library.

    ``derivative`` is ``sympy.diff(function, z)``; ``formula`` the library's
    formula; ``in_terms_of_a`` the derivative written with ``a = f(z)`` (None
    when ``f`` has no inverse); ``one_sided`` maps each kink to its left and
    right derivatives.  ``library`` is the NumPy derivative under test and
    ``activation`` the :class:`~backprop.Activation` whose ``backward`` the
    network uses.
    """

    name: str
    symbol: str
    function: sp.Expr
    derivative: sp.Expr
    formula: sp.Expr
    in_terms_of_a: sp.Expr | None
    one_sided: dict[int, tuple[sp.Expr, sp.Expr]]
    library: Callable[[np.ndarray], np.ndarray] | None
    activation: Activation

    @property
    def latex(self) -> str:
        f = self.symbol
        parts = [rf"{f}(z) = {sp.latex(self.function)}", rf"{f}'(z) = {sp.latex(self.derivative)}"]
        if self.in_terms_of_a is not None and self.in_terms_of_a.subs(a, self.function) != self.derivative:
            fz = sp.Symbol(rf"{f}(z)")
            parts[-1] += " = " + sp.latex(self.in_terms_of_a.subs(a, fz))
        for k, (left, right) in self.one_sided.items():
            sides = rf"\begin{{cases}} {sp.latex(right)} & z > {k} \\ {sp.latex(left)} & z < {k} \end{{cases}}"
            parts[-1] = rf"{f}'(z) = {sides}"
            parts.append(rf"\text{{at }} z = {k}\text{{: one-sided }} {sp.latex(left)},\ {sp.latex(right)};"
                         rf"\ \text{{library }} {sp.latex(self.formula.subs(z, k))}")
        return r",\quad ".join(parts)

    def proofs(self) -> list[str]:
        """Where the derivative and the formula are not proved equal (empty: proved everywhere)."""
        if not self.one_sided:
            difference = self.derivative - self.formula
            return [] if is_zero(difference) else [f"f'(z) - formula = {difference}"]
        problems = []
        t = sp.Symbol("t", positive=True)
        for k, (left, right) in self.one_sided.items():
            for side, zz in (("right", k + t), ("left", k - t)):
                if not is_zero((self.derivative - self.formula).subs(z, zz)):
                    problems.append(f"{side} of the kink at {k}: f'(z) differs from the formula")
            at = self.formula.subs(z, k)
            if not min(left, right) <= at <= max(left, right):
                problems.append(f"at the kink {k} the formula gives {at}, not between {left} and {right}")
        return problems

    def check(self) -> None:
        """Raise ``AssertionError`` unless the formula is proved and the library's code agrees at 401 points.

        Points: ``z`` from -10 to 10; kinks are compared with the formula's value
        there.  Tolerance: ``rtol=1e-10, atol=1e-14``.
        """
        problems = self.proofs()
        zs = _POINTS
        want = np.broadcast_to(sp.lambdify(z, self.derivative, "numpy")(zs), zs.shape).astype(float).copy()
        for k in self.one_sided:
            want[zs == k] = float(self.formula.subs(z, k))
        if self.library is not None:
            problems += mismatches(f"{self.name}'", self.library(zs), want, _RTOL, _ATOL, zs)
        g = np.linspace(-2.0, 2.0, zs.size)  # an upstream gradient dL/da
        backward = self.activation.backward(zs, self.activation(zs), g.copy())
        problems += mismatches(f"{self.name}.backward", backward, g * want, _RTOL, _ATOL, zs)
        fail_if(problems, f"activation {self.name!r}")

    def jacobian_in_a(self, outputs: list[sp.Symbol]) -> sp.Matrix:
        """``d a_i / d z_j`` for a row of units, written with their activations ``outputs``."""
        if self.in_terms_of_a is None:
            raise ValueError(f"{self.name}'s derivative cannot be written in terms of its output")
        return sp.diag(*[self.in_terms_of_a.subs(a, ai) for ai in outputs])


@dataclass
class JacobianDerivation(Derivation):
    """Softmax's full Jacobian ``J[i, j] = d s_i / d z_j``, derived and compared with the library.

    ``zs`` are the logits, ``jacobian`` the derived matrix (in ``z``),
    ``formula`` the library's ``s_i (delta_ij - s_j)`` in ``z`` and
    ``in_terms_of_s`` the same written with the outputs ``s``.
    """

    name: str
    zs: list[sp.Symbol]
    outputs: list[sp.Expr]
    jacobian: sp.Matrix
    formula: sp.Matrix
    in_terms_of_s: sp.Matrix
    library: Callable[[np.ndarray], np.ndarray] | None
    activation: Activation

    @property
    def latex(self) -> str:
        return (rf"s_i = \frac{{e^{{z_i}}}}{{\sum_k e^{{z_k}}}},\quad \frac{{\partial s_i}}{{\partial z_j}}"
                rf" = s_i\,(\delta_{{ij}} - s_j),\quad J = {sp.latex(self.in_terms_of_s)}")

    def proofs(self) -> list[str]:
        diff = self.jacobian - self.formula
        return [f"J[{i},{j}] differs from the formula" for i in range(diff.rows) for j in range(diff.cols)
                if not is_zero(diff[i, j])]

    def check(self) -> None:
        """Raise ``AssertionError`` unless the formula is proved and the library agrees on 50 random rows.

        Compares ``softmax_jacobian`` and the network's ``backward`` (a
        vector-Jacobian product) at ``rtol=1e-10, atol=1e-14``.
        """
        problems = self.proofs()
        rows = np.random.default_rng(0).normal(scale=3.0, size=(50, len(self.zs)))
        J = sp.lambdify(self.zs, self.jacobian, "numpy")
        want = np.array([J(*r) for r in rows], dtype=float)
        if self.library is not None:
            problems += mismatches("softmax Jacobian", self.library(rows), want, _RTOL, _ATOL)
        g = np.random.default_rng(1).normal(size=rows.shape)
        backward = self.activation.backward(rows, self.activation(rows), g.copy())
        problems += mismatches("softmax.backward", backward, np.einsum("ni,nij->nj", g, want), _RTOL, _ATOL)
        fail_if(problems, "activation 'softmax'")

    def jacobian_in_a(self, outputs: list[sp.Symbol]) -> sp.Matrix:
        """``d a_i / d z_j`` written with the outputs ``outputs``."""
        return self.in_terms_of_s.subs(dict(zip(_s_symbols(len(outputs)), outputs, strict=True)))


def _s_symbols(k: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"s_1:{k + 1}"))


def derive_activation(spec: str | Activation, k: int = 3) -> ActivationDerivation | JacobianDerivation:
    """Differentiate an activation with SymPy; ``check()`` compares the library with the result.

    ``spec`` is a name of :data:`backprop.ACTIVATIONS` (the library's derivative
    comes from :data:`backprop.DERIVATIVES`) or an :class:`~backprop.Activation`
    whose ``name`` has a row in :data:`ACTIVATION_TABLE` (its own
    ``derivative`` and ``backward`` are checked: that is how a wrong derivative
    is caught).  Softmax gives its ``k``-by-``k`` Jacobian.

    Examples
    --------
    >>> sigma = sp.Function("sigma")
    >>> derive_activation("sigmoid").in_terms_of_a.subs(a, sigma(z))   # derived, then written with a = sigma(z)
    (1 - sigma(z))*sigma(z)
    >>> derive_activation("tanh").derivative
    1 - tanh(z)**2
    >>> relu = derive_activation("relu")
    >>> relu.derivative, relu.one_sided
    (Heaviside(z), {0: (0, 1)})
    >>> relu.check()                      # library: 0 at the kink, a value between the one-sided 0 and 1
    >>> derive_activation("softmax", k=2).in_terms_of_s
    Matrix([
    [s_1*(1 - s_1),      -s_1*s_2],
    [     -s_1*s_2, s_2*(1 - s_2)]])
    """
    name = spec if isinstance(spec, str) else spec.name
    row = _table_row(ACTIVATION_TABLE, name, "activation")
    activation = get_activation(spec)
    library = DERIVATIVES.get(name) if isinstance(spec, str) else spec.derivative
    if row.vector is not None:
        return _derive_vector(name, row, k, library, activation)
    f = row.function(z)
    derivative = sp.diff(f, z)
    in_a = None if row.inverse is None else sp.simplify(derivative.subs(z, row.inverse(a)))
    one_sided = {}
    h = sp.Symbol("h", positive=True)
    for k0 in row.kinks:
        left = sp.limit((f.subs(z, k0 - h) - f.subs(z, k0)) / (-h), h, 0)
        right = sp.limit((f.subs(z, k0 + h) - f.subs(z, k0)) / h, h, 0)
        one_sided[k0] = (left, right)
    return ActivationDerivation(name, row.symbol, f, derivative, row.formula(z), in_a, one_sided,
                                library, activation)


def _derive_vector(name: str, row: SymbolicActivation, k: int, library, activation) -> JacobianDerivation:
    zs = list(sp.symbols(f"z_1:{k + 1}"))
    out = row.row(zs)
    jacobian = sp.Matrix(k, k, lambda i, j: sp.diff(out[i], zs[j]))
    formula = sp.Matrix(k, k, lambda i, j: row.formula(out, i, j))
    in_s = sp.Matrix(k, k, lambda i, j: row.formula(_s_symbols(k), i, j))
    return JacobianDerivation(name, zs, out, jacobian, formula, in_s, library, activation)


# ---------------------------------------------------------------------------------------------- losses
@dataclass
class LossDerivation(Derivation):
    """A loss's derivative with respect to one prediction, derived and compared with the library.

    ``entry`` is the loss term of one output entry, ``derivative`` its
    ``sympy.diff`` with respect to ``yhat``, ``formula`` the library's formula;
    the library's ``gradient`` divides by the number of samples ``n``.
    """

    name: str
    entry: sp.Expr
    derivative: sp.Expr
    formula: sp.Expr
    loss: Loss

    @property
    def latex(self) -> str:
        return (rf"L = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}}\sum_k \ell(\hat{{y}}_{{ik}}, y_{{ik}}),\quad "
                rf"\ell(\hat{{y}}, y) = {sp.latex(self.entry)},\quad "
                rf"\frac{{\partial \ell}}{{\partial \hat{{y}}}} = {sp.latex(self.derivative)}"
                + ("" if self.derivative == self.formula else rf" = {sp.latex(self.formula)}"))

    def check(self) -> None:
        """Raise ``AssertionError`` unless the formula is proved and the library's value and gradient agree.

        Compared on 4 samples of 3 outputs (predictions in (0.05, 0.95),
        targets rows of a distribution) at ``rtol=1e-10, atol=1e-14``; the
        library's gradient must equal the derivative divided by ``n = 4``.
        """
        problems = [] if is_zero(self.derivative - self.formula) else ["dl/dyhat differs from the formula"]
        rng = np.random.default_rng(0)
        P = rng.uniform(0.05, 0.95, size=(4, 3))
        Y = rng.uniform(0.0, 1.0, size=(4, 3))
        Y /= Y.sum(axis=1, keepdims=True)
        n = len(Y)
        value = float(np.sum(sp.lambdify((yhat, y), self.entry, "numpy")(P, Y))) / n
        grad = np.broadcast_to(sp.lambdify((yhat, y), self.derivative, "numpy")(P, Y), P.shape) / n
        problems += mismatches(f"{self.name} value", np.array([self.loss.value(P, Y)]), np.array([value]),
                               _RTOL, _ATOL)
        problems += mismatches(f"{self.name} gradient", self.loss.gradient(P, Y), grad, _RTOL, _ATOL)
        fail_if(problems, f"loss {self.name!r}")


def derive_loss(spec: str | Loss) -> LossDerivation:
    """Differentiate a loss with respect to the prediction; ``check()`` compares the library.

    ``spec`` is a name of :data:`backprop.LOSSES` or a :class:`~backprop.Loss`
    whose name has a row in :data:`LOSS_TABLE` (its own value and gradient are
    then the ones checked).

    Examples
    --------
    >>> d = derive_loss("bce")
    >>> d.derivative
    -y/yhat + (1 - y)/(1 - yhat)
    >>> d.formula
    (-y + yhat)/(yhat*(1 - yhat))
    >>> d.check()
    """
    name = spec if isinstance(spec, str) else spec.name
    row = _table_row(LOSS_TABLE, name, "loss")
    entry = row.entry(yhat, y)
    return LossDerivation(name, entry, sp.diff(entry, yhat), row.formula(yhat, y), get_loss(spec))


# ---------------------------------------------------------------------------------------------- fused deltas
@dataclass
class FusedDelta(Derivation):
    """The output delta ``dL/dz`` of a fused (output activation, loss) pair, derived two ways.

    In terms of the predictions: the chain rule ``sum_i dL/dyhat_i * dyhat_i/dz_j``
    (``chain``) simplifies to ``yhat_j - y_j`` (``delta``).  Directly in the
    logits: ``sympy.diff`` of the loss of ``f(z)`` (``delta_z``) equals
    ``f(z)_j - y_j``, and so does the derivative of ``from_logits``, the
    loss as the library computes it for the pair.  For softmax these use that
    a target row sums to 1 (``constraint``).  Per sample, before the library's
    ``1/n``.
    """

    output: str
    loss: str
    zs: list[sp.Symbol]
    yhats: list[sp.Symbol]
    ys: list[sp.Symbol]
    chain: list[sp.Expr]
    delta: list[sp.Expr]
    delta_z: list[sp.Expr]
    outputs_z: list[sp.Expr]
    loss_z: sp.Expr
    dL_dyhat: list[sp.Expr]
    dyhat_dz: sp.Matrix
    from_logits: sp.Expr
    constraint: dict = field(default_factory=dict)

    def _chain_latex(self, j: int) -> str:
        return " + ".join(rf"\left({sp.latex(self.dL_dyhat[i])}\right)\left({sp.latex(self.dyhat_dz[i, j])}\right)"
                          for i in range(len(self.zs)) if self.dyhat_dz[i, j] != 0)

    @property
    def latex(self) -> str:
        if len(self.zs) == 1:
            return (r"\frac{\partial L}{\partial z} = \frac{\partial L}{\partial \hat{y}}\,"
                    rf"\frac{{\partial \hat{{y}}}}{{\partial z}} = {self._chain_latex(0)} = {sp.latex(self.delta[0])}")
        k = len(self.zs)
        return (r"\frac{\partial L}{\partial z_1} = \sum_i \frac{\partial L}{\partial \hat{y}_i}\,"
                rf"\frac{{\partial \hat{{y}}_i}}{{\partial z_1}} = {self._chain_latex(0)} = {sp.latex(self.delta[0])}"
                rf"\quad\left(k = {k},\ y_{{{k}}} = {sp.latex(self.constraint[self.ys[-1]])}\right)")

    def proofs(self) -> list[str]:
        problems = []
        for j in range(len(self.zs)):
            if not is_zero((self.delta[j] - (self.yhats[j] - self.ys[j])).subs(self.constraint)):
                problems.append(f"chain rule: delta_{j + 1} is not yhat - y")
            if not is_zero((self.delta_z[j] - (self.outputs_z[j] - self.ys[j])).subs(self.constraint)):
                problems.append(f"in the logits: dL/dz_{j + 1} is not f(z) - y")
            if not is_zero((sp.diff(self.from_logits, self.zs[j]) - self.delta_z[j]).subs(self.constraint)):
                problems.append(f"the loss from the logits has another dL/dz_{j + 1}")
        return problems

    def check(self) -> None:
        """Raise ``AssertionError`` unless both derivations reduce to ``yhat - y`` and the network's delta agrees.

        The library side is ``MLP([k, k]).deltas`` with ``W = I``, ``b = 0`` (so
        the logits are the inputs) on 5 random samples, times ``n = 5``;
        ``rtol=1e-10, atol=1e-14``.
        """
        problems = self.proofs()
        k, n = len(self.zs), 5
        rng = np.random.default_rng(0)
        Z = rng.normal(scale=3.0, size=(n, k))
        Y = rng.uniform(size=(n, k))
        Y = Y / Y.sum(axis=1, keepdims=True) if k > 1 else Y
        net = MLP([k, k], output=self.output, loss=self.loss)
        net.params.update(W1=np.eye(k), b1=np.zeros(k))
        library = net.deltas(Z, Y)[-1] * n
        f = sp.lambdify([self.zs, self.ys], self.delta_z, "numpy")
        want = np.array([f(zr, yr) for zr, yr in zip(Z, Y, strict=True)], dtype=float)
        problems += mismatches("delta(L) * n", library, want, _RTOL, _ATOL)
        value = sp.lambdify([self.zs, self.ys], self.from_logits, "numpy")
        composed = sp.lambdify([self.zs, self.ys], self.loss_z, "numpy")
        problems += mismatches("loss from logits", np.array([value(zr, yr) for zr, yr in zip(Z, Y, strict=True)]),
                               np.array([composed(zr, yr) for zr, yr in zip(Z, Y, strict=True)]), _RTOL, _ATOL)
        problems += mismatches("library loss", np.array([net.loss(Z, Y)]),
                               np.array([np.mean([value(zr, yr) for zr, yr in zip(Z, Y, strict=True)])]),
                               _RTOL, _ATOL)
        fail_if(problems, f"fused {self.output} + {self.loss}")


def _eliminate_other(ys: list[sp.Symbol], j: int) -> dict:
    """``sum y = 1`` solved for a target other than ``y_j``, so a result in ``y_j`` keeps its ``y_j``."""
    m = len(ys) - 1 if j != len(ys) - 1 else 0
    return {ys[m]: 1 - sum(t for i, t in enumerate(ys) if i != m)}


def derive_fused_delta(output: str, loss: str, k: int | None = None) -> FusedDelta:
    """Derive the output delta of an output activation followed by a loss (per sample, before ``1/n``).

    ``k`` (outputs) defaults to 1 for an elementwise activation and 3 for softmax.

    Examples
    --------
    >>> d = derive_fused_delta("sigmoid", "bce")
    >>> d.chain[0], d.delta[0]
    ((yhat*(1 - yhat))*(-y/yhat + (1 - y)/(1 - yhat)), -y + yhat)
    >>> print(derive_fused_delta("softmax", "cross_entropy").delta)
    [-y_1 + yhat_1, -y_2 + yhat_2, -y_3 + yhat_3]
    >>> d.check()
    """
    act = derive_activation(output, k=k or 3)
    row = _table_row(LOSS_TABLE, loss, "loss")
    k = k or (3 if isinstance(act, JacobianDerivation) else 1)
    zs = list(sp.symbols(f"z_1:{k + 1}")) if k > 1 else [z]
    yhats = list(sp.symbols(f"yhat_1:{k + 1}")) if k > 1 else [yhat]
    ys = list(sp.symbols(f"y_1:{k + 1}")) if k > 1 else [y]
    constraint = {ys[-1]: 1 - sum(ys[:-1])} if isinstance(act, JacobianDerivation) else {}
    sample_loss = sum(row.entry(p, t) for p, t in zip(yhats, ys, strict=True))
    dL_dyhat = [sp.diff(sample_loss, p) for p in yhats]
    J = act.jacobian_in_a(yhats)
    chain = [sp.Add(*[sp.Mul(dL_dyhat[i], J[i, j], evaluate=False) for i in range(k) if J[i, j] != 0])
             for j in range(k)]
    delta = [sp.expand(sp.simplify(c.subs(_eliminate_other(ys, j) if constraint else {})))
             for j, c in enumerate(chain)]
    outputs_z = ACTIVATION_TABLE[output].row(zs)
    loss_z = sample_loss.subs(dict(zip(yhats, outputs_z, strict=True)))
    delta_z = [sp.diff(loss_z, zj) for zj in zs]
    return FusedDelta(output, loss, zs, yhats, ys, chain, delta, delta_z, outputs_z, loss_z, dL_dyhat, J,
                      FROM_LOGITS_TABLE[(output, loss)](zs, ys), constraint)
