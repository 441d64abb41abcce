# %% [markdown]
# # Worked example: the 3-2-1 network
#
# A binary classifier with three inputs, a hidden layer of two ReLU units and one sigmoid output,
# trained with binary cross-entropy. We follow one sample through the network, compute every
# intermediate value, both deltas, the gradient of every weight and bias, and take one step of
# gradient descent. As on every page, the numbers are computed while the page builds and checked
# three ways: library, SymPy, finite differences.
#
# ## Two ways to write the same layer
#
# Many texts write a layer for one sample as a column vector, $z = W x + b$, with $W$ of shape
# (outputs $\times$ inputs). This book and its library put samples in *rows*, $Z = X W + b$, with
# $W$ of shape (inputs $\times$ outputs), so a whole batch goes through one matrix product. The two
# matrices are transposes of each other:
#
# $$
# z^\top = (W_{\text{col}}\, x + b)^\top = x^\top W_{\text{col}}^\top + b^\top = x^\top W_{\text{row}} + b^\top,
# \qquad W_{\text{row}} = W_{\text{col}}^\top .
# $$
#
# The example's weights are given in the column layout; the library receives their transposes.

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
import math

import sympy as sp

import backprop.symbolic as bs
from backprop.book import md, md_table, sci, solution


def bmatrix(M, fmt="{:.6g}") -> str:
    M = np.atleast_2d(M)
    rows = [" & ".join(fmt.format(v) for v in row) for row in M]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


# the layouts agree: column-layout z equals row-layout z
z_col = W1_col @ x + b1
assert np.allclose(z_col, (X @ net.params["W1"] + net.params["b1"])[0], rtol=0, atol=1e-15)
md(f"""
$$
W^{{(1)}}_{{\\text{{col}}}} = {bmatrix(W1_col)}, \\qquad
W^{{(1)}} = \\bigl(W^{{(1)}}_{{\\text{{col}}}}\\bigr)^\\top = {bmatrix(net.params["W1"])}, \\qquad
W^{{(2)}} = {bmatrix(net.params["W2"])} .
$$
""")

# %% [markdown]
# ## Forward pass

# %% tags=["hide-input"]
fp = net.forward(X)
z1, a1, z2, yhat = fp.z[1][0], fp.a[1][0], fp.z[2][0, 0], fp.a[2][0, 0]
loss0 = net.loss(X, Y)

# independent scalar recomputation
z1_m = [sum(W1_col[j, i] * x[i] for i in range(3)) + b1[j] for j in range(2)]
a1_m = [max(0.0, v) for v in z1_m]
z2_m = sum(W2_col[0, j] * a1_m[j] for j in range(2)) + b2[0]
yhat_m = 1 / (1 + math.exp(-z2_m))
loss_m = -(label * math.log(yhat_m) + (1 - label) * math.log(1 - yhat_m))
assert np.allclose(z1, z1_m, rtol=1e-14, atol=1e-15) and np.allclose(a1, a1_m, rtol=1e-14, atol=0)
assert math.isclose(z2, z2_m, rel_tol=1e-14) and math.isclose(yhat, yhat_m, rel_tol=1e-14)
assert math.isclose(loss0, loss_m, rel_tol=1e-14)
assert z1[0] < 0 < z1[1]  # the prose: unit 1 is silenced, unit 2 passes

terms = [" + ".join(f"({W1_col[j, i]:g})({x[i]:g})" for i in range(3)) + f" + ({b1[j]:g})" for j in range(2)]
md(f"""
Hidden pre-activations, unit by unit:

$$
\\begin{{aligned}}
z^{{(1)}}_1 &= {terms[0]} = {z1[0]:.4g} \\\\
z^{{(1)}}_2 &= {terms[1]} = {z1[1]:.4g}
\\end{{aligned}}
$$

The ReLU passes the positive one and silences the negative one:
$a^{{(1)}} = \\max\\bigl(0, z^{{(1)}}\\bigr) = {bmatrix(a1, "{:.4g}")}$.
Unit 1 is *inactive* for this sample: it contributes nothing to the output, and, as we will see,
none of its incoming weights can learn from this sample.

$$
z^{{(2)}} = a^{{(1)}} W^{{(2)}} + b^{{(2)}} = ({a1[0]:.4g})({W2_col[0, 0]:g}) + ({a1[1]:.4g})({W2_col[0, 1]:g})
  + {b2[0]:g} = {z2:.4g}, \\qquad \\hat y = \\sigma\\bigl(z^{{(2)}}\\bigr) = {yhat:.6f}
$$

The network gives the positive class a probability of only ${yhat:.3f}$ though the label is
${label:g}$, and the binary cross-entropy is large:

$$
L = -\\bigl[y \\log \\hat y + (1-y)\\log(1-\\hat y)\\bigr] = -\\log {yhat:.6f} = {loss0:.6f} .
$$
""")

# %% [markdown]
# ## Backward pass
#
# **Output delta.** With a sigmoid output and binary cross-entropy, the two derivatives
# $\partial L/\partial \hat y = -y/\hat y + (1-y)/(1-\hat y)$ and
# $\partial \hat y/\partial z = \hat y (1 - \hat y)$ collapse into one simple expression. SymPy
# multiplies them out:

# %% tags=["hide-input"]
fused = bs.derive_fused_delta("sigmoid", "bce")
fused.check()
display(fused)  # noqa: F821

# %% tags=["hide-input"]
deltas = net.deltas(X, Y)
d2, d1 = deltas[2][0, 0], deltas[1][0]
grads = net.gradients(X, Y)
relu_prime = (z1 > 0).astype(float)
assert math.isclose(d2, yhat_m - label, rel_tol=1e-14)
assert np.allclose(d1, d2 * W2_col[0] * relu_prime, rtol=1e-14, atol=0)
md(f"""
So $\\delta^{{(2)}} = \\hat y - y = {yhat:.6f} - {label:g} = {d2:.6f}$.

**Hidden delta.** The output delta flows back through $W^{{(2)}}$ and is gated by the ReLU's
derivative, $1$ where $z > 0$ and $0$ elsewhere:

$$
\\delta^{{(1)}} = \\bigl(\\delta^{{(2)}} W^{{(2)\\top}}\\bigr) \\odot \\operatorname{{relu}}'\\bigl(z^{{(1)}}\\bigr)
 = \\bigl({d2:.6f} \\cdot {bmatrix(W2_col, "{:g}")}\\bigr) \\odot {bmatrix(relu_prime, "{:g}")}
 = {bmatrix(d1 + 0.0, "{:.6f}")} .
$$

**Gradients.** Each weight's gradient is the activation at its input end times the delta at its
output end; each bias gradient is the delta itself:

$$
\\frac{{\\partial L}}{{\\partial W^{{(2)}}}} = a^{{(1)\\top}} \\delta^{{(2)}} = {bmatrix(grads["W2"] + 0.0, "{:.6f}")},
\\qquad
\\frac{{\\partial L}}{{\\partial b^{{(2)}}}} = {bmatrix(grads["b2"], "{:.6f}")},
$$

$$
\\frac{{\\partial L}}{{\\partial W^{{(1)}}}} = x^\\top \\delta^{{(1)}} = {bmatrix(grads["W1"] + 0.0, "{:.6f}")},
\\qquad
\\frac{{\\partial L}}{{\\partial b^{{(1)}}}} = {bmatrix(grads["b1"] + 0.0, "{:.6f}")} .
$$

In the column layout the same gradient is the transpose, $\\delta^{{(1)}} x^\\top$, a $2 \\times 3$
matrix like $W^{{(1)}}_{{\\text{{col}}}}$. The first hidden unit's column of $\\partial L / \\partial W^{{(1)}}$
is zero, and so is its entry of $\\partial L / \\partial W^{{(2)}}$: an inactive ReLU unit neither
passes signal forward nor gradient backward.
""")

# %% [markdown]
# ## Checks: SymPy and finite differences
#
# `backprop.symbolic.derive_network` writes the loss as one expression in all the weights and
# biases, $w^{(l)}_{jk}$ being the weight from unit $j$ of layer $l-1$ to unit $k$ of layer $l$, and
# differentiates it with respect to each of them. The table lists SymPy's exact value, the
# library's, and a centered finite difference for every parameter.

# %% tags=["hide-input"]
derivation = bs.derive_network(net, X, Y)
derivation.check()  # library == exact derivative, to 1e-12 of the largest gradient
report = bp.check_gradients(net, X, Y)
assert report.ok and report.kinks == 0, str(report)
numeric = np.concatenate([report.parameters[k].numeric.ravel() for k in net.params])
rows = []
for (symbol, exact, library), fd in zip(derivation.rows(), numeric, strict=True):
    assert abs(library - exact) <= 1e-12 * max(1.0, abs(exact))
    assert abs(fd - exact) <= 1e-9 * max(1.0, abs(exact))  # order-4 stencil, h = 1e-3: error ~1e-12
    rows.append([f"${sp.latex(symbol)}$", f"{exact:.10f}", f"{library:.10f}", f"{fd:.10f}"])
md_table(["parameter", "SymPy (exact)", "library", "finite difference"], rows)
n_weights = sum(v.size for k, v in net.params.items() if k.startswith("W"))
n_biases = sum(v.size for k, v in net.params.items() if k.startswith("b"))
md(f"""
All {len(rows)} agree: library against SymPy to ${sci(derivation.max_error)}$ (relative to the
largest gradient), finite differences to a relative error of at most ${sci(report.max_rel_error)}$.
The loss expression has {n_weights} weights and {n_biases} biases; deriving all {len(rows)}
derivatives symbolically took {derivation.seconds:.2f} s.
""")

# %% [markdown]
# ## One step of gradient descent

# %% tags=["hide-input"]
after = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
after.params.update({k: v.copy() for k, v in net.params.items()})
after.fit(X, Y, epochs=1, lr=lr)
loss1 = after.loss(X, Y)
for k in net.params:
    assert np.allclose(after.params[k], net.params[k] - lr * grads[k], rtol=1e-15, atol=0)
assert loss1 < loss0
assert np.array_equal(after.params["W1"][:, 0], net.params["W1"][:, 0]) and after.params["b1"][0] == b1[0]

md(f"""
With learning rate $\\eta = {lr}$, every parameter moves by $-\\eta$ times its gradient. In the
column layout of the example:

$$
W^{{(1)}}_{{\\text{{col}}}} \\leftarrow {bmatrix(after.params["W1"].T, "{:.4f}")}, \\quad
b^{{(1)}} \\leftarrow {bmatrix(after.params["b1"][:, None], "{:.4f}")}, \\quad
W^{{(2)}}_{{\\text{{col}}}} \\leftarrow {bmatrix(after.params["W2"].T, "{:.4f}")}, \\quad
b^{{(2)}} \\leftarrow {after.params["b2"][0]:.4f} .
$$

The first row of $W^{{(1)}}_{{\\text{{col}}}}$ and the first bias, belonging to the inactive unit,
did not move. The prediction rises from ${yhat:.4f}$ to ${after.predict(X)[0, 0]:.4f}$ and the loss
falls from ${loss0:.4f}$ to ${loss1:.4f}$.
""")

# %% tags=["hide-input"]
# The source tutorial's table of updated parameters (3 decimals, column layout) matches ours ...
published = {"W1": [[0.2, -0.4, 0.1], [0.623, 0.262, -0.385]], "b1": [0.1, -0.277], "W2": [[0.5, -0.892]],
             "b2": [0.277]}
for k, v in published.items():
    ours = after.params[k].T if k.startswith("W") else after.params[k]
    assert np.allclose(ours, v, atol=0.5e-3, rtol=0), (k, ours, v)
# ... but its forward pass does not (see the errata page)
md("""
These are the updated values the source tutorial publishes, to its three decimals. Its forward
pass, however, prints different intermediate numbers (pre-activations, prediction, loss and output
delta) that cannot have produced this update; the [errata](errata.py) page sets them side by side
with the values computed here.
""")

# %% [markdown]
# ## Exercises
#
# 1. Keep training on this one sample. After how many steps at $\eta = 0.1$ does the prediction
#    first exceed $0.9$, and does hidden unit 1 ever become active?
# 2. Redo the backward pass for the label $y = 0$. Which gradients change sign?
# 3. Show that the column layout's gradient $\delta^{(1)} x^\top$ is the transpose of the library's
#    $x^\top \delta^{(1)}$ (here $x$ is a column vector and $x^\top$ the library's row).

# %% tags=["hide-input"]
long = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
long.params.update({k: v.copy() for k, v in net.params.items()})
steps, z1_unit1 = 0, []
while long.predict(X)[0, 0] <= 0.9:
    long.fit(X, Y, epochs=1, lr=lr)
    z1_unit1.append(long.forward(X).z[1][0, 0])
    steps += 1
    assert steps < 10_000
assert max(z1_unit1) < 0  # unit 1 never wakes up: its weights get no gradient from this sample
solution(f"""
**1.** The prediction first exceeds $0.9$ after **{steps}** steps. Hidden unit 1 never becomes
active: its pre-activation stays at ${max(z1_unit1):.4f}$ throughout, because with $a_1 = 0$ and
$\\operatorname{{relu}}'(z_1) = 0$ none of the parameters that feed it receive a gradient. Only
other samples (or a different initialisation) could revive it.
""", title="Solution 1")

# %% tags=["hide-input"]
g0 = net.gradients(X, np.array([[0.0]]))
flipped = [k for k in net.params if np.any(np.sign(g0[k]) * np.sign(grads[k]) < 0)]
assert flipped == ["W1", "b1", "W2", "b2"]
assert math.isclose(net.deltas(X, np.array([[0.0]]))[2][0, 0], yhat, rel_tol=1e-14)
solution(f"""
**2.** $\\delta^{{(2)}} = \\hat y - y$ becomes $\\hat y = {yhat:.6f}$, positive instead of
${d2:.6f}$. Every gradient is $\\delta^{{(2)}}$ times factors that do not depend on $y$, so every
nonzero gradient flips sign (the zeros of the inactive unit stay zero): the step now lowers
$\\hat y$.
""", title="Solution 2")

# %% tags=["hide-input"]
col_grad = np.outer(d1, x)  # delta x^T with x a column
assert np.array_equal(col_grad, grads["W1"].T)
solution(f"""
**3.** Entry $(k, j)$ of $\\delta^{{(1)}} x^\\top$ is $\\delta_k x_j$; entry $(j, k)$ of
$x^\\top \\delta^{{(1)}}$ (row $x^\\top$, $\\delta$ as a row) is $x_j \\delta_k$. They are the same
products, so one matrix is the other's transpose; here
$\\delta^{{(1)}} x^\\top = {bmatrix(col_grad + 0.0, "{:.4f}")}$.
""", title="Solution 3")
