# %% [markdown]
# # Backpropagation in general
#
# The worked examples ([1-1-1](worked-example-111.py), [3-2-1](worked-example-321.py)) differentiate
# one small network by hand. This chapter states the rule that
# works for every fully connected network, whatever its depth, widths, activations and loss:
# four equations built around one quantity, the *delta* of a layer. We derive them entry by
# entry, check with SymPy that the matrix form equals the entrywise derivatives, run them on a
# concrete 2-3-2-1 network, and then count what the backward pass costs in arithmetic and memory.
#
# Notation as in the rest of the book: samples are rows, layer $l$ computes
#
# $$
# z^{(l)} = a^{(l-1)} W^{(l)} + b^{(l)}, \qquad a^{(l)} = f_l\bigl(z^{(l)}\bigr), \qquad a^{(0)} = X,
# $$
#
# with $W^{(l)}$ of shape $n_{l-1} \times n_l$, and the loss averages a per-entry loss over the
# $n$ samples: $L = \frac{1}{n}\sum_{i=1}^{n}\sum_{k} \ell\bigl(a^{(L)}_{ik}, y_{ik}\bigr)$.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution

# %% [markdown]
# ## The delta of a layer
#
# Every parameter of layer $l$ reaches the loss through the pre-activations $z^{(l)}$ of that
# layer. So the derivative of the loss with respect to those pre-activations is the natural
# quantity to carry backwards:
#
# $$
# \delta^{(l)}_{ij} = \frac{\partial L}{\partial z^{(l)}_{ij}}
# \qquad \text{(sample } i\text{, unit } j\text{)}.
# $$
#
# $\delta^{(l)}$ has the shape of $z^{(l)}$: one row per sample, one column per unit. Once the
# deltas are known, every weight and bias gradient is one product away, and the deltas of one
# layer follow from those of the next. That is the whole algorithm.
#
# ## Four equations, derived entry by entry
#
# **Output layer.** $z^{(L)}_{ik}$ influences the loss only through $a^{(L)}_{ik} = f_L(z^{(L)}_{ik})$,
# a single path, so the chain rule has one term. SymPy, with $\ell$ and $f_L$ left as undefined
# functions:

# %% tags=["hide-input"]
n_sym = sp.Symbol("n", positive=True)
z_out, y_out = sp.symbols("z^{(L)}_{ik} y_{ik}")
ell = sp.Function(r"\ell")
f_L = sp.Function("f_L")
d_out = sp.diff(ell(f_L(z_out), y_out) / n_sym, z_out)
display(sp.Eq(sp.Symbol(r"\delta^{(L)}_{ik}"), d_out))

# %% [markdown]
# The first factor is $\partial L / \partial a^{(L)}_{ik}$ (including the $1/n$ of the average),
# the second $f_L'(z^{(L)}_{ik})$: entry by entry, the output delta is a product, which for whole
# matrices is the elementwise (Hadamard) product $\odot$. For the usual output/loss pairs this product simplifies
# to $(\hat y - y)/n$ (the fused deltas of [loss functions](loss-functions.py)).
#
# **Hidden layer.** $z^{(l)}_{ij}$ changes $a^{(l)}_{ij}$, which feeds *every* unit $k$ of layer
# $l+1$ (for the same sample $i$): $z^{(l+1)}_{ik} = \sum_j a^{(l)}_{ij} w^{(l+1)}_{jk} + b^{(l+1)}_k$.
# The paths meet again in the loss, so their contributions add (the multi-path
# [chain rule](chain-rule.py)). Below, SymPy differentiates a loss
# that depends on two units of layer $l+1$ (the other terms of their sums are $r_1, r_2$), and we
# name the derivatives it produces $\delta^{(l+1)}_{ik} = \partial L / \partial z^{(l+1)}_{ik}$:


# %% tags=["hide-input"]
def name_partials(expr, names):
    """Replace SymPy's Subs(Derivative(G(..., xi_k, ...), xi_k), ...) by the symbol names[k]."""
    repl = {}
    for s in expr.atoms(sp.Subs):
        (var,) = s.variables
        args = s.expr.expr.args  # the arguments of G inside Derivative(G(...), var)
        repl[s] = names[args.index(var)]
    return expr.xreplace(repl)


zh = sp.Symbol("z^{(l)}_{ij}")
f_l = sp.Function("f_l")
G = sp.Function("L")
w_j1, w_j2, r1, r2 = sp.symbols("w^{(l+1)}_{j1} w^{(l+1)}_{j2} r_1 r_2")
d1, d2 = sp.symbols(r"\delta^{(l+1)}_{i1} \delta^{(l+1)}_{i2}")
fprime = sp.Symbol(r"f_l'(z^{(l)}_{ij})")
hidden = sp.diff(G(f_l(zh) * w_j1 + r1, f_l(zh) * w_j2 + r2), zh)
hidden = name_partials(hidden, [d1, d2]).subs(sp.Derivative(f_l(zh), zh), fprime)
hidden = sp.factor(hidden)
display(sp.Eq(sp.Symbol(r"\delta^{(l)}_{ij}"), hidden))
assert sp.expand(hidden - fprime * (d1 * w_j1 + d2 * w_j2)) == 0

# %% [markdown]
# With $n_{l+1}$ units the bracket is $\sum_k \delta^{(l+1)}_{ik} w^{(l+1)}_{jk}$, which is entry
# $(i, j)$ of the matrix product $\delta^{(l+1)} {W^{(l+1)}}^{\mathsf T}$.
#
# **Weights.** $w^{(l)}_{jk}$ appears in $z^{(l)}_{ik} = \sum_j a^{(l-1)}_{ij} w^{(l)}_{jk} + b^{(l)}_k$
# for *every* sample $i$; again the contributions add, one per sample (two samples here):

# %% tags=["hide-input"]
w_jk = sp.Symbol("w^{(l)}_{jk}")
a1j, a2j, s1, s2 = sp.symbols("a^{(l-1)}_{1j} a^{(l-1)}_{2j} s_1 s_2")
e1, e2 = sp.symbols(r"\delta^{(l)}_{1k} \delta^{(l)}_{2k}")
weight = name_partials(sp.diff(G(a1j * w_jk + s1, a2j * w_jk + s2), w_jk), [e1, e2])
display(sp.Eq(sp.Symbol(r"\partial L / \partial w^{(l)}_{jk}"), weight))
assert sp.expand(weight - (a1j * e1 + a2j * e2)) == 0
b_k = sp.Symbol("b^{(l)}_k")
bias = name_partials(sp.diff(G(s1 + b_k, s2 + b_k), b_k), [e1, e2])
display(sp.Eq(sp.Symbol(r"\partial L / \partial b^{(l)}_{k}"), bias))
assert sp.expand(bias - (e1 + e2)) == 0

# %% [markdown]
# $\sum_i a^{(l-1)}_{ij}\,\delta^{(l)}_{ik}$ is entry $(j, k)$ of ${a^{(l-1)}}^{\mathsf T} \delta^{(l)}$,
# and the bias gradient is the column sum of $\delta^{(l)}$. Together, the four equations of
# backpropagation:
#
# $$
# \begin{aligned}
# \delta^{(L)} &= \frac{\partial L}{\partial a^{(L)}} \odot f_L'\bigl(z^{(L)}\bigr), &
# \delta^{(l)} &= \bigl(\delta^{(l+1)} {W^{(l+1)}}^{\mathsf T}\bigr) \odot f_l'\bigl(z^{(l)}\bigr), \\
# \frac{\partial L}{\partial W^{(l)}} &= {a^{(l-1)}}^{\mathsf T}\, \delta^{(l)}, &
# \frac{\partial L}{\partial b^{(l)}} &= \sum_{i=1}^{n} \delta^{(l)}_{i\cdot}\,.
# \end{aligned}
# $$
#
# The shapes check themselves: $\delta^{(l+1)}$ is $n \times n_{l+1}$ and ${W^{(l+1)}}^{\mathsf T}$
# is $n_{l+1} \times n_l$, so the product is $n \times n_l$ like $z^{(l)}$; ${a^{(l-1)}}^{\mathsf T}$
# is $n_{l-1} \times n$, so ${a^{(l-1)}}^{\mathsf T}\delta^{(l)}$ is $n_{l-1} \times n_l$ like
# $W^{(l)}$. The sum over samples is inside the matrix product; the average over samples is
# inside $\delta^{(L)}$ (its $1/n$).
#
# ## The matrix form equals the entrywise derivatives
#
# The two-path pictures above are convincing but partial. `bs.prove_backprop_rule` takes a whole
# network with *everything* symbolic (inputs $x_{ij}$, targets $y_{ik}$, every weight and bias, an
# undefined activation $f^{(l)}$ per layer and an undefined loss $\ell$), differentiates the loss
# with respect to every parameter with `sympy.diff`, builds the four equations as SymPy matrices,
# and expands the difference:

# %%
proof = bs.prove_backprop_rule([2, 3, 2, 1], n_samples=2)
md(f"$$ {proof.latex} $$")

# %% tags=["hide-input"]
proof.check()
n_entries = sum(D.rows * D.cols for D in proof.differences.values())
n_nonzero = sum(1 for D in proof.differences.values() for v in D if v != 0)
md(f"""
For the 2-3-2-1 network and two samples that is {n_entries} parameters; all {n_entries}
differences expand to {n_nonzero} nonzero terms, i.e. to exactly zero (SymPy took
{proof.seconds:.2f} s). Nothing about the activation or the loss was assumed beyond
differentiability, so the same four equations hold for sigmoid, tanh, ReLU (away from its kink)
and any loss.
""")

# %% [markdown]
# ## A concrete 2-3-2-1 network
#
# Now numbers. The network has two inputs, hidden layers of 3 and 2 ReLU units, one identity
# output unit and the (halved) mean squared error, the regression set-up of the long tutorial
# among the book's sources. Its weights and the four training samples are our own choice:

# %% tags=["hide-input"]
net = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", loss="mse")
net.params.update(
    W1=np.array([[0.4, -0.6, 0.3], [0.7, 0.2, -0.5]]), b1=np.array([0.1, 0.2, 0.0]),
    W2=np.array([[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]]), b2=np.array([0.1, -0.1]),
    W3=np.array([[0.9], [-0.7]]), b3=np.array([0.05]),
)
X = np.array([[1.0, 0.5], [-0.5, 1.5], [2.0, -1.0], [0.3, 0.8]])
Y = np.array([[0.5], [-0.2], [1.0], [0.3]])
n = len(X)


def latex_matrix(M, fmt="{:.4g}"):
    M = np.atleast_2d(M)
    body = r" \\ ".join(" & ".join(fmt.format(v) for v in row) for row in M)
    return r"\begin{bmatrix}" + body + r"\end{bmatrix}"


md(f"""
$$
W^{{(1)}} = {latex_matrix(net.params["W1"])},\\;
b^{{(1)}} = {latex_matrix(net.params["b1"])},\\;
W^{{(2)}} = {latex_matrix(net.params["W2"])},\\;
b^{{(2)}} = {latex_matrix(net.params["b2"])},\\;
W^{{(3)}} = {latex_matrix(net.params["W3"])},\\;
b^{{(3)}} = {latex_matrix(net.params["b3"])}
$$

$$
X = {latex_matrix(X)}, \\qquad Y = {latex_matrix(Y)}
$$
""")

# %% [markdown]
# The forward pass keeps every $z^{(l)}$ and $a^{(l)}$; the backward pass starts from
# $\partial L/\partial a^{(3)} = (a^{(3)} - Y)/n$, multiplies by $f_3' = 1$, and runs the recursion.
# The library returns the deltas it used:

# %%
fp = net.forward(X)
deltas = net.deltas(X, Y)
grads = net.gradients(X, Y)

# %% tags=["hide-input"]
rows = []
for l in range(1, 4):
    rows.append([f"$z^{{({l})}}$", f"${latex_matrix(fp.z[l])}$"])
    rows.append([f"$a^{{({l})}}$", f"${latex_matrix(fp.a[l])}$"])
for l in range(3, 0, -1):
    rows.append([rf"$\delta^{{({l})}}$", f"${latex_matrix(deltas[l])}$"])
md_table(["quantity (rows are samples)", "value"], rows, align="ll")
dead = int(np.sum(fp.z[1] <= 0) + np.sum(fp.z[2] <= 0))
md(f"""
The loss is $L = {net.loss(X, Y):.6f}$. Wherever a hidden pre-activation is negative (here
{dead} of the {fp.z[1].size + fp.z[2].size} hidden entries), ReLU's derivative is 0 and the
corresponding delta is exactly 0: that unit passes no gradient back for that sample.
""")

# %% [markdown]
# By hand, with the equations: $\delta^{(2)} = (\delta^{(3)} {W^{(3)}}^{\mathsf T}) \odot
# [z^{(2)} > 0]$ and so on. The few lines below are the whole backward pass; they reproduce the
# library's gradients.

# %%
d3 = (fp.a[3] - Y) / n * 1.0                        # dL/da(3) * f3'(z3), identity output
d2 = (d3 @ net.params["W3"].T) * (fp.z[2] > 0)      # ReLU'
d1 = (d2 @ net.params["W2"].T) * (fp.z[1] > 0)
by_hand = {"W3": fp.a[2].T @ d3, "b3": d3.sum(axis=0),
           "W2": fp.a[1].T @ d2, "b2": d2.sum(axis=0),
           "W1": fp.a[0].T @ d1, "b1": d1.sum(axis=0)}

# %% tags=["hide-input"]
for key, g in by_hand.items():
    assert np.allclose(g, grads[key], rtol=0, atol=1e-15), key

# %% [markdown]
# ## Every derivative, three ways
#
# `bs.derive_network` writes the loss of this very network on these four samples as one SymPy
# expression with one symbol per parameter, differentiates it with respect to each, and evaluates
# the result exactly (the decimals read as fractions). For one weight of the first layer:

# %% tags=["hide-input"]
derivation = bs.derive_network(net, X, Y)
derivation.check()
md(f"$$ {derivation.gradient_latex('W1', (1, 0))} $$")

# %% [markdown]
# The table compares, for every parameter, SymPy's derivative with the library's backpropagation
# and with a centred finite difference from `bp.check_gradients` (fourth-order stencil, see
# [gradient checking](gradient-checking.py)).

# %% tags=["hide-input"]
report = bp.check_gradients(net, X, Y)
numeric = np.concatenate([report.parameters[k].numeric.ravel() for k in net.params])
table = []
worst_fd = 0.0
for (sym, derived, library), fd in zip(derivation.rows(), numeric, strict=True):
    rel = abs(library - fd) / (abs(library) + abs(fd)) if library or fd else 0.0
    worst_fd = max(worst_fd, rel)
    table.append([f"${sp.latex(sym)}$", derived, library, fd, abs(library - derived)])
md_table(["parameter", "SymPy", "library", "finite difference", "|library − SymPy|"], table,
         fmt=lambda v: f"{v:.10f}" if abs(v) > 1e-6 or v == 0 else f"${sci(v, 1)}$")
md(f"""
The largest difference between library and SymPy, relative to the largest gradient entry, is
${sci(derivation.max_error, 1)}$ (rounding). Against the finite differences the largest relative
error is ${sci(report.max_rel_error, 1)}$; the check passed: `report.ok` is {report.ok}.
""")

# %% [markdown]
# ## Batched over samples
#
# Because the loss is an average, its gradient is the average of the per-sample gradients: the
# gradient of the loss on sample $i$ alone (a batch of one, where $1/n = 1$) is
# $g_i = {a^{(l-1)}_{i\cdot}}^{\mathsf T} \delta^{(l)}_{i\cdot}$, an outer product, and the batched
# formula ${a^{(l-1)}}^{\mathsf T}\delta^{(l)}$ is the sum of these outer products over the rows,
# each carrying the $1/n$ from $\delta^{(L)}$. One matrix product does in one call what a loop
# over samples does in $n$.

# %% tags=["hide-input"]
per_sample = [net.gradients(X[i:i + 1], Y[i:i + 1]) for i in range(n)]
flat = np.array([np.concatenate([g[k].ravel() for k in net.params]) for g in per_sample])
batched = np.concatenate([grads[k].ravel() for k in net.params])
mean_err = float(np.abs(flat.mean(axis=0) - batched).max())
assert mean_err < 1e-15, mean_err
SUP, SUB = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾"), str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
# Plain-text tick labels (w⁽¹⁾₁₂): matplotlib's mathtext would be slow for one label per parameter.
labels = [f"{k[0].lower()}{f'({k[1:]})'.translate(SUP)}{''.join(str(i + 1) for i in idx).translate(SUB)}"
          for k, p in net.params.items() for idx in np.ndindex(p.shape if k[0] == "W" else (p.shape[0],))]
assert len(labels) == flat.shape[1] == sum(p.size for p in net.params.values())
n_par = flat.shape[1]


def draw_batch(fig):
    ax = fig.subplots()
    x = np.arange(flat.shape[1])
    for i in range(n):
        ax.plot(x, flat[i], "o", ms=4, alpha=0.6, label=f"sample {i + 1} alone")
    ax.plot(x, batched, "_", ms=16, mew=2.5, color="C5", label="batched gradient")
    ax.axhline(0, lw=0.8, color="0.5")
    ax.set_xticks(x, labels, rotation=90, fontsize=8)
    ax.set_ylabel(r"$\partial L / \partial p$")
    ax.legend(fontsize=8, ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)


figure(draw_batch, figsize=(7.0, 4.0),
       alt=f"For each of the {n_par} parameters, the gradients from the {n} samples taken one at a time "
       "scatter widely, and the batched gradient sits at their mean; for parameters behind a "
       "dead ReLU unit some samples contribute exactly 0.",
       caption="Per-sample gradients (dots) and the batched gradient (bars): the bar is the mean of the dots.")
md(f"""
Over all {n_par} parameters, the mean of the {n} per-sample gradients differs from the batched gradient
by at most ${sci(mean_err, 1)}$.
""")

# %% [markdown]
# ## What the backward pass costs
#
# Count multiply-adds in the matrix products, which dominate: multiplying an $n \times m$ by an
# $m \times k$ matrix takes $n m k$ multiplications and as many additions, $2nmk$ floating-point
# operations (FLOPs). Per layer with $m = n_{l-1}$ inputs and $k = n_l$ units, at batch size $n$:
#
# - forward: $z^{(l)} = a^{(l-1)} W^{(l)}$, $2nmk$;
# - backward: $\partial L/\partial W^{(l)} = {a^{(l-1)}}^{\mathsf T}\delta^{(l)}$, $2nmk$, and
#   $\delta^{(l)} {W^{(l)}}^{\mathsf T}$ for the layer below, another $2nmk$, except in the first
#   layer, where it would be $\partial L/\partial X$, which nobody needs (the library skips it).
#
# The elementwise work (adding biases, activations, $f'$, the Hadamard products) is $O(nk)$ per
# layer, smaller by a factor of about $m$. For the classic 784-256-128-10 MNIST classifier at
# batch size 128:

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
rows = [[f"{l}", f"{m} × {k}", f"{fwd / 1e6:.2f}", f"{dW / 1e6:.2f}", f"{dA / 1e6:.2f}" if dA else "— (skipped)",
         f"{(dW + dA) / fwd:.2f}"] for l, m, k, fwd, dW, dA in flops]
rows.append(["total", "", f"{tot_fwd / 1e6:.2f}", f"{sum(r[4] for r in flops) / 1e6:.2f}",
             f"{sum(r[5] for r in flops) / 1e6:.2f}", f"{ratio:.3f}"])
md_table(["layer", "$W$", "forward (MFLOP)", r"backward $\partial W$ (MFLOP)",
          r"backward $\delta W^{\mathsf T}$ (MFLOP)", "backward / forward"], rows)
added = flops[0][4] / tot_bwd  # the skipped dL/dX product costs as much as layer 1's dW
# Independent route: with P = sum m*k weights, forward = 2nP, backward = 4nP - 2n*m1*k1.
P_w = sum(m * k for _, m, k, *_ in flops)
assert tot_fwd == 2 * batch * P_w
assert tot_bwd == 4 * batch * P_w - 2 * batch * sizes[0] * sizes[1]
assert 1 < ratio < 2, ratio
md(f"""
The forward pass costs {tot_fwd / 1e6:.1f} MFLOP, the backward pass {tot_bwd / 1e6:.1f} MFLOP:
{ratio:.2f} times the forward pass, under the factor 2 of a layer in the middle because the
first layer, which holds {100 * flops[0][1] * flops[0][2] / P_w:.0f}% of the weights, does only one
of its two backward products. Computing $\\partial L/\\partial X$ anyway would have added
{100 * added:.0f}% to the backward pass. A training step (forward + backward) is therefore about
{1 + ratio:.1f} forward passes.
""")


def draw_flops(fig):
    ax = fig.subplots()
    x = np.arange(len(flops))
    w = 0.27
    ax.bar(x - w, [r[3] / 1e6 for r in flops], w, label="forward $a W$")
    ax.bar(x, [r[4] / 1e6 for r in flops], w, label=r"backward $a^{\top}\delta$")
    ax.bar(x + w, [r[5] / 1e6 for r in flops], w, label=r"backward $\delta W^{\top}$")
    ax.set_xticks(x, [f"layer {r[0]}\n{r[1]}→{r[2]}" for r in flops])
    ax.set_ylabel("MFLOP at batch 128")
    ax.legend()


figure(draw_flops,
       alt=f"Bar chart of matrix-product FLOPs per layer of a 784-256-128-10 network at batch 128. "
       f"Layer 1 dominates with {flops[0][3] / 1e6:.1f} MFLOP forward and the same for its weight "
       f"gradient, and no input-gradient bar; layers 2 and 3 have three equal bars each. The "
       f"backward pass totals {ratio:.2f} times the forward pass.",
       caption="Matrix-multiply FLOPs per layer: the backward pass does two products per layer, the first layer one.")

# %% [markdown]
# ## What has to be kept in memory
#
# The backward pass needs, for layer $l$, $a^{(l-1)}$ (for $\partial L/\partial W^{(l)}$) and
# $z^{(l)}$ (for $f_l'$), so the forward pass must keep every $z^{(l)}$ and $a^{(l)}$ of the batch
# until the backward pass has used them. That memory grows with the batch size; the parameters and
# their gradients do not.

# %% tags=["hide-input"]
big = bp.MLP(sizes, hidden="relu", output="softmax", loss="cross_entropy", seed=0)
Xb = np.random.default_rng(0).random((batch, sizes[0]))
fp_big = big.forward(Xb)
item = np.dtype(np.float64).itemsize
rows = [["$a^{(0)} = X$", f"{batch} × {sizes[0]}", batch * sizes[0] * item]]
for l in range(1, len(sizes)):
    rows.append([f"$z^{{({l})}}$", f"{batch} × {sizes[l]}", batch * sizes[l] * item])
    rows.append([f"$a^{{({l})}}$", f"{batch} × {sizes[l]}", batch * sizes[l] * item])
act_bytes = sum(r[2] for r in rows)
param_bytes = sum(p.nbytes for p in big.params.values())
measured = sum(a.nbytes for a in fp_big.a) + sum(z.nbytes for z in fp_big.z[1:])
assert measured == act_bytes, (measured, act_bytes)
assert not any(np.shares_memory(fp_big.z[l], fp_big.a[l]) for l in range(1, len(sizes)))
rows.append(["all kept values", "", act_bytes])
rows.append(["parameters (and again their gradients)", "", param_bytes])
md_table(["array (float64)", "shape", "bytes"], rows, fmt="{:,}")
crossover = int(np.ceil(param_bytes / (act_bytes / batch)))
md(f"""
The kept values take {act_bytes / 2**20:.2f} MiB at batch {batch}, about
{act_bytes / param_bytes:.2f} times the {param_bytes / 2**20:.2f} MiB of the parameters; the
arrays returned by `big.forward(Xb)` add up to exactly that. The input is
{100 * rows[0][2] / act_bytes:.0f}% of it. Per sample the network keeps
{act_bytes // batch:,} bytes, so from batch {crossover} on the kept values would outweigh the
parameters. (For ReLU, $f'$ needs only the sign of $z$, so an implementation could keep one
bit per unit instead of $z$; this library keeps $z$ for clarity.)
""")

# %% [markdown]
# ## Checks
#
# The page relies on these agreements (each is asserted while the page is built):
#
# - SymPy's proof: the matrix form equals `sympy.diff` for every parameter of a symbolic 2-3-2-1
#   network with two samples;
# - the concrete network: library == SymPy (relative $10^{-12}$) == finite differences (relative
#   error $< 10^{-7}$), and the hand-written backward pass == library;
# - batching: mean of per-sample gradients == batched gradient;
# - FLOPs: the table's totals equal $2nP$ and $4nP - 2n\,n_0 n_1$; memory: the table equals the
#   bytes of the arrays the forward pass returns.

# %% tags=["hide-input"]
assert proof.proved
assert derivation.max_error < 1e-12, derivation.max_error
assert report.ok and report.max_rel_error < 1e-7, report
assert worst_fd < 1e-7, worst_fd
assert report.kinks == 0
assert abs(derivation.library_loss - float(derivation.loss.xreplace(derivation.point))) < 1e-12
md(f"All checks passed (worst library-vs-finite-difference relative error ${sci(worst_fd, 1)}$).")

# %% [markdown]
# ## Exercises
#
# **1.** Using only the tables above, compute $\partial L / \partial w^{(3)}_{21}$ of the 2-3-2-1
# network: which column of $a^{(2)}$ and which of $\delta^{(3)}$ does it combine?

# %% tags=["hide-input"]
ans1 = float(fp.a[2][:, 1] @ deltas[3][:, 0])
assert abs(ans1 - grads["W3"][1, 0]) < 1e-15
assert abs(ans1 - float(derivation.exact["W3"][1, 0])) < 1e-12
solution(f"""
$\\partial L/\\partial w^{{(3)}}_{{21}} = \\sum_i a^{{(2)}}_{{i2}}\\,\\delta^{{(3)}}_{{i1}}$: the
second column of $a^{{(2)}}$ (the unit the weight leaves) times the only column of $\\delta^{{(3)}}$
(the unit it enters), summed over the {n} samples: ${ans1:.6f}$, as in the table.
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
solution(f"""
With every input gradient computed, each layer does two backward products of the size of its one
forward product, so the ratio is exactly {ratio_full:.0f}. Skipping it saves the first layer's share:
the ratio is $2 - n_0 n_1 / \\sum_l n_{{l-1}} n_l$, {ratio:.3f} for 784-256-128-10 (whose first layer
holds most weights), but {ratio_small:.3f} for 10-256-128-10, whose first layer is tiny.
""")

# %% [markdown]
# **3.** In float32 and at batch size 1024, how many bytes do the kept $z$ and $a$ of the
# 784-256-128-10 network take, and how does that compare with its parameters?

# %% tags=["hide-input"]
b3, it32 = 1024, 4
kept32 = b3 * (sizes[0] + 2 * sum(sizes[1:])) * it32
params32 = sum((m + 1) * k for m, k in zip(sizes[:-1], sizes[1:], strict=True)) * it32
assert kept32 == act_bytes // batch * b3 // 2
solution(f"""
Per sample the network keeps $n_0 + 2(n_1 + n_2 + n_3) = {sizes[0] + 2 * sum(sizes[1:])}$ numbers,
4 bytes each in float32: ${b3} \\times {sizes[0] + 2 * sum(sizes[1:])} \\times 4 = {kept32:,}$ bytes
({kept32 / 2**20:.1f} MiB), against {params32:,} bytes ({params32 / 2**20:.2f} MiB) of parameters:
{kept32 / params32:.1f} times as much. At large batches the activations, not the weights, fill memory.
""")

# %% [markdown]
# **4.** Show that for the identity output with the halved squared error, $\delta^{(L)} = (a^{(L)} - Y)/n$,
# and that summing the per-sample losses instead of averaging them would multiply every gradient
# by $n$.

# %% tags=["hide-input"]
yhat_s, y_s = sp.symbols(r"\hat{y} y")
d_mse = sp.diff(sp.Rational(1, 2) * (yhat_s - y_s) ** 2 / n_sym, yhat_s) * sp.diff(yhat_s, yhat_s)
assert sp.simplify(d_mse - (yhat_s - y_s) / n_sym) == 0
assert np.allclose(deltas[3], (fp.a[3] - Y) / n, rtol=0, atol=1e-16)
sum_grads = {k: v * n for k, v in grads.items()}
solution(f"""
$\\partial\\bigl(\\tfrac{{1}}{{2n}}(\\hat y - y)^2\\bigr)/\\partial \\hat y = {sp.latex(d_mse)}$ and
$f_L' = 1$, so $\\delta^{{(L)}} = (a^{{(L)}} - Y)/n$; the library's $\\delta^{{(3)}}$ is exactly that.
With a summed loss the $1/n$ disappears from $\\delta^{{(L)}}$, and since every other equation is
linear in $\\delta^{{(L)}}$, every gradient is $n = {n}$ times larger (e.g.
$\\partial L/\\partial b^{{(3)}}$ would be ${sum_grads["b3"][0]:.6f}$ instead of ${grads["b3"][0]:.6f}$),
which is why a learning rate tuned for one convention is wrong for the other.
""")
