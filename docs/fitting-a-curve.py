# %% [markdown]
# # Fitting a curve
#
# The first real task for a network: learn the function $y = x^2$ from samples of it. The
# network sees only pairs $(x, x^2)$; it has to produce a curve that passes close to them. The
# task is small enough for this page to train every network it discusses each time the book is
# built, so it can ask the questions that matter for every regression problem: how many hidden
# units are needed, why the data must be scaled before training, and what the network predicts
# where it has seen no data.
# The symbols are those of the [notation table](symbols.py); the loss $\mathcal{L}$ is
# the mean over the $N$ samples of the half squared error $\ell = \tfrac12 (\hat y - y)^2$.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import Math, display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex

# %% [markdown]
# ## One point is not a curve
#
# One of the book's sources, a tutorial that builds a network neuron by neuron in NumPy (see
# [About this book](about-this-book.py)), starts with a chain of three neurons,
# $x \to$ ReLU $\to$ ReLU $\to$ linear output, and trains it on a single pair, $x = 3$, $y = 9$.
# Its weights and biases come from `np.random.seed(0)` followed by six calls of
# `np.random.random()` (weight before bias, neuron by neuron), and its loss is $(\hat y - y)^2$,
# without the factor $\tfrac12$ of this book's $\ell$. Both losses have the same minimiser; the
# book's gradient is half the tutorial's, so the tutorial's learning rate $0.01$ is the book's
# $0.02$. With one unit per layer, $w^{(l)}$ and $b^{(l)}$ stand for $w^{(l)}_{11}$ and
# $b^{(l)}_1$.

# %% tags=["hide-input"]
draws = np.random.RandomState(0).random_sample(6)  # the tutorial's np.random.seed(0); np.random.random()
chain = bp.MLP([1, 1, 1, 1], hidden="relu", output="identity", loss="mse")
chain.params.update({
    name: np.array([[v]]) if name.startswith("W") else np.array([v])
    for name, v in zip(["W1", "b1", "W2", "b2", "W3", "b3"], draws, strict=True)
})
x_one, y_one = np.array([[3.0]]), np.array([[9.0]])
chain_start = {k: v.copy() for k, v in chain.params.items()}
chain_grads = chain.gradients(x_one, y_one)
chain_z = chain.forward(x_one).z
derivation = bs.derive_network(chain, x_one, y_one)  # SymPy writes the loss and differentiates it
chain_fd = bp.check_gradients(chain, x_one, y_one)  # finite differences
pred_start = float(chain.predict(x_one)[0, 0])
probe = bp.MLP([1, 1, 1, 1], hidden="relu")
probe.params = {k: v.copy() for k, v in chain_start.items()}
small_lr_loss = 2 * probe.fit(x_one, y_one, epochs=2, lr=2 * 1e-4).loss[1]
source_lr = 0.01
chain_history = chain.fit(x_one, y_one, epochs=1000, lr=2 * source_lr)
source_losses = 2 * chain_history.loss  # the tutorial's loss (yhat - y)^2 is twice the book's
published = {"first": 39.403, "second": 13.823}  # the tutorial: "(e.g. 39.403)", then "(e.g. 13.823)"
assert abs(source_losses[1] - published["first"]) < 5e-4, source_losses[1]
assert abs(source_losses[2] - published["second"]) < 1e-3, source_losses[2]
assert abs(source_losses[0] - published["first"]) > 1.0

md(f"""
Before any update the chain predicts $\\hat y = {tex(pred_start)}$ at $x = 3$, a loss of
$(\\hat y - 9)^2 = {tex(source_losses[0], 5)}$ in the tutorial's units. One update brings the loss
to ${tex(source_losses[1], 5)}$ and a second to ${tex(source_losses[2], 5)}$. The tutorial prints
${published['first']}$ as the loss of the untrained model and ${published['second']}$ after
"running the pass": these are the losses after the first and the second update (the second cut
to three decimals rather than rounded), so its training cell had most likely run once before.
With the learning rate $10^{{-4}}$ that the tutorial sets a few lines earlier, one update would
give ${tex(small_lr_loss, 5)}$. After {chain_history.epochs} updates at $0.01$ the loss is
${tex(source_losses[-1], 2)}$: the chain has learned that $3 \\mapsto 9$.
""")

# %% [markdown]
# At $x = 3$ both ReLUs of the untrained chain are active, so there the chain is
# $\hat y = w^{(3)}\bigl(w^{(2)}(w^{(1)} x + b^{(1)}) + b^{(2)}\bigr) + b^{(3)}$ and, for one
# sample, $\mathcal{L} = \tfrac12(\hat y - y)^2$. SymPy differentiates it; for instance, at the
# untrained weights,

# %% tags=["hide-input"]
w1_, b1_, w2_, b2_, w3_, b3_ = sp.symbols(r"w^{(1)} b^{(1)} w^{(2)} b^{(2)} w^{(3)} b^{(3)}", real=True)
x_, y_ = sp.symbols("x y", real=True)
chain_yhat = w3_ * (w2_ * (w1_ * x_ + b1_) + b2_) + b3_
chain_loss = sp.Rational(1, 2) * (chain_yhat - y_) ** 2
chain_symbols = {"W1": w1_, "b1": b1_, "W2": w2_, "b2": b2_, "W3": w3_, "b3": b3_}
at_start = {x_: 3, y_: 9, **{s: float(chain_start[k].ravel()[0]) for k, s in chain_symbols.items()}}
dL_dw1 = sp.diff(chain_loss, w1_)
assert sp.simplify(dL_dw1 - x_ * w2_ * w3_ * (chain_yhat - y_)) == 0
sympy_grads = {k: float(sp.diff(chain_loss, s).subs(at_start)) for k, s in chain_symbols.items()}
assert all(z[0, 0] > 0 for z in chain_z[1:3]), chain_z  # both ReLUs active: the formula above holds
for key, g in sympy_grads.items():
    assert abs(g - chain_grads[key].ravel()[0]) <= 1e-12 * abs(g), (key, g, chain_grads[key])
display(Math(
    r"\frac{\partial \mathcal{L}}{\partial w^{(1)}} = "
    + sp.latex(x_ * w2_ * w3_ * (sp.Symbol(r"\hat y") - y_))
    + " = " + tex(sympy_grads["W1"], 6)
))

# %% [markdown]
# and the library's gradients of all six parameters agree with SymPy's to within $10^{-12}$
# relative (the [checks](#checks) below compare them with finite differences too).
#
# But the chain has learned nothing else. A chain of single ReLU units computes a
# piecewise-linear function, here a straight line wherever both units are active, and one point
# fixes only one value of that line:

# %% tags=["hide-input"]
x_probe = np.arange(1.0, 7.0).reshape(-1, 1)
y_probe = chain.predict(x_probe)[:, 0]
md_table(["$x$", r"$\hat y$ after training", "$x^2$"],
         [[int(x), p, int(x * x)] for x, p in zip(x_probe[:, 0], y_probe, strict=True)])
chain_slope = float(np.prod([chain.params[k][0, 0] for k in ("W1", "W2", "W3")]))
assert np.allclose(y_probe, 9 + chain_slope * (x_probe[:, 0] - 3), rtol=0, atol=1e-9), y_probe
md(f"""
The predictions lie on a line of slope ${tex(chain_slope)}$ (the product of the three trained
weights) through $(3, 9)$. To learn a *function* the network needs many points, and to bend
it needs several units side by side.
""")

# %% [markdown]
# ## Many points, one hidden layer
#
# From now on the data are $N = 81$ equally spaced points $x \in [-10, 10]$ with targets $y = x^2$,
# and the network has one hidden layer of $n_1$ units and a linear output. The network sees the
# standardised inputs, an $N \times 1$ batch $X$ (defined below), and for sample $i$, whose input is the
# single number $X_i$, its output is
#
# $$
# \hat Y_i = \sum_{j=1}^{n_1} w^{(2)}_{j1}\, f_1\bigl(X_i w^{(1)}_{1j} + b^{(1)}_j\bigr) + b^{(2)}_1 ,
# $$
#
# with the first layer's weights $w^{(1)}_{1j}$ and biases $b^{(1)}_j$ (`W1`, `b1`) and the
# output layer's $w^{(2)}_{j1}$ and $b^{(2)}_1$ (`W2`, `b2`). With $f_1 = \mathrm{ReLU}$ each unit is
# a hinge: zero on one side of $X_i = -b^{(1)}_j / w^{(1)}_{1j}$ and a straight line on the other.
# A sum of $n_1$ hinges is a polygonal line with at most $n_1$ corners, so at most $n_1 + 1$
# straight pieces to follow the parabola with.
#
# Before training, inputs and targets are *standardised*: shifted to mean 0 and divided by their
# standard deviation. Why this matters is the subject of the [section on
# scaling](#scale-the-data-first).

# %%
import numpy as np

import backprop as bp

x = np.linspace(-10.0, 10.0, 81).reshape(-1, 1)
y = x**2
x_mean, x_std = x.mean(), x.std()
y_mean, y_std = y.mean(), y.std()
X = (x - x_mean) / x_std  # the network sees X and is trained on Y
Y = (y - y_mean) / y_std


def predict_original(net, x_values):
    """Predictions in the units of y: one multiplication and one addition."""
    return y_mean + y_std * net.predict((x_values - x_mean) / x_std)


# %% tags=["hide-input"]
assert abs(x_mean) < 1e-12, x_mean
md(f"""
Here $\\bar x = 0$, $s_x = {tex(x_std)}$, $\\bar y = {tex(y_mean)}$ and $s_y = {tex(y_std)}$ (the
means and standard deviations of $x$ and $y$). A prediction in the standardised units maps back
as $\\hat y_i = \\bar y + s_y \\hat Y_i$, so a loss $\\mathcal{{L}}_s$ on the standardised targets is a
loss $s_y^2 \\mathcal{{L}}_s$ on the original ones (SymPy confirms this symbolically, the
[checks](#checks) numerically on a trained network). The standardised loss of the best
*constant* predictor, $\\hat Y_i = 0$ for every $i$, is
$\\tfrac12 \\operatorname{{var}}(Y) = \\tfrac12$: a network whose loss is $0.5$ does no better than
predicting the mean.
""")

# %% tags=["hide-input"]
yh_s, y_s, s_y, m_y = sp.symbols(r"\hat{Y} Y s_y \bar{y}", real=True)
loss_original = sp.Rational(1, 2) * ((m_y + s_y * yh_s) - (m_y + s_y * y_s)) ** 2
loss_standard = sp.Rational(1, 2) * (yh_s - y_s) ** 2
loss_ratio = sp.simplify(loss_original / loss_standard)
assert loss_ratio == s_y**2, loss_ratio
assert abs(0.5 * Y.var() - 0.5) < 1e-12

# %% [markdown]
# ## How wide?
#
# Five widths, $n_1 = 1, 2, 4, 8, 16$ ReLU units, each trained from three random initialisations
# (seeds 0, 1, 2) by full-batch gradient descent, $1500$ epochs at learning rate $0.2$:

# %%
widths, seeds, epochs, lr = [1, 2, 4, 8, 16], [0, 1, 2], 1500, 0.2
nets = {}
for width in widths:
    for seed in seeds:
        net = bp.MLP([1, width, 1], hidden="relu", loss="mse", seed=seed)
        net.fit(X, Y, epochs=epochs, lr=lr)
        nets[width, seed] = net

# %% tags=["hide-input"]
final = {key: net.loss(X, Y) for key, net in nets.items()}
best_seed = {n: min(seeds, key=lambda s, n=n: final[n, s]) for n in widths}
best = {n: nets[n, best_seed[n]] for n in widths}


def dead(net):
    """Per hidden ReLU unit: is its pre-activation <= 0 on every training input?"""
    return np.all(net.forward(X).z[1] <= 0, axis=0)


rmse = {n: float(np.sqrt(np.mean((predict_original(best[n], x) - y) ** 2))) for n in widths}
md_table(
    ["$n_1$", r"$\mathcal{L}$, seed 0", "seed 1", "seed 2", "dead units", "RMSE of best"],
    [[n, *[final[n, s] for s in seeds], int(sum(dead(nets[n, s]).sum() for s in seeds)), rmse[n]]
     for n in widths],
)

# %% tags=["hide-input"]
stuck = [(n, s) for n in widths for s in seeds if abs(final[n, s] - 0.5) < 1e-6]
narrow_best, wide_best = (final[n, best_seed[n]] for n in (widths[0], widths[-1]))
# the best loss falls with every doubling of the width
assert all(final[a, best_seed[a]] > final[b, best_seed[b]] for a, b in zip(widths, widths[1:], strict=False))
# a run stuck at the constant predictor's loss has lost *every* hidden unit, and vice versa
all_dead = [(n, s) for n in widths for s in seeds if dead(nets[n, s]).all()]
assert stuck and stuck == all_dead, (stuck, all_dead)
# the stuck runs' units were alive at the start (on part of the data), started with a negative output
# weight, and died within the first few epochs
died_by = 0
for n, s in stuck:
    replay = bp.MLP([1, n, 1], hidden="relu", loss="mse", seed=s)
    assert not dead(replay).any() and (replay.params["W2"] < 0).all(), (n, s)
    for epoch in range(1, 21):
        # each unit's contribution to the output, w2_j * a_j, in root mean square over the data
        before = np.sqrt(np.mean((replay.forward(X).a[1] * replay.params["W2"][:, 0]) ** 2, axis=0))
        replay.fit(X, Y, epochs=1, lr=lr)
        after = np.sqrt(np.mean((replay.forward(X).a[1] * replay.params["W2"][:, 0]) ** 2, axis=0))
        assert np.all((after < before) | (before == 0)), (n, s, epoch, before, after)  # shrinks every epoch
        if dead(replay).all():
            died_by = max(died_by, epoch)
            break
    else:
        raise AssertionError(f"width {n} seed {s}: its units did not all die in the first 20 epochs")
    # a dead unit of the first hidden layer gets exactly zero gradient: nothing can revive it
    g = nets[n, s].gradients(X, Y)
    assert not g["W1"].any() and not g["b1"].any(), g
# no unit died in the wider networks
assert all(not dead(nets[n, s]).any() for n in widths if n >= 4 for s in seeds)
stuck_text = ", ".join(f"width {n} seed {s}" for n, s in stuck)
md(f"""
$\\mathcal{{L}}$ is the standardised loss after training, for each seed; "dead units" counts, over the
three runs, the hidden units that end dead (defined below); the root-mean-square error
(RMSE, not halved) of the best of the {len(seeds)} runs is in the units of $y$, whose values run from
${tex(y.min())}$ to ${tex(y.max())}$. The network with $n_1$ units has $3 n_1 + 1$ parameters. Widening
the layer from {widths[0]} to {widths[-1]} units lowers the best loss by a factor of
${tex(narrow_best / wide_best, 3)}$, and each doubling lowers it.

The narrow networks also show the classic failure of ReLU units: {len(stuck)} runs ({stuck_text})
end at exactly the loss $0.5$ of the constant predictor. In each of them *every* hidden unit is
*dead*: its pre-activation is never positive on the training inputs, so $f_1' = 0$ there (the
library takes $\\mathrm{{ReLU}}'(0) = 0$) and its weight and bias get a gradient of exactly zero.
In a first hidden layer, whose inputs are the fixed training data, nothing can then revive it, and
the output is the constant $b^{{(2)}}_1$, which descent moves to the mean. These units were active on
part of the data at the start and all were dead by epoch {died_by}. Each started with a negative
output weight $w^{{(2)}}_{{j1}}$, a hinge bent the wrong way for a parabola: descent shrank its
contribution $w^{{(2)}}_{{j1}} a^{{(1)}}_j$ to the output at every epoch until it was zero, which a
ReLU unit reaches by moving its kink past all the data. With
4 or more units no unit died in any of the runs.
""")


# %% tags=["hide-input"]
def draw_widths(fig):
    ax = fig.subplots()
    xx = np.linspace(-10.0, 10.0, 401).reshape(-1, 1)
    ax.plot(xx[:, 0], xx[:, 0] ** 2, color="C5", linewidth=5, alpha=0.4, label="$y = x^2$")
    for i, n in enumerate(widths):
        ax.plot(xx[:, 0], predict_original(best[n], xx)[:, 0], color=f"C{i}", label=f"$n_1 = {n}$")
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$\hat y$")
    fig.legend(loc="outside upper center", ncols=3)


figure(
    draw_widths,
    alt=(
        "The fitted curves of the best run of each width against the parabola y = x² on "
        f"[−10, 10]. One unit gives a single hinge (RMSE {num(rmse[1], 3)}), two units a V shape "
        f"(RMSE {num(rmse[2], 3)}); from four units on the polygon hugs the parabola (RMSE "
        f"{num(rmse[4], 3)}, {num(rmse[8], 3)} and {num(rmse[16], 3)} for 4, 8 and 16 units)."
    ),
    caption="The best of three runs per width, mapped back to the original units.",
)

# %% [markdown]
# ## Scale the data first
#
# The neuron-by-neuron tutorial found that training on the raw numbers "looks very unstable" and
# made it more stable by dividing the inputs and the targets by their largest values. Here is what
# goes wrong without scaling, measured. The same network, $8$ tanh units, is trained for $1500$
# epochs on the raw data ($x$ up to $10$, $y$ up to $100$) and on the standardised data; losses are
# compared in the original units
# of $y$.

# %% tags=["hide-input"]
def train(data_x, data_y, lr, hidden="tanh", scale=1.0):
    net = bp.MLP([1, 8, 1], hidden=hidden, loss="mse", seed=0)
    fp0 = net.forward(data_x)
    start = {"z": fp0.z[1], "error": fp0.output - data_y, "W1": net.params["W1"].copy()}
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # the divergent run overflows on purpose
            history = net.fit(data_x, data_y, epochs=epochs, lr=lr)
        diverged = None
    except bp.TrainingDiverged as err:
        history, diverged = err.history, len(err.history.loss)
    z = net.forward(data_x).z[1]
    return {
        "net": net, "loss": history.loss * scale, "grad0": history.grad_norm[0], "diverged": diverged,
        "start": start, "z": z,
        "saturated": float(np.mean(np.abs(z) > 2.5)),  # tanh'(z) < 0.027 there
        "slope": float(np.mean(1.0 - np.tanh(z) ** 2)),
    }


runs = {
    "standardised, 0.2": train(X, Y, 0.2, scale=y_std**2),
    "raw, 0.2": train(x, y, 0.2),
    "raw, 0.01": train(x, y, 0.01),
    "raw, 0.001": train(x, y, 0.001),
}
relu_raw = train(x, y, 0.2, hidden="relu")
relu_std = train(X, Y, 0.2, hidden="relu", scale=y_std**2)
md_table(
    ["data, learning rate", "gradient norm at start", r"$\mathcal{L}$ at the end",
     r"% of $\lvert z\rvert > 2.5$", r"mean $\tanh'(z)$"],
    [[name, r["grad0"], r["loss"][-1], 100 * r["saturated"], r["slope"]] for name, r in runs.items()],
    fmt=3,
)

# %% tags=["hide-input"]
std_run, raw_run = runs["standardised, 0.2"], runs["raw, 0.2"]
sat_start = np.abs(raw_run["start"]["z"]) > 2.5
sat_init = float(np.mean(sat_start))
glorot = np.sqrt(6 / (1 + 8))
tanh_slope_25 = 1 - np.tanh(2.5) ** 2
slope_bound = np.ceil(tanh_slope_25 * 1000) / 1000  # tanh'(z) < slope_bound for |z| > 2.5
error_ratio = (np.sqrt(np.mean(raw_run["start"]["error"] ** 2))
               / np.sqrt(np.mean(std_run["start"]["error"] ** 2)))
grad_ratio = raw_run["grad0"] / std_run["grad0"]
best_raw = min((r["loss"][-1], name) for name, r in runs.items() if name.startswith("raw"))
lr01, lr001 = runs["raw, 0.01"]["loss"], runs["raw, 0.001"]["loss"]
assert np.abs(raw_run["start"]["W1"]).max() <= glorot and tanh_slope_25 < slope_bound
assert np.all(~sat_start | (np.abs(raw_run["z"]) > 2.5))  # every saturated pre-activation stays so
assert raw_run["saturated"] > 0.9 and raw_run["saturated"] > sat_init
assert grad_ratio > 10 and error_ratio > 10, (grad_ratio, error_ratio)
# the earlier text said 'a hundred times larger': neither the scale nor the gradient ratio is
assert y_std < 50 and grad_ratio < 90, (y_std, grad_ratio)
assert best_raw[0] > 10 * std_run["loss"][-1]
assert np.all(np.diff(lr001) < 0) and lr001[-1] > best_raw[0]  # lr 0.001: steady, but slow
assert lr01.min() < lr01[-1]  # lr 0.01: the loss went back up after its minimum
tail01 = lr01[-100:]            # ... and oscillates: it changes direction often, over a wide range
assert np.sum(np.diff(np.sign(np.diff(tail01))) != 0) > 20 and tail01.max() > 1.5 * tail01.min()
md(f"""
The gradient norm is that of all parameters' gradients together, at the start; the last two
columns describe the hidden pre-activations $z^{{(1)}}$ on the training inputs at the end. Two things
go wrong with raw data.

**Saturated units.** The first layer's weights start at a scale suited to inputs of size 1
(Glorot: $\\lvert w \\rvert \\le {tex(glorot, 3)}$ here), so with $\\lvert x \\rvert$ up to $10$ the
pre-activations $z^{{(1)}} = x\\, w^{{(1)}}_{{1j}} + b^{{(1)}}_j$ reach far into the flat tails of tanh:
{num(100 * sat_init, 2)} % of them have $\\lvert z \\rvert > 2.5$, where
$\\tanh'(z) < {tex(slope_bound)}$, before the first update. The gradient of a first-layer weight is
$\\partial \\mathcal{{L}}/\\partial w^{{(1)}}_{{1j}} = \\sum_i x_i\\, \\delta^{{(1)}}_{{ij}}$ with
$\\delta^{{(1)}}_{{ij}} = \\delta^{{(2)}}_{{i1}}\\, w^{{(2)}}_{{j1}} \\tanh'(z^{{(1)}}_{{ij}})$, so a saturated
unit passes almost no gradient back. In the raw run at learning rate $0.2$ every pre-activation
that starts saturated is still saturated at the end, and the share grows to
{num(100 * raw_run['saturated'], 2)} %, with a mean slope of tanh on the data of
${tex(raw_run['slope'], 2)}$: the hidden layer has turned into a set of step functions.

**Large gradients.** The raw targets are the standardised ones times $s_y = {tex(y_std)}$ (plus
$\\bar y$), and the raw inputs are the standardised ones times $s_x = {tex(x_std)}$. At the start
the errors $\\hat y - y$ are {num(error_ratio, 2)} times larger (in root mean square) than on
standardised data, and the gradient norm is ${tex(raw_run['grad0'], 3)}$ against
${tex(std_run['grad0'], 3)}$, {num(grad_ratio, 2)} times larger. A smaller learning rate does not
rescue the raw data: at $0.01$ the loss does not settle (over the last 100 epochs it swings
between ${tex(tail01.min(), 3)}$ and ${tex(tail01.max(), 3)}$) and ends at ${tex(lr01[-1], 3)}$;
at $0.001$ it falls at every epoch but only to ${tex(lr001[-1], 3)}$. The
standardised network ends at ${tex(std_run['loss'][-1], 3)}$ in the same number of epochs,
{num(best_raw[0] / std_run['loss'][-1], 2)} times lower than the best raw run.

Tanh at least keeps the hidden outputs bounded. A ReLU network has no such brake: on the raw data at
learning rate $0.2$ its gradient norm starts at ${tex(relu_raw['grad0'], 3)}$, the loss of its first
{relu_raw['diverged']} epochs goes {' → '.join(num(v, 3) for v in relu_raw['loss'])}, and in the next
it overflows, which `fit` reports by raising `TrainingDiverged`. On standardised data the same ReLU
network at the same learning rate ends at a loss of ${tex(relu_std['loss'][-1], 3)}$ (original units).
""")
assert relu_raw["diverged"] is not None and relu_std["diverged"] is None


# %% tags=["hide-input"]
def draw_scaling(fig):
    ax = fig.subplots()
    for name, r in runs.items():
        ax.plot(np.arange(1, len(r["loss"]) + 1), r["loss"], label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss (original units)")
    fig.legend(loc="outside upper center", ncols=2)


figure(
    draw_scaling,
    alt=(
        "Training loss in the original units for four runs of the same 8-unit tanh network. "
        f"Standardised data ends at {num(std_run['loss'][-1], 3)}; the raw-data runs at learning rates "
        f"0.2, 0.01 and 0.001 end at {num(runs['raw, 0.2']['loss'][-1], 3)}, "
        f"{num(lr01[-1], 3)} and {num(lr001[-1], 3)}."
    ),
    caption="Same network (8 tanh units), same epochs: only the scaling of the data and the learning "
            "rate differ.",
)

# %% [markdown]
# Standardising is cheap insurance: the statistics are computed on the training data once, the
# network trains in units where weights of size 1 make sense, and the predictions are mapped back
# with one multiplication and one addition.
#
# ## Where it fails: outside the training interval
#
# The network has seen $x \in [-10, 10]$. What does it predict at $x = 20$, where $x^2 = 400$?
# Away from the data, each ReLU unit is either off or a straight line, and to the right of the
# rightmost corner nothing changes any more: the network is exactly linear,
#
# $$
# \hat Y_i = \Bigl(\sum_{j:\,w^{(1)}_{1j} > 0} w^{(2)}_{j1} w^{(1)}_{1j}\Bigr) X_i + \text{const}
# \qquad \text{for } X_i > \max_j \bigl(-b^{(1)}_j / w^{(1)}_{1j}\bigr) ,
# $$
#
# while the parabola keeps steepening. A tanh network is bounded instead: every unit flattens out,
# so its prediction tends to a constant as $x$ grows.

# %% tags=["hide-input"]
relu_net, tanh_net = best[16], std_run["net"]
W1, b1, W2 = relu_net.params["W1"][0], relu_net.params["b1"], relu_net.params["W2"][:, 0]
live = (W1 != 0) & (W2 != 0)
corners = np.sort(x_mean + x_std * (-b1[live] / W1[live]))  # in the original units of x
# between consecutive corners the prediction is a straight line: a polygon with at most 16 corners
for lo, hi in zip(np.concatenate([[corners[0] - 2], corners]), np.concatenate([corners, [corners[-1] + 2]]),
                  strict=True):
    pts = predict_original(relu_net, np.linspace(lo, hi, 5).reshape(-1, 1))[:, 0]
    assert np.allclose(np.diff(pts, 2), 0, atol=1e-9), (lo, hi, pts)
assert len(corners) <= 16
slope_right = float(np.sum((W2 * W1)[W1 > 0])) * y_std / x_std
x_far = np.array([[12.0], [15.0], [20.0]])
relu_far = predict_original(relu_net, x_far)[:, 0]
tanh_far = predict_original(tanh_net, x_far)[:, 0]
slope_measured = float((relu_far[2] - relu_far[1]) / (x_far[2, 0] - x_far[1, 0]))
outer = float(corners.max())

# SymPy: the slope one hinge v * max(0, w x + b) contributes far to the right and far to the left
xs_, v_, b_ = sp.symbols("x v b", real=True)
w_pos, w_neg = sp.Symbol("w", positive=True), sp.Symbol("w", negative=True)
hinge_slopes = {}
for w_ in (w_pos, w_neg):
    d_hinge = sp.diff(v_ * sp.Max(0, w_ * xs_ + b_), xs_)  # v w Heaviside(w x + b)
    assert d_hinge == v_ * w_ * sp.Heaviside(w_ * xs_ + b_), d_hinge   # the formula shown below
    hinge_slopes[w_] = (sp.limit(d_hinge, xs_, sp.oo), sp.limit(d_hinge, xs_, -sp.oo))
assert hinge_slopes == {w_pos: (v_ * w_pos, 0), w_neg: (0, v_ * w_neg)}, hinge_slopes
slope_sympy = sum(
    float(hinge_slopes[w_pos][0].subs({v_: v, w_pos: w})) if w > 0 else float(hinge_slopes[w_neg][0])
    for v, w in zip(W2, W1, strict=True)
) * y_std / x_std
assert x_far[1, 0] > outer
assert abs(slope_right - slope_sympy) < 1e-9 * abs(slope_right)
assert abs(slope_right - slope_measured) < 1e-9 * abs(slope_right)
# tanh: errors larger than ReLU's at every x shown, and far from 400 at x = 20
assert np.all(np.abs(tanh_far - x_far[:, 0] ** 2) > np.abs(relu_far - x_far[:, 0] ** 2))
assert abs(relu_far[2] - 400) > 100 and abs(tanh_far[2] - 400) > 100
# the tanh network does not level off: it peaks and then falls towards its limit
x_right = np.linspace(10.0, 1e4, 199_801)  # step 0.05
tanh_right = predict_original(tanh_net, x_right.reshape(-1, 1))[:, 0]
peak = int(np.argmax(tanh_right))
x_peak, y_peak = float(x_right[peak]), float(tanh_right[peak])
assert 10 < x_peak < 100 and np.all(np.diff(tanh_right[peak:]) <= 0), x_peak  # never rises again
assert tanh_right[-1] < 0.05 * y_peak  # it does not 'level off': it loses over 95 % of its peak
tanh_100 = float(predict_original(tanh_net, np.array([[100.0]]))[0, 0])

md(f"""
For the best 16-unit ReLU network the rightmost corner is at $x = {tex(outer, 3)}$; its
{len(corners)} corners are where the polygon bends. SymPy differentiates one unit's contribution
to the output with respect to the input,
$\\frac{{\\partial}}{{\\partial X_i}}\\, w^{{(2)}}_{{j1}} \\max\\bigl(0, X_i w^{{(1)}}_{{1j}} + b^{{(1)}}_j\\bigr)
= w^{{(2)}}_{{j1}} w^{{(1)}}_{{1j}}\\, \\bigl[X_i w^{{(1)}}_{{1j}} + b^{{(1)}}_j > 0\\bigr]$
(the bracket is 1 where the inequality holds and 0 elsewhere; SymPy writes it as the unit step), whose
limit for $X_i \\to \\infty$ is $w^{{(2)}}_{{j1}} w^{{(1)}}_{{1j}}$ if $w^{{(1)}}_{{1j}} > 0$ and $0$ if
$w^{{(1)}}_{{1j}} < 0$. Summed over the trained units, to the right of the last corner the slope is
$\\frac{{s_y}}{{s_x}} \\sum_{{j:\\, w^{{(1)}}_{{1j}} > 0}} w^{{(2)}}_{{j1}} w^{{(1)}}_{{1j}} = {tex(slope_sympy)}$
(the predictions between $x = 15$ and $20$ rise at ${tex(slope_measured)}$ per unit), whereas
$\\mathrm{{d}}(x^2)/\\mathrm{{d}}x$ is already $20$ at the edge of the data and $40$ at $x = 20$.
The tanh network's errors are larger still at each of these points:
""")
md_table(
    ["$x$", "$x^2$", "ReLU, 16 units", "error", "tanh, 8 units", "error"],
    [[int(xv), int(xv * xv), r, r - xv * xv, t, t - xv * xv]
     for xv, r, t in zip(x_far[:, 0], relu_far, tanh_far, strict=True)],
)
md(f"""
It does not even level off: to the right of the data it reaches a maximum of ${tex(y_peak, 3)}$
near $x = {tex(x_peak, 2)}$ and then falls, to ${tex(tanh_100, 3)}$ at $x = 100$ and towards a
limit of ${tex(tanh_right[-1], 3)}$ (exercise 3).
""")


# %% tags=["hide-input"]
def draw_extrapolation(fig):
    ax = fig.subplots()
    xx = np.linspace(-20.0, 20.0, 401).reshape(-1, 1)
    ax.axvspan(-10, 10, color="C2", alpha=0.12, linewidth=0, label="training interval")
    ax.plot(xx[:, 0], xx[:, 0] ** 2, color="C5", linewidth=5, alpha=0.4, label="$y = x^2$")
    ax.plot(xx[:, 0], predict_original(relu_net, xx)[:, 0], color="C0", label="16 ReLU units")
    ax.plot(xx[:, 0], predict_original(tanh_net, xx)[:, 0], color="C1", label="8 tanh units", linestyle="--")
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$\hat y$")
    fig.legend(loc="outside upper center", ncols=2)


figure(
    draw_extrapolation,
    alt=(
        "On [−20, 20] the parabola rises to 400 at both ends. Inside the shaded training interval "
        "[−10, 10] both networks follow it. Outside, the ReLU network continues in straight lines "
        f"(it predicts {num(relu_far[2], 3)} at x = 20) and the tanh network bends over (it predicts "
        f"{num(tanh_far[2], 3)} at x = 20, close to its maximum of {num(y_peak, 3)})."
    ),
    caption="Both networks fit the training interval; neither knows what a parabola does outside it.",
)

# %% [markdown]
# Nothing in the training data says that the curve keeps bending, and nothing in a ReLU or tanh
# network makes it bend on its own: a fitted network *interpolates* well and *extrapolates*
# according to its own building blocks. If the behaviour outside the data matters, it has to come
# from the data (train over the range you will use) or from the model (features such as $x^2$, or a
# different architecture).
#
# ## Checks
#
# The gradients of the trained networks, on all 81 training points, agree with centred
# finite differences; entries whose finite-difference stencil crosses a ReLU corner are counted
# as kinks and left out, since the loss has no derivative there.

# %% tags=["hide-input"]
fd_relu = bp.check_gradients(relu_net, X, Y)
fd_tanh = bp.check_gradients(tanh_net, X, Y)
md_table(
    ["network", "entries", "largest relative error", "kinks left out", "result"],
    [[name, int(sum(p.analytic.size for p in rep.parameters.values())), rep.max_rel_error,
      int(rep.kinks), "ok" if rep.ok else "FAILED"]
     for name, rep in [("the tutorial's chain at (3, 9)", chain_fd),
                       ("16 ReLU units, trained", fd_relu), ("8 tanh units, trained", fd_tanh)]],
    fmt=2,
)

# %% tags=["hide-input"]
# SymPy (the library's symbolic module) == library == finite differences on the chain (before training)
derivation.check()
assert chain_fd.ok and chain_fd.max_rel_error < 1e-7, chain_fd
for key, g in derivation.library.items():
    assert np.allclose(g, chain_fd.parameters[key].numeric, rtol=1e-7, atol=0), key
    assert np.allclose(g, sympy_grads[key], rtol=1e-12, atol=0), key  # == the page's own SymPy
assert source_losses[-1] < 1e-12
# trained networks: library == finite differences
assert fd_relu.ok and fd_relu.max_rel_error < 1e-7, fd_relu
assert fd_tanh.ok and fd_tanh.max_rel_error < 1e-7, fd_tanh
# loss in original units = s_y^2 x standardised loss (SymPy above, numerically here)
yhat_std = std_run["net"].predict(X)
assert np.isclose(0.5 * np.mean((y_mean + y_std * yhat_std - y) ** 2), std_run["net"].loss(X, Y) * y_std**2)
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1. Small inputs.** The neuron-by-neuron tutorial reports that its network predicts the squares
# of small numbers "terribly", and blames inputs that are "too small for activation functions".
# Compare the absolute and the relative errors of the 16-unit ReLU network for $|x| \le 2$ and for
# $|x| \ge 8$. What does the loss actually control?

# %% tags=["hide-input"]
err = (predict_original(relu_net, x) - y)[:, 0]
small, large = np.abs(x[:, 0]) <= 2, np.abs(x[:, 0]) >= 8
abs_small, abs_large = np.abs(err[small]).mean(), np.abs(err[large]).mean()
nz = np.abs(x[:, 0]) >= 1  # relative error needs y != 0
rel_small = np.mean(np.abs(err[small & nz]) / y[small & nz, 0])
rel_large = np.mean(np.abs(err[large]) / y[large, 0])
assert rel_small > 5 * rel_large, (rel_small, rel_large)
assert abs_small < 5 * abs_large and abs_large < 5 * abs_small, (abs_small, abs_large)
relu_z = np.linspace(-3, 3, 13)
assert all(np.array_equal(np.maximum(0, c * relu_z), c * np.maximum(0, relu_z)) for c in (0.01, 0.5, 4.0))
solution(f"""
The mean absolute error is ${tex(abs_small, 3)}$ for $|x| \\le 2$ and ${tex(abs_large, 3)}$ for
$|x| \\ge 8$: the same order of magnitude. The mean relative error (for $1 \\le |x| \\le 2$, since
$y = 0$ at $x = 0$) is {num(100 * rel_small, 3)} % against {num(100 * rel_large, 3)} % for
$|x| \\ge 8$. The half squared error penalises absolute errors, and an absolute error that is
negligible next to $y = 100$ is large next to $y = 1$. Nothing is "too small for the activation
functions": ReLU is positively homogeneous, $\\max(0, c z) = c \\max(0, z)$ for every $c > 0$, so
there is no scale below which its values stop counting; and the standardised inputs here lie
within $\\pm{tex(np.abs(X).max(), 3)}$ anyway. To care about relative errors, change what the loss
measures (for example, fit $\\ln(1 + y)$, whose differences are the logarithms of ratios of $1 + y$) rather than the
network.
""")

# %% [markdown]
# **2. Counting corners.** Each ReLU unit bends the curve once. Show that the slope of the
# 16-unit network far to the right minus its slope far to the left equals
# $\frac{s_y}{s_x}\sum_j w^{(2)}_{j1} \lvert w^{(1)}_{1j} \rvert$, and compare it with the change of
# slope of $x^2$ over $[-10, 10]$.

# %% tags=["hide-input"]
slope_left = float(np.sum((W2 * W1)[W1 < 0])) * y_std / x_std
bends = W2 * np.abs(W1) * y_std / x_std  # each unit's change of slope at its corner
total_bend = float(np.sum(bends))
far = predict_original(relu_net, np.array([[-1e3], [-1e3 + 1], [1e3], [1e3 + 1]]))[:, 0]
assert abs((far[3] - far[2]) - (far[1] - far[0]) - total_bend) < 1e-8 * abs(total_bend)
unit_corners = x_mean + x_std * (-b1 / W1)
inside = (unit_corners > -10) & (unit_corners < 10)
bend_inside = float(np.sum(bends[inside]))
assert inside.sum() >= len(W1) - 2
solution(f"""
A unit with $w^{{(1)}}_{{1j}} > 0$ is off on the left and has slope $w^{{(2)}}_{{j1}} w^{{(1)}}_{{1j}}$ on
the right: its corner adds $w^{{(2)}}_{{j1}} \\lvert w^{{(1)}}_{{1j}} \\rvert$ to the slope. A unit with
$w^{{(1)}}_{{1j}} < 0$ has slope $w^{{(2)}}_{{j1}} w^{{(1)}}_{{1j}}$ on the left and is off on the right:
its corner adds $-w^{{(2)}}_{{j1}} w^{{(1)}}_{{1j}} = w^{{(2)}}_{{j1}} \\lvert w^{{(1)}}_{{1j}} \\rvert$.
Summing, and converting to original units with $s_y/s_x$: far left the slope is
${tex(slope_left)}$, far right ${tex(slope_right)}$, a total bend of ${tex(total_bend)}$ (measured from
predictions at $x = \\pm 1000$: ${tex((far[3] - far[2]) - (far[1] - far[0]))}$). The parabola's slope
$2x$ goes from $-20$ to $20$, a bend of $40$. The network puts {int(inside.sum())} of its
{len(W1)} corners inside the data, and with them a bend of ${tex(bend_inside)}$.
""")

# %% [markdown]
# **3. The tanh network far away.** What value does the 8-unit tanh network predict as
# $x \to +\infty$? Compute it from the weights and compare with the predictions at $x = 10^3$ and
# $x = 10^4$.

# %% tags=["hide-input"]
tW1, tb1 = tanh_net.params["W1"][0], tanh_net.params["b1"]
tW2, tb2 = tanh_net.params["W2"][:, 0], tanh_net.params["b2"][0]
limit = y_mean + y_std * (float(np.sum(tW2 * np.sign(tW1))) + tb2)
at_1e3, at_1e4 = predict_original(tanh_net, np.array([[1e3], [1e4]]))[:, 0]
assert abs(limit - at_1e4) < 1e-9 * max(1.0, abs(limit)), (limit, at_1e4)
# what is left at x = 1000 comes from the units with the smallest weights
X_1e3 = (1e3 - x_mean) / x_std
left_over = y_std * tW2 * (np.tanh(tW1 * X_1e3 + tb1) - np.sign(tW1))
slow = np.abs(tW1) < 0.05
assert abs(left_over.sum() - (at_1e3 - limit)) < 1e-9 and abs(at_1e3 - limit) > 1e-3
assert abs(left_over[slow].sum()) > 0.99 * abs(left_over.sum()), left_over
solution(f"""
As $x \\to +\\infty$, $\\tanh(X_i w^{{(1)}}_{{1j}} + b^{{(1)}}_j) \\to \\operatorname{{sign}}(w^{{(1)}}_{{1j}})$,
so $\\hat Y_i \\to \\sum_j w^{{(2)}}_{{j1}} \\operatorname{{sign}}(w^{{(1)}}_{{1j}}) + b^{{(2)}}_1$ and
$\\hat y_i \\to \\bar y + s_y\\bigl(\\sum_j w^{{(2)}}_{{j1}} \\operatorname{{sign}}(w^{{(1)}}_{{1j}}) +
b^{{(2)}}_1\\bigr) = {tex(limit)}$. The network predicts ${tex(at_1e4)}$ at $x = 10^4$, where
$x^2 = 10^8$. At $x = 10^3$ it still predicts ${tex(at_1e3)}$: {int(slow.sum())} units have weights
as small as $\\lvert w^{{(1)}}_{{1j}} \\rvert = {tex(np.abs(tW1).min(), 2)}$ (in standardised units), so
they are not yet saturated there: of the difference ${tex(at_1e3 - limit, 4)}$ from the limit they
contribute ${tex(left_over[slow].sum(), 4)}$, the other {int((~slow).sum())} units together
${tex(abs(left_over[~slow].sum()), 1)}$ in absolute value. On the
way out the prediction peaks at ${tex(y_peak, 3)}$ near $x = {tex(x_peak, 2)}$; after that it never
rises again on a grid of step ${tex(x_right[1] - x_right[0], 2)}$ up to $x = 10^4$.
""")
