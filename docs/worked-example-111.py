# %% [markdown]
# # Worked example: the 1-1-1 network
#
# The smallest network with a hidden layer has one input, one hidden unit and one output. We run it
# forward on one sample, measure the loss, take every partial derivative by the chain rule, update the
# four parameters once, and then train for 60 epochs. The numbers on this page are computed while the
# page builds, and the gradients three ways that must agree: by the `backprop` library, by SymPy
# differentiating the loss expression, and by finite differences.

# %% tags=["hide-input"]
import math

import sympy as sp
from IPython.display import display

import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex
from backprop.book.netvalues import show_network_values
from backprop.book.symbols import symbol_box

symbol_box(["x", "y", "yhat", "z", "a", "sigma", "w111", "loss", "eta", "p", "grad"])

# %% [markdown]
# ## The network and its numbers
#
# The hidden unit applies the sigmoid $\sigma(z) = 1/(1+e^{-z})$; the output unit is linear; the
# loss is half the squared error. With one unit per layer each weight and bias is a single number,
# written $w^{(l)}$ and $b^{(l)}$:
#
# $$
# z^{(1)} = w^{(1)} x + b^{(1)}, \qquad a^{(1)} = \sigma\bigl(z^{(1)}\bigr), \qquad
# \hat y = z^{(2)} = w^{(2)} a^{(1)} + b^{(2)}, \qquad \mathcal{L} = \tfrac12\,(\hat y - y)^2 .
# $$
#
# In the library this is an `MLP` with layer sizes `[1, 1, 1]`. Its four parameters are $1\times 1$
# matrices and length-1 vectors, which we set to the values of the example:

# %%
import numpy as np

import backprop as bp

x, y = 0.5, 0.6  # the sample and its target
w1, b1, w2, b2 = 0.4, 0.1, 0.3, 0.2  # the starting parameters w(1), b(1), w(2), b(2)
lr = 0.1  # learning rate

net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
net.params.update(W1=np.array([[w1]]), b1=np.array([b1]), W2=np.array([[w2]]), b2=np.array([b2]))
X, Y = np.array([[x]]), np.array([[y]])

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
z1, a1, z2 = fp.z[1][0, 0], fp.a[1][0, 0], fp.z[2][0, 0]
yhat = fp.output[0, 0]
loss0 = net.loss(X, Y)

# the same numbers with nothing but the math module
z1_m = w1 * x + b1
a1_m = 1 / (1 + math.exp(-z1_m))
yhat_m = w2 * a1_m + b2
assert math.isclose(z1, z1_m, rel_tol=1e-15) and math.isclose(a1, a1_m, rel_tol=1e-15)
assert math.isclose(yhat, yhat_m, rel_tol=1e-15)
assert math.isclose(loss0, 0.5 * (yhat_m - y) ** 2, rel_tol=1e-14)
assert yhat < y  # the prose: the prediction falls short of the target

md(f"""
$$
\\begin{{aligned}}
z^{{(1)}} &= w^{{(1)}} x + b^{{(1)}} = {tex(w1)} \\cdot {tex(x)} + {tex(b1)} = {tex(z1, 6)} \\\\
a^{{(1)}} &= \\sigma\\bigl(z^{{(1)}}\\bigr) = {tex(a1, 6)} \\\\
\\hat y &= w^{{(2)}} a^{{(1)}} + b^{{(2)}} = {tex(w2)} \\cdot {tex(a1, 6)} + {tex(b2)} = {tex(yhat, 6)} \\\\
\\mathcal{{L}} &= \\tfrac12\\,(\\hat y - y)^2 = \\tfrac12\\,({tex(yhat, 6)} - {tex(y)})^2 = {tex(loss0, 6)}
\\end{{aligned}}
$$

The prediction ${tex(yhat, 4)}$ falls short of the target ${tex(y)}$, so
$\\partial \\mathcal{{L}}/\\partial \\hat y = \\hat y - y = {tex(yhat - y, 6)}$ is negative: raising the
output would lower the loss. The same forward pass, drawn on the network:
""")


forward_drawn = show_network_values(
    net, X, Y, "forward",
    "The forward pass on $x = " + tex(x) + "$: each line carries its weight $w^{(l)}$, each unit its "
    r"bias $b^{(l)}$, pre-activation $z^{(l)}$ and activation $a^{(l)}$; the output is $\hat y = a^{(2)}$.")
# The numbers on the picture are the library's, and the scalar recomputation's above.
assert forward_drawn == {("a", 0, 1): x, ("w", 1, 1, 1): w1, ("b", 1, 1): b1, ("z", 1, 1): z1, ("a", 1, 1): a1,
                         ("w", 2, 1, 1): w2, ("b", 2, 1): b2, ("z", 2, 1): z2, ("a", 2, 1): yhat}, forward_drawn
assert math.isclose(forward_drawn[("a", 2, 1)], yhat_m, rel_tol=1e-15)

# %% [markdown]
# ## Backward pass: the chain rule, factor by factor
#
# Each parameter reaches the loss through a chain of simple relations. Its derivative is the
# product of the local derivatives along that chain. `backprop.symbolic.chain_rule` builds each
# factor with `sympy.diff` from the relation it belongs to and evaluates it exactly at this
# forward pass (the decimals $0.4, 0.1, \dots$ read as the fractions $2/5, 1/10, \dots$):

# %% tags=["hide-input"]
chains = {key: bs.chain_rule(net, X, Y, key) for key in ("W2", "b2", "W1", "b1")}
for c in chains.values():
    c.check()  # product of factors == derivative of the whole loss expression == library


def book_tex(s: str) -> str:
    """SymPy's LaTeX in the book's notation: the loss is \\mathcal{L}; one unit per layer, so the
    weight w^{(l)}_{11} and the bias b^{(l)}_{1} are written w^{(l)} and b^{(l)}."""
    import re

    s = re.sub(r"\\partial L(?![A-Za-z])", r"\\partial \\mathcal{L}", s)
    return re.sub(r"([wb])\^\{\((\d+)\)\}_\{1{1,2}\}", r"\1^{(\2)}", s)


def chain_display(c: bs.ChainRule) -> str:
    head = rf"\frac{{\partial \mathcal{{L}}}}{{\partial {sp.latex(c.parameter)}}}"
    labels = r"\,".join(f.label for f in c.factors)
    exprs = r"\cdot ".join(rf"\bigl({sp.latex(f.expr)}\bigr)" for f in c.factors)
    values = r"\cdot ".join(f"({tex(float(f.value), 6)})" for f in c.factors)
    return book_tex(rf"$$\begin{{aligned}}{head} &= {labels} \\ &= {exprs} \\ "
                    rf"&= {values} = {tex(float(c.product), 6)}\end{{aligned}}$$")


md("\n\n".join(chain_display(c) for c in chains.values()))

# %% [markdown]
# The two output-layer derivatives share the factor $\hat y - y$; the two hidden-layer derivatives
# share $(\hat y - y)\, w^{(2)}\, \sigma'(z^{(1)})$. That shared prefix is the *delta* of a layer,
# $\delta^{(l)} = \partial \mathcal{L}/\partial z^{(l)}$, and computing it once per layer and reusing it,
# instead of recomputing it for every parameter, is what backpropagation does. With the sigmoid the
# factor $\partial a^{(1)}/\partial z^{(1)}$ is written through the activation itself,
# $\sigma'(z) = \sigma(z)(1-\sigma(z))$, which SymPy derives from the definition:

# %% tags=["hide-input"]
sig = bs.derive_activation("sigmoid")
sig.check()
display(sig)
deltas = net.deltas(X, Y)
assert math.isclose(deltas[2][0, 0], yhat - y, rel_tol=1e-15)
assert math.isclose(deltas[1][0, 0], (yhat - y) * w2 * a1 * (1 - a1), rel_tol=1e-14)

# %% [markdown]
# Drawn on the network, the backward pass runs from the output up. Each unit holds its activation
# $a^{(l)}$ from the forward pass and its delta $\delta^{(l)}$; each line holds the gradient of its weight,
# which is the activation at the line's upper end times the delta at its lower end,
# $\partial \mathcal{L}/\partial w^{(l)} = a^{(l-1)} \delta^{(l)}$. With one sample the gradient of a bias is
# its unit's delta, $\partial \mathcal{L}/\partial b^{(l)} = \delta^{(l)}$.

# %% tags=["hide-input"]
backward_drawn = show_network_values(
    net, X, Y, "backward",
    r"The backward pass: each unit shows its activation $a^{(l)}$ and its delta "
    r"$\delta^{(l)} = \partial \mathcal{L}/\partial z^{(l)}$, each line the gradient "
    r"$\partial \mathcal{L}/\partial w^{(l)} = a^{(l-1)}\,\delta^{(l)}$ of its weight.")
grads_lib = net.gradients(X, Y)
# The numbers on the picture are the library's deltas and gradients, and SymPy's chain-rule products.
assert backward_drawn == {("a", 0, 1): x, ("a", 1, 1): a1, ("a", 2, 1): yhat, ("delta", 1, 1): deltas[1][0, 0],
                          ("delta", 2, 1): deltas[2][0, 0], ("dw", 1, 1, 1): grads_lib["W1"][0, 0],
                          ("dw", 2, 1, 1): grads_lib["W2"][0, 0]}, backward_drawn
for key, chain in (("W1", chains["W1"]), ("W2", chains["W2"])):
    drawn = backward_drawn[("dw", int(key[1]), 1, 1)]
    assert math.isclose(drawn, float(chain.product), rel_tol=1e-13), (key, drawn, chain.product)
    assert math.isclose(drawn, backward_drawn[("a", int(key[1]) - 1, 1)] * backward_drawn[("delta", int(key[1]), 1)],
                        rel_tol=1e-15)
assert grads_lib["b1"][0] == deltas[1][0, 0] and grads_lib["b2"][0] == deltas[2][0, 0]
md(f"""
For example, $\\partial \\mathcal{{L}}/\\partial w^{{(1)}} = x\\, \\delta^{{(1)}}
= {tex(x)} \\cdot ({tex(deltas[1][0, 0], 6)}) = {tex(grads_lib["W1"][0, 0], 6)}$, the value of the chain-rule
product above.
""")

# %% [markdown]
# ## Three routes, one answer
#
# The table compares, for each parameter, the exact SymPy derivative of the whole loss expression
# (evaluated to 30 digits), the library's backward pass, and a centred finite difference
# $\bigl(\mathcal{L}(p+h) - \mathcal{L}(p-h)\bigr)/2h$ computed by `bp.check_gradients`. The last column
# is the finite difference's relative error, $|\text{finite difference} - \text{exact}| / |\text{exact}|$.

# %% tags=["hide-input"]
derivation = bs.derive_network(net, X, Y)
derivation.check()  # library == exact to 1e-12 relative to the largest gradient
report = bp.check_gradients(net, X, Y, order=2)
assert report.ok, str(report)
grads = net.gradients(X, Y)
names = {"W1": "$w^{(1)}$", "b1": "$b^{(1)}$", "W2": "$w^{(2)}$", "b2": "$b^{(2)}$"}
rows, fd_errors = [], []
for key in ("W1", "b1", "W2", "b2"):
    exact = float(sp.N(derivation.exact[key][0, 0], 30))
    numeric = float(report.parameters[key].numeric.ravel()[0])
    fd_errors.append(abs(numeric - exact) / abs(exact))
    rows.append([names[key], exact, grads[key].ravel()[0], numeric, num(fd_errors[-1], 2)])
    assert abs(grads[key].ravel()[0] - exact) <= 1e-12 * abs(exact)
# Centred difference with h ~ 1e-5: truncation ~h^2 |L'''| ~ 1e-11 and rounding ~ eps |L| / h ~ 1e-13,
# relative to gradients of order 0.01-0.2: well inside the book's float64 tolerance of 1e-7.
assert max(fd_errors) < 1e-7, fd_errors
md_table(["parameter", "SymPy (exact)", "library", "finite difference", "rel. error"], rows, fmt=10,
         align="lrrrr")
md(f"""
The library agrees with the exact derivative to ${tex(derivation.max_error, 2)}$ of the largest gradient
(the last digits of double precision); the finite difference (step $h = {tex(report.h, 2)}$) to a relative
error of at most ${tex(max(fd_errors), 2)}$, inside the book's tolerance of $10^{{-7}}$ for float64
gradient checks.
""")

# %% [markdown]
# ## One step of gradient descent
#
# Gradient descent moves every parameter a little against its derivative,
# $p \leftarrow p - \eta\, \partial \mathcal{L}/\partial p$, with learning rate $\eta$:

# %% tags=["hide-input"]
step_net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
step_net.params.update({k: v.copy() for k, v in net.params.items()})
step_net.fit(X, Y, epochs=1, lr=lr)
loss1 = step_net.loss(X, Y)
rows = []
for key in ("W1", "b1", "W2", "b2"):
    before, g, after = net.params[key].ravel()[0], grads[key].ravel()[0], step_net.params[key].ravel()[0]
    assert math.isclose(after, before - lr * g, rel_tol=1e-15)
    rows.append([names[key], before, g, after])
md_table(["parameter", "before", r"$\partial \mathcal{L}/\partial p$", f"after ($\\eta = {tex(lr)}$)"],
         rows, fmt=6)
# The prose: every derivative is negative, every parameter moved up, and each of them, increased,
# raises yhat (d yhat / dp > 0 for all four), toward the target from below.
dyhat_dp = {"W2": a1, "b2": 1.0, "W1": w2 * a1 * (1 - a1) * x, "b1": w2 * a1 * (1 - a1)}
assert all(grads[k].ravel()[0] < 0 for k in names) and all(v > 0 for v in dyhat_dp.values())
assert all(step_net.params[k].ravel()[0] > net.params[k].ravel()[0] for k in names)
yhat1 = step_net.predict(X)[0, 0]
assert yhat < yhat1 < y and loss1 < loss0
md(f"""
After the step the prediction is ${tex(yhat1, 4)}$ and the loss drops from ${tex(loss0, 4)}$ to
${tex(loss1, 4)}$, a factor of ${tex(loss0 / loss1, 4)}$. Every parameter moved up, because every
derivative was negative; and each of them, increased, raises $\\hat y$
($\\partial \\hat y/\\partial p > 0$ for all four), toward the target.
""")

# %% [markdown]
# ## Sixty epochs
#
# Repeating the step 60 times at $\eta = 0.1$ (one sample, so each epoch is one update) drives the
# output to the target. `fit` records the loss and the gradient's Euclidean norm
# $\lVert \nabla \mathcal{L} \rVert$ at the start of every epoch.

# %%
train_net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
train_net.params.update(W1=np.array([[w1]]), b1=np.array([b1]), W2=np.array([[w2]]), b2=np.array([b2]))
history = train_net.fit(X, Y, epochs=60, lr=lr)
print(f"loss {history.loss[0]:.4f} -> {history.loss[-1]:.2e}, output {train_net.predict(X)[0, 0]:.4f}")

# %% tags=["hide-input"]
epochs = np.arange(history.epochs)


def draw_training(fig):
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.semilogy(epochs, history.loss, color="C0")
    ax1.set_ylabel(r"loss $\mathcal{L}$")
    ax2.semilogy(epochs, history.grad_norm, color="C1")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel(r"$\|\nabla \mathcal{L}\|$")


# a straight line on a log scale: the loss shrinks by a constant factor per epoch
rate = float(np.exp(np.polyfit(epochs[10:], np.log(history.loss[10:]), 1)[0]))
ratios = history.loss[11:] / history.loss[10:-1]
assert np.all(np.abs(ratios / rate - 1) < 0.01), (ratios.min(), ratios.max(), rate)  # "nearly straight"
norm_ratios = history.grad_norm[11:] / history.grad_norm[10:-1]  # "both curves": the gradient norm's too
assert np.all(np.abs(norm_ratios / np.sqrt(rate) - 1) < 0.01), (norm_ratios.min(), norm_ratios.max(), rate)
assert np.all(np.diff(history.loss) < 0) and np.all(np.diff(history.grad_norm) < 0)  # both fall every epoch
figure(draw_training, figsize=(5.0, 5.0),
       alt=f"Two log-scale plots over {history.epochs} epochs, one above the other. The loss falls from "
           f"{num(history.loss[0], 3)} to {num(history.loss[-1], 2)} and the gradient norm from "
           f"{num(history.grad_norm[0], 3)} to {num(history.grad_norm[-1], 2)}; both fall every epoch, "
           f"along nearly straight lines.",
       caption="Loss (top) and gradient norm (bottom) per epoch, on logarithmic axes.")
md(f"""
On a logarithmic axis both curves are nearly straight: from epoch 10 on, the loss shrinks by a factor
between ${tex(ratios.min(), 4)}$ and ${tex(ratios.max(), 4)}$ per epoch, as gradient descent does near a
minimum where the loss is close to a quadratic. Since $\\mathcal{{L}} = \\tfrac12 (\\hat y - y)^2$, the error
$\\hat y - y$ shrinks by the square root of that factor, about ${tex(math.sqrt(rate), 3)}$, each step. The
loss falls from ${tex(history.loss[0], 4)}$ to ${tex(history.loss[-1], 2, trim=False)}$.
""")

# %% tags=["hide-input"]
final = {k: v.ravel()[0] for k, v in train_net.params.items()}
yhat_final = train_net.predict(X)[0, 0]

# The same epochs with scalar arithmetic only, recording at every state (after e = 0 ... 60 updates)
# w(2) and the factor w(2) sigma'(z(1)) x between dL/db(2) = yhat - y and dL/dw(1).
p = [w1, b1, w2, b2]
w2_path, damping = [], []
for e in range(history.epochs + 1):
    s = 1 / (1 + math.exp(-(p[0] * x + p[1])))
    w2_path.append(p[2])
    damping.append(p[2] * s * (1 - s) * x)
    if e == history.epochs:
        break
    d = p[2] * s + p[3] - y
    dz = d * p[2] * s * (1 - s)
    p = [p[0] - lr * dz * x, p[1] - lr * dz, p[2] - lr * d * s, p[3] - lr * d]
assert np.allclose([final["W1"], final["b1"], final["W2"], final["b2"]], p, rtol=1e-12, atol=0)
w2_path, damping = np.array(w2_path), np.array(damping)

moved = {k: abs(final[k] - net.params[k].ravel()[0]) for k in ("W1", "b1", "W2", "b2")}
assert max(moved, key=moved.get) == "b2" and min(moved, key=moved.get) == "W1", moved
md_table(["parameter", "start", f"after {history.epochs} epochs", "change"],
         [[names[k], net.params[k].ravel()[0], final[k], final[k] - net.params[k].ravel()[0]]
          for k in ("W1", "b1", "W2", "b2")], fmt=4)

# The bound of the text, over the whole run: sigma' <= 1/4 and x is fixed, so the factor is at most
# w(2) x / 4 at every epoch, hence at most (largest w(2) of the run) x / 4. The start's 0.3 * 0.25 * 0.5
# bounds the factor at the start only.
bound_run = w2_path.max() * 0.25 * x
start_bound = w2 * 0.25 * x
assert np.all(damping <= w2_path * 0.25 * x) and damping.max() <= bound_run
assert damping[0] <= start_bound < damping.max(), (damping[0], start_bound, damping.max())
assert np.all(np.diff(damping) > 0) and np.all(np.diff(w2_path) > 0)  # both grow at every update
published_final = {"W1": 0.4072, "b1": 0.1143, "W2": 0.3978, "b2": 0.3697}  # the tutorial's 4 decimals
assert all(abs(final[k] - v) <= 0.5e-4 for k, v in published_final.items()), final
md(f"""
The final output is ${tex(yhat_final, 4, trim=False)}$ (target ${tex(y)}$, error
${tex(yhat_final - y, 2, trim=False)}$). The output bias $b^{{(2)}}$ moved most and the input weight
$w^{{(1)}}$ least. Their derivatives share the factor $\\hat y - y$:
$\\partial \\mathcal{{L}}/\\partial b^{{(2)}} = \\hat y - y$, while
$\\partial \\mathcal{{L}}/\\partial w^{{(1)}} = (\\hat y - y)\\, w^{{(2)}} \\sigma'(z^{{(1)}})\\, x$ carries the extra
factor $w^{{(2)}} \\sigma'(z^{{(1)}})\\, x$. At the start that factor is
${tex(w2)} \\cdot {tex(a1 * (1 - a1), 4)} \\cdot {tex(x)} = {tex(damping[0], 3)}$, just under
${tex(w2)} \\cdot \\tfrac14 \\cdot {tex(x)} = {tex(start_bound, 3)}$ (since $\\sigma' \\le \\tfrac14$). It does not
stay there: $w^{{(2)}}$ grows to ${tex(w2_path[-1], 3)}$ and the factor with it, at every epoch, to
${tex(damping.max(), 3)}$. Over the whole run it stays below
$\\max w^{{(2)}} \\cdot \\tfrac14 \\cdot x = {tex(bound_run, 3)}$, so every step of $w^{{(1)}}$ is less than
${tex(math.ceil(damping.max() * 1000) / 1000, 3)}$ times the step of $b^{{(2)}}$ taken at the same epoch:
the first layer learns slowly here.

The four final values agree, to the four decimals printed, with the ones published in
*Back-propagation and forward propagation in Neural Networks*, the tutorial this example comes from; its
worked numbers for the first step contain a few rounding slips, listed on the [errata page](errata.py).
""")

# %% [markdown]
# ## Exercises
#
# 1. Derive $\partial \mathcal{L}/\partial x$, the derivative of the loss with respect to the *input*,
#    at the starting parameters. (`net.gradients` does not return it: $x$ is data, not a parameter.)
# 2. If only $b^{(2)}$ were trained, which learning rate would put $\hat y$ exactly on the target in
#    one step?
# 3. After how many epochs of the run above does the loss first fall below $10^{-6}$?

# %% tags=["hide-input"]
assert set(net.gradients(X, Y)) == set(net.params)  # gradients of the parameters only
xs = sp.Symbol("x")
w1s, b1s, w2s, b2s = (sp.Rational(str(v)) for v in (w1, b1, w2, b2))
L_x = (w2s / (1 + sp.exp(-(w1s * xs + b1s))) + b2s - sp.Rational(str(y))) ** 2 / 2
dL_dx = float(sp.diff(L_x, xs).subs(xs, sp.Rational(str(x))))
h_fd = 1e-6
L_num = lambda xv: 0.5 * (w2 / (1 + math.exp(-(w1 * xv + b1))) + b2 - y) ** 2  # noqa: E731
assert math.isclose(dL_dx, (L_num(x + h_fd) - L_num(x - h_fd)) / (2 * h_fd), rel_tol=1e-7)
assert math.isclose(dL_dx, (yhat - y) * w2 * a1 * (1 - a1) * w1, rel_tol=1e-12)
solution(f"""
**1.** The chain is the one of $w^{{(1)}}$ with the last factor $\\partial z^{{(1)}}/\\partial x = w^{{(1)}}$
instead of $x$: $\\partial \\mathcal{{L}}/\\partial x
= (\\hat y - y)\\, w^{{(2)}}\\, \\sigma'(z^{{(1)}})\\, w^{{(1)}} = {tex(dL_dx, 6)}$.
SymPy's derivative of the loss in $x$ and a finite difference give the same value.
""", title="Solution 1")

# %% tags=["hide-input"]
# b(2) <- b(2) - lr (yhat - y) moves yhat by -lr (yhat - y): lr = 1 lands on the target
b2_net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
b2_net.params.update({k: v.copy() for k, v in net.params.items()})
b2_net.params["b2"] -= 1.0 * b2_net.gradients(X, Y)["b2"]
yhat_b2 = b2_net.predict(X)[0, 0]
assert math.isclose(yhat_b2, y, rel_tol=1e-15)
b2_sym = sp.Symbol("b")
second = sp.diff((w2s * sp.Rational(str(a1)) + b2_sym - sp.Rational(str(y))) ** 2 / 2, b2_sym, 2)
assert second == 1
solution(f"""
**2.** $\\hat y$ depends on $b^{{(2)}}$ with slope 1, and $\\partial \\mathcal{{L}}/\\partial b^{{(2)}} = \\hat y - y$,
so the step changes $\\hat y$ by $-\\eta(\\hat y - y)$: $\\eta = 1$ lands exactly on the target (checked:
$\\hat y$ becomes ${tex(yhat_b2, 6)}$). For the half squared error of one sample, $\\eta = 1$ is Newton's
step along $b^{{(2)}}$, since $\\partial^2 \\mathcal{{L}}/\\partial {{b^{{(2)}}}}^2 = {second}$.
""", title="Solution 2")

# %% tags=["hide-input"]
first = int(np.argmax(history.loss < 1e-6))
assert history.loss[first] < 1e-6 <= history.loss[first - 1]
solution(f"""
**3.** `history.loss[e]` is the loss at the start of epoch $e$: it is
${tex(history.loss[first - 1], 2, trim=False)}$ at epoch {first - 1} and
${tex(history.loss[first], 2, trim=False)}$ at epoch {first}, so the loss first drops below $10^{{-6}}$
after {first} updates.
""", title="Solution 3")
