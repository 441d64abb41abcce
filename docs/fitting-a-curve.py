# %% [markdown]
# # Fitting a curve
#
# The first real task for a network: learn the function $y = x^2$ from samples of it. The
# network sees only pairs $(x, x^2)$; it has to produce a curve that passes close to them. The
# task is small enough to train dozens of networks in a second, so this chapter can ask the
# questions that matter for every regression problem: how many hidden units are needed, why the
# data must be scaled before training, and what the network predicts where it has seen no data.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import Math, display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution

# %% [markdown]
# ## One point is not a curve
#
# Seed tutorial 004 starts with a chain of three neurons, $x \to$ ReLU $\to$ ReLU $\to$ linear
# output, and trains it on a single pair, $x = 3$, $y = 9$. Its weights and biases come from
# `np.random.seed(0)` followed by `np.random.random()` (six draws, weight before bias, neuron by
# neuron), and its loss is $(\hat y - y)^2$ without the factor $\tfrac12$ this book's MSE carries.
# Both losses have the same minimiser; the book's gradient is half the seed's, so the seed's
# learning rate $0.01$ is the book's $0.02$. With those set-ups the library reproduces the
# seed's run.

# %% tags=["hide-input"]
draws = np.random.RandomState(0).random_sample(6)  # the seed's np.random.seed(0); np.random.random()
chain = bp.MLP([1, 1, 1, 1], hidden="relu", output="identity", loss="mse")
chain.params.update({
    name: np.array([[v]]) if name.startswith("W") else np.array([v])
    for name, v in zip(["W1", "b1", "W2", "b2", "W3", "b3"], draws, strict=True)
})
x_one, y_one = np.array([[3.0]]), np.array([[9.0]])
chain_start = {k: v.copy() for k, v in chain.params.items()}
derivation = bs.derive_network(chain, x_one, y_one)  # SymPy writes the loss and differentiates it
chain_fd = bp.check_gradients(chain, x_one, y_one)  # finite differences
pred_start = float(chain.predict(x_one)[0, 0])
probe = bp.MLP([1, 1, 1, 1], hidden="relu")
probe.params = {k: v.copy() for k, v in chain_start.items()}
small_lr_loss = 2 * probe.fit(x_one, y_one, epochs=2, lr=2 * 1e-4).loss[1]
seed_lr = 0.01
chain_history = chain.fit(x_one, y_one, epochs=1000, lr=2 * seed_lr)
seed_losses = 2 * chain_history.loss  # the seed's loss (yhat - y)^2 is twice the book's
published = {"first": 39.403, "second": 13.823}  # seed 004: "(e.g. 39.403)", then "(e.g. 13.823)"

md(f"""
Before any update the chain predicts $\\hat y = {pred_start:.4f}$ at $x = 3$, a loss of
$(\\hat y - 9)^2 = {seed_losses[0]:.3f}$ in the seed's units. One update brings the loss to
${seed_losses[1]:.3f}$ and a second to ${seed_losses[2]:.3f}$. The seed prints ${published['first']}$
as the loss of the untrained model and ${published['second']}$ after "running the pass": those are
the losses after the first and the second update (the second rounds to ${seed_losses[2]:.3f}$), so
the seed's training cell had already run once. With the learning rate $10^{{-4}}$ the seed sets
just before, one update would give ${small_lr_loss:.3f}$. After {chain_history.epochs} updates
the loss is ${sci(seed_losses[-1])}$: the chain has learned that $3 \\mapsto 9$.
""")

# %% [markdown]
# SymPy agrees with the library on every gradient of that first step. With both ReLUs active at
# $x = 3$ the chain is $\hat y = w_3\,(w_2\,(w_1 x + b_1) + b_2) + b_3$, and for instance

# %% tags=["hide-input"]
display(Math(derivation.gradient_latex("W1", (0, 0))))

# %% [markdown]
# But it has learned nothing else. A chain of single ReLU units computes a piecewise-linear
# function, here a straight line wherever both units are active, and one point fixes only one
# value of that line:

# %% tags=["hide-input"]
x_probe = np.arange(1.0, 7.0).reshape(-1, 1)
y_probe = chain.predict(x_probe)[:, 0]
md_table(["$x$", r"$\hat y$ after training", "$x^2$"],
         [[f"{x:g}", p, f"{x * x:g}"] for x, p in zip(x_probe[:, 0], y_probe, strict=True)], fmt="{:.3f}")
chain_slope = float(np.prod([chain.params[k][0, 0] for k in ("W1", "W2", "W3")]))
md(f"""
The predictions lie on a line of slope ${chain_slope:.3f}$ (the product of the three trained
weights) through $(3, 9)$. To learn a *function* the network needs many points, and to bend
it needs several units side by side.
""")

# %% [markdown]
# ## Many points, one hidden layer
#
# From now on the data are $81$ equally spaced points $x \in [-10, 10]$ with targets $y = x^2$,
# and the network has one hidden layer of $n$ units and a linear output:
#
# $$
# \hat y(x) = \sum_{j=1}^{n} v_j\, \phi(w_j x + b_j) + c ,
# $$
#
# where $w_j, b_j$ are the first layer's weights and biases (`W1`, `b1`) and $v_j, c$ the output
# layer's (`W2`, `b2`). With $\phi = \mathrm{ReLU}$ each unit is a hinge: zero on one side of
# $x = -b_j / w_j$ and a straight line on the other. A sum of $n$ hinges is a polygonal line
# with at most $n$ corners, so the width $n$ is the number of straight pieces (minus one) the
# network can use to follow the parabola.
#
# Before training, both columns are *standardised*: shifted to mean 0 and divided by their
# standard deviation. Why this matters is the subject of the [section on
# scaling](#scale-the-data-first).

# %%
x = np.linspace(-10.0, 10.0, 81).reshape(-1, 1)
y = x**2
x_mean, x_std = x.mean(), x.std()
y_mean, y_std = y.mean(), y.std()
X = (x - x_mean) / x_std  # the network sees X and Y ...
Y = (y - y_mean) / y_std  # ... and its output is mapped back: y_hat = y_mean + y_std * Y_hat

# %% tags=["hide-input"]
md(f"""
Here $\\bar x = {x_mean:.3g}$, $s_x = {x_std:.4f}$, $\\bar y = {y_mean:.4f}$ and
$s_y = {y_std:.4f}$. A prediction in the standardised units maps back as
$\\hat y = \\bar y + s_y \\hat Y$, so an MSE of $L_Y$ on the standardised targets is an MSE of
$s_y^2 L_Y$ on the original ones (SymPy confirms below). The standardised loss of the best
*constant* predictor, $\\hat Y = 0$, is $\\tfrac12 \\operatorname{{var}}(Y) = \\tfrac12$: any network
that ends at $0.5$ has learned nothing but the mean.
""")

# %% tags=["hide-input"]
yh_s, y_s, s_y, m_y = sp.symbols(r"\hat{Y} Y s_y \bar{y}", real=True)
loss_original = sp.Rational(1, 2) * ((m_y + s_y * yh_s) - (m_y + s_y * y_s)) ** 2
loss_standard = sp.Rational(1, 2) * (yh_s - y_s) ** 2
loss_ratio = sp.simplify(loss_original / loss_standard)
assert loss_ratio == s_y**2, loss_ratio

# %% [markdown]
# ## How wide?
#
# Five widths, $n = 1, 2, 4, 8, 16$ ReLU units, each trained from three random initialisations
# (seeds 0, 1, 2) by full-batch gradient descent, $1500$ epochs at learning rate $0.2$:

# %%
widths, seeds, epochs, lr = [1, 2, 4, 8, 16], [0, 1, 2], 1500, 0.2
nets = {}
for n in widths:
    for seed in seeds:
        net = bp.MLP([1, n, 1], hidden="relu", loss="mse", seed=seed)
        net.fit(X, Y, epochs=epochs, lr=lr)
        nets[n, seed] = net

# %% tags=["hide-input"]
final = {key: net.loss(X, Y) for key, net in nets.items()}
best_seed = {n: min(seeds, key=lambda s, n=n: final[n, s]) for n in widths}
best = {n: nets[n, best_seed[n]] for n in widths}


def dead_units(net):
    """Hidden ReLU units whose pre-activation is <= 0 on every training input."""
    return int(np.sum(np.all(net.forward(X).z[1] <= 0, axis=0)))


def predict_original(net, x_values):
    return y_mean + y_std * net.predict((x_values - x_mean) / x_std)


rmse = {n: float(np.sqrt(np.mean((predict_original(best[n], x) - y) ** 2))) for n in widths}
n_params = {n: sum(p.size for p in best[n].params.values()) for n in widths}
stuck = [(n, s) for n in widths for s in seeds if abs(final[n, s] - 0.5) < 1e-6]
md_table(
    ["width $n$", "parameters", *[f"loss, seed {s}" for s in seeds], "dead units (all seeds)",
     "RMSE of best, original units"],
    [[f"{n}", f"{n_params[n]}", *[final[n, s] for s in seeds],
      f"{sum(dead_units(nets[n, s]) for s in seeds)}", f"{rmse[n]:.3f}"] for n in widths],
    fmt="{:.5f}",
)

# %% tags=["hide-input"]
stuck_text = ", ".join(f"width {n} seed {s}" for n, s in stuck)
narrow_best, wide_best = (final[n, best_seed[n]] for n in (widths[0], widths[-1]))
md(f"""
The loss is the standardised MSE after training; the root-mean-square error of the best of the
{len(seeds)} runs is in the units of $y$ (whose values run from $0$ to $100$). Widening the layer from
{widths[0]} to {widths[-1]} units lowers the best loss by a factor of
${narrow_best / wide_best:.0f}$. The narrow networks also show the
classic failure of ReLU units: {len(stuck)} runs ({stuck_text}) end at exactly the loss $0.5$
of the constant predictor. Their only useful unit is *dead* — its pre-activation is negative on
every input, so its gradient is zero and nothing can revive it. It happens when the output weight
$v_j$ starts with the wrong sign: descent then shrinks the unit's output towards zero, and a ReLU
can reach zero output by pushing its whole input range below the kink. Wider layers have spare
units, so one dead unit costs little.
""")


# %% tags=["hide-input"]
def draw_widths(fig):
    ax = fig.subplots()
    xx = np.linspace(-10.0, 10.0, 401).reshape(-1, 1)
    ax.plot(xx[:, 0], xx[:, 0] ** 2, color="0.5", linewidth=4, alpha=0.45, label="$y = x^2$")
    for n in widths:
        ax.plot(xx[:, 0], predict_original(best[n], xx)[:, 0], label=f"n = {n}")
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$\hat y$")
    ax.legend(ncols=2, fontsize=9)


figure(
    draw_widths,
    alt=(
        "The fitted curves of the best run of each width against the parabola y = x squared on "
        f"[-10, 10]. One unit gives a single hinge (RMSE {rmse[1]:.1f}), two units a V shape "
        f"(RMSE {rmse[2]:.1f}); from four units on the polygon hugs the parabola (RMSE "
        f"{rmse[4]:.2f}, {rmse[8]:.2f} and {rmse[16]:.2f} for 4, 8 and 16 units)."
    ),
    caption="The best of three runs per width, mapped back to the original units.",
)

# %% [markdown]
# ## Scale the data first
#
# Seed 004 found that training on the raw numbers "looks very unstable" and cured it by dividing
# the data by its largest value. Here is what goes wrong without scaling, measured. The same
# network, $8$ tanh units, is trained for $1500$ epochs on the raw data ($x$ up to $10$, $y$ up to
# $100$) and on the standardised data; losses are compared in the original units of $y$.

# %% tags=["hide-input"]
def train(data_x, data_y, lr, hidden="tanh", scale=1.0):
    net = bp.MLP([1, 8, 1], hidden=hidden, loss="mse", seed=0)
    grad0 = net.fit(data_x, data_y, epochs=1, lr=lr).grad_norm[0]
    net = bp.MLP([1, 8, 1], hidden=hidden, loss="mse", seed=0)  # start again from the same weights
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # the divergent run overflows on purpose
            history = net.fit(data_x, data_y, epochs=epochs, lr=lr)
        diverged = None
    except bp.TrainingDiverged as err:
        history, diverged = err.history, len(err.history.loss)
    z = net.forward(data_x).z[1]
    return {
        "net": net, "loss": history.loss * scale, "grad0": grad0, "diverged": diverged,
        "saturated": float(np.mean(np.abs(z) > 2.5)),  # tanh'(z) < 0.027 there
        "slope": float(np.mean(1.0 - np.tanh(z) ** 2)),
    }


runs = {
    "standardised, lr 0.2": train(X, Y, 0.2, scale=y_std**2),
    "raw, lr 0.2": train(x, y, 0.2),
    "raw, lr 0.01": train(x, y, 0.01),
    "raw, lr 0.001": train(x, y, 0.001),
}
relu_raw = train(x, y, 0.2, hidden="relu")
relu_std = train(X, Y, 0.2, hidden="relu", scale=y_std**2)
sat_init = float(np.mean(np.abs(bp.MLP([1, 8, 1], hidden="tanh", seed=0).forward(x).z[1]) > 2.5))

md_table(
    ["tanh network, data and learning rate", "gradient norm at start", "final MSE (original units)",
     r"share of $\lvert z\rvert > 2.5$ at the end", r"mean $\tanh'(z)$ at the end"],
    [[name, r["grad0"], r["loss"][-1], f"{r['saturated']:.0%}", r["slope"]] for name, r in runs.items()],
    fmt="{:.4g}",
)

# %% tags=["hide-input"]
std_run, raw_run = runs["standardised, lr 0.2"], runs["raw, lr 0.2"]
best_raw = min((r["loss"][-1], name) for name, r in runs.items() if name.startswith("raw"))
md(f"""
Two things go wrong with raw data.

**Saturated units.** The first layer's weights start at a scale suited to inputs of size 1
(Glorot: $|w| \\le {np.sqrt(6 / 9):.3f}$ here), so with $|x|$ up to $10$ the pre-activations
$z = wx + b$ reach far into the flat tails of tanh: {sat_init:.0%} of them have $|z| > 2.5$,
where $\\tanh'(z) < {1 - np.tanh(2.5) ** 2:.3f}$, before the first update. By the gradient rule
$\\partial L/\\partial w_j = \\sum_i x_i\\, \\delta_i\\, \\tanh'(z_{{ij}})$ a saturated unit passes
almost no gradient back, so it stays saturated. Training at the same learning rate as the
standardised run pushes that share to {raw_run['saturated']:.0%} and the mean slope of tanh on
the data to ${raw_run['slope']:.4f}$: the hidden layer has turned into a set of step functions.

**Large gradients.** The targets are a hundred times larger, so the errors $\\hat y - y$ and with
them every gradient are too: the gradient norm at the start is ${raw_run['grad0']:.1f}$ against
${std_run['grad0']:.3f}$ for standardised data. A smaller learning rate keeps the steps sane but
then the network crawls. The best raw run above reaches an MSE of ${best_raw[0]:.1f}$
({best_raw[1]}); the standardised network reaches ${std_run['loss'][-1]:.3f}$ in the same number
of epochs, ${best_raw[0] / std_run['loss'][-1]:.0f}$ times lower.

Tanh at least keeps the hidden outputs bounded. A ReLU network has no such brake: on the raw data at
learning rate $0.2$ its gradient norm starts at ${relu_raw['grad0']:.0f}$, and training raises
`TrainingDiverged` after {relu_raw['diverged']} epochs, the loss having gone
{' → '.join(f'{v:.3g}' for v in relu_raw['loss'])}. On standardised data the same ReLU network
at the same learning rate ends at an MSE of ${relu_std['loss'][-1]:.3f}$.
""")


# %% tags=["hide-input"]
def draw_scaling(fig):
    ax = fig.subplots()
    for name, r in runs.items():
        ax.plot(np.arange(1, len(r["loss"]) + 1), r["loss"], label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE in original units")
    ax.legend(title="8 tanh units", fontsize=9)


figure(
    draw_scaling,
    alt=(
        f"Training loss in the original units for four runs of the same 8-unit tanh network. "
        f"Standardised data ends at {std_run['loss'][-1]:.3f}; the raw-data runs at learning rates "
        f"0.2, 0.01 and 0.001 end at {runs['raw, lr 0.2']['loss'][-1]:.0f}, "
        f"{runs['raw, lr 0.01']['loss'][-1]:.0f} and {runs['raw, lr 0.001']['loss'][-1]:.0f}."
    ),
    caption="Same network, same epochs: only the scaling of the data differs.",
)

# %% [markdown]
# Standardising is cheap insurance: the statistics are computed on the training data once, the
# network trains in units where weights of size 1 make sense, and the predictions are mapped back
# with one multiplication and one addition.
#
# ## Where it fails: outside the training interval
#
# The network has seen $x \in [-10, 10]$. What does it predict at $x = 20$, where $x^2 = 400$?
# Away from the data, each ReLU unit is either off or a straight line, and beyond the outermost
# corner nothing changes any more: the network is exactly linear,
#
# $$
# \hat Y(X) = \Bigl(\sum_{j:\,w_j > 0} v_j w_j\Bigr) X + \text{const} \qquad \text{for } X
# \text{ beyond every corner } -b_j/w_j ,
# $$
#
# while the parabola keeps steepening. A tanh network does worse still: every unit flattens out,
# so its prediction tends to a constant.

# %% tags=["hide-input"]
relu_net, tanh_net = best[16], std_run["net"]
W1, b1, W2 = relu_net.params["W1"][0], relu_net.params["b1"], relu_net.params["W2"][:, 0]
live = np.abs(W1) > 0
corners = x_mean + x_std * (-b1[live] / W1[live])  # in the original units of x
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
    hinge_slopes[w_] = (sp.limit(d_hinge, xs_, sp.oo), sp.limit(d_hinge, xs_, -sp.oo))
assert hinge_slopes == {w_pos: (v_ * w_pos, 0), w_neg: (0, v_ * w_neg)}, hinge_slopes
slope_sympy = sum(
    float(hinge_slopes[w_pos][0].subs({v_: v, w_pos: w})) if w > 0 else float(hinge_slopes[w_neg][0])
    for v, w in zip(W2, W1, strict=True)
) * y_std / x_std

md(f"""
For the best 16-unit ReLU network the outermost corner on the right is at $x = {outer:.2f}$
(the corners inside $[-10, 10]$ are where the polygon bends). SymPy differentiates one hinge,
$\\frac{{\\mathrm d}}{{\\mathrm dx}}\\, v \\max(0, wx + b) = {sp.latex(d_hinge)}$
($\\theta$ is the unit step), whose limit for $x \\to \\infty$ is $vw$ if $w > 0$ and $0$ if
$w < 0$. Summed over the trained units, to the right of the last corner the slope is
$\\frac{{s_y}}{{s_x}} \\sum_{{w_j>0}} v_j w_j = {slope_sympy:.3f}$ (the
predictions between $x = 15$ and $20$ rise at ${slope_measured:.3f}$ per unit), whereas
$\\mathrm{{d}}(x^2)/\\mathrm{{d}}x$ is already $20$ at the edge of the data and $40$ at $x = 20$.
""")
md_table(
    ["$x$", "$x^2$", "ReLU network (16 units)", "error", "tanh network (8 units)", "error"],
    [[f"{xv:g}", f"{xv * xv:g}", r, r - xv * xv, t, t - xv * xv]
     for xv, r, t in zip(x_far[:, 0], relu_far, tanh_far, strict=True)],
    fmt="{:.1f}",
)


# %% tags=["hide-input"]
def draw_extrapolation(fig):
    ax = fig.subplots()
    xx = np.linspace(-20.0, 20.0, 401).reshape(-1, 1)
    ax.axvspan(-10, 10, color="0.5", alpha=0.15, label="training interval")
    ax.plot(xx[:, 0], xx[:, 0] ** 2, color="0.5", linewidth=4, alpha=0.45, label="$y = x^2$")
    ax.plot(xx[:, 0], predict_original(relu_net, xx)[:, 0], label="16 ReLU units")
    ax.plot(xx[:, 0], predict_original(tanh_net, xx)[:, 0], label="8 tanh units", linestyle="--")
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$\hat y$")
    ax.legend(fontsize=9)


figure(
    draw_extrapolation,
    alt=(
        "On [-20, 20] the parabola rises to 400 at both ends. Inside the shaded training interval "
        "[-10, 10] both networks follow it. Outside, the ReLU network continues in straight lines "
        f"(it predicts {relu_far[2]:.0f} at x = 20) and the tanh network levels off (it predicts "
        f"{tanh_far[2]:.0f} at x = 20)."
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
# The gradients of the trained networks, on all 81 training points, agree with centered
# finite differences; entries whose finite-difference stencil crosses a ReLU corner are counted
# as kinks and left out, since the loss has no derivative there.

# %% tags=["hide-input"]
fd_relu = bp.check_gradients(relu_net, X, Y)
fd_tanh = bp.check_gradients(tanh_net, X, Y)
md_table(
    ["network", "parameters checked", "largest relative error", "kinks skipped", "result"],
    [[name, f"{sum(p.analytic.size for p in rep.parameters.values())}", f"{rep.max_rel_error:.2e}",
      f"{rep.kinks}", "ok" if rep.ok else "FAILED"]
     for name, rep in [("1-1-1-1 chain of seed 004 at (3, 9)", chain_fd),
                       ("16 ReLU units, trained", fd_relu), ("8 tanh units, trained", fd_tanh)]],
)

# %% tags=["hide-input"]
# SymPy == library == finite differences on the seed's chain (before training)
derivation.check()
chain.params.update(chain_start)
assert chain_fd.ok and chain_fd.max_rel_error < 1e-7, chain_fd
for key, g in derivation.library.items():
    assert np.allclose(g, chain_fd.parameters[key].numeric, rtol=1e-7, atol=0), key
# the seed's published losses are the losses after the first and the second update
assert abs(seed_losses[1] - published["first"]) < 5e-4, seed_losses[1]
assert abs(seed_losses[2] - published["second"]) < 1e-3, seed_losses[2]
assert abs(seed_losses[0] - published["first"]) > 1.0
assert seed_losses[-1] < 1e-12 and abs(chain_slope * 3 + (y_probe[0] - chain_slope) - 9) < 1e-9
# trained networks: library == finite differences
assert fd_relu.ok and fd_relu.max_rel_error < 1e-7, fd_relu
assert fd_tanh.ok and fd_tanh.max_rel_error < 1e-7, fd_tanh
# the width study: wider is better (best of three seeds); stuck runs sit at the constant predictor
assert all(final[a, best_seed[a]] > final[b, best_seed[b]] for a, b in zip(widths, widths[1:], strict=False))
assert all(dead_units(nets[k]) >= 1 for k in stuck)
assert abs(0.5 * Y.var() - 0.5) < 1e-12
# loss in original units = y_std^2 x standardised loss (SymPy above, numerically here)
yhat_std = std_run["net"].predict(X)
assert np.isclose(0.5 * np.mean((y_mean + y_std * yhat_std - y) ** 2), std_run["net"].loss(X, Y) * y_std**2)
# scaling: raw data is much worse, and the raw ReLU run diverges
assert best_raw[0] > 10 * std_run["loss"][-1] and raw_run["saturated"] > 0.9
assert relu_raw["diverged"] is not None and relu_std["diverged"] is None
# extrapolation: linear beyond the outermost corner, slope from the weights == SymPy == measured
assert x_far[1, 0] > outer
assert abs(slope_right - slope_sympy) < 1e-9 * abs(slope_right)
assert abs(slope_right - slope_measured) < 1e-9 * abs(slope_right)
assert abs(relu_far[2] - 400) > 100 and abs(tanh_far[2] - 400) > 100
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1. Small inputs.** Seed 004 reports that its network predicts the squares of small numbers
# "terribly", and blames inputs that are "too small for activation functions". Compare the
# absolute and the relative errors of the 16-unit ReLU network for $|x| \le 2$ and for
# $|x| \ge 8$. What does the MSE actually control?

# %% tags=["hide-input"]
err = (predict_original(relu_net, x) - y)[:, 0]
small, large = np.abs(x[:, 0]) <= 2, np.abs(x[:, 0]) >= 8
abs_small, abs_large = np.abs(err[small]).mean(), np.abs(err[large]).mean()
nz = np.abs(x[:, 0]) >= 1  # relative error needs y != 0
rel_small = np.mean(np.abs(err[small & nz]) / y[small & nz, 0])
rel_large = np.mean(np.abs(err[large]) / y[large, 0])
assert rel_small > 5 * rel_large, (rel_small, rel_large)
assert abs_small < 5 * abs_large and abs_large < 5 * abs_small, (abs_small, abs_large)
solution(f"""
The mean absolute error is ${abs_small:.3f}$ for $|x| \\le 2$ and ${abs_large:.3f}$ for
$|x| \\ge 8$: the same order of magnitude. The mean relative error (for $1 \\le |x| \\le 2$, since
$y = 0$ at $x = 0$) is {rel_small:.1%} against {rel_large:.2%} for $|x| \\ge 8$. The MSE
penalises absolute errors, and an absolute error that is negligible next to $y = 100$ is large
next to $y = 1$. Nothing is "too small for the activation functions": a ReLU unit responds to
$0.04$ as linearly as to $4$, and the standardised inputs here are of order 1 anyway. To care about
relative errors, change the loss (for example fit $\\log(1 + y)$) rather than the network.
""")

# %% [markdown]
# **2. Counting corners.** Each ReLU unit bends the curve once. Show that the slope of the
# 16-unit network far to the right minus its slope far to the left equals
# $\frac{s_y}{s_x}\sum_j v_j |w_j|$, and compare it with the change of slope of $x^2$ over
# $[-10, 10]$.

# %% tags=["hide-input"]
slope_left = float(np.sum((W2 * W1)[W1 < 0])) * y_std / x_std
total_bend = float(np.sum(W2 * np.abs(W1))) * y_std / x_std
far = predict_original(relu_net, np.array([[-1e3], [-1e3 + 1], [1e3], [1e3 + 1]]))[:, 0]
assert abs((far[3] - far[2]) - (far[1] - far[0]) - total_bend) < 1e-8 * abs(total_bend)
inside = int(np.sum((corners > -10) & (corners < 10)))
solution(f"""
A unit with $w_j > 0$ is off on the left and has slope $v_j w_j$ on the right: its corner adds
$v_j w_j = v_j|w_j|$ to the slope. A unit with $w_j < 0$ has slope $v_j w_j$ on the left and is
off on the right: its corner adds $-v_j w_j = v_j |w_j|$. Summing, and converting to original
units with $s_y/s_x$: far left the slope is ${slope_left:.3f}$, far right ${slope_right:.3f}$,
a total bend of ${total_bend:.3f}$ (measured from predictions at $x = \\pm 1000$:
${(far[3] - far[2]) - (far[1] - far[0]):.3f}$). The parabola's slope $2x$ goes from $-20$ to $20$,
a bend of $40$; the network spends its bend inside the data, where {inside} of its {len(corners)} corners lie.
""")

# %% [markdown]
# **3. The tanh network far away.** What value does the 8-unit tanh network predict as
# $x \to +\infty$? Compute it from the weights and compare with the predictions at $x = 10^3$ and $x = 10^4$.

# %% tags=["hide-input"]
tW1, tW2, tb2 = tanh_net.params["W1"][0], tanh_net.params["W2"][:, 0], tanh_net.params["b2"][0]
limit = y_mean + y_std * (float(np.sum(tW2 * np.sign(tW1))) + tb2)
at_1e3, at_1e4 = predict_original(tanh_net, np.array([[1e3], [1e4]]))[:, 0]
assert abs(limit - at_1e4) < 1e-9 * max(1.0, abs(limit)), (limit, at_1e4)
slow = np.abs(tW1) < 0.05  # units still short of saturation at x = 1000
assert abs(limit - at_1e3) > 1e-3 and slow.any()
solution(f"""
As $x \\to +\\infty$, $\\tanh(w_j X + b_j) \\to \\operatorname{{sign}}(w_j)$, so
$\\hat Y \\to \\sum_j v_j \\operatorname{{sign}}(w_j) + c$ and
$\\hat y \\to \\bar y + s_y\\bigl(\\sum_j v_j \\operatorname{{sign}}(w_j) + c\\bigr) = {limit:.3f}$.
The network predicts ${at_1e4:.3f}$ at $x = 10^4$, where $x^2 = 10^8$. At $x = 10^3$ it still
predicts ${at_1e3:.3f}$: {int(slow.sum())} units have weights as small as
$|w_j| = {np.abs(tW1).min():.3f}$ (in standardised units), so they saturate only far away.
""")
