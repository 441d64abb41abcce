"""The general rule of backpropagation, proved by SymPy for concrete sizes with everything symbolic.

For a network with symbolic inputs `x_{ij}`, targets `y_{ik}`, weights and biases, one undefined
activation function `f_l` per hidden layer, an output layer that is either one more undefined
elementwise `f_L` or softmax, and a per-entry loss `ell(yhat, y)` that is undefined or one of
`LOSS_TABLE` (the loss is `(1/N) sum_i sum_k ell(a^{(L)}_{ik}, y_{ik})`), `prove_backprop_rule`
differentiates the loss with respect to every parameter, entry by entry, and checks that the
result equals the matrix form (samples are rows, `(.)` is the elementwise product, `1_N` the
column of N ones):

- elementwise output: `delta^{(L)} = dLoss/dA^{(L)} (.) f_L'(Z^{(L)})`;
- softmax output, one sample (row `i`) at a time, a vector-Jacobian product:
  `delta^{(L)}_i = (dLoss/dA^{(L)}_i) J_i`, `J_i = diag(a_i) - a_i^T a_i` with `a_i` row `i` of `A^{(L)}`;
- every hidden layer: `delta^{(l)} = (delta^{(l+1)} W^{(l+1)T}) (.) f_l'(Z^{(l)})`;
- `dLoss/dW^{(l)} = A^{(l-1)T} delta^{(l)}` and `dLoss/db^{(l)} = 1_N^T delta^{(l)}` (a row).

The difference of the two, expanded, is 0 for every parameter.  For the fused pair softmax and
cross-entropy it also proves that `delta^{(L)}` is `(Yhat - Y) / N` when each row of `Y` sums
to 1, and that the matrix form started from that delta equals the derivatives too.

`RuleProof.compare()` then evaluates the proved matrix form for a concrete network (the undefined
functions replaced by tanh for a hidden layer, sigmoid for an elementwise output and the half
squared error for the loss) and compares it with the library's gradients and with finite
differences.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from backprop.network import MLP
from backprop.symbolic._base import (
    FD_TOLERANCE,
    LIBRARY_TOLERANCE,
    Comparison,
    Derivation,
    centred_differences,
    compare,
    fail_if,
)
from backprop.symbolic.elementary import ACTIVATION_TABLE, FROM_LOGITS_TABLE, LOSS_TABLE, _table_row
from backprop.symbolic.networks import parameter_symbols

ell = sp.Function(r"\ell")
"""The undefined per-entry loss `ell(yhat, y)`."""

OUTPUT_DELTA_LATEX = r"\delta^{(L)} = \frac{\partial \mathcal{L}}{\partial A^{(L)}} \odot f_L'\bigl(Z^{(L)}\bigr)"
"""The output layer's delta for an elementwise output activation."""

SOFTMAX_DELTA_LATEX = (r"\delta^{(L)}_{i\cdot} = \frac{\partial \mathcal{L}}{\partial A^{(L)}_{i\cdot}}\, J_i,\ "
                       r"J_i = \operatorname{diag}\bigl(A^{(L)}_{i\cdot}\bigr)"
                       r" - {A^{(L)}_{i\cdot}}^\top A^{(L)}_{i\cdot}")
"""The output layer's delta for softmax: row i (sample i) times that sample's Jacobian J_i."""

HIDDEN_RULE_LATEX = (r"\delta^{(l)} = \bigl(\delta^{(l+1)} {W^{(l+1)}}^\top\bigr) \odot f_l'\bigl(Z^{(l)}\bigr),\quad "
                     r"\frac{\partial \mathcal{L}}{\partial W^{(l)}} = {A^{(l-1)}}^\top \delta^{(l)},\quad "
                     r"\frac{\partial \mathcal{L}}{\partial b^{(l)}} = \mathbf{1}_N^\top \delta^{(l)}")
"""The recursion through the hidden layers and the gradients of every layer's parameters."""

RULE_LATEX = OUTPUT_DELTA_LATEX + r",\quad " + HIDDEN_RULE_LATEX
"""The matrix form in the book's notation (rows are samples), elementwise output activation."""

SOFTMAX_RULE_LATEX = SOFTMAX_DELTA_LATEX + r",\quad " + HIDDEN_RULE_LATEX
"""The matrix form with a softmax output layer."""

FUSED_DELTA_LATEX = r"\delta^{(L)} = \tfrac{1}{N}\bigl(\hat{Y} - Y\bigr)"
"""The output delta of a fused pair (softmax + cross-entropy, sigmoid + binary cross-entropy)."""

_STAND_INS = {"hidden": "tanh", "output": "sigmoid", "loss": "mse"}
"""What `RuleProof.compare` puts in place of an undefined function."""


def _derivative(f: sp.Function | sp.Lambda, M: sp.Matrix) -> sp.Matrix:
    """`f'` applied entrywise: `d f(u)/du` at `u = M[i, k]`, derived with `sympy.diff`."""
    u = sp.Dummy("u")
    fprime = sp.diff(f(u), u)
    return M.applyfunc(lambda m: fprime.subs(u, m))


def _vanish(expr: sp.Expr) -> sp.Expr:
    """`expr` expanded; 0 when SymPy proves it is 0.

    First with `exp(a + b)` kept whole (fast: both sides hold the same exponentials), then with
    the products of exponentials combined (`exp(-z) exp(z) = 1`, from dividing by a softmax output),
    and last fully expanded (every exponential split into one factor per term of its argument).
    """
    out = sp.expand(expr, power_exp=False)
    if out != 0:
        out = sp.expand(sp.powsimp(out, combine="exp"), power_exp=False)
    if out != 0:
        out = sp.expand(out)
    return out


def _expand(M: sp.Matrix, exponentials: dict | None = None) -> sp.Matrix:
    """Every entry through `_vanish`, after writing each `exp(m z)` as `E**m` for the pairs `z: E` of
    `exponentials` (m = -4..4).

    Treating each `exp(z)` of a softmax as one symbol keeps the expansion small.  It can only make
    a proof harder, never wrong: an identity that holds for independent symbols `E` holds for the
    exponentials they stand for.
    """
    atoms = {sp.exp(m * z): E**m for z, E in (exponentials or {}).items() for m in range(-4, 5) if m}
    return M.applyfunc(lambda e: _vanish(e.xreplace(atoms)))


def _log_of_exp(expr: sp.Expr) -> sp.Expr:
    """`log(a b) = log a + log b` and `log(exp(u)) = u`: true for the positive, real quantities of a network."""
    expr = sp.expand_log(expr, force=True)
    return expr.replace(lambda e: isinstance(e, sp.log) and isinstance(e.args[0], sp.exp), lambda e: e.args[0].args[0])


@dataclass
class RuleProof(Derivation):
    """The entrywise derivatives of a symbolic network's loss against the matrix-form rule.

    `elementwise[key]` are `sympy.diff` of the loss, `matrix_form[key]` the rule's matrices,
    `differences[key]` their expanded difference (all zero when proved); `deltas[l]` the rule's
    `delta^{(l)}`; `jacobians[i]` the softmax Jacobian `J_i` of sample `i` (softmax output only).
    For a fused pair, `fused_delta` is `(A^{(L)} - Y) / N` and `fused_differences` hold the
    expanded differences of the output delta (key `"delta"`) and of every derivative when the rule
    starts from `fused_delta`, with each row of `Y` summing to 1 for softmax.
    `functions` are the undefined functions (`f_1`, ..., `\\ell`) by name, `outputs` the output
    layer's activations `A^{(L)}` (the predictions) and `loss_gradient` the derivative of the loss
    with respect to them, `dLoss/dA^{(L)}` (it carries the 1/N).
    """

    sizes: list[int]
    n_samples: int
    output: str | None
    loss_name: str | None
    X: sp.Matrix
    Y: sp.Matrix
    symbols: dict[str, sp.Matrix]
    functions: dict[str, sp.Function]
    loss: sp.Expr
    outputs: sp.Matrix
    loss_gradient: sp.Matrix
    elementwise: dict[str, sp.Matrix]
    matrix_form: dict[str, sp.Matrix]
    differences: dict[str, sp.Matrix]
    deltas: dict[int, sp.Matrix]
    seconds: float
    jacobians: list[sp.Matrix] = field(default_factory=list)
    fused_delta: sp.Matrix | None = None
    fused_matrix_form: dict[str, sp.Matrix] = field(default_factory=dict)
    fused_differences: dict[str, sp.Matrix] = field(default_factory=dict)

    @property
    def what(self) -> str:
        return f"backpropagation rule for {self.sizes}"

    @property
    def proved(self) -> bool:
        """True when every difference (and every fused difference) expanded to 0."""
        return all(d.is_zero_matrix for d in [*self.differences.values(), *self.fused_differences.values()])

    @property
    def rule_latex(self) -> str:
        """The rule proved: `RULE_LATEX` or `SOFTMAX_RULE_LATEX`, plus `FUSED_DELTA_LATEX` for the fused pair."""
        rule = SOFTMAX_RULE_LATEX if self.jacobians else RULE_LATEX
        return rule + (rf",\quad {FUSED_DELTA_LATEX}" if self.fused_delta is not None else "")

    @property
    def latex(self) -> str:
        sizes = "\\text{-}".join(str(s) for s in self.sizes)
        verdict = r"\text{holds}" if self.proved else r"\text{FAILS}"
        return rf"{self.rule_latex}\quad ({sizes},\ N = {self.n_samples}:\ {verdict})"

    @property
    def short_latex(self) -> str:
        if self.fused_delta is not None:
            return FUSED_DELTA_LATEX
        return SOFTMAX_DELTA_LATEX if self.jacobians else HIDDEN_RULE_LATEX.split(r",\quad ")[0]

    @property
    def text(self) -> str:
        if self.fused_delta is not None:
            return "delta(L) = (Yhat - Y)/N"
        if self.jacobians:
            return "delta(L)_i = dL/dA(L)_i J_i, J_i = diag(a_i) - a_i^T a_i"
        return "delta(l) = (delta(l+1) W(l+1)^T) (.) f_l'(Z(l)), dL/dW(l) = A(l-1)^T delta(l), dL/db(l) = 1^T delta(l)"

    def proofs(self) -> list[str]:
        """One line per parameter (or output delta) whose derivative differs from the matrix form."""
        problems = [f"dL/d{key}[{i},{j}]: elementwise - matrix form does not expand to 0 ({_size(D[i, j])})"
                    for key, D in self.differences.items() for i in range(D.rows) for j in range(D.cols)
                    if D[i, j] != 0]
        problems += [f"fused: {key}[{i},{j}] differs from the form started from (Yhat - Y)/N ({_size(D[i, j])})"
                     for key, D in self.fused_differences.items() for i in range(D.rows) for j in range(D.cols)
                     if D[i, j] != 0]
        return problems

    # -- numbers: the proved matrix form for a concrete network, against the library --------------
    def concrete_network(self, rng: np.random.Generator | None = None) -> tuple[MLP, np.ndarray, np.ndarray]:
        """A library network of this proof's sizes, with random parameters and data, for `evaluate`.

        Undefined functions are replaced by stand-ins: tanh for a hidden `f_l`, sigmoid for an
        undefined output `f_L` and the half squared error for an undefined `ell`.  Parameters and
        inputs are drawn normal (scale 0.8 and 1) from `rng` (or a fixed seed); targets are
        uniform in (0, 1), rows normalised to sum to 1 for cross-entropy.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        loss = self.loss_name or _STAND_INS["loss"]
        net = MLP(self.sizes, hidden=_STAND_INS["hidden"], output=self.output or _STAND_INS["output"], loss=loss)
        for key in net.params:
            net.params[key] = rng.normal(scale=0.8, size=net.params[key].shape)
        X = rng.normal(size=(self.n_samples, self.sizes[0]))
        Y = rng.uniform(0.05, 0.95, size=(self.n_samples, self.sizes[-1]))
        if loss == "cross_entropy":
            Y /= Y.sum(axis=1, keepdims=True)
        return net, X, Y

    def evaluate(self, net: MLP, X: np.ndarray, Y: np.ndarray, fused: bool = False) -> dict[str, np.ndarray]:
        """The proof's matrix form (or, with `fused=True`, the one started from `fused_delta`) in numbers.

        The undefined functions become the network's activations and loss (from `ACTIVATION_TABLE`
        and `LOSS_TABLE`), the symbols its parameters, `X` and `Y`; evaluated to 30 digits.
        """
        u, v = sp.symbols("u v")
        replace = {}
        for l, act in enumerate(net.activations, 1):
            name = f"f_{{{l}}}"
            if name in self.functions:
                replace[self.functions[name]] = sp.Lambda(u, _table_row(ACTIVATION_TABLE, act.name, "activation")
                                                          .function(u))
        if r"\ell" in self.functions:
            entry = _table_row(LOSS_TABLE, net.loss_fn.name, "loss").entry
            replace[self.functions[r"\ell"]] = sp.Lambda((u, v), entry(u, v))
        values = {s: sp.Float(float(x), 30) for key, M in self.symbols.items()
                  for s, x in zip(M, np.asarray(net.params[key]).ravel(), strict=True)}
        values.update({s: sp.Float(float(x), 30) for M, A in ((self.X, X), (self.Y, Y))
                       for s, x in zip(M, np.asarray(A, dtype=float).ravel(), strict=True)})
        forms = self.fused_matrix_form if fused else self.matrix_form
        return {key: np.array(M.subs(replace).doit().xreplace(values).evalf(30), dtype=float)
                .reshape(np.shape(net.params[key]))
                for key, M in forms.items()}

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The proved matrix form, evaluated for `concrete_network(rng)`, against the library's
        gradients and against centred differences of the library's loss (for a fused pair, the form
        started from `(Yhat - Y)/N` as well)."""
        net, X, Y = self.concrete_network(rng)
        keys = list(net.params)
        library = net.gradients(X, Y)
        got = np.concatenate([np.ravel(library[k]) for k in keys])
        params = {k: v.copy() for k, v in net.params.items()}

        def loss(flat: np.ndarray) -> float:
            start = 0
            for k in keys:
                net.params[k] = flat[start:start + params[k].size].reshape(params[k].shape)
                start += params[k].size
            return net.loss(X, Y)

        try:
            fd = centred_differences(loss, np.concatenate([params[k].ravel() for k in keys]))
        finally:
            net.params.update(params)
        out = []
        for label, fused in (("matrix form", False), ("matrix form from (Yhat - Y)/N", True)):
            if fused and self.fused_delta is None:
                continue
            values = self.evaluate(net, X, Y, fused=fused)
            want = np.concatenate([values[k].ravel() for k in keys])
            out.append(compare(label, "library", got, want, LIBRARY_TOLERANCE))
            out.append(compare(label, "finite differences", fd, want, FD_TOLERANCE))
        return out

    def check(self) -> None:
        """Raise `AssertionError` naming every parameter whose derivative differs from the matrix form,
        or a comparison with the library that fails."""
        fail_if(self.proofs() + [str(c) for c in self.compare() if not c.ok], self.what)


def prove_backprop_rule(sizes: Sequence[int], n_samples: int = 2, output: str | None = None,
                        loss: str | None = None) -> RuleProof:
    """Prove the matrix form of backpropagation for these layer sizes, with everything symbolic.

    Parameters
    ----------
    sizes
        Layer sizes `[n_0, ..., n_L]`; keep them small (a few units: the proof expands every
        derivative).
    n_samples
        N, the number of samples (rows of `X`).
    output
        `None`: the output activation is one more undefined elementwise function `f_L` (which
        covers every elementwise activation).  `"softmax"` (at least 2 outputs): the output delta
        is a vector-Jacobian product per sample.
    loss
        `None`: an undefined per-entry loss `ell(yhat, y)`.  A name of `LOSS_TABLE`: that loss.
        `output="softmax", loss="cross_entropy"` is the fused pair: then
        `delta^{(L)} = (Yhat - Y)/N` is proved too (each row of `Y` summing to 1).

    Examples
    --------
    >>> proof = prove_backprop_rule([2, 3, 2], n_samples=2)
    >>> proof.proved
    True
    >>> {l: d.shape for l, d in proof.deltas.items()}
    {2: (2, 2), 1: (2, 3)}
    >>> soft = prove_backprop_rule([1, 2, 3], n_samples=1, output="softmax")
    >>> soft.proved, soft.jacobians[0].shape
    (True, (3, 3))
    >>> fused = prove_backprop_rule([1, 2, 3], n_samples=1, output="softmax", loss="cross_entropy")
    >>> fused.proved, fused.fused_differences["delta"].is_zero_matrix   # delta(L) = (Yhat - Y)/N, proved
    (True, True)
    >>> fused.check()
    """
    start = time.perf_counter()
    sizes = _check_sizes(sizes)
    if not isinstance(n_samples, int) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"n_samples must be a positive integer, got {n_samples!r}")
    out_row = None if output is None else _table_row(ACTIVATION_TABLE, output, "activation")
    if out_row is not None and out_row.vector is None:
        raise ValueError(f"output={output!r} is elementwise: leave output=None (an undefined f_L covers every "
                         f"elementwise activation); output= is for vector activations such as 'softmax'")
    if out_row is not None and sizes[-1] < 2:
        raise ValueError(f"a {output} output needs at least 2 units; sizes[-1] is {sizes[-1]}")
    entry = ell if loss is None else _table_row(LOSS_TABLE, loss, "loss").entry
    P = parameter_symbols(sizes)
    N, L = n_samples, len(sizes) - 1
    X = sp.Matrix(N, sizes[0], lambda i, j: sp.Symbol(f"x_{{{i + 1}{j + 1}}}"))
    Y = sp.Matrix(N, sizes[-1], lambda i, k: sp.Symbol(f"y_{{{i + 1}{k + 1}}}"))
    f = {l: sp.Function(f"f_{{{l}}}") for l in range(1, L + (output is None))}
    ones = sp.ones(N, 1)

    Z: dict[int, sp.Matrix] = {}
    A: dict[int, sp.Matrix] = {0: X}
    for l in range(1, L + 1):
        Z[l] = A[l - 1] * P[f"W{l}"] + ones * P[f"b{l}"]
        if l < L or out_row is None:
            A[l] = Z[l].applyfunc(f[l])
        else:
            A[l] = sp.Matrix([out_row.row(list(Z[l].row(i))) for i in range(N)])
    loss_expr = sp.Add(*[entry(A[L][i, k], Y[i, k]) for i in range(N) for k in range(sizes[-1])]) / N
    # log(e^z / S) = z - log S: the form whose derivatives expand to the terms of the matrix form
    loss_expr = loss_expr if loss is None else _log_of_exp(loss_expr)
    elementwise = {key: M.applyfunc(lambda s: sp.diff(loss_expr, s)) for key, M in P.items()}

    u = sp.Dummy("u")
    dL_dA = sp.Matrix(N, sizes[-1], lambda i, k: sp.diff(entry(u, Y[i, k]), u).subs(u, A[L][i, k]) / N)
    jacobians = []
    if out_row is not None:
        for i in range(N):
            a_i = list(A[L].row(i))
            jacobians.append(sp.Matrix(sizes[-1], sizes[-1], lambda k, k2, a_i=a_i: out_row.formula(a_i, k, k2)))
        delta_L = sp.Matrix.vstack(*[dL_dA.row(i) * jacobians[i] for i in range(N)])
    else:
        delta_L = dL_dA.multiply_elementwise(_derivative(f[L], Z[L]))

    def backward(delta_out: sp.Matrix) -> tuple[dict[int, sp.Matrix], dict[str, sp.Matrix]]:
        deltas = {L: delta_out}
        for l in range(L - 1, 0, -1):
            deltas[l] = (deltas[l + 1] * P[f"W{l + 1}"].T).multiply_elementwise(_derivative(f[l], Z[l]))
        form = {}
        for l in range(1, L + 1):
            form[f"W{l}"] = A[l - 1].T * deltas[l]
            form[f"b{l}"] = ones.T * deltas[l]
        return deltas, {key: form[key] for key in P}

    deltas, matrix_form = backward(delta_L)
    atoms = {Z[L][i, k]: sp.Symbol(f"E_{{{i + 1}{k + 1}}}", positive=True)
             for i in range(N) for k in range(sizes[-1])} if out_row is not None else {}
    differences = {key: _expand(elementwise[key] - matrix_form[key], atoms) for key in P}

    fused_delta, fused_form, fused_differences = None, {}, {}
    if (output, loss) in FROM_LOGITS_TABLE:
        fused_delta = (A[L] - Y) / N
        rows_sum_to_one = {Y[i, -1]: 1 - sum(Y[i, k] for k in range(sizes[-1] - 1)) for i in range(N)}
        _, fused_form = backward(fused_delta)
        fused_differences = {"delta": _expand((delta_L - fused_delta).subs(rows_sum_to_one), atoms)}
        fused_differences.update({key: _expand((elementwise[key] - fused_form[key]).subs(rows_sum_to_one), atoms)
                                  for key in P})
    functions = {str(fn): fn for fn in f.values()} | ({r"\ell": ell} if loss is None else {})
    return RuleProof(sizes, N, output, loss, X, Y, P, functions, loss_expr, A[L], dL_dA, elementwise, matrix_form,
                     differences, deltas, time.perf_counter() - start, jacobians, fused_delta, fused_form,
                     fused_differences)


def _size(expr: sp.Expr) -> str:
    text = str(expr)
    return text if len(text) <= 80 else f"{len(sp.Add.make_args(expr))} terms"


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    sizes = list(sizes)
    if len(sizes) < 2 or any(not isinstance(s, int) or isinstance(s, bool) or s < 1 for s in sizes):
        raise ValueError(f"sizes must be at least two positive integers like [2, 3, 2], got {sizes!r}")
    return sizes
