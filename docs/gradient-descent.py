# %% [markdown]
# # Gradient descent
#
# [Backpropagation](backpropagation.py) delivers $\partial L/\partial p$ for every parameter $p$.
# Gradient descent uses it in the simplest possible way:
#
# $$
# p \leftarrow p - \eta\, \frac{\partial L}{\partial p},
# $$
#
# with a learning rate (step size) $\eta > 0$. This chapter looks at what the sign and the size of
# a gradient say, at what the learning rate does (too small, good, divergent, and where exactly the
# boundary lies), and at the difference between using all samples per step and using mini-batches.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import display

import backprop as bp
from backprop.book import figure, md, md_table, sci, solution

# %% [markdown]
# ## The sign and the size of a gradient
#
# A gradient of $+0.5$ and one of $-0.5$ are equally large and point in opposite directions. The
# cleanest place to see what that means is a single weight: a linear unit $\hat y = w x$ with the
# halved squared error $L(w) = \tfrac12 (w x - y)^2$. SymPy differentiates it:

# %% tags=["hide-input"]
w, x, y = sp.symbols("w x y", real=True)
L_toy = sp.Rational(1, 2) * (w * x - y) ** 2
dL_toy = sp.factor(sp.diff(L_toy, w))
display(sp.Eq(sp.Symbol(r"\partial L / \partial w"), dL_toy))

# %% [markdown]
# Take $x = 1$ and $w = 0.5$, once with target $y = 0$ (the prediction is too large) and once with
# $y = 1$ (too small). Step the weight by $0.1$ against the gradient and along it:

# %% tags=["hide-input"]
eta = 0.1
rows = []
toy = {}
for target in (0, 1):
    at = {x: 1, y: target}
    g_val = dL_toy.subs(at).subs(w, sp.Rational(1, 2))
    L_f = sp.lambdify(w, L_toy.subs(at))
    w0 = 0.5
    w_against, w_along = w0 - eta * float(g_val), w0 + eta * float(g_val)
    toy[target] = (float(g_val), L_f(w0), L_f(w_against), L_f(w_along))
    rows.append([f"$y = {target}$", f"${float(g_val):+.1f}$", f"{L_f(w0):.4f}",
                 f"$w = {w_against:.2f}$: {L_f(w_against):.4f}", f"$w = {w_along:.2f}$: {L_f(w_along):.4f}"])
md_table(["target", r"$\partial L/\partial w$", "$L$ at $w = 0.5$", "step against the gradient",
          "step along the gradient"], rows)
assert toy[0][0] == 0.5 and toy[1][0] == -0.5
for _g, L0_, La, Lb in toy.values():
    assert La < L0_ < Lb
md(f"""
A positive gradient says the loss *rises* as $w$ grows, so $w$ must shrink; a negative one says
the loss falls as $w$ grows, so $w$ must grow. The update $w - \\eta\\,\\partial L/\\partial w$ does
the right thing in both cases: against the gradient the loss falls from ${toy[0][1]:.4f}$ to
${toy[0][2]:.4f}$, along it, it rises to ${toy[0][3]:.4f}$.
""")

# %% [markdown]
# The same holds inside a real network, where one weight is one of hundreds. Take a classifier with
# the shape used by one of the book's sources: 5 inputs, two ReLU layers of 10 units, 4 softmax
# outputs and cross-entropy, here on 16 random samples. Pick the weight with the largest positive
# gradient and the one with the most negative gradient, and move each by a small amount $\pm 0.05$:

# %% tags=["hide-input"]
rng = np.random.default_rng(3)
cnet = bp.MLP([5, 10, 10, 4], hidden="relu", output="softmax", loss="cross_entropy", seed=0)
Xc = rng.normal(size=(16, 5))
Yc = bp.datasets.one_hot(rng.integers(0, 4, 16), 4)
cgrad = cnet.gradients(Xc, Yc)
L_c0 = cnet.loss(Xc, Yc)
flat = [(float(v), k, idx) for k, G in cgrad.items() for idx, v in np.ndenumerate(G)]
pos = max(flat)
neg = min(flat)


def loss_with(key, idx, delta):
    P = cnet.params[key]
    old = P[idx]
    P[idx] = old + delta
    try:
        return cnet.loss(Xc, Yc)
    finally:
        P[idx] = old


def name(key, idx):
    if key[0] == "W":
        return f"$w^{{({key[1:]})}}_{{{idx[0] + 1},{idx[1] + 1}}}$"
    return f"$b^{{({key[1:]})}}_{{{idx[0] + 1}}}$"


step = 0.05
rows = []
for g_val, key, idx in (pos, neg):
    for d in (-step, step):
        actual = loss_with(key, idx, d) - L_c0
        rows.append([name(key, idx), f"{g_val:+.4f}", f"{d:+.2f}", f"{g_val * d:+.6f}", f"{actual:+.6f}"])
md_table(["weight", r"$\partial L/\partial w$", r"$\Delta w$",
          r"predicted $\Delta L \approx \frac{\partial L}{\partial w}\Delta w$", r"actual $\Delta L$"], rows)
signs_ok = all((float(r[3]) < 0) == (float(r[4]) < 0) for r in rows)
assert signs_ok
md(f"""
The loss is $L = {L_c0:.4f}$. In all four cases the sign of the change is the one the gradient
predicts, and its size is close to $\\frac{{\\partial L}}{{\\partial w}}\\Delta w$: the gradient is
the slope of the loss along that weight. The *size* of the gradient is how steep that slope is:
the same step moves the loss more along a weight with a large gradient. Plain gradient descent
therefore moves steep weights more, which helps as long as the slope does not change much over the
step, and that is what the learning rate has to ensure.
""")

# %% tags=["hide-input"]
offs = np.linspace(-1.0, 1.0, 81)
slices = {which: (g_val, key, idx, np.array([loss_with(key, idx, o) for o in offs]))
          for which, (g_val, key, idx) in (("positive", pos), ("negative", neg))}


def draw_slices(fig):
    axes = fig.subplots(1, 2, sharey=True)
    for ax, (which, (g_val, key, idx, curve)) in zip(axes, slices.items(), strict=True):
        ax.plot(offs, curve, label="loss")
        t = np.array([-0.4, 0.4])
        ax.plot(t, L_c0 + g_val * t, "--", label=f"slope {g_val:+.3f}")
        ax.plot([0], [L_c0], "o", color="C1")
        ax.annotate("", xy=(-0.3 * np.sign(g_val), L_c0 - 0.3 * abs(g_val)), xytext=(0, L_c0),
                    arrowprops={"arrowstyle": "->", "color": "C2", "lw": 1.5})
        ax.set_title(f"{which} gradient, {name(key, idx)}", fontsize=10)
        ax.set_xlabel(r"change $\Delta w$")
        ax.legend(fontsize=8, loc="upper center")
    axes[0].set_ylabel("loss")


figure(draw_slices, figsize=(7.0, 3.4),
       alt=f"Two panels: the loss of a 5-10-10-4 network as one weight is moved by up to 1 either way. "
       f"Left, the weight with gradient {pos[0]:+.3f}: the loss rises to the right, so the descent "
       f"step (arrow) goes left. Right, the weight with gradient {neg[0]:+.3f}: the loss falls to the "
       f"right and the step goes right. Dashed tangent lines match the curves near 0.",
       caption="The loss along two single weights, its tangent at the current value, and the direction "
       "of the gradient step.")

# %% [markdown]
# ## The learning rate
#
# How far to step is the learning rate's job. Too small and training crawls; too large and each
# step overshoots the valley floor and lands higher up the other side, so the loss grows without
# bound. For a quadratic loss the boundary can be computed exactly. A linear model
# $\hat y = x w + b$ (a network without hidden layers, `bp.MLP([2, 1])`) with the halved mean
# squared error has
#
# $$
# L(\theta) = \frac{1}{2n}\,\lVert \tilde X \theta - y \rVert^2, \qquad
# \tilde X = [X \;\; \mathbf 1],\quad \theta = (w_1, w_2, b),
# $$
#
# a quadratic whose Hessian $H = \tilde X^{\mathsf T}\tilde X / n$ is constant. Near the minimum
# $\theta^*$ a gradient step is $\theta - \theta^* \leftarrow (I - \eta H)(\theta - \theta^*)$, so
# along an eigenvector of $H$ with eigenvalue $\lambda$ the error is multiplied by $1 - \eta\lambda$
# at every step. It shrinks exactly when $|1 - \eta\lambda| < 1$:

# %% tags=["hide-input"]
eta_s, lam_s = sp.symbols(r"\eta \lambda", positive=True)
region = sp.solve_univariate_inequality(sp.Abs(1 - eta_s * lam_s.subs(lam_s, 3)) < 1, eta_s, relational=False)
general = sp.reduce_inequalities([1 - eta_s * lam_s < 1, 1 - eta_s * lam_s > -1], eta_s)
display(general)
assert region == sp.Interval.open(0, sp.Rational(2, 3)), region

# %% [markdown]
# so the largest eigenvalue decides: gradient descent on this loss converges for
# $\eta < 2/\lambda_{\max}$ and diverges above. The data: 40 samples with two correlated features
# and a noisy linear target. SymPy writes the model's loss, checks its gradient against the
# library's, and takes its Hessian, which must equal $\tilde X^{\mathsf T}\tilde X/n$:

# %% tags=["hide-input"]
rng = np.random.default_rng(7)
Xl = rng.normal(size=(40, 2)) @ np.array([[1.0, 0.0], [0.8, 0.6]]) + np.array([1.0, -0.5])
yl = (Xl @ np.array([1.5, -2.0]) + 0.7 + 0.3 * rng.normal(size=40)).reshape(-1, 1)
lin = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
w1, w2, b = sp.symbols("w_1 w_2 b")
theta = [w1, w2, b]
L_lin = sp.expand(sp.Add(*[sp.expand((sp.Float(r[0]) * w1 + sp.Float(r[1]) * w2 + b - sp.Float(t[0])) ** 2)
                           for r, t in zip(Xl, yl, strict=True)]) / (2 * len(Xl)))
H_sym = sp.hessian(L_lin, theta)
H_np = np.array(H_sym.evalf(), dtype=float)
at = {w1: lin.params["W1"][0, 0], w2: lin.params["W1"][1, 0], b: lin.params["b1"][0]}
g_sym = np.array([float(sp.diff(L_lin, v).subs(at)) for v in theta])
g_lib = np.concatenate([lin.gradients(Xl, yl)["W1"].ravel(), lin.gradients(Xl, yl)["b1"]])
assert np.allclose(g_sym, g_lib, rtol=1e-12, atol=0), (g_sym, g_lib)
Xt = np.hstack([Xl, np.ones((len(Xl), 1))])
assert np.allclose(H_np, Xt.T @ Xt / len(Xl), rtol=1e-13, atol=0)
lams = np.linalg.eigvalsh(H_np)
eta_c = 2 / lams[-1]
md(f"""
$$ H = {sp.latex(sp.Matrix(H_np.round(4)))}, \\qquad
\\lambda = {lams[0]:.4f},\\ {lams[1]:.4f},\\ {lams[2]:.4f}, \\qquad
\\eta_c = \\frac{{2}}{{\\lambda_{{\\max}}}} = {eta_c:.4f}. $$

(Entries rounded for display.) The ratio $\\lambda_{{\\max}}/\\lambda_{{\\min}} = {lams[-1] / lams[0]:.1f}$
matters too: the learning rate is capped by the steepest direction, while the slowest direction
then shrinks by only $1 - \\eta\\lambda_{{\\min}}$ per step.
""")

# %% [markdown]
# Training the model with five learning rates, as fractions of $\eta_c$, 300 epochs each.
# `fit` raises `bp.TrainingDiverged` when the loss overflows to infinity; the exception carries the
# history up to that point:

# %%
histories = {}
for frac in (0.02, 0.5, 0.95, 1.05, 5.0):
    model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            histories[frac] = model.fit(Xl, yl, epochs=300, lr=frac * eta_c).loss
        except bp.TrainingDiverged as err:
            histories[frac] = err.history.loss
            diverged_at = err.history.epochs

# %% tags=["hide-input"]
L_star = float(0.5 * np.mean((Xt @ np.linalg.lstsq(Xt, yl, rcond=None)[0] - yl) ** 2))
labels = {0.02: "too small", 0.5: "good", 0.95: "good, oscillating", 1.05: "diverges", 5.0: "diverges fast"}
reach = {f: int(np.argmax(histories[f] - L_star < 1e-9)) for f in (0.5, 0.95)}


def draw_lr(fig):
    ax = fig.subplots()
    for frac, h_ in histories.items():
        ax.semilogy(np.arange(len(h_)), np.minimum(h_ - L_star if frac < 1 else h_, 1e45),
                    label=fr"$\eta = {frac:g}\,\eta_c$ ({labels[frac]})")
    ax.axvline(diverged_at, color="0.5", lw=0.8, ls=":")
    ax.set_ylim(1e-14, 1e40)
    ax.set_xlabel("epoch (one full-batch step each)")
    ax.set_ylabel(r"$L - L^*$ (converging), $L$ (diverging)")
    ax.legend(fontsize=8, loc="upper left")


figure(draw_lr, figsize=(6.4, 4.0),
       alt=f"Loss curves of a linear model for five learning rates on a log scale. At 0.02 times the "
       f"critical rate the excess loss falls slowly to {histories[0.02][-1] - L_star:.1e}; at 0.5 and "
       f"0.95 times it falls to the minimum within the 300 epochs; at 1.05 times the loss grows "
       f"steadily to {histories[1.05][-1]:.0e}; at 5 times it explodes and training stops at epoch "
       f"{diverged_at} with TrainingDiverged.",
       caption="Loss against epoch for five learning rates, as fractions of η_c = 2/λ_max.")
md(f"""
The minimum of this loss is $L^* = {L_star:.6f}$ (least squares). At $0.02\\,\\eta_c$ the excess
loss is still ${sci(histories[0.02][-1] - L_star, 1)}$ after 300 epochs; at $0.5\\,\\eta_c$ and
$0.95\\,\\eta_c$ it reaches rounding level, the larger rate faster (excess below $10^{{-9}}$ after
{reach[0.95]} epochs against {reach[0.5]}): the slow directions gain from every bit of step size.
Along the steepest direction the larger rate overshoots at every step ($1 - 0.95 \\cdot 2 = -0.9$),
which the loss, a square, does not show. Just above the threshold, at $1.05\\,\\eta_c$, the
steepest direction grows by a factor $|1 - 1.05 \\cdot 2| = 1.1$ per step and the loss reaches
${sci(histories[1.05][-1], 0)}$; at $5\\,\\eta_c$ the factor is 9 and the loss overflows at epoch
{diverged_at}, where `fit` stops.
""")

# %% [markdown]
# Is the threshold really at $2/\lambda_{\max}$? Scan the learning rate finely around it and
# compare the loss after 200 epochs with the loss before training:

# %% tags=["hide-input"]
fracs = np.linspace(0.81, 1.19, 20)   # steps of 0.02, avoiding the marginal 1.0 itself
ratios = []
for frac in fracs:
    model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            h_ = model.fit(Xl, yl, epochs=200, lr=float(frac * eta_c)).loss
            ratios.append(model.loss(Xl, yl) / h_[0])
        except bp.TrainingDiverged:
            ratios.append(np.inf)
ratios = np.array(ratios)
last_conv = float(fracs[ratios < 1].max())
first_div = float(fracs[ratios > 1].min())


def draw_scan(fig):
    ax = fig.subplots()
    ax.semilogy(fracs, ratios, "o-", ms=3)
    ax.axvline(1.0, color="C1", ls="--", lw=1, label=r"$\eta_c = 2/\lambda_{\max}$ from the Hessian")
    ax.axhline(1.0, color="0.5", lw=0.8)
    ax.set_xlabel(r"learning rate $\eta / \eta_c$")
    ax.set_ylabel("loss after 200 epochs / initial loss")
    ax.legend(fontsize=8, loc="upper left")


figure(draw_scan,
       alt=f"The ratio of final to initial loss against the learning rate from 0.81 to 1.19 times eta_c. "
       f"It stays at or below {ratios[fracs < 1].max():.0e} up to {last_conv:.2f} eta_c and jumps above 1 "
       f"from {first_div:.2f} eta_c on, "
       "right at the dashed line eta_c = 2 / lambda_max.",
       caption="Final loss relative to the initial loss, against the learning rate: the jump is at 2/λ_max.")
grid_pct = 100 * (fracs[1] - fracs[0])
md(f"""
Every learning rate up to ${last_conv:.2f}\\,\\eta_c$ lowered the loss, every one from
${first_div:.2f}\\,\\eta_c$ on raised it: the threshold measured on a {grid_pct:.0f}% grid sits where the Hessian's
largest eigenvalue puts it. (At exactly $\\eta_c$ the steepest direction neither grows nor shrinks:
$|1 - \\eta_c\\lambda_{{\\max}}| = 1$.) For a network with hidden layers the loss is not quadratic and $H$
changes as the weights move, but the same picture holds locally: a learning rate that exceeds
$2/\\lambda_{{\\max}}$ of the current curvature makes the loss oscillate and grow.
""")

# %% [markdown]
# ## Full batch against mini-batches
#
# Full-batch gradient descent computes the exact gradient of the loss over all $N$ samples before
# each step. Mini-batch gradient descent shuffles the samples each epoch, cuts them into batches of
# $B$, and takes one step per batch with the gradient of that batch alone: $\lceil N/B \rceil$ noisy
# steps per epoch instead of one exact one. On the Iris data (all $N$ flowers, four standardised
# features, three classes; the [classification chapter](classification.py) treats it properly), with a
# 4-8-3 tanh/softmax network and the same learning rate:

# %% tags=["hide-input"]
Xi, yi, _ = bp.datasets.load_iris()
Xi = (Xi - Xi.mean(axis=0)) / Xi.std(axis=0)
Yi = bp.datasets.one_hot(yi)
N = len(Xi)
lr_iris, B, epochs = 0.5, 15, 60
curves = {}
for label, bsize in (("full batch", None), (f"mini-batch B = {B}", B)):
    model = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
    losses = [model.loss(Xi, Yi)]
    for _ in range(epochs):
        model.fit(Xi, Yi, epochs=1, lr=lr_iris, batch_size=bsize)
        losses.append(model.loss(Xi, Yi))
    per_epoch = 1 if bsize is None else int(np.ceil(N / bsize))
    curves[label] = (np.array(losses), per_epoch)
(full, _), (mini, per_epoch_mini) = curves.values()


def draw_batches(fig):
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    for label, (losses, per_epoch) in curves.items():
        ax1.plot(np.arange(epochs + 1), losses, label=label)
        ax2.plot(np.arange(epochs + 1) * per_epoch, losses, label=label)
    ax1.set_xlabel("epoch")
    ax2.set_xlabel("number of updates")
    ax2.set_xscale("symlog", linthresh=10)
    ax1.set_yscale("log")
    ax1.set_ylabel(f"cross-entropy on all {N} samples")
    ax1.legend(fontsize=8)


figure(draw_batches, figsize=(7.0, 3.4),
       alt=f"Two panels of training loss on Iris. Per epoch (left), mini-batches of {B} reach "
       f"{mini[10]:.3f} after 10 epochs against {full[10]:.3f} for full batch, ending at {mini[-1]:.3f} "
       f"and {full[-1]:.3f}. Per update (right), the curves nearly coincide at first: the mini-batch "
       f"run's advantage comes from taking {per_epoch_mini} updates per epoch.",
       caption="Full batch against mini-batches on Iris: per epoch (left) and per update (right).")
same_updates = mini[epochs // per_epoch_mini]
md(f"""
Per epoch, that is per pass over the data and so per unit of computation, the mini-batch run is
far ahead: after 10 epochs its loss is ${mini[10]:.3f}$ against ${full[10]:.3f}$. Per update it is
not: after {epochs} updates the full-batch run is at ${full[-1]:.3f}$ and the mini-batch run (at
epoch {epochs // per_epoch_mini}) at ${same_updates:.3f}$. Each mini-batch step is cheaper and
noisier; many cheap, roughly right steps beat a few exact ones when the data is redundant, which
real data usually is.
""")

# %% [markdown]
# How noisy is a mini-batch gradient? Its average over all possible batches is the full gradient
# (the loss is an average), and its spread around it shrinks with $B$. For batches drawn without
# replacement from $N$ samples whose per-sample gradients $g_i$ scatter with variance
# $s^2 = \frac1N\sum_i \lVert g_i - \bar g\rVert^2$ around their mean $\bar g$, sampling theory gives
#
# $$
# \mathbb E\,\lVert g_B - \bar g \rVert^2 = \frac{N - B}{B\,(N - 1)}\, s^2,
# $$
#
# about $s^2/B$ for small batches and exactly 0 for $B = N$. Measured at the untrained network's
# weights, with 200 random batches per size:

# %% tags=["hide-input"]
probe = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
keys = list(probe.params)


def flat_grad(rows_):
    g_ = probe.gradients(Xi[rows_], Yi[rows_])
    return np.concatenate([g_[k].ravel() for k in keys])


G = np.array([flat_grad([i]) for i in range(N)])
g_full = flat_grad(np.arange(N))
assert np.allclose(G.mean(axis=0), g_full, rtol=0, atol=1e-15)
s2 = float(np.mean(np.sum((G - g_full) ** 2, axis=1)))
rng_b = np.random.default_rng(11)
sizes_b = np.array([1, 2, 5, 10, 15, 30, 50, 75, 120, 150])
n_draws = 200
measured, theory = [], []
for Bs in sizes_b:
    draws = [rng_b.choice(N, size=Bs, replace=False) for _ in range(n_draws)]
    for d_ in draws[:3]:   # the library's batch gradient is the mean of the per-sample ones
        assert np.allclose(flat_grad(d_), G[d_].mean(axis=0), rtol=0, atol=1e-14)
    measured.append(np.mean([np.sum((G[d_].mean(axis=0) - g_full) ** 2) for d_ in draws]))
    theory.append((N - Bs) / (Bs * (N - 1)) * s2)
measured, theory = np.array(measured), np.array(theory)
rel_dev = np.abs(measured[:-1] / theory[:-1] - 1)


def draw_noise(fig):
    ax = fig.subplots()
    ax.loglog(sizes_b[:-1], measured[:-1], "o", label="measured (200 batches each)")
    bb = np.linspace(1, 149, 300)
    ax.loglog(bb, (N - bb) / (bb * (N - 1)) * s2, "-", label=r"$\frac{N-B}{B(N-1)}\,s^2$")
    ax.loglog(bb, s2 / bb, ":", label=r"$s^2/B$")
    ax.set_xlabel("batch size $B$")
    ax.set_ylabel(r"$E\,\|g_B - \bar g\|^2$")
    ax.legend(fontsize=8)


figure(draw_noise,
       alt=f"Log-log plot of the mean squared deviation of mini-batch gradients from the full gradient "
       f"against batch size, from {measured[0]:.2f} at B = {sizes_b[0]} down to {measured[-2]:.1e} "
       f"at B = {sizes_b[-2]}. The measurements follow the sampling formula (N-B)/(B(N-1)) s^2 "
       f"within {100 * rel_dev.max():.0f}%, "
       f"and bend below the simple s^2/B line as B approaches N = {N}.",
       caption="Mean squared deviation of a mini-batch gradient from the full gradient, against batch size.")
md(f"""
The per-sample gradients scatter with $s^2 = {s2:.4f}$ around a full gradient of squared norm
$\\lVert \\bar g \\rVert^2 = {float(g_full @ g_full):.4f}$: a single sample's gradient is mostly
noise. At $B = {B}$ the expected squared deviation is ${theory[list(sizes_b).index(B)]:.4f}$, and
the measurements agree with the formula to within {100 * rel_dev.max():.0f}% ({n_draws} draws per size).
Halving the noise's standard deviation takes four times the batch: the reason mini-batches of a
few dozen to a few hundred samples are the usual compromise.
""")

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
assert np.all(ratios[fracs < 1] < 1) and np.all(ratios[fracs > 1] > 1), (fracs, ratios)
assert abs(last_conv - 0.99) < 1e-9 and abs(first_div - 1.01) < 1e-9, (last_conv, first_div)
assert 0 < reach[0.95] < reach[0.5]
assert histories[0.5][-1] - L_star < 1e-10 and histories[0.95][-1] - L_star < 1e-8
assert histories[0.02][-1] - L_star > 1e-4 and histories[1.05][-1] > histories[1.05][0]
assert len(histories[5.0]) == diverged_at < 300
assert mini[10] < full[10] and mini[-1] < full[-1]
assert rel_dev.max() < 0.25, rel_dev
assert measured[-1] < 1e-25
# the library's gradients of the classifier agree with finite differences (see gradient-checking.py)
chk = bp.check_gradients(cnet, Xc, Yc)
assert chk.ok and chk.max_rel_error < 1e-7, chk
md(f"All checks passed (gradient check of the 5-10-10-4 network: largest relative error "
   f"${sci(chk.max_rel_error, 1)}$, {chk.kinks} ReLU kinks flagged).")

# %% [markdown]
# ## Exercises
#
# **1.** For the one-weight loss $L(w) = \frac12(wx - y)^2$, which learning rate reaches the
# minimum in a single step from any $w$, and above which learning rate does gradient descent
# diverge?

# %% tags=["hide-input"]
eta_sym = sp.Symbol(r"\eta", positive=True)
w_next = w - eta_sym * sp.diff(L_toy, w)
one_step = sp.solve(sp.Eq(w_next, y / x), eta_sym)
hess = sp.diff(L_toy, w, 2)
assert one_step == [1 / x**2] and hess == x**2
solution(f"""
One step gives $w - \\eta x (w x - y)$; SymPy solves for the $\\eta$ that lands on $w^* = y/x$:
$\\eta = {sp.latex(one_step[0])}$, for every starting $w$. The Hessian is $L'' = {sp.latex(hess)}$,
so this is $\\eta = 1/\\lambda$, and divergence starts at $\\eta = 2/\\lambda = 2/x^2$. With $x = 1$
the learning rate $0.1$ of the table above was ten times smaller than the one-step rate.
""")

# %% [markdown]
# **2.** For the linear model above, the learning rate that makes the slowest and the fastest
# direction shrink equally fast is $\eta = 2/(\lambda_{\min} + \lambda_{\max})$. By what factor does
# the error shrink per step, and how many steps does it take to reduce it a millionfold?

# %% tags=["hide-input"]
kappa = lams[-1] / lams[0]
eta_best = 2 / (lams[0] + lams[-1])
factor = (kappa - 1) / (kappa + 1)
assert abs(abs(1 - eta_best * lams[0]) - factor) < 1e-12 and abs(abs(1 - eta_best * lams[-1]) - factor) < 1e-12
n_steps = int(np.ceil(np.log(1e-6) / np.log(factor)))
# simulate the linear recursion on the error along the eigenvectors
e_ = np.ones(3)
for _ in range(n_steps):
    e_ = (1 - eta_best * lams) * e_
assert np.abs(e_).max() <= 1e-6 < factor ** (n_steps - 1)
solution(f"""
Along eigenvalue $\\lambda$ the factor is $|1 - \\eta\\lambda|$; at $\\eta = 2/(\\lambda_{{\\min}} +
\\lambda_{{\\max}}) = {eta_best:.4f}$ the two extremes give the same factor
$(\\kappa - 1)/(\\kappa + 1) = {factor:.4f}$ with $\\kappa = \\lambda_{{\\max}}/\\lambda_{{\\min}} =
{kappa:.2f}$. A millionfold reduction takes $\\lceil \\ln 10^{{-6}} / \\ln {factor:.4f} \\rceil =
{n_steps}$ steps. The condition number, not the size of the data, sets the pace.
""")

# %% [markdown]
# **3.** With $N = 150$ samples, how many updates per epoch does `fit` make with `batch_size=16`,
# and how large is the last batch? By what factor does the standard deviation of the mini-batch
# gradient fall when the batch grows from 10 to 40?

# %% tags=["hide-input"]
n_upd = int(np.ceil(150 / 16))
last = 150 - 16 * (n_upd - 1)
var = {b_: (N - b_) / (b_ * (N - 1)) for b_ in (10, 40)}
sd_ratio = float(np.sqrt(var[10] / var[40]))
assert n_upd == 10 and last == 6 and 2 < sd_ratio < 2.5
solution(f"""
$\\lceil 150/16 \\rceil = {n_upd}$ updates, the last on the remaining ${last}$ samples. The
variance is proportional to $(N-B)/(B(N-1))$, so the standard deviation falls by
$\\sqrt{{{var[10]:.5f}/{var[40]:.5f}}} = {sd_ratio:.3f}$: a bit more than the factor 2 of the
$1/\\sqrt B$ rule, because 40 is already a noticeable part of 150.
""")
