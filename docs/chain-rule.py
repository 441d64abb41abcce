# %% [markdown]
# # The chain rule
#
# Backpropagation is the chain rule of calculus, applied in a good order. This chapter builds the rule
# up in three steps (one variable, several variables, several paths that meet), derives each example
# with SymPy, and checks each derivative against a finite difference. It ends with the consequence that
# matters in code: gradients are *sums*, so code that builds them piece by piece adds into a buffer,
# and that buffer must be emptied before the next step; a buffer that never is turns out to be momentum
# without friction. The symbols are those of the
# [notation table](symbols.py).

# %% tags=["hide-input"]
import matplotlib as mpl
import numpy as np
import sympy as sp

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex


def central(f, x, h=1e-6):
    """Centred finite difference (f(x + h) - f(x - h)) / 2h; error O(h^2)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


checks = []  # (what, derived, finite difference) for the table of checks at the end

# %% [markdown]
# ## One variable
#
# If $z$ depends on $x$ and $a$ on $z$ (as in a unit, $z = w^{(1)} x + b^{(1)}$ and $a = f_1(z)$), a small
# change $\Delta x$ changes $z$ by about $\frac{dz}{dx}\,\Delta x$, and that changes $a$ by about
# $\frac{da}{dz}\,\frac{dz}{dx}\,\Delta x$. So
#
# $$
# \frac{da}{dx} = \frac{da}{dz}\,\frac{dz}{dx}.
# $$
#
# A chain of any length multiplies one *local* derivative per link. The smallest network has such a
# chain: one input and one sigmoid output unit (a 1-1 network), $z^{(1)} = w^{(1)} x + b^{(1)}$,
# $\hat y = \sigma(z^{(1)})$, with the loss $\mathcal{L} = \tfrac12 (\hat y - y)^2$. The weight
# $w^{(1)}$ reaches the loss through $z^{(1)}$ and then $\hat y$:
#
# $$
# \frac{\partial \mathcal{L}}{\partial w^{(1)}}
# = \frac{\partial \mathcal{L}}{\partial \hat y}\,\frac{\partial \hat y}{\partial z^{(1)}}\,
#   \frac{\partial z^{(1)}}{\partial w^{(1)}}
# = (\hat y - y)\;\sigma'(z^{(1)})\;x .
# $$
#
# SymPy differentiates the composed expression directly, without the chain rule's factors; the
# chain-rule product must be the same function of $w^{(1)}$, $x$, $b^{(1)}$ and $y$.

# %% tags=["hide-input"]
x, w, b, y = sp.symbols("x w^{(1)} b^{(1)} y", real=True)
zz = w * x + b
sig = 1 / (1 + sp.exp(-zz))
L1 = (sig - y) ** 2 / 2
dL1_direct = sp.diff(L1, w)
chain1 = (sig - y) * (sig * (1 - sig)) * x
proved1 = bs.is_zero(dL1_direct - chain1)
assert proved1
md("SymPy's derivative minus the chain-rule product $(\\hat y - y)\\,\\sigma(z^{(1)})(1 - \\sigma(z^{(1)}))\\,x$ "
   "simplifies to 0: the two are the same function.")
assert dL1_direct != chain1  # SymPy's own form is not the factored product: the check above is not trivial

# %% tags=["hide-input"]
point1 = {x: 2.0, b: 0.1, y: 1.0}
w0 = 0.4
L1_num = sp.lambdify(w, L1.subs(point1), "math")
d_sym = float(dL1_direct.subs(point1).subs(w, w0))
d_fd = central(L1_num, w0)
checks.append(("one variable: $\\partial \\mathcal{L}/\\partial w^{(1)}$", d_sym, d_fd))
ws = np.linspace(-3, 4, 200)
Ls = np.array([L1_num(v) for v in ws])
assert np.all(np.diff(Ls) < 0) and Ls[-1] < 1e-6 * Ls[0], (Ls[0], Ls[-1])  # the alt text: falls towards 0


def draw_tangent(fig):
    ax = fig.subplots()
    ax.plot(ws, Ls, label=r"$\mathcal{L}(w^{(1)})$")
    t = np.linspace(w0 - 1.2, w0 + 1.2, 2)
    ax.plot(t, L1_num(w0) + d_sym * (t - w0), linestyle="--", label=f"tangent, slope {num(d_sym, 4)}")
    ax.plot([w0], [L1_num(w0)], "o", color="C1")
    ax.set_xlabel("$w^{(1)}$")
    ax.set_ylabel(r"$\mathcal{L}$")
    ax.legend(loc="upper right")


md(f"""
At $x = {tex(point1[x])}$, $b^{{(1)}} = {tex(point1[b])}$, $y = {tex(point1[y])}$ and $w^{{(1)}} = {tex(w0)}$ the
derivative is ${tex(d_sym, 8)}$; the centred difference
$\\bigl(\\mathcal{{L}}(w^{{(1)}} + h) - \\mathcal{{L}}(w^{{(1)}} - h)\\bigr)/2h$ with $h = 10^{{-6}}$ gives
${tex(d_fd, 8)}$ (relative difference ${tex(rel(d_sym, d_fd), 2)}$). The derivative is the slope of the
tangent:
""")
figure(draw_tangent, alt=f"The loss of one sigmoid unit as a function of its weight, a smooth curve that falls "
       f"towards 0 as the weight grows; at weight {num(w0, trim=True)} the tangent has slope {num(d_sym, 4)}, "
       f"the chain-rule derivative.",
       caption="The chain-rule derivative is the slope of the loss as one weight varies.")

# %% [markdown]
# ## Several variables
#
# A unit has several inputs and several weights. The first hidden unit of a network with two inputs
# has the pre-activation $z^{(1)}_1 = w^{(1)}_{11} x_1 + w^{(1)}_{21} x_2 + b^{(1)}_1$, a function of all of
# them, and the *partial* derivative with respect to one holds the others fixed:
# $\partial z^{(1)}_1 / \partial w^{(1)}_{11} = x_1$, $\partial z^{(1)}_1 / \partial x_1 = w^{(1)}_{11}$,
# $\partial z^{(1)}_1 / \partial b^{(1)}_1 = 1$. The chain rule then works one variable at a time: for the
# activation $a^{(1)}_1 = \tanh(z^{(1)}_1)$ each partial derivative is $\tanh'(z^{(1)}_1)$ times the one of
# $z^{(1)}_1$, and the *gradient* with respect to the unit's three parameters collects them in one vector,
#
# $$
# \Bigl(\frac{\partial a^{(1)}_1}{\partial w^{(1)}_{11}},\ \frac{\partial a^{(1)}_1}{\partial w^{(1)}_{21}},\
# \frac{\partial a^{(1)}_1}{\partial b^{(1)}_1}\Bigr) = \tanh'(z^{(1)}_1)\,(x_1,\ x_2,\ 1) .
# $$
#
# The common factor $\tanh'(z^{(1)}_1)$ is computed once and reused for
# every parameter of the unit: the first saving that backpropagation makes.

# %% tags=["hide-input"]
w11, w21, b1s, x1, x2 = sp.symbols("w^{(1)}_{11} w^{(1)}_{21} b^{(1)}_1 x_1 x_2", real=True)
z2 = w11 * x1 + w21 * x2 + b1s
act = sp.tanh(z2)
variables = [w11, w21, b1s]
grad_sym = [sp.diff(act, v) for v in variables]
grad_chain = [(1 - sp.tanh(z2) ** 2) * f for f in (x1, x2, 1)]
proved2 = all(bs.is_zero(g - c) for g, c in zip(grad_sym, grad_chain, strict=True))
point2 = {w11: 0.7, w21: -1.1, b1s: 0.2, x1: 0.9, x2: 0.3}
rows2 = []
for v, g in zip(variables, grad_sym, strict=True):
    fixed = {k: val for k, val in point2.items() if k != v}
    f = sp.lambdify(v, act.subs(fixed), "math")
    derived = float(g.subs(point2))
    fd = central(f, point2[v])
    checks.append((f"several variables: $\\partial a^{{(1)}}_1/\\partial {sp.latex(v)}$", derived, fd))
    rows2.append([f"$\\partial a^{{(1)}}_1 / \\partial {sp.latex(v)}$", derived, fd])
md(f"At $w^{{(1)}}_{{11}} = {tex(point2[w11])}$, $w^{{(1)}}_{{21}} = {tex(point2[w21])}$, "
   f"$b^{{(1)}}_1 = {tex(point2[b1s])}$, $x_1 = {tex(point2[x1])}$, $x_2 = {tex(point2[x2])}$: the values of "
   "SymPy's derivatives (each proved equal to the chain-rule formula above) and a centred difference "
   "in that one variable:")
md_table(["derivative", "SymPy", "finite difference"], rows2, fmt=8, align="lrr")

# %% [markdown]
# ## Several paths that meet
#
# In a network one quantity often reaches the loss along more than one route. Below, an input $x$ feeds
# the two units of a hidden layer, a $\tanh$ unit and a sigmoid unit (two different activations, so
# that the two routes differ visibly), and both feed the output
# $\hat y = w^{(2)}_{11} a^{(1)}_1 + w^{(2)}_{21} a^{(1)}_2$, whose loss is $\mathcal{L} = \tfrac12(\hat y - y)^2$
# (no biases, to keep the graph small). Changing $x$ moves $\mathcal{L}$ through $a^{(1)}_1$ *and* through
# $a^{(1)}_2$, and the two effects add:
#
# $$
# \frac{d\mathcal{L}}{dx}
# = \underbrace{\frac{\partial \mathcal{L}}{\partial \hat y}\,\frac{\partial \hat y}{\partial a^{(1)}_1}\,
#   \frac{\partial a^{(1)}_1}{\partial z^{(1)}_1}\,\frac{\partial z^{(1)}_1}{\partial x}}_{\text{path through }
#   a^{(1)}_1}
# + \underbrace{\frac{\partial \mathcal{L}}{\partial \hat y}\,\frac{\partial \hat y}{\partial a^{(1)}_2}\,
#   \frac{\partial a^{(1)}_2}{\partial z^{(1)}_2}\,\frac{\partial z^{(1)}_2}{\partial x}}_{\text{path through }
#   a^{(1)}_2}.
# $$
#
# The rule in general: **multiply the local derivatives along each path, then add over the paths.**
# The graph shows the values of the forward pass in the nodes and each edge's local derivative.

# %% tags=["hide-input"]
xs, W11s, W12s, V1s, V2s, ys = sp.symbols("x w^{(1)}_{11} w^{(1)}_{12} w^{(2)}_{11} w^{(2)}_{21} y", real=True)
z1e, z2e = W11s * xs, W12s * xs
a1e, a2e = sp.tanh(z1e), 1 / (1 + sp.exp(-z2e))
yhat_e = V1s * a1e + V2s * a2e
L3 = (yhat_e - ys) ** 2 / 2
vals = {xs: 0.5, W11s: 1.2, W12s: -0.7, V1s: 0.8, V2s: 1.5, ys: 2.0}
dL_dx_sym = sp.diff(L3, xs)
# Local derivatives, one per edge, and the two path products.
local = {
    ("x", "z1"): W11s, ("z1", "a1"): 1 - sp.tanh(z1e) ** 2, ("a1", "yhat"): V1s,
    ("x", "z2"): W12s, ("z2", "a2"): a2e * (1 - a2e), ("a2", "yhat"): V2s,
    ("yhat", "L"): yhat_e - ys,
}
path1 = [("x", "z1"), ("z1", "a1"), ("a1", "yhat"), ("yhat", "L")]
path2 = [("x", "z2"), ("z2", "a2"), ("a2", "yhat"), ("yhat", "L")]
prod1 = sp.Mul(*[local[e] for e in path1])
prod2 = sp.Mul(*[local[e] for e in path2])
proved3 = bs.is_zero(dL_dx_sym - (prod1 + prod2))
node_val = {"x": vals[xs]}
for name, expr in (("z1", z1e), ("a1", a1e), ("z2", z2e), ("a2", a2e), ("yhat", yhat_e), ("L", L3)):
    node_val[name] = float(expr.subs(vals))
edge_val = {e: float(d.subs(vals)) for e, d in local.items()}
p1, p2 = float(prod1.subs(vals)), float(prod2.subs(vals))
dLdx = float(dL_dx_sym.subs(vals))
L3_num = sp.lambdify(xs, L3.subs({k: v for k, v in vals.items() if k != xs}), "math")
dLdx_fd = central(L3_num, vals[xs])
checks.append(("two paths: $d\\mathcal{L}/dx$", dLdx, dLdx_fd))

# Top to bottom: x, the two pre-activations, the two activations, the output, the loss.
pos = {"x": (0, 4), "z1": (-1.4, 3), "a1": (-1.4, 2), "z2": (1.4, 3), "a2": (1.4, 2), "yhat": (0, 1),
       "L": (0, 0)}
labels = {"x": "x", "z1": "z^{(1)}_1", "a1": "a^{(1)}_1", "z2": "z^{(1)}_2", "a2": "a^{(1)}_2",
          "yhat": r"\hat y", "L": r"\mathcal{L}"}


def draw_graph(fig):
    ax = fig.subplots()
    fg = mpl.rcParams["text.color"]
    for (u, v), d in edge_val.items():
        colour = "C0" if (u, v) in path1[:3] else ("C1" if (u, v) in path2[:3] else fg)
        ax.annotate("", xy=pos[v], xytext=pos[u],
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.6, shrinkA=20, shrinkB=20))
        (x0, y0), (x1_, y1_) = pos[u], pos[v]
        side = -1 if min(x0, x1_) < 0 or (u, v) == ("a1", "yhat") else 1
        if (u, v) == ("yhat", "L"):
            side = 1
        ax.text((x0 + x1_) / 2 + 0.2 * side, (y0 + y1_) / 2, f"{num(d, 4)}", ha="left" if side > 0 else "right",
                va="center", color=colour)
    for name, (px, py) in pos.items():
        ax.text(px, py, f"${labels[name]}$ = {num(node_val[name], 4)}", ha="center", va="center",
                bbox=dict(boxstyle="round,pad=0.3", fc="none", ec=fg, lw=1))
    ax.set_xlim(-3.0, 3.0)
    ax.set_ylim(-0.4, 4.4)
    ax.axis("off")


figure(draw_graph, figsize=(5.0, 5.2),
       alt=f"A computational graph from top to bottom: x = {num(vals[xs], trim=True)} feeds two pre-activations; "
       f"the left one goes through tanh, the right one through the sigmoid; both activations feed the output "
       f"y-hat, which feeds the loss = {num(node_val['L'], 4)}. Each edge is labelled with its local "
       f"derivative; the left path multiplies to {num(p1, 4)}, the right one to {num(p2, 4)}.",
       caption="Forward values in the nodes, local derivatives on the edges; the two paths from $x$ are "
       "coloured.")

# %% tags=["hide-input"]
md_table(["path", "product of local derivatives"],
         [["$x \\to z^{(1)}_1 \\to a^{(1)}_1 \\to \\hat y \\to \\mathcal{L}$", p1],
          ["$x \\to z^{(1)}_2 \\to a^{(1)}_2 \\to \\hat y \\to \\mathcal{L}$", p2],
          ["sum of the paths", p1 + p2], ["SymPy, $d\\mathcal{L}/dx$ of the whole expression", dLdx],
          ["centred difference", dLdx_fd]], fmt=8)
assert proved3 and abs(dLdx - (p1 + p2)) < 1e-12 * abs(dLdx)
assert min(abs(dLdx - p1), abs(dLdx - p2)) > 1e-3  # neither path alone is the derivative
md(f"""
Either path alone is wrong: ${tex(p1, 4)}$ and ${tex(p2, 4)}$ miss the true ${tex(dLdx, 4)}$ by
${tex(abs(p2), 4)}$ and ${tex(abs(p1), 4)}$. SymPy's derivative of the whole expression minus the sum of
the two path products simplifies to 0.
""")

# %% [markdown]
# ### In a layer, every unit is a meeting point
#
# In a fully connected network every activation $a^{(l)}_{j}$ feeds *every* unit of the next layer, so
# the loss reaches it along $n_{l+1}$ edges at once and its derivative is a sum over them. For one
# sample,
#
# $$
# \frac{\partial \mathcal{L}}{\partial a^{(l)}_{j}} = \sum_{k=1}^{n_{l+1}}
# \frac{\partial \mathcal{L}}{\partial z^{(l+1)}_{k}}\,\frac{\partial z^{(l+1)}_{k}}{\partial a^{(l)}_{j}}
# = \sum_{k=1}^{n_{l+1}} \delta^{(l+1)}_{k}\, w^{(l+1)}_{jk},
# $$
#
# where $\delta^{(l+1)}_k = \partial \mathcal{L} / \partial z^{(l+1)}_k$. For a batch this sum over $k$ is a
# matrix product, $\delta^{(l+1)} \bigl(W^{(l+1)}\bigr)^{\top}$, the step that the next chapters turn into
# the backward pass. The hidden cell checks it on the three units of the first hidden layer of a
# 2-3-2-1 network: the sum over each unit's edges, written as a loop, against the matrix product of
# the library's deltas, and against finite differences that nudge one hidden activation and re-run the
# rest of the network.

# %% tags=["hide-input"]
net = bp.MLP([2, 3, 2, 1], hidden="tanh", output="identity", loss="mse", seed=4)
Xn = np.random.default_rng(5).normal(size=(1, 2))
Yn = np.array([[0.3]])
fp = net.forward(Xn)
deltas = net.deltas(Xn, Yn)
W2 = net.params["W2"]
by_paths = np.array([sum(deltas[2][0, k] * W2[j, k] for k in range(W2.shape[1])) for j in range(W2.shape[0])])


def loss_from_a1(a1_row):
    """The loss as a function of the first hidden layer's activations (layers 2 and 3 re-run)."""
    a = a1_row[None, :]
    for l in (2, 3):
        a = net.activations[l - 1].function(a @ net.params[f"W{l}"] + net.params[f"b{l}"])
    return bp.mse(a, Yn)


fd_a1 = np.array([central(lambda t, j=j: loss_from_a1(fp.a[1][0] + t * np.eye(3)[j]), 0.0) for j in range(3)])
matrix_form = (deltas[2] @ W2.T)[0]
assert np.allclose(by_paths, matrix_form, rtol=1e-12, atol=1e-15), (by_paths, matrix_form)
for j in range(3):
    checks.append((f"meeting point: $\\partial \\mathcal{{L}}/\\partial a^{{(1)}}_{{{j + 1}}}$", by_paths[j], fd_a1[j]))
md_table(["unit $j$", f"sum over {W2.shape[1]} edges (loop)",
          "$\\delta^{(2)} \\bigl(W^{(2)}\\bigr)^\\top$ (library)", "finite difference"],
         [[f"$a^{{(1)}}_{{{j + 1}}}$", by_paths[j], matrix_form[j], fd_a1[j]] for j in range(3)], fmt=8)

# %% [markdown]
# ## Gradients accumulate
#
# Sums appear twice in a gradient. The first is the sum over paths above. The second is the sum over
# samples: the book's loss is the mean of the per-sample losses $\mathcal{L}_i$ over the $N$ samples of a
# batch, $\mathcal{L} = \frac1N \sum_{i=1}^N \mathcal{L}_i$, so every derivative is the mean of the
# per-sample derivatives,
#
# $$
# \frac{\partial \mathcal{L}}{\partial p} = \frac1N \sum_{i=1}^{N} \frac{\partial \mathcal{L}_i}{\partial p}.
# $$
#
# The library computes the batch's gradient in one matrix product, where the sum over samples is
# hidden inside $\bigl(A^{(l-1)}\bigr)^\top \delta^{(l)}$. On a 1-4-1 $\tanh$ network and $N = 8$ samples
# of $y = x^2$, the mean of the eight one-sample gradients is the batch gradient:

# %%
import numpy as np

import backprop as bp

X = np.linspace(-1, 1, 8)[:, None]  # N = 8 samples of y = x^2
Y = X**2
net = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
batch_grads = net.gradients(X, Y)
per_sample = [net.gradients(X[i:i + 1], Y[i:i + 1]) for i in range(len(X))]  # one sample each
mean_err = max(float(np.max(np.abs(sum(g[k] for g in per_sample) / len(X) - batch_grads[k])))
               for k in batch_grads)
print(f"largest difference, mean of per-sample gradients vs batch gradient: {mean_err:.1e}")

# %% [markdown]
# Code that works one sample, or one path, at a time instead *accumulates*: it keeps a buffer per
# parameter and adds each contribution to it (`grad += ...`). PyTorch does this with a parameter's
# `.grad`: every `backward()` call adds to it, and a training loop empties it (`zero_grad()`) before
# the next batch.
#
# ### ... and the buffer must be emptied between steps
#
# A buffer that is only ever added to remembers every earlier step. If it is not reset to zero before
# the next batch, the "gradient" used for step $t$ is $g_1 + g_2 + \dots + g_t$, the sum of all gradients
# so far, not $g_t$. The loop below trains the 1-4-1 network both ways: it accumulates the per-sample
# gradients of all the samples into a buffer and takes a step of size $\eta$, once zeroing the
# buffer at the start of each step and once forgetting to.

# %%
def train_by_accumulation(reset, steps=40, lr=0.3):
    net = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
    grad = {k: np.zeros_like(p) for k, p in net.params.items()}
    losses = []
    for _ in range(steps):
        losses.append(net.loss(X, Y))
        if reset:
            for g in grad.values():
                g[...] = 0.0  # empty the buffer before the new step
        for i in range(len(X)):  # one sample at a time: accumulate
            g_i = net.gradients(X[i:i + 1], Y[i:i + 1])
            for k in grad:
                grad[k] += g_i[k] / len(X)
        for k, p in net.params.items():
            p -= lr * grad[k]
    return np.array(losses), net


loss_reset, net_reset = train_by_accumulation(reset=True)
loss_stale, net_stale = train_by_accumulation(reset=False)
print(f"final loss: with reset {loss_reset[-1]:.4f}, without {loss_stale[-1]:.4f}")

# %% tags=["hide-input"]
steps, lr = 40, 0.3
net_fit = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
hist = net_fit.fit(X, Y, epochs=steps, lr=lr)
fit_err = max(float(np.max(np.abs(net_fit.params[k] - net_reset.params[k]))) for k in net_fit.params)
hist_err = float(np.max(np.abs(hist.loss - loss_reset)))

# Step 2 without reset: the buffer holds g1 + g2 instead of g2.
probe = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
g1 = probe.gradients(X, Y)
for k, p in probe.params.items():
    p -= lr * g1[k]
g2 = probe.gradients(X, Y)


def flat(d):
    return np.concatenate([v.ravel() for v in d.values()])


stale2 = flat(g1) + flat(g2)
step2_error = float(np.linalg.norm(stale2 - flat(g2)) / np.linalg.norm(flat(g2)))
rises_stale = int(np.sum(np.diff(loss_stale) > 0))
rises_reset = int(np.sum(np.diff(loss_reset) > 0))

# The library's gradients are new arrays at every call: nothing is accumulated between calls.
ga, gb = net_fit.gradients(X, Y), net_fit.gradients(X, Y)
assert all(not np.shares_memory(ga[k], gb[k]) and np.array_equal(ga[k], gb[k]) for k in ga)
assert all(not np.shares_memory(ga[k], net_fit.params[k]) for k in ga)


def draw_reset(fig):
    ax = fig.subplots()
    ax.plot(loss_reset, label="buffer reset every step")
    ax.plot(loss_stale, label="buffer never reset", linestyle="--")
    ax.set_xlabel("step")
    ax.set_ylabel(r"loss $\mathcal{L}$")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_reset,
       alt=f"Loss against step for {steps} steps at learning rate {num(lr, trim=True)}. With the gradient buffer "
       f"reset each step the loss falls at every step, from {num(loss_reset[0], 3)} to {num(loss_reset[-1], 3)}; "
       f"without the reset it rises in {rises_stale} of the {steps - 1} steps and ends at {num(loss_stale[-1], 3)}.",
       caption="Training the same network with and without emptying the gradient buffer.")
md(f"""
With the reset, the loop reproduces the library's `fit` (fresh gradients every step): after {steps} steps
the parameters differ by at most ${tex(fit_err, 2)}$, and the loss falls at every step, from
${tex(loss_reset[0], 4)}$ to ${tex(loss_reset[-1], 4)}$. Without it, the very first step is still right (the
buffer starts empty), but the second already uses $g_1 + g_2$, which differs from the true $g_2$ by
${tex(100 * step2_error, 2)}\\%$ of its length, and the error compounds: the stale sum keeps pushing in
old directions, the loss rises in {rises_stale} of the {steps - 1} steps and ends at
${tex(loss_stale[-1], 4)}$. The library keeps no buffer between calls: `gradients` returns new arrays
each time.
""")

# %% [markdown]
# ### A buffer never emptied is momentum without friction
#
# The stale sum is not an arbitrary mistake: it is a known optimiser taken to an extreme. *Momentum* (see the
# chapter on optimisers) keeps a velocity $m$ for each parameter and steps along it,
#
# $$
# m_t = \mu\, m_{t-1} + g_t, \qquad p \leftarrow p - \eta\, m_t, \qquad m_0 = 0,
# $$
#
# with $g_t$ the gradient at step $t$ and a coefficient $\mu \ge 0$ (the optimiser takes $\mu < 1$).
# Unrolled, the velocity is a sum of all the gradients so far, each one weighted down by the factor
# $\mu$ once per step since it was computed:
#
# $$
# m_t = g_t + \mu\, g_{t-1} + \mu^2 g_{t-2} + \dots + \mu^{t-1} g_1 .
# $$
#
# The buffer that is emptied at every step is $\mu = 0$, plain gradient descent. The buffer that is never
# emptied holds $g_1 + g_2 + \dots + g_t$: it is exactly momentum with $\mu = 1$, where no old gradient ever
# loses weight. With $\mu < 1$ the old gradients fade exponentially; with $\mu = 1$ they never do. The loop
# below is momentum, written out; it trains the same 1-4-1 network with four values of $\mu$, first for the
# same 40 steps as above and then for 400:

# %%
def train_with_momentum(mu, steps, lr=0.3):
    net = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
    velocity = {k: np.zeros_like(p) for k, p in net.params.items()}
    losses = []
    for _ in range(steps):
        losses.append(net.loss(X, Y))
        grads = net.gradients(X, Y)
        for k, p in net.params.items():
            velocity[k] = mu * velocity[k] + grads[k]  # m_t = mu m_(t-1) + g_t
            p -= lr * velocity[k]
    return np.array(losses), net


never_reset = train_by_accumulation(reset=False)[1]
mu_one = train_with_momentum(1.0, 40)[1]
same_as_mu1 = max(float(np.max(np.abs(mu_one.params[k] - never_reset.params[k])))
                  for k in never_reset.params)
print(f"40 steps, momentum with mu = 1 against the never-emptied buffer: "
      f"largest difference {same_as_mu1:.1e}")
long_runs = {mu: train_with_momentum(mu, 400)[0] for mu in (0.0, 0.5, 0.9, 1.0)}
for mu, losses in long_runs.items():
    print(f"mu = {mu}: loss after 40 steps {losses[39]:.4f}, "
          f"after 400 steps {losses[-1]:.2e}")

# %% tags=["hide-input"]
# mu = 0 is the buffer emptied at every step (the reset loop above), mu = 1 the buffer never emptied.
same_as_mu0 = max(float(np.max(np.abs(train_with_momentum(0.0, 40)[1].params[k] - net_reset.params[k])))
                  for k in net_reset.params)
assert same_as_mu1 < 1e-12 and same_as_mu0 < 1e-12, (same_as_mu1, same_as_mu0)  # the same sums, in another order
assert np.allclose(long_runs[1.0][:steps], loss_stale, rtol=1e-12, atol=0)
assert np.allclose(long_runs[0.0][:steps], loss_reset, rtol=1e-12, atol=0)

# The weights of the sum, by running the recursion itself: the weight of g_1 in m_t (feed g_1 = 1 and then
# zeros) and m_t for a gradient that stays 1 (feed ones); against mu^(t-1) and (1 - mu^t) / (1 - mu), or t.
def velocities(mu, gradients):
    v, out = 0.0, []
    for g in gradients:
        v = mu * v + g
        out.append(v)
    return np.array(out)


t_show = [2, 10, 40, 400]
mus = [0.0, 0.5, 0.9, 1.0]
weight_rows, constant_rows = [], []
for mu in mus:
    first = velocities(mu, [1.0] + [0.0] * 399)
    steady = velocities(mu, [1.0] * 400)
    t_all = np.arange(1, 401)
    assert np.allclose(first, mu ** (t_all - 1.0), rtol=1e-12, atol=0)
    expected = t_all.astype(float) if mu == 1 else (1 - mu**t_all) / (1 - mu)
    assert np.allclose(steady, expected, rtol=1e-12, atol=0)
    weight_rows.append([num(mu, 2, trim=True), *[float(first[t - 1]) for t in t_show]])
    constant_rows.append([num(mu, 2, trim=True), *[float(steady[t - 1]) for t in t_show]])
md("The weight $\\mu^{t-1}$ of the first gradient $g_1$ in the velocity $m_t$, computed by running the "
   "recursion with $g_1 = 1$ and all later gradients 0:")
md_table(["$\\mu$", *[f"$t = {t}$" for t in t_show]], weight_rows, fmt=3, align="lrrrr")
md("and $m_t$ when every gradient is 1, which is $(1 - \\mu^t)/(1 - \\mu)$, tending to $1/(1 - \\mu)$, for "
   "$\\mu < 1$, and $t$, without limit, for $\\mu = 1$:")
md_table(["$\\mu$", *[f"$t = {t}$" for t in t_show]], constant_rows, fmt=4, align="lrrrr")

finals = {mu: float(losses[-1]) for mu, losses in long_runs.items()}
tail_rises = {mu: int(np.sum(np.diff(losses[-100:]) > 0)) for mu, losses in long_runs.items()}
tail_low = {mu: float(losses[-100:].min()) for mu, losses in long_runs.items()}
# The claims: with mu < 1 the loss never rises in the last 100 of 400 steps and ends lower the larger mu is;
# with mu = 1 it keeps rising and falling there and stays above every mu < 1 run's final loss.
assert all(tail_rises[mu] == 0 for mu in (0.0, 0.5, 0.9)), tail_rises
assert [row[0] for row in weight_rows] == ["0", "0.5", "0.9", "1"] and t_show[2] == 40  # the rows the text quotes
assert finals[0.9] < finals[0.5] < finals[0.0], finals
assert tail_rises[1.0] >= 20 and tail_low[1.0] > 10 * max(finals[mu] for mu in (0.0, 0.5, 0.9)), (tail_rises, tail_low)


def draw_momentum(fig):
    ax = fig.subplots()
    for (mu, losses), style in zip(long_runs.items(), ("-", "--", "-.", ":"), strict=True):
        ax.semilogy(losses, linestyle=style, label=f"μ = {num(mu, 2, trim=True)}")
    ax.set_xlabel("step")
    ax.set_ylabel(r"loss $\mathcal{L}$")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_momentum,
       alt=f"Loss on a log scale over 400 steps of momentum with four coefficients. μ = 0 (the buffer emptied "
       f"every step) ends at {num(finals[0.0], 2)}, μ = 0.5 at {num(finals[0.5], 2)}, μ = 0.9 at "
       f"{num(finals[0.9], 2)}, each falling steadily at the end; μ = 1 (the buffer never emptied) keeps "
       f"swinging between {num(tail_low[1.0], 2)} and {num(float(long_runs[1.0][-100:].max()), 2)} in the last "
       f"100 steps.",
       caption=r"Momentum $m_t = \mu m_{t-1} + g_t$ on the 1-4-1 network at $\eta = 0.3$: $\mu = 0$ empties the "
       r"buffer every step, $\mu = 1$ never does.")
agreement = "identical" if same_as_mu1 == 0 else f"within ${tex(same_as_mu1, 1)}$ of each other"
md(f"""
Momentum with $\\mu = 1$ and the never-emptied buffer end {agreement} after 40 steps (they add the same
gradients in another order), and $\\mu = 0$ reproduces the emptied buffer. The difference between
$\\mu < 1$ and $\\mu = 1$ is the friction. In the velocity of step 40 the first gradient weighs
${tex(weight_rows[2][3], 3)}$ at $\\mu = 0.9$ and ${tex(weight_rows[1][3], 2)}$ at $\\mu = 0.5$, but its full
${tex(weight_rows[3][3])}$ at $\\mu = 1$; and a gradient that stays the same builds
a velocity that levels off at $1/(1 - \\mu)$ times itself for $\\mu < 1$ but grows without limit for
$\\mu = 1$. On the network, the three runs with $\\mu < 1$ settle: in the last 100 of the 400 steps their loss
never rises, and it ends at ${tex(finals[0.0], 2, trim=False)}$ ($\\mu = 0$), ${tex(finals[0.5], 2, trim=False)}$
($\\mu = 0.5$) and ${tex(finals[0.9], 2, trim=False)}$ ($\\mu = 0.9$). With $\\mu = 1$ the sum of every
gradient since the start keeps the parameters moving, like a ball rolling without friction:
in those last 100 steps the loss rises {tail_rises[1.0]} times and never gets below ${tex(tail_low[1.0], 2)}$.
Forgetting to empty the buffer (PyTorch's `zero_grad()`) turns gradient descent into momentum with no friction
at all.
""")

# %% [markdown]
# ## Checks
#
# Every derivative of this page, derived (by SymPy, or by the library for the layer example), is checked
# against a centred finite difference with $h = 10^{-6}$, whose error is of order $h^2$ plus rounding of
# order $\varepsilon/h \approx 10^{-10}$ relative: the tolerance is $10^{-7}$ relative.

# %% tags=["hide-input"]
assert proved1 and proved2 and proved3, (proved1, proved2, proved3)
for what, d, f in checks:
    assert rel(d, f) < 1e-7, (what, d, f)
assert mean_err < 1e-14, mean_err
assert fit_err < 1e-12 and hist_err < 1e-12, (fit_err, hist_err)
assert np.array_equal(loss_reset[:2], loss_stale[:2])  # the first step is the same either way
assert rises_reset == 0 and rises_stale >= 5, (rises_reset, rises_stale)
assert step2_error > 0.5 and loss_stale[-1] > 2 * loss_reset[-1], (step2_error, loss_stale[-1], loss_reset[-1])
worst = max(checks, key=lambda c: rel(c[1], c[2]))
md(f"All checks passed: the {len(checks)} derivatives above agree with their finite differences "
   f"to a relative difference of at most ${tex(rel(worst[1], worst[2]), 2)}$ ({worst[0]}), and the claims of the "
   "text hold.")

# %% [markdown]
# ## Exercises
#
# **1.** In a graph, $u_1 = x^2$ and $u_2 = e^{x}$ are the two parents of $\mathcal{L} = u_1 u_2$. Find
# $d\mathcal{L}/dx$ by adding the two paths from $x$ to $\mathcal{L}$, and evaluate it at $x = 1$.

# %% tags=["hide-input"]
xe = sp.Symbol("x")
u_e, v_e = xe**2, sp.exp(xe)
uu, vv = sp.symbols("u v")
paths_e = (sp.diff(uu * vv, uu) * sp.diff(u_e, xe) + sp.diff(uu * vv, vv) * sp.diff(v_e, xe)).subs({uu: u_e, vv: v_e})
direct_e = sp.diff(u_e * v_e, xe)
assert bs.is_zero(paths_e - direct_e)
at1 = paths_e.subs(xe, 1)
assert bs.is_zero(at1 - 3 * sp.E)
fd1 = central(sp.lambdify(xe, u_e * v_e, "math"), 1.0)
assert rel(float(at1), fd1) < 1e-7
solution(f"""
Through $u_1$: $(\\partial \\mathcal{{L}}/\\partial u_1)(du_1/dx) = u_2 \\cdot 2x$. Through $u_2$:
$(\\partial \\mathcal{{L}}/\\partial u_2)(du_2/dx) = u_1 \\cdot e^x$. The sum is
${sp.latex(sp.factor(paths_e))}$, the product rule. At $x = 1$: ${sp.latex(at1)} \\approx {tex(float(at1), 7)}$
(a centred difference gives ${tex(fd1, 7)}$).
""")

# %% [markdown]
# **2.** In the 5-10-10-4 classifier of [the notation chapter](notation.py), along how many paths does
# the weight $w^{(1)}_{11}$ reach the output pre-activations $z^{(3)}$? How many terms, then, does the
# chain rule add for $\partial \mathcal{L} / \partial w^{(1)}_{11}$ if each path ends at one output
# pre-activation?

# %% tags=["hide-input"]
def paths_from_first_weight(sizes):
    """Paths from w(1)_11 to the outputs, counted layer by layer in the graph."""
    paths = np.zeros(sizes[1])
    paths[0] = 1  # the weight enters unit 1 of layer 1 only
    for l in range(2, len(sizes)):
        paths = np.ones((sizes[l - 1], sizes[l])).T @ paths  # each unit sums the paths into its inputs
    return int(paths.sum())


sizes = [5, 10, 10, 4]
n_paths = paths_from_first_weight(sizes)
assert n_paths == sizes[2] * sizes[3] == 40
deeper = [5, 10, 10, 10, 10, 4]  # two more layers of 10: 100 times the paths, 200 more weights
assert paths_from_first_weight(deeper) == int(np.prod(deeper[2:])) == 100 * n_paths
extra_weights = sum(a * b for a, b in zip(deeper[:-1], deeper[1:], strict=True)) - sum(
    a * b for a, b in zip(sizes[:-1], sizes[1:], strict=True))
solution(f"""
The weight changes $z^{{(1)}}_1$ only, hence $a^{{(1)}}_1$, which feeds all {sizes[2]} units of layer 2,
each of which feeds all {sizes[3]} outputs: ${sizes[2]} \\times {sizes[3]} = {n_paths}$ paths, one product
of local derivatives each. The count is the product of the widths of the layers after the first, so
two more hidden layers of 10 multiply it by 100 (to {paths_from_first_weight(deeper)}) while adding only
{extra_weights} weights. Backpropagation never lists the paths: it adds them layer by layer (the sum over
$k$ above), so its cost grows with the number of weights.
""")

# %% [markdown]
# **3.** A loop accumulates the per-sample gradients of a batch of $N = 8$ samples but forgets to divide
# by $N$. Which learning rate does the correct code need to take exactly the same step?

# %% tags=["hide-input"]
summed = {k: sum(g[k] for g in per_sample) for k in batch_grads}
ratio = max(float(np.max(np.abs(summed[k] - len(X) * batch_grads[k]))) for k in batch_grads)
assert ratio < 1e-14, ratio
solution(f"""
The undivided sum is $N$ times the mean, so a step $\\eta \\sum_i \\nabla \\mathcal{{L}}_i$ equals the step
$(N\\eta)\\, \\frac1N \\sum_i \\nabla \\mathcal{{L}}_i$: the correct code needs the learning rate
$N\\eta = {len(X)}\\eta$ (checked: the sum of the {len(X)} per-sample gradients equals {len(X)} times the
library's batch gradient{" exactly" if ratio == 0 else f" to ${tex(ratio, 1)}$"}). The mistake silently
couples the learning rate to the batch size.
""")
