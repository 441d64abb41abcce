# %% [markdown]
# # Worked example: the 3-2-1 network
#
# A binary classifier with three inputs, a hidden layer of two ReLU units and one sigmoid output,
# trained with binary cross-entropy. We follow one sample through the network, compute every
# intermediate value, both deltas, the gradient of every weight and bias, and take one step of
# gradient descent. The numbers are computed while the page builds, and the gradients are checked
# three ways: library, SymPy, finite differences.

# %% tags=["hide-input"]
import math
import re

import sympy as sp
from IPython.display import Math, display

import backprop.symbolic as bs
from backprop.book import md, md_table, num, solution, tex
from backprop.book.netvalues import show_network_values
from backprop.book.symbols import symbol_box

symbol_box(["x", "y", "yhat", "z", "a", "W", "w", "b", "Wcol", "loss", "delta", "odot", "top", "eta"])

# %% [markdown]
# ## Two ways to write the same layer
#
# The tutorial this example comes from writes one sample as a column $x_{\text{col}}$ and a layer as
# $z_{\text{col}} = W_{\text{col}}\, x_{\text{col}} + b_{\text{col}}$, with $W_{\text{col}}$ of shape
# (outputs $\times$ inputs). This book and its library put samples in *rows*,
# $z^{(l)} = a^{(l-1)} W^{(l)} + b^{(l)}$, with $W^{(l)}$ of shape (inputs $\times$ outputs) and $b^{(l)}$ a
# row, so a whole batch goes through one matrix product. Transposing one equation gives the other:
#
# $$
# \bigl(W_{\text{col}}\, x_{\text{col}} + b_{\text{col}}\bigr)^\top
# = x_{\text{col}}^\top W_{\text{col}}^\top + b_{\text{col}}^\top
# = x\, W^{(1)} + b^{(1)},
# \qquad W^{(1)} = W_{\text{col}}^\top,\quad x = x_{\text{col}}^\top,\quad b^{(1)} = b_{\text{col}}^\top .
# $$
#
# The example's weights are given in the column layout; the library receives their transposes (see
# [one weight, three layouts](notation.py#one-weight-three-layouts)).

# %%
import numpy as np

import backprop as bp

x = np.array([1.0, 0.5, -1.5])  # one sample, three features
label = 1.0
W1_col = np.array([[0.2, -0.4, 0.1],  # hidden unit 1   (column layout: W x,
                   [0.7, 0.3, -0.5]])  # hidden unit 2    one row per hidden unit)
b1 = np.array([0.1, -0.2])
W2_col = np.array([[0.5, -1.0]])
b2 = np.array([0.2])
lr = 0.1

net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
net.params.update(W1=W1_col.T.copy(), b1=b1.copy(), W2=W2_col.T.copy(), b2=b2.copy())
X, Y = x[None, :], np.array([[label]])  # a batch of one row

# %% tags=["hide-input"]
def bmatrix(M, digits=6) -> str:
    """A matrix (or a vector, as a row) in TeX, entries by the book's number rule."""
    M = np.atleast_2d(M)
    rows = [" & ".join(tex(float(v), digits) for v in row) for row in M]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


# the layouts agree: column-layout z equals row-layout z
z_col = W1_col @ x + b1
assert np.allclose(z_col, (X @ net.params["W1"] + net.params["b1"])[0], rtol=0, atol=1e-15)
md(f"""
$$
W^{{(1)}}_{{\\text{{col}}}} = {bmatrix(W1_col)}, \\qquad
W^{{(1)}} = \\bigl(W^{{(1)}}_{{\\text{{col}}}}\\bigr)^\\top = {bmatrix(net.params["W1"])}, \\qquad
b^{{(1)}} = {bmatrix(net.params["b1"])}, \\qquad
W^{{(2)}} = {bmatrix(net.params["W2"])}, \\qquad b^{{(2)}} = {bmatrix(net.params["b2"])} .
$$
""")

# %% [markdown]
# The same network in the [explorer](playground.py): **Forward** fills in $z$ and $a$ unit by unit,
# **Backward** the deltas $\delta$ and the gradient of each weight, **Step** takes the step of gradient
# descent computed below, and **Train** keeps stepping. Every boxed number can be changed; **Reset**
# brings back the numbers of this page.

# %% tags=["hide-input"]
from backprop.book.explorer import explorer

explorer(net, X, Y, lr)

# %% [markdown]
# ## Forward pass

# %% tags=["hide-input"]
fp = net.forward(X)
z1, a1, z2, yhat = fp.z[1][0], fp.a[1][0], fp.z[2][0, 0], fp.a[2][0, 0]
loss0 = net.loss(X, Y)

# independent scalar recomputation
z1_m = [sum(W1_col[k, j] * x[j] for j in range(3)) + b1[k] for k in range(2)]
a1_m = [max(0.0, v) for v in z1_m]
z2_m = sum(W2_col[0, k] * a1_m[k] for k in range(2)) + b2[0]
yhat_m = 1 / (1 + math.exp(-z2_m))
loss_m = -(label * math.log(yhat_m) + (1 - label) * math.log(1 - yhat_m))
assert np.allclose(z1, z1_m, rtol=1e-14, atol=1e-15) and np.allclose(a1, a1_m, rtol=1e-14, atol=0)
assert math.isclose(z2, z2_m, rel_tol=1e-14) and math.isclose(yhat, yhat_m, rel_tol=1e-14)
assert math.isclose(loss0, loss_m, rel_tol=1e-14)
assert z1[0] < 0 < z1[1]  # the prose: unit 1 is silenced, unit 2 passes
assert yhat < 0.5  # the prose: the positive class gets less than even odds

terms = [" + ".join(f"({tex(W1_col[k, j])})({tex(x[j])})" for j in range(3)) + f" + ({tex(b1[k])})"
         for k in range(2)]
md(f"""
Hidden pre-activations, unit by unit ($z^{{(1)}}_k = \\sum_j w^{{(1)}}_{{jk}} x_j + b^{{(1)}}_k$):

$$
\\begin{{aligned}}
z^{{(1)}}_1 &= {terms[0]} = {tex(z1[0])} \\\\
z^{{(1)}}_2 &= {terms[1]} = {tex(z1[1])}
\\end{{aligned}}
$$

The ReLU passes the positive one and silences the negative one:
$a^{{(1)}} = \\max\\bigl(0, z^{{(1)}}\\bigr) = {bmatrix(a1, 4)}$.
Unit 1 is *inactive* for this sample: it contributes nothing to the output, and, as we will see,
none of its weights can learn from this sample.

$$
z^{{(2)}} = a^{{(1)}} W^{{(2)}} + b^{{(2)}} = ({tex(a1[0])})({tex(W2_col[0, 0])}) + ({tex(a1[1])})({tex(W2_col[0, 1])})
  + {tex(b2[0])} = {tex(z2)}, \\qquad \\hat y = \\sigma\\bigl(z^{{(2)}}\\bigr) = {tex(yhat, 6)}
$$

The network gives the positive class a probability of only ${tex(yhat, 3)}$ though the label is
$y = {tex(label)}$, and the binary cross-entropy is large:

$$
\\mathcal{{L}} = -\\bigl[y \\log \\hat y + (1-y)\\log(1-\\hat y)\\bigr] = -\\log {tex(yhat, 6)} = {tex(loss0, 6)} .
$$
""")


# %% [markdown]
# The same forward pass drawn on the network. The line from input $j$ to hidden unit $k$ carries the
# weight $w^{(1)}_{jk}$, entry $(j, k)$ of the library's $W^{(1)}$ and entry $(k, j)$ of the example's
# $W^{(1)}_{\text{col}}$; the lines into hidden unit 1 are drawn in the first colour, those into unit 2
# in the second.

# %% tags=["hide-input"]
forward_drawn = show_network_values(
    net, X, Y, "forward",
    r"The forward pass of one sample: each line carries its weight $w^{(l)}_{jk}$, each unit its bias "
    r"$b^{(l)}_k$, pre-activation $z^{(l)}_k$ and activation $a^{(l)}_k$; the output is $\hat y = a^{(2)}_1$.")
# The picture's numbers are the typed example's (weights in the column layout, transposed) and the scalar
# recomputation's above.
for j in range(3):
    assert forward_drawn[("a", 0, j + 1)] == x[j]
    for k in range(2):
        assert forward_drawn[("w", 1, j + 1, k + 1)] == W1_col[k, j]
for k in range(2):
    assert forward_drawn[("w", 2, k + 1, 1)] == W2_col[0, k] and forward_drawn[("b", 1, k + 1)] == b1[k]
    assert math.isclose(forward_drawn[("z", 1, k + 1)], z1_m[k], rel_tol=1e-14, abs_tol=1e-15)
    assert forward_drawn[("a", 1, k + 1)] == a1[k] and math.isclose(a1[k], a1_m[k], rel_tol=1e-14, abs_tol=0)
assert forward_drawn[("b", 2, 1)] == b2[0] and math.isclose(forward_drawn[("z", 2, 1)], z2_m, rel_tol=1e-14)
assert math.isclose(forward_drawn[("a", 2, 1)], yhat_m, rel_tol=1e-14)
assert len(forward_drawn) == 3 + 3 * 3 + 3 * 2 + 2  # inputs, (b, z, a) per unit, one weight per line

# %% [markdown]
# ## Backward pass
#
# **Output delta.** With one sample, $\delta^{(2)} = \partial \mathcal{L}/\partial z^{(2)}$. With a sigmoid
# output and binary cross-entropy, the two factors
# $\partial \mathcal{L}/\partial \hat y = -y/\hat y + (1-y)/(1-\hat y)$ and
# $\partial \hat y/\partial z^{(2)} = \hat y (1 - \hat y)$ collapse into one simple expression. SymPy
# multiplies them out for one entry $\ell$ of the loss and its pre-activation $z$ (with one sample and one
# output, $\ell = \mathcal{L}$ and $z = z^{(2)}$):

# %% tags=["hide-input"]
fused = bs.derive_fused_delta("sigmoid", "bce")
fused.check()
# In the book's notation the loss is \mathcal{L} (L is the output layer's index).
display(Math(re.sub(r"\\partial L(?![A-Za-z])", r"\\partial \\mathcal{L}", fused.latex)))

# %% tags=["hide-input"]
deltas = net.deltas(X, Y)
d2, d1 = deltas[2][0, 0], deltas[1][0]
grads = net.gradients(X, Y)
relu_prime = (z1 > 0).astype(float)
assert math.isclose(d2, yhat_m - label, rel_tol=1e-14)
assert np.allclose(d1, d2 * W2_col[0] * relu_prime, rtol=1e-14, atol=0)
# The prose: the inactive unit's column of dL/dW(1), its bias and its outgoing weight get 0 gradient.
assert np.all(grads["W1"][:, 0] == 0) and grads["b1"][0] == 0 and grads["W2"][0, 0] == 0
assert np.all(grads["W1"][:, 1] != 0) and grads["b1"][1] != 0 and grads["W2"][1, 0] != 0
assert grads["b1"].shape == (2,) and grads["W1"].shape == net.params["W1"].shape
md(f"""
So $\\delta^{{(2)}} = \\hat y - y = {tex(yhat, 6)} - {tex(label)} = {tex(d2, 6)}$.

**Hidden delta.** The output delta flows back through $W^{{(2)}}$ and is gated by the ReLU's
derivative, $1$ where $z > 0$ and $0$ elsewhere, entry by entry ($\\odot$):

$$
\\delta^{{(1)}} = \\bigl(\\delta^{{(2)}} {{W^{{(2)}}}}^\\top\\bigr)
 \\odot \\operatorname{{relu}}'\\bigl(z^{{(1)}}\\bigr)
 = \\bigl({tex(d2, 6)} \\cdot {bmatrix(W2_col)}\\bigr) \\odot {bmatrix(relu_prime)}
 = {bmatrix(d1)} .
$$

**Gradients.** Each weight's gradient is the activation at its input end times the delta at its
output end, $\\partial \\mathcal{{L}}/\\partial w^{{(l)}}_{{jk}} = a^{{(l-1)}}_j\\, \\delta^{{(l)}}_k$; each bias
gradient is the delta itself. With $N = 1$ the bias gradient $\\mathbf{{1}}_1^\\top \\delta^{{(l)}}$ is the
row $\\delta^{{(l)}}$:

$$
\\frac{{\\partial \\mathcal{{L}}}}{{\\partial W^{{(2)}}}} = {{a^{{(1)}}}}^\\top \\delta^{{(2)}}
 = {bmatrix(grads["W2"])},
\\qquad
\\frac{{\\partial \\mathcal{{L}}}}{{\\partial b^{{(2)}}}} = {bmatrix(grads["b2"])},
$$

$$
\\frac{{\\partial \\mathcal{{L}}}}{{\\partial W^{{(1)}}}} = x^\\top \\delta^{{(1)}} = {bmatrix(grads["W1"])},
\\qquad
\\frac{{\\partial \\mathcal{{L}}}}{{\\partial b^{{(1)}}}} = {bmatrix(grads["b1"])} .
$$

In the column layout the same gradient is the transpose,
$\\bigl(\\partial \\mathcal{{L}}/\\partial W^{{(1)}}\\bigr)^\\top = {{\\delta^{{(1)}}}}^\\top x$, a $2 \\times 3$ matrix
like $W^{{(1)}}_{{\\text{{col}}}}$. The first hidden unit's column of
$\\partial \\mathcal{{L}} / \\partial W^{{(1)}}$ is zero, and so are its bias's gradient and its entry of
$\\partial \\mathcal{{L}} / \\partial W^{{(2)}}$: an inactive ReLU unit neither passes signal forward nor
gradient backward.
""")

# %% [markdown]
# Drawn on the network, the backward pass runs from the output up. Each unit holds its activation and its
# delta; the line from unit $j$ of layer $l-1$ to unit $k$ of layer $l$ holds
# $\partial \mathcal{L}/\partial w^{(l)}_{jk} = a^{(l-1)}_j \delta^{(l)}_k$, the activation at its upper end
# times the delta at its lower end. Every line into the inactive unit 1 carries the factor
# $\delta^{(1)}_1 = 0$, and the line out of it the factor $a^{(1)}_1 = 0$.

# %% tags=["hide-input"]
backward_drawn = show_network_values(
    net, X, Y, "backward",
    r"The backward pass: each unit shows its activation $a^{(l)}_k$ and its delta "
    r"$\delta^{(l)}_k = \partial \mathcal{L}/\partial z^{(l)}_k$, each line the gradient "
    r"$\partial \mathcal{L}/\partial w^{(l)}_{jk} = a^{(l-1)}_j\,\delta^{(l)}_k$ of its weight.")
# The picture's numbers are the library's deltas and gradients, and the products a_j delta_k of the scalars.
a_scalar = [list(x), a1_m, [yhat_m]]
d_scalar = [None, [(yhat_m - label) * W2_col[0, k] * (z1_m[k] > 0) for k in range(2)], [yhat_m - label]]
zero_lines = []
for l, n_in, n_out in ((1, 3, 2), (2, 2, 1)):
    for k in range(n_out):
        assert backward_drawn[("delta", l, k + 1)] == deltas[l][0, k]
        assert math.isclose(deltas[l][0, k], d_scalar[l][k], rel_tol=1e-14, abs_tol=0)
        for j in range(n_in):
            g = backward_drawn[("dw", l, j + 1, k + 1)]
            assert g == grads[f"W{l}"][j, k]
            assert math.isclose(g, a_scalar[l - 1][j] * d_scalar[l][k], rel_tol=1e-14, abs_tol=0), (l, j, k)
            if g == 0:
                zero_lines.append((l, j + 1, k + 1))
assert zero_lines == [(1, 1, 1), (1, 2, 1), (1, 3, 1), (2, 1, 1)], zero_lines  # into and out of unit 1 only
md(f"""
{len(zero_lines)} of the {len(grads["W1"].ravel()) + len(grads["W2"].ravel())} lines carry 0: the three into
hidden unit 1 and the one out of it. The largest gradient in size,
$\\partial \\mathcal{{L}}/\\partial w^{{(1)}}_{{32}} = x_3\\, \\delta^{{(1)}}_2
= ({tex(x[2])}) \\cdot {tex(d1[1], 6)} = {tex(grads["W1"][2, 1], 6)}$, is on the line from the largest input
in size to the active unit.
""")
assert np.argmax(np.abs(grads["W1"])) == np.ravel_multi_index((2, 1), grads["W1"].shape)
assert np.max(np.abs(grads["W1"])) > np.max(np.abs(grads["W2"])) and np.argmax(np.abs(x)) == 2

# %% [markdown]
# ## Checks: SymPy and finite differences
#
# `backprop.symbolic.derive_network` writes the loss as one expression in all the weights and biases
# ($w^{(l)}_{jk}$ being the weight from unit $j$ of layer $l-1$ to unit $k$ of layer $l$) and
# differentiates it with respect to each of them. The table lists SymPy's exact value, the library's,
# and the finite difference of `bp.check_gradients` (the five-point stencil
# $\bigl(-\mathcal{L}(p+2h) + 8\mathcal{L}(p+h) - 8\mathcal{L}(p-h) + \mathcal{L}(p-2h)\bigr)/12h$) for every
# parameter. The last column measures the finite difference against the exact value: relatively,
# $|\text{fd} - \text{exact}|/|\text{exact}|$, where the exact derivative is not zero, and absolutely,
# $|\text{fd}|$, where it is exactly zero (a relative error has nothing to divide by there).

# %% tags=["hide-input"]
derivation = bs.derive_network(net, X, Y)
derivation.check()  # library == exact derivative, to 1e-12 of the largest gradient
report = bp.check_gradients(net, X, Y)
assert report.ok and report.kinks == 0, str(report)
numeric = np.concatenate([report.parameters[k].numeric.ravel() for k in net.params])
rows, rel_nonzero, abs_zero = [], [], []
for (symbol, exact, library), fd in zip(derivation.rows(), numeric, strict=True):
    assert abs(library - exact) <= 1e-12 * max(1.0, abs(exact))
    if exact == 0:
        abs_zero.append(abs(fd))
        error = f"{num(abs(fd), 2)} (absolute)"
    else:
        rel_nonzero.append(abs(fd - exact) / abs(exact))
        error = f"{num(rel_nonzero[-1], 2)} (relative)"
    rows.append([f"${sp.latex(symbol)}$", float(exact), float(library), float(fd), error])
rel_nonzero, abs_zero = np.array(rel_nonzero), np.array(abs_zero)
# Five-point stencil, h = 1e-3: truncation ~ h^4 |L^(5)| ~ 1e-12, rounding ~ eps |L| / h ~ 1e-13. The
# zero entries' loss does not change at all within the stencil (the unit stays inactive), so their
# quotient, summed in pairs c_r (L(p + rh) - L(p - rh)), is exactly 0; the report counts them as zeros.
assert rel_nonzero.max() < 1e-7 and np.all(abs_zero == 0), (rel_nonzero, abs_zero)
assert report.zeros == len(abs_zero) and report.max_rel_error < 1e-7, str(report)
for key, prm in report.parameters.items():   # the stencil's losses of a zero entry all equal the loss
    for idx in np.argwhere(prm.zero):
        idx = tuple(idx)
        original = net.params[key][idx]
        for r in (-2, -1, 1, 2):
            net.params[key][idx] = original + r * report.h
            assert net.loss(X, Y) == loss0, (key, idx, r)
        net.params[key][idx] = original
md_table(["parameter", "SymPy (exact)", "library", "finite difference", "fd error"], rows, fmt=10,
         align="lrrrr")
library_match = ("exactly, to the last bit" if derivation.max_error == 0 else
                 f"to ${tex(derivation.max_error, 2)}$ relative to the largest gradient")
md(f"""
All {len(rows)} agree. The library matches SymPy {library_match}. The finite differences of the
{len(rel_nonzero)} non-zero derivatives have a relative error of at most
${tex(rel_nonzero.max(), 2)}$; the {len(abs_zero)} derivatives that are exactly zero (the inactive
unit's three incoming weights, its bias and its outgoing weight) come out of the stencil as exactly 0
too: moving one of these parameters by up to $2h$ leaves the unit inactive, so the stencil's loss
values are all equal, and `bp.check_gradients` sums the stencil in pairs,
$8\\bigl(\\mathcal{{L}}(p + h) - \\mathcal{{L}}(p - h)\\bigr) -
\\bigl(\\mathcal{{L}}(p + 2h) - \\mathcal{{L}}(p - 2h)\\bigr)$, which is exactly 0 then. Its report
counts these {report.zeros} entries under `zeros`: they are judged by the absolute difference, since a
relative error has nothing to divide by (see [gradient checking](gradient-checking.py#the-noise-floor)).
""")


# %% [markdown]
# ## One step of gradient descent

# %% tags=["hide-input"]
after = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
after.params.update({k: v.copy() for k, v in net.params.items()})
after.fit(X, Y, epochs=1, lr=lr)
loss1 = after.loss(X, Y)
yhat1 = after.predict(X)[0, 0]
for k in net.params:
    assert np.allclose(after.params[k], net.params[k] - lr * grads[k], rtol=1e-15, atol=0)
assert loss1 < loss0 and yhat1 > yhat
# The prose: the inactive unit's parameters did not move, bias rows stay rows.
assert np.array_equal(after.params["W1"][:, 0], net.params["W1"][:, 0]) and after.params["b1"][0] == b1[0]
assert after.params["W2"][0, 0] == net.params["W2"][0, 0]
assert after.params["b1"].shape == net.params["b1"].shape == (2,)

md(f"""
With learning rate $\\eta = {tex(lr)}$, every parameter moves by $-\\eta$ times its gradient. In the
library's layout, and with $W^{{(1)}}$ shown also in the column layout of the example:

$$
W^{{(1)}} \\leftarrow {bmatrix(after.params["W1"], 4)}, \\quad
W^{{(1)}}_{{\\text{{col}}}} \\leftarrow {bmatrix(after.params["W1"].T, 4)}, \\quad
b^{{(1)}} \\leftarrow {bmatrix(after.params["b1"], 4)}, \\quad
W^{{(2)}} \\leftarrow {bmatrix(after.params["W2"], 4)}, \\quad
b^{{(2)}} \\leftarrow {bmatrix(after.params["b2"], 4)} .
$$

The inactive unit's parameters did not move: the first column of $W^{{(1)}}$ (the first row of
$W^{{(1)}}_{{\\text{{col}}}}$), the first bias and the first entry of $W^{{(2)}}$. The prediction rises
from ${tex(yhat, 4)}$ to ${tex(yhat1, 4)}$ and the loss falls from ${tex(loss0, 4)}$ to ${tex(loss1, 4)}$.
""")

# %% tags=["hide-input"]
# The tutorial's table of updated parameters (3 decimals, column layout) matches ours ...
published = {"W1": [[0.2, -0.4, 0.1], [0.623, 0.262, -0.385]], "b1": [0.1, -0.277], "W2": [[0.5, -0.892]],
             "b2": [0.277]}
for k, v in published.items():
    ours = after.params[k].T if k.startswith("W") else after.params[k]
    assert np.allclose(ours, v, atol=0.5e-3, rtol=0), (k, ours, v)
# ... but its printed forward pass (a(1) = (0, 1.8), delta(2) = -0.83) cannot have produced that table:
# one step from those numbers gives W(2)_21 = -1 + 0.1 * 0.83 * 1.8 and b(2) = 0.2 + 0.1 * 0.83.
a1_pub, d2_pub = np.array([0.0, 1.8]), -0.83
W2_from_pub = W2_col[0] - lr * d2_pub * a1_pub
b2_from_pub = b2[0] - lr * d2_pub
assert abs(W2_from_pub[1] - published["W2"][0][1]) > 0.5e-3 and abs(b2_from_pub - published["b2"][0]) > 0.5e-3
md(f"""
These are the updated values published, to three decimals, by *Understanding Backpropagation Through a
Basic Neural Network Example* (Priyank Goyal), the tutorial this example comes from. Its forward pass,
however, prints different intermediate numbers (pre-activations, prediction, loss and output delta)
that cannot have produced this update: one step from its printed $a^{{(1)}}_2 = 1.8$ and
$\\delta^{{(2)}} = -0.83$ would give $w^{{(2)}}_{{21}} = {tex(W2_from_pub[1], 4)}$ and
$b^{{(2)}} = {tex(b2_from_pub, 4)}$, not its table's ${tex(published["W2"][0][1])}$ and
${tex(published["b2"][0])}$. The [errata](errata.py) page sets them side by side with the values computed
here.
""")

# %% [markdown]
# ## Exercises
#
# 1. Keep training on this one sample. After how many steps at $\eta = 0.1$ does the prediction
#    first exceed $0.9$? Does hidden unit 1 ever become active, and what happens to hidden unit 2?
# 2. Redo the backward pass for the label $y = 0$. Which gradients change sign?
# 3. Show that the column layout's gradient $\delta_{\text{col}}\, x_{\text{col}}^\top$ (both columns) is
#    the transpose of the library's $x^\top \delta^{(1)}$ (both rows).

# %% tags=["hide-input"]
long = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
long.params.update({k: v.copy() for k, v in net.params.items()})
steps, z_hidden, b2_path = 0, [], []
while long.predict(X)[0, 0] <= 0.9:
    long.fit(X, Y, epochs=1, lr=lr)
    z_hidden.append(long.forward(X).z[1][0].copy())  # after each step
    b2_path.append(long.params["b2"][0])
    steps += 1
    assert steps < 10_000
z_hidden = np.array(z_hidden)
# Unit 1 never wakes up: its weights and bias get no gradient from this sample, so its pre-activation
# keeps its starting value exactly.
assert np.all(z_hidden[:, 0] == z1[0]) and z1[0] < 0
# Unit 2's output weight is negative, so gradient descent lowers its activation: its pre-activation falls
# at every step until it drops below 0; from then on it is frozen too, and only b(2) moves.
off = int(np.argmax(z_hidden[:, 1] <= 0)) + 1  # the step after which unit 2 is inactive
assert z_hidden[off - 1, 1] <= 0 < z_hidden[off - 2, 1] and np.all(np.diff(z_hidden[:off, 1]) < 0)
assert np.all(z_hidden[off - 1:, 1] == z_hidden[off - 1, 1])
final_yhat = long.predict(X)[0, 0]
assert math.isclose(final_yhat, 1 / (1 + math.exp(-b2_path[-1])), rel_tol=1e-15)  # yhat = sigma(b(2))
solution(f"""
**1.** The prediction first exceeds $0.9$ after **{steps}** steps (it is then ${tex(final_yhat, 4)}$). Hidden
unit 1 never becomes active: its pre-activation stays at ${tex(z1[0])}$, unchanged, through all {steps}
steps, because with $a^{{(1)}}_1 = 0$ and $\\operatorname{{relu}}'(z^{{(1)}}_1) = 0$ none of the parameters
that feed it receive a gradient from this sample, and the sample itself does not change. Only other
samples (or a different initialisation) could make it active.

Hidden unit 2 goes the other way. Its outgoing weight $w^{{(2)}}_{{21}}$ is negative, so gradient descent
raises $\\hat y$ by *lowering* its activation: its pre-activation falls at every step, from
${tex(z1[1])}$ to ${tex(z_hidden[off - 1, 1], 3)}$ after step {off}, and the unit is silenced as well. From
then on no hidden unit passes anything: $\\hat y = \\sigma\\bigl(b^{{(2)}}\\bigr)$, and the remaining
{steps - off} steps move only the output bias, up to $b^{{(2)}} = {tex(b2_path[-1], 4)}$. The network fits
this one sample with a constant.
""", title="Solution 1")

# %% tags=["hide-input"]
g0 = net.gradients(X, np.array([[0.0]]))
for k in net.params:  # entry by entry: every non-zero gradient flips sign, the zeros stay zero
    assert np.array_equal(np.sign(g0[k]), -np.sign(grads[k])), (k, g0[k], grads[k])
assert math.isclose(net.deltas(X, np.array([[0.0]]))[2][0, 0], yhat, rel_tol=1e-14)
n_nonzero = sum(int(np.count_nonzero(g)) for g in grads.values())
solution(f"""
**2.** $\\delta^{{(2)}} = \\hat y - y$ becomes $\\hat y = {tex(yhat, 6)}$, positive instead of
${tex(d2, 6)}$. Every gradient is $\\delta^{{(2)}}$ times factors that do not depend on $y$, so all
{n_nonzero} non-zero gradient entries flip sign (the zeros of the inactive unit stay zero): the step
now lowers $\\hat y$.
""", title="Solution 2")

# %% tags=["hide-input"]
col_grad = np.outer(d1, x)  # delta_col x_col^T, with delta_col and x_col columns
assert np.array_equal(col_grad, grads["W1"].T)
solution(f"""
**3.** Entry $(k, j)$ of $\\delta_{{\\text{{col}}}}\\, x_{{\\text{{col}}}}^\\top$ is $\\delta^{{(1)}}_k x_j$; entry
$(j, k)$ of $x^\\top \\delta^{{(1)}}$ is $x_j \\delta^{{(1)}}_k$. They are the same products, so one matrix is
the other's transpose; here
$\\delta_{{\\text{{col}}}}\\, x_{{\\text{{col}}}}^\\top = {bmatrix(col_grad, 4)}$.
""", title="Solution 3")
