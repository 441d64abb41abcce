# %% [markdown]
# # The chain rule
#
# Backpropagation is the chain rule of calculus, applied in a good order. This chapter builds the rule
# up in three steps (one variable, several variables, several paths that meet), derives each example
# with SymPy, and checks each derivative against a finite difference. It ends with the consequence that
# matters in code: gradients are *sums*, so they are accumulated, and an accumulator must be emptied
# before the next step.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import Math, display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution


def central(f, x, h=1e-6):
    """Centred finite difference (f(x + h) - f(x - h)) / 2h; error O(h^2)."""
    return (f(x + h) - f(x - h)) / (2 * h)


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


checks = []  # (what, derived, finite difference) for the table of checks at the end

# %% [markdown]
# ## One variable
#
# If $y = g(x)$ and $L = f(y)$, a small change $\Delta x$ changes $y$ by about $g'(x)\,\Delta x$, and that
# changes $L$ by about $f'(y)\, g'(x)\, \Delta x$. So
#
# $$
# \frac{dL}{dx} = \frac{dL}{dy}\,\frac{dy}{dx}.
# $$
#
# A chain of any length multiplies one *local* derivative per link. The smallest network has such a
# chain: a single sigmoid unit $a = \sigma(z)$ with $z = w x + b$ and the loss $L = \tfrac12 (a - y)^2$.
# The weight $w$ reaches the loss through $z$ and then $a$:
#
# $$
# \frac{\partial L}{\partial w}
# = \frac{\partial L}{\partial a}\,\frac{\partial a}{\partial z}\,\frac{\partial z}{\partial w}
# = (a - y)\;\sigma'(z)\;x .
# $$
#
# SymPy differentiates the composed expression directly; the chain-rule product must be the same
# function of $w$:

# %% tags=["hide-input"]
x, w, b, y = sp.symbols("x w b y", real=True)
zz = w * x + b
sig = 1 / (1 + sp.exp(-zz))
L1 = (sig - y) ** 2 / 2
dL1_direct = sp.diff(L1, w)
chain1 = (sig - y) * (sig * (1 - sig)) * x
display(Math(r"\frac{\partial L}{\partial w} = " + sp.latex(dL1_direct)))
proved1 = bs.is_zero(dL1_direct - chain1)
md(f"SymPy's derivative minus the chain-rule product $(a - y)\\,\\sigma(z)(1 - \\sigma(z))\\,x$ simplifies to "
   f"{'0' if proved1 else 'something nonzero'}: the two are the same function.")

# %% tags=["hide-input"]
point1 = {x: 2.0, b: 0.1, y: 1.0}
w0 = 0.4
L1_num = sp.lambdify(w, L1.subs(point1), "math")
d_sym = float(dL1_direct.subs(point1).subs(w, w0))
d_fd = central(L1_num, w0)
checks.append(("one variable: $\\partial L/\\partial w$", d_sym, d_fd))
ws = np.linspace(-3, 4, 200)
Ls = np.array([L1_num(v) for v in ws])


def draw_tangent(fig):
    ax = fig.subplots()
    ax.plot(ws, Ls, label=r"$L(w)$")
    t = np.linspace(w0 - 1.2, w0 + 1.2, 2)
    ax.plot(t, L1_num(w0) + d_sym * (t - w0), linestyle="--", label=f"tangent, slope {d_sym:.4f}")
    ax.plot([w0], [L1_num(w0)], "o", color="C1")
    ax.set_xlabel("$w$")
    ax.set_ylabel("$L$")
    ax.legend()


md(f"""
At $x = {point1[x]:g}$, $b = {point1[b]:g}$, $y = {point1[y]:g}$ and $w = {w0:g}$ the derivative is
${d_sym:.8f}$; the centred difference $\\bigl(L(w + h) - L(w - h)\\bigr)/2h$ with $h = 10^{{-6}}$ gives
${d_fd:.8f}$ (relative difference ${sci(rel(d_sym, d_fd))}$). The derivative is the slope of the
tangent:
""")
figure(draw_tangent, alt=f"The loss of one sigmoid unit as a function of its weight w, a smooth curve; at w = {w0:g} "
       f"the tangent has slope {d_sym:.4f}, the chain-rule derivative.",
       caption="The chain-rule derivative is the slope of the loss as one weight varies.")

# %% [markdown]
# ## Several variables
#
# A unit has several inputs and several weights. Its pre-activation $z = w_1 a_1 + w_2 a_2 + b$ is a
# function of all of them, and the *partial* derivative with respect to one holds the others fixed:
# $\partial z / \partial w_1 = a_1$, $\partial z / \partial a_1 = w_1$, $\partial z / \partial b = 1$.
# The chain rule then works one variable at a time. For $a = \tanh(z)$,
#
# $$
# \frac{\partial a}{\partial w_1} = \tanh'(z)\, a_1, \qquad
# \frac{\partial a}{\partial w_2} = \tanh'(z)\, a_2, \qquad
# \frac{\partial a}{\partial b} = \tanh'(z),
# $$
#
# and the *gradient* collects them in one vector, $\nabla a = \tanh'(z)\,(a_1, a_2, 1)$. The common factor
# $\tanh'(z)$ is computed once and reused for every weight of the unit, the first saving that
# backpropagation makes.

# %% tags=["hide-input"]
w1, w2, a1, a2 = sp.symbols("w_1 w_2 a_1 a_2", real=True)
z2 = w1 * a1 + w2 * a2 + b
act = sp.tanh(z2)
variables = [w1, w2, b]
grad_sym = [sp.diff(act, v) for v in variables]
grad_chain = [(1 - sp.tanh(z2) ** 2) * f for f in (a1, a2, 1)]
proved2 = all(bs.is_zero(g - c) for g, c in zip(grad_sym, grad_chain, strict=True))
point2 = {w1: 0.7, w2: -1.1, b: 0.2, a1: 0.9, a2: 0.3}
rows2 = []
for v, g in zip(variables, grad_sym, strict=True):
    fixed = {k: val for k, val in point2.items() if k != v}
    f = sp.lambdify(v, act.subs(fixed), "math")
    derived = float(g.subs(point2))
    fd = central(f, point2[v])
    checks.append((f"several variables: $\\partial a/\\partial {sp.latex(v)}$", derived, fd))
    rows2.append([f"$\\partial a / \\partial {sp.latex(v)}$", f"${sp.latex(g)}$", derived, fd])
md(f"At $w_1 = {point2[w1]:g}$, $w_2 = {point2[w2]:g}$, $b = {point2[b]:g}$, $a_1 = {point2[a1]:g}$, "
   f"$a_2 = {point2[a2]:g}$ (SymPy's derivatives, each proved equal to the chain-rule formula above, "
   f"against a centred difference in that one variable):")
md_table(["derivative", "SymPy", "value", "finite difference"], rows2, fmt="{:.8f}", align="lcrr")

# %% [markdown]
# ## Several paths that meet
#
# In a network one quantity often reaches the loss along more than one route. Below, an input $x$
# feeds two hidden units, a $\tanh$ unit and a sigmoid unit, and both feed the output
# $\hat y = v_1 h_1 + v_2 h_2$, whose loss is $L = \tfrac12(\hat y - t)^2$. Changing $x$ moves $L$ through
# $h_1$ *and* through $h_2$, and the two effects add:
#
# $$
# \frac{dL}{dx}
# = \underbrace{\frac{\partial L}{\partial \hat y}\,\frac{\partial \hat y}{\partial h_1}\,
#   \frac{\partial h_1}{\partial z_1}\,\frac{\partial z_1}{\partial x}}_{\text{path through } h_1}
# + \underbrace{\frac{\partial L}{\partial \hat y}\,\frac{\partial \hat y}{\partial h_2}\,
#   \frac{\partial h_2}{\partial z_2}\,\frac{\partial z_2}{\partial x}}_{\text{path through } h_2}.
# $$
#
# The rule in general: **multiply the local derivatives along each path, then add over the paths.**
# The graph shows the values of the forward pass in the nodes and each edge's local derivative.

# %% tags=["hide-input"]
xs, W1s, W2s, V1s, V2s, ts = sp.symbols("x w_1 w_2 v_1 v_2 t", real=True)
z1e, z2e = W1s * xs, W2s * xs
h1e, h2e = sp.tanh(z1e), 1 / (1 + sp.exp(-z2e))
yhat_e = V1s * h1e + V2s * h2e
L3 = (yhat_e - ts) ** 2 / 2
vals = {xs: 0.5, W1s: 1.2, W2s: -0.7, V1s: 0.8, V2s: 1.5, ts: 2.0}
dL_dx_sym = sp.diff(L3, xs)
# Local derivatives, one per edge, and the two path products.
local = {
    ("x", "z1"): W1s, ("z1", "h1"): 1 - sp.tanh(z1e) ** 2, ("h1", "yhat"): V1s,
    ("x", "z2"): W2s, ("z2", "h2"): h2e * (1 - h2e), ("h2", "yhat"): V2s,
    ("yhat", "L"): yhat_e - ts,
}
path1 = [("x", "z1"), ("z1", "h1"), ("h1", "yhat"), ("yhat", "L")]
path2 = [("x", "z2"), ("z2", "h2"), ("h2", "yhat"), ("yhat", "L")]
prod1 = sp.Mul(*[local[e] for e in path1])
prod2 = sp.Mul(*[local[e] for e in path2])
proved3 = bs.is_zero(dL_dx_sym - (prod1 + prod2))
node_val = {"x": vals[xs]}
for name, expr in (("z1", z1e), ("h1", h1e), ("z2", z2e), ("h2", h2e), ("yhat", yhat_e), ("L", L3)):
    node_val[name] = float(expr.subs(vals))
edge_val = {e: float(d.subs(vals)) for e, d in local.items()}
p1, p2 = float(prod1.subs(vals)), float(prod2.subs(vals))
dLdx = float(dL_dx_sym.subs(vals))
L3_num = sp.lambdify(xs, L3.subs({k: v for k, v in vals.items() if k != xs}), "math")
dLdx_fd = central(L3_num, vals[xs])
checks.append(("two paths: $dL/dx$", dLdx, dLdx_fd))

pos = {"x": (0, 0), "z1": (1.3, 0.9), "h1": (2.6, 0.9), "z2": (1.3, -0.9), "h2": (2.6, -0.9),
       "yhat": (3.9, 0), "L": (5.2, 0)}
names = {"x": "x", "z1": "z_1", "h1": "h_1", "z2": "z_2", "h2": "h_2", "yhat": r"\hat y", "L": "L"}


def draw_graph(fig):
    import matplotlib as mpl

    ax = fig.subplots()
    fg = mpl.rcParams["text.color"]
    for (u, v), d in edge_val.items():
        colour = "C0" if (u, v) in path1[:3] else ("C1" if (u, v) in path2[:3] else fg)
        ax.annotate("", xy=pos[v], xytext=pos[u],
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=1.6, shrinkA=24, shrinkB=24))
        (x0, y0), (x1, y1) = pos[u], pos[v]
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.16, f"{d:.4f}", ha="center", va="bottom", fontsize=9,
                color=colour)
    for name, (px, py) in pos.items():
        ax.text(px, py, f"${names[name]}$\n{node_val[name]:.4f}", ha="center", va="center", fontsize=10,
                bbox=dict(boxstyle="round,pad=0.35", fc="none", ec=fg, lw=1))
    ax.set_xlim(-0.6, 5.8)
    ax.set_ylim(-1.5, 1.5)
    ax.axis("off")


figure(draw_graph, figsize=(7.2, 3.0),
       alt=f"A computational graph: x = {vals[xs]:g} feeds z1 and z2; z1 feeds h1 = tanh(z1), z2 feeds "
       f"h2 = sigmoid(z2); both feed yhat, which feeds the loss L = {node_val['L']:.4f}. Each edge is labelled "
       f"with its local derivative; the path through h1 multiplies to {p1:.4f}, the one through h2 to {p2:.4f}.",
       caption="Forward values in the nodes, local derivatives on the edges; the two paths from x are coloured.")

# %% tags=["hide-input"]
md_table(["path", "product of local derivatives"],
         [["$x \\to z_1 \\to h_1 \\to \\hat y \\to L$", p1], ["$x \\to z_2 \\to h_2 \\to \\hat y \\to L$", p2],
          ["sum of the paths", p1 + p2], ["SymPy, $dL/dx$ of the whole expression", dLdx],
          ["centred difference", dLdx_fd]], fmt="{:.8f}")
md(f"""
Either path alone is wrong: ${p1:.4f}$ and ${p2:.4f}$ miss the true ${dLdx:.4f}$ by ${abs(p2):.4f}$ and
${abs(p1):.4f}$. SymPy's derivative of the whole expression minus the sum of the two path products
simplifies to {'0' if proved3 else 'something nonzero'}.
""")

# %% [markdown]
# ### In a layer, every unit is a meeting point
#
# In a fully connected network every activation $a^{(l)}_{j}$ feeds *every* unit of the next layer, so
# the loss reaches it along $n_{l+1}$ edges at once and its derivative is a sum over them:
#
# $$
# \frac{\partial L}{\partial a^{(l)}_{j}} = \sum_{k=1}^{n_{l+1}}
# \frac{\partial L}{\partial z^{(l+1)}_{k}}\,\frac{\partial z^{(l+1)}_{k}}{\partial a^{(l)}_{j}}
# = \sum_{k=1}^{n_{l+1}} \delta^{(l+1)}_{k}\, w^{(l+1)}_{j,k},
# $$
#
# where $\delta^{(l+1)}_k = \partial L / \partial z^{(l+1)}_k$. For a batch this sum over $k$ is a matrix
# product, $\delta^{(l+1)} {W^{(l+1)}}^{\top}$, the step that the next chapters turn into the backward pass.
# The hidden cell checks it on the three units of the first hidden layer of a 2-3-2-1 network: the
# sum over each unit's edges, written as a loop, against the library's deltas, and against finite
# differences that nudge one hidden activation and re-run the rest of the network.

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
for j in range(3):
    checks.append((f"meeting point: $\\partial L/\\partial a^{{(1)}}_{{{j + 1}}}$", by_paths[j], fd_a1[j]))
md_table(["unit $j$", f"sum over {W2.shape[1]} edges (loop)", "$\\delta^{(2)} {W^{(2)}}^\\top$ (library)",
          "finite difference"],
         [[f"$a^{{(1)}}_{{{j + 1}}}$", by_paths[j], matrix_form[j], fd_a1[j]] for j in range(3)], fmt="{:.8f}")

# %% [markdown]
# ## Gradients accumulate
#
# Sums appear twice in a gradient. The first is the sum over paths above. The second is the sum over
# samples: the book's losses average over the $n$ samples of a batch,
# $L = \frac1n \sum_{i=1}^n L_i$, so every derivative is the average of the per-sample derivatives,
#
# $$
# \frac{\partial L}{\partial w} = \frac1n \sum_{i=1}^{n} \frac{\partial L_i}{\partial w}.
# $$
#
# The library computes the batch's gradient in one matrix product, where the sum over samples is
# hidden inside $A^\top \delta$. Code that works one sample, or one path, at a time instead *accumulates*:
# it keeps a buffer per parameter and adds each contribution to it (`grad += ...`). Automatic
# differentiation frameworks do the same: backward passes add into each parameter's gradient buffer.

# %% tags=["hide-input"]
Xr = np.linspace(-1, 1, 8)[:, None]
Yr = Xr**2
net_acc = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
batch_grads = net_acc.gradients(Xr, Yr)
per_sample = [net_acc.gradients(Xr[i:i + 1], Yr[i:i + 1]) for i in range(len(Xr))]
mean_err = max(float(np.max(np.abs(sum(g[k] for g in per_sample) / len(Xr) - batch_grads[k])))
               for k in batch_grads)
md(f"""
For a 1-4-1 tanh network and {len(Xr)} samples of $y = x^2$, the average of the {len(Xr)} per-sample
gradients and the library's batch gradient agree to ${sci(mean_err)}$ in every entry of every parameter.
""")

# %% [markdown]
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
        losses.append(net.loss(Xr, Yr))
        if reset:
            for g in grad.values():
                g[...] = 0.0                       # empty the buffer before the new step
        for i in range(len(Xr)):                   # one sample at a time: accumulate
            g_i = net.gradients(Xr[i:i + 1], Yr[i:i + 1])
            for k in grad:
                grad[k] += g_i[k] / len(Xr)
        for k, p in net.params.items():
            p -= lr * grad[k]
    return np.array(losses), net


loss_reset, net_reset = train_by_accumulation(reset=True)
loss_stale, net_stale = train_by_accumulation(reset=False)

# %% tags=["hide-input"]
steps, lr = 40, 0.3
net_fit = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
hist = net_fit.fit(Xr, Yr, epochs=steps, lr=lr)
fit_err = max(float(np.max(np.abs(net_fit.params[k] - net_reset.params[k]))) for k in net_fit.params)
hist_err = float(np.max(np.abs(hist.loss - loss_reset)))

# Step 2 without reset: the buffer holds g1 + g2 instead of g2.
probe = bp.MLP([1, 4, 1], hidden="tanh", loss="mse", seed=0)
g1 = probe.gradients(Xr, Yr)
for k, p in probe.params.items():
    p -= lr * g1[k]
g2 = probe.gradients(Xr, Yr)


def flat(d):
    return np.concatenate([v.ravel() for v in d.values()])


stale2 = flat(g1) + flat(g2)
step2_error = float(np.linalg.norm(stale2 - flat(g2)) / np.linalg.norm(flat(g2)))


def draw_reset(fig):
    ax = fig.subplots()
    ax.plot(loss_reset, label="buffer reset every step (= library's fit)")
    ax.plot(loss_stale, label="buffer never reset", linestyle="--")
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_reset,
       alt=f"Loss against step for {steps} steps at learning rate {lr:g}. With the gradient buffer reset each step the "
       f"loss falls from {loss_reset[0]:.3f} to {loss_reset[-1]:.3f}; without the reset it jumps up and down and "
       f"ends at {loss_stale[-1]:.3f}.",
       caption="Training the same network with and without emptying the gradient buffer.")
md(f"""
With the reset, the loop reproduces the library's `fit` (fresh gradients every step): after {steps} steps
the parameters differ by at most ${sci(fit_err)}$ and the loss falls from ${loss_reset[0]:.4f}$ to
${loss_reset[-1]:.4f}$. Without it, the very first step is still right (the buffer starts empty), but the
second already uses $g_1 + g_2$, which differs from the true $g_2$ by ${100 * step2_error:.0f}\\%$ of its
length, and the error compounds: the stale sum keeps pushing in old directions, the loss oscillates and
ends at ${loss_stale[-1]:.4f}$. The library never accumulates across calls: `gradients` returns new
arrays each time.
""")

# %% [markdown]
# ## Checks
#
# Every derivative of this page, derived (by SymPy, or by the library for the layer example) against a
# centred finite difference with $h = 10^{-6}$, whose error is of order $h^2$ plus rounding of order
# $10^{-16}/h$: the tolerance is $10^{-7}$ relative.

# %% tags=["hide-input"]
md_table(["derivative", "derived", "finite difference", "relative difference"],
         [[what, d, f, f"${sci(rel(d, f))}$"] for what, d, f in checks], fmt="{:.10f}")
assert proved1 and proved2 and proved3, (proved1, proved2, proved3)
for what, d, f in checks:
    assert rel(d, f) < 1e-7, (what, d, f)
assert np.allclose(by_paths, matrix_form, rtol=1e-12, atol=1e-15), (by_paths, matrix_form)
assert abs(dLdx - (p1 + p2)) < 1e-12 * abs(dLdx)
assert min(abs(dLdx - p1), abs(dLdx - p2)) > 1e-3  # neither path alone is the derivative
assert mean_err < 1e-14, mean_err
assert fit_err < 1e-12 and hist_err < 1e-12, (fit_err, hist_err)
assert np.array_equal(loss_reset[:2], loss_stale[:2])  # the first step is the same either way
assert step2_error > 0.5 and loss_stale[-1] > 2 * loss_reset[-1], (step2_error, loss_stale[-1], loss_reset[-1])
md(f"All {len(checks) + 8} checks passed.")

# %% [markdown]
# ## Exercises
#
# **1.** Let $u = x^2$, $v = e^{x}$ and $L = u\,v$. Find $dL/dx$ by adding the two paths from $x$ to $L$,
# and evaluate it at $x = 1$.

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
Through $u$: $\\frac{{\\partial L}}{{\\partial u}}\\frac{{du}}{{dx}} = v \\cdot 2x$. Through $v$:
$\\frac{{\\partial L}}{{\\partial v}}\\frac{{dv}}{{dx}} = u \\cdot e^x$. The sum is
${sp.latex(sp.factor(paths_e))}$, the product rule. At $x = 1$: ${sp.latex(at1)} \\approx {float(at1):.6f}$
(a centred difference gives ${fd1:.6f}$).
""")

# %% [markdown]
# **2.** In the 5-10-10-4 classifier of [the notation chapter](notation.py), along how many paths does
# the weight $w^{(1)}_{1,1}$ reach the output pre-activations $z^{(3)}$? How many terms, then, does the
# chain rule add for $\partial L / \partial w^{(1)}_{1,1}$ if each path ends at one output pre-activation?

# %% tags=["hide-input"]
sizes = [5, 10, 10, 4]
# Count paths in the layered graph: the weight enters unit 1 of layer 1 only.
paths = np.zeros(sizes[1])
paths[0] = 1
for l in (2, 3):
    paths = np.ones((sizes[l - 1], sizes[l])).T @ paths  # each unit sums the paths into its inputs
n_paths = int(paths.sum())
assert n_paths == sizes[2] * sizes[3] == 40
solution(f"""
The weight changes $z^{{(1)}}_1$ only, hence $a^{{(1)}}_1$, which feeds all {sizes[2]} units of layer 2,
each of which feeds all {sizes[3]} outputs: ${sizes[2]} \\times {sizes[3]} = {n_paths}$ paths, one product
of local derivatives each. Backpropagation never lists them: it adds the paths layer by layer (the sum
over $k$ above), so the cost grows with the number of weights, not with the number of paths, which grows
like the product of the layer widths.
""")

# %% [markdown]
# **3.** A loop accumulates the per-sample gradients of a batch of $n = 8$ samples but forgets to divide
# by $n$. Which learning rate does the correct code need to take exactly the same step?

# %% tags=["hide-input"]
summed = {k: sum(g[k] for g in per_sample) for k in batch_grads}
ratio = max(float(np.max(np.abs(summed[k] - len(Xr) * batch_grads[k]))) for k in batch_grads)
assert ratio < 1e-14, ratio
solution(f"""
The undivided sum is $n$ times the average, so a step $\\eta \\sum_i \\nabla L_i$ equals the step
$(n\\eta)\\, \\frac1n \\sum_i \\nabla L_i$: the correct code needs the learning rate $n\\eta = {len(Xr)}\\eta$
(checked: the sum of the {len(Xr)} per-sample gradients equals {len(Xr)} times the library's batch
gradient{" exactly" if ratio == 0 else f" to ${sci(ratio, 0)}$"}). The mistake silently couples the learning
rate to the batch size.
""")
