# %% [markdown]
# # Loss functions
#
# Training needs one number that says how wrong the network is, and its derivative with respect to the
# network's output, which starts the backward pass. This chapter takes the library's three losses (half
# mean squared error, binary cross-entropy and categorical cross-entropy), derives their derivatives with
# SymPy, explains the choices behind them (the $\tfrac12$, the square), and shows the two pairings of an
# output activation with a loss whose output delta collapses to $\hat y - y$, and why the library computes
# those losses from the logits.
#
# Conventions, as everywhere in the book: a loss is summed over the output units and averaged over the
# $n$ samples of a batch,
#
# $$
# L = \frac1n \sum_{i=1}^{n} \sum_{k} \ell\bigl(\hat y_{ik}, y_{ik}\bigr),
# $$
#
# so the library's gradients $\partial L / \partial \hat y$ carry a factor $1/n$.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution

yhat, y = bs.elementary.yhat, bs.elementary.y  # the symbols the derivations use
H = 1e-6
fd_rows = []  # (what, library, finite difference, relative error)


def loss_fd(name, P, Y):
    """Centred differences of the library's loss value in every prediction, against its gradient."""
    loss = bp.LOSSES[name]
    fd = np.zeros_like(P)
    for idx in np.ndindex(P.shape):
        e = np.zeros_like(P)
        e[idx] = H
        fd[idx] = (loss.value(P + e, Y) - loss.value(P - e, Y)) / (2 * H)
    lib = loss.gradient(P, Y)
    return float(np.max(np.abs(fd - lib)) / np.max(np.abs(lib)))


rng = np.random.default_rng(0)
P_test = rng.uniform(0.1, 0.9, size=(4, 3))
Y_test = rng.uniform(0.0, 1.0, size=(4, 3))
Y_test /= Y_test.sum(axis=1, keepdims=True)

# %% [markdown]
# ## Mean squared error, and why the half
#
# For regression the library uses half the squared error. SymPy differentiates one entry's term:

# %% tags=["hide-input"]
d_mse = bs.derive_loss("mse")
d_mse.check()
display(d_mse)
full_sq = sp.diff((yhat - y) ** 2, yhat)
md(f"""
Without the $\\tfrac12$ the derivative would be ${sp.latex(sp.factor(full_sq))}$. The $\\tfrac12$ is there
only to cancel that 2, so the gradient of the loss with respect to a prediction is the plain error
$\\hat y - y$. It changes nothing that matters: $\\tfrac12 L$ and $L$ have the same minimum at the same
weights, and halving the gradient is the same as halving the learning rate. (One of the book's sources
uses the loss without the $\\tfrac12$ and its gradient $2(\\hat y - y)$; both are right, they differ by a
factor of 2 in every gradient.)
""")

# %% [markdown]
# ## Why squared rather than absolute error
#
# The absolute error $|\hat y - y|$ is a natural alternative. Its derivative is
# $\operatorname{sign}(\hat y - y)$: always $+1$ or $-1$, the same magnitude whether the prediction is off
# by a hair or by a mile, and undefined where the prediction is exact.

# %% tags=["hide-input"]
e = sp.Symbol("e", real=True)  # the error yhat - y
hs = sp.Symbol("h", positive=True)
abs_left = sp.limit((sp.Abs(-hs) - 0) / (-hs), hs, 0)
abs_right = sp.limit((sp.Abs(hs) - 0) / hs, hs, 0)
d_abs = sp.diff(sp.Abs(e), e)
md(f"""
SymPy gives $\\frac{{d}}{{de}}|e| = {sp.latex(d_abs)}$ for $e \\neq 0$; at $e = 0$ the one-sided derivatives are
${sp.latex(abs_left)}$ and ${sp.latex(abs_right)}$, so there is no derivative there. The squared error's
derivative $e$ is continuous and shrinks as the error shrinks:
""")
errors = [3.0, 0.5, 0.01, -0.01]
md_table(["error $\\hat y - y$", "gradient of $\\tfrac12 e^2$", "gradient of $|e|$"],
         [[f"{v:g}", float(bp.mse_grad(np.array([[v]]), np.array([[0.0]]))[0, 0]), float(np.sign(v))]
          for v in errors], fmt="{:g}")

# %% tags=["hide-input"]
ee = np.linspace(-2, 2, 401)


def draw_l1_l2(fig):
    ax1, ax2 = fig.subplots(1, 2, sharex=True)
    ax1.plot(ee, 0.5 * ee**2, label=r"$\frac{1}{2}e^2$")
    ax1.plot(ee, np.abs(ee), label=r"$|e|$", linestyle="--")
    ax1.set_title("loss")
    ax2.plot(ee, ee, label=r"$e$")
    neg, pos = ee < 0, ee > 0
    ax2.plot(ee[neg], -np.ones(neg.sum()), color="C1", linestyle="--", label=r"$\mathrm{sign}(e)$")
    ax2.plot(ee[pos], np.ones(pos.sum()), color="C1", linestyle="--")
    ax2.plot([0, 0], [-1, 1], "o", color="C1", mfc="none")  # no value at e = 0
    ax2.set_title("gradient")
    for ax in (ax1, ax2):
        ax.set_xlabel(r"error $e = \hat{y} - y$")
        ax.legend()


figure(draw_l1_l2, figsize=(6.4, 2.8),
       alt="Left: the half squared error, a parabola, and the absolute error, a V, against the error e from -2 to 2. "
       "Right: their gradients: the straight line e, and the sign of e, a step from -1 to +1 with a gap at e = 0.",
       caption="Squared and absolute error (left) and their gradients (right).")

# %% [markdown]
# The constant magnitude is a real handicap for gradient descent with a fixed learning rate: near the
# minimum the steps do not get smaller, so the iterate cannot settle. Below, one parameter $c$ is fitted to
# a single target by gradient descent on each loss.

# %% tags=["hide-input"]
target, c0, eta, n_steps = 0.3, 0.95, 0.1, 60
c_sq, c_abs = [c0], [c0]
for _ in range(n_steps):
    c_sq.append(c_sq[-1] - eta * (c_sq[-1] - target))
    c_abs.append(c_abs[-1] - eta * np.sign(c_abs[-1] - target))
tail_abs = np.abs(np.array(c_abs[-10:]) - target)
if tail_abs.max() - tail_abs.min() < 1e-9:
    tail_text = f"all ${tail_abs.max():.2f}$"
else:
    tail_text = f"${tail_abs.min():.2f}$ to ${tail_abs.max():.2f}$"
md(f"""
From $c = {c0:g}$ towards the target ${target:g}$ with learning rate ${eta:g}$: after {n_steps} steps the squared
error has brought $c$ to within ${sci(abs(c_sq[-1] - target))}$ of the target and keeps closing in (each step
removes a fraction ${eta:g}$ of the remaining error). The absolute error reaches the target's neighbourhood
in {int(np.ceil((c0 - target) / eta))} steps and then jumps back and forth across it forever: its last ten
iterates lie {tail_text} from the target, on alternating sides, because every step has length exactly
${eta:g}$. (Absolute error has its uses, it is less swayed by outliers, but it needs a shrinking learning
rate.)
""")

# %% [markdown]
# ## Binary cross-entropy
#
# A network that outputs one probability $\hat y \in (0, 1)$ that the label is 1 is scored by the negative
# log-likelihood of the observed labels, the binary cross-entropy. SymPy's derivative, and the library's
# formula for it:

# %% tags=["hide-input"]
d_bce = bs.derive_loss("bce")
d_bce.check()
display(d_bce)
wrong = 1e-6
md(f"""
The loss of one entry is $-\\log \\hat y$ if the label is 1 and $-\\log(1 - \\hat y)$ if it is 0: zero for a
confident correct prediction, unbounded for a confident wrong one, and so is its derivative. For a label
of 1 and a prediction of ${sci(wrong, 0)}$ the loss is ${bp.bce(np.array([[wrong]]), np.array([[1.0]])):.2f}$ and
$\\partial \\ell / \\partial \\hat y = {sci(bp.bce_grad(np.array([[wrong]]), np.array([[1.0]]))[0, 0], 0)}$.
""")

# %% [markdown]
# ## Cross-entropy
#
# With $k$ classes the network outputs a distribution $\hat y_{i1}, \dots, \hat y_{ik}$ (softmax) and the
# target row is a distribution too, usually one-hot. The loss of a sample is $-\sum_k y_{ik} \log \hat
# y_{ik}$, which for a one-hot target is minus the log of the probability given to the correct class:

# %% tags=["hide-input"]
d_ce = bs.derive_loss("cross_entropy")
d_ce.check()
display(d_ce)
p_correct = np.array([[0.7, 0.2, 0.1]])
onehot = np.array([[1.0, 0.0, 0.0]])
md(f"""
For example, a prediction $({", ".join(f"{v:g}" for v in p_correct[0])})$ for a sample of class 1 costs
$-\\log {p_correct[0, 0]:g} = {bp.cross_entropy(p_correct, onehot):.6f}$. With two classes and
$\\hat y_2 = 1 - \\hat y_1$ it is the binary cross-entropy again.
""")
for name in bp.LOSSES:
    err = loss_fd(name, P_test, Y_test)
    fd_rows.append([f"`{name}` gradient", "library vs centred differences", err])

# %% [markdown]
# ## The fused output deltas
#
# The backward pass starts from the output delta $\delta^{(L)} = \partial L / \partial z^{(L)}$, the
# derivative with respect to the *pre-activation* of the output layer. By the chain rule it is the loss's
# derivative times the output activation's, and for two pairings almost everything cancels. A sigmoid
# output with binary cross-entropy:

# %% tags=["hide-input"]
fused_sig = bs.derive_fused_delta("sigmoid", "bce")
fused_sig.check()
display(fused_sig)

# %% [markdown]
# A softmax output with cross-entropy (written for the first of $k = 3$ outputs; a target row sums to 1,
# which is used to eliminate $y_3$):

# %% tags=["hide-input"]
fused_soft = bs.derive_fused_delta("softmax", "cross_entropy")
fused_soft.check()
display(fused_soft)

# %% [markdown]
# In both cases $\delta^{(L)} = \hat y - y$ per sample (the library divides by $n$), and `check()` has
# compared it with the library's network deltas. The cancellation removes the activation's derivative
# from the output delta, and with it the saturation problem of the
# [activation functions](activation-functions.py) chapter: a sigmoid output that is confidently wrong
# still receives a large delta. With the squared error instead, the factor $\sigma'(z)$ stays in. The
# table compares the two for a label of 1, using one-unit networks whose logit is the input
# ($W = 1$, $b = 0$):

# %% tags=["hide-input"]
def one_unit(loss):
    net = bp.MLP([1, 1], output="sigmoid", loss=loss)
    net.params.update(W1=np.array([[1.0]]), b1=np.array([0.0]))
    return net


net_bce, net_mse = one_unit("bce"), one_unit("mse")
zs_cmp = [-10.0, -5.0, -2.0, 0.0, 2.0]
one = np.array([[1.0]])
cmp_rows = []
for zv in zs_cmp:
    Xz = np.array([[zv]])
    cmp_rows.append([f"{zv:g}", float(bp.sigmoid(np.array(zv))), net_mse.deltas(Xz, one)[1][0, 0],
                     net_bce.deltas(Xz, one)[1][0, 0]])
md_table(["logit $z$", "$\\hat y = \\sigma(z)$", "$\\delta$, sigmoid + MSE", "$\\delta$, sigmoid + BCE"], cmp_rows,
         fmt="{:.4g}")
ratio_m10 = cmp_rows[0][3] / cmp_rows[0][2]
md(f"""
At $z = -10$ the prediction is almost exactly wrong; cross-entropy's delta is ${cmp_rows[0][3]:.4f}$,
the squared error's is ${sci(cmp_rows[0][2], 2)}$, about {ratio_m10:,.0f} times smaller: a network trained with
it would barely move.
""")

# %% tags=["hide-input"]
# Fused deltas against finite differences of the network's own (from-logits) loss.
def delta_fd(net, Z, Y):
    fd = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        e = np.zeros_like(Z)
        e[idx] = H
        fd[idx] = (net.loss(Z + e, Y) - net.loss(Z - e, Y)) / (2 * H)
    lib = net.deltas(Z, Y)[-1]
    return float(np.max(np.abs(fd - lib)) / np.max(np.abs(lib)))


Zb = rng.normal(scale=2.0, size=(5, 1))
Yb = (rng.uniform(size=(5, 1)) > 0.5).astype(float)
fd_rows.append(["sigmoid + BCE delta", "library vs centred differences", delta_fd(net_bce, Zb, Yb)])
soft = bp.MLP([3, 3], output="softmax", loss="cross_entropy")
soft.params.update(W1=np.eye(3), b1=np.zeros(3))
Zs = rng.normal(scale=2.0, size=(5, 3))
Ys = bp.datasets.one_hot(rng.integers(0, 3, size=5), 3)
fd_rows.append(["softmax + CE delta", "library vs centred differences", delta_fd(soft, Zs, Ys)])

# %% [markdown]
# ## Why the library computes these losses from the logits
#
# Computing $\hat y = \sigma(z)$ first and then $-\log(1 - \hat y)$ fails for large logits, long before
# the true loss is large: in double precision $\sigma(z)$ rounds to exactly 1 once $z$ reaches a few dozen
# (the threshold is computed below), and then $\log(1 - 1) = -\infty$.
# The exact loss of a logit $z$ with label 0 is $\log(1 + e^{z})$, which for
# $z = 1000$ is $1000$ to all printed digits. Written in the logits, with $\log(1 + e^{z})$ evaluated
# stably (`np.logaddexp(0, z)`), the loss never overflows. The library does this whenever a network pairs
# sigmoid with BCE or softmax with cross-entropy. The naive route, with NumPy's overflow warnings
# silenced:

# %%
z_big = np.array([[1000.0]])
with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
    p_naive = 1 / (1 + np.exp(-z_big))                    # rounds to exactly 1.0
    bce_naive = -np.log(1 - p_naive)                      # label 0: -log(0) = inf
    grad_naive = (p_naive - 0) / (p_naive * (1 - p_naive))  # 1 / 0 = inf
    ez = np.exp(np.array([[1000.0, 0.0]]))                # softmax by its definition: [inf, 1]
    soft_naive = ez / ez.sum()                            # [inf / inf, 1 / inf] = [nan, 0]
    ce_naive = -np.log(soft_naive[0, 1])                  # label: class 2, -log(0) = inf
print(p_naive[0, 0], bce_naive[0, 0], grad_naive[0, 0], soft_naive[0], ce_naive)

# %% [markdown]
# and the library's:

# %%
print(bp.bce_from_logits(z_big, np.array([[0.0]])),
      bp.cross_entropy_from_logits(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]])))

# %% tags=["hide-input"]
net_big = one_unit("bce")
loss_big = net_big.loss(z_big, np.array([[0.0]]))
delta_big = net_big.deltas(z_big, np.array([[0.0]]))[1][0, 0]
threshold = next(zv for zv in np.arange(30.0, 50.0, 0.5) if bp.sigmoid(np.array(zv)) == 1.0)
md(f"""
A network whose output logit is $1000$ and whose label is 0 reports the loss ${loss_big:g}$ and the output
delta ${delta_big:g}$ ($\\hat y - y$): finite, exact, and the right size to correct the mistake. In the
library's sigmoid the first logit on a grid of step 0.5 for which $\\sigma(z)$ is exactly 1.0 is
$z = {threshold:g}$; from there on only the logit form keeps the loss.
""")

# %% [markdown]
# ## Checks
#
# `check()` of every derivation above has proved SymPy's derivative equal to the library's formula and
# compared values and gradients (to a tolerance far below any gradient check's). The table adds centred
# differences of the library's loss values against its gradients and deltas, normwise: largest
# absolute difference over largest gradient entry.

# %% tags=["hide-input"]
md(f"The centred differences use $h = {sci(H)}$.")
md_table(["quantity", "compared", "relative difference"], [[a, b, f"${sci(c)}$"] for a, b, c in fd_rows])
for what, _, err in fd_rows:
    assert err < 1e-7, (what, err)
# (check() of d_mse, d_bce, d_ce, fused_sig and fused_soft ran, and passed, where each was shown.)
assert sp.expand(full_sq - 2 * d_mse.derivative) == 0  # the 1/2 cancels the 2
assert np.allclose(bp.mse_grad(P_test, Y_test) * 2 * len(Y_test), 2 * (P_test - Y_test), rtol=1e-15, atol=0)
assert (abs_left, abs_right) == (-1, 1) and d_abs == sp.sign(e)
assert abs(c_sq[-1] - target) < 1e-2 and tail_abs.min() > 1e-3 and abs(tail_abs.max() - eta) < eta
assert all(abs(r[3] - (r[1] - 1.0)) < 1e-12 for r in cmp_rows)  # BCE delta = yhat - y
assert all(abs(r[2] - (r[1] - 1.0) * r[1] * (1 - r[1])) < 1e-15 for r in cmp_rows)  # MSE keeps sigma'
assert fused_sig.delta == [yhat - y]
assert not np.isfinite(bce_naive).all() and not np.isfinite(grad_naive).all()
assert np.isnan(soft_naive[0, 0]) and np.isinf(ce_naive)
assert bp.bce_from_logits(z_big, np.array([[0.0]])) == 1000.0
assert bp.cross_entropy_from_logits(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]])) == 1000.0
assert loss_big == 1000.0 and delta_big == 1.0
assert 35 <= threshold <= 38
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1.** Fit a single constant $c$ to targets $y_1, \dots, y_n$. Which $c$ minimises the half squared error,
# and does the $\tfrac12$ change it? Check with the targets $0, 1, 2, 3, 20$.

# %% tags=["hide-input"]
c = sp.Symbol("c")
ys = [0, 1, 2, 3, 20]
half = sum((c - v) ** 2 for v in ys) / 2
c_half = sp.solve(sp.diff(half, c), c)
c_full = sp.solve(sp.diff(2 * half, c), c)
assert c_half == c_full == [sp.Rational(sum(ys), len(ys))]
solution(f"""
$\\frac{{d}}{{dc}} \\tfrac12\\sum_i (c - y_i)^2 = \\sum_i (c - y_i) = 0$ gives $c = \\frac1n \\sum_i y_i$, the
mean; without the $\\tfrac12$ the derivative is doubled and has the same zero. For $0, 1, 2, 3, 20$ SymPy
finds $c = {sp.latex(c_half[0])} = {float(c_half[0]):g}$ both ways.
""")

# %% [markdown]
# **2.** For the same targets, which constant minimises the *absolute* error $\sum_i |c - y_i|$? Why does
# the outlier 20 matter less?

# %% tags=["hide-input"]
grid = np.linspace(-5, 25, 30001)
abs_loss = np.abs(grid[:, None] - np.array(ys)[None, :]).sum(axis=1)
c_abs_best = float(grid[np.argmin(abs_loss)])
assert abs(c_abs_best - float(np.median(ys))) < 1e-9, c_abs_best
solution(f"""
The derivative $\\sum_i \\operatorname{{sign}}(c - y_i)$ counts targets below $c$ minus targets above it; it
changes sign where half the targets lie on each side, at the median. A fine grid puts the minimum at
$c = {c_abs_best:g}$, the median of the five targets (the mean is {float(np.mean(ys)):g}). The outlier
contributes $-1$ to the derivative whether it is 20 or 20,000; under the squared error it pulls with a
force proportional to its distance.
""")

# %% [markdown]
# **3.** A sigmoid output has logit $z = -4$ and label $y = 1$. Compute its output delta under binary
# cross-entropy and under the half squared error. What is their ratio?

# %% tags=["hide-input"]
X4 = np.array([[-4.0]])
d4_bce = net_bce.deltas(X4, one)[1][0, 0]
d4_mse = net_mse.deltas(X4, one)[1][0, 0]
s4 = float(bp.sigmoid(np.array(-4.0)))
assert abs(d4_bce - (s4 - 1)) < 1e-15 and abs(d4_mse - (s4 - 1) * s4 * (1 - s4)) < 1e-15
assert abs(d4_bce / d4_mse - 1 / (s4 * (1 - s4))) < 1e-9
solution(f"""
$\\hat y = \\sigma(-4) = {s4:.6f}$. Cross-entropy: $\\delta = \\hat y - y = {d4_bce:.6f}$. Squared error:
$\\delta = (\\hat y - y)\\,\\sigma'(z) = (\\hat y - y)\\,\\hat y (1 - \\hat y) = {d4_mse:.6f}$. The ratio is
$1/\\sigma'(-4) = {d4_bce / d4_mse:.2f}$: the factor that the fused pair cancels (both numbers are the
library's `deltas`).
""")
