# %% [markdown]
# # Regularisation
#
# A network with more parameters than it has training samples can fit those samples, noise
# included, and then predict new samples worse than a simpler fit would. This chapter makes that
# happen on a small regression problem, measures it with a validation set, and counters it three
# ways: **weight decay**, a penalty on large weights (and its variant for Adam, AdamW),
# **dropout**, which trains on randomly thinned networks, and **early stopping**, which stops
# training when the validation loss stops improving. At the end the
# [classification](classification.py) of Iris flowers is redone with a validation set that is
# separate from the test set. The symbols are those of the [notation table](symbols.py);
# this chapter adds $\alpha$ (the weight-decay coefficient), $q$ and $M^{(l)}$ (dropout).

# %% tags=["hide-input"]
import math

import sympy as sp
from IPython.display import Math, display

import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex

SIGMA = 0.3   # the noise of the sine problem's targets

# %% [markdown]
# ## A network that memorises
#
# Twenty noisy samples of $y = \sin(\pi x)$ on $[-1, 1]$ (noise of standard deviation 0.3) train
# a network with two hidden layers of 32 tanh units: 1153 parameters for 20 samples. Fifty more
# samples are a *validation* set, watched during training; two hundred are a *test* set, looked at
# only once a choice has been made. Adam trains it, full batch, for 1500 epochs:

# %%
import numpy as np

import backprop as bp

rng = np.random.default_rng(1)


def sample(n):
    x = rng.uniform(-1.0, 1.0, size=(n, 1))
    return x, np.sin(np.pi * x) + 0.3 * rng.normal(size=(n, 1))


X_train, Y_train = sample(20)
X_val, Y_val = sample(50)
X_test, Y_test = sample(200)


def train(**options):
    net = bp.MLP([1, 32, 32, 1], hidden="tanh", seed=0, **options)
    history = net.fit(X_train, Y_train, epochs=1500, lr=0.01, optimiser="adam", validation=(X_val, Y_val))
    return net, history


plain, plain_history = train()
print("training loss", plain.loss(X_train, Y_train), " validation loss", plain.loss(X_val, Y_val))

# %% tags=["hide-input"]
n_params = sum(p.size for p in plain.params.values())
floor = SIGMA**2 / 2                       # the expected loss of the true function itself
best_plain = int(np.argmin(plain_history.val_loss))
train_end, val_end = plain.loss(X_train, Y_train), plain.loss(X_val, Y_val)
true_val = float(0.5 * np.mean((np.sin(np.pi * X_val) - Y_val) ** 2))
assert n_params == 1153 and train_end < floor / 1.5 and 2 * floor < val_end
assert plain_history.val_loss[-1] > 4 * plain_history.val_loss[best_plain]
assert abs(true_val / floor - 1) < 0.3   # 50 samples: the noise's half squared error is near sigma^2/2


def draw_overfit(fig):
    ax = fig.subplots()
    e = np.arange(1, plain_history.epochs + 1)
    ax.semilogy(e, plain_history.loss, label="training loss")
    ax.semilogy(e, plain_history.val_loss, label="validation loss")
    ax.axhline(floor, color="C5", lw=0.8, ls=":", label="noise level")
    ax.plot([best_plain + 1], [plain_history.val_loss[best_plain]], "o", color="C1")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\mathcal{L}$")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_overfit, figsize=(5.0, 3.6),
       alt=f"Training and validation loss of the unregularised network over 1500 epochs, log scale. The training "
       f"loss falls to {num(train_end, 2)}, below the noise level {num(floor, 2)}; the validation loss is "
       f"lowest, {num(plain_history.val_loss[best_plain], 2)}, after epoch {best_plain + 1} and then rises to "
       f"{num(val_end, 2)}.",
       caption=f"The unregularised network: training and validation loss per epoch; the dot marks the lowest "
       f"validation loss, the dotted line the noise level ${tex(SIGMA)}^2/2$.")
md(f"""
The targets carry noise of variance ${tex(SIGMA)}^2 = {tex(SIGMA**2)}$, so even the true function has an
expected half squared error of ${tex(SIGMA)}^2/2 = {tex(floor)}$, the *noise level* (on the validation samples,
${tex(true_val, 3)}$). The network ends at ${tex(train_end, 2)}$ on its training samples,
{num(train_end / floor, 2)} times that: it has fitted part of the noise. Its validation loss was lowest after epoch
{best_plain + 1}, ${tex(plain_history.val_loss[best_plain], 3)}$, and is ${tex(val_end, 3)}$ at the end,
{num(val_end / plain_history.val_loss[best_plain], 2)} times higher.
""")

# %% [markdown]
# ## Weight decay
#
# ### A term in the loss
#
# Weight decay adds to the loss a penalty on the size of the weights, with a coefficient
# $\alpha \ge 0$ (the biases are not penalised):
#
# $$
# \mathcal{L}_\alpha = \mathcal{L} + \frac{\alpha}{2} \sum_{l=1}^{L} \lVert W^{(l)} \rVert^2,
# \qquad \lVert W \rVert^2 = \sum_{j,k} w_{jk}^2 .
# $$
#
# Only the weights' gradients change, by $\alpha W^{(l)}$. SymPy proves it for a small network with
# undefined activations and loss (`backprop.symbolic.derive_weight_decay`), entry by entry:

# %% tags=["hide-input"]
wd = bs.derive_weight_decay()
assert wd.proved and wd.alpha is not None
for key, M in wd.symbols.items():   # SymPy's derivative with the penalty minus the one without: alpha W, or 0
    extra = wd.alpha * M if key.startswith("W") else sp.zeros(*M.shape)
    change = (wd.elementwise[key] - wd.elementwise[key].subs(wd.alpha, 0)).applyfunc(sp.expand)
    assert change == extra.applyfunc(sp.expand), (key, change)
display(Math(bs.WEIGHT_DECAY_LATEX))
entries = sum(M.rows * M.cols for M in wd.symbols.values())
md(f"""
(proved for a {'-'.join(map(str, wd.sizes))} network with $N = {wd.n_samples}$, all {entries} parameters
symbolic.) In the library it is `MLP(..., l2=alpha)`: the penalty is part of the *training* loss, the
one `fit` minimises and `value_and_grad(..., train=True)` returns; `net.loss(X, Y)` stays the plain
loss, so validation and test losses compare networks on the same scale.
""")

# %% [markdown]
# ### Shrinkage
#
# With plain gradient descent one step is
# $W \leftarrow W - \eta\bigl(\partial\mathcal L/\partial W + \alpha W\bigr)
# = (1 - \eta\alpha)\, W - \eta\, \partial\mathcal L/\partial W$: every step first shrinks each weight
# by the factor $1 - \eta\alpha$, then takes the data's step. Hence the name *weight decay*. On the
# linear model of the [gradient descent](gradient-descent.py#the-learning-rate) chapter the penalised
# loss is still a quadratic, with the minimum
# $\theta_\alpha = \bigl(H + \alpha \operatorname{diag}(1, 1, 0)\bigr)^{-1}\tilde X^\top Y/N$ for
# $\theta = (w^{(1)}_{11}, w^{(1)}_{21}, b^{(1)}_1)$, with $\tilde X$ the inputs and a column of ones and
# $H = \tilde X^\top \tilde X/N$ the Hessian of the unpenalised loss (the 0: the bias is not penalised).
# Gradient descent with `l2=alpha` finds it:

# %% tags=["hide-input"]
rl = np.random.default_rng(7)
mix, shift = np.array([[1.0, 0.0], [0.8, 0.6]]), np.array([1.0, -0.5])
Xl = rl.normal(size=(40, 2)) @ mix + shift
Yl = (Xl @ np.array([1.5, -2.0]) + 0.7 + 0.3 * rl.normal(size=40)).reshape(-1, 1)
X1 = np.hstack([Xl, np.ones((40, 1))])
H = X1.T @ X1 / 40
no_bias = np.diag([1.0, 1.0, 0.0])   # the penalty skips the bias
ridge_rows, norms = [], []
for alpha in (0.0, 0.1, 1.0, 10.0):
    closed = np.linalg.solve(H + alpha * no_bias, X1.T @ Yl / 40).ravel()
    lin = bp.MLP([2, 1], output="identity", loss="mse", seed=0, l2=alpha)
    lin.fit(Xl, Yl, epochs=3000, lr=1.6 / np.linalg.eigvalsh(H + alpha * no_bias)[-1])
    found = np.concatenate([lin.params["W1"].ravel(), lin.params["b1"]])
    assert np.allclose(found, closed, rtol=1e-9, atol=1e-12), (alpha, found, closed)
    ridge_rows.append([num(alpha, trim=True), *closed, lin.loss(Xl, Yl)])
    norms.append(float(np.linalg.norm(closed[:2])))
assert all(a > b for a, b in zip(norms, norms[1:], strict=False)) and all(r[4] >= ridge_rows[0][4] for r in ridge_rows)
md_table([r"$\alpha$", r"$w^{(1)}_{11}$", r"$w^{(1)}_{21}$", r"$b^{(1)}_1$", r"$\mathcal L$ (no penalty)"],
         ridge_rows, fmt=4, align="rrrrr")
md("""
The weights found by 3000 steps of `fit` equal the closed form to a relative $10^{-9}$ in every
row. As $\\alpha$ grows the weights shrink (the norm of $W^{(1)}$ at every step of the table) and the
unpenalised loss rises: the penalty trades fit for small weights.
""")

# %% [markdown]
# On the sine problem, the penalty stops the network from memorising the noise. The same network,
# trained with five values of $\alpha$:

# %%
decayed = {alpha: train(l2=alpha) for alpha in (1e-4, 1e-3, 1e-2, 3e-2, 1e-1)}
for alpha, (net, _) in decayed.items():
    print(f"alpha = {alpha:g}: training loss {net.loss(X_train, Y_train):.4f},"
          f" validation loss {net.loss(X_val, Y_val):.4f}")

# %% tags=["hide-input"]
val_by_alpha = {a: net.loss(X_val, Y_val) for a, (net, _) in decayed.items()}
train_by_alpha = {a: net.loss(X_train, Y_train) for a, (net, _) in decayed.items()}
alpha_best = min(val_by_alpha, key=val_by_alpha.get)
alphas = list(decayed)
assert all(train_by_alpha[a] < train_by_alpha[b] for a, b in zip(alphas, alphas[1:], strict=False))  # worse fit
assert alphas[0] < alpha_best < alphas[-1] and val_by_alpha[alpha_best] < val_end / 4
assert train_by_alpha[alpha_best] > floor * 0.7   # no longer far below the noise
md(f"""
The training loss rises with $\\alpha$ at every step of the table; the validation loss is lowest
at $\\alpha = {tex(alpha_best)}$, ${tex(val_by_alpha[alpha_best], 3)}$, against ${tex(val_end, 3)}$ without
the penalty, and the training loss there, ${tex(train_by_alpha[alpha_best], 3)}$, is back near the noise
level ${tex(floor)}$. Too much decay underfits: at $\\alpha = {tex(alphas[-1])}$ both losses are high
(${tex(train_by_alpha[alphas[-1]], 3)}$ and ${tex(val_by_alpha[alphas[-1]], 3)}$). The choice of $\\alpha$ was
made on the validation set.
""")

# %% [markdown]
# ### AdamW: decay outside the gradient
#
# With gradient descent, the penalty's gradient $\alpha W$ and a decay of the weights by
# $(1 - \eta\alpha)$ per step are the same thing. Under Adam they are not: the penalty's gradient
# joins the data's gradient in $m$ and $r$ and is divided by $\sqrt{\hat r}$ with it. Where the data
# pull on a weight, Adam still ends at the minimum of the penalised loss, as gradient descent does;
# where they do not, the penalty's gradient alone is normalised to Adam's usual step of about $\eta$,
# whatever $\alpha$. AdamW (Loshchilov and Hutter) keeps the decay out of Adam's statistics: Adam's
# step, then $W \leftarrow W - \eta\alpha W$ (`optimiser=bp.AdamW(weight_decay=alpha)`). The
# difference shows on a linear model with two inputs, the second always 0: its weight gets no
# gradient from the data, only from the penalty.

# %%
rng_toy = np.random.default_rng(0)
x1 = rng_toy.normal(size=50)
X_toy = np.column_stack([x1, np.zeros(50)])               # the second input is always 0
Y_toy = (2.0 * x1 + 0.1 * rng_toy.normal(size=50)).reshape(-1, 1)
alpha, lr, steps = 0.1, 0.01, 1000
paths = {}
for name, optimiser, l2 in (("Adam + L2", bp.Adam(), alpha), ("AdamW", bp.AdamW(weight_decay=alpha), 0.0),
                            ("SGD + L2", "sgd", alpha)):
    toy = bp.MLP([2, 1], loss="mse", seed=0, l2=l2)
    toy.params["W1"][:] = 1.0
    path = [toy.params["W1"][:, 0].copy()]
    for _ in range(steps):
        toy.fit(X_toy, Y_toy, epochs=1, lr=lr, optimiser=optimiser)
        path.append(toy.params["W1"][:, 0].copy())
    paths[name] = np.array(path)

# %% tags=["hide-input"]
Xt1 = np.column_stack([x1, np.ones(50)])
ridge_w = float(np.linalg.solve(Xt1.T @ Xt1 / 50 + alpha * np.diag([1.0, 0.0]), Xt1.T @ Y_toy / 50)[0, 0])
ols_w = float(np.linalg.lstsq(Xt1, Y_toy, rcond=None)[0][0, 0])
t_ax = np.arange(steps + 1)
idle = {name: p[:, 1] for name, p in paths.items()}
active = {name: p[-1, 0] for name, p in paths.items()}
# AdamW: the idle weight decays exactly geometrically, (1 - lr alpha)^t
assert np.allclose(idle["AdamW"], (1 - lr * alpha) ** t_ax, rtol=1e-12)
assert np.allclose(idle["SGD + L2"], (1 - lr * alpha) ** t_ax, rtol=1e-12)
# Adam + L2: the idle weight's only gradient is alpha w; Adam's first step is lr g / (|g| + eps), lr up to
# eps / |g| = 1e-7 (not exactly lr), and the path does not depend on alpha (m-hat / sqrt(r-hat) divides it out,
# up to epsilon)
drop_steps = np.diff(idle["Adam + L2"])
first_gap = 1 + drop_steps[0] / lr          # how far the first step falls short of lr, relatively
eps_adam = bp.Adam().eps
assert 0 < first_gap and abs(first_gap - eps_adam / (alpha + eps_adam)) < 1e-9, first_gap
assert np.all(drop_steps[:200] < 0)
zero_at = int(np.argmax(np.abs(idle["Adam + L2"]) < 1e-3))
other = bp.MLP([2, 1], loss="mse", seed=0, l2=alpha / 10)
other.params["W1"][:] = 1.0
other_opt, other_path = bp.Adam(), [1.0]
for _ in range(zero_at):
    other.fit(X_toy, Y_toy, epochs=1, lr=lr, optimiser=other_opt)
    other_path.append(other.params["W1"][1, 0])
alpha_gap = float(np.abs(np.array(other_path) - idle["Adam + L2"][: zero_at + 1]).max())
assert 0 < zero_at < 3 / lr and alpha_gap < 1e-4 and idle["AdamW"][zero_at] > 0.5
assert np.all(np.diff(np.abs(drop_steps[:zero_at])) < 0)   # "the later ones shrink", every one
# the active weight: Adam + L2 and SGD + L2 reach the minimum of the penalised loss; AdamW stays nearer the
# unpenalised one
near = max(abs(active["Adam + L2"] - ridge_w), abs(active["SGD + L2"] - ridge_w))
assert near < 1e-3
assert ridge_w < active["AdamW"] < ols_w and active["AdamW"] - ridge_w > 0.5 * (ols_w - ridge_w)


def draw_adamw(fig):
    top, bottom = fig.subplots(2, 1, sharex=True)
    for i, (name, p) in enumerate(paths.items()):
        top.plot(t_ax, p[:, 0], color=f"C{i}", label=name)
        bottom.plot(t_ax, p[:, 1], color=f"C{i}")
    top.axhline(ridge_w, color="C5", lw=0.8, ls=":")
    top.axhline(ols_w, color="C5", lw=0.8, ls="--")
    top.set_ylabel("active weight")
    bottom.set_ylabel("idle weight")
    bottom.set_xlabel("step")
    fig.legend(loc="outside upper center", ncols=3)


figure(draw_adamw, figsize=(5.0, 5.4),
       alt=f"Two panels, one above the other, of two weights over {steps} steps for Adam with the L2 penalty, "
       f"AdamW and gradient descent with the penalty. Top, the weight of the real input: Adam with the penalty "
       f"and gradient descent settle at the penalised minimum {num(ridge_w, 3)}; AdamW ends at "
       f"{num(active['AdamW'], 3)}, closer to the unpenalised {num(ols_w, 3)}. Bottom, the weight of the input "
       f"that is always 0: under Adam with the penalty it falls steeply and is below 0.001 after "
       f"{zero_at} steps; under AdamW and gradient descent it decays geometrically, to "
       f"{num(idle['AdamW'][-1], 3)} after {steps} steps.",
       caption=f"Weight decay under Adam and AdamW ($\\alpha = {tex(alpha)}$, $\\eta = {tex(lr)}$): the weight of "
       r"the real input "
       r"(top; dotted: the penalised minimum, dashed: the unpenalised one) and of an input that is always 0 "
       r"(bottom, where AdamW's curve and gradient descent's coincide).")
md(f"""
The idle weight shows the two rules. Under AdamW (and gradient descent) it decays by exactly
$1 - \\eta\\alpha = {tex(1 - lr * alpha)}$ per step, to ${tex(idle['AdamW'][-1], 3)}$ after {steps} steps. Under
Adam with the penalty its only gradient is $\\alpha w$, which Adam normalises to a step of about
$\\eta$: its first step is $\\eta$ up to a relative ${tex(first_gap, 1)}$ (Adam's $\\epsilon$), and each later one
is shorter than the one before, as $\\hat r$ remembers the larger earlier gradients, until the weight is below
$10^{{-3}}$ after {zero_at} steps (AdamW's is still at
${tex(idle['AdamW'][zero_at], 3)}$ then). With $\\alpha$ ten times smaller the path is the same to within
${tex(alpha_gap, 1)}$: the normalisation divides $\\alpha$ out. For the active weight the order reverses: Adam with the
penalty ends at the minimum of the penalised loss, ${tex(ridge_w, 4)}$, like gradient descent (both
within ${tex(near, 1)}$ of it),
while AdamW ends at ${tex(active['AdamW'], 4)}$, more than halfway from there to the unpenalised
${tex(ols_w, 4)}$. AdamW's decay is the same fraction $\\eta\\alpha$ for every weight; how strongly it
regularises a weight that the data pull on depends on the size of Adam's normalised steps, not on
$\\alpha$ alone.
""")

# %% [markdown]
# ## Dropout
#
# Dropout (Srivastava, Hinton and others) multiplies the activations of each hidden layer, in
# training only, by a random mask $M^{(l)}$ with one entry per sample and unit: each unit is kept
# with probability $q$ and dropped (set to 0) otherwise, afresh for every batch. The library's
# `dropout=rate` is the probability of dropping, $1 - q$. The forward pass becomes
# $A^{(l)} = f_l(Z^{(l)}) \odot M^{(l)}$, and the backward pass multiplies by the same mask where the
# forward pass did:
#
# $$
# \delta^{(l)} = \bigl((\delta^{(l+1)} {W^{(l+1)}}^\top) \odot M^{(l)}\bigr) \odot f_l'\bigl(Z^{(l)}\bigr).
# $$
#
# SymPy proves this rule with symbolic mask entries (`backprop.symbolic.derive_dropout`). A dropped
# unit passes nothing forward and receives no gradient: for that sample, training uses a thinned
# network, a different one for every batch.
#
# ### Why the kept units are scaled by $1/q$
#
# The mask's entries are $0$ and $1/q$ ("inverted" dropout), not $0$ and $1$. Then each entry has
# expectation 1, so a unit's expected output in training equals its output at prediction, where no
# unit is dropped and nothing is rescaled:

# %% tags=["hide-input"]
q_s = sp.Symbol("q", positive=True)
mean_M = sp.simplify(q_s * (1 / q_s) + (1 - q_s) * 0)
var_M = sp.simplify(q_s * (1 / q_s - mean_M) ** 2 + (1 - q_s) * (0 - mean_M) ** 2)
assert mean_M == 1 and sp.simplify(var_M - (1 - q_s) / q_s) == 0
dr = bs.derive_dropout()
assert dr.proved
display(Math(r"\mathbb{E}[M_{ik}] = q \cdot \frac1q + (1 - q)\cdot 0 = " + sp.latex(mean_M)
             + r",\qquad \operatorname{Var}[M_{ik}] = \frac{1 - q}{q}"))

# %% [markdown]
# The sine network with dropout 0.3 in both hidden layers ($q = 0.7$):

# %%
dropped, dropped_history = train(dropout=0.3)

# %% tags=["hide-input"]
fp_eval = dropped.forward(X_val)
draws = np.array([dropped.forward(X_val, train=True).a[1] for _ in range(2000)])
# how far each average is from the unmasked value, in standard errors of the average over 2000 masks
kept = draws.std(axis=0) > 0
layer_z = np.abs(draws.mean(axis=0) - fp_eval.a[1])[kept] / (draws.std(axis=0)[kept] / np.sqrt(2000))
assert layer_z.max() < 5
# after a curved activation the expectation no longer passes through: one unit, E[tanh(M a)] = q tanh(a / q)
q_keep, a_in = 0.7, 1.0
mean_after = q_keep * math.tanh(a_in / q_keep)
assert abs(mean_after - math.tanh(a_in)) > 0.1
md(f"""
Without the $1/q$, training would see each layer's activations scaled on average by $q$ against what
prediction sees, and the next layer's weights would be fitted to the wrong scale. Measured on this network
over 2000 masks: the first hidden layer's averaged activations differ from the unmasked ones by at
most {num(float(layer_z.max()), 2)} standard errors of the average ({int(kept.sum())} entries), as an exact
expectation allows. The expectation is exact only where the mask multiplies linearly. Behind a curved
activation it is not: a tanh unit whose input $a = {tex(a_in)}$ is kept with probability $q = {tex(q_keep)}$ (and
scaled by $1/q$) has $\\mathbb E[\\tanh(M a)] = q \\tanh(a/q) = {tex(mean_after)}$, not
$\\tanh {tex(a_in)} = {tex(math.tanh(a_in))}$. So
prediction, which uses the unmasked network, approximates the average over masks; it does not compute
it.
""")

# %% [markdown]
# Because the mask is random, the training loss is a different function at every step. A gradient
# check needs one fixed function: `check_gradients(net, X, Y, train=True)` draws one mask per layer
# from its seed and holds it fixed for every evaluation of the loss.

# %%
report = bp.check_gradients(dropped, X_train, Y_train, train=True)
print("ok:", report.ok, "| entries verified:", report.verified, "of", report.entries,
      "| largest relative error:", report.max_rel_error)

# %% tags=["hide-input"]
assert report.ok and report.max_rel_error < 1e-7
masks_used = dropped.dropout_masks(len(X_train), np.random.default_rng(0))
dropped_units = int(sum((m == 0).sum() for m in masks_used if m is not None))
md(f"""
All {report.verified} entries agree to a relative error of ${tex(report.max_rel_error, 2)}$ or better, with
{dropped_units} of the {2 * 32 * len(X_train)} unit activations of the two hidden layers dropped by the
fixed masks.
""")

# %% [markdown]
# On the sine problem, dropout rates from 0.1 to 0.5:

# %%
thinned = {rate: train(dropout=rate) for rate in (0.1, 0.5)}
thinned[0.3] = (dropped, dropped_history)          # trained above
thinned = dict(sorted(thinned.items()))
for rate, (net, _) in thinned.items():
    print(f"dropout {rate}: training loss {net.loss(X_train, Y_train):.4f},"
          f" validation loss {net.loss(X_val, Y_val):.4f}")

# %% tags=["hide-input"]
val_by_rate = {r: net.loss(X_val, Y_val) for r, (net, _) in thinned.items()}
train_by_rate = {r: net.loss(X_train, Y_train) for r, (net, _) in thinned.items()}
rate_best = min(val_by_rate, key=val_by_rate.get)
assert all(v < val_end / 3 for v in val_by_rate.values())
assert all(t >= floor for t in train_by_rate.values())   # "at or above the noise level"
twins = [bp.MLP([1, 32, 32, 1], hidden="tanh", seed=0, dropout=0.3) for _ in range(2)]
for twin in twins:   # the same seed draws the same masks: twenty epochs of two runs agree exactly
    twin.fit(X_train, Y_train, epochs=20, lr=0.01, optimiser="adam")
assert all(np.array_equal(twins[0].params[k], twins[1].params[k]) for k in twins[0].params)
md(f"""
Every rate keeps the training loss at or above the noise level (the lowest,
${tex(min(train_by_rate.values()), 3)}$, against the noise level ${tex(floor)}$) and the validation loss
below a third of the unregularised ${tex(val_end, 3)}$; the lowest validation loss,
${tex(val_by_rate[rate_best], 3)}$, is at rate {num(rate_best, trim=True)}. (The training losses are
measured without dropout, as the network predicts; the masks are drawn from the network's seeded
generator, so each run is reproducible.)
""")

# %% [markdown]
# ## Early stopping
#
# The unregularised network's validation loss was lowest early in training and rose afterwards (the
# [first figure](#a-network-that-memorises)). Early stopping keeps the parameters of the best epoch:
# `fit(..., validation=..., patience=p)` stops once the validation loss has not improved for `p`
# epochs and puts back the parameters of its lowest point.

# %%
stopped = bp.MLP([1, 32, 32, 1], hidden="tanh", seed=0)
stop_history = stopped.fit(X_train, Y_train, epochs=1500, lr=0.01, optimiser="adam",
                           validation=(X_val, Y_val), patience=100)
print(stop_history.stopped, "after", stop_history.epochs, "epochs; kept epoch", stop_history.best_epoch + 1)

# %% tags=["hide-input"]
assert stop_history.stopped == "early stopping" and stop_history.best_epoch == best_plain
assert stop_history.epochs == best_plain + 100 + 1
assert np.array_equal(stop_history.val_loss, plain_history.val_loss[: stop_history.epochs])
assert stopped.loss(X_val, Y_val) == plain_history.val_loss[best_plain]
val_stopped = stopped.loss(X_val, Y_val)
md(f"""
The run is the unregularised one up to epoch {stop_history.epochs} (the same seed and steps: the
validation losses agree exactly), and it keeps the parameters of epoch {best_plain + 1}, with
validation loss ${tex(val_stopped, 3)}$. It trained for {num(100 * stop_history.epochs / 1500, 2)} % of
the epochs. Its cost is the validation samples, which do not train the network.
""")

# %% [markdown]
# ### The three, compared
#
# Each method has one setting, chosen above on the validation set: $\alpha$, the dropout rate, the
# stopping epoch. Only now, with the choices made, does the test set come in, once:

# %% tags=["hide-input"]
chosen = {
    "none": plain,
    f"weight decay, α = {num(alpha_best, 1, trim=True)}": decayed[alpha_best][0],
    f"dropout {num(rate_best, 1, trim=True)}": thinned[rate_best][0],
    f"early stopping, epoch {best_plain + 1}": stopped,
}
rows_cmp = [[name, net.loss(X_train, Y_train), net.loss(X_val, Y_val), net.loss(X_test, Y_test)]
            for name, net in chosen.items()]
test_none = rows_cmp[0][3]
assert all(r[3] < test_none / 3 for r in rows_cmp[1:])
true_test = float(0.5 * np.mean((np.sin(np.pi * X_test) - Y_test) ** 2))
assert all(r[3] > true_test for r in rows_cmp)
md_table(["regularisation", "training loss", "validation loss", "test loss"], rows_cmp, fmt=3)
md(f"""
On the 200 test samples each regularised network has less than a third of the unregularised
network's loss, ${tex(test_none, 3)}$. None does better than the true function, whose test loss is
${tex(true_test, 3)}$: the remaining gap is what a network learns wrongly from 20 noisy samples.
""")

grid_x = np.linspace(-1, 1, 301).reshape(-1, 1)


def draw_fits(fig):
    ax = fig.subplots()
    ax.plot(X_train[:, 0], Y_train[:, 0], "o", color="C5", ms=4, label="training samples")
    ax.plot(grid_x[:, 0], np.sin(np.pi * grid_x[:, 0]), color="C5", lw=1, ls=":", label=r"$\sin(\pi x)$")
    for i, (name, net) in enumerate(chosen.items()):
        ax.plot(grid_x[:, 0], net.predict(grid_x)[:, 0], color=f"C{i}", label=name)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    fig.legend(loc="outside upper center", ncols=2)


wiggle = float(np.abs(np.diff(plain.predict(grid_x)[:, 0], 2)).max() /
               np.abs(np.diff(stopped.predict(grid_x)[:, 0], 2)).max())
assert wiggle > 5
overshoot = float(plain.predict(grid_x).max())
assert overshoot > 1.5 * max(1.0, float(Y_train.max()))   # above every training sample and the sine
figure(draw_fits, figsize=(5.0, 4.4),
       alt=f"The 20 training samples, the sine they come from, and the predictions of the four networks. The "
       f"unregularised network's curve wiggles to follow the training samples, overshooting to {num(overshoot, 2)}, "
       f"above every training sample and the sine's maximum of 1 (its largest curvature is "
       f"{num(wiggle, 2)} times the early-stopped network's); the three regularised curves are smooth and "
       f"follow the sine.",
       caption="The four networks' predictions on $[-1, 1]$, with the training samples and the true function.")

# %% [markdown]
# ## Iris, with a validation set
#
# The [classification](classification.py) chapter trained its network for a fixed 300 epochs and
# watched the held-out flowers' loss while doing so; choosing anything by that loss would make it a
# validation set, no longer a test. Here the same 45 test flowers (15 per species) stay untouched, and
# 30 more (10 per species) are taken from the 105 training flowers as a validation set. A 4-16-3 tanh
# network is trained on the other 75 with early stopping (patience 100) for every combination of
# $\alpha \in \{0, 0.001, 0.01, 0.03\}$ and dropout $\in \{0, 0.2\}$; the combination with the lowest
# validation loss is chosen, and then tested.

# %%
X_raw, y, _ = bp.datasets.load_iris()
by_species = [np.flatnonzero(y == k) for k in range(3)]
pick = np.random.default_rng(0)        # the classification chapter's 45 test flowers
test = np.sort(np.concatenate([pick.permutation(rows)[:15] for rows in by_species]))
pick_val = np.random.default_rng(1)    # 10 validation flowers per species from the rest
val = np.sort(np.concatenate([pick_val.permutation(np.setdiff1d(rows, test))[:10]
                              for rows in by_species]))
train_rows = np.setdiff1d(np.arange(len(y)), np.concatenate([test, val]))
mean, std = X_raw[train_rows].mean(axis=0), X_raw[train_rows].std(axis=0)
X = (X_raw - mean) / std               # training statistics only

candidates = {}
for alpha in (0.0, 0.001, 0.01, 0.03):
    for rate in (0.0, 0.2):
        net = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0,
                     l2=alpha, dropout=rate)
        history = net.fit(X[train_rows], y[train_rows], epochs=1500, lr=0.5,
                          validation=(X[val], y[val]), patience=100)
        candidates[alpha, rate] = (net, history)
best_alpha, best_rate = min(candidates, key=lambda k: candidates[k][0].loss(X[val], y[val]))
final = candidates[best_alpha, best_rate][0]
accuracy = np.mean(final.predict_labels(X[test]) == y[test])
print("chosen: alpha", best_alpha, "dropout", best_rate, " test accuracy", accuracy)

# %% tags=["hide-input"]
assert len(train_rows) == 75 and len(val) == 30 and len(test) == 45
assert not set(test) & set(val) and not set(test) & set(train_rows) and not set(val) & set(train_rows)
assert all(np.sum(y[s] == k) == n for s, n in ((train_rows, 25), (val, 10), (test, 15)) for k in range(3))
rows_iris = []
for (a, r), (net, h) in candidates.items():
    rows_iris.append([num(a, trim=True), num(r, trim=True), str(h.best_epoch + 1),
                      net.loss(X[train_rows], y[train_rows]), net.loss(X[val], y[val])])
md_table([r"$\alpha$", "dropout", "epoch kept", "training loss", "validation loss"], rows_iris, fmt=3,
         align="rrrrr")
val_losses = {k: c[0].loss(X[val], y[val]) for k, c in candidates.items()}
acc_val = float(np.mean(final.predict_labels(X[val]) == y[val]))
acc_test = float(np.mean(final.predict_labels(X[test]) == y[test]))
loss_test = final.loss(X[test], y[test])
assert val_losses[best_alpha, best_rate] == min(val_losses.values())
assert all(c[1].stopped in ("early stopping", "completed") for c in candidates.values())
md(f"""
The lowest validation loss, ${tex(val_losses[best_alpha, best_rate], 3)}$, belongs to $\\alpha = {tex(best_alpha)}$
with dropout {num(best_rate, trim=True)}. That network, tested once, classifies
{int(round(acc_test * len(test)))} of the {len(test)} test flowers correctly (accuracy {num(acc_test, 3)},
test loss ${tex(loss_test, 3)}$); on the validation flowers it got {int(round(acc_val * len(val)))} of
{len(val)}. The two test numbers are the only ones here that were not used to choose anything, and so
the only ones that estimate how the chosen network does on new flowers; with {len(test)} test flowers, one
mistake more or less moves the accuracy by {num(100 / len(test), 2)} percentage points.
""")

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
# Decoupled decay is plain decay for SGD: one step of SGD + L2 equals shrinking, then the data step.
one = bp.MLP([1, 32, 32, 1], hidden="tanh", seed=3, l2=0.05)
ref = bp.MLP([1, 32, 32, 1], hidden="tanh", seed=3)
g_data = ref.gradients(X_train, Y_train)
one.fit(X_train, Y_train, epochs=1, lr=0.1)
for k in ref.params:
    shrink = (1 - 0.1 * 0.05) if k.startswith("W") else 1.0
    assert np.allclose(one.params[k], shrink * ref.params[k] - 0.1 * g_data[k], rtol=1e-12, atol=1e-15)
# the gradient of the penalised training loss passes the check (an untrained network: a minimum, where the
# gradients are smaller than finite differences resolve, would test little)
l2_check = bp.check_gradients(bp.MLP([1, 32, 32, 1], hidden="tanh", seed=3, l2=alpha_best), X_train, Y_train,
                              train=True)
assert l2_check.ok and l2_check.max_rel_error < 1e-7
md(f"""
Asserted while this page was built: the overfitting run's numbers; SymPy's proofs of the penalty's
gradient and of the dropout rule; the closed-form minima of the penalised linear model against `fit`;
the monotone training losses of the $\\alpha$ sweep and the best $\\alpha$ inside it; the AdamW
trajectories (geometric decay to $10^{{-12}}$, Adam's first step of $\\eta$ up to $\\epsilon$, its shrinking
steps, its path's independence
of $\\alpha$, the two end points); the mask's mean and variance and the measured averages; the
gradient check with fixed masks; early stopping as the same run cut short; the comparison on the test
set; the Iris split; one step of gradient descent with the penalty as shrinkage plus the data's step;
and the gradient check of the sine network with the penalty, untrained (largest relative error
${tex(l2_check.max_rel_error, 2)}$ over all {l2_check.verified} entries).
""")

# %% [markdown]
# ## Exercises
#
# **1.** With gradient descent at $\eta = 0.1$ and $\alpha = 0.01$, what fraction of a weight that
# receives no gradient from the data remains after 100 steps? Check with the toy model's idle weight.

# %% tags=["hide-input"]
frac_left = (1 - 0.1 * 0.01) ** 100
toy = bp.MLP([2, 1], loss="mse", seed=0, l2=0.01)
toy.params["W1"][:] = 1.0
toy.fit(X_toy, Y_toy, epochs=100, lr=0.1)
assert abs(toy.params["W1"][1, 0] - frac_left) < 1e-12
solution(f"""
Each step multiplies it by $1 - \\eta\\alpha = {tex(1 - 0.1 * 0.01)}$, so after 100 steps
${tex(1 - 0.1 * 0.01)}^{{100}} = {tex(frac_left, 5)}$ of it remains: the library's idle weight after 100
epochs of `fit(..., lr=0.1)` with `l2=0.01` is exactly that (to $10^{{-12}}$).
""")

# %% [markdown]
# **2.** A dropout rate of 0.2 keeps each unit with probability $q = 0.8$. What values does the mask
# take, and what are its mean and variance? Check with `bp.dropout_mask`.

# %% tags=["hide-input"]
M = bp.dropout_mask((200_000, 5), 0.2, np.random.default_rng(0), np.float64)
values = sorted(set(np.unique(M).tolist()))
var_exact = float(var_M.subs(q_s, sp.Rational(4, 5)))
assert values == [0.0, 1.25] and abs(M.mean() - 1) < 0.005 and abs(M.var() / var_exact - 1) < 0.01
solution(f"""
$0$ with probability $0.2$ and $1/q = {tex(1 / 0.8)}$ with probability $0.8$; the mean is 1 and the
variance $(1 - q)/q = {tex(var_exact)}$. A million draws of the library's mask have mean
${tex(float(M.mean()), 4)}$ and variance ${tex(float(M.var()), 4)}$.
""")

# %% [markdown]
# **3.** With `patience=p`, how many epochs does `fit` run after the one it keeps? Check it on the
# early-stopped sine network, and explain why the validation loss is what it watches, not the
# training loss.

# %% tags=["hide-input"]
after = stop_history.epochs - (stop_history.best_epoch + 1)
assert after == 100
train_kept, train_last = plain_history.loss[best_plain + 1], plain_history.loss[-1]   # after the kept epoch
assert train_last < train_kept / 2
solution(f"""
Exactly $p$: it stops at the first epoch that is $p$ epochs past the best one, here
{stop_history.epochs} $=$ {stop_history.best_epoch + 1} $+$ {after}. The training loss is no guide: in the
unregularised run it fell from ${tex(train_kept, 3)}$ after the kept epoch to ${tex(train_last, 3)}$ at epoch
1500, while the validation loss rose; only samples the network does not train on show when it starts
fitting the noise.
""")
