"""Activations and losses derived with SymPy, and proved equal to the library's formulas and code.

Each activation and loss of the library has a row in `ACTIVATION_TABLE` or `LOSS_TABLE`: its
definition written in SymPy, and the library's derivative formula transcribed from its docstring.
A derivation differentiates the definition with `sympy.diff`, proves the result equal to the
formula (their difference reduces to 0), and `compare()` sets the result against the library's
NumPy code and against finite differences of the library's values.

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

import backprop
from backprop import activations as _library_activations
from backprop.activations import Activation
from backprop.losses import Loss
from backprop.network import MLP
from backprop.symbolic._base import (
    FD_STEP,
    FD_TOLERANCE,
    LIBRARY_TOLERANCE,
    Comparison,
    Derivation,
    centred_differences,
    compare,
    is_zero,
)

z = sp.Symbol("z")
"""The pre-activation of one unit."""
a = sp.Symbol("a")
"""The activation `a = f(z)` of one unit."""
yhat, y = sp.symbols("yhat y")
"""A prediction and its target (`yhat` prints as \\hat{y})."""

_GRID = np.linspace(-10.0, 10.0, 401)  # the fixed points of check(): z = 0 (ReLU's kink) included


def _sigmoid(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


def _softmax(zs: list[sp.Expr]) -> list[sp.Expr]:
    total = sum(sp.exp(zi) for zi in zs)
    return [sp.exp(zi) / total for zi in zs]


@dataclass(frozen=True)
class SymbolicActivation:
    """One row of `ACTIVATION_TABLE`: an activation written in SymPy.

    `function(z)` is the activation of one unit (`None` for softmax, which acts on a whole row
    through `vector`).  `formula(z)` is the library's derivative as its docstring states it (for
    softmax `formula(a, k, k2)` is the Jacobian entry `da_k/dz_k2` written with the outputs `a`).
    `inverse(a)` gives `z` from `a = f(z)` so that `f'` can be written in terms of `a`.  `kinks`
    are the points where `f` is not differentiable and `branches` its pieces left and right of the
    kink.  `jacobian` names the library function that returns a vector activation's Jacobian.
    """

    symbol: str
    function: Callable[[sp.Expr], sp.Expr] | None
    formula: Callable[..., sp.Expr]
    inverse: Callable[[sp.Expr], sp.Expr] | None = None
    kinks: tuple[int, ...] = ()
    branches: tuple[Callable[[sp.Expr], sp.Expr], Callable[[sp.Expr], sp.Expr]] | None = None
    vector: Callable[[list[sp.Expr]], list[sp.Expr]] | None = None
    jacobian: str | None = None

    def row(self, zs: list[sp.Expr]) -> list[sp.Expr]:
        """The activations of one sample's row of pre-activations."""
        return self.vector(zs) if self.vector is not None else [self.function(zi) for zi in zs]

    def near(self, expr: sp.Expr, value: sp.Expr) -> sp.Expr:
        """An expression equal to `f(expr)` near the point where `expr == value`.

        For a kinked function it is the branch active there, which SymPy differentiates and
        evaluates quickly; exactly at the kink it is the left branch, whose derivative (0 for ReLU)
        is the library's convention.
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
                                  lambda s, k, k2: s[k] * (sp.KroneckerDelta(k, k2) - s[k2]), vector=_softmax,
                                  jacobian="softmax_jacobian"),
}
"""Activation name -> its SymPy definition and the library's derivative formula.

Every name in `backprop.ACTIVATIONS` needs a row here (a test enforces it)."""


@dataclass(frozen=True)
class SymbolicLoss:
    """One row of `LOSS_TABLE`.

    Every library loss is a mean over the N samples of a sum of one term per output entry,
    `loss = (1/N) sum_i sum_k ell(yhat_ik, y_ik)`; `entry` is `ell` and `formula` the library's
    `d ell / d yhat` as its docstring states it (the library divides it by N).
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

Every name in `backprop.LOSSES` needs a row here (a test enforces it)."""


FROM_LOGITS_TABLE: dict[tuple[str, str], Callable[[list[sp.Expr], list[sp.Expr]], sp.Expr]] = {
    ("sigmoid", "bce"): lambda zs, ys: sum(sp.log(1 + sp.exp(zk)) - yk * zk for zk, yk in zip(zs, ys, strict=True)),
    ("softmax", "cross_entropy"): lambda zs, ys: -sum(yk * (zk - sp.log(sum(sp.exp(zj) for zj in zs)))
                                                      for zk, yk in zip(zs, ys, strict=True)),
}
"""(output, loss) -> one sample's loss written from the logits, as the library computes fused pairs
(`backprop.FUSED`).  Same values as the loss of `f(z)`, and much smaller derivatives."""


def _table_row(table: dict, name: str, what: str):
    try:
        return table[name]
    except KeyError:
        raise ValueError(f"no derivation for {what} {name!r}: add a row to backprop.symbolic.{what.upper()}_TABLE")\
            from None


def _lambdify(args, expr):
    """`expr` as a NumPy function of `args` whose result has the shape of the inputs (constants too)."""
    f = sp.lambdify(args, expr, "numpy")
    return lambda *xs: np.broadcast_to(np.asarray(f(*xs), dtype=float), np.broadcast(*xs).shape)


# ---------------------------------------------------------------------------------------------- activations
@dataclass
class ActivationDerivation(Derivation):
    """The derivative of an elementwise activation, derived and compared with the library.

    `derivative` is `sympy.diff(function, z)`; `formula` the library's formula; `in_terms_of_a`
    the derivative written with `a = f(z)` (None when `f` has no inverse); `one_sided` maps each
    kink to its left and right derivatives.  `library` is the NumPy derivative under test (None
    when the record has none) and `activation` the library record whose `backward` the network uses.
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
    def what(self) -> str:
        return f"activation {self.name!r}"

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

    @property
    def short_latex(self) -> str:
        """The derivative in one short formula (written with `a = f(z)` where that is simpler)."""
        f = self.symbol
        if self.one_sided:
            (k, (left, right)), = self.one_sided.items()
            return (rf"{f}'(z) = {sp.latex(left)} \text{{ for }} z < {k},\ {sp.latex(right)} \text{{ for }} z > {k}"
                    rf"\ (\text{{library: }} {sp.latex(self.formula.subs(z, k))} \text{{ at }} {k})")
        if self.in_terms_of_a is not None and self.in_terms_of_a.subs(a, self.function) != self.derivative:
            return rf"{f}'(z) = {sp.latex(self.in_terms_of_a)},\ a = {f}(z)"
        return rf"{f}'(z) = {sp.latex(self.derivative)}"

    @property
    def text(self) -> str:
        f = self.name
        if self.one_sided:
            (k, (left, right)), = self.one_sided.items()
            return f"{f}'(z) = {left} for z < {k}, {right} for z > {k} (library: {self.formula.subs(z, k)} at {k})"
        if self.in_terms_of_a is not None and self.in_terms_of_a.subs(a, self.function) != self.derivative:
            return f"{f}'(z) = {self.derivative} = {self.in_terms_of_a}, a = {f}(z)"
        return f"{f}'(z) = {self.derivative}"

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

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The library's derivative and `backward`, and centred differences of its function, against `f'`.

        Points: 400 draws of `z` uniform in [-8, 8] from `rng`, or without it the 401 points of
        [-10, 10] spaced 0.05 (a kink included: there the derived value is the library's formula).
        Finite differences skip points within 2h of a kink, where they straddle it.
        """
        zs = _GRID if rng is None else rng.uniform(-8.0, 8.0, 400)
        want = _lambdify(z, self.derivative)(zs).copy()
        at_kink = np.isin(zs, list(self.one_sided))
        for k in self.one_sided:
            want[zs == k] = float(self.formula.subs(z, k))

        def where(idx):
            return f"z = {zs[idx[0]]:.6g}"

        out = []
        if self.library is not None:
            out.append(compare(f"{self.name}'", "library", self.library(zs), want, LIBRARY_TOLERANCE, where))
        g = np.linspace(-2.0, 2.0, zs.size) if rng is None else rng.normal(size=zs.size)  # an upstream dL/da
        backward = self.activation.backward(zs, self.activation(zs), g.copy())
        out.append(compare(f"{self.name}.backward", "library", backward, g * want, LIBRARY_TOLERANCE, where))
        near_kink = np.zeros(zs.shape, dtype=bool)
        for k in self.one_sided:
            near_kink |= np.abs(zs - k) < 2 * FD_STEP
        smooth = zs[~near_kink & ~at_kink]
        fd = (self.activation(smooth + FD_STEP) - self.activation(smooth - FD_STEP)) / (2 * FD_STEP)
        out.append(compare(f"{self.name}", "finite differences", fd, want[~near_kink & ~at_kink], FD_TOLERANCE,
                           lambda idx: f"z = {smooth[idx[0]]:.6g}"))
        return out

    def jacobian_in_a(self, outputs: list[sp.Symbol]) -> sp.Matrix:
        """`d a_k / d z_k2` for a row of units, written with their activations `outputs`."""
        if self.in_terms_of_a is None:
            raise ValueError(f"{self.name}'s derivative cannot be written in terms of its output")
        return sp.diag(*[self.in_terms_of_a.subs(a, ai) for ai in outputs])


@dataclass
class JacobianDerivation(Derivation):
    """Softmax's Jacobian `J[k, k2] = d a_k / d z_k2` for one sample, derived and compared with the library.

    `zs` are the logits (one row), `outputs` the activations `a = softmax(z)` in `zs`, `jacobian`
    the derived matrix (in `zs`), `formula` the library's `a_k (delta_{k k2} - a_k2)` in `zs` and
    `in_terms_of_a` the same written with the outputs `a_1, ..., a_k` (`diag(a) - a^T a` for a
    row `a`).  `library` is the library's Jacobian function (None when not checked).
    """

    name: str
    zs: list[sp.Symbol]
    outputs: list[sp.Expr]
    jacobian: sp.Matrix
    formula: sp.Matrix
    in_terms_of_a: sp.Matrix
    library: Callable[[np.ndarray], np.ndarray] | None
    activation: Activation

    @property
    def what(self) -> str:
        return f"activation {self.name!r}"

    @property
    def latex(self) -> str:
        return (rf"a = \operatorname{{softmax}}(z),\ a_k = \frac{{e^{{z_k}}}}{{\sum_{{k'}} e^{{z_{{k'}}}}}},\quad "
                rf"J = \frac{{\partial a}}{{\partial z}} = \operatorname{{diag}}(a) - a^\top a"
                rf" = {sp.latex(self.in_terms_of_a)}")

    @property
    def short_latex(self) -> str:
        return r"J = \frac{\partial a}{\partial z} = \operatorname{diag}(a) - a^\top a,\ a = \operatorname{softmax}(z)"

    @property
    def text(self) -> str:
        return "J = da/dz = diag(a) - a^T a, a = softmax(z) (a row)"

    def proofs(self) -> list[str]:
        diff = self.jacobian - self.formula
        return [f"J[{i},{j}] differs from the formula" for i in range(diff.rows) for j in range(diff.cols)
                if not is_zero(diff[i, j])]

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The library's Jacobian, its `backward` and centred differences of softmax against `J`.

        Points: 50 rows of logits drawn normal with scale 3 (from `rng`, or a fixed seed).  The
        rows of the Jacobian `backward` gives are `backward(z, a, e_k)` for the unit vectors `e_k`.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        k = len(self.zs)
        rows = rng.normal(scale=3.0, size=(50, k))
        J = sp.lambdify(self.zs, self.jacobian, "numpy")
        want = np.array([J(*r) for r in rows], dtype=float)
        act = self.activation
        out = []
        if self.library is not None:
            out.append(compare(f"{self.name} Jacobian", "library", self.library(rows), want, LIBRARY_TOLERANCE))
        outputs = act(rows)
        unit_rows = np.stack([act.backward(rows, outputs, np.broadcast_to(e, rows.shape).copy())
                              for e in np.eye(k)], axis=1)
        out.append(compare(f"{self.name}.backward of unit vectors", "library", unit_rows, want, LIBRARY_TOLERANCE))
        g = rng.normal(size=rows.shape)
        out.append(compare(f"{self.name}.backward", "library", act.backward(rows, outputs, g.copy()),
                           np.einsum("nk,nkj->nj", g, want), LIBRARY_TOLERANCE))
        step = FD_STEP * np.eye(k)
        fd = np.stack([(act(rows + step[m]) - act(rows - step[m])) / (2 * FD_STEP) for m in range(k)], axis=2)
        out.append(compare(self.name, "finite differences", fd, want, FD_TOLERANCE))
        return out

    def jacobian_in_a(self, outputs: list[sp.Symbol]) -> sp.Matrix:
        """`d a_k / d z_k2` written with the outputs `outputs`."""
        return self.in_terms_of_a.subs(dict(zip(_a_symbols(len(outputs)), outputs, strict=True)))


def _a_symbols(k: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"a_1:{k + 1}"))


def derive_activation(spec: str | Activation, k: int = 3) -> ActivationDerivation | JacobianDerivation:
    """Differentiate an activation with SymPy; `check()` compares the library with the result.

    `spec` is a name of `backprop.ACTIVATIONS` (its record is looked up with
    `backprop.get_activation`) or an `Activation` record whose `name` has a row in
    `ACTIVATION_TABLE`; the record's `derivative` and `backward` are the library code checked
    (that is how a wrong derivative is caught).  Softmax gives its `k`-by-`k` Jacobian, and for the
    name "softmax" the library's `softmax_jacobian` is checked too.

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
    >>> derive_activation("softmax", k=2).in_terms_of_a
    Matrix([
    [a_1*(1 - a_1),      -a_1*a_2],
    [     -a_1*a_2, a_2*(1 - a_2)]])
    """
    name = spec if isinstance(spec, str) else spec.name
    row = _table_row(ACTIVATION_TABLE, name, "activation")
    activation = backprop.get_activation(spec)
    if row.vector is not None:
        library = getattr(_library_activations, row.jacobian) if isinstance(spec, str) and row.jacobian else None
        return _derive_vector(name, row, k, library, activation)
    library = getattr(activation, "derivative", None)
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
    in_a = sp.Matrix(k, k, lambda i, j: row.formula(_a_symbols(k), i, j))
    return JacobianDerivation(name, zs, out, jacobian, formula, in_a, library, activation)


# ---------------------------------------------------------------------------------------------- losses
@dataclass
class LossDerivation(Derivation):
    """A loss's derivative with respect to one prediction, derived and compared with the library.

    `entry` is the loss term `ell` of one output entry, `derivative` its `sympy.diff` with
    respect to `yhat`, `formula` the library's formula; the library's `gradient` divides by the
    number of samples N.
    """

    name: str
    entry: sp.Expr
    derivative: sp.Expr
    formula: sp.Expr
    loss: Loss

    @property
    def what(self) -> str:
        return f"loss {self.name!r}"

    @property
    def latex(self) -> str:
        return (r"\mathcal{L} = \frac{1}{N}\sum_{i=1}^{N}\sum_{k} \ell(\hat{y}_{ik}, y_{ik}),\quad "
                rf"\ell(\hat{{y}}, y) = {sp.latex(self.entry)},\quad {self.short_latex}")

    @property
    def short_latex(self) -> str:
        return (rf"\frac{{\partial \ell}}{{\partial \hat{{y}}}} = {sp.latex(self.derivative)}"
                + ("" if self.derivative == self.formula else rf" = {sp.latex(self.formula)}"))

    @property
    def text(self) -> str:
        return (f"dl/dyhat = {self.derivative}"
                + ("" if self.derivative == self.formula else f" = {self.formula}"))

    def proofs(self) -> list[str]:
        return [] if is_zero(self.derivative - self.formula) else ["dl/dyhat differs from the formula"]

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The library's loss value and gradient, and centred differences of its value.

        N = 4 samples of 3 outputs: predictions uniform in (0.05, 0.95), targets rows of a
        distribution (valid for every loss), drawn from `rng` or a fixed seed.  The library's
        gradient must equal the derivative divided by N.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        P = rng.uniform(0.05, 0.95, size=(4, 3))
        Y = rng.uniform(0.0, 1.0, size=(4, 3))
        Y /= Y.sum(axis=1, keepdims=True)
        N = len(Y)
        value = float(np.sum(_lambdify((yhat, y), self.entry)(P, Y))) / N
        grad = _lambdify((yhat, y), self.derivative)(P, Y) / N
        return [
            compare(f"{self.name} value", "library", self.loss.value(P, Y), value, LIBRARY_TOLERANCE),
            compare(f"{self.name} gradient", "library", self.loss.gradient(P, Y), grad, LIBRARY_TOLERANCE),
            compare(f"{self.name} gradient", "finite differences",
                    centred_differences(lambda p: self.loss.value(p, Y), P), grad, FD_TOLERANCE),
        ]


def derive_loss(spec: str | Loss) -> LossDerivation:
    """Differentiate a loss with respect to the prediction; `check()` compares the library.

    `spec` is a name of `backprop.LOSSES` (its record is looked up with `backprop.get_loss`) or a
    `Loss` record whose name has a row in `LOSS_TABLE`; the record's value and gradient are the
    library code checked.

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
    return LossDerivation(name, entry, sp.diff(entry, yhat), row.formula(yhat, y), backprop.get_loss(spec))


# ---------------------------------------------------------------------------------------------- fused deltas
@dataclass
class FusedDelta(Derivation):
    """The output delta of a fused (output activation, loss) pair for one sample, derived two ways.

    In terms of the predictions: the chain rule `sum_k dl/dyhat_k * dyhat_k/dz_k2` (`chain`)
    simplifies to `yhat_k2 - y_k2` (`delta`).  Directly in the logits: `sympy.diff` of the loss
    of `f(z)` (`delta_z`) equals `f(z)_k2 - y_k2`, and so does the derivative of `from_logits`,
    the loss as the library computes it for the pair.  For softmax these use that a target row sums
    to 1 (`constraint`).  Per sample: the library's delta is this divided by N.
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

    @property
    def what(self) -> str:
        return f"fused {self.output} + {self.loss}"

    def _chain_latex(self, j: int) -> str:
        return " + ".join(rf"\left({sp.latex(self.dL_dyhat[i])}\right)\left({sp.latex(self.dyhat_dz[i, j])}\right)"
                          for i in range(len(self.zs)) if self.dyhat_dz[i, j] != 0)

    @property
    def latex(self) -> str:
        if len(self.zs) == 1:
            return (r"\frac{\partial \ell}{\partial z} = \frac{\partial \ell}{\partial \hat{y}}\,"
                    rf"\frac{{\partial \hat{{y}}}}{{\partial z}} = {self._chain_latex(0)} = {sp.latex(self.delta[0])}")
        n = len(self.zs)
        return (r"\frac{\partial}{\partial z_1} \sum_{k} \ell(\hat{y}_k, y_k) = "
                r"\sum_{k} \frac{\partial \ell(\hat{y}_k, y_k)}{\partial \hat{y}_k}\,"
                rf"\frac{{\partial \hat{{y}}_k}}{{\partial z_1}} = {self._chain_latex(0)} = {sp.latex(self.delta[0])}"
                rf"\quad\left(n_L = {n},\ y_{{{n}}} = {sp.latex(self.constraint[self.ys[-1]])}\right)")

    @property
    def short_latex(self) -> str:
        k = "" if len(self.zs) == 1 else "_k"
        return (rf"\frac{{\partial \ell}}{{\partial z{k}}} = \hat{{y}}{k} - y{k},\ "
                r"\delta^{(L)} = \tfrac{1}{N}\bigl(\hat{Y} - Y\bigr)")

    @property
    def text(self) -> str:
        if len(self.zs) == 1:
            return f"dl/dz = {self.delta[0]}, so delta(L) = (Yhat - Y)/N"
        return "dl/dz_k = yhat_k - y_k (rows of Y sum to 1), so delta(L) = (Yhat - Y)/N"

    def proofs(self) -> list[str]:
        problems = []
        for j in range(len(self.zs)):
            if not is_zero((self.delta[j] - (self.yhats[j] - self.ys[j])).subs(self.constraint)):
                problems.append(f"chain rule: delta_{j + 1} is not yhat - y")
            if not is_zero((self.delta_z[j] - (self.outputs_z[j] - self.ys[j])).subs(self.constraint)):
                problems.append(f"in the logits: dl/dz_{j + 1} is not f(z) - y")
            if not is_zero((sp.diff(self.from_logits, self.zs[j]) - self.delta_z[j]).subs(self.constraint)):
                problems.append(f"the loss from the logits has another dl/dz_{j + 1}")
        # Equal derivatives, so the two losses differ by a constant; it is 0 if they agree at z = 0.
        at_zero = {zj: 0 for zj in self.zs}
        if not is_zero((self.from_logits.subs(at_zero) - self.loss_z.subs(at_zero)).subs(self.constraint)):
            problems.append("the loss from the logits differs from the loss of f(z) at z = 0")
        return problems

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The network's output delta and loss, and centred differences of its loss, against the derivation.

        The library side is `MLP([k, k])` with `W = I`, `b = 0` (so the logits are the inputs)
        on N = 5 samples (logits normal with scale 3, from `rng` or a fixed seed); its delta must
        equal the derived per-sample delta divided by N.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        k, N = len(self.zs), 5
        Z = rng.normal(scale=3.0, size=(N, k))
        Y = rng.uniform(size=(N, k))
        Y = Y / Y.sum(axis=1, keepdims=True) if k > 1 else Y
        net = MLP([k, k], output=self.output, loss=self.loss)
        net.params.update(W1=np.eye(k), b1=np.zeros(k))
        f = sp.lambdify([self.zs, self.ys], self.delta_z, "numpy")
        want = np.array([f(zr, yr) for zr, yr in zip(Z, Y, strict=True)], dtype=float) / N
        value = sp.lambdify([self.zs, self.ys], self.from_logits, "numpy")
        loss = float(np.mean([value(zr, yr) for zr, yr in zip(Z, Y, strict=True)]))
        return [
            compare("delta(L)", "library", net.deltas(Z, Y)[-1], want, LIBRARY_TOLERANCE),
            compare("loss", "library", net.loss(Z, Y), loss, LIBRARY_TOLERANCE),
            compare("delta(L)", "finite differences", centred_differences(lambda v: net.loss(v, Y), Z), want,
                    FD_TOLERANCE),
        ]


def _eliminate_other(ys: list[sp.Symbol], j: int) -> dict:
    """`sum y = 1` solved for a target other than `y_j`, so a result in `y_j` keeps its `y_j`."""
    m = len(ys) - 1 if j != len(ys) - 1 else 0
    return {ys[m]: 1 - sum(t for i, t in enumerate(ys) if i != m)}


def derive_fused_delta(output: str, loss: str, k: int | None = None) -> FusedDelta:
    """Derive the output delta of an output activation followed by a loss, for one sample (before the 1/N).

    `k` (outputs) defaults to 1 for an elementwise activation and 3 for softmax.

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

