# %% [markdown]
# # Loss functions
#
# Training needs one number that says how wrong the network is, and its derivative with respect to the
# network's output, which starts the backward pass. This chapter takes the library's three losses (the half
# mean squared error, binary cross-entropy and categorical cross-entropy), derives their derivatives with
# SymPy, explains the choices behind them (the $\tfrac12$, the square), reads each of them as the negative
# log-likelihood of a probability distribution, shows the two pairings of an output activation with a loss
# whose output delta reduces to $(\hat y - y)/N$, measures how much slower a sigmoid output learns under the
# squared error, and measures why the library computes those two losses from the logits.
#
# Conventions, as everywhere in the book (see the [notation table](symbols.py)): a loss is
# summed over the output units and averaged over the $N$ samples of a batch,
#
# $$
# \mathcal{L} = \frac1N \sum_{i=1}^{N} \sum_{k=1}^{n_L} \ell\bigl(\hat y_{ik}, y_{ik}\bigr),
# $$
#
# where $\ell$ is the loss of one entry, so the library's gradients $\partial \mathcal{L} / \partial \hat Y$
# carry a factor $1/N$.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import Math, display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex

yhat, y = bs.elementary.yhat, bs.elementary.y  # the symbols the derivations use
EPS = float(np.finfo(np.float64).eps)  # machine epsilon of float64, 2^-52
H = 1e-6
FD_TOL = 1e-7  # float64 centred differences at h = 1e-6 on losses of size ~1: rounding ~1e-10 relative
fd_rows = []  # (what, normwise relative difference from centred differences)


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


def show_loss(d):
    """The derivation of one entry's loss, in the book's symbols."""
    lines = [rf"\ell(\hat y, y) &= {sp.latex(d.entry)}",
             rf"\partial \ell / \partial \hat y &= {sp.latex(d.derivative, fold_short_frac=True)}"]
    if d.derivative != d.formula:
        lines.append(rf"&= {sp.latex(d.formula, fold_short_frac=True)}")
    display(Math(r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"))


rng = np.random.default_rng(0)
P_test = rng.uniform(0.1, 0.9, size=(4, 3))
Y_test = rng.uniform(0.0, 1.0, size=(4, 3))
Y_test /= Y_test.sum(axis=1, keepdims=True)

# %% [markdown]
# ## The half mean squared error, and why the half
#
# For regression the library's loss `mse` is the *half* mean squared error,
# $\ell(\hat y, y) = \tfrac12 (\hat y - y)^2$: wherever the book says MSE it means this halved loss. (A
# root mean square error, RMSE, where the book quotes one, is not halved: $\sqrt{\frac{1}{N}\sum_i (\hat y_i - y_i)^2}$,
# which for one output is $\sqrt{2\mathcal{L}}$.) SymPy differentiates one entry's term:

# %% tags=["hide-input"]
d_mse = bs.derive_loss("mse")
d_mse.check()
show_loss(d_mse)
full_sq = sp.diff((yhat - y) ** 2, yhat)
assert sp.expand(full_sq - 2 * d_mse.derivative) == 0 == sp.expand(full_sq - 2 * (yhat - y))  # 1/2 cancels 2
rmse_pred, rmse_target = rng.normal(size=(7, 1)), rng.normal(size=(7, 1))
rmse = float(np.sqrt(np.mean((rmse_pred - rmse_target) ** 2)))
assert abs(rmse - np.sqrt(2 * bp.mse(rmse_pred, rmse_target))) < 1e-15

# %% [markdown]
# Without the $\tfrac12$ the derivative would be $2(\hat y - y)$. The $\tfrac12$ is there
# only to cancel that 2, so the gradient of the loss with respect to a prediction is the plain error
# $\hat y - y$ (divided by $N$). It moves no minimum: $\tfrac12 \mathcal{L}$ and $\mathcal{L}$ are
# smallest at the same weights, and halving the gradient is the same as halving the learning rate. (One of
# the book's sources uses the loss without the $\tfrac12$ and its gradient $2(\hat y - y)$; both are right,
# and they differ by a factor of 2 in every gradient.)

# %% [markdown]
# ## Why squared rather than absolute error
#
# The absolute error $|\hat y - y|$ is a natural alternative. Its derivative with respect to the prediction
# is the sign of the error, $+1$ or $-1$: the same magnitude whether the prediction is off by a hair or
# by a mile, and undefined where the prediction is exact.

# %% tags=["hide-input"]
yh_r, y_r = sp.symbols(r"\hat{y} y", real=True)
t = sp.Symbol("t", positive=True)  # a step away from yhat = y, to either side
abs_left = sp.limit((sp.Abs(-t) - 0) / (-t), t, 0)
abs_right = sp.limit((sp.Abs(t) - 0) / t, t, 0)
d_abs = sp.diff(sp.Abs(yh_r - y_r), yh_r)
assert (abs_left, abs_right) == (-1, 1) and d_abs == sp.sign(yh_r - y_r)
md(f"""
SymPy gives $\\partial |\\hat y - y| / \\partial \\hat y = {sp.latex(d_abs)}$ for $\\hat y \\neq y$; at
$\\hat y = y$ the
one-sided derivatives are {sp.latex(abs_left)} and {sp.latex(abs_right)}, so there is no derivative there. The
squared error's derivative $\\hat y - y$ is continuous and shrinks with the error:
""")
errors = [3.0, 0.5, 0.01, -0.01]
sq_grads = [float(bp.mse_grad(np.array([[v]]), np.array([[0.0]]))[0, 0]) for v in errors]
assert sq_grads == errors  # one sample: d/dyhat of (1/2)(yhat - 0)^2 is the error itself
md_table(["error $\\hat y - y$", "gradient of $\\tfrac12 (\\hat y - y)^2$", "gradient of $\\vert \\hat y - y\\vert$"],
         [[v, g, float(np.sign(v))] for v, g in zip(errors, sq_grads, strict=True)], fmt=2)

# %% tags=["hide-input"]
ee = np.linspace(-2, 2, 401)


def draw_l1_l2(fig):
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(ee, 0.5 * ee**2, label=r"$\frac{1}{2}(\hat{y} - y)^2$")
    ax1.plot(ee, np.abs(ee), label=r"$|\hat{y} - y|$", linestyle="--")
    ax1.set_ylabel("loss")
    ax1.legend(loc="upper center", ncols=2, frameon=False)
    ax1.set_ylim(0, 2.9)
    ax2.plot(ee, ee, label=r"$\hat{y} - y$")
    neg, pos = ee < 0, ee > 0
    ax2.plot(ee[neg], -np.ones(neg.sum()), color="C1", linestyle="--", label=r"$\mathrm{sign}(\hat{y} - y)$")
    ax2.plot(ee[pos], np.ones(pos.sum()), color="C1", linestyle="--")
    ax2.plot([0, 0], [-1, 1], "o", color="C1", mfc="none")  # no value where the error is 0
    ax2.set_ylabel("gradient")
    ax2.set_ylim(-2.2, 3.2)
    ax2.legend(loc="upper left", ncols=2, frameon=False)
    ax2.set_xlabel(r"error $\hat{y} - y$")


figure(draw_l1_l2, figsize=(5.0, 4.6),
       alt=f"Top: the half squared error, a parabola, and the absolute error, a V, against the error ŷ − y from "
       f"{num(ee[0], 2, True)} to {num(ee[-1], 2, True)}. "
       "Bottom: their gradients: the straight line ŷ − y, and the sign of the error, a step from −1 to +1 with a "
       "gap where the error is 0.",
       caption=r"Squared and absolute error (top) and their gradients (bottom).")

# %% [markdown]
# The constant magnitude is a real handicap for gradient descent with a fixed learning rate: near the
# minimum the steps do not get smaller. Below, one parameter $c$ is fitted to a single target by gradient
# descent on each loss.

# %% tags=["hide-input"]
target, c0, eta, n_steps = 0.3, 0.95, 0.1, 60
c_sq, c_abs = [c0], [c0]
for _ in range(n_steps):
    c_sq.append(c_sq[-1] - eta * (c_sq[-1] - target))
    c_abs.append(c_abs[-1] - eta * np.sign(c_abs[-1] - target))
err_sq = np.array(c_sq) - target
err_abs = np.array(c_abs) - target
# Squared error: each step removes the fraction eta of the remaining error.
assert np.allclose(err_sq, (c0 - target) * (1 - eta) ** np.arange(n_steps + 1), rtol=1e-12, atol=0)
# Absolute error: steps of exactly eta until it first crosses the target, then a 2-cycle d, d - eta, d, ...
cross = int(np.argmax(np.sign(err_abs) != np.sign(err_abs[0])))
tail = err_abs[cross - 1:]
assert np.all(np.abs(np.diff(np.array(c_abs[:cross]))) - eta < 1e-15)
assert np.all(np.sign(tail[1:]) != np.sign(tail[:-1]))               # alternating sides
assert np.allclose(tail[2:], tail[:-2], rtol=0, atol=1e-12)             # period 2
assert np.all(np.abs(tail) > 0.4 * eta)                                  # never settles
d_below, d_above = sorted(np.abs(err_abs[-2:]))
gap_text = (f"{num(d_below, 2, trim=True)} from the target on either side" if abs(d_above - d_below) < 1e-9
            else f"{num(d_below, 2, trim=True)} and {num(d_above, 2, trim=True)} from the target")
md(f"""
From $c = {tex(c0)}$ towards the target {num(target, trim=True)} with learning rate $\\eta = {tex(eta)}$: on the squared
error each step removes the fraction $\\eta$ of the remaining error, so after {n_steps} steps $c$ is within
{num(abs(err_sq[-1]), 2, trim=True)} of the target and still closing in. On the absolute error every step has
length exactly $\\eta$: $c$ crosses the target at step {cross} and from then on alternates between
{num(min(c_abs[-2:]), 3, trim=True)} and {num(max(c_abs[-2:]), 3, trim=True)}, {gap_text}, for ever (a step of
$\\eta$ from
either point lands on the other). The absolute error is
less swayed by outliers (exercise 2), but gradient descent on it settles only if the learning rate shrinks.
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
show_loss(d_bce)
wrong = 1e-6
bce_wrong = bp.bce(np.array([[wrong]]), np.array([[1.0]]))
grad_wrong = float(bp.bce_grad(np.array([[wrong]]), np.array([[1.0]]))[0, 0])
assert abs(bce_wrong + np.log(wrong)) < 1e-12 and abs(grad_wrong + 1 / wrong) < 1e-6 / wrong
grad_right = float(bp.bce_grad(np.array([[1 - wrong]]), np.array([[1.0]]))[0, 0])  # confident and correct
assert abs(grad_right + 1) < 2 * wrong, grad_right  # -1/yhat: size 1, not 0
md(f"""
The loss of one entry is $-\\log \\hat y$ if the label is 1 and $-\\log(1 - \\hat y)$ if it is 0: it tends to 0
for a confident correct prediction and grows without bound for a confident wrong one. The size of its
derivative, $1/\\hat y$ or $1/(1 - \\hat y)$, grows without bound with it, and tends to 1, not 0, for a confident
correct prediction. For a label of 1 and a prediction of {num(wrong, trim=True)} the loss is
{num(bce_wrong, trim=True)} and
$\\partial \\ell / \\partial \\hat y = {tex(grad_wrong)}$.
""")

# %% [markdown]
# ## Cross-entropy
#
# With $n_L$ classes the network outputs a distribution $\hat y_{i1}, \dots, \hat y_{i n_L}$ (softmax) and
# the target row is a distribution too, usually one-hot. The loss of a sample is
# $-\sum_{k} y_{ik} \log \hat y_{ik}$, so the loss of one entry is $\ell(\hat y, y) = -y \log \hat y$; for a
# one-hot target the sample's loss is minus the log of the probability given to the correct class:

# %% tags=["hide-input"]
d_ce = bs.derive_loss("cross_entropy")
d_ce.check()
show_loss(d_ce)
p_correct = np.array([[0.7, 0.2, 0.1]])
onehot = np.array([[1.0, 0.0, 0.0]])
ce_example = bp.cross_entropy(p_correct, onehot)
assert abs(ce_example + np.log(p_correct[0, 0])) < 1e-15
# Two classes with yhat_2 = 1 - yhat_1: the binary cross-entropy of yhat_1.
p2 = rng.uniform(0.05, 0.95, size=(6, 1))
y2 = rng.uniform(size=(6, 1))
two_class_gap = abs(bp.cross_entropy(np.hstack([p2, 1 - p2]), np.hstack([y2, 1 - y2])) - bp.bce(p2, y2))
assert two_class_gap < 1e-14, two_class_gap
md(f"""
For example, a prediction $({", ".join(tex(v) for v in p_correct[0])})$ for a sample of class 1 costs
$-\\log {tex(p_correct[0, 0])} = {tex(ce_example, 6)}$. With two classes and $\\hat y_2 = 1 - \\hat y_1$
(and $y_2 = 1 - y_1$) it is the binary cross-entropy of $\\hat y_1$ again (on six random samples the
library's two losses {"are equal" if two_class_gap == 0 else f"differ by {num(two_class_gap, 1, trim=True)}"}).
""")
for name in bp.LOSSES:
    fd_rows.append([f"`{name}` gradient", loss_fd(name, P_test, Y_test)])

# %% [markdown]
# ## Each loss is a negative log-likelihood
#
# The three losses are not arbitrary. Read the network's output $\hat y$ as the parameter of a probability
# distribution for the target, and write $\Pr(y \mid \hat y)$ for the probability (for a continuous target,
# the probability density) that this distribution gives the observed target. Each loss is then
# $-\log \Pr(y \mid \hat y)$ for one distribution (for the Gaussian, up to a factor and a constant):
#
# - **Regression**: the target is the prediction plus Gaussian noise of mean 0 and a fixed standard
#   deviation $s$, so $\Pr(y \mid \hat y) = \frac{1}{\sqrt{2\pi}\,s} \exp\bigl(-(y - \hat y)^2 / 2s^2\bigr)$.
# - **Two classes**: a label $y \in \{0, 1\}$ is a coin flip that comes up 1 with probability $\hat y$
#   (a Bernoulli distribution), $\Pr(y \mid \hat y) = \hat y^{\,y} (1 - \hat y)^{1 - y}$: $\hat y$ for $y = 1$
#   and $1 - \hat y$ for $y = 0$.
# - **$n_L$ classes**: a one-hot target row is drawn from the categorical distribution with the
#   probabilities $\hat y_1, \dots, \hat y_{n_L}$, $\Pr(y \mid \hat y) = \prod_k \hat y_k^{\,y_k}$, which is
#   $\hat y_k$ when the sample is of class $k$.
#
# SymPy takes minus the logarithm of each, $-\log \Pr(y \mid \hat y)$ (for $n_L = 3$ classes):

# %% tags=["hide-input"]
from statistics import NormalDist  # the Python standard library's Gaussian: an independent density

tau = sp.Symbol("s", positive=True)  # the noise level s (tau in code)
gauss = sp.exp(-((y - yhat) ** 2) / (2 * tau**2)) / (sp.sqrt(2 * sp.pi) * tau)
bern = yhat**y * (1 - yhat) ** (1 - y)
yh3, y3 = sp.symbols("yhat_1:4"), sp.symbols("y_1:4")
categorical = sp.Mul(*[p**t for p, t in zip(yh3, y3, strict=True)])
nll = {name: sp.expand_log(-sp.log(dist), force=True)
       for name, dist in (("gauss", gauss), ("bern", bern), ("cat", categorical))}
ce_sum = sum(d_ce.entry.subs({yhat: p, y: t}, simultaneous=True) for p, t in zip(yh3, y3, strict=True))
const = sp.log(tau) + sp.log(2 * sp.pi) / 2
# The three claims: minus the log is the library's loss of one entry (one sample for cross-entropy), up to
# the factor 1/tau^2 and a constant for the Gaussian.
assert sp.expand(nll["gauss"] - (d_mse.entry / tau**2 + const)) == 0
assert sp.expand(nll["bern"] - d_bce.entry) == 0
assert sp.expand(nll["cat"] - ce_sum) == 0
# The distributions are the ones the prose names: the Bernoulli gives yhat and 1 - yhat, the categorical
# gives the probability of the one class of a one-hot row, and the Gaussian is Python's own NormalDist.
assert bern.subs(y, 1) == yhat and bern.subs(y, 0) == 1 - yhat
assert [categorical.subs(dict(zip(y3, row, strict=True))) for row in ((1, 0, 0), (0, 1, 0), (0, 0, 1))] == list(yh3)
gauss_f = sp.lambdify((y, yhat, tau), gauss, "math")
assert all(abs(gauss_f(t, m, sd) / NormalDist(m, sd).pdf(t) - 1) < 1e-14
           for t, m, sd in ((0.3, -0.2, 1.0), (2.0, 1.5, 0.3), (-1.0, 0.0, 2.5)))
display(Math(  # -log Pr(y | yhat) for each distribution, SymPy's expansion and the library's loss it is
    r"\begin{aligned}"
    rf"\text{{Gaussian:}}&\quad \ell_{{\text{{half SE}}}}(\hat y, y)/s^2 + {sp.latex(const)} \\"
    rf"\text{{Bernoulli:}}&\quad {sp.latex(nll['bern'])} = \ell_{{\text{{BCE}}}}(\hat y, y) \\"
    rf"\text{{categorical:}}&\quad {sp.latex(nll['cat'])} = \textstyle\sum_k \ell_{{\text{{CE}}}}(\hat y_k, y_k)"
    r"\end{aligned}"))

# %% [markdown]
# If the samples are independent, and so are the outputs of one sample (for the Gaussian and the Bernoulli
# readings; the categorical one reads a whole row as one draw), the probability of
# the whole batch is the product of these probabilities, its $-\log$ is the sum of the terms above, and
# dividing by $N$ gives the mean. So $-\frac1N \log \prod_{i=1}^{N} \Pr(y_i \mid \hat y_i)$ is
# $\mathcal{L}/s^2 + n_L\bigl(\log s + \tfrac12 \log 2\pi\bigr)$ for the half squared error and
# $\mathcal{L}$ itself for binary cross-entropy and cross-entropy, where $\mathcal{L}$ is the library's loss.
# The constant does not depend on the weights, and dividing by
# the fixed $s^2$ moves no minimum (like the $\tfrac12$), so the weights that minimise $\mathcal{L}$ are
# the ones that make the observed targets most probable: training minimises the loss, and in doing so
# finds the *maximum-likelihood* weights. The reading also says which output activation each loss wants:
# the mean of a Gaussian may be any real number (identity), a Bernoulli probability lies in $(0, 1)$
# (sigmoid), categorical probabilities are positive and sum to 1 (softmax). These are the library's default
# pairings, and with each of them the output delta is $(\hat Y - Y)/N$: trivially for the identity, and by
# the cancellation of the next section for the other two.

# %% tags=["hide-input"]
rng_lik = np.random.default_rng(7)
lik_errors = []  # relative differences, library loss vs -log-likelihood computed independently
Yhat_r, Y_r = rng_lik.normal(size=(6, 2)), rng_lik.normal(size=(6, 2))
for tau_v in (1.0, 0.3):
    nll_batch = -sum(np.log(NormalDist(m, tau_v).pdf(t)) for m, t in zip(Yhat_r.ravel(), Y_r.ravel(), strict=True))
    nll_batch /= len(Y_r)
    from_loss = bp.mse(Yhat_r, Y_r) / tau_v**2 + Y_r.shape[1] * (np.log(tau_v) + 0.5 * np.log(2 * np.pi))
    lik_errors.append(abs(nll_batch - from_loss) / abs(nll_batch))
P_b, labels_b = rng_lik.uniform(0.05, 0.95, size=(8, 1)), rng_lik.integers(0, 2, size=(8, 1)).astype(float)
nll_bern = -np.mean(np.log(np.where(labels_b == 1, P_b, 1 - P_b)))  # the probability of each observed label
lik_errors.append(abs(nll_bern - bp.bce(P_b, labels_b)) / nll_bern)
P_c = rng_lik.dirichlet(np.ones(4), size=8)
classes = rng_lik.integers(0, 4, size=8)
nll_cat = -np.mean(np.log(P_c[np.arange(8), classes]))  # the probability of each sample's class
lik_errors.append(abs(nll_cat - bp.cross_entropy(P_c, bp.datasets.one_hot(classes, 4))) / nll_cat)
assert max(lik_errors) < 1e-13, lik_errors  # sums of a dozen logs: a few ulps each
pairing = {name: bp.MLP([2, 3], loss=name).activations[-1].name for name in ("mse", "bce", "cross_entropy")}
assert pairing == {"mse": "identity", "bce": "sigmoid", "cross_entropy": "softmax"}, pairing
reg = bp.MLP([2, 3], loss="mse", seed=0)
X_r = rng_lik.normal(size=(5, 2))
Y_reg = rng_lik.normal(size=(5, 3))
assert np.allclose(reg.deltas(X_r, Y_reg)[1], (reg.predict(X_r) - Y_reg) / len(X_r), rtol=1e-15, atol=1e-17)

# The noise level: minimising the batch's Gaussian -log-likelihood over tau as well (the text's formula times N).
loss_s, N_s, nL_s = sp.symbols(r"\mathcal{L} N n_L", positive=True)
batch_nll = N_s * loss_s / tau**2 + N_s * nL_s * (sp.log(tau) + sp.log(2 * sp.pi) / 2)
tau_hat = sp.solve(sp.diff(batch_nll, tau), tau)
assert len(tau_hat) == 1 and bs.is_zero(tau_hat[0] - sp.sqrt(2 * loss_s / nL_s)), tau_hat
assert sp.diff(batch_nll, tau, 2).subs(tau, tau_hat[0]).is_positive  # a minimum
fit_net = bp.MLP([1, 6, 1], hidden="tanh", loss="mse", seed=1)
X_n = np.linspace(-2, 2, 40)[:, None]
Y_n = np.sin(X_n) + 0.2 * rng_lik.normal(size=X_n.shape)
fit_net.fit(X_n, Y_n, epochs=2000, lr=0.2)
loss_n = fit_net.loss(X_n, Y_n)
tau_fit = float(np.sqrt(2 * loss_n))  # sqrt(S / N) with S = 2 N L for one output


def gauss_nll(t):
    return -np.mean([np.log(NormalDist(m, t).pdf(v)) for m, v in zip(fit_net.predict(X_n).ravel(), Y_n.ravel(),
                                                                      strict=True)])


assert gauss_nll(tau_fit) < min(gauss_nll(0.99 * tau_fit), gauss_nll(1.01 * tau_fit))
assert abs(tau_fit / 0.2 - 1) < 0.25, tau_fit  # set beside the noise's 0.2 in the text: not far from it
md(f"""
On random batches the library's `mse` (with $s = 1$ and $s = {tex(0.3)}$, two outputs), `bce` and
`cross_entropy` match minus the mean log-probability computed independently (Python's own `NormalDist`
density, and the probability of each observed label or class looked up directly), with relative differences
of at most {num(max(lik_errors), 1, trim=True)}.

Minimising over $s$ as well estimates the noise: SymPy sets the derivative of the batch's
$-\\log$-likelihood in $s$ to 0 and finds one solution, a minimum,
$s = \\sqrt{{2\\mathcal{{L}}/n_L}}$, the root mean square error of the $N n_L$ entries. For
a 1-6-1 tanh network fitted to {len(X_n)} noisy samples of $\\sin x$ (noise of standard deviation
{num(0.2, trim=True)}) that is {num(tau_fit, 3, trim=True)}, and the likelihood is lower with $s$ 1 % above or below it.
""")

# %% [markdown]
# ## The fused output deltas
#
# The backward pass starts from the output delta $\delta^{(L)} = \partial \mathcal{L} / \partial Z^{(L)}$,
# the derivative with respect to the *pre-activations* of the output layer. By the chain rule it is the
# loss's derivative times the output activation's, and for two pairings almost everything cancels. Per
# sample, before the $1/N$, a sigmoid output with binary cross-entropy:

# %% tags=["hide-input"]
fused_sig = bs.derive_fused_delta("sigmoid", "bce")
fused_sig.check()
display(Math(
    r"\begin{aligned}\partial \ell / \partial z &= (\partial \ell / \partial \hat y)\,(d \hat y / d z)"
    rf" \\ &= \left({sp.latex(fused_sig.dL_dyhat[0], fold_short_frac=True)}\right) {sp.latex(fused_sig.dyhat_dz[0, 0])}"
    rf" \\ &= {sp.latex(fused_sig.delta[0])}\end{{aligned}}"))
assert fused_sig.delta == [yhat - y]

# %% [markdown]
# A softmax output with cross-entropy, for the first of $n_L = 3$ outputs (a target row sums to 1, which
# eliminates $y_3$):

# %% tags=["hide-input"]
fused_soft = bs.derive_fused_delta("softmax", "cross_entropy")
fused_soft.check()
n_out = len(fused_soft.zs)
terms = [rf"\bigl({sp.latex(fused_soft.dL_dyhat[k], fold_short_frac=True)}\bigr)"
         rf"\bigl({sp.latex(fused_soft.dyhat_dz[k, 0])}\bigr)" for k in range(n_out)]
display(Math(  # each term is (d ell / d yhat_k)(d yhat_k / d z_1), the chain rule's one term per output
    r"\begin{aligned}\partial \bigl(\textstyle\sum_{k=1}^{3} \ell(\hat y_k, y_k)\bigr) \big/ \partial z_1 "
    + r" \\ &\quad + ".join([f"&= {terms[0]}"] + terms[1:])
    + rf" \\ &= {sp.latex(fused_soft.delta[0])} \end{{aligned}}"))
assert fused_soft.delta == [yh - yy for yh, yy in zip(fused_soft.yhats, fused_soft.ys, strict=True)]

# %% [markdown]
# In both cases $\delta^{(L)} = (\hat Y - Y)/N$, and `check()` has compared it with the library's network
# deltas. The cancellation removes the activation's derivative from the output delta, and with it the
# saturation problem of the [activation functions](activation-functions.py) chapter: a sigmoid output that
# is confidently wrong still receives a large delta. With the half squared error instead, the factor
# $\sigma'(z)$ stays in: $\delta = (\hat y - y)\,\sigma'(z)/N$. The table compares the two for a label of 1 and
# one sample, using one-unit networks whose logit is the input ($W = 1$, $b = 0$):

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
    cmp_rows.append([num(zv, 2), float(bp.sigmoid(np.array(zv))), float(net_mse.deltas(Xz, one)[1][0, 0]),
                     float(net_bce.deltas(Xz, one)[1][0, 0])])
md_table(["logit $z$", "$\\hat y = \\sigma(z)$", "$\\delta$, sigmoid + half SE", "$\\delta$, sigmoid + BCE"],
         cmp_rows, fmt=4, align="rrrr")
assert all(abs(r[3] - (r[1] - 1.0)) < 1e-12 for r in cmp_rows)  # BCE delta = yhat - y
assert all(abs(r[2] - (r[1] - 1.0) * r[1] * (1 - r[1])) < 1e-15 for r in cmp_rows)  # half SE keeps sigma'
ratio_m10 = cmp_rows[0][3] / cmp_rows[0][2]
X10 = np.array([[zs_cmp[0]]])
g_bce, g_mse = net_bce.gradients(X10, one), net_mse.gradients(X10, one)
assert all(abs(g_bce[k].item() / g_mse[k].item() - ratio_m10) < 1e-9 * ratio_m10 for k in g_bce)  # W and b alike
assert abs(ratio_m10 - 1 / float(bp.sigmoid_grad(np.array(-10.0)))) < 1e-9 * ratio_m10
md(f"""
At $z = {tex(zs_cmp[0])}$ the prediction is almost exactly wrong; cross-entropy's delta is
{num(cmp_rows[0][3], trim=True)}, the squared error's {num(cmp_rows[0][2], 3, trim=True)}, {num(ratio_m10, 3)}
times smaller
($1/\\sigma'(z)$). Every gradient of the parameters that feed this unit is that delta times an input, so
each gradient step under the squared error is that many times smaller too.
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
fd_rows.append(["sigmoid + BCE delta", delta_fd(net_bce, Zb, Yb)])
soft = bp.MLP([3, 3], output="softmax", loss="cross_entropy")
soft.params.update(W1=np.eye(3), b1=np.zeros(3))
Zs = rng.normal(scale=2.0, size=(5, 3))
Ys = bp.datasets.one_hot(rng.integers(0, 3, size=5), 3)
fd_rows.append(["softmax + CE delta", delta_fd(soft, Zs, Ys)])

# %% [markdown]
# ## The learning slowdown of a sigmoid output under the squared error
#
# How much slower does the factor $\sigma'(z)$ make training? Take one sigmoid unit, $\hat y = \sigma(w x + b)$,
# with the input $x = 1$ and the target $y = 0$, and start it badly wrong: $w = b = z_0/2$, so that
# $z = z_0$ and $\hat y = \sigma(z_0)$ is close to 1. The code below runs gradient descent with
# $\eta = 0.5$ on each loss until the prediction is on the right side, $\hat y < 0.5$, and counts the
# epochs (one sample, so one update per epoch):

# %%
import numpy as np

import backprop as bp


def sigmoid_unit(loss, z0):
    """One sigmoid unit z = w x + b, w = b = z0 / 2: z = z0 at x = 1."""
    net = bp.MLP([1, 1], output="sigmoid", loss=loss)
    net.params.update(W1=np.array([[z0 / 2]]), b1=np.array([z0 / 2]))
    return net


def epochs_to_half(loss, z0, lr=0.5):
    """Steps of gradient descent until yhat < 0.5 on the sample x = 1, y = 0."""
    net, x1, y0 = sigmoid_unit(loss, z0), np.array([[1.0]]), np.array([[0.0]])
    epochs = 0
    while net.predict(x1)[0, 0] >= 0.5:
        _, grads = net.value_and_grad(x1, y0)
        for key in net.params:
            net.params[key] -= lr * grads[key]
        epochs += 1
    return epochs


starts = [2.0, 4.0, 6.0, 8.0]
slow = {loss: [epochs_to_half(loss, z0) for z0 in starts]
        for loss in ("mse", "bce")}
print(slow)

# %% [markdown]
# The squared error needs many times more epochs, and the gap widens fast as the start gets worse. The
# reason is in the deltas. With $x = 1$ and one sample, $w$ and $b$ both move by $-\eta\,\delta$, so $z$
# moves by $-2\eta\,\delta$ per epoch, where $\delta = \partial \mathcal{L}/\partial z$ is
# $\hat y\, \sigma'(z) = \sigma(z)^2 (1 - \sigma(z))$ for the half squared error and $\hat y = \sigma(z)$ for
# binary cross-entropy. Treating the small steps as a continuous flow, $dz/dt = -2\eta\,\delta(z)$, the
# number of epochs from $z_0$ down to $0$ is $\int_0^{z_0} dz \,/\, 2\eta\,\delta(z)$. SymPy derives the two
# deltas from the losses and integrates:

# %% tags=["hide-input"]
zs_ = sp.Symbol("z", real=True)
sig_z = 1 / (1 + sp.exp(-zs_))
delta_of = {"mse": sp.diff(sig_z**2 / 2, zs_), "bce": sp.diff(-sp.log(1 - sig_z), zs_)}  # y = 0, x = 1, N = 1
assert bs.is_zero(delta_of["mse"] - sig_z**2 * (1 - sig_z)) and bs.is_zero(delta_of["bce"] - sig_z)
# 1/delta in powers of e^{-z}: (1 + e^{-z})^3 e^{z} and 1 + e^{-z}; integrate those.
inverse = {"mse": sp.expand((1 + sp.exp(-zs_)) ** 3 * sp.exp(zs_)), "bce": 1 + sp.exp(-zs_)}
antider = {}
for loss, inv in inverse.items():
    assert bs.is_zero(inv - 1 / delta_of[loss])
    antider[loss] = sp.integrate(inv, zs_)
    assert bs.is_zero(sp.diff(antider[loss], zs_) - 1 / delta_of[loss])
display(Math(  # the deltas as written are the ones asserted above
    r"\begin{aligned}"
    r"\delta_{\text{half SE}} &= \sigma(z)^2\bigl(1 - \sigma(z)\bigr), \\"
    rf"\int \frac{{dz}}{{\delta_{{\text{{half SE}}}}}} &= {sp.latex(antider['mse'])}, \\"
    r"\delta_{\text{BCE}} &= \sigma(z), \\"
    rf"\int \frac{{dz}}{{\delta_{{\text{{BCE}}}}}} &= {sp.latex(antider['bce'])}"
    r"\end{aligned}"))
eta_slow = 0.5
predicted = {loss: [float((F.subs(zs_, z0) - F.subs(zs_, 0)) / (2 * eta_slow)) for z0 in starts]
             for loss, F in antider.items()}
growth = [slow["mse"][i + 1] / slow["mse"][i] for i in range(len(starts) - 1)]
# The table and the claims: the squared error is slower from every start; the flow predicts its epochs to
# within 5 % and cross-entropy's to within one epoch; squared-error epochs grow by a factor approaching
# e^2 per 2 units of z0 (the e^z term), cross-entropy's by 2 epochs (the z / (2 eta) term, 2 / (2 * 0.5)).
assert all(m > 3 * c for m, c in zip(slow["mse"], slow["bce"], strict=True)), slow
assert all(abs(m / p - 1) < 0.05 for m, p in zip(slow["mse"], predicted["mse"], strict=True)), predicted
assert all(abs(m - p) <= 1 for m, p in zip(slow["bce"], predicted["bce"], strict=True)), predicted
assert all(a < b for a, b in zip(growth[:-1], growth[1:], strict=True)) and 0.9 * np.e**2 < growth[-1] < np.e**2, growth
assert np.all(np.diff(slow["bce"]) == 2), slow["bce"]
md("Epochs to $\\hat y < 0.5$, measured and predicted by the integral (the flow):")
md_table(["$z_0$", "$\\sigma(z_0)$", "half SE", "flow", "BCE", "flow"],
         [[num(z0, 2, trim=True), float(bp.sigmoid(np.array(z0))), m, num(pm, 3), c, num(pc, 2)]
          for z0, m, pm, c, pc in zip(starts, slow["mse"], predicted["mse"], slow["bce"], predicted["bce"],
                                       strict=True)], fmt=4, align="rrrrrr")
md(f"""
The integral predicts the measured counts closely (within 5 % for the squared error, within one epoch for
cross-entropy). For a large $z_0$ it is dominated by $e^{{z_0}}/2\\eta$ under the squared error and by
$z_0/2\\eta$ under cross-entropy: the time to recover from a wrong start grows *exponentially* with how
wrong the start is under the squared error, and *linearly* under cross-entropy. Measured, each 2 more units of
$z_0$ multiply the squared error's epochs by {", ".join(num(g, 3) for g in growth)} (tending to
$e^2 \\approx {tex(np.e**2, 3)}$) and add exactly {int(slow["bce"][1] - slow["bce"][0])} epochs to
cross-entropy's.
""")

# %% tags=["hide-input"]
curve_z0, curve_epochs = 4.0, 100
curves = {}
for loss in ("mse", "bce"):
    net_c, x1c, y0c = sigmoid_unit(loss, curve_z0), np.array([[1.0]]), np.array([[0.0]])
    preds, gw = [], []
    for _ in range(curve_epochs):
        preds.append(float(net_c.predict(x1c)[0, 0]))
        _, g_c = net_c.value_and_grad(x1c, y0c)
        gw.append(abs(float(g_c["W1"][0, 0])))
        for key in net_c.params:
            net_c.params[key] -= eta_slow * g_c[key]
    curves[loss] = (np.array(preds), np.array(gw))
    # The loop is the library's fit: the same losses, epoch by epoch.
    hist_c = sigmoid_unit(loss, curve_z0).fit(x1c, y0c, epochs=curve_epochs, lr=eta_slow)
    yhat_from_loss = np.sqrt(2 * hist_c.loss) if loss == "mse" else -np.expm1(-hist_c.loss)
    assert np.allclose(yhat_from_loss, curves[loss][0], rtol=1e-12, atol=0), loss
pm_, gm_ = curves["mse"]
pb_, gb_ = curves["bce"]
plateau = {loss: int(np.argmax(curves[loss][0] < curves[loss][0][0] - 0.1)) for loss in curves}
peak_epoch = int(np.argmax(gm_))
s_ = sp.Symbol("u", positive=True)  # u = sigma(z) in (0, 1): delta = s^2 (1 - s) is largest where its slope is 0
s_star = [r for r in sp.solve(sp.diff(s_**2 * (1 - s_), s_), s_) if 0 < r < 1]
mse_delta_max = (s_**2 * (1 - s_)).subs(s_, s_star[0])
assert s_star == [sp.Rational(2, 3)] and mse_delta_max == sp.Rational(4, 27)
# One critical point inside (0, 1) and 0 at both ends: it is the maximum.
assert (s_**2 * (1 - s_)).subs(s_, 0) == 0 == (s_**2 * (1 - s_)).subs(s_, 1) and mse_delta_max > 0
assert gm_.max() <= 4 / 27 and np.all(np.diff(gb_) < 0)  # cross-entropy's gradient shrinks at every epoch
assert abs(gb_[0] / gm_[0] - 1 / float(bp.sigmoid_grad(np.array(curve_z0)))) < 1e-9 * gb_[0] / gm_[0]
assert plateau["mse"] > 10 * plateau["bce"] and np.all(np.diff(gm_[:peak_epoch + 1]) > 0)


def draw_slowdown(fig):
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ep = np.arange(curve_epochs)[::2]  # every 2nd epoch: the curves are smooth
    ax1.plot(ep, pm_[ep], label="half squared error")
    ax1.plot(ep, pb_[ep], label="cross-entropy", linestyle="--")
    ax1.axhline(0.5, color="C2", lw=1, linestyle=":")
    ax1.set_ylabel(r"$\hat y$")
    ax1.set_ylim(0, 1.05)
    ax2.semilogy(ep, gm_[ep])
    ax2.semilogy(ep, gb_[ep], linestyle="--")
    ax2.set_ylabel(r"$|\partial \mathcal{L}/\partial w|$")
    ax2.set_xlabel("epoch")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_slowdown, figsize=(5.0, 4.8),
       alt=f"Two plots over {curve_epochs} epochs of one sigmoid unit started at z = {num(curve_z0, 2, trim=True)}, "
       f"prediction {num(pm_[0], 3)}, target 0. Top, the prediction: under cross-entropy it falls at once and is "
       f"below 0.5 after {slow['bce'][1]} epochs; under the half squared error it stays above "
       f"{num(pm_[0] - 0.1, 2)} for {plateau['mse']} epochs and crosses 0.5 after {slow['mse'][1]}. Bottom, on a "
       f"log scale, the size of the weight's gradient: cross-entropy's starts at its largest, {num(gb_[0], 3)}; the "
       f"squared error's starts {num(gb_[0] / gm_[0], 3)} times smaller, at {num(gm_[0], 3)}, and grows to at most "
       f"{num(gm_.max(), 3)} at epoch {peak_epoch}.",
       caption=r"One sigmoid unit from $z_0 = 4$, $y = 0$, $\eta = 0.5$: the prediction (top) and the size of the "
       r"weight's gradient (bottom) under each loss; the dotted line marks $\hat y = 0.5$.")
md(f"""
From $z_0 = {tex(curve_z0)}$ the squared error's gradient starts {num(gb_[0] / gm_[0], 3, trim=True)} times smaller than
cross-entropy's ($1/\\sigma'(z_0)$), and the prediction creeps: it takes {plateau['mse']} epochs to fall by
0.1, against {plateau['bce']} under cross-entropy. The squared error's gradient *grows* as the unit leaves
saturation, up to epoch {peak_epoch}; its delta can never exceed ${sp.latex(mse_delta_max)}$ (SymPy's maximum
of $\\sigma^2(1 - \\sigma)$, at $\\hat y = \\tfrac23$). Cross-entropy's gradient is largest at the start, when
the prediction is most wrong, and shrinks as it improves: the behaviour one wants from a learning signal.
""")

# %% [markdown]
# ## Why the library computes these losses from the logits
#
# Take a sigmoid output with label 0 and logit $z$. The exact loss is
# $-\log\bigl(1 - \sigma(z)\bigr) = \log(1 + e^{z})$. The direct route computes $\hat y = \sigma(z)$ first and
# then $-\log(1 - \hat y)$. It is exact in principle and loses accuracy in practice, because $1 - \hat y$ is
# tiny when $z$ is large: $\hat y$ is stored with a rounding error of about $\varepsilon \approx 2.2 \times
# 10^{-16}$ (the machine epsilon), subtracting it from 1 keeps that absolute error, and relative to
# $1 - \hat y \approx e^{-z}$ it is about $\varepsilon e^{z}$. The logarithm turns that into an absolute error
# of about $\varepsilon e^z$ in a loss of about $z$. The code below compares the direct route with
# `np.logaddexp(0, z)`, which computes $\log(1 + e^z)$ from $z$ without forming $1 - \hat y$:

# %%
import numpy as np

import backprop as bp

with np.errstate(over="ignore", divide="ignore"):
    for z in [10.0, 20.0, 30.0, 35.0, 36.7, 36.8, 1000.0]:
        y_hat = 1 / (1 + np.exp(-z))         # sigma(z) by its definition
        direct = -np.log(1 - y_hat)          # the loss for label 0, through y_hat
        exact = np.logaddexp(0, z)           # log(1 + e^z), from the logit
        print(f"z = {z:6}: direct {direct:.15g}, from the logit {exact:.15g}, "
              f"relative error {abs(direct - exact) / exact:.1e}")

# %% tags=["hide-input"]
z_grid = np.arange(0.0, 40.0, 0.01)
with np.errstate(over="ignore", divide="ignore"):
    direct_grid = -np.log(1 - 1 / (1 + np.exp(-z_grid)))
exact_grid = np.logaddexp(0, z_grid)
# The reference itself: logaddexp against 40-digit arithmetic at a few points.
import mpmath  # SymPy's arbitrary-precision library

mpmath.mp.dps = 40
for zr in (0.5, 20.0, 36.7, 39.99):
    ref = float(mpmath.log(1 + mpmath.exp(mpmath.mpf(zr))))
    assert abs(np.logaddexp(0, zr) - ref) <= 2 * EPS * ref, zr
finite = np.isfinite(direct_grid)
rel_grid = np.abs(direct_grid - exact_grid) / exact_grid


def first_float_where_one(sig, lo=30.0, hi=40.0):
    """Smallest float z in (lo, hi] with sig(z) == 1.0 exactly, by bisection (sig is non-decreasing)."""
    while True:
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            return hi
        lo, hi = (lo, mid) if sig(mid) == 1.0 else (mid, hi)


z_inf = first_float_where_one(lambda v: 1 / (1 + np.exp(-v)))
z_inf_lib = first_float_where_one(lambda v: float(bp.sigmoid(np.array(v))))
guide = EPS * (np.exp(z_grid) / exact_grid + 1)
at = {v: float(rel_grid[np.argmin(np.abs(z_grid - v))]) for v in (10.0, 20.0, 30.0, 35.0)}
first_1e8 = float(z_grid[np.argmax(rel_grid > 1e-8)])
z_rounding = float(z_grid[np.argmax(rel_grid > 100 * EPS)])  # where the error leaves the rounding level
first_1e3 = float(z_grid[np.argmax(rel_grid > 1e-3)])
# The claims: accurate to better than 1e-8 up to z = 20, errors bounded by eps (e^z / loss + 1) wherever
# the result is finite, infinite from the first z where sigma(z) rounds to 1, where the loss is about z.
assert at[20.0] < 1e-8 and 20.0 < first_1e8 < first_1e3 < z_inf, (at, first_1e8, first_1e3, z_inf)
assert np.all(rel_grid[finite] <= guide[finite]), float(np.max(rel_grid[finite] / guide[finite]))
with np.errstate(divide="ignore"):
    assert np.all(finite == (z_grid < z_inf)) and not np.isfinite(-np.log(1 - 1 / (1 + np.exp(-z_inf))))
assert abs(z_inf - 53 * np.log(2)) < 1e-12  # e^-z below half an ulp of 1 (2^-53): 1 + e^-z rounds to 1
assert 36 < z_inf < 37 and abs(np.logaddexp(0, z_inf) - z_inf) < 1e-15
assert z_inf < z_inf_lib < 38


def draw_bce_error(fig):
    ax = fig.subplots()
    shown = np.flatnonzero(finite & (rel_grid > 0))[::12]  # every 12th point of the grid, as one thin line
    ax.semilogy(z_grid[shown], rel_grid[shown], "-", lw=0.6, label="direct route, measured")
    ax.semilogy(z_grid[finite], guide[finite], "--", label=r"$\varepsilon\,(e^z/\ell + 1)$")
    ax.axvline(z_inf, color="C3", lw=1.5)
    ax.text(z_inf + 0.4, 1e-15, "loss = ∞ from here", rotation=90, ha="left", va="bottom", color="C3")
    ax.set_xlim(0, 40)
    ax.set_xlabel("logit $z$ (label 0)")
    ax.set_ylabel("relative error of the loss")
    ax.set_ylim(1e-17, 10)
    ax.legend(loc="upper left", frameon=False)


figure(draw_bce_error,
       alt=f"Relative error of the binary cross-entropy computed through the sigmoid, for logits from "
       f"{num(z_grid[0], 2, True)} to {num(z_grid[-1], 2, True)} and label 0, on a log scale. It stays below "
       f"{num(100 * EPS, 1)} up to z = {num(z_rounding, 2, True)}, grows by a factor e per unit of "
       f"z along the guide line machine epsilon times e to the z over the loss, reaches {num(at[20.0], 2)} at "
       f"z = 20 and {num(at[30.0], 2)} at z = 30, and the loss is infinite from z = {num(z_inf, 4)} on.",
       caption=r"The direct route $-\log(1 - \sigma(z))$ against $\log(1 + e^z)$ (label 0): its relative error "
       r"follows $\varepsilon e^z/\ell$ and becomes infinite where $\sigma(z)$ rounds to 1.")
md(f"""
The relative error is at most $\\varepsilon(e^z/\\ell + 1)$ at every point of a grid of step 0.01 on $[0, 40)$
where the direct route is finite: it is {num(at[10.0], 2, trim=True)} at $z = 10$,
{num(at[20.0], 2, trim=True)} at $z = 20$,
{num(at[30.0], 2, trim=True)} at $z = 30$ and {num(at[35.0], 2, trim=True)} at $z = 35$. It first exceeds 10⁻⁸ at
$z = {tex(first_1e8)}$ and 10⁻³ at $z = {tex(first_1e3)}$, and from $z = {tex(z_inf, 6)} = 53 \\ln 2$ on
$e^{{-z}}$ is below half the spacing of floating-point numbers next to 1, $\\sigma(z)$ rounds to exactly 1, and
the direct loss is $\\log 0$ read as $\\infty$, where the true loss is {num(np.logaddexp(0, z_inf), 4, trim=True)} and
perfectly representable. So the direct route is accurate for moderate logits and breaks near $z \\approx
{tex(z_inf, 3)}$, where the loss itself is about as large. (The library's own `sigmoid` is computed
differently and rounds to 1 from $z = {tex(z_inf_lib, 4)}$; through it the direct route breaks there
instead.) Its gradient $\\partial \\ell/\\partial \\hat y = 1/(1 - \\hat y)$ is infinite at the same point.

Written in the logits, the loss of one entry is $\\log(1 + e^{{z}}) - y z$, evaluated as
`np.logaddexp(0, z) - y * z`, which never forms $1 - \\hat y$ and never overflows. The library computes the loss
from the logits in this way whenever a network pairs sigmoid with BCE, and through the log-softmax
$z_k - \\log \\sum_m e^{{z_m}}$ (with the row's largest logit subtracted first) whenever it pairs softmax with
cross-entropy. At a logit of 1000 (as an
exploding network can produce) the direct routes give nothing usable, with NumPy's warnings silenced:
""")

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
# and the library's losses from the logits:

# %%
print(bp.bce_from_logits(z_big, np.array([[0.0]])),
      bp.cross_entropy_from_logits(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]])))

# %% tags=["hide-input"]
net_big = one_unit("bce")
loss_big = net_big.loss(z_big, np.array([[0.0]]))
delta_big = float(net_big.deltas(z_big, np.array([[0.0]]))[1][0, 0])
assert not np.isfinite(bce_naive).all() and not np.isfinite(grad_naive).all()
assert np.isnan(soft_naive[0, 0]) and np.isinf(ce_naive)
assert bp.bce_from_logits(z_big, np.array([[0.0]])) == 1000.0
assert bp.cross_entropy_from_logits(np.array([[1000.0, 0.0]]), np.array([[0.0, 1.0]])) == 1000.0
assert loss_big == 1000.0 and delta_big == 1.0
md(f"""
A network whose output logit is 1000 and whose label is 0 reports the loss {num(loss_big, trim=True)} and the output
delta {num(delta_big, trim=True)} ($\\hat y - y$, one sample): finite, exact, and the right size to correct the mistake.
""")

# %% [markdown]
# ## Checks
#
# `check()` of every derivation above has proved SymPy's derivative equal to the library's formula and
# compared values and gradients (it raises on any disagreement). The table adds centred differences of the
# library's loss values against its gradients and deltas, normwise: largest absolute difference over
# largest gradient entry.

# %% tags=["hide-input"]
md(f"The centred differences use $h = {tex(H)}$.")
md_table(["library quantity", "vs centred differences"], fd_rows, fmt=2)
for what, err in fd_rows:
    assert err < FD_TOL, (what, err)
# (check() of d_mse, d_bce, d_ce, fused_sig and fused_soft ran, and passed, where each was shown.)
assert np.allclose(bp.mse_grad(P_test, Y_test) * len(Y_test), P_test - Y_test, rtol=1e-15, atol=0)
md(f"All checks passed: every difference is below {num(FD_TOL, trim=True)}.")

# %% [markdown]
# ## Exercises
#
# **1.** Fit a single constant $c$ to targets $y_1, \dots, y_N$. Which $c$ minimises the half squared error,
# and does the $\tfrac12$ change it? Check with the targets $0, 1, 2, 3, 20$.

# %% tags=["hide-input"]
c = sp.Symbol("c")
ys = [0, 1, 2, 3, 20]
half = sum((c - v) ** 2 for v in ys) / 2
c_half = sp.solve(sp.diff(half, c), c)
c_full = sp.solve(sp.diff(2 * half, c), c)
assert c_half == c_full == [sp.Rational(sum(ys), len(ys))]
solution(f"""
$\\frac{{d}}{{dc}} \\tfrac12\\sum_i (c - y_i)^2 = \\sum_i (c - y_i) = 0$ gives $c = \\frac1N \\sum_i y_i$, the
mean; without the $\\tfrac12$ the derivative is doubled and has the same zero. For $0, 1, 2, 3, 20$ SymPy
finds $c = {sp.latex(c_half[0])} = {tex(float(c_half[0]))}$ both ways.
""")

# %% [markdown]
# **2.** For the same targets, which constant minimises the *absolute* error $\sum_i |c - y_i|$? Why does
# the outlier 20 matter less?

# %% tags=["hide-input"]
grid = np.linspace(-5, 25, 30001)


def best_abs(targets):
    return float(grid[np.argmin(np.abs(grid[:, None] - np.array(targets)[None, :]).sum(axis=1))])


c_abs_best = best_abs(ys)
far = [*ys[:-1], 20_000]
assert abs(c_abs_best - float(np.median(ys))) < 1e-9, c_abs_best
assert best_abs(far) == c_abs_best and float(np.mean(far)) > 100 * float(np.mean(ys))
solution(f"""
The derivative $\\sum_i \\operatorname{{sign}}(c - y_i)$ counts targets below $c$ minus targets above it; it
changes sign where half the targets lie on each side, at the median. A fine grid puts the minimum at
$c = {tex(c_abs_best)}$, the median of the five targets (the mean is {num(float(np.mean(ys)), trim=True)}). The outlier
contributes $-1$ to the derivative whether it is 20 or 20,000 (with 20,000 the minimum stays at
{num(best_abs(far), trim=True)}, while the mean moves to {num(float(np.mean(far)), trim=True)}); under the
squared error it pulls
with a force proportional to its distance.
""")
