# %% [markdown]
# # Gradient descent
#
# [Backpropagation](backpropagation.py) delivers $\partial\mathcal L/\partial p$ for every parameter
# $p$ (every entry of every $W^{(l)}$ and $b^{(l)}$). Gradient descent uses it in the simplest
# possible way:
#
# $$
# p \leftarrow p - \eta\, \frac{\partial \mathcal L}{\partial p},
# $$
#
# with a learning rate (step size) $\eta > 0$. This chapter looks at what the sign and the size of
# a gradient say, at what the learning rate does (too small, good, divergent, and where exactly the
# boundary lies), and at the difference between using all samples per step and using mini-batches.
# The symbols are those of the [notation table](symbols.py); the ones this page adds are
# defined where they first appear.

# %% tags=["hide-input"]
import dataclasses
from fractions import Fraction

import sympy as sp
from IPython.display import display

from backprop.book import column, figure, md, md_table, num, solution, tex
from backprop.book.numbers import down, up

# %% [markdown]
# ## The sign and the size of a gradient
#
# Two gradients of the same size and opposite signs point in opposite directions. The cleanest
# place to see what that means is a single weight: one sample $x$ with target $y$, a
# linear unit $\hat y = w x$ and the half squared error $\mathcal L(w) = \tfrac12 (w x - y)^2$.
# SymPy differentiates it:

# %% tags=["hide-input"]
w, x, y = sp.symbols("w x y", real=True)
L_toy = sp.Rational(1, 2) * (w * x - y) ** 2
dL_toy = sp.factor(sp.diff(L_toy, w))
display(sp.Eq(sp.Symbol(r"\partial \mathcal{L} / \partial w"), dL_toy))

# %% [markdown]
# %% tags=["hide-input"]
eta_toy, w_start = Fraction(1, 10), Fraction(1, 2)
md(f"""
Take $x = 1$ and $w = {tex(float(w_start))}$, once with target $y = 0$ (the prediction is too large) and
once with $y = 1$ (too small), and step the weight with $\\eta = {tex(float(eta_toy))}$ against the
gradient and along it. The losses are computed exactly (in fractions):
""")
toy = {}
for target in (0, 1):
    grad_ = Fraction(sp.Rational(dL_toy.subs({x: 1, y: target, w: sp.Rational(1, 2)})))

    def loss(v, t=target):
        return Fraction(1, 2) * (v - t) ** 2   # x = 1

    w_against, w_along = w_start - eta_toy * grad_, w_start + eta_toy * grad_
    toy[target] = {"grad": grad_, "w": (w_start, w_against, w_along),
                   "L": (loss(w_start), loss(w_against), loss(w_along))}
w_cols = {t: column([float(v) for v in toy[t]["w"]], 2) for t in (0, 1)}
L_cols = {t: column([float(v) for v in toy[t]["L"]], 5) for t in (0, 1)}
md_table(["", "$w$ ($y = 0$)", r"$\mathcal L$ ($y = 0$)", "$w$ ($y = 1$)", r"$\mathcal L$ ($y = 1$)"],
         [[step, w_cols[0][i], L_cols[0][i], w_cols[1][i], L_cols[1][i]]
          for i, step in enumerate(["start", "step against the gradient", "step along the gradient"])],
         align="lrrrr")
assert toy[0]["grad"] == Fraction(1, 2) and toy[1]["grad"] == Fraction(-1, 2)
for t in (0, 1):
    L_start, L_against, L_along = toy[t]["L"]
    assert L_against < L_start < L_along
# Equal exact values are written alike: one formatter per column, applied to exact values.
assert toy[0]["L"][1] == toy[1]["L"][1] == Fraction(81, 800) and L_cols[0][1] == L_cols[1][1] == "0.10125"
assert toy[0]["L"][2] == toy[1]["L"][2] == Fraction(121, 800) and L_cols[0][2] == L_cols[1][2] == "0.15125"
md(f"""
The gradient at $w = 0.5$ is {num(float(toy[0]['grad']), trim=True)} for $y = 0$ and
{num(float(toy[1]['grad']), trim=True)} for $y = 1$. A positive gradient says the loss *rises* as $w$ grows, so $w$
must shrink; a negative
one says the loss falls as $w$ grows, so $w$ must grow. The update $w - \\eta\\,\\partial\\mathcal L/\\partial w$
does the right thing in both cases: against the gradient the loss falls from
{num(float(toy[0]['L'][0]), trim=True)} to {num(float(toy[0]['L'][1]), 5, trim=True)}, along it, it rises to
{num(float(toy[0]['L'][2]), 5, trim=True)}.
""")

# %% [markdown]
# %% tags=["hide-input"]
import numpy as np

import backprop as bp

rng = np.random.default_rng(3)
sizes_c, n_c, step = [5, 10, 10, 4], 16, 0.05
cnet = bp.MLP(sizes_c, hidden="relu", output="softmax", loss="cross_entropy", seed=0)
Xc = rng.normal(size=(n_c, sizes_c[0]))
Yc = np.eye(sizes_c[-1])[rng.integers(0, sizes_c[-1], n_c)]
md(f"""
The same holds inside a real network, where one weight is one of hundreds. Take a classifier with
the shape used in *Build Neural Network : Feedforward and Backpropagation with NumPy*, one of the
book's sources: {sizes_c[0]} inputs, two ReLU layers of {sizes_c[1]} units, {sizes_c[-1]} softmax outputs
and cross-entropy, here on {n_c} random samples. Pick the weight with the largest positive gradient and
the one with the most negative gradient, and move each by $\\Delta w = \\pm {tex(step)}$:
""")
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


moves = []
for g_val, key, idx in (pos, neg):
    for d in (-step, step):
        moves.append((name(key, idx), g_val, d, g_val * d, loss_with(key, idx, d) - L_c0))
cols = [[m[0] for m in moves], column([m[1] for m in moves], 4), column([m[2] for m in moves], 2),
        column([m[3] for m in moves], 4), column([m[4] for m in moves], 4)]
md_table(["weight", r"$\partial\mathcal L/\partial w$", r"$\Delta w$",
          r"predicted $\Delta\mathcal L$", r"actual $\Delta\mathcal L$"], list(zip(*cols, strict=True)),
         align="lrrrr")
moves = [m[1:] for m in moves]
assert all(np.sign(pred) == np.sign(act) for _, _, pred, act in moves)
deviation = max(abs(act / pred - 1) for _, _, pred, act in moves)
assert deviation < 0.02, deviation
# The larger gradient moves the loss more, for the same step, in both directions.
assert all(abs(moves[i][3]) > abs(moves[i + 2][3]) for i in (0, 1)) and abs(pos[0]) > abs(neg[0])
md(f"""
The loss is $\\mathcal L = {tex(L_c0)}$; the predicted change is
$\\frac{{\\partial\\mathcal L}}{{\\partial w}}\\Delta w$. In all four cases the sign of the change is the
one the gradient predicts, and its size is within {num(up(100 * deviation), trim=True)} % of the prediction: the
gradient is the slope of the loss along that weight. The *size* of the gradient is how steep that
slope is: the same step moved the loss more along the weight with the larger gradient
({num(pos[0], 3, trim=True)} against {num(neg[0], 3, trim=True)}). Plain gradient descent therefore moves steep weights
more, which helps as long as the slope does not change much over the step, and that is what the
learning rate has to ensure.
""")

# %% tags=["hide-input"]
offs = np.linspace(-1.0, 1.0, 81)
slices = {which: (g_val, key, idx, np.array([loss_with(key, idx, o) for o in offs]))
          for which, (g_val, key, idx) in (("positive", pos), ("negative", neg))}


def draw_slices(fig):
    axes = fig.subplots(2, 1, sharex=True)
    for ax, (which, (g_val, key, idx, curve)) in zip(axes, slices.items(), strict=True):
        ax.plot(offs, curve, label="loss along the weight")
        t = np.array([-0.4, 0.4])
        ax.plot(t, L_c0 + g_val * t, "--", label="tangent at the current value")
        ax.plot([0], [L_c0], "o", color="C1")
        ax.annotate("", xy=(-0.3 * np.sign(g_val), L_c0 - 0.3 * abs(g_val)), xytext=(0, L_c0),
                    arrowprops={"arrowstyle": "->", "color": "C2", "lw": 1.5})
        ax.set_title(f"{which} gradient, {name(key, idx)}: slope {num(g_val, 3)}")
        ax.set_ylabel(r"$\mathcal{L}$")
    axes[1].set_xlabel(r"change $\Delta w$")
    axes[0].legend(loc="upper left", bbox_to_anchor=(0, 1.55), ncols=1, frameon=False)


figure(draw_slices, figsize=(5.0, 5.6),
       alt=f"Two panels, one above the other: the loss of a 5-10-10-4 network as one weight is moved by "
       f"up to 1 either way. Top, the weight with gradient {num(pos[0], 3)}: the loss rises to the right, "
       f"so the descent step (arrow) goes left. Bottom, the weight with gradient {num(neg[0], 3)}: the "
       f"loss falls to the right and the step goes right. Dashed tangent lines match the curves near 0.",
       caption="The loss along two single weights, its tangent at the current value, and the direction "
       "of the gradient step (arrow).")

# %% [markdown]
# ## The learning rate
#
# How far to step is the learning rate's job. Too small and training crawls; too large and each
# step overshoots the valley floor and lands higher up the other side. For a quadratic loss the
# boundary can be computed exactly. Take a linear model $\hat y = x W^{(1)} + b^{(1)}$ (a network
# without hidden layers, `bp.MLP([2, 1])`) with the half squared error, and collect its parameters
# in $\theta = (w^{(1)}_{11}, w^{(1)}_{21}, b^{(1)}_1)^\top$. With
# $\tilde X = [X \;\; \mathbf 1_N]$ (the inputs with a column of ones appended) and $Y$ the
# $N \times 1$ targets,
#
# $$
# \mathcal L(\theta) = \frac{1}{2N}\,\lVert \tilde X \theta - Y \rVert^2,
# $$
#
# a quadratic whose Hessian (matrix of second derivatives) $H = \tilde X^\top\tilde X / N$ is the
# same everywhere. Its gradient is $H(\theta - \theta^*)$ exactly, where $\theta^*$ is the minimum,
# so a gradient step is $\theta - \theta^* \leftarrow (I - \eta H)(\theta - \theta^*)$: along an
# eigenvector of $H$ with eigenvalue $\lambda$ the distance to the minimum is multiplied by
# $1 - \eta\lambda$ at every step. It shrinks exactly when $|1 - \eta\lambda| < 1$, that is, for
# $\eta > 0$ and $\lambda > 0$:

# %% tags=["hide-input"]
eta_s, lam_s = sp.symbols(r"\eta \lambda", positive=True)
general = sp.reduce_inequalities([1 - eta_s * lam_s < 1, 1 - eta_s * lam_s > -1], eta_s)
display(general)
assert general == sp.StrictLessThan(eta_s, 2 / lam_s), general
region = sp.solve_univariate_inequality(sp.Abs(1 - eta_s * 3) < 1, eta_s, relational=False)
assert region == sp.Interval.open(0, sp.Rational(2, 3)), region   # the same, for lambda = 3

# %% [markdown]
# So the largest eigenvalue $\lambda_{\max}$ decides: gradient descent on this loss converges for
# $\eta < \eta_c = 2/\lambda_{\max}$ and diverges above, from almost every start. The data: 40
# samples with two correlated features and a noisy linear target. The critical learning rate takes
# a few lines of NumPy:

# %%
import numpy as np

import backprop as bp

rng = np.random.default_rng(7)
mix, shift = np.array([[1.0, 0.0], [0.8, 0.6]]), np.array([1.0, -0.5])
Xl = rng.normal(size=(40, 2)) @ mix + shift           # correlated features
noise = 0.3 * rng.normal(size=40)
Yl = (Xl @ np.array([1.5, -2.0]) + 0.7 + noise).reshape(-1, 1)

X1 = np.hstack([Xl, np.ones((len(Xl), 1))])   # with a column of ones
H = X1.T @ X1 / len(Xl)          # Hessian of the half mean squared error
lams = np.linalg.eigvalsh(H)     # eigenvalues, ascending
eta_c = 2 / lams[-1]
print("eigenvalues of H:", lams.round(4), " eta_c =", round(eta_c, 4))

# %% [markdown]
# SymPy checks that formula for $H$: it writes the model's loss from the data, compares its gradient
# with the library's, and takes its Hessian.

# %% tags=["hide-input"]
lin = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
w1, w2, b = sp.symbols("w_1 w_2 b")
theta = [w1, w2, b]
L_lin = sp.expand(sp.Add(*[sp.expand((sp.Float(r[0]) * w1 + sp.Float(r[1]) * w2 + b - sp.Float(t[0])) ** 2)
                           for r, t in zip(Xl, Yl, strict=True)]) / (2 * len(Xl)))
H_sym = np.array(sp.hessian(L_lin, theta).evalf(), dtype=float)
at_ = {w1: lin.params["W1"][0, 0], w2: lin.params["W1"][1, 0], b: lin.params["b1"][0]}
g_sym = np.array([float(sp.diff(L_lin, v).subs(at_)) for v in theta])
g_lin = lin.gradients(Xl, Yl)
g_lib = np.concatenate([g_lin["W1"].ravel(), g_lin["b1"]])
assert np.allclose(g_sym, g_lib, rtol=1e-12, atol=0), (g_sym, g_lib)
assert np.allclose(H_sym, H, rtol=1e-13, atol=0)
assert np.allclose(lams, np.linalg.eigvalsh(H_sym), rtol=1e-12, atol=0)
H_tex = r"\begin{bmatrix}" + r"\\".join(" & ".join(tex(v, 4) for v in row) for row in H) + r"\end{bmatrix}"
kappa = lams[-1] / lams[0]
assert all(1 - f * eta_c * lams[0] > 1 - 2 / kappa for f in (0.02, 0.5, 0.95))   # the flattest direction
md(f"""
$$ H = {H_tex} $$

$$ \\lambda = {tex(lams[0])},\\ {tex(lams[1])},\\ {tex(lams[2])}, \\qquad
\\eta_c = \\frac{{2}}{{\\lambda_{{\\max}}}} = {tex(eta_c)} $$

(entries to 4 significant figures). The ratio $\\kappa = \\lambda_{{\\max}}/\\lambda_{{\\min}} = {tex(kappa, 3)}$,
the *condition number* of $H$, matters too: the learning rate is capped by the steepest direction,
while the flattest direction then shrinks by a factor of only $1 - \\eta\\lambda_{{\\min}}$ per step,
at least $1 - 2/\\kappa = {tex(1 - 2 / kappa)}$ for any $\\eta < \\eta_c$.
""")

# %% [markdown]
# Training the model with five learning rates, as fractions of $\eta_c$, 300 epochs each (one
# full-batch step per epoch). `fit` raises `bp.TrainingDiverged` when the loss is no longer finite
# (infinite or NaN); the exception carries the history up to that point:

# %%
histories = {}
for frac in (0.02, 0.5, 0.95, 1.05, 5.0):
    model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            history = model.fit(Xl, Yl, epochs=300, lr=frac * eta_c)
            histories[frac] = history.loss
        except bp.TrainingDiverged as err:
            histories[frac] = err.history.loss
            diverged_at = err.history.epochs
print({frac: len(h) for frac, h in histories.items()}, "epochs completed")

# %% tags=["hide-input"]
L_star = float(0.5 * np.mean((X1 @ np.linalg.lstsq(X1, Yl, rcond=None)[0] - Yl) ** 2))
EPS = float(np.finfo(np.float64).eps)
assert histories[0.95][-1] - L_star < 10 * EPS * L_star < histories[0.5][-1] - L_star < 1e-10
labels = {0.02: "too small", 0.5: "good", 0.95: "good, oscillating", 1.05: "diverges", 5.0: "diverges fast"}
reach = {f: int(np.argmax(histories[f] - L_star < 1e-9)) for f in (0.5, 0.95)}
assert all(histories[f][reach[f]] - L_star < 1e-9 for f in reach)
factor = {f: abs(1 - f * 2) for f in (0.95, 1.05, 5.0)}   # |1 - eta lambda_max| at eta = f eta_c
# Far along, the excess loss is carried by the steepest direction: it grows by factor^2 per epoch.
growth = {f: float((histories[f][-1] - L_star) / (histories[f][-2] - L_star)) for f in (1.05, 5.0)}
assert abs(growth[1.05] / factor[1.05] ** 2 - 1) < 1e-6 and abs(growth[5.0] / factor[5.0] ** 2 - 1) < 1e-6, growth
# The flattest direction sets the pace of the converging runs: predicted ratio of epochs to 1e-9.
pace = np.log(1 - 0.95 * eta_c * lams[0]) / np.log(1 - 0.5 * eta_c * lams[0])
assert abs((reach[0.5] / reach[0.95]) / pace - 1) < 0.1, (reach, pace)
# At 0.95 eta_c the component along the steepest eigenvector changes sign at every step.
theta_star = np.linalg.lstsq(X1, Yl, rcond=None)[0].ravel()
v_max = np.linalg.eigh(H)[1][:, -1]
th = np.array([lin.params["W1"][0, 0], lin.params["W1"][1, 0], lin.params["b1"][0]])
signs = []
for _ in range(20):
    th = th - 0.95 * eta_c * H @ (th - theta_star)
    signs.append(np.sign(v_max @ (th - theta_star)))
assert all(s1 == -s2 for s1, s2 in zip(signs[:-1], signs[1:], strict=True))


def draw_lr(fig):
    top, bottom = fig.subplots(2, 1, sharex=True)
    for i, (frac, h_) in enumerate(histories.items()):
        label = fr"$\eta = {frac:g}\,\eta_c$ ({labels[frac]})"
        if frac < 1:
            top.semilogy(np.arange(len(h_)), h_ - L_star, color=f"C{i}", label=label)
        else:   # up to 1e307: drawn as log10 on a linear axis (a log axis that high overflows)
            bottom.plot(np.arange(len(h_)), np.log10(h_), color=f"C{i}", label=label)
            if len(h_) < 300:   # where fit() stopped
                bottom.plot(len(h_) - 1, np.log10(h_[-1]), "x", color=f"C{i}", ms=8)
    top.set_ylabel(r"$\mathcal{L} - \mathcal{L}^*$")
    bottom.set_ylabel(r"$\log_{10} \mathcal{L}$")
    bottom.set_xlabel("epoch (one full-batch step each)")
    fig.legend(loc="outside upper center", ncols=1)


figure(draw_lr, figsize=(5.0, 7.0),
       alt=f"Two panels of loss curves of a linear model on a log scale, for five learning rates. Top, the "
       f"excess over the minimum for the converging rates: at 0.02 times the "
       f"critical rate the excess loss falls slowly to {num(histories[0.02][-1] - L_star, 2)}; at 0.5 and "
       f"0.95 times it falls to {num(histories[0.5][-1] - L_star, 1)} and {num(histories[0.95][-1] - L_star, 1)} "
       f"within the 300 epochs. Bottom, at 1.05 times the loss grows "
       f"steadily to {num(histories[1.05][-1], 1)}; at 5 times it explodes and training stops at epoch "
       f"{diverged_at} with TrainingDiverged.",
       caption=r"Loss against epoch for five learning rates, as fractions of $\eta_c = 2/\lambda_{\max}$: "
       r"the excess loss $\mathcal{L} - \mathcal{L}^*$ of the converging runs (top) and the loss of the "
       "diverging ones (bottom; the cross marks where fit stops).")
md(f"""
The minimum of this loss is $\\mathcal L^* = {tex(L_star)}$ (least squares). At $0.02\\,\\eta_c$ the
excess loss $\\mathcal L - \\mathcal L^*$ is still {num(histories[0.02][-1] - L_star, 2, trim=True)} after 300 epochs;
at $0.5\\,\\eta_c$ it is down to {num(histories[0.5][-1] - L_star, 2, trim=True)} and at $0.95\\,\\eta_c$ to
{num(histories[0.95][-1] - L_star, 2, trim=True)}, the rounding level of $\\mathcal L^*$
($\\varepsilon\\mathcal L^* = {tex(EPS * L_star, 2)}$, with $\\varepsilon = 2^{{-52}}$ the machine epsilon of
float64). The larger rate is faster (excess below $10^{{-9}}$ after {reach[0.95]} epochs against
{reach[0.5]}, close to the ratio
$\\ln(1 - 0.95\\,\\eta_c\\lambda_{{\\min}})/\\ln(1 - 0.5\\,\\eta_c\\lambda_{{\\min}}) = {tex(pace, 3)}$
that the flattest direction predicts). Along the steepest direction the larger rate overshoots at
every step (the factor is $1 - 0.95 \\cdot 2 = {tex(1 - 0.95 * 2)}$: the sign flips), which the loss,
a square, does not show. Just above the threshold, at $1.05\\,\\eta_c$, the steepest direction grows
by a factor $|1 - 1.05 \\cdot 2| = {tex(factor[1.05])}$ per step, the excess loss by its square
(measured at the end: {num(growth[1.05], 4, trim=True)} per epoch), and the loss reaches
{num(histories[1.05][-1], 2, trim=True)}; at $5\\,\\eta_c$ the factor is {num(factor[5.0], trim=True)} and the loss
overflows at epoch {diverged_at}, where `fit` stops.
""")

# %% [markdown]
# Is the threshold really at $2/\lambda_{\max}$? Scan the learning rate finely around it and
# compare the loss after training with the loss before:

# %% tags=["hide-input"]
fracs = np.linspace(0.81, 1.19, 20)   # steps of 0.02, avoiding the marginal 1.0 itself
scan_epochs = 200
ratios = []
for frac in fracs:
    model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            h_ = model.fit(Xl, Yl, epochs=scan_epochs, lr=float(frac * eta_c)).loss
            ratios.append(model.loss(Xl, Yl) / h_[0])
        except bp.TrainingDiverged:
            ratios.append(np.inf)
ratios = np.array(ratios)
assert np.all(np.isfinite(ratios))
last_conv = float(fracs[ratios < 1].max())
first_div = float(fracs[ratios > 1].min())
grid_pct = 100 * (fracs[1] - fracs[0])


def draw_scan(fig):
    ax = fig.subplots()
    ax.semilogy(fracs, ratios, "o-", ms=3, label="final / initial loss")
    ax.axvline(1.0, color="C1", ls="--", lw=1, label=r"$\eta_c = 2/\lambda_{\max}$ from the Hessian")
    ax.axhline(1.0, color="C5", lw=0.8)
    ax.set_xlabel(r"learning rate $\eta / \eta_c$")
    ax.set_ylabel(f"loss after {scan_epochs} epochs / initial")
    fig.legend(loc="outside upper center", ncols=1)


figure(draw_scan, figsize=(5.0, 3.8),
       alt=f"The ratio of final to initial loss against the learning rate from {num(fracs[0], 2)} to "
       f"{num(fracs[-1], 3)} times the critical rate. It stays at or below {num(up(ratios[fracs < 1].max()))} up to "
       f"{num(last_conv, 3, trim=True)} times the critical rate and is above 1 from "
       f"{num(first_div, 3, trim=True)} times on, on either side of "
       "the dashed line at 2 divided by the largest eigenvalue of the Hessian.",
       caption=r"Final loss relative to the initial loss, against the learning rate: the jump is at "
       r"$2/\lambda_{\max}$.")
md(f"""
After {scan_epochs} epochs, every learning rate up to ${tex(last_conv, 2)}\\,\\eta_c$ lowered the loss, every one from
${tex(first_div, 3)}\\,\\eta_c$ on raised it: the threshold measured on a {num(grid_pct, 1, trim=True)} %
grid sits where the Hessian's largest eigenvalue puts it. (At exactly $\\eta_c$ the steepest direction
neither grows nor shrinks: $|1 - \\eta_c\\lambda_{{\\max}}| = 1$.) For a network with hidden layers the
loss is not quadratic and its Hessian changes as the weights move, so $2/\\lambda_{{\\max}}$ of the
current Hessian describes only what a step does near the current weights, not a sharp threshold
for a whole training run.
""")
assert np.all(ratios[fracs < 1] < 1) and np.all(ratios[fracs > 1] > 1), (fracs, ratios)
assert abs(last_conv - 0.99) < 1e-9 and abs(first_div - 1.01) < 1e-9, (last_conv, first_div)

# %% [markdown]
# ## Full batch against mini-batches
#
# Full-batch gradient descent computes the exact gradient of the loss over all $N$ samples before
# each step. Mini-batch gradient descent shuffles the samples each epoch, cuts them into batches of
# $B$ samples, and takes one step per batch with the gradient of that batch's loss alone:
# $\lceil N/B \rceil$ noisy steps per epoch instead of one exact one. On the Iris data (all
# $N = 150$ flowers, four standardised features, three classes; the
# [classification chapter](classification.py) treats it properly), with a 4-8-3 tanh/softmax network,
# cross-entropy and the same learning rate for both:

# %%
X_iris, classes, _ = bp.datasets.load_iris()
Xi = (X_iris - X_iris.mean(axis=0)) / X_iris.std(axis=0)   # standardised
Yi = np.eye(3)[classes]                                      # one-hot
N = len(Xi)
lr_iris, B, epochs = 0.5, 15, 60
curves = {}
for label, batch_size in (("full batch", None), (f"mini-batch B = {B}", B)):
    model = bp.MLP([4, 8, 3], hidden="tanh", output="softmax",
                   loss="cross_entropy", seed=0)
    losses = [model.loss(Xi, Yi)]
    for _ in range(epochs):
        model.fit(Xi, Yi, epochs=1, lr=lr_iris, batch_size=batch_size)
        losses.append(model.loss(Xi, Yi))   # on all N samples, each epoch
    curves[label] = np.array(losses)
for label, c in curves.items():
    print(f"{label}: loss {c[-1]:.4f} after {epochs} epochs")

# %% tags=["hide-input"]
full, mini = curves.values()
per_epoch = {"full batch": 1, f"mini-batch B = {B}": int(np.ceil(N / B))}
upd = per_epoch[f"mini-batch B = {B}"]
assert N == 150 and upd == 10
matched = np.arange(1, epochs // upd + 1)                       # mini-batch epochs 1..6 = 10..60 updates
behind = mini[matched] / full[matched * upd] - 1                 # relative excess of the mini-batch run


def draw_batches(fig):
    ax1, ax2 = fig.subplots(2, 1, sharey=True)
    for label, losses in curves.items():
        ax1.plot(np.arange(epochs + 1), losses, label=label)
        ax2.plot(np.arange(epochs + 1) * per_epoch[label], losses, "o-" if per_epoch[label] > 1 else "-", ms=3)
    ax1.set_xlabel("epoch")
    ax2.set_xlabel("number of updates")
    ax2.set_xscale("symlog", linthresh=10)
    ax1.set_yscale("log")
    for ax in (ax1, ax2):
        ax.set_ylabel("cross-entropy")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_batches, figsize=(5.0, 5.6),
       alt=f"Two panels of training loss on Iris, one above the other. Per epoch (top), mini-batches of "
       f"{B} reach {num(mini[10], 3)} after 10 epochs against {num(full[10], 3)} for full batch, ending at "
       f"{num(mini[-1], 3)} and {num(full[-1], 3)}. Per update (bottom), the two curves stay close, the "
       f"full-batch run slightly lower: the mini-batch run's advantage per epoch comes from taking {upd} "
       f"updates per epoch.",
       caption=f"Full batch against mini-batches ($B = {B}$) on Iris: the cross-entropy on all {N} "
       "samples per epoch (top) and per update (bottom).")
md(f"""
Per epoch, in which each run computes every sample's gradient once, the mini-batch run is far
ahead: after 10 epochs its loss is {num(mini[10], 3, trim=True)} against {num(full[10], 3, trim=True)}. Per update it
is behind: after 10, 20, ..., {epochs} updates (mini-batch epochs 1 to {epochs // upd}) its loss
is the higher of the two, by {num(down(100 * behind.min()), trim=True)} % to
{num(up(100 * behind.max(), 2), trim=True)} %. Each mini-batch step does about $B/N$ of the arithmetic of
a full-batch step and is noisier; here many cheap, roughly right steps beat a few exact ones.
""")
assert mini[10] < 0.5 * full[10] and mini[-1] < full[-1]
assert np.all(behind > 0) and behind.max() < 0.2, behind

# %% [markdown]
# How noisy is a mini-batch gradient? Write $g_i$ for the gradient of sample $i$'s loss (all
# parameters in one vector), $\bar g = \frac1N\sum_i g_i$ for the full-batch gradient (the loss is
# a mean, so its gradient is the mean), $g_B$ for the mean over a batch of $B$ samples, and
# $V = \frac1N\sum_i \lVert g_i - \bar g\rVert^2$ for the spread of the per-sample gradients. The
# mean of $g_B$ over all possible batches is $\bar g$, and for batches drawn without replacement
# sampling theory gives
#
# $$
# \mathbb E\,\lVert g_B - \bar g \rVert^2 = \frac{N - B}{B\,(N - 1)}\, V,
# $$
#
# about $V/B$ for $B$ much smaller than $N$, and exactly 0 for $B = N$. Measured at the untrained
# network's weights, with random batches of each size:

# %% tags=["hide-input"]
probe = bp.MLP([4, 8, 3], hidden="tanh", output="softmax", loss="cross_entropy", seed=0)
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
    ax.loglog(bb, (N - bb) / (bb * (N - 1)) * s2, "-", label=r"$\frac{N-B}{B(N-1)}\,V$")
    ax.loglog(bb, s2 / bb, ":", label=r"$V/B$")
    ax.set_xlabel("batch size $B$")
    ax.set_ylabel(r"$\mathbb{E}\,\|g_B - \bar g\|^2$")
    ax.legend(loc="lower left")


figure(draw_noise,
       alt=f"Log-log plot of the mean squared deviation of mini-batch gradients from the full gradient "
       f"against batch size, from {num(measured[0], 3)} at B = {sizes_b[0]} down to {num(measured[-2], 2)} "
       f"at B = {sizes_b[-2]}. The measurements follow the sampling formula (N − B)/(B(N − 1)) V "
       f"within {num(up(100 * rel_dev.max(), 2), trim=True)} %, and bend below the simple V/B line as B approaches "
       f"N = {N}.",
       caption="Mean squared deviation of a mini-batch gradient from the full gradient, against the "
       "batch size $B$.")
i_B = list(sizes_b).index(B)
md(f"""
The per-sample gradients scatter with $V = {tex(s2)}$ around a full gradient of squared norm
$\\lVert \\bar g \\rVert^2 = {tex(float(g_full @ g_full))}$: a single sample's gradient is mostly
noise. At $B = {B}$ the expected squared deviation is {num(theory[i_B], trim=True)}, and the measurements
agree with the formula to within {num(up(100 * rel_dev.max(), 2), trim=True)} % ({n_draws} draws per size). While $B$ is
small against $N$, halving the noise's standard deviation takes about four times the batch.
""")
assert s2 > float(g_full @ g_full)
assert rel_dev.max() < 0.25, rel_dev
assert measured[-1] < 1e-25

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
assert 0 < reach[0.95] < reach[0.5]
assert histories[0.5][-1] - L_star < 1e-10 and histories[0.95][-1] - L_star < 1e-8
assert histories[0.02][-1] - L_star > 1e-4 and histories[1.05][-1] > histories[1.05][0]
assert len(histories[5.0]) == diverged_at < 300
# the library's gradients of the classifier agree with finite differences (see gradient-checking.py)
chk = bp.check_gradients(cnet, Xc, Yc)
assert chk.ok and chk.max_rel_error < 1e-7, chk
md(f"Asserted while the page is built: the exact toy table; the signs and sizes of the predicted loss "
   f"changes; SymPy's inequality, gradient and Hessian against the NumPy formula and the library; the "
   f"growth and pace of the training runs against the eigenvalues; the threshold of the scan; the "
   f"mini-batch comparisons and the sampling formula. All checks passed (gradient check of the "
   f"5-10-10-4 network: largest relative error {num(chk.max_rel_error, 2, trim=True)}, {chk.kinks} entries "
   f"flagged at ReLU kinks).")

# %% [markdown]
# ## Exercises
#
# **1.** For the one-weight loss $\mathcal L(w) = \frac12(wx - y)^2$, which learning rate reaches the
# minimum in a single step from any $w$, and above which learning rate does gradient descent
# diverge?

# %% tags=["hide-input"]
eta_sym = sp.Symbol(r"\eta", positive=True)
w_next = w - eta_sym * sp.diff(L_toy, w)
one_step = sp.solve(sp.Eq(w_next, y / x), eta_sym)
hess = sp.diff(L_toy, w, 2)
assert one_step == [1 / x**2] and hess == x**2
one_step_at_1 = float(one_step[0].subs(x, 1))
solution(f"""
One step gives $w - \\eta x (w x - y)$; SymPy solves for the $\\eta$ that lands on $w^* = y/x$:
$\\eta = {sp.latex(one_step[0])}$, for every starting $w$. The second derivative is
$\\mathcal L'' = {sp.latex(hess)}$, so this is $\\eta = 1/\\lambda$, and divergence starts at
$\\eta = 2/\\lambda = 2/x^2$. With $x = 1$ the learning rate {num(float(eta_toy), trim=True)} of the table above
was {num(one_step_at_1 / float(eta_toy), trim=True)} times smaller than the one-step rate.
""")

# %% [markdown]
# **2.** For the linear model above, the learning rate that makes the flattest and the steepest
# direction shrink equally fast is $\eta = 2/(\lambda_{\min} + \lambda_{\max})$. By what factor does
# the distance to the minimum shrink per step, and how many steps does it take to reduce it a
# millionfold?

# %% tags=["hide-input"]
eta_best = 2 / (lams[0] + lams[-1])
shrink = (kappa - 1) / (kappa + 1)
assert abs(abs(1 - eta_best * lams[0]) - shrink) < 1e-12 and abs(abs(1 - eta_best * lams[-1]) - shrink) < 1e-12
assert abs(1 - eta_best * lams[1]) < shrink          # the middle direction shrinks faster
n_steps = int(np.ceil(np.log(1e-6) / np.log(shrink)))
e_ = np.ones(3)   # the distance along the three eigenvectors, iterated
for _ in range(n_steps):
    e_ = (1 - eta_best * lams) * e_
assert np.abs(e_).max() <= 1e-6 < shrink ** (n_steps - 1)
lams10 = np.linalg.eigvalsh(10 * H)   # a loss ten times larger
assert abs(abs(1 - 2 / (lams10[0] + lams10[-1]) * lams10[0]) - shrink) < 1e-12
solution(f"""
Along eigenvalue $\\lambda$ the factor is $|1 - \\eta\\lambda|$; at $\\eta = 2/(\\lambda_{{\\min}} +
\\lambda_{{\\max}}) = {tex(eta_best)}$ the two extremes give the same factor
$(\\kappa - 1)/(\\kappa + 1) = {tex(shrink)}$ with $\\kappa = \\lambda_{{\\max}}/\\lambda_{{\\min}} =
{tex(kappa)}$, and the middle eigenvalue a smaller one. A millionfold reduction takes
$\\lceil \\ln 10^{{-6}} / \\ln {tex(shrink)} \\rceil = {n_steps}$ steps. The factor depends only on
the ratio $\\kappa$, not on the size of the eigenvalues: a loss ten times larger has a Hessian ten
times larger, a best $\\eta$ ten times smaller, and needs the same {n_steps} steps.
""")

# %% [markdown]
# **3.** With $N = 150$ samples, how many updates per epoch does `fit` make with `batch_size=16`,
# and how large is the last batch? By what factor does the standard deviation of the mini-batch
# gradient fall when the batch grows from 10 to 40?

# %% tags=["hide-input"]
n_upd = int(np.ceil(150 / 16))
last = 150 - 16 * (n_upd - 1)
counter = bp.MLP([4, 8, 3], hidden="tanh", output="softmax", loss="cross_entropy", seed=0)
sizes_seen = []   # the batch sizes fit() uses: rows reaching the output activation, one call per batch
out_act = counter.activations[-1]


def counting(z):
    sizes_seen.append(len(z))
    return out_act.function(z)


counter.activations[-1] = dataclasses.replace(out_act, function=counting)
counter.fit(Xi, Yi, epochs=1, lr=0.1, batch_size=16)
# After its last update fit evaluates the loss once more on all N samples (so a blow-up in the last
# step is caught): that is the final call, not a batch.
assert sizes_seen == [16] * (n_upd - 1) + [last] + [150], sizes_seen
var = {b_: (N - b_) / (b_ * (N - 1)) for b_ in (10, 40)}
sd_ratio = float(np.sqrt(var[10] / var[40]))
assert n_upd == 10 and last == 6 and 2 < sd_ratio < 2.5
solution(f"""
$\\lceil 150/16 \\rceil = {n_upd}$ updates, the last on the remaining ${last}$ samples (the page
counted the batches `fit` made). The variance is proportional to $(N-B)/(B(N-1))$, so the standard
deviation falls by $\\sqrt{{{tex(var[10])}/{tex(var[40])}}} = {tex(sd_ratio)}$: a bit more than the
factor 2 of the $1/\\sqrt B$ rule, because 40 is already a noticeable part of 150.
""")
