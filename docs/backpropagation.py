# %% [markdown]
# # Backpropagation in general
#
# The worked examples ([1-1-1](worked-example-111.py), [3-2-1](worked-example-321.py)) differentiate
# one small network by hand. This chapter states the rule for every fully connected network whose
# hidden activations act elementwise (identity, sigmoid, tanh, ReLU), whatever its depth, widths and
# loss: four equations built around one quantity, the *delta* of a layer. We derive them entry by
# entry, check with SymPy that the matrix form equals the entrywise derivatives, extend the first
# equation to a softmax output, whose units each depend on a whole row, run the equations on a
# concrete 2-3-2-1 network, and then count what the backward pass costs in arithmetic and memory.
#
# Notation as in the rest of the book (the [notation table](symbols.py)): samples are rows,
# and layer $l$ computes, for a batch of $N$ samples,
#
# $$
# \begin{aligned}
# Z^{(l)} &= A^{(l-1)} W^{(l)} + \mathbf{1}_N\, b^{(l)}, \\
# A^{(l)} &= f_l\bigl(Z^{(l)}\bigr), \qquad A^{(0)} = X,
# \end{aligned}
# $$
#
# with $W^{(l)}$ of shape $n_{l-1} \times n_l$, the bias $b^{(l)}$ a row of $n_l$ entries and $\mathbf{1}_N$ the
# column of $N$ ones; $z^{(l)}_{ik}$ and $a^{(l)}_{ik}$ are the entries of sample $i$, unit $k$. The loss
# averages a per-entry loss over the samples:
# $\mathcal{L} = \frac{1}{N}\sum_{i=1}^{N}\sum_{k=1}^{n_L} \ell\bigl(a^{(L)}_{ik}, y_{ik}\bigr)$.

# %% tags=["hide-input"]
import sympy as sp
from IPython.display import Math, display

from backprop.book import column, figure, md, md_table, num, solution, tex

FD_TOL = 1e-7  # float64 finite differences against backpropagation: relative error (absolute for exact zeros)
N_sym = sp.Symbol("N", positive=True)
ell = sp.Function(r"\ell")
G = sp.Function(r"\mathcal{L}")  # the loss, as an undefined function of the quantities it depends on


def name_partials(expr, names):
    """Replace SymPy's Subs(Derivative(G(..., xi_k, ...), xi_k), ...) by the symbol names[k]."""
    repl = {}
    for s in expr.atoms(sp.Subs):
        (var,) = s.variables
        args = s.expr.expr.args  # the arguments of G inside Derivative(G(...), var)
        repl[s] = names[args.index(var)]
    return expr.xreplace(repl)


# %% [markdown]
# ## The delta of a layer
#
# Every parameter of layer $l$ reaches the loss through the pre-activations $Z^{(l)}$ of that
# layer. So the derivative of the loss with respect to those pre-activations is the natural
# quantity to carry backwards:
#
# $$
# \begin{aligned}
# \delta^{(l)}_{ik} &= \partial \mathcal{L} / \partial z^{(l)}_{ik}
# \quad \text{(sample } i\text{, unit } k\text{)}, \\
# \delta^{(l)} &= \partial \mathcal{L} / \partial Z^{(l)} .
# \end{aligned}
# $$
#
# $\delta^{(l)}$ has the shape of $Z^{(l)}$, $N \times n_l$: one row per sample, one column per unit.
# Once the deltas are known, every weight and bias gradient is one product away, and the deltas of one
# layer follow from those of the next. That is the whole algorithm.
#
# ## Four equations, derived entry by entry
#
# This section assumes that each activation acts *elementwise*: $a^{(l)}_{ik} = f_l(z^{(l)}_{ik})$
# depends on $z^{(l)}_{ik}$ alone, as it does for identity, sigmoid, tanh and ReLU.
#
# **Output layer.** $z^{(L)}_{ik}$ influences the loss only through $a^{(L)}_{ik} = f_L(z^{(L)}_{ik})$,
# a single path, so the chain rule has one term. SymPy, with $\ell$ and $f_L$ left as undefined
# functions:

# %% tags=["hide-input"]
z_out, y_out = sp.symbols("z^{(L)}_{ik} y_{ik}")
f_L = sp.Function("f_L")
d_out = sp.diff(ell(f_L(z_out), y_out) / N_sym, z_out)
# Name what SymPy produced: d f_L(z)/dz is f_L'(z), and f_L(z) is the activation a.
a_out, fL_prime = sp.symbols(r"a^{(L)}_{ik} f_L'(z^{(L)}_{ik})")
d_named = d_out.xreplace({sp.Derivative(f_L(z_out), z_out): fL_prime}).xreplace({f_L(z_out): a_out})
assert d_named.has(fL_prime) and not d_named.has(f_L)
display(sp.Eq(sp.Symbol(r"\delta^{(L)}_{ik}"), d_named))

# %% [markdown]
# One factor, $\frac{1}{N}\,\partial \ell / \partial a^{(L)}_{ik}$, is $\partial \mathcal{L} / \partial a^{(L)}_{ik}$
# (with the $1/N$ of the average), the other is $f_L'(z^{(L)}_{ik})$: entry by entry, the output delta
# is a product, which for whole matrices is the elementwise (Hadamard) product $\odot$. For the identity
# output with the half squared error and the sigmoid output with binary cross-entropy this product
# simplifies to $(\hat y - y)/N$ (the fused deltas of [loss functions](loss-functions.py)).
#
# **Hidden layer.** (Here $j$ is a unit of layer $l$, $k$ one of layer $l+1$.) $z^{(l)}_{ij}$ changes
# $a^{(l)}_{ij}$, which feeds *every* unit $k$ of layer $l+1$ (for the same sample $i$):
# $z^{(l+1)}_{ik} = \sum_j a^{(l)}_{ij} w^{(l+1)}_{jk} + b^{(l+1)}_k$.
# The paths meet again in the loss, so their contributions add (the multi-path
# [chain rule](chain-rule.py)). Below, SymPy differentiates a loss that is an undefined function of two
# units of layer $l+1$ (the other terms of their sums, which do not depend on it, are left as symbols), and
# we name the derivatives it
# produces $\delta^{(l+1)}_{ik} = \partial \mathcal{L} / \partial z^{(l+1)}_{ik}$:

# %% tags=["hide-input"]
zh = sp.Symbol("z^{(l)}_{ij}")
f_l = sp.Function("f_l")
w_j1, w_j2, r1, r2 = sp.symbols("w^{(l+1)}_{j1} w^{(l+1)}_{j2} c_1 c_2")
d1, d2 = sp.symbols(r"\delta^{(l+1)}_{i1} \delta^{(l+1)}_{i2}")
fprime = sp.Symbol(r"f_l'(z^{(l)}_{ij})")
hidden = sp.diff(G(f_l(zh) * w_j1 + r1, f_l(zh) * w_j2 + r2), zh)
hidden = name_partials(hidden, [d1, d2]).subs(sp.Derivative(f_l(zh), zh), fprime)
hidden = sp.factor(hidden)
display(sp.Eq(sp.Symbol(r"\delta^{(l)}_{ij}"), hidden))
assert sp.expand(hidden - fprime * (d1 * w_j1 + d2 * w_j2)) == 0

# %% [markdown]
# With $n_{l+1}$ units the bracket is $\sum_k \delta^{(l+1)}_{ik} w^{(l+1)}_{jk}$, which is entry
# $(i, j)$ of the matrix product $\delta^{(l+1)} {W^{(l+1)}}^{\top}$.
#
# **Weights and biases.** $w^{(l)}_{jk}$ appears in
# $z^{(l)}_{ik} = \sum_j a^{(l-1)}_{ij} w^{(l)}_{jk} + b^{(l)}_k$ for *every* sample $i$; again the
# contributions add, one per sample (two samples here, the rest of each sum left as a symbol):

# %% tags=["hide-input"]
w_jk = sp.Symbol("w^{(l)}_{jk}")
a1j, a2j, s1, s2 = sp.symbols("a^{(l-1)}_{1j} a^{(l-1)}_{2j} c_1 c_2")
e1, e2 = sp.symbols(r"\delta^{(l)}_{1k} \delta^{(l)}_{2k}")
weight = name_partials(sp.diff(G(a1j * w_jk + s1, a2j * w_jk + s2), w_jk), [e1, e2])
display(sp.Eq(sp.Symbol(r"\partial \mathcal{L} / \partial w^{(l)}_{jk}"), weight))
assert sp.expand(weight - (a1j * e1 + a2j * e2)) == 0
b_k = sp.Symbol("b^{(l)}_k")
bias = name_partials(sp.diff(G(s1 + b_k, s2 + b_k), b_k), [e1, e2])
display(sp.Eq(sp.Symbol(r"\partial \mathcal{L} / \partial b^{(l)}_{k}"), bias))
assert sp.expand(bias - (e1 + e2)) == 0

# %% [markdown]
# $\sum_i a^{(l-1)}_{ij}\,\delta^{(l)}_{ik}$ is entry $(j, k)$ of ${A^{(l-1)}}^{\top} \delta^{(l)}$,
# and the bias gradient is the sum of the rows of $\delta^{(l)}$, $\mathbf{1}_N^{\top} \delta^{(l)}$: a row, like
# $b^{(l)}$. Together, the four equations of backpropagation:
#
# $$
# \begin{aligned}
# \delta^{(L)} &= \frac{\partial \mathcal{L}}{\partial A^{(L)}} \odot f_L'\bigl(Z^{(L)}\bigr), \\
# \delta^{(l)} &= \bigl(\delta^{(l+1)} {W^{(l+1)}}^{\top}\bigr) \odot f_l'\bigl(Z^{(l)}\bigr), \\
# \frac{\partial \mathcal{L}}{\partial W^{(l)}} &= {A^{(l-1)}}^{\top}\, \delta^{(l)}, \\
# \frac{\partial \mathcal{L}}{\partial b^{(l)}} &= \mathbf{1}_N^{\top}\, \delta^{(l)} ,
# \end{aligned}
# $$
#
# where $\partial \mathcal{L} / \partial A^{(L)}$ is the $N \times n_L$ matrix of the
# $\partial \mathcal{L} / \partial a^{(L)}_{ik}$ and $f'$ is applied to every entry. The shapes check
# themselves: $(N \times n_{l+1})(n_{l+1} \times n_l)$ gives the $N \times n_l$ of $Z^{(l)}$, and
# $(n_{l-1} \times N)(N \times n_l)$ the $n_{l-1} \times n_l$ of $W^{(l)}$. The sum over samples is inside
# the matrix product; the average over samples is inside $\delta^{(L)}$ (its $1/N$).
#
# Only the first equation involves the output activation. The hidden-layer and weight equations above
# were derived with the loss left as an arbitrary function of the next layer's pre-activations, so they
# hold whatever the output layer does.
#
# ## The matrix form equals the entrywise derivatives
#
# The two-path pictures above are convincing but partial. `bs.prove_backprop_rule` takes a whole
# network with *everything* symbolic (inputs $x_{ij}$, targets $y_{ik}$, every weight and bias, an
# undefined elementwise activation per layer and an undefined loss $\ell$), differentiates the loss
# with respect to every parameter with `sympy.diff`, builds the four equations as SymPy matrices,
# and expands the difference:

# %%
import numpy as np

import backprop as bp
import backprop.symbolic as bs

proof = bs.prove_backprop_rule([2, 3, 2, 1], n_samples=2)
print("matrix form == sympy.diff for every parameter:", proof.proved)

# %% tags=["hide-input"]
proof.check()
assert proof.proved
n_entries = sum(D.rows * D.cols for D in proof.differences.values())
n_nonzero = sum(1 for D in proof.differences.values() for v in D if v != 0)
assert n_nonzero == 0 and n_entries == sum(a * b + b for a, b in zip([2, 3, 2], [3, 2, 1], strict=True))
md(f"""
For the 2-3-2-1 network and two samples that is {n_entries} parameters; all {n_entries}
differences expand to exactly zero (SymPy took {num(proof.seconds, 2)} s). Nothing about the activations
or the loss was assumed beyond differentiability and acting elementwise, so the same four equations
hold for identity, sigmoid, tanh, ReLU (away from its kink) and any per-entry loss. (The entrywise
derivation above is the argument for every size; the proof checks it, term by term, on one.)
""")

# %% [markdown]
# ## Softmax: an output that is not elementwise
#
# A classifier's softmax output, $\hat y_{ik} = e^{z^{(L)}_{ik}} / \sum_{m} e^{z^{(L)}_{im}}$, breaks the
# assumption: every output of a sample depends on every pre-activation of that sample. So
# $z^{(L)}_{im}$ reaches the loss through all $n_L$ outputs of its row, the paths add, and the first
# equation becomes a sum:
#
# $$
# \delta^{(L)}_{im} = \sum_{k=1}^{n_L} G_{ik}\, (J_i)_{km}, \quad\text{that is}\quad
# \delta^{(L)}_{i\cdot} = G_{i\cdot}\, J_i ,
# $$
#
# where $G = \partial \mathcal{L} / \partial \hat Y$ holds the loss's derivatives, row $G_{i\cdot}$ for
# sample $i$, and $J_i$ is the $n_L \times n_L$ Jacobian of its softmax, $(J_i)_{km} = \partial \hat y_{ik} /
# \partial z^{(L)}_{im} = \hat y_{ik}\bigl([k = m] - \hat y_{im}\bigr)$ (see
# [activation functions](activation-functions.py#softmax)). A row times a Jacobian
# is a *vector-Jacobian product*, one per sample. For an elementwise $f_L$ the Jacobian is diagonal and the
# product is the $\odot$ of the first equation; for softmax it is not, and multiplying out gives a form
# that never builds $J_i$:
#
# $$
# \delta^{(L)}_{im} = \hat y_{im}\Bigl(G_{im} - \sum_{k} G_{ik}\, \hat y_{ik}\Bigr) .
# $$
#
# SymPy checks it for $n_L = 3$ and one sample ($N = 1$, row index dropped), with the loss
# $\sum_k \ell(\hat y_k, y_k)$ left undefined ($G_k$ names its derivative $\partial \ell / \partial \hat y_k$):
# its derivative of that loss with respect to each $z_m$, through softmax written with exponentials, equals the
# product above, and differs from the elementwise rule $G_m\, \hat y_m (1 - \hat y_m)$, which keeps only the
# diagonal of $J$. For $m = 1$, with the outputs written $\hat y_k$, SymPy's derivative is

# %% tags=["hide-input"]
n_soft = 3
zs_soft = sp.symbols(f"z_1:{n_soft + 1}")
ys_soft = sp.symbols(f"y_1:{n_soft + 1}")
g_soft = sp.symbols(f"G_1:{n_soft + 1}")
yhat_soft = sp.symbols(f"\\hat{{y}}_1:{n_soft + 1}")
total = sum(sp.exp(v) for v in zs_soft)
outputs = [sp.exp(v) / total for v in zs_soft]  # softmax by its definition
sample_loss = sum(ell(outputs[k], ys_soft[k]) for k in range(n_soft))
soft_rows = []
for m in range(n_soft):
    derived = sp.diff(sample_loss, zs_soft[m])
    derived = derived.xreplace({s: g_soft[ys_soft.index(s.expr.expr.args[1])] for s in derived.atoms(sp.Subs)})
    vjp = outputs[m] * (g_soft[m] - sum(g_soft[k] * outputs[k] for k in range(n_soft)))
    diagonal_only = g_soft[m] * outputs[m] * (1 - outputs[m])
    assert sp.cancel(sp.together(derived - vjp)) == 0, m           # SymPy's derivative == the VJP form
    assert sp.cancel(sp.together(derived - diagonal_only)) != 0, m  # the elementwise rule is not
    # The same product written with the outputs named yhat_k (what the display shows).
    soft_rows.append(yhat_soft[m] * (g_soft[m] - sum(g_soft[k] * yhat_soft[k] for k in range(n_soft))))
# Column 1 of the Jacobian in the outputs, term by term: G_1 J_11 + G_2 J_21 + G_3 J_31.
J_col1 = [yhat_soft[k] * ((1 if k == 0 else 0) - yhat_soft[0]) for k in range(n_soft)]
assert sp.expand(sum(g * j for g, j in zip(g_soft, J_col1, strict=True)) - soft_rows[0]) == 0
col1 = [("+ " if k else "") + sp.latex(g_soft[k] * J_col1[k]) if not (g_soft[k] * J_col1[k])
        .could_extract_minus_sign() else "- " + sp.latex(-g_soft[k] * J_col1[k]) for k in range(n_soft)]
display(Math(r"\partial \Bigl(\textstyle\sum_{k=1}^{3} \ell(\hat y_k, y_k)\Bigr) \big/ \partial z_1 = "
             + " ".join(col1)))

# %% [markdown]
# which is $\hat y_1\bigl(G_1 - \sum_k G_k \hat y_k\bigr)$. In the network this is one line of NumPy for a
# whole batch. The library's softmax output uses exactly this product when it is paired with a loss other
# than cross-entropy; below it is paired with the half squared error, and the product is compared with the
# library's output delta and with the Jacobian product written out with `bp.softmax_jacobian`:

# %%
def softmax_vjp(Yhat, G):
    """delta(L) row by row: G_i J_i for the softmax Jacobians J_i, without building them."""
    return Yhat * (G - (G * Yhat).sum(axis=1, keepdims=True))


rng = np.random.default_rng(1)
clf = bp.MLP([3, 4, 3], hidden="tanh", output="softmax", loss="mse", seed=1)
X_s, Y_s = rng.normal(size=(5, 3)), rng.uniform(size=(5, 3))
fp_s = clf.forward(X_s)
G_s = (fp_s.output - Y_s) / len(X_s)                         # dL/dYhat of the half squared error
by_vjp = softmax_vjp(fp_s.output, G_s)
by_jacobian = np.einsum("ik,ikm->im", G_s, bp.softmax_jacobian(fp_s.z[2]))
library = clf.deltas(X_s, Y_s)[2]
print("VJP vs library:", np.abs(by_vjp - library).max(), " VJP vs Jacobian:", np.abs(by_vjp - by_jacobian).max())

# %% tags=["hide-input"]
diag_only = G_s * fp_s.output * (1 - fp_s.output)               # the elementwise rule, wrong here
diag_err = float(np.abs(diag_only - library).max() / np.abs(library).max())
vjp_err = float(np.abs(by_vjp - library).max() / np.abs(library).max())
jac_err = float(np.abs(by_jacobian - library).max() / np.abs(library).max())


def fd_gradients(net, X, Y, h=1e-5):
    """Centred differences of net.loss in every parameter entry (our own, independent of the library)."""
    out = {}
    for key, p in net.params.items():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            orig = p[idx]
            p[idx] = orig + h
            up = net.loss(X, Y)
            p[idx] = orig - h
            down = net.loss(X, Y)
            p[idx] = orig
            g[idx] = (up - down) / (2 * h)
        out[key] = g
    return out


def worst_error(analytic, numeric):
    """Largest relative error over non-zero entries, and largest absolute error over exact zeros."""
    a = np.concatenate([v.ravel() for v in analytic.values()])
    n = np.concatenate([numeric[k].ravel() for k in analytic])
    nz = a != 0
    rel = float(np.max(np.abs(a[nz] - n[nz]) / (np.abs(a[nz]) + np.abs(n[nz])), initial=0.0))
    zero_abs = float(np.max(np.abs(n[~nz]), initial=0.0))
    return rel, zero_abs, int(np.sum(~nz))


soft_fd_rel, soft_fd_zero, _ = worst_error(clf.gradients(X_s, Y_s), fd_gradients(clf, X_s, Y_s))
# With cross-entropy, G_ik = -y_ik / (N yhat_ik) and, each target row summing to 1, the product is the fused
# (yhat - y) / N; a row that does not sum to 1 does not collapse.
ce = bp.MLP([3, 4, 3], hidden="tanh", output="softmax", loss="cross_entropy", seed=1)
Y_onehot = bp.datasets.one_hot(rng.integers(0, 3, size=5), 3)
fp_ce = ce.forward(X_s)
vjp_ce = softmax_vjp(fp_ce.output, -Y_onehot / fp_ce.output / len(X_s))
fused_err = float(np.abs(vjp_ce - (fp_ce.output - Y_onehot) / len(X_s)).max())
lib_ce_err = float(np.abs(vjp_ce - ce.deltas(X_s, Y_onehot)[2]).max())
Y_loose = rng.uniform(size=(5, 3))  # rows that do not sum to 1
loose_gap = float(np.abs(softmax_vjp(fp_ce.output, -Y_loose / fp_ce.output / 5) - (fp_ce.output - Y_loose) / 5).max())
assert loose_gap > 0.01, loose_gap
assert vjp_err < 1e-12 and jac_err < 1e-12, (vjp_err, jac_err)
assert diag_err > 0.1, diag_err
assert soft_fd_rel < FD_TOL and soft_fd_zero < 1e-9, (soft_fd_rel, soft_fd_zero)
assert fused_err < 1e-15 and lib_ce_err < 1e-15, (fused_err, lib_ce_err)
md(f"""
The three agree to {num(max(vjp_err, jac_err), 1)} (relative to the largest delta), and the library's
gradients of this network agree with centred differences to a relative error of {num(soft_fd_rel, 2)}.
The elementwise rule, with only the diagonal of each $J_i$, is off by {num(diag_err, 2)} of the
largest delta. With cross-entropy, $G_{{ik}} = -y_{{ik}} / (N \\hat y_{{ik}})$ and, when the target row sums
to 1 (a one-hot row does), the product collapses to the fused $(\\hat y_{{i\\cdot}} - y_{{i\\cdot}})/N$ (here to
{num(max(fused_err, lib_ce_err), 1)}), which is what
the library computes for that pair, for instance for the 784-256-128-10 classifier below.
""")

# %% [markdown]
# ## A concrete 2-3-2-1 network
#
# Now numbers. The network has two inputs, hidden layers of 3 and 2 ReLU units, one identity output
# unit and the half squared error (`mse`), the regression set-up of one of the book's sources. Its
# weights and the four training samples (the rows of `X`, targets in `Y`) are our own choice:

# %%
net = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", loss="mse")
net.params.update(
    W1=np.array([[0.4, -0.6, 0.3], [0.7, 0.2, -0.5]]), b1=np.array([0.1, 0.2, 0.0]),
    W2=np.array([[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]]), b2=np.array([0.1, -0.1]),
    W3=np.array([[0.9], [-0.7]]), b3=np.array([0.05]),
)
X = np.array([[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0], [0.3, 0.8]])
Y = np.array([[0.5], [-0.2], [1.0], [0.3]])
N = len(X)


# %% [markdown]
# The forward pass keeps every $Z^{(l)}$ and $A^{(l)}$; the backward pass starts from
# $\partial \mathcal{L}/\partial A^{(3)} = (A^{(3)} - Y)/N$, multiplies by $f_3' = 1$, and runs the
# recursion. The library returns the deltas it used. The tables show them as the matrices are laid out:
# one row per sample $i$, one column per unit $k$ of each layer (3 significant figures):

# %%
fp = net.forward(X)
deltas = net.deltas(X, Y)
grads = net.gradients(X, Y)

# %% tags=["hide-input"]
SUP, SUB = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"), str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def entry_label(symbol, l, k):
    """Plain-text header for column k of a layer-l matrix, e.g. z⁽¹⁾ᵢ₂ (typeset math in every header
    would weigh more than the table); the output column also says it is yhat."""
    label = f"{symbol}{f'({l})'.translate(SUP)}ᵢ{str(k).translate(SUB)}"
    return f"ŷᵢ = {label}" if (symbol, l) == ("z", net.n_layers) else label


def columns_table(parts):
    """One md_table of several N-row matrices side by side: a sample column, then their columns."""
    headers = ["sample $i$"] + [entry_label(sym, l, k + 1) for sym, l, M in parts for k in range(M.shape[1])]
    body = np.hstack([M for _, _, M in parts])
    md_table(headers, [[i + 1, *row] for i, row in enumerate(body.tolist())], fmt=3)


columns_table([("z", 1, fp.z[1]), ("z", 2, fp.z[2]), ("z", 3, fp.z[3])])
columns_table([("δ", 1, deltas[1]), ("δ", 2, deltas[2]), ("δ", 3, deltas[3])])
hidden_z = np.concatenate([fp.z[1].ravel(), fp.z[2].ravel()])
hidden_d = np.concatenate([deltas[1].ravel(), deltas[2].ravel()])
n_off = int(np.sum(hidden_z <= 0))
assert np.all(hidden_d[hidden_z <= 0] == 0) and np.all(hidden_z != 0)  # off units: delta exactly 0; no kink
assert np.array_equal(fp.z[3], fp.a[3])  # identity output: A(3) = Z(3), shown once
assert all(np.array_equal(fp.a[l], np.where(fp.z[l] > 0, fp.z[l], 0.0)) for l in (1, 2))  # A = Z, negatives 0
md(f"""
The output unit is the identity, and $A^{{(1)}}$ and $A^{{(2)}}$ are $Z^{{(1)}}$ and $Z^{{(2)}}$ with their
negative entries set to 0.
The loss is $\\mathcal{{L}} = {tex(net.loss(X, Y), 6)}$. Wherever a hidden pre-activation is negative
(here {n_off} of the {hidden_z.size} hidden entries), ReLU's derivative is 0 and the corresponding delta is
exactly 0: that unit passes no gradient back for that sample.
""")

# %% [markdown]
# By hand, with the equations: $\delta^{(2)} = \bigl(\delta^{(3)} {W^{(3)}}^{\top}\bigr) \odot
# [Z^{(2)} > 0]$ and so on. The few lines below are the whole backward pass; they reproduce the
# library's gradients.

# %%
d3 = (fp.a[3] - Y) / N * 1.0                        # dL/dA(3) * f3'(Z3), identity output
d2 = (d3 @ net.params["W3"].T) * (fp.z[2] > 0)      # ReLU'
d1 = (d2 @ net.params["W2"].T) * (fp.z[1] > 0)
by_hand = {"W3": fp.a[2].T @ d3, "b3": d3.sum(axis=0),
           "W2": fp.a[1].T @ d2, "b2": d2.sum(axis=0),
           "W1": fp.a[0].T @ d1, "b1": d1.sum(axis=0)}
print("largest difference from the library:", max(np.abs(by_hand[k] - grads[k]).max() for k in grads))

# %% tags=["hide-input"]
for key, g in by_hand.items():
    assert np.allclose(g, grads[key], rtol=0, atol=1e-15), key

# %% [markdown]
# ## Every derivative, three ways
#
# `bs.derive_network` writes the loss of this very network on these four samples as one SymPy
# expression with one symbol per parameter, differentiates it with respect to each, and evaluates
# the result exactly (the decimals read as fractions). For one weight of the first layer, with the
# network's output for sample $i$ written $\hat y_i$ (an expression in the weights that SymPy
# differentiated through), the derivative has one term per sample, except for the samples for which the
# unit the weight enters is off:

# %% tags=["hide-input"]
derivation = bs.derive_network(net, X, Y)
derivation.check()


def forward_names(derivation, fp):
    """Substitutions that name the forward pass inside SymPy's expressions, innermost layer first.

    Layer l < L: each sample's pre-activation expression -> the symbol z^{(l)}_{ik}. Output layer:
    (output expression - target) -> yhat_i - y_i. ReLU units that are off for a sample are 0 there,
    as in derive_network. Returns (steps, outputs), outputs[i] the output expression of sample i.
    """
    P, Xe, Ye, sizes = derivation.symbols, derivation.X, derivation.Y, derivation.net.sizes
    L = len(sizes) - 1
    prev = [list(Xe.row(i)) for i in range(Xe.rows)]
    steps, outputs = [], []
    for l in range(1, L + 1):
        W, b = P[f"W{l}"], P[f"b{l}"]
        step, cur = {}, []
        for i in range(Xe.rows):
            row = []
            for k in range(sizes[l]):
                expr = sum((prev[i][j] * W[j, k] for j in range(sizes[l - 1])), sp.Integer(0)) + b[0, k]
                if l < L:
                    name = sp.Symbol(f"z^{{({l})}}_{{{i + 1}{k + 1}}}")
                    step[expr] = name
                    row.append(name if fp.z[l][i, k] > 0 else sp.Integer(0))
                else:
                    step[expr - Ye[i, k]] = sp.Symbol(rf"\hat y_{{{i + 1}}}") - sp.Symbol(f"y_{{{i + 1}}}")
                    outputs.append(expr)
            cur.append(row)
        steps.append(step)
        prev = cur
    return steps, outputs


key, idx = "W1", (1, 1)
grad_expr = derivation.gradients[key][idx]
steps, outputs = forward_names(derivation, fp)
named = grad_expr
for step in steps:
    named = named.xreplace(step)
# The named form is the same expression: substitute everything back and compare exactly.
back = named.xreplace({sp.Symbol(rf"\hat y_{{{i + 1}}}"): outputs[i] for i in range(N)}
                      | {sp.Symbol(f"y_{{{i + 1}}}"): derivation.Y[i, 0] for i in range(N)})
for step in reversed(steps[:-1]):
    back = back.xreplace({name: expr for expr, name in step.items()})
assert sp.expand(back - grad_expr) == 0
assert named.free_symbols.isdisjoint(set(derivation.symbols["W1"]) | set(derivation.symbols["b1"]))
terms = sorted(sp.Add.make_args(named),
               key=lambda t: min(int(str(s)[-2]) for s in t.free_symbols if str(s).startswith(r"\hat y")))
by_sample = [sp.factor(t) for t in terms]


def signed(term, first):
    """One term as 'sign coefficient rest', e.g. '+ \\tfrac{3}{8}\\,(...)(...)': narrower than one fraction."""
    coeff, rest = term.as_coeff_Mul()
    sign = "-" if coeff < 0 else ("" if first else "+")
    c = abs(coeff)
    c_tex = "" if c == 1 else (rf"\tfrac{{{c.p}}}{{{c.q}}}\," if c.q != 1 else rf"{c.p}\,")
    return f"{sign} {c_tex}{sp.latex(rest)}".strip()


exact_value = derivation.exact[key][idx]
lines = [r"\frac{\partial \mathcal{L}}{\partial " + sp.latex(derivation.symbols[key][idx]) + "} &= "
         + signed(by_sample[0], True)]
lines += [r"&\quad " + signed(t, False) for t in by_sample[1:]]
lines.append(rf"&= {tex(float(exact_value), 6)}")
display(Math(r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"))
x_col, unit1 = idx
# The prose below, checked term by term: a sample for which the unit `unit1` of layer 1 is on contributes
# x_ij / N times the sum over the paths from that unit through layer-2 units that are on for the sample of
# w2 * w3, times (yhat_i - y_i); the other samples contribute nothing.
P_sym = derivation.symbols
on_samples = [i for i in range(N) if fp.z[1][i, unit1] > 0]
off_samples = [i for i in range(N) if fp.z[1][i, unit1] <= 0]
assert len(by_sample) == len(on_samples) and off_samples and on_samples
assert any(sum(fp.z[2][i] > 0) == 2 for i in on_samples)  # one sample has two paths
for i, term in zip(on_samples, by_sample, strict=True):
    paths = sum((P_sym["W2"][unit1, k2] * P_sym["W3"][k2, 0] for k2 in range(2) if fp.z[2][i, k2] > 0),
                sp.Integer(0))
    err_i = sp.Symbol(rf"\hat y_{{{i + 1}}}") - sp.Symbol(f"y_{{{i + 1}}}")
    assert sp.expand(term - derivation.X[i, x_col] / N * paths * err_i) == 0, (i, term)

# %% tags=["hide-input"]
md(f"""
Each line is one sample $i$: $x_{{i{x_col + 1}}}/N$ (the input the weight multiplies, divided by {N}:
{" and ".join(num(float(X[i, x_col]), trim=True) for i in on_samples)}), times the sum over the paths from the
unit the weight enters to the output, through units that are on for sample $i$, of the product of the
weights along the path, times the sample's error $\\hat y_i - y_i$. Samples
{" and ".join(str(i + 1) for i in off_samples)} are missing: for them the unit the weight enters is off, and
ReLU passes nothing back. That is the chain rule of the [3-2-1 example](worked-example-321.py), done by SymPy
on the whole loss.

The table compares, for every parameter, SymPy's exact derivative with the library's backpropagation
and with a centred finite difference from `bp.check_gradients` (fourth-order stencil, see
[gradient checking](gradient-checking.py)); a difference from an exact zero would be judged in absolute
terms.
""")

# %% tags=["hide-input"]
report = bp.check_gradients(net, X, Y, order=4)
numeric = {k: report.parameters[k].numeric for k in net.params}
rows_3 = derivation.rows()
# Plain-text labels (w⁽¹⁾₁₂), one per parameter in the order of net.params: typeset math in every row of the
# table and on every tick of the figure below would weigh far more than the numbers it labels.
labels = [f"{k[0].lower()}{f'({k[1:]})'.translate(SUP)}{''.join(str(i + 1) for i in idx).translate(SUB)}"
          for k, p in net.params.items() for idx in np.ndindex(p.shape if k[0] == "W" else (p.shape[0],))]
assert [sp.latex(r[0]) for r in rows_3] == [  # the same parameters, in the same order, as SymPy's rows
    f"{k[0].lower()}^{{({k[1:]})}}_{{{''.join(str(i + 1) for i in idx)}}}"
    for k, p in net.params.items() for idx in np.ndindex(p.shape if k[0] == "W" else (p.shape[0],))]
fd_flat = np.concatenate([numeric[k].ravel() for k in net.params])
sympy_vals = [r[1] for r in rows_3]
lib_diff = [r[2] - r[1] for r in rows_3]
fd_diff = [float(fd) - r[1] for r, fd in zip(rows_3, fd_flat, strict=True)]
md_table(["parameter", "SymPy (exact)", "library − SymPy", "finite difference − SymPy"],
         [[lab, v, a, b] for lab, v, a, b in zip(labels, column(sympy_vals, 6),
                                                              column(lib_diff, 2), column(fd_diff, 2),
                                                              strict=True)],
         align="lrrr")
worst_fd, worst_fd_zero, n_zero = worst_error(
    {k: np.asarray(derivation.library[k]) for k in net.params}, numeric)
zero_text = ("none of this network's gradients is exactly 0" if n_zero == 0 else
             f"its {n_zero} exact zeros, judged in absolute terms, agree to {num(worst_fd_zero, 2)}")
md(f"""
The largest difference between library and SymPy, relative to the largest gradient entry, is
{num(derivation.max_error, 2)} (rounding). Against the finite differences the largest relative
error is {num(worst_fd, 2)} ({zero_text}).
""")
assert derivation.max_error < bs.networks.RTOL, derivation.max_error
assert worst_fd < FD_TOL and worst_fd_zero < 1e-9, (worst_fd, worst_fd_zero)
assert report.ok and report.kinks == 0

# %% [markdown]
# ## Batched over samples
#
# Because the loss is an average, its gradient is the average of the per-sample gradients: the
# gradient of the loss on sample $i$ alone (a batch of one, where $1/N = 1$) with respect to $W^{(l)}$ is
# the outer product ${a^{(l-1)}_{i\cdot}}^{\top} \delta^{(l)}_{i\cdot}$, and the batched
# formula ${A^{(l-1)}}^{\top}\delta^{(l)}$ is the sum of these outer products over the rows,
# each carrying the $1/N$ from $\delta^{(L)}$. One matrix product does in one call what a loop
# over samples does in $N$.

# %% tags=["hide-input"]
per_sample = [net.gradients(X[i:i + 1], Y[i:i + 1]) for i in range(N)]
flat = np.array([np.concatenate([g[k].ravel() for k in net.params]) for g in per_sample])
batched = np.concatenate([grads[k].ravel() for k in net.params])
mean_err = float(np.abs(flat.mean(axis=0) - batched).max())
assert mean_err < 1e-15, mean_err
assert len(labels) == flat.shape[1] == sum(p.size for p in net.params.values())
n_par = flat.shape[1]
n_first = net.params["W1"].size + net.params["b1"].size  # the figure shows the first layer's parameters
n_exact_zero = int(np.sum(flat[:, :n_first] == 0))
assert n_exact_zero > 0
assert any((flat[:, p] > 0).any() and (flat[:, p] < 0).any() for p in range(n_first))  # "some in sign"


def draw_batch(fig):
    ax = fig.subplots()
    pos = np.arange(n_first)[::-1]  # first parameter at the top
    for i in range(N):
        ax.plot(flat[i, :n_first], pos, "o", ms=5, color="C0", alpha=0.7, mfc="none")
    ax.plot(batched[:n_first], pos, "|", ms=14, mew=2.5, color="C5")  # no legend: the caption names both
    ax.axvline(0, lw=0.8, color="C5", alpha=0.5)
    ax.set_yticks(pos, labels[:n_first])
    ax.set_ylim(-0.7, n_first - 0.3)
    ax.set_xlabel(r"$\partial \mathcal{L} / \partial p$")
    ax.grid(axis="y", visible=False)


figure(draw_batch, figsize=(5.0, 4.6),
       alt=f"For each of the {n_first} parameters of the first layer, one row: the gradients from the {N} samples "
       f"taken one at a time differ, some in sign, and the batched gradient sits at their mean; {n_exact_zero} "
       "of the per-sample gradients are exactly 0, for parameters of a unit that is off for that sample.",
       caption=f"The gradients of the {N} samples taken one at a time (circles) and the batched gradient (bars) "
       "for the parameters of the first layer, one row per parameter: each bar is the mean of its circles.")
md(f"""
Over all {n_par} parameters of the network, the mean of the {N} per-sample gradients differs from the batched
gradient by at most {num(mean_err, 1)}.
""")

# %% [markdown]
# ## What the backward pass costs
#
# Count multiply-adds in the matrix products: multiplying an $N \times n_{l-1}$ by an
# $n_{l-1} \times n_l$ matrix takes $N n_{l-1} n_l$ multiplications and about as many additions,
# $2N n_{l-1} n_l$ floating-point operations (FLOPs) as usually counted. Per layer:
#
# - forward: $A^{(l-1)} W^{(l)}$;
# - backward: $\partial \mathcal{L}/\partial W^{(l)} = {A^{(l-1)}}^{\top}\delta^{(l)}$, the same count,
#   and $\delta^{(l)} {W^{(l)}}^{\top}$ for the layer below, the same again, except in the first layer,
#   where it would be $\partial \mathcal{L}/\partial X$, which nobody needs (the library skips it).
#
# The elementwise work (adding biases, activations, $f'$, the Hadamard products) is a few operations per
# entry of $Z^{(l)}$, proportional to $N n_l$ rather than $N n_{l-1} n_l$, so it is left out of the count.
# For a 784-256-128-10 classifier (a common size for 28 × 28-pixel handwritten digits) at batch size 128:

# %% tags=["hide-input"]
sizes = [784, 256, 128, 10]
batch = 128
flops = []
for l, (m, k) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), 1):
    fwd = 2 * batch * m * k
    dW = 2 * batch * m * k
    dA = 2 * batch * m * k if l > 1 else 0
    flops.append((l, m, k, fwd, dW, dA))
tot_fwd = sum(r[3] for r in flops)
tot_bwd = sum(r[4] + r[5] for r in flops)
ratio = tot_bwd / tot_fwd
mf = 1e6
flop_rows = [[f"{l}", f"{m} × {k}", fwd / mf, dW / mf, dA / mf if dA else "skipped", (dW + dA) / fwd]
             for l, m, k, fwd, dW, dA in flops]
flop_rows.append(["total", "", tot_fwd / mf, sum(r[4] for r in flops) / mf, sum(r[5] for r in flops) / mf,
                  ratio])
md_table(["layer", "$W^{(l)}$", "forward", r"$A^{\top}\delta$", r"$\delta W^{\top}$", "backward / forward"],
         flop_rows, fmt=4, align="llrrrr")
md("(MFLOP, millions of floating-point operations, at batch size 128.)")
added = flops[0][4] / tot_bwd  # the skipped dL/dX product costs as much as layer 1's dW
# Independent route: with P = sum n_{l-1} n_l weights, forward = 2NP, backward = 4NP - 2N n_0 n_1.
P_w = sum(m * k for _, m, k, *_ in flops)
assert tot_fwd == 2 * batch * P_w
assert tot_bwd == 4 * batch * P_w - 2 * batch * sizes[0] * sizes[1]
assert 1 < ratio < 2, ratio
first_share = flops[0][1] * flops[0][2] / P_w
assert first_share > 0.5
md(f"""
The forward pass costs {num(tot_fwd / mf, 4)} MFLOP, the backward pass {num(tot_bwd / mf, 4)} MFLOP:
{num(ratio, 3)} times the forward pass, under the factor 2 of a layer in the middle because the
first layer, which holds {num(100 * first_share, 3)} % of the weights, does only one of its two backward
products. Computing $\\partial \\mathcal{{L}}/\\partial X$ anyway would have added {num(100 * added, 3)} % to
the backward pass. Counted in matrix-product FLOPs, a training step (forward and backward) costs about
{num(1 + ratio, 2)} forward passes.
""")


# %% [markdown]
# ## What has to be kept in memory
#
# The backward pass needs, for layer $l$, $A^{(l-1)}$ (for $\partial \mathcal{L}/\partial W^{(l)}$) and
# $f_l'(Z^{(l)})$ (for $\delta^{(l)}$), so the forward pass must keep what they need until the backward
# pass has used it. For the activations of this book $f_l'(Z^{(l)})$ can be computed from $A^{(l)}$ alone:
# $1$ for the identity, $a(1 - a)$ for the sigmoid, $1 - a^2$ for tanh, $[a > 0]$ for ReLU (since $a > 0$
# exactly when $z > 0$), and softmax's Jacobian is written in its outputs. So keeping every $A^{(l)}$,
# from $A^{(0)} = X$ to $A^{(L)} = \hat Y$, is enough; the library keeps every $Z^{(l)}$ as well. For the
# 784-256-128-10 network with ReLU hidden layers and a softmax output:

# %% tags=["hide-input"]
for name, from_a in (("identity", lambda a: np.ones_like(a)), ("sigmoid", lambda a: a * (1 - a)),
                     ("tanh", lambda a: 1 - a * a), ("relu", lambda a: (a > 0).astype(float))):
    zz = np.linspace(-30.0, 30.0, 6001)
    assert np.array_equal(from_a(bp.ACTIVATIONS[name](zz)), bp.DERIVATIVES[name](zz)), name
big = bp.MLP(sizes, hidden="relu", output="softmax", loss="cross_entropy", seed=0)
rng_big = np.random.default_rng(0)
Xb = rng_big.random((batch, sizes[0]))
Yb = bp.datasets.one_hot(rng_big.integers(0, sizes[-1], size=batch), sizes[-1])
fp_big = big.forward(Xb)
# A backward pass that reads only the activations A (and the weights): the library's gradients, exactly.
A_only = [a.copy() for a in fp_big.a]
delta = (A_only[-1] - Yb) / batch
from_A = {}
for l in range(len(sizes) - 1, 0, -1):
    from_A[f"W{l}"], from_A[f"b{l}"] = A_only[l - 1].T @ delta, np.ones(batch) @ delta
    if l > 1:
        delta = (delta @ big.params[f"W{l}"].T) * (A_only[l - 1] > 0)
lib_big = big.gradients(Xb, Yb)
assert all(np.array_equal(from_A[k], lib_big[k]) for k in lib_big)
item = np.dtype(np.float64).itemsize
mem_rows = [["A⁽⁰⁾ = X", f"{batch} × {sizes[0]}", batch * sizes[0] * item, "yes"]]
for l in range(1, len(sizes)):  # plain-text names, as in the tables above
    mem_rows.append([f"Z{f'({l})'.translate(SUP)}", f"{batch} × {sizes[l]}", batch * sizes[l] * item, "no"])
    mem_rows.append([f"A{f'({l})'.translate(SUP)}", f"{batch} × {sizes[l]}", batch * sizes[l] * item, "yes"])
kept_lib = sum(r[2] for r in mem_rows)
kept_min = sum(r[2] for r in mem_rows if r[3] == "yes")
param_bytes = sum(p.nbytes for p in big.params.values())
measured = sum(a.nbytes for a in fp_big.a) + sum(z.nbytes for z in fp_big.z[1:])
assert measured == kept_lib, (measured, kept_lib)
assert not any(np.shares_memory(fp_big.z[l], fp_big.a[l]) for l in range(1, len(sizes)))
md_table(["array (float64)", "shape", "bytes", "needed"],
         [*mem_rows, ["all the library keeps", "", kept_lib, ""], ["what is needed", "", kept_min, ""],
          ["parameters (and again their gradients)", "", param_bytes, ""]], align="llrl")
crossover = int(np.ceil(param_bytes / (kept_lib / batch)))
assert crossover * kept_lib / batch >= param_bytes > (crossover - 1) * kept_lib / batch
md(f"""
A backward pass that reads only the $A^{{(l)}}$ (and the weights) reproduces the library's gradients of
this network bit for bit. The library's kept values take {num(kept_lib / 2**20, 3)} MiB at batch {batch},
{num(kept_lib / param_bytes, 3)} times the {num(param_bytes / 2**20, 3)} MiB of the parameters (the arrays
the library's forward pass returns add up to exactly that); the $A^{{(l)}}$ alone take
{num(kept_min / 2**20, 3)} MiB, of which the input is {num(100 * mem_rows[0][2] / kept_min, 3)} %. Per sample
the library keeps {kept_lib // batch:,} bytes, so from batch {crossover} on its kept values outweigh the
parameters. That memory grows with the batch size; the parameters and their gradients do not. (Computing
$f'$ from $a$ has a price in precision: where $\\sigma(z)$ rounds to 1, $a(1 - a)$ is 0 while $\\sigma'(z)$ is
not; see [gradient checking](gradient-checking.py).)
""")

# %% [markdown]
# ## Checks
#
# The page relies on these agreements (each is asserted while the page is built):
#
# - SymPy's proof: the matrix form equals `sympy.diff` for every parameter of a symbolic 2-3-2-1
#   network with two samples; for softmax, SymPy's derivative equals the vector-Jacobian product and not
#   the elementwise rule;
# - the concrete network: library == SymPy == finite differences, and the hand-written backward pass
#   == library; the softmax network: library == our product == the Jacobian written out == finite
#   differences;
# - batching: mean of per-sample gradients == batched gradient;
# - FLOPs: the table's totals equal $2N$ FLOPs per weight forward and $4N$ per weight backward, less the
#   first layer's skipped product;
#   memory: the table equals the bytes of the arrays the forward pass returns, and a backward pass from
#   the activations alone gives the library's gradients.

# %% tags=["hide-input"]
md(f"""
Tolerances: library against SymPy {num(bs.networks.RTOL, 1)} relative to the largest gradient entry; finite
differences {num(FD_TOL, 1)} relative error. All checks passed (worst library-vs-finite-difference relative
error {num(worst_fd, 2)}).
""")

# %% [markdown]
# ## Exercises
#
# **1.** Using only the matrices above, compute $\partial \mathcal{L} / \partial w^{(3)}_{21}$ of the
# 2-3-2-1 network: which column of $A^{(2)}$ (that is $Z^{(2)}$ with its negative entries set to 0) and which
# of $\delta^{(3)}$ does it combine?

# %% tags=["hide-input"]
ans1 = float(fp.a[2][:, 1] @ deltas[3][:, 0])
assert abs(ans1 - grads["W3"][1, 0]) < 1e-15
assert abs(ans1 - float(derivation.exact["W3"][1, 0])) < 1e-12
solution(f"""
$\\partial \\mathcal{{L}}/\\partial w^{{(3)}}_{{21}} = \\sum_i a^{{(2)}}_{{i2}}\\,\\delta^{{(3)}}_{{i1}}$: the
second column of $A^{{(2)}}$ (the unit the weight leaves) times the only column of $\\delta^{{(3)}}$
(the unit it enters), summed over the {N} samples: {num(ans1, 6)}, as in the table.
""")

# %% [markdown]
# **2.** For the 784-256-128-10 network, how does the ratio of backward to forward FLOPs change if
# the first layer's input gradient were computed too? And for a network whose first layer is small,
# say 10-256-128-10?

# %% tags=["hide-input"]
ratio_full = 2.0
ws = [10 * 256, 256 * 128, 128 * 10]
ratio_small = (4 * sum(ws) - 2 * ws[0]) / (2 * sum(ws))
assert abs((tot_bwd + flops[0][4]) / tot_fwd - ratio_full) < 1e-12
assert ratio < ratio_small < ratio_full
solution(f"""
With every input gradient computed, each layer does two backward products of the size of its one
forward product, so the ratio is exactly {tex(ratio_full)}. Skipping it saves the first layer's share:
the ratio is $2 - n_0 n_1 / \\sum_l n_{{l-1}} n_l$, {num(ratio, 4)} for 784-256-128-10 (whose first layer
holds most weights), but {num(ratio_small, 4)} for 10-256-128-10, whose first layer is small.
""")

# %% [markdown]
# **3.** In float32 and at batch size 1024, how many bytes do the $Z^{(l)}$ and $A^{(l)}$ that the library
# keeps for the 784-256-128-10 network take, and how does that compare with its parameters?

# %% tags=["hide-input"]
b3, it32 = 1024, 4
kept32 = b3 * (sizes[0] + 2 * sum(sizes[1:])) * it32
params32 = sum((m + 1) * k for m, k in zip(sizes[:-1], sizes[1:], strict=True)) * it32
assert kept32 == kept_lib // batch * b3 // 2 and params32 == param_bytes // 2
solution(f"""
Per sample the library keeps {sizes[0]} + 2 × ({" + ".join(str(n) for n in sizes[1:])}) =
{sizes[0] + 2 * sum(sizes[1:])} numbers (the input, and each layer's $Z$ and $A$), 4 bytes each in float32:
{b3} × {sizes[0] + 2 * sum(sizes[1:])} × 4 = {kept32:,} bytes
({num(kept32 / 2**20, 3)} MiB), against {params32:,} bytes ({num(params32 / 2**20, 3)} MiB) of parameters:
{num(kept32 / params32, 3)} times as much. At large batches the activations, not the weights, fill memory.
""")

# %% [markdown]
# **4.** Show that for the identity output with the half squared error,
# $\delta^{(L)} = (A^{(L)} - Y)/N$, and that summing the per-sample losses instead of averaging them
# would multiply every gradient by $N$.

# %% tags=["hide-input"]
yhat_s, y_s = sp.symbols(r"\hat{y} y")
d_mse = sp.factor(sp.diff(sp.Rational(1, 2) * (yhat_s - y_s) ** 2 / N_sym, yhat_s))
assert sp.simplify(d_mse - (yhat_s - y_s) / N_sym) == 0
assert np.allclose(deltas[3], (fp.a[3] - Y) / N, rtol=0, atol=1e-16)
summed = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", loss="mse")
summed.params.update({k: v.copy() for k, v in net.params.items()})
sum_grads = {k: v * N for k, v in grads.items()}
# Independent check of "times N": centred differences of the summed loss N * L.
h_sum = 1e-6
p_b3 = summed.params["b3"]
p_b3[0] += h_sum
up = N * summed.loss(X, Y)
p_b3[0] -= 2 * h_sum
down = N * summed.loss(X, Y)
p_b3[0] += h_sum
assert abs((up - down) / (2 * h_sum) - sum_grads["b3"][0]) < 1e-8
solution(f"""
$\\partial\\bigl(\\tfrac{{1}}{{2N}}(\\hat y - y)^2\\bigr)/\\partial \\hat y = (\\hat y - y)/N$ and
$f_L' = 1$, which gives the stated $\\delta^{{(L)}}$; the library's $\\delta^{{(3)}}$ is exactly that.
With a summed loss the $1/N$ disappears from $\\delta^{{(L)}}$, and since every other equation is
linear in $\\delta^{{(L)}}$, every gradient is $N = {N}$ times larger: the summed loss is $N\\mathcal{{L}}$, and
$\\partial (N\\mathcal{{L}})/\\partial b^{{(3)}} = {tex(sum_grads["b3"][0], 6)}$ where
$\\partial \\mathcal{{L}}/\\partial b^{{(3)}} = {tex(grads["b3"][0], 6)}$. That is why a learning rate tuned for one
convention is wrong for the other.
""")
