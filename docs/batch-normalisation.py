# %% [markdown]
# # Batch normalisation
#
# Batch normalisation (Ioffe and Szegedy) standardises every hidden unit's input over the batch:
# each unit's pre-activation is shifted and scaled to mean 0 and variance (nearly) 1 across the $N$ samples,
# then given a learned scale and shift. This chapter writes the forward pass in the book's
# notation, derives the backward pass, which has to go through the batch's mean and variance, with
# SymPy and proves it equal to the matrix form the library uses, shows how prediction replaces the
# batch's statistics by running averages, and measures what it does to the size of the gradients.
# The symbols are those of the [notation table](symbols.py); this chapter adds
# $\tilde Z^{(l)}, \bar z^{(l)}, s^{(l)}, \hat Z^{(l)}, \gamma^{(l)}, \beta^{(l)}$ and $\epsilon$.

# %% tags=["hide-input"]
import sympy as sp
from IPython.display import Math, display

import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex
from backprop.book.numbers import up

EPS_BN = 1e-5   # batch normalisation's epsilon (checked against the library below)


# %% [markdown]
# ## The forward pass
#
# In a batch-normalised hidden layer $l$ the linear part has no bias,
# $\tilde Z^{(l)} = A^{(l-1)} W^{(l)}$ ($N \times n_l$). Each column, one unit over the batch, is
# normalised with its mean and standard deviation (the square is taken entry by entry):
#
# $$
# \begin{aligned}
# \bar z^{(l)} &= \tfrac1N \mathbf 1_N^\top \tilde Z^{(l)}, \qquad
# s^{(l)} = \sqrt{\tfrac1N \mathbf 1_N^\top \bigl(\tilde Z^{(l)} - \mathbf 1_N \bar z^{(l)}\bigr)^2 + \epsilon}, \\
# \hat Z^{(l)} &= \bigl(\tilde Z^{(l)} - \mathbf 1_N \bar z^{(l)}\bigr) \operatorname{diag}\bigl(s^{(l)}\bigr)^{-1},
# \end{aligned}
# $$
#
# and then scaled and shifted by two learned rows, $\gamma^{(l)}$ (starting at 1) and $\beta^{(l)}$
# (starting at 0), before the activation:
#
# $$
# Z^{(l)} = \hat Z^{(l)} \operatorname{diag}\bigl(\gamma^{(l)}\bigr) + \mathbf 1_N \beta^{(l)}, \qquad
# A^{(l)} = f_l\bigl(Z^{(l)}\bigr).
# $$
#
# $\bar z^{(l)}$ and $s^{(l)}$ are rows ($1 \times n_l$), and $\epsilon = 10^{-5}$ keeps the division
# finite for a unit that is constant over the batch. A bias would be useless: adding a constant to
# a column of $\tilde Z^{(l)}$ moves its mean by the same constant, and $\hat Z^{(l)}$ does not change;
# $\beta^{(l)}$ takes its place. And $\gamma^{(l)}$, $\beta^{(l)}$ give back what the normalisation took:
# with $\gamma^{(l)} = s^{(l)}$ and $\beta^{(l)} = \bar z^{(l)}$ the layer would pass a batch's
# $\tilde Z^{(l)}$ through unchanged. In the library:

# %%
import numpy as np

import backprop as bp

X_raw, y, _ = bp.datasets.load_iris()
X = (X_raw - X_raw.mean(axis=0)) / X_raw.std(axis=0)
net = bp.MLP([4, 8, 8, 3], hidden="tanh", loss="cross_entropy", batch_norm=True, seed=0)
print(list(net.params), list(net.running_stats))

fp = net.forward(X[:10], train=True)          # a training pass over a batch of 10 flowers
Z_hat = fp.norms[1].z_hat
print("largest |column mean|:", np.abs(Z_hat.mean(axis=0)).max())
print("column variances from", Z_hat.var(axis=0).min(), "to", Z_hat.var(axis=0).max())

# %% tags=["hide-input"]
assert bp.BATCH_NORM_EPSILON == EPS_BN
assert list(net.params) == ["W1", "gamma1", "beta1", "W2", "gamma2", "beta2", "W3", "b3"]
Zt = X[:10] @ net.params["W1"]
var_t = Zt.var(axis=0)
assert np.allclose(Z_hat, (Zt - Zt.mean(axis=0)) / np.sqrt(var_t + EPS_BN), rtol=1e-13, atol=1e-14)
mean_err = float(np.abs(Z_hat.mean(axis=0)).max())
assert mean_err < 1e-14
assert np.allclose(Z_hat.var(axis=0), var_t / (var_t + EPS_BN), rtol=1e-13)
shortfall = float((EPS_BN / (var_t + EPS_BN)).max())
# gamma = s and beta = z-bar undo the normalisation of the batch
undone, _ = bp.batch_norm(Zt, np.sqrt(var_t + EPS_BN), Zt.mean(axis=0))
assert np.allclose(undone, Zt, rtol=1e-13, atol=1e-14)
# the bias is useless: a constant added to each column leaves Z-hat unchanged
shifted, _ = bp.batch_norm(Zt + np.arange(8.0), np.ones(8), np.zeros(8))
assert np.allclose(shifted, Z_hat, rtol=0, atol=1e-13)
md(f"""
Each column of $\\hat Z^{{(1)}}$ has mean 0 (to ${tex(mean_err, 1)}$, rounding) and variance
$1 - \\epsilon/(s^{{(1)}}_k)^2$, here within ${tex(shortfall, 1)}$ of 1. The output layer is never
normalised: it keeps its bias `b3`.
""")

# %% [markdown]
# ## The backward pass, derived
#
# In training, $\bar z^{(l)}$ and $s^{(l)}$ are computed from the batch, so every entry of
# $\hat Z^{(l)}$ depends on every sample of its column, and the gradient must flow through the mean
# and the variance too. Write $\delta^{(l)} = \partial\mathcal L/\partial Z^{(l)}$ as in the
# [delta recursion](backpropagation.py) (here $Z^{(l)}$ is the normalised, scaled and shifted
# pre-activation, the input of $f_l$). SymPy differentiates
# $\sum_{i,k} \delta_{ik} Z_{ik}$ (whose derivatives are, by the chain rule, exactly
# $\partial\mathcal L/\partial(\cdot)$ for any loss above the layer) with respect to every entry of
# $\tilde Z^{(l)}$, $\gamma^{(l)}$ and $\beta^{(l)}$, for a batch of $N = 3$ samples and 2 units with
# everything symbolic ($\epsilon$ included), and proves the result equal to:

# %% tags=["hide-input"]
derivation = bs.derive_batch_norm(3, 2)
assert derivation.proved and derivation.proofs() == []
display(Math(bs.BATCH_NORM_LATEX))
comparisons = derivation.compare(np.random.default_rng(0))
assert all(c.ok for c in comparisons)
worst_lib = max(c.error for c in comparisons if c.against == "library")
worst_fd = max(c.error for c in comparisons if c.against == "finite differences")
one_entry = derivation.elementwise["Z_tilde"][0, 0]
md(f"""
(In the symbolic result every $\\sqrt{{\\operatorname{{var}} + \\epsilon}}$ is written $s_k$; the difference between
each of the {derivation.n_samples * derivation.n_units + 2 * derivation.n_units} entrywise derivatives and this
form reduces to 0.) The entrywise derivative for $\\tilde z_{{11}}$ alone has
{len(sp.Add.make_args(sp.expand(one_entry)))} terms once expanded. At random values the proved form agrees with
the library's `batch_norm_backward` to ${tex(worst_lib, 2)}$ and with centred differences of the library's
forward pass to ${tex(worst_fd, 2)}$ (relative to the largest entry).
""")

# %% [markdown]
# Read the formula for $\partial\mathcal L/\partial\tilde Z^{(l)}$ column by column: from
# $D = \partial\mathcal L/\partial \hat Z^{(l)}$ it subtracts its mean over the batch and its
# component along $\hat Z^{(l)}$, then divides by $s^{(l)}$. Those are the two directions the
# normalisation cancels: shifting every sample of a unit by the same amount (the mean absorbs it),
# and scaling every sample's deviation from the mean by the same factor (the standard deviation absorbs
# it, exactly if $\epsilon = 0$). So the gradient reaching $\tilde Z^{(l)}$ has no component that would only
# shift a column and, up to $\epsilon$, none that would only rescale its deviations, and it is divided by
# the column's spread. Measured on the Iris batch above, with a random $\delta^{(1)}$:

# %% tags=["hide-input"]
rng_d = np.random.default_rng(3)
delta = rng_d.normal(size=Z_hat.shape)
gamma = net.params["gamma1"]
_, _, dZt = bp.batch_norm_backward(fp.norms[1], gamma, delta)
along_one = float(np.abs(dZt.sum(axis=0)).max() / np.abs(dZt).max())
along_zhat = float(np.abs((dZt * Z_hat).sum(axis=0)).max() / np.abs(dZt).max())
bound_zhat = float(np.max(len(delta) * np.abs((delta * gamma * Z_hat).mean(axis=0)) * shortfall / fp.norms[1].std)
                   / np.abs(dZt).max())
assert along_one < 1e-14 and along_zhat <= 1.01 * bound_zhat + 1e-14
md(f"""
$\\mathbf 1_N^\\top \\partial\\mathcal L/\\partial \\tilde Z^{{(1)}}$ is 0 to ${tex(along_one, 1)}$ of the largest
entry, and the component along each column of $\\hat Z^{{(1)}}$ is ${tex(along_zhat, 1)}$ of it: not exactly 0,
because $\\epsilon$ keeps $\\hat Z^{{(1)}}$'s variance just below 1 (the formula predicts at most
${tex(bound_zhat, 1)}$).
""")

# %% [markdown]
# The library's gradients of a whole network in training mode, against finite differences of its
# training loss (`train=True`: the batch's own statistics in every evaluation):

# %%
report = bp.check_gradients(net, X[:10], y[:10], train=True)
print("ok:", report.ok, "| entries verified:", report.verified, "of", report.entries,
      "| largest relative error:", report.max_rel_error)

# %% tags=["hide-input"]
assert report.ok and report.max_rel_error < 1e-7
# The prediction-time backward pass (mean and variance as constants), used in training, fails the check.
true_backward = bp.network.batch_norm_backward


def frozen_backward(bn, gamma_, delta_):
    return true_backward(bp.BatchNormPass(bn.z_hat, bn.std, bn.mean, bn.var, train=False), gamma_, delta_)


bp.network.batch_norm_backward = frozen_backward
try:
    wrong = bp.check_gradients(net, X[:10], y[:10], train=True)
finally:
    bp.network.batch_norm_backward = true_backward
assert not wrong.ok and wrong.parameters["W1"].max_rel_error > 0.01
md(f"""
Every entry agrees to a relative error of ${tex(report.max_rel_error, 2)}$ or better. Treating the mean
and the variance as constants (the backward pass that is right for prediction, below) fails the same
check: the largest relative error of `W1` is then ${tex(wrong.parameters['W1'].max_rel_error, 2)}$.
""")

# %% [markdown]
# ## Prediction: running statistics
#
# At prediction time a sample should get the same output whatever else is in its batch, and a batch
# may hold a single sample. So prediction replaces $\bar z^{(l)}$ and the variance by running averages
# collected during training: after every update `fit` sets
#
# $$
# \text{mean} \leftarrow 0.9\, \text{mean} + 0.1\, \bar z^{(l)}, \qquad
# \text{var} \leftarrow 0.9\, \text{var} + 0.1\, \tfrac{N}{N-1} \bigl(s^{(l)}\bigr)^2_{\epsilon = 0}
# $$
#
# (the batch variance made unbiased, as PyTorch does), starting from 0 and 1
# (`net.running_stats`). Then $\hat Z^{(l)}$ is an affine function of each sample's own
# $\tilde z^{(l)}$, and its backward pass is the plain $\partial\mathcal L/\partial\hat Z\,
# \operatorname{diag}(s)^{-1}$. Trained on all 150 flowers, full batch:

# %%
history = net.fit(X, y, epochs=200, lr=0.1, optimiser="momentum")
Z_tilde_all = net.forward(X, train=True).a[1] @ net.params["W2"]     # layer 2's linear part, all flowers
print("running mean, layer 2:", net.running_stats["mean2"].round(3))
print("data mean,    layer 2:", Z_tilde_all.mean(axis=0).round(3))

# %% tags=["hide-input"]
# each unit's running mean against the data's, in units of that unit's own standard deviation
mean_gaps = np.abs(net.running_stats["mean2"] - Z_tilde_all.mean(axis=0)) / Z_tilde_all.std(axis=0)
var_gaps = np.abs(net.running_stats["var2"] / Z_tilde_all.var(axis=0, ddof=1) - 1)
odd = int(np.argmin(Z_tilde_all.var(axis=0)))          # the unit of smallest variance
rest = np.arange(len(mean_gaps)) != odd
mean_gap, var_gap = float(mean_gaps[rest].max()), float(var_gaps[rest].max())
assert int(np.argmax(mean_gaps)) == odd and int(np.argmax(var_gaps)) == odd   # the worst unit in both
assert mean_gap < 0.03 and var_gap < 0.05 and mean_gaps[odd] > 3 * mean_gap and var_gaps[odd] > 3 * var_gap
pred = net.predict(X)
alone = np.vstack([net.predict(X[i:i + 1]) for i in range(len(X))])
assert np.array_equal(pred, alone) or np.allclose(pred, alone, rtol=1e-13, atol=1e-15)
in_batch = net.forward(X[:10], train=True).output[0]
in_other = net.forward(np.vstack([X[:1], X[100:109]]), train=True).output[0]
train_shift = float(np.abs(in_batch - in_other).max())
per_flower = np.abs(net.forward(X, train=True).output - pred).max(axis=1)
eval_vs_train, eval_vs_train_med = float(per_flower.max()), float(np.median(per_flower))
acc = float(np.mean(net.predict_labels(X) == y))
assert train_shift > 0.5 and eval_vs_train < 0.1 and eval_vs_train_med < 1e-3 and acc > 0.95
md(f"""
After {history.epochs} epochs, for {int(rest.sum())} of the {len(mean_gaps)} units of layer 2 the running mean is
within {num(up(100 * mean_gap), 1)} % of a standard deviation of the data's mean at the final weights, and the running
variance within {num(up(100 * var_gap), 1)} % of the data's. The remaining unit, the one of smallest variance
(${tex(float(Z_tilde_all.var(axis=0)[odd]), 2)}$), is off by {num(100 * mean_gaps[odd], 2)} % of its standard
deviation and {num(100 * var_gaps[odd], 2)} % in variance: running averages lag behind weights that are still
moving. So
prediction-time normalisation is close to, not equal to, the training-time one. Predictions come out
the same whether the 150 flowers are passed together or one at a time. In training mode the first
flower (a setosa) gets probabilities that change by up to ${tex(train_shift, 2)}$ when the other nine
flowers of its batch are nine virginica instead of nine setosa. On all 150 flowers at once, training
and prediction mode give probabilities that differ by ${tex(eval_vs_train_med, 1)}$ for the median flower
and ${tex(eval_vs_train, 2)}$ for the worst. Training accuracy: {num(acc, 3)}.
""")

# %% [markdown]
# ## What it does to the gradient scale
#
# ### One layer's weights: scale invariance
#
# Multiply one batch-normalised layer's weights by $c > 0$. Then $\tilde Z^{(l)}$, its mean and its
# standard deviation (for $\epsilon \to 0$) are all multiplied by $c$, $\hat Z^{(l)}$ does not change,
# and neither does anything after it. The loss is the same, so its gradient with respect to
# $c\,W^{(l)}$ is $1/c$ times the gradient with respect to $W^{(l)}$: larger weights get smaller
# gradients, smaller weights larger ones. Measured with $c = 10$ on layer 2:

# %% tags=["hide-input"]
probe = bp.MLP([4, 8, 8, 3], hidden="tanh", loss="cross_entropy", batch_norm=True, seed=1)
Xb, yb = X[::3], y[::3]
loss_1, g_1 = probe.value_and_grad(Xb, yb, train=True)
probe.params["W2"] *= 10.0
loss_10, g_10 = probe.value_and_grad(Xb, yb, train=True)
loss_change = abs(loss_10 / loss_1 - 1)
ratio_W2 = g_10["W2"] / g_1["W2"]
others = max(float(np.abs(g_10[k] - g_1[k]).max() / np.abs(g_1[k]).max()) for k in g_1 if k != "W2")
assert loss_change < 1e-4 and np.allclose(ratio_W2, 0.1, rtol=1e-3) and others < 1e-3
md(f"""
The training loss changes by a relative ${tex(loss_change, 1)}$ (only through $\\epsilon$), every entry of
$\\partial\\mathcal L/\\partial W^{{(2)}}$ is divided by 10 to within
{num(100 * float(np.abs(ratio_W2 / 0.1 - 1).max()), 1)} %, and the other gradients move by at most
${tex(others, 1)}$ of their size.
""")

# %% [markdown]
# ### A deep network at three weight scales
#
# A network with 8 hidden tanh layers of 32 units on the Iris data, its weights drawn from
# $\mathcal N(0, s^2)$ with $s = 0.05$, $0.2$ or $1$ (`init=s`), with and without batch
# normalisation. The norm of each layer's weight gradient at the start, in training mode:

# %%
depth, scales = 8, (0.05, 0.2, 1.0)
grad_norms = {}
for bn in (False, True):
    for s in scales:
        deep = bp.MLP([4] + [32] * depth + [3], hidden="tanh", loss="cross_entropy", init=s, batch_norm=bn, seed=0)
        g = deep.gradients(X, y, train=True)
        grad_norms[bn, s] = [float(np.linalg.norm(g[f"W{l}"])) for l in range(1, depth + 2)]

# %% tags=["hide-input"]
gn = {k: np.array(v) for k, v in grad_norms.items()}
spread_plain = max(v.max() for (bn, _), v in gn.items() if not bn) / min(v.min() for (bn, _), v in gn.items() if not bn)
bn_norms = np.array([gn[True, s] for s in scales])         # scales x layers
bn_same = float((bn_norms.max(axis=0) / bn_norms.min(axis=0)).max() - 1)   # largest gap of a pair, any layer
spread_bn = max(v.max() for (bn, _), v in gn.items() if bn) / min(v.min() for (bn, _), v in gn.items() if bn)
assert spread_plain > 1e5 and bn_same < 0.25 and spread_bn < 100
assert gn[False, 0.05].max() < 1e-3   # vanishing: all gradients tiny
tiny_bound = up(gn[False, 0.05].max())
assert gn[False, 0.05].max() < tiny_bound
# every hidden layer's Z-hat is the same whatever s (up to epsilon)
zhats = {s_: bp.MLP([4] + [32] * depth + [3], hidden="tanh", loss="cross_entropy", init=s_, batch_norm=True,
                    seed=0).forward(X, train=True).norms for s_ in scales}
zhat_gap = max(float(np.abs(zhats[s_][l].z_hat - zhats[1.0][l].z_hat).max()) for s_ in scales
               for l in range(1, depth + 1))
smallest_var = min(float(zhats[0.05][l].var.min()) for l in range(1, depth + 1))
assert zhat_gap < 0.1 and smallest_var < 100 * EPS_BN


def draw_grads(fig):
    ax = fig.subplots()
    layers = np.arange(1, depth + 2)
    for i, s in enumerate(scales):
        ax.semilogy(layers, gn[False, s], "o-", color=f"C{i}", ms=4, label=f"s = {s:g}, plain")
        ax.semilogy(layers, gn[True, s], "s--", color=f"C{i}", ms=4, label=f"s = {s:g}, batch norm")
    ax.set_xlabel("layer $l$")
    ax.set_ylabel(r"$\Vert \partial\mathcal{L}/\partial W^{(l)} \Vert$")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_grads, figsize=(5.0, 4.6),
       alt=f"The norm of each layer's weight gradient, log scale, for a deep tanh network at three initial weight "
       f"scales, without and with batch normalisation. Without it the norms span a factor of "
       f"{num(spread_plain, 2)} across the scales, from below {num(tiny_bound, 1)} in every layer at "
       f"s = 0.05 to the largest at "
       f"s = 1. With it the three scales give nearly the same curve (within {num(up(100 * bn_same, 2), 2)} %).",
       caption="Gradient norm per layer at initialisation, for weights drawn with standard deviation $s$, "
       "without (solid) and with (dashed) batch normalisation.")
md(f"""
Without normalisation the gradients depend on the weight scale: at $s = 0.05$ every layer's gradient
is below ${tex(tiny_bound, 1)}$, and across the three scales and nine layers they span a
factor of ${tex(spread_plain, 2)}$. With batch normalisation the three scales give gradient norms within
{num(up(100 * bn_same, 2), 2)} % of each other, layer by layer: every hidden layer's $\\hat Z^{{(l)}}$ is the same
whatever $s$ up to the effect of $\\epsilon$ (not negligible at $s = 0.05$, where a unit's variance can be
as small as ${tex(smallest_var, 1)}$: the $\\hat Z^{{(l)}}$ differ by at most ${tex(zhat_gap, 1)}$), and only
the output layer, which is not normalised, still sees the scale of its own weights. All the layers' gradient norms, at
all three scales, then lie within a factor of {num(spread_bn, 2)} of each other. (The chapter on
[vanishing and exploding gradients](vanishing-gradients.py) follows such norms through deeper stacks.)
""")

# %% [markdown]
# ### Training the deep network
#
# Full-batch gradient descent with momentum ($\eta = 0.1$, $\mu = 0.9$), epochs to a cross-entropy
# below 0.1, with a budget of 200 epochs:

# %% tags=["hide-input"]
def epochs_to(bn, s, target=0.1, budget=200, chunk=20):
    deep = bp.MLP([4] + [32] * depth + [3], hidden="tanh", loss="cross_entropy", init=s, batch_norm=bn, seed=0)
    opt, losses = bp.Momentum(mu=0.9), []
    while len(losses) < budget:
        losses.extend(deep.fit(X, y, epochs=chunk, lr=0.1, optimiser=opt).loss)
        hit = np.flatnonzero(np.array(losses) < target)
        if hit.size:
            return int(hit[0]), losses
    return None, losses


runs = {(bn, s): epochs_to(bn, s) for bn in (False, True) for s in (*scales, None)}
rows = []
for s in (*scales, None):
    label = "library default (Glorot)" if s is None else f"$s = {tex(s)}$"
    cells = []
    for bn in (False, True):
        ep, losses = runs[bn, s]
        cells.append("not in 200" if ep is None else str(ep))
    rows.append([label, *cells])
md_table(["initial weights", "plain", "batch norm"], rows, align="lrr")
stuck = runs[False, 0.05][1]
assert runs[False, 0.05][0] is None and abs(stuck[-1] - np.log(3)) < 1e-3
assert runs[False, 1.0][0] is None and runs[False, 0.2][0] is not None and runs[False, None][0] is not None
big_end = runs[False, 1.0][1][-1]
saturated = float(np.mean(np.abs(bp.MLP([4] + [32] * depth + [3], hidden="tanh", loss="cross_entropy", init=1.0,
                                        seed=0).forward(X).z[4]) > 2.5))
assert saturated > 0.5
assert runs[False, 0.2][0] <= runs[True, 0.2][0] and runs[False, None][0] <= runs[True, None][0]
assert all(runs[True, s][0] is not None for s in (*scales, None))
bn_epochs = [runs[True, s][0] for s in (*scales, None)]
md(f"""
With batch normalisation every weight scale trains, in {min(bn_epochs)} to {max(bn_epochs)} epochs. Without
it, $s = 0.05$ does not train at all: after 200 epochs the loss is still
${tex(stuck[-1], 5)}$, within ${tex(abs(stuck[-1] - np.log(3)), 1)}$ of $\\ln 3 = {tex(np.log(3), 5)}$, the loss of
predicting $1/3$ for every class. At $s = 1$ the tanh units saturate ({num(100 * saturated, 2)} % of the
fourth layer's pre-activations exceed 2.5 in size at the start), and the loss is still
${tex(big_end, 3)}$ after 200 epochs. What batch normalisation buys here is insensitivity to the weight
scale; with a good initialisation ($s = 0.2$, or the library's default) the plain network is as fast.
""")

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
# The library's whole backward pass in training mode against the matrix form evaluated by hand.
fp2 = net.forward(X[:12], y[:12], train=True)
grads = net.backward(fp2, bp.one_hot(y[:12], 3))
D3 = (fp2.output - bp.one_hot(y[:12], 3)) / 12
by_hand = {"W3": fp2.a[2].T @ D3, "b3": D3.sum(axis=0)}
d2 = (D3 @ net.params["W3"].T) * (1 - fp2.a[2] ** 2)
bn2 = fp2.norms[2]
by_hand["gamma2"], by_hand["beta2"] = (d2 * bn2.z_hat).sum(axis=0), d2.sum(axis=0)
Dz = d2 * net.params["gamma2"]
dZt2 = (Dz - Dz.mean(axis=0) - bn2.z_hat * (Dz * bn2.z_hat).mean(axis=0)) / bn2.std
by_hand["W2"] = fp2.a[1].T @ dZt2
assert all(np.allclose(grads[k], v, rtol=1e-12, atol=1e-15) for k, v in by_hand.items())
md("""
Asserted while this page was built: the forward pass against its definition; the bias's
uselessness; SymPy's proof of the backward pass and its comparison with the library and with finite
differences; the gradient's two cancelled directions; the gradient check in training mode and the
failure of the prediction-time backward pass; the running statistics against the data's; the
independence of predictions from the batch; the scale invariance of one layer; the gradient norms
at three scales; the training table; and the library's backward pass through the two top layers
against the formulas written out.
""")

# %% [markdown]
# ## Exercises
#
# **1.** Why does a layer with batch normalisation need no bias? Check it with the library: add a
# bias of 5 to every entry of $\tilde Z^{(1)}$ and compare the layer's output.

# %% tags=["hide-input"]
out_a, _ = bp.batch_norm(Zt, gamma, net.params["beta1"])
out_b, _ = bp.batch_norm(Zt + 5.0, gamma, net.params["beta1"])
gap_bias = float(np.abs(out_a - out_b).max())
assert gap_bias < 1e-12
solution(f"""
The bias moves each column of $\\tilde Z^{{(1)}}$ and its mean $\\bar z^{{(1)}}$ by the same amount, so
$\\tilde Z^{{(1)}} - \\mathbf 1_N \\bar z^{{(1)}}$, and everything after it, is unchanged: the outputs differ by
${tex(gap_bias, 1)}$ (rounding). Its gradient would be exactly 0; $\\beta^{{(1)}}$ does its job after the
normalisation.
""")

# %% [markdown]
# **2.** What does batch normalisation make of a batch of two samples? Compute $\hat Z$ for two rows
# in terms of their difference.

# %% tags=["hide-input"]
u1, u2 = sp.symbols("u_1 u_2", real=True)
e_s = sp.Symbol(r"\epsilon", positive=True)
m2 = (u1 + u2) / 2
v2 = ((u1 - m2) ** 2 + (u2 - m2) ** 2) / 2
zhat1 = sp.simplify((u1 - m2) / sp.sqrt(v2 + e_s))
d_s = sp.Symbol("d", positive=True)   # d = u1 - u2 > 0
zhat1_d = sp.simplify(zhat1.subs(u1, u2 + d_s))
assert sp.simplify(zhat1_d - d_s / sp.sqrt(d_s**2 + 4 * e_s)) == 0
two, _ = bp.batch_norm(np.array([[0.3, -2.0], [1.7, 5.0]]), np.ones(2), np.zeros(2))
assert np.allclose(np.abs(two), 1, atol=1e-4)
try:
    bp.batch_norm(np.array([[0.3, -2.0]]), np.ones(2), np.zeros(2))   # one sample, in training
except ValueError as err:
    assert "at least 2 samples" in str(err), err
else:
    raise AssertionError("a batch of one was normalised in training")
solution(f"""
With $d = \\tilde z_1 - \\tilde z_2 > 0$, SymPy gives $\\hat z_1 = {sp.latex(zhat1_d)}$ and $\\hat z_2 = -\\hat z_1$:
$\\pm 1$ up to $\\epsilon$, whatever the two values were. A batch of two keeps only which sample is larger.
The library gives ${tex(float(two[0, 0]), 6)}$ and ${tex(float(two[1, 0]), 6)}$ for the first column of a
two-row example (and it refuses a batch of one in training, whose variance is 0).
""")

# %% [markdown]
# **3.** Starting from running statistics 0 and 1, how many full-batch updates does it take until the
# initial values weigh less than 1 % in the running averages?

# %% tags=["hide-input"]
n_upd = int(np.ceil(np.log(0.01) / np.log(0.9)))
assert 0.9**n_upd < 0.01 <= 0.9 ** (n_upd - 1)
check_net = bp.MLP([4, 3, 3], loss="cross_entropy", batch_norm=True, seed=0)
check_net.fit(X, y, epochs=n_upd, lr=1e-12)          # weights essentially fixed
v_data = (X @ check_net.params["W1"]).var(axis=0, ddof=1)
weight_left = (check_net.running_stats["var1"] - v_data) / (1.0 - v_data)   # the initial 1's share
assert np.allclose(weight_left, 0.9**n_upd, rtol=1e-9)
solution(f"""
After $t$ updates the initial value has weight $0.9^t$: below 1 % from $t = \\lceil \\ln 0.01/\\ln 0.9 \\rceil =
{n_upd}$ on. With the weights held still (a learning rate of $10^{{-12}}$), the running variance after
{n_upd} updates is $0.9^{{{n_upd}}} \\cdot 1$ plus $1 - 0.9^{{{n_upd}}}$ times the data's variance: the
initial 1 still has the weight ${tex(float(weight_left.mean()), 4)}$ $= 0.9^{{{n_upd}}}$ in every unit.
""")
