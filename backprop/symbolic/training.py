"""What training adds to the gradient: batch normalisation, dropout and the L2 penalty, derived with SymPy.

`derive_batch_norm` differentiates a batch-normalised layer entry by entry on a small batch, with
every input symbolic, and proves the result equal to the matrix form the library uses
(`backprop.batch_norm_backward`): from the linear part `Z~ = A W` (entries `z~_ik`) to
`Z = Z^ diag(gamma) + 1 beta`.  The gradient arriving at the layer's output,
`delta = dLoss/dZ`, is symbolic too: the loss is taken to be `sum_ik delta_ik Z_ik`, whose
derivatives are exactly the chain rule's `sum_ik delta_ik dZ_ik/dp` for any loss, so the proof
covers every loss and every layer above.

`derive_dropout` and `derive_weight_decay` prove the delta rule of a small symbolic network
(undefined activations and per-entry loss, as in `prove_backprop_rule`) with a dropout mask on
the hidden layer (constant symbols `m_ik`), and with the L2 penalty `(alpha/2) sum w^2` added to
the loss.

Examples
--------
>>> d = derive_batch_norm(n_samples=3, n_units=2)
>>> d.proved
True
>>> d.check()
>>> derive_weight_decay().proved, derive_dropout().proved
(True, True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import sympy as sp

from backprop.network import MLP
from backprop.normalisation import batch_norm, batch_norm_backward
from backprop.symbolic._base import (
    FD_TOLERANCE,
    LIBRARY_TOLERANCE,
    Comparison,
    Derivation,
    centred_differences,
    compare,
    fail_if,
)
from backprop.symbolic.elementary import LOSS_TABLE
from backprop.symbolic.networks import parameter_symbols

BATCH_NORM_LATEX = (
    r"\begin{aligned}"
    r"\frac{\partial \mathcal{L}}{\partial \gamma^{(l)}} &= \mathbf{1}_N^\top \bigl(\delta^{(l)} \odot "
    r"\hat Z^{(l)}\bigr), \qquad "
    r"\frac{\partial \mathcal{L}}{\partial \beta^{(l)}} = \mathbf{1}_N^\top \delta^{(l)},\\ "
    r"\frac{\partial \mathcal{L}}{\partial \tilde Z^{(l)}} &= \Bigl(D - \tfrac1N \mathbf{1}_N \mathbf{1}_N^\top D "
    r"- \hat Z^{(l)} \odot \tfrac1N \mathbf{1}_N \mathbf{1}_N^\top \bigl(D \odot \hat Z^{(l)}\bigr)\Bigr)"
    r" \operatorname{diag}\bigl(s^{(l)}\bigr)^{-1},\\ "
    r"D &= \frac{\partial \mathcal{L}}{\partial \hat Z^{(l)}} = \delta^{(l)} "
    r"\operatorname{diag}\bigl(\gamma^{(l)}\bigr)"
    r"\end{aligned}")
"""The backward pass of batch normalisation, δ⁽ˡ⁾ = ∂𝓛/∂Z⁽ˡ⁾, in the book's notation."""

DROPOUT_LATEX = (r"\delta^{(l)} = \bigl((\delta^{(l+1)} {W^{(l+1)}}^\top) \odot M^{(l)}\bigr) \odot "
                 r"f_l'\bigl(Z^{(l)}\bigr),\quad A^{(l)} = f_l\bigl(Z^{(l)}\bigr) \odot M^{(l)}")
"""The delta rule through a hidden layer with dropout mask M⁽ˡ⁾."""

WEIGHT_DECAY_LATEX = (r"\frac{\partial}{\partial W^{(l)}}\Bigl(\mathcal{L} + \frac{\alpha}{2}\sum_{l'} "
                      r"\bigl\lVert W^{(l')}\bigr\rVert^2\Bigr) = {A^{(l-1)}}^\top \delta^{(l)} + \alpha W^{(l)}")
"""The gradient of the training loss with the L2 penalty."""


def _expanded(M: sp.Matrix) -> sp.Matrix:
    return M.applyfunc(lambda e: sp.cancel(sp.together(e)))


# ---------------------------------------------------------------------------------------------- batch norm
@dataclass
class BatchNormDerivation(Derivation):
    """The entrywise derivatives of `sum_ik delta_ik Z_ik`, `Z = Z^ diag(gamma) + 1 beta`, against the matrix form.

    `Z_tilde`, `delta` (N x n), `gamma`, `beta` (1 x n) and `eps` are symbols; `s` are symbols for the
    standard deviations `sqrt(var + eps)` of the columns (the derivatives are written in them);
    `elementwise[key]` are `sympy.diff` results, `matrix_form[key]` the library's formulas and
    `differences[key]` their difference, reduced (all zero when proved).
    """

    n_samples: int
    n_units: int
    Z_tilde: sp.Matrix
    delta: sp.Matrix
    gamma: sp.Matrix
    beta: sp.Matrix
    eps: sp.Symbol
    s: sp.Matrix
    Z: sp.Matrix
    elementwise: dict[str, sp.Matrix]
    matrix_form: dict[str, sp.Matrix]
    differences: dict[str, sp.Matrix]
    seconds: float

    @property
    def what(self) -> str:
        return f"batch normalisation backward pass (N = {self.n_samples}, {self.n_units} units)"

    @property
    def proved(self) -> bool:
        """True when every difference reduced to 0."""
        return all(D.is_zero_matrix for D in self.differences.values())

    @property
    def latex(self) -> str:
        verdict = r"\text{holds}" if self.proved else r"\text{FAILS}"
        return rf"{BATCH_NORM_LATEX}\qquad (N = {self.n_samples},\ n_l = {self.n_units}:\ {verdict})"

    @property
    def short_latex(self) -> str:
        return BATCH_NORM_LATEX

    @property
    def text(self) -> str:
        return ("dL/dgamma = 1^T (delta (.) Zhat), dL/dbeta = 1^T delta, dL/dZtilde = (D - mean(D) - Zhat (.) "
                "mean(D (.) Zhat)) / s, D = delta (.) gamma")

    def proofs(self) -> list[str]:
        """One line per entry whose derivative differs from the matrix form."""
        return [f"dL/d{key}[{i},{j}]: elementwise - matrix form = {D[i, j]}"
                for key, D in self.differences.items() for i in range(D.rows) for j in range(D.cols) if D[i, j] != 0]

    def evaluate(self, Z_tilde: np.ndarray, gamma: np.ndarray, beta: np.ndarray, delta: np.ndarray,
                 eps: float) -> dict[str, np.ndarray]:
        """The matrix form in numbers (30 digits) at these values."""
        var = Z_tilde.var(axis=0)
        values = {self.eps: sp.Float(eps, 30)}
        for M, A in ((self.Z_tilde, Z_tilde), (self.delta, delta), (self.gamma, gamma), (self.beta, beta),
                     (self.s, np.sqrt(var + eps))):
            values.update({sym: sp.Float(float(x), 30) for sym, x in zip(M, np.ravel(A), strict=True)})
        return {key: np.array(M.xreplace(values).evalf(30), dtype=float).reshape(M.shape if key == "Z_tilde" else -1)
                for key, M in self.matrix_form.items()}

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The matrix form at random values against `backprop.batch_norm_backward` and against centred
        differences of `sum(delta * batch_norm(Z_tilde, gamma, beta)[0])`.

        `dL/dZ_tilde` is measured relative to the largest `|delta gamma / s|` (or its own largest
        entry, if larger): its terms nearly cancel for a small batch.
        """
        rng = rng if rng is not None else np.random.default_rng(0)
        N, n, eps = self.n_samples, self.n_units, 1e-5
        Z_tilde = rng.normal(scale=2.0, size=(N, n)) + rng.normal(size=n)
        gamma, beta, delta = rng.normal(size=n), rng.normal(size=n), rng.normal(size=(N, n))
        want = self.evaluate(Z_tilde, gamma, beta, delta, eps)
        _, bn = batch_norm(Z_tilde, gamma, beta, eps=eps)
        d_gamma, d_beta, d_Z_tilde = batch_norm_backward(bn, gamma, delta)
        got = {"Z_tilde": d_Z_tilde, "gamma": d_gamma, "beta": d_beta}
        point = {"Z_tilde": Z_tilde, "gamma": gamma, "beta": beta}

        def loss_in(key: str):
            def loss(x: np.ndarray) -> float:
                args = {**point, key: x.reshape(point[key].shape)}
                return float(np.sum(delta * batch_norm(args["Z_tilde"], args["gamma"], args["beta"], eps=eps)[0]))
            return loss

        # dL/dZ_tilde is a difference of terms of the size of delta gamma / s that cancel almost completely for
        # small N (for N = 2 up to eps): it is judged relative to those terms, not to its own tiny entries.
        terms = float(np.abs(delta * gamma / bn.std).max())
        out = []
        for key in ("Z_tilde", "gamma", "beta"):
            fd = centred_differences(loss_in(key), point[key].ravel())
            scale = [terms] if key == "Z_tilde" else []
            for against, values, tol in (("library", got[key], LIBRARY_TOLERANCE), ("finite differences", fd,
                                                                                  FD_TOLERANCE)):
                out.append(compare(f"dL/d{key}", against, np.append(np.ravel(values), scale),
                                   np.append(np.ravel(want[key]), scale), tol))
        return out

    def check(self) -> None:
        fail_if(self.proofs() + [str(c) for c in self.compare() if not c.ok], self.what)


def derive_batch_norm(n_samples: int = 3, n_units: int = 2) -> BatchNormDerivation:
    """Differentiate batch normalisation of an N x n batch entry by entry and prove the library's matrix form.

    Parameters
    ----------
    n_samples
        N, at least 2 (the variance of one sample is 0).
    n_units
        n_l, the number of units (columns); the proof also shows that columns do not mix.

    Returns
    -------
    BatchNormDerivation
        The derivatives, the matrix form and their differences.

    Examples
    --------
    >>> d = derive_batch_norm(2, 1)
    >>> d.proved, d.elementwise["Z_tilde"].shape
    (True, (2, 1))
    """
    if not isinstance(n_samples, int) or n_samples < 2 or not isinstance(n_units, int) or n_units < 1:
        raise ValueError(f"need n_samples >= 2 and n_units >= 1, got {n_samples!r} and {n_units!r}")
    start = time.perf_counter()
    N, n = n_samples, n_units
    Zt = sp.Matrix(N, n, lambda i, k: sp.Symbol(rf"\tilde z_{{{i + 1}{k + 1}}}", real=True))
    delta = sp.Matrix(N, n, lambda i, k: sp.Symbol(rf"\delta_{{{i + 1}{k + 1}}}", real=True))
    gamma = sp.Matrix(1, n, lambda _, k: sp.Symbol(rf"\gamma_{{{k + 1}}}", real=True))
    beta = sp.Matrix(1, n, lambda _, k: sp.Symbol(rf"\beta_{{{k + 1}}}", real=True))
    eps = sp.Symbol(r"\epsilon", positive=True)
    s = sp.Matrix(1, n, lambda _, k: sp.Symbol(f"s_{{{k + 1}}}", positive=True))
    mean = [sum(Zt[:, k]) / N for k in range(n)]
    var = [sum((Zt[i, k] - mean[k]) ** 2 for i in range(N)) / N for k in range(n)]
    Z = sp.Matrix(N, n, lambda i, k: (Zt[i, k] - mean[k]) / sp.sqrt(var[k] + eps) * gamma[k] + beta[k])
    loss = sum(delta[i, k] * Z[i, k] for i in range(N) for k in range(n))
    # Write each (var_k + eps)^(p/2) that differentiation produces as s_k^p.
    roots = {var[k] + eps: s[k] for k in range(n)}

    def in_s(e: sp.Expr) -> sp.Expr:
        return e.replace(lambda x: x.is_Pow and x.base in roots, lambda x: roots[x.base] ** (2 * x.exp))

    elementwise = {key: M.applyfunc(lambda p: in_s(sp.diff(loss, p))) for key, M in
                   (("Z_tilde", Zt), ("gamma", gamma), ("beta", beta))}
    ones = sp.ones(N, 1)
    Z_hat = sp.Matrix(N, n, lambda i, k: (Zt[i, k] - mean[k]) / s[k])
    D = delta.multiply_elementwise(ones * gamma)
    centred = D - ones * ones.T * D / N - Z_hat.multiply_elementwise(
        ones * ones.T * D.multiply_elementwise(Z_hat) / N)
    matrix_form = {"Z_tilde": centred.multiply_elementwise(ones * s.applyfunc(lambda v: 1 / v)),
                   "gamma": ones.T * delta.multiply_elementwise(Z_hat),
                   "beta": ones.T * delta}
    differences = {key: _expanded(elementwise[key] - matrix_form[key]) for key in matrix_form}
    return BatchNormDerivation(N, n, Zt, delta, gamma, beta, eps, s, Z, elementwise, matrix_form, differences,
                               time.perf_counter() - start)


# ---------------------------------------------------------------------------------------------- dropout, L2
@dataclass
class TrainingRuleProof(Derivation):
    """The delta rule of a small symbolic network with a dropout mask and/or the L2 penalty, proved entrywise.

    `masks` holds the symbols `m_ik` of the hidden layer's mask (empty without dropout), `alpha`
    the penalty's coefficient (or None); `elementwise`, `matrix_form` and `differences` are keyed
    like `MLP.params`.
    """

    sizes: list[int]
    n_samples: int
    X: sp.Matrix
    Y: sp.Matrix
    symbols: dict[str, sp.Matrix]
    masks: sp.Matrix | None
    alpha: sp.Symbol | None
    functions: dict[str, sp.Function]
    elementwise: dict[str, sp.Matrix]
    matrix_form: dict[str, sp.Matrix]
    differences: dict[str, sp.Matrix]
    seconds: float

    @property
    def what(self) -> str:
        parts = (["dropout"] if self.masks is not None else []) + (["L2 penalty"] if self.alpha is not None else [])
        return f"delta rule with {' and '.join(parts)} ({'-'.join(map(str, self.sizes))}, N = {self.n_samples})"

    @property
    def proved(self) -> bool:
        """True when every difference expanded to 0."""
        return all(D.is_zero_matrix for D in self.differences.values())

    @property
    def short_latex(self) -> str:
        return DROPOUT_LATEX if self.masks is not None else WEIGHT_DECAY_LATEX

    @property
    def latex(self) -> str:
        verdict = r"\text{holds}" if self.proved else r"\text{FAILS}"
        sizes = "\\text{-}".join(str(v) for v in self.sizes)
        return rf"{self.short_latex}\quad ({sizes},\ N = {self.n_samples}:\ {verdict})"

    @property
    def text(self) -> str:
        if self.masks is not None:
            return "delta(l) = ((delta(l+1) W(l+1)^T) (.) M(l)) (.) f_l'(Z(l)), A(l) = f_l(Z(l)) (.) M(l)"
        return "d/dW(l) (L + alpha/2 sum |W|^2) = A(l-1)^T delta(l) + alpha W(l)"

    def proofs(self) -> list[str]:
        """One line per parameter entry whose derivative differs from the matrix form."""
        return [f"dL/d{key}[{i},{j}]: elementwise - matrix form does not expand to 0"
                for key, D in self.differences.items() for i in range(D.rows) for j in range(D.cols) if D[i, j] != 0]

    def compare(self, rng: np.random.Generator | None = None) -> list[Comparison]:
        """The matrix form for a library network (tanh hidden, sigmoid output, half squared error) with
        random parameters, data and mask, against `MLP.gradients(..., train=True)` and against centred
        differences of the library's training loss."""
        rng = rng if rng is not None else np.random.default_rng(0)
        alpha = 0.3 if self.alpha is not None else 0.0
        rate = 0.5 if self.masks is not None else 0.0
        net = MLP(self.sizes, hidden="tanh", output="sigmoid", loss="mse", dropout=rate, l2=alpha)
        for key in net.params:
            net.params[key] = rng.normal(scale=0.8, size=net.params[key].shape)
        X = rng.normal(size=(self.n_samples, self.sizes[0]))
        Y = rng.uniform(0.05, 0.95, size=(self.n_samples, self.sizes[-1]))
        masks = net.dropout_masks(self.n_samples, rng) if rate else None
        u, v = sp.symbols("u v")
        replace = {self.functions["f_{1}"]: sp.Lambda(u, sp.tanh(u)),
                   self.functions["f_{2}"]: sp.Lambda(u, 1 / (1 + sp.exp(-u))),
                   self.functions[r"\ell"]: sp.Lambda((u, v), LOSS_TABLE["mse"].entry(u, v))}
        values = {sym: sp.Float(float(x), 30) for key, M in self.symbols.items()
                  for sym, x in zip(M, np.ravel(net.params[key]), strict=True)}
        for M, A in ((self.X, X), (self.Y, Y)) + (((self.masks, masks[1]),) if rate else ()):
            values.update({sym: sp.Float(float(x), 30) for sym, x in zip(M, np.ravel(A), strict=True)})
        if self.alpha is not None:
            values[self.alpha] = sp.Float(alpha, 30)
        keys = list(net.params)
        want = np.concatenate([np.array(self.matrix_form[k].subs(replace).doit().xreplace(values).evalf(30),
                                        dtype=float).ravel() for k in keys])
        library = net.gradients(X, Y, train=True, masks=masks)
        got = np.concatenate([library[k].ravel() for k in keys])
        params = {k: p.copy() for k, p in net.params.items()}

        def loss(flat: np.ndarray) -> float:
            start = 0
            for k in keys:
                net.params[k] = flat[start:start + params[k].size].reshape(params[k].shape)
                start += params[k].size
            return net.loss(X, Y, train=True, masks=masks)

        fd = centred_differences(loss, np.concatenate([params[k].ravel() for k in keys]))
        return [compare("matrix form", "library", got, want, LIBRARY_TOLERANCE),
                compare("matrix form", "finite differences", fd, want, FD_TOLERANCE)]

    def check(self) -> None:
        fail_if(self.proofs() + [str(c) for c in self.compare() if not c.ok], self.what)


def _derivative(f: sp.Function, M: sp.Matrix) -> sp.Matrix:
    u = sp.Dummy("u")
    fprime = sp.diff(f(u), u)
    return M.applyfunc(lambda m: fprime.subs(u, m))


def _training_rule(sizes: list[int], n_samples: int, dropout: bool, l2: bool) -> TrainingRuleProof:
    start = time.perf_counter()
    N, L = n_samples, len(sizes) - 1
    P = parameter_symbols(sizes)
    X = sp.Matrix(N, sizes[0], lambda i, j: sp.Symbol(f"x_{{{i + 1}{j + 1}}}"))
    Y = sp.Matrix(N, sizes[-1], lambda i, k: sp.Symbol(f"y_{{{i + 1}{k + 1}}}"))
    M = sp.Matrix(N, sizes[1], lambda i, k: sp.Symbol(f"m_{{{i + 1}{k + 1}}}")) if dropout else None
    alpha = sp.Symbol(r"\alpha", positive=True) if l2 else None
    f = {l: sp.Function(f"f_{{{l}}}") for l in range(1, L + 1)}
    ell = sp.Function(r"\ell")
    ones = sp.ones(N, 1)
    Z, A = {}, {0: X}
    for l in range(1, L + 1):
        Z[l] = A[l - 1] * P[f"W{l}"] + ones * P[f"b{l}"]
        A[l] = Z[l].applyfunc(f[l])
        if l == 1 and M is not None:
            A[l] = A[l].multiply_elementwise(M)
    loss = sp.Add(*[ell(A[L][i, k], Y[i, k]) for i in range(N) for k in range(sizes[-1])]) / N
    if alpha is not None:
        loss += alpha / 2 * sum(w**2 for l in range(1, L + 1) for w in P[f"W{l}"])
    elementwise = {key: S.applyfunc(lambda p: sp.diff(loss, p)) for key, S in P.items()}
    u = sp.Dummy("u")
    delta = {L: sp.Matrix(N, sizes[-1], lambda i, k: sp.diff(ell(u, Y[i, k]), u).subs(u, A[L][i, k]) / N)
             .multiply_elementwise(_derivative(f[L], Z[L]))}
    for l in range(L - 1, 0, -1):
        back = delta[l + 1] * P[f"W{l + 1}"].T
        if l == 1 and M is not None:
            back = back.multiply_elementwise(M)
        delta[l] = back.multiply_elementwise(_derivative(f[l], Z[l]))
    form = {}
    for l in range(1, L + 1):
        decay = alpha * P[f"W{l}"] if alpha is not None else sp.zeros(*P[f"W{l}"].shape)
        form[f"W{l}"] = A[l - 1].T * delta[l] + decay
        form[f"b{l}"] = ones.T * delta[l]
    matrix_form = {key: form[key] for key in P}
    differences = {key: (elementwise[key] - matrix_form[key]).applyfunc(sp.expand) for key in P}
    functions = {str(fn): fn for fn in f.values()} | {r"\ell": ell}
    return TrainingRuleProof(list(sizes), N, X, Y, P, M, alpha, functions, elementwise, matrix_form, differences,
                             time.perf_counter() - start)


def derive_dropout(sizes: tuple[int, int, int] = (2, 2, 1), n_samples: int = 2) -> TrainingRuleProof:
    """Prove the delta rule through a hidden layer with a dropout mask (its entries constant symbols).

    Parameters
    ----------
    sizes
        [n₀, n₁, n₂]: one hidden layer, with the mask.
    n_samples
        N.

    Returns
    -------
    TrainingRuleProof
        The proof.

    Examples
    --------
    >>> d = derive_dropout()
    >>> d.proved, d.masks.shape
    (True, (2, 2))
    """
    return _training_rule(_three(sizes), n_samples, dropout=True, l2=False)


def derive_weight_decay(sizes: tuple[int, int, int] = (2, 2, 1), n_samples: int = 2) -> TrainingRuleProof:
    """Prove that the L2 penalty (α/2) Σ w² adds α W⁽ˡ⁾ to each weight gradient of the delta rule.

    Parameters
    ----------
    sizes
        [n₀, n₁, n₂].
    n_samples
        N.

    Returns
    -------
    TrainingRuleProof
        The proof.

    Examples
    --------
    >>> d = derive_weight_decay()
    >>> d.proved, d.alpha
    (True, \\alpha)
    """
    return _training_rule(_three(sizes), n_samples, dropout=False, l2=True)


def _three(sizes: tuple[int, ...]) -> list[int]:
    sizes = list(sizes)
    if len(sizes) != 3 or any(not isinstance(v, int) or v < 1 for v in sizes):
        raise ValueError(f"sizes must be three positive integers [n0, n1, n2], got {sizes!r}")
    return sizes
