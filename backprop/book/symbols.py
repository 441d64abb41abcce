"""The book's symbols: one table, the only place where a symbol's meaning is written.

The symbols page shows the whole table (:func:`symbol_table`), the notation chapter the groups of
its own symbols; a page that wants its reader to
have the symbols at hand before the notation chapter shows a box of the ones it uses
(:func:`symbol_box`), drawn from the same entries, with a link to the table. So a meaning is
written once, here, and every page that shows it shows the same words.

Examples
--------
>>> [s.tex for s in SYMBOLS if s.key in ("N", "L")]
['N', 'L']
>>> symbol_rows(["delta"])[0][0]
'$\\\\delta^{(l)}$'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .numbers import num

__all__ = ["GROUPS", "SYMBOLS", "Symbol", "symbol_box", "symbol_rows", "symbol_table"]


@dataclass(frozen=True)
class Symbol:
    """One row of the notation table: ``tex`` (math, without dollars), ``meaning`` (Markdown with
    ``$...$``), ``code`` (where it lives in the library, Markdown) and the ``group`` it is listed under."""

    key: str
    tex: str
    meaning: str
    code: str
    group: str


_EPS64 = num(float(np.finfo(np.float64).eps), 2)
_EPS32 = num(float(np.finfo(np.float32).eps), 2)

_SIZES, _FORWARD, _LOSS, _TRAINING, _INIT, _NUMERICS, _GRAPHS = (
    "Sizes and indices", "Data and the forward pass", "Loss and gradients", "Training", "Initialisation",
    "Numerics", "Computational graphs")

SYMBOLS: tuple[Symbol, ...] = (
    # -- sizes and indices
    Symbol("N", "N", "number of samples in a batch", "`len(X)`", _SIZES),
    Symbol("i", "i", r"a sample of the batch, $i = 1, \dots, N$ (row $i$ of $X$)", "row `i - 1`", _SIZES),
    Symbol("l", "l", r"a layer, $l = 0, 1, \dots, L$; layer $0$ holds the inputs",
           "`W{l}`, `b{l}`, `z[l]`, `a[l]`", _SIZES),
    Symbol("L", "L", "index of the output layer, so the network has $L$ layers of weights "
           r"(never the loss: that is $\mathcal{L}$)", "`net.n_layers`", _SIZES),
    Symbol("n_l", "n_l", "number of units of layer $l$: $n_0$ inputs, $n_L$ outputs", "`net.sizes[l]`", _SIZES),
    Symbol("k", "k", r"a unit of layer $l$, $k = 1, \dots, n_l$", "column `k - 1`", _SIZES),
    Symbol("j", "j", r"a unit of layer $l-1$, $j = 1, \dots, n_{l-1}$", "row `j - 1` of `W{l}`", _SIZES),
    Symbol("B", "B", r"number of samples in a mini-batch: $\lceil N/B \rceil$ steps per epoch", "`batch_size`",
           _SIZES),
    # -- data and the forward pass
    Symbol("x", "x,\\ X", r"input: one sample, a row ($1 \times n_0$); a batch, $N \times n_0$; "
           "$x = a^{(0)}$, $X = A^{(0)}$", "`X`", _FORWARD),
    Symbol("y", "y,\\ Y", r"target: one sample, a row ($1 \times n_L$); a batch, $N \times n_L$", "`Y`", _FORWARD),
    Symbol("yhat", "\\hat y,\\ \\hat Y", r"prediction: $\hat y = a^{(L)}$, $\hat Y = A^{(L)}$",
           "`net.predict(X)`", _FORWARD),
    Symbol("z", "z^{(l)},\\ Z^{(l)}", r"pre-activation of layer $l$: one sample, a row ($1 \times n_l$) with "
           r"entries $z^{(l)}_k$; a batch, $N \times n_l$ with entries $z^{(l)}_{ik}$", "`fp.z[l]`", _FORWARD),
    Symbol("a", "a^{(l)},\\ A^{(l)}", r"activation of layer $l$, $a^{(l)} = f_l(z^{(l)})$, shaped like $z^{(l)}$ "
           r"and $Z^{(l)}$ (hidden activations are never written $h$)", "`fp.a[l]`", _FORWARD),
    Symbol("f", "f_l,\\ f_l'", "activation function of layer $l$, applied to each entry (softmax: to each row), "
           "and its derivative", "`net.activations[l - 1]`", _FORWARD),
    Symbol("sigma", "\\sigma", r"the sigmoid, $\sigma(z) = 1/(1 + e^{-z})$", "`bp.sigmoid`", _FORWARD),
    Symbol("W", "W^{(l)}", r"weights into layer $l$, $n_{l-1} \times n_l$: a row per unit of layer $l-1$ (the weights "
           "leaving it), a column per unit of layer $l$ (those arriving)", "`W{l}`", _FORWARD),
    Symbol("w", "w^{(l)}_{jk}", r"entry $(j, k)$ of $W^{(l)}$: the weight *from* unit $j$ of layer $l-1$ "
           "*to* unit $k$ of layer $l$", "`W{l}[j - 1, k - 1]`", _FORWARD),
    Symbol("b", "b^{(l)}", r"biases of layer $l$, a row ($1 \times n_l$) with entries $b^{(l)}_k$; "
           "updated biases are rows too", "`b{l}`, shape `(n_l,)`", _FORWARD),
    Symbol("w111", "w^{(l)},\\ b^{(l)}", "with one unit per layer (the 1-1-1 network): "
           r"$w^{(l)} = w^{(l)}_{11}$ and $b^{(l)} = b^{(l)}_1$", "`W{l}[0, 0]`, `b{l}[0]`", _FORWARD),
    Symbol("standardise", "\\bar x,\\ s_x", r"mean and standard deviation of a column of data $x$ over its "
           r"samples (likewise $\bar y$, $s_y$); standardising maps $x$ to $(x - \bar x)/s_x$",
           "`x.mean(axis=0)`, `x.std(axis=0)`", _FORWARD),
    Symbol("ones", "\\mathbf{1}_N", r"column of $N$ ones ($N \times 1$); $\mathbf{1}_N b^{(l)}$ repeats the bias "
           "row in all $N$ rows", "NumPy broadcasting", _FORWARD),
    Symbol("Wcol", "W^{(l)}_{\\text{col}},\\ x_{\\text{col}}", r"the same weights in the column convention, where a "
           r"sample is a column: $(W^{(l)})^\top$, $n_l \times n_{l-1}$; a row of ours stood up as a column, "
           r"$x_{\text{col}} = x^\top$", "`W{l}.T`", _FORWARD),
    Symbol("nielsen", "w^{l}_{jk}\\ \\text{(Nielsen)}", "Nielsen's *Neural Networks and Deep Learning* "
           "writes (to, from) and numbers the input layer 1: his $w^{l}_{jk}$ is our $w^{(l-1)}_{kj}$",
           "`W{l-1}[k - 1, j - 1]`", _FORWARD),
    # -- loss and gradients
    Symbol("ell", "\\ell", r"per-entry loss $\ell(\hat y_{ik}, y_{ik})$, e.g. the half squared error "
           r"$\tfrac12(\hat y - y)^2$ or the binary cross-entropy", '`loss="mse"`, `loss="bce"`', _LOSS),
    Symbol("Li", "\\mathcal{L}_i", r"loss of sample $i$, $\sum_{k=1}^{n_L} \ell(\hat y_{ik}, y_{ik})$", "", _LOSS),
    Symbol("loss", "\\mathcal{L}", r"the loss: the mean over the batch, $\mathcal{L} = \frac1N \sum_{i=1}^{N} "
           r"\mathcal{L}_i$", "`net.loss(X, Y)`", _LOSS),
    Symbol("delta", "\\delta^{(l)}", r"$\partial \mathcal{L}/\partial Z^{(l)}$, $N \times n_l$ with entries "
           r"$\delta^{(l)}_{ik}$; it carries the $1/N$ of the mean", "`net.deltas(X, Y)[l]`", _LOSS),
    Symbol("grads", "\\partial \\mathcal{L}/\\partial W^{(l)},\\ \\partial \\mathcal{L}/\\partial b^{(l)}",
           r"gradients, shaped like $W^{(l)}$ and $b^{(l)}$: "
           r"$(A^{(l-1)})^\top \delta^{(l)}$ and the row $\mathbf{1}_N^\top \delta^{(l)}$",
           '`net.gradients(X, Y)["W1"]`', _LOSS),
    Symbol("odot", "\\odot", "elementwise product of two arrays of the same shape", "`*`", _LOSS),
    Symbol("top", "{}^\\top", "transpose", "`.T`", _LOSS),
    Symbol("G", "G", r"$\partial \mathcal{L}/\partial \hat Y$ ($N \times n_L$, rows $G_{i\cdot}$): the loss's "
           r"derivatives with respect to the outputs, which the output delta multiplies by $f_L'$ or, for softmax, "
           r"by each sample's Jacobian $J_i$", "`net.loss_fn.gradient(Yhat, Y)`", _LOSS),
    Symbol("J", "J", r"Jacobian of a function of a row vector, e.g. softmax's $\partial a^{(L)}/\partial z^{(L)}$ "
           r"($n_L \times n_L$): entry $(r, c)$ is $\partial a^{(L)}_r / \partial z^{(L)}_c$",
           "`bp.softmax_jacobian`", _LOSS),
    Symbol("Pr", "\\Pr(y \\mid \\hat y)", r"probability (for a continuous target, probability density) of the "
           r"target $y$ under the distribution whose parameter is the network's output $\hat y$; "
           r"$-\log \Pr(y \mid \hat y)$ is the loss of the sample, up to a scale and a constant", "", _LOSS),
    Symbol("s_noise", "s", r"standard deviation of the Gaussian noise when the half squared error is read as "
           r"a negative log-likelihood, $y \sim \mathcal{N}(\hat y, s^2)$ (a normal distribution, as below)",
           "", _LOSS),
    Symbol("iverson", "[r = c],\\ [a > 0]", r"$1$ if the condition holds, else $0$; $[r = c]$ is the Kronecker "
           r"delta ($\delta$ is kept for $\partial \mathcal{L}/\partial Z$)", "`np.eye`, `(a > 0)`", _LOSS),
    # -- training
    Symbol("p", "p", r"any one parameter: an entry of some $W^{(l)}$ or $b^{(l)}$", "", _TRAINING),
    Symbol("theta", "\\theta", "all parameters as one vector", "", _TRAINING),
    Symbol("P", "P", r"number of parameters, the length of $\theta$",
           "`sum(p.size for p in net.params.values())`", _TRAINING),
    Symbol("grad", "\\nabla \\mathcal{L},\\ \\lVert \\nabla \\mathcal{L} \\rVert",
           r"gradient of $\mathcal{L}$ with respect to $\theta$, and its Euclidean norm", "`history.grad_norm`",
           _TRAINING),
    Symbol("eta", "\\eta", r"learning rate: a step of gradient descent is $p \leftarrow p - \eta\, "
           r"\partial \mathcal{L}/\partial p$", "`lr`", _TRAINING),
    Symbol("star", "\\theta^*,\\ \\mathcal{L}^*", r"the parameters at the minimum of the loss, and the minimum "
           r"value $\mathcal{L}^* = \mathcal{L}(\theta^*)$", "", _TRAINING),
    Symbol("H", "H", r"Hessian of $\mathcal{L}$ with respect to $\theta$", "", _TRAINING),
    Symbol("Xtilde", "\\tilde X", r"the inputs with a column of ones appended, $[X \;\; \mathbf{1}_N]$: a linear "
           r"model's predictions are $\tilde X \theta$, with the bias last in $\theta$", "`np.hstack([X, ones])`",
           _TRAINING),
    Symbol("I", "I", "identity matrix", "`np.eye`", _TRAINING),
    Symbol("lambda", "\\lambda,\\ \\lambda_{\\min},\\ \\lambda_{\\max}",
           "eigenvalues of $H$; the smallest and the largest", "", _TRAINING),
    Symbol("kappa", "\\kappa", r"condition number $\lambda_{\max}/\lambda_{\min}$", "", _TRAINING),
    Symbol("eta_c", "\\eta_c", r"critical learning rate $2/\lambda_{\max}$: on a quadratic loss with "
           r"positive-definite $H$, gradient descent converges from every start for $\eta < \eta_c$ and "
           r"diverges from almost every start for $\eta > \eta_c$", "", _TRAINING),
    Symbol("tau", "\\tau", r"clipping threshold: a gradient with $\lVert \nabla \mathcal{L} \rVert > \tau$ is "
           r"scaled down to norm $\tau$ before the step", "", _TRAINING),
    # -- optimisers, regularisation, batch normalisation (the chapters of "Training in practice")
    Symbol("g", r"g,\ g_t", r"a gradient $\partial \mathcal{L}/\partial p$ as an optimiser receives it (all "
           r"parameters together where a vector is meant); $g_t$ at step $t$", "`grads`", _TRAINING),
    Symbol("t", "t", r"step counter of an optimiser, $t = 1, 2, \dots$", "`opt.steps`", _TRAINING),
    Symbol("gi", r"g_i,\ \bar g,\ g_B,\ V", r"the gradient of sample $i$'s loss $\mathcal{L}_i$ (all parameters "
           r"as one vector), their mean $\bar g$ (the gradient of $\mathcal{L}$), the mean $g_B$ over a mini-batch "
           r"of $B$ samples, and $V = \frac1N \sum_i \lVert g_i - \bar g \rVert^2$, the spread of the $g_i$",
           "`net.gradients(X[[i]], Y[[i]])`", _TRAINING),
    Symbol("mu", r"\mu,\ m", r"momentum coefficient ($0 \le \mu < 1$) and the velocity $m$ (PyTorch's momentum "
           r"buffer): $m \leftarrow \mu m + g$, $p \leftarrow p - \eta m$; Adam keeps a mean of $g$ in $m$ too, "
           r"$m \leftarrow \beta_1 m + (1 - \beta_1) g$", '`bp.Momentum(mu=...)`, `opt.state[key]["v"]`, `["m"]`',
           _TRAINING),
    Symbol("rho", r"\rho,\ r", r"RMSProp's decay and its running mean of squared gradients, "
           r"$r \leftarrow \rho r + (1 - \rho)\, g \odot g$", '`bp.RMSProp(rho=...)`, `state["r"]`', _TRAINING),
    Symbol("adam", r"\beta_1,\ \beta_2,\ \hat m,\ \hat r", r"Adam's decays of its running means of $g$ "
           r"($m$) and of $g \odot g$ ($r$), and the two means bias-corrected (hats)",
           '`bp.Adam(beta1=..., beta2=...)`, `state["m"]`', _TRAINING),
    Symbol("epsilon", r"\epsilon", r"a small constant that keeps a division finite (RMSProp's and Adam's, "
           r"batch normalisation's); not the machine epsilon $\varepsilon$",
           "`eps=`, `bp.BATCH_NORM_EPSILON`", _TRAINING),
    Symbol("alpha", r"\alpha", r"weight-decay coefficient: the L2 penalty $\frac{\alpha}{2}\sum_l "
           r"\lVert W^{(l)} \rVert^2$ in the training loss, or AdamW's decoupled decay", "`MLP(l2=...)`, "
           "`bp.AdamW(weight_decay=...)`", _TRAINING),
    Symbol("Lalpha", r"\mathcal{L}_\alpha", r"the training loss with the L2 penalty, $\mathcal{L} + \frac{\alpha}{2} "
           r"\sum_l \lVert W^{(l)} \rVert^2$", "`net.loss(X, Y, train=True)`", _TRAINING),
    Symbol("q", r"q,\ M^{(l)}", r"dropout: the probability $q$ of keeping a hidden unit, and the mask $M^{(l)}$ "
           r"(entries $0$ or $1/q$) that multiplies $A^{(l)}$ in training", "`dropout=1 - q`, "
           "`fp.masks[l]`", _TRAINING),
    Symbol("bn", r"\tilde Z^{(l)},\ \bar z^{(l)},\ s^{(l)},\ \hat Z^{(l)}", r"batch normalisation: the linear "
           r"part $A^{(l-1)} W^{(l)}$, its mean and its standard deviation (with $\epsilon$) over the batch, both "
           "rows, and the normalised result",
           "`fp.norms[l]`", _TRAINING),
    Symbol("gamma", r"\gamma^{(l)},\ \beta^{(l)}", "batch normalisation's learned scale and shift of each "
           "column of the normalised result (rows)", "`gamma{l}`, `beta{l}`", _TRAINING),
    # -- initialisation
    Symbol("expectation", "\\mathbb{E},\\ \\operatorname{Var}",
           "expectation and variance over the random initial weights "
           r"(and the inputs), or over dropout masks; $\operatorname{Var}(w^{(l)})$ is the variance every entry of "
           r"$W^{(l)}$ is drawn with",
           "`W.var()`", _INIT),
    Symbol("normal", "\\mathcal{N}(0, s^2)", "normal distribution of mean $0$ and standard deviation $s$ "
           "(variance $s^2$)", "`rng.normal(0, s)`", _INIT),
    Symbol("chi", "\\chi", r"factor by which an activation $f$ scales the second moment of a normal "
           r"pre-activation, $\mathbb{E}[f(z)^2] / \mathbb{E}[z^2]$",
           "", _INIT),
    Symbol("uniform", "\\mathcal{U}(-u, u)", r"uniform distribution on the interval $(-u, u)$, variance $u^2/3$",
           "`rng.uniform(-u, u)`", _INIT),
    # -- numerics
    Symbol("Delta", "\\Delta", r"a small change of the quantity it precedes: $\Delta x$, $\Delta \mathcal{L}$",
           "", _NUMERICS),
    Symbol("h", "h", r"step of a finite difference, as in $\bigl(\mathcal{L}(p + h) - \mathcal{L}(p - h)\bigr)/2h$",
           "`check_gradients(..., h=...)`", _NUMERICS),
    Symbol("ghat", r"\hat g", r"a finite-difference estimate of a derivative $g = \partial \mathcal{L}/\partial p$ "
           r"(backpropagation's value) for one parameter entry $p$", "`report.parameters[key].numeric`", _NUMERICS),
    Symbol("nu", r"\nu", "the rounding noise of one computed value of the loss (a standard deviation)",
           "`report.loss_noise`", _NUMERICS),
    Symbol("eps", "\\varepsilon", f"machine epsilon, the gap between 1 and the next floating-point number: "
           f"{_EPS64} in float64, {_EPS32} in float32", "`np.finfo(dtype).eps`", _NUMERICS),
    # -- computational graphs
    Symbol("v", "v,\\ u", r"values (nodes) of a computational graph; $u$ is a parent of $v$ when $v$ is computed "
           r"from $u$, and the edge from $u$ to $v$ carries the local derivative $\partial v/\partial u$",
           "`backprop.autodiff.Value`, `v.parents`", _GRAPHS),
    Symbol("vbar", "\\bar v", r"upstream gradient of $v$: the derivative of the graph's output with respect to $v$, "
           r"summed over every path from $v$ to the output; for the loss, $\bar v = \partial \mathcal{L}/\partial v$ "
           r"and $\bar{\mathcal{L}} = 1$", "`v.grad` after `loss.backward()`", _GRAPHS),
    Symbol("vdot", "\\dot v", r"tangent of $v$ in forward accumulation: the derivative of $v$ with respect to one "
           "chosen input", "", _GRAPHS),
    Symbol("E", "E", "number of edges of a computational graph (one local derivative each)", "", _GRAPHS),
    Symbol("nio", "n_{\\text{in}},\\ n_{\\text{out}}", "numbers of inputs and outputs of a function whose "
           "derivatives are wanted", "", _GRAPHS),
)
"""Every symbol of the book, in the order of the notation table."""

_BY_KEY = {s.key: s for s in SYMBOLS}
if len(_BY_KEY) != len(SYMBOLS):  # pragma: no cover - a typo in the table above
    raise RuntimeError("two symbols share a key")


def _lookup(keys: Iterable[str] | None) -> list[Symbol]:
    if keys is None:
        return list(SYMBOLS)
    keys = list(keys)
    unknown = [k for k in keys if k not in _BY_KEY]
    if unknown:
        raise KeyError(f"no symbol {unknown!r}; known: {', '.join(_BY_KEY)}")
    return [_BY_KEY[k] for k in keys]


def symbol_rows(keys: Iterable[str] | None = None, code: bool = True) -> list[list[str]]:
    """Rows ``[symbol, meaning, library]`` (or without the library column) for ``keys`` (default: all).

    >>> symbol_rows(["N"])
    [['$N$', 'number of samples in a batch', '`len(X)`']]
    """
    rows = []
    for s in _lookup(keys):
        row = [f"${s.tex}$", s.meaning]
        if code:
            row.append(s.code)
        rows.append(row)
    return rows


GROUPS: tuple[str, ...] = tuple(dict.fromkeys(s.group for s in SYMBOLS))
"""The table's groups in order; the first three (sizes, the forward pass, loss and gradients) are the
notation chapter's, the others belong to later chapters."""


def symbol_table(groups: Sequence[str] | None = None) -> None:
    """Show the notation table (default: every group), grouped, as one Markdown table.

    The symbols page shows all of it; the notation chapter the groups of its own symbols.
    """
    from .pages import md_table

    if groups is not None:
        unknown = [g for g in groups if g not in GROUPS]
        if unknown:
            raise KeyError(f"no group {unknown!r}; groups: {', '.join(GROUPS)}")
    rows: list[list[str]] = []
    group = None
    for s, row in zip(SYMBOLS, symbol_rows(), strict=True):
        if groups is not None and s.group not in groups:
            continue
        if s.group != group:
            group = s.group
            rows.append([f"**{group}**", "", ""])
        rows.append(row)
    md_table(["symbol", "meaning", "in the library"], rows, align="lll")


def symbol_box(keys: Sequence[str], link: str = "symbols.py", heading: str = "Symbols on this page") -> None:
    """Show the symbols a page uses, with their meaning from the notation table and a link to it.

    ``heading`` says which symbols these are (e.g. only the ones the page adds to the notation chapter's).
    """
    from .pages import md, md_table

    md(f"**{heading}**, as defined in the [notation table]({link}):")
    md_table(["symbol", "meaning"], symbol_rows(keys, code=False), align="ll")
