# %% [markdown]
# # Worked example: the 1-1-1 network
#
# The smallest network that still needs backpropagation has one input, one hidden unit and one
# output. We run it forward on one sample, measure the loss, take every partial derivative by the
# chain rule, update the four parameters once, and then train for 60 epochs. Every number on this
# page is computed while the page builds, by three independent routes that must agree: the
# `backprop` library, SymPy differentiating the loss expression, and finite differences.
#
# ## The network and its numbers
#
# The hidden unit applies the sigmoid $\sigma(z) = 1/(1+e^{-z})$; the output unit is linear; the
# loss is half the squared error:
#
# $$
# z^{(1)} = w_1 x + b_1, \qquad a^{(1)} = \sigma\bigl(z^{(1)}\bigr), \qquad
# \hat y = z^{(2)} = w_2\, a^{(1)} + b_2, \qquad L = \tfrac12\,(\hat y - y)^2 .
# $$
#
# In the library this is an `MLP` with layer sizes `[1, 1, 1]`. Its four parameters are $1\times 1$
# matrices and length-1 vectors, which we set to the values of the example:

# %%
import numpy as np

import backprop as bp

x, y = 0.5, 0.6  # the sample and its target
w1, b1, w2, b2 = 0.4, 0.1, 0.3, 0.2  # the starting parameters
lr = 0.1  # learning rate

net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
net.params.update(W1=np.array([[w1]]), b1=np.array([b1]), W2=np.array([[w2]]), b2=np.array([b2]))
X, Y = np.array([[x]]), np.array([[y]])

# %% tags=["hide-input"]
import math

import sympy as sp

import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution


def fmt(v: float, digits: int = 6) -> str:
    """A number for the prose: `digits` significant figures, minus sign typeset."""
    return f"{v:.{digits}g}"


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

md(f"""
$$
\\begin{{aligned}}
z^{{(1)}} &= w_1 x + b_1 = {w1} \\cdot {x} + {b1} = {fmt(z1)} \\\\
a^{{(1)}} &= \\sigma\\bigl(z^{{(1)}}\\bigr) = {fmt(a1)} \\\\
\\hat y &= w_2\\, a^{{(1)}} + b_2 = {w2} \\cdot {fmt(a1)} + {b2} = {fmt(yhat)} \\\\
L &= \\tfrac12\\,(\\hat y - y)^2 = \\tfrac12\\,({fmt(yhat)} - {y})^2 = {fmt(loss0)}
\\end{{aligned}}
$$

The prediction ${fmt(yhat, 4)}$ falls short of the target ${y}$, so the loss is positive and
$\\partial L/\\partial \\hat y = \\hat y - y = {fmt(yhat - y)}$ is negative: raising the output
would lower the loss.
""")

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


def chain_display(c: bs.ChainRule) -> str:
    head = rf"\frac{{\partial L}}{{\partial {sp.latex(c.parameter)}}}"
    labels = r"\,".join(f.label for f in c.factors)
    exprs = r"\cdot ".join(rf"\bigl({sp.latex(f.expr)}\bigr)" for f in c.factors)
    values = r"\cdot ".join(f"({float(f.value):.6g})" for f in c.factors)
    return (rf"$$\begin{{aligned}}{head} &= {labels} \\ &= {exprs} \\ "
            rf"&= {values} = {float(c.product):.6g}\end{{aligned}}$$")


md("\n\n".join(chain_display(c) for c in chains.values()))

# %% [markdown]
# The two output-layer derivatives share the factor $\hat y - y$; the two hidden-layer derivatives
# share $(\hat y - y)\, w_2\, \sigma'(z^{(1)})$. That shared prefix is the *delta* of a layer, and
# reusing it instead of recomputing it is all that backpropagation is. With the sigmoid the
# factor $\partial a^{(1)}/\partial z^{(1)}$ is written through the activation itself,
# $\sigma'(z) = \sigma(z)(1-\sigma(z))$, which SymPy derives from the definition:

# %% tags=["hide-input"]
sig = bs.derive_activation("sigmoid")
sig.check()
display(sig)  # noqa: F821 (IPython's display)

# %% [markdown]
# ## Three routes, one answer
#
# The table compares, for each parameter, the exact SymPy derivative of the whole loss expression
# (evaluated to 30 digits), the library's backward pass, and a centered finite difference
# $\bigl(L(p+h) - L(p-h)\bigr)/2h$ computed by `bp.check_gradients`.

# %% tags=["hide-input"]
derivation = bs.derive_network(net, X, Y)
derivation.check()  # library == exact to 1e-12 relative to the largest gradient
report = bp.check_gradients(net, X, Y, order=2)
assert report.ok, str(report)
grads = net.gradients(X, Y)
names = {"W1": "$w_1$", "b1": "$b_1$", "W2": "$w_2$", "b2": "$b_2$"}
rows = []
for key in ("W1", "b1", "W2", "b2"):
    exact = float(sp.N(derivation.exact[key][0, 0], 30))
    p = report.parameters[key]
    rows.append([names[key], f"{exact:.10f}", f"{grads[key].ravel()[0]:.10f}", f"{p.numeric.ravel()[0]:.10f}",
                 f"${sci(p.rel_error.ravel()[0])}$"])
    assert abs(grads[key].ravel()[0] - exact) <= 1e-12 * abs(exact)
    assert p.rel_error.ravel()[0] < 1e-7
md_table(["parameter", "SymPy (exact)", "library", "finite difference", "rel. error"], rows)
md(f"""
The library agrees with the exact derivative to ${sci(derivation.max_error)}$ of the largest gradient
(the last digits of double precision); the finite difference (step $h = {sci(report.h)}$, last
column) agrees to a relative error of at most ${sci(report.max_rel_error)}$, far inside the
$10^{{-7}}$ that a correct float64 gradient must meet.
""")

# %% [markdown]
# ## One step of gradient descent
#
# Gradient descent moves every parameter a little against its derivative,
# $p \leftarrow p - \eta\, \partial L/\partial p$, with learning rate $\eta$:

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
md_table(["parameter", "before", r"$\partial L/\partial p$", f"after ($\\eta = {lr}$)"], rows, fmt="{:.6f}")
assert loss1 < loss0
md(f"""
After the step the prediction is ${fmt(step_net.predict(X)[0, 0], 4)}$ and the loss drops from
${fmt(loss0, 4)}$ to ${fmt(loss1, 4)}$, a factor of ${loss0 / loss1:.3f}$. Every parameter moved
up, because every derivative was negative: each of them, increased, raises $\\hat y$ toward the
target.
""")

# %% [markdown]
# ## Sixty epochs
#
# Repeating the step 60 times at $\eta = 0.1$ (one sample, so each epoch is one update) drives the
# output to the target. `fit` records the loss and the gradient's Euclidean norm at the start of
# every epoch.

# %%
train_net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
train_net.params.update(W1=np.array([[w1]]), b1=np.array([b1]), W2=np.array([[w2]]), b2=np.array([b2]))
history = train_net.fit(X, Y, epochs=60, lr=lr)

# %% tags=["hide-input"]
epochs = np.arange(history.epochs)


def draw_training(fig):
    ax1, ax2 = fig.subplots(1, 2)
    ax1.semilogy(epochs, history.loss, color="C0")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("loss $L$ (log scale)")
    ax1.set_title("Loss")
    ax2.semilogy(epochs, history.grad_norm, color="C1")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel(r"$\|\nabla L\|$ (log scale)")
    ax2.set_title("Gradient norm")


# a straight line on a log scale: the loss shrinks by a constant factor per epoch
rate = float(np.exp(np.polyfit(epochs[10:], np.log(history.loss[10:]), 1)[0]))
figure(draw_training, figsize=(7.2, 3.2),
       alt=f"Two log-scale plots over {history.epochs} epochs. The loss falls from {history.loss[0]:.4f} to "
           f"{history.loss[-1]:.1e} and the gradient norm from {history.grad_norm[0]:.3f} to "
           f"{history.grad_norm[-1]:.1e}; both fall along nearly straight lines.",
       caption="Loss and gradient norm per epoch (log scale).")
md(f"""
On a logarithmic axis both curves are nearly straight: after the first few epochs the loss shrinks
by a factor of about ${rate:.3f}$ per epoch, the signature of gradient descent near a minimum
(the error in $\\hat y$ shrinks by a constant factor $\\sqrt{{{rate:.3f}}} \\approx {math.sqrt(rate):.3f}$
each step). The loss falls from ${fmt(history.loss[0], 4)}$ to ${sci(history.loss[-1], 2)}$.
""")

# %% tags=["hide-input"]
final = {k: v.ravel()[0] for k, v in train_net.params.items()}
yhat_final = train_net.predict(X)[0, 0]

# the same epochs with scalar arithmetic only
p = [w1, b1, w2, b2]
for _ in range(history.epochs):
    h = 1 / (1 + math.exp(-(p[0] * x + p[1])))
    d = p[2] * h + p[3] - y
    dz = d * p[2] * h * (1 - h)
    p = [p[0] - lr * dz * x, p[1] - lr * dz, p[2] - lr * d * h, p[3] - lr * d]
assert np.allclose([final["W1"], final["b1"], final["W2"], final["b2"]], p, rtol=1e-12, atol=0)

moved = {k: abs(final[k] - net.params[k].ravel()[0]) for k in ("W1", "b1", "W2", "b2")}
assert max(moved, key=moved.get) == "b2" and min(moved, key=moved.get) == "W1", moved
md_table(["parameter", "start", f"after {history.epochs} epochs", "change"],
         [[names[k], net.params[k].ravel()[0], final[k], final[k] - net.params[k].ravel()[0]]
          for k in ("W1", "b1", "W2", "b2")], fmt="{:.4f}")
md(f"""
The final output is ${yhat_final:.4f}$ (target ${y}$). The output bias $b_2$ moved most and the
input weight $w_1$ least: $\\partial L/\\partial w_1$ carries the extra factors
$w_2\\,\\sigma'(z^{{(1)}})\\,x \\le {w2} \\cdot 0.25 \\cdot {x}$, so the first layer learns slowly
here. These four values agree with the ones published in the source tutorial; its worked numbers
for the first step contain a few rounding slips, listed on the [errata page](errata.py).
""")

# %% [markdown]
# ## Exercises
#
# 1. Derive $\partial L/\partial x$, the derivative of the loss with respect to the *input*, at the
#    starting parameters. (The library never computes it: nothing upstream of $x$ needs it.)
# 2. If only $b_2$ were trained, which learning rate would put $\hat y$ exactly on the target in
#    one step?
# 3. After how many epochs of the run above does the loss first fall below $10^{-6}$?

# %% tags=["hide-input"]
xs = sp.Symbol("x")
w1s, b1s, w2s, b2s = (sp.Rational(str(v)) for v in (w1, b1, w2, b2))
L_x = (w2s / (1 + sp.exp(-(w1s * xs + b1s))) + b2s - sp.Rational(str(y))) ** 2 / 2
dL_dx = float(sp.diff(L_x, xs).subs(xs, sp.Rational(str(x))))
h_fd = 1e-6
L_num = lambda xv: 0.5 * (w2 / (1 + math.exp(-(w1 * xv + b1))) + b2 - y) ** 2  # noqa: E731
assert math.isclose(dL_dx, (L_num(x + h_fd) - L_num(x - h_fd)) / (2 * h_fd), rel_tol=1e-7)
assert math.isclose(dL_dx, (yhat - y) * w2 * a1 * (1 - a1) * w1, rel_tol=1e-12)
solution(f"""
**1.** The chain is the one of $w_1$ with the last factor $\\partial z^{{(1)}}/\\partial x = w_1$
instead of $x$: $\\partial L/\\partial x = (\\hat y - y)\\, w_2\\, \\sigma'(z^{{(1)}})\\, w_1 = {dL_dx:.6g}$.
SymPy's derivative of the loss in $x$ and a finite difference give the same value.
""", title="Solution 1")

# %% tags=["hide-input"]
# b2 -> b2 - lr (yhat - y) moves yhat by -lr (yhat - y): lr = 1 lands on the target
b2_net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
b2_net.params.update({k: v.copy() for k, v in net.params.items()})
b2_net.params["b2"] -= 1.0 * b2_net.gradients(X, Y)["b2"]
assert math.isclose(b2_net.predict(X)[0, 0], y, rel_tol=1e-15)
solution(f"""
**2.** $\\hat y$ depends on $b_2$ with slope 1, and $\\partial L/\\partial b_2 = \\hat y - y$, so the
step changes $\\hat y$ by $-\\eta(\\hat y - y)$: $\\eta = 1$ lands exactly on the target
(checked: $\\hat y$ becomes ${b2_net.predict(X)[0, 0]:.6f}$). For the squared error, $\\eta = 1$ is
Newton's step along $b_2$, since $\\partial^2 L/\\partial b_2^2 = 1$.
""", title="Solution 2")

# %% tags=["hide-input"]
first = int(np.argmax(history.loss < 1e-6))
assert history.loss[first] < 1e-6 <= history.loss[first - 1]
solution(f"""
**3.** `history.loss[e]` is the loss at the start of epoch $e$: it is
${sci(history.loss[first - 1], 2)}$ at epoch {first - 1} and ${sci(history.loss[first], 2)}$ at epoch
{first}, so the loss first drops below $10^{{-6}}$ after {first} updates.
""", title="Solution 3")
