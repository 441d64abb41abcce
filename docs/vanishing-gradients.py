# %% [markdown]
# # Vanishing and exploding gradients
#
# The gradient of an early layer is computed by passing the output's error back through every layer
# above it. Each layer multiplies it by its weights and by the slopes of its activation, so in a deep
# network the gradient can shrink towards nothing (*vanish*) or grow without bound (*explode*) on its
# way to the input. This chapter reads both effects off the delta recursion, measures them layer by layer
# in deep sigmoid, tanh and ReLU networks under each [initialisation](weight-initialisation.py), trains a
# network whose gradients explode, and shows what gradient clipping does about it.

# %% tags=["hide-input"]
import math

import matplotlib.ticker

from backprop.book import figure, md, md_table, num, solution, tex
from backprop.book.numbers import down, up
from backprop.book.symbols import symbol_box

symbol_box(["L", "n_l", "z", "a", "f", "sigma", "W", "delta", "odot", "top", "grad", "eta", "tau"])

# %% [markdown]
# ## Reading the delta recursion
#
# Backpropagation computes the deltas from the output layer down (see
# [backpropagation in general](backpropagation.py)):
#
# $$
# \delta^{(l)} = \bigl(\delta^{(l+1)}\, {W^{(l+1)}}^\top\bigr) \odot f_l'\bigl(Z^{(l)}\bigr), \qquad
# \frac{\partial \mathcal{L}}{\partial W^{(l)}} = {A^{(l-1)}}^\top \delta^{(l)} .
# $$
#
# For one sample, a row $\delta^{(l)}$, the elementwise product with $f_l'(z^{(l)})$ multiplies entry $k$ by
# $f_l'(z^{(l)}_k)$. Each layer on the way down thus applies two factors: the weights ${W^{(l+1)}}^\top$,
# which can stretch a row by at most their largest singular value $\lVert W^{(l+1)} \rVert_2$, and the
# slopes, at most $\max_k \lvert f_l'(z^{(l)}_k) \rvert$ in size. So
#
# $$
# \bigl\lVert \delta^{(l)} \bigr\rVert \le \bigl\lVert \delta^{(l+1)} \bigr\rVert\,
# \bigl\lVert W^{(l+1)} \bigr\rVert_2\, \max_k \bigl\lvert f_l'\bigl(z^{(l)}_k\bigr) \bigr\rvert ,
# $$
#
# and over many layers the factors multiply. The slopes can only shrink the gradient: $\sigma' \le \tfrac14$,
# $\tanh' \le 1$, and $\operatorname{relu}'$ is $0$ or $1$. The weights can shrink it or stretch it. Neither
# factor decides alone: the [activation functions](activation-functions.py#vanishing-gradients-and-what-bounds-them)
# chapter shows a chain of one-unit sigmoid layers whose gradient *grows* from layer to layer, because its
# weights outweigh the slopes. The bound above is the same statement for layers of many units. It
# holds for every sample and every layer, whatever the weights; the code below tests it on networks with
# large random weights and biases, where it has the most room to fail:

# %%
import numpy as np

import backprop as bp

slopes = {"sigmoid": bp.sigmoid_grad, "tanh": bp.tanh_grad, "relu": bp.relu_grad}
rng = np.random.default_rng(0)
trials, weight_sd = 50, 3.0  # large weights: where the bound has the most room to fail
worst = {}
for hidden, slope in slopes.items():
    ratios = []
    for trial in range(trials):
        net = bp.MLP([8, 8, 8, 8, 8, 1], hidden=hidden, loss="mse", init=weight_sd, seed=trial)
        for l in range(1, net.n_layers + 1):
            net.params[f"b{l}"][:] = rng.normal(size=net.sizes[l])
        X, Y = rng.normal(size=(20, 8)), rng.normal(size=(20, 1))
        fp, deltas = net.forward(X), net.deltas(X, Y)
        for l in range(1, net.n_layers):
            W_norm = np.linalg.norm(net.params[f"W{l + 1}"], 2)  # the largest singular value
            bound = np.linalg.norm(deltas[l + 1], axis=1) * W_norm * np.abs(slope(fp.z[l])).max(axis=1)
            delta_norm = np.linalg.norm(deltas[l], axis=1)  # one norm per sample
            assert np.all(delta_norm[bound == 0] == 0)  # e.g. no active ReLU unit: nothing passes
            ratios.append(delta_norm[bound > 0] / bound[bound > 0])
    worst[hidden] = float(np.max(np.concatenate(ratios)))
    print(f"{hidden:8}: |delta(l)| / bound is at most {worst[hidden]:.4f}")

# %% tags=["hide-input"]
# The bound is a theorem; rounding can add a few ulps to the computed left side.
assert all(v <= 1 + 1e-12 for v in worst.values()), worst
assert min(worst.values()) > 0.3  # and it is not vacuous: some samples come close to it
md(f"""
Over {trials} networks per activation, with weights drawn from $\\mathcal{{N}}(0, {tex(weight_sd)}^2)$, every
sample's delta stays within the bound, and the closest come within a factor {num(min(worst.values()), 3, trim=True)} to
{num(max(worst.values()), 3, trim=True)} of it. A network whose every layer has
$\\lVert W^{{(l+1)}} \\rVert_2 \\max \\lvert f_l' \\rvert < 1$ must shrink the gradient at least geometrically on
its way to the input; an exploding gradient needs large weights *and* units that are not saturated.
""")

# %% [markdown]
# A layer's weight gradient is its delta times its input: $\partial \mathcal{L}/\partial W^{(l)} =
# {A^{(l-1)}}^\top \delta^{(l)}$. It also shrinks when $A^{(l-1)}$ is small, as in the
# [initialisation](weight-initialisation.py) chapter's network with weights of scale $0.001$, where the
# activations shrink forward while the deltas shrink backward.

# %% [markdown]
# ## Measured: the gradient of every layer
#
# Twenty layers of 64 units and one linear output, with the half squared error and random targets, at the
# start of training, for the three hidden activations and four ways to draw the weights:
# $\mathcal{N}(0, 0.001^2)$, Glorot, He and $\mathcal{N}(0, 1)$. For each layer, the size of its weight gradient,
# $\lVert \partial \mathcal{L}/\partial W^{(l)} \rVert$ (the square root of the sum of its squared entries):

# %%
width, depth = 64, 20
data = np.random.default_rng(1)
X = data.normal(size=(256, width))
Y = data.normal(size=(256, 1))
schemes = {"N(0, 0.001²)": 0.001, "Glorot": "glorot", "He": "he", "N(0, 1)": 1.0}
norms = {}
for hidden in ("sigmoid", "tanh", "relu"):
    for label, init in schemes.items():
        net = bp.MLP([width] * depth + [1], hidden=hidden, output="identity", loss="mse", init=init, seed=0)
        grads = net.gradients(X, Y)
        norms[hidden, label] = np.array([np.linalg.norm(grads[f"W{l}"]) for l in range(1, depth + 1)])
        print(f"{hidden:8} {label:13} layer 1: {norms[hidden, label][0]:9.2e}   layer {depth}: "
              f"{norms[hidden, label][-1]:9.2e}")


# %% tags=["hide-input"]
def per_layer(values):
    """Geometric mean of the factor from one layer to the next, towards the output."""
    return float(np.exp(np.mean(np.diff(np.log(values)))))


def draw_norms(hidden):
    def draw(fig):
        ax = fig.subplots()
        layers = np.arange(1, depth + 1)
        for i, label in enumerate(schemes):
            ax.semilogy(layers, norms[hidden, label], "o-", color=f"C{i}", markersize=3.5, lw=1.2, label=label)
        low, high = (math.floor(math.log10(v)) for v in ax.get_ylim())
        step = 10 * math.ceil((high - low) / 60)
        ax.yaxis.set_major_locator(matplotlib.ticker.FixedLocator(
            [10.0**k for k in range(step * math.ceil(low / step), high + 1, step)]))
        ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.set_xlabel("layer l")
        ax.set_ylabel(r"$\|\partial \mathcal{L} / \partial W^{(l)}\|$")
        fig.legend(loc="outside upper center", ncols=2)
    return draw


ratio = {key: float(v[0] / v[-1]) for key, v in norms.items()}  # first layer / last layer
spread = {key: float(v.max() / v.min()) for key, v in norms.items()}  # across all layers
names = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}
summary = {
    "sigmoid": (f"With Glorot's and He's weights the gradient shrinks towards the input, layer 1's being "
                f"{num(ratio['sigmoid', 'Glorot'], 2)} and {num(ratio['sigmoid', 'He'], 2)} times layer "
                f"{depth}'s. With weights of 0.001 every layer's gradient is tiny and the first layer's "
                f"{num(ratio['sigmoid', 'N(0, 0.001²)'], 2)} times the last's."),
    "tanh": (f"With Glorot's and He's weights the gradients stay within a factor "
             f"{num(up(max(spread['tanh', 'Glorot'], spread['tanh', 'He']), 2))} of each other across the layers. "
             f"With standard normal weights the gradient grows towards the input, layer 1's being "
             f"{num(ratio['tanh', 'N(0, 1)'], 2)} times the last's. With weights of 0.001 every layer's "
             f"gradient is about {num(float(np.median(norms['tanh', 'N(0, 0.001²)'])), 1)}."),
    "relu": (f"Every scheme gives a line with little trend (the largest and smallest layer gradient within a factor "
             f"{num(up(max(spread['relu', s] for s in schemes), 2))}), at very different heights: about "
             f"{num(float(np.median(norms['relu', 'N(0, 0.001²)'])), 1)} with weights of 0.001, "
             f"{num(float(np.median(norms['relu', 'He'])), 1)} with He's, "
             f"{num(float(np.median(norms['relu', 'N(0, 1)'])), 1)} with standard normal weights."),
}
for hidden in ("sigmoid", "tanh", "relu"):
    figure(draw_norms(hidden),
           alt=f"Norm of the weight gradient of each of the {depth} layers of a {names[hidden]} network of width "
               f"{width}, on a log scale, for four ways to draw the weights. {summary[hidden]}",
           caption=f"{names[hidden].capitalize() if hidden != 'relu' else 'ReLU'} network, {depth} layers of "
                   f"{width} units: the norm of each layer's weight gradient at the start of training.")

# %% tags=["hide-input"]
rows = [[f"{names[h]}, {label}", ratio[h, label], 1 / per_layer(norms[h, label])]
        for h in ("sigmoid", "tanh", "relu") for label in schemes]
md_table(["units, weights", f"layer 1 / layer {depth}", "factor per layer, downwards"], rows, fmt=2)

# The per-layer bound of the sigmoid networks with Glorot's and He's weights, on the actual networks: below 1 at
# every layer, so their vanishing is guaranteed, not a matter of luck.
bound_max = {}
for label in ("Glorot", "He"):
    net = bp.MLP([width] * depth + [1], hidden="sigmoid", output="identity", loss="mse", init=schemes[label], seed=0)
    fp = net.forward(X)
    bound_max[label] = max(float(np.linalg.norm(net.params[f"W{l + 1}"], 2) * np.abs(bp.sigmoid_grad(fp.z[l])).max())
                           for l in range(1, depth))
    assert bound_max[label] < 1, (label, bound_max[label])
    assert ratio["sigmoid", label] < 1e-6
relu_factors = [per_layer(norms["relu", label]) for label in schemes]
relu_ratios = [ratio["relu", label] for label in schemes]
# "far less with depth than the sigmoid's": every ReLU line changes less, first to last layer, than any sigmoid one
assert max(abs(math.log(r)) for r in relu_ratios) < min(abs(math.log(ratio["sigmoid", label])) for label in schemes)
assert 0.5 < float(np.median(norms["relu", "He"])) < 2  # He's rule: near 1
for label in schemes:
    assert 0.8 < per_layer(norms["relu", label]) < 1.25, label  # ReLU: no trend with depth, under every scheme
    assert per_layer(norms["sigmoid", label]) > 1  # sigmoid: smaller towards the input under every scheme
for label in ("Glorot", "He"):
    assert spread["tanh", label] < 10, (label, spread["tanh", label])
assert ratio["tanh", "N(0, 1)"] > 1e4  # explodes towards the input
for h in ("tanh", "relu"):  # a tiny initialisation: all layers tiny alike
    assert spread[h, "N(0, 0.001²)"] < 10 and norms[h, "N(0, 0.001²)"].max() < 1e-30
md(f"""
The middle column says how much larger the first layer's gradient is than the last's; the last column is the
average factor by which it changes from one layer to the one below it. Each activation tells its own story.

- **Sigmoid** gradients vanish towards the input under every scheme. With Glorot's and He's weights this is
  forced: on these networks every layer has $\\lVert W^{{(l+1)}} \\rVert_2 \\max \\sigma' <
  {tex(up(max(bound_max.values()), 2))}$, so the bound shrinks the gradient at every layer. With
  $\\mathcal{{N}}(0, 1)$ the bound allows growth, yet here the gradient still shrinks, by a factor of
  {num(1 / per_layer(norms['sigmoid', 'N(0, 1)']), 2, trim=True)} per layer downwards on average: most of the large
  pre-activations sit where $\\sigma'$ is tiny.
- **Tanh** has slope 1 at 0, and with Glorot's or He's weights the gradient stays level. With
  $\\mathcal{{N}}(0, 1)$ the weights are large enough to beat the slopes: the gradient *explodes* towards the
  input, by a factor of {num(ratio['tanh', 'N(0, 1)'], 2, trim=True)} over {depth} layers.
- **ReLU** passes the gradient with slope exactly 1 through its active units and does not saturate for
  $z > 0$. Under all four schemes its gradient changes far less with depth than the sigmoid's (layer 1's is
  between {num(down(min(relu_ratios), 2), trim=True)} and {num(up(max(relu_ratios), 2), trim=True)} times layer
  {depth}'s, an
  average factor per layer between {num(down(1 / max(relu_factors), 3), trim=True)} and
  {num(up(1 / min(relu_factors), 3), trim=True)}), but the scale of the weights sets the height of the whole line:
  He's rule puts it near 1, $\\mathcal{{N}}(0, 1)$ makes every gradient enormous (the next section shows
  what a step does with such gradients), $\\mathcal{{N}}(0, 0.001^2)$ every gradient
  negligible.

With weights of $0.001$ the tanh and ReLU networks' gradients are negligible in every layer alike: not a
gradient that vanishes on its way down, but activations that vanish on the way up (forward) while the deltas
vanish on the way down, so that every product ${{A^{{(l-1)}}}}^\\top \\delta^{{(l)}}$ is tiny. The sigmoid network's
activations cannot vanish, since $\\sigma(0) = \\tfrac12$, so in that network only the deltas do, and its
gradient vanishes towards the input.
""")

# %% [markdown]
# ## A gradient that explodes
#
# A deep ReLU network whose weights are drawn from $\mathcal{N}(0, 0.5^2)$ instead of by He's rule is to fit
# $\sin x$ on $[-\pi, \pi]$ by gradient descent. `fit` stops when the loss stops being a finite number and
# rolls the parameters back to the last finite ones:

# %%
x = np.linspace(-np.pi, np.pi, 64)[:, None]
y = np.sin(x)
sizes, eta, sd = [1] + [32] * 8 + [1], 0.01, 0.5  # sd: standard deviation of the weights

net = bp.MLP(sizes, hidden="relu", loss="mse", init=sd, seed=0)
try:
    with np.errstate(over="ignore", invalid="ignore"):  # the overflow is expected; fit detects it
        net.fit(x, y, epochs=400, lr=eta)
except bp.TrainingDiverged as err:
    print(err)
    print("losses of the completed epochs:", err.history.loss)
    print("gradient norms:", err.history.grad_norm)

# %% tags=["hide-input"]
n_hidden = sizes[1]
md(f"""
Its hidden layers have $n_l = {n_hidden}$ units, so $n_l \\operatorname{{Var}}(w) = {n_hidden} \\cdot {tex(sd**2)} =
{tex(n_hidden * sd**2)}$ where He's rule asks for $2$: the second moment of the signal grows by a factor of
{num(n_hidden * sd**2 / 2, trim=True)} from one hidden layer to the next, forward and backward. The gradient at the
start
is large, the first step correspondingly large, and the one after it larger still, until the numbers overflow.
""")

# %% [markdown]
# ## Gradient clipping
#
# *Clipping by the global norm* caps the length of every step. Before the update, the gradient of all
# the parameters together, $\nabla \mathcal{L}$ (every $\partial \mathcal{L}/\partial W^{(l)}$ and
# $\partial \mathcal{L}/\partial b^{(l)}$ as one long vector), is scaled down to the norm $\tau$ if it is
# longer:
#
# $$
# \nabla \mathcal{L} \leftarrow
# \nabla \mathcal{L} \cdot \min\Bigl(1, \frac{\tau}{\lVert \nabla \mathcal{L} \rVert}\Bigr),
# \qquad p \leftarrow p - \eta\, \frac{\partial \mathcal{L}}{\partial p} .
# $$
#
# The direction is kept; only the length changes, so no step moves the parameters further than $\eta \tau$.
# The training loop, written out with the library's `value_and_grad`:

# %%
def train(net, x, y, epochs, lr, tau=None):
    """Full-batch gradient descent, clipping the gradient to norm tau (None: no clipping).

    Returns the loss and the gradient norm before each step; stops at the first non-finite loss."""
    losses, grad_norms = [], []
    for _ in range(epochs):
        with np.errstate(over="ignore", invalid="ignore"):
            loss, grads = net.value_and_grad(x, y)
            norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
        losses.append(loss)
        grad_norms.append(norm)
        if not (np.isfinite(loss) and np.isfinite(norm)):
            break
        scale = 1.0 if tau is None or norm <= tau else tau / norm
        for key, g in grads.items():
            net.params[key] -= lr * scale * g
    return np.array(losses), np.array(grad_norms)


tau = 1.0
runs = {
    "N(0, 0.5²), not clipped": train(bp.MLP(sizes, hidden="relu", loss="mse", init=sd, seed=0), x, y, 400, eta),
    "N(0, 0.5²), clipped": train(bp.MLP(sizes, hidden="relu", loss="mse", init=sd, seed=0), x, y, 400, eta, tau),
    "He, not clipped": train(bp.MLP(sizes, hidden="relu", loss="mse", init="he", seed=0), x, y, 400, eta),
}
for name, (losses, grad_norms) in runs.items():
    print(f"{name:24} {len(losses):3} epochs, loss {losses[0]:.3g} -> {losses[-1]:.3g}, "
          f"largest gradient norm {np.nanmax(grad_norms):.3g}")

# %% tags=["hide-input"]
blown_loss, blown_norm = runs["N(0, 0.5²), not clipped"]
clip_loss, clip_norm = runs["N(0, 0.5²), clipped"]
he_loss, he_norm = runs["He, not clipped"]
epochs = len(clip_loss)
# the library agrees with the hand-written loop: the same first losses, then the same divergence
fit_net = bp.MLP(sizes, hidden="relu", loss="mse", init=sd, seed=0)
try:
    with np.errstate(over="ignore", invalid="ignore"):
        fit_net.fit(x, y, epochs=epochs, lr=eta)
    raise AssertionError("fit should have diverged")
except bp.TrainingDiverged as err:
    fit_history = err.history
assert np.allclose(fit_history.loss, blown_loss[:fit_history.epochs], rtol=1e-12)
assert fit_history.epochs == int(np.sum(np.isfinite(blown_loss)))  # fit stops where the loop overflows
assert not np.isfinite(blown_loss[-1]) and len(blown_loss) < 10  # unclipped: overflow within a few epochs
assert np.all(np.isfinite(clip_loss)) and len(clip_loss) == epochs  # clipped: finite all the way
assert np.all(np.isfinite(he_loss)) and len(he_loss) == epochs
tail = clip_loss[-100:]  # the last 100 epochs of the clipped run
assert tail.max() < clip_loss[0] / 100  # clipping lets the loss fall...
assert np.all(np.diff(np.sign(np.diff(tail))) != 0) and tail.max() / tail.min() > 5  # ...to a zigzag, up, down, up
assert he_loss[-1] < tail.min() / 5  # and the initialisation was the problem
assert np.all(clip_norm > tau)  # every step of the clipped run was clipped
assert np.all(np.diff(he_loss) < 0)  # He: the loss falls at every epoch
clipped_steps = int(np.sum(clip_norm > tau))
# Replay the clipped run: every step is at most eta * tau long, and parallel to the gradient.
replay = bp.MLP(sizes, hidden="relu", loss="mse", init=sd, seed=0)
lengths, cosines, replay_losses = [], [], []
for _ in range(epochs):
    loss_r, g = replay.value_and_grad(x, y)
    replay_losses.append(loss_r)
    before = np.concatenate([p.ravel() for p in replay.params.values()])
    gvec = np.concatenate([v.ravel() for v in g.values()])
    norm_g = np.linalg.norm(gvec)
    s = 1.0 if norm_g <= tau else tau / norm_g
    for key in g:
        replay.params[key] -= eta * s * g[key]
    step = np.concatenate([p.ravel() for p in replay.params.values()]) - before
    lengths.append(np.linalg.norm(step))
    cosines.append(-step @ gvec / (np.linalg.norm(step) * norm_g))
assert max(lengths) <= eta * tau * (1 + 1e-9), max(lengths)
assert min(cosines) > 1 - 1e-9, min(cosines)
assert np.allclose(replay_losses, clip_loss, rtol=1e-12)  # the replay is the clipped run


def draw_clipping(fig):
    top, bottom = fig.subplots(2, 1, sharex=True)
    styles = {"N(0, 0.5²), not clipped": ("C3", "-"), "N(0, 0.5²), clipped": ("C0", "-"),
              "He, not clipped": ("C2", "--")}
    for name, (losses, grad_norms) in runs.items():
        color, ls = styles[name]
        e = np.arange(len(losses))
        ok = np.isfinite(losses) & np.isfinite(grad_norms)
        top.semilogy(e[ok], losses[ok], color=color, linestyle=ls, lw=1.5, marker="x" if ok.sum() < 10 else None,
                     label=name)
        bottom.semilogy(e[ok], grad_norms[ok], color=color, linestyle=ls, lw=1.5,
                        marker="x" if ok.sum() < 10 else None)
    bottom.axhline(tau, color="C5", lw=1, linestyle=":")
    bottom.text(epochs * 0.98, tau * 1.5, "τ", ha="right", va="bottom")
    top.set_ylabel("loss")
    bottom.set_ylabel(r"$\|\nabla \mathcal{L}\|$")
    bottom.set_xlabel("epoch")
    fig.legend(loc="outside upper center", ncols=1)


finite_blown = blown_loss[np.isfinite(blown_loss)]
figure(draw_clipping, figsize=(5.0, 6.0),
       alt=f"Two log-scale plots over {epochs} epochs. Top, the loss; bottom, the gradient norm. Without clipping "
           f"the network with weights of standard deviation 0.5 starts at a loss of {num(blown_loss[0], 2)}, its "
           f"gradient norm jumps to {num(float(np.nanmax(blown_norm[np.isfinite(blown_norm)])), 2)} and the loss "
           f"overflows after {len(finite_blown)} epochs. Clipped to norm {num(tau, 2)}, the same network never "
           f"overflows: its loss falls, then alternates every epoch between about {num(tail.min(), 2)} and "
           f"{num(tail.max(), 2)}, drawn as a thick band, while its gradient norm stays far above the threshold. "
           f"With He's weights and no clipping the loss falls at every epoch, to {num(he_loss[-1], 2)}.",
       caption="Loss (top) and gradient norm (bottom) per epoch: the exploding network without clipping (crosses: "
               "the epochs before the overflow), the same network with its gradient clipped to $\\tau$ (its loss "
               "zigzags from epoch to epoch), and the same architecture started by He's rule.")
md(f"""
Without clipping, the gradient norm goes from {num(blown_norm[0], 2, trim=True)} at the start to
{num(float(np.nanmax(blown_norm[np.isfinite(blown_norm)])), 2, trim=True)} and the loss overflows after
{len(finite_blown)} epochs (`fit` stops at the same point and agrees with the loop above on every loss before
it). Clipped to $\\tau = {tex(tau)}$, the same network never overflows: {clipped_steps} of its {epochs} steps
were clipped, each step is at most $\\eta \\tau = {tex(eta * tau)}$ long and parallel to the gradient (both
checked on a replay of the run), and the loss falls from {num(clip_loss[0], 2, trim=True)}. It does not settle,
though: over the last {len(tail)} epochs it goes up and down at every step, between {num(tail.min(), 3, trim=True)} and
{num(tail.max(), 3, trim=True)}. The gradient norm never drops below $\\tau$, so every step has
the same length $\\eta\\tau$, and a step of fixed length cannot come to rest at the bottom of a narrow valley:
it jumps from one side to the other.

Clipping does not cure the cause. The same architecture started by He's rule, with no clipping at all, falls
at every epoch, to {num(he_loss[-1], 2, trim=True)}, {num(tail.min() / he_loss[-1], 2, trim=True)} times below the
lowest point of
the clipped run's last {len(tail)} epochs. Clipping is a guard against the occasional huge gradient (a steep
wall in the loss surface, a bad batch); a gradient that is huge at every step says that the initialisation or
the learning rate is wrong.
""")

# %% [markdown]
# ## Checks
#
# The page asserts: the bound on $\lVert \delta^{(l)} \rVert$ for every sample and layer of the random networks
# with large weights and biases (and that it is approached); that the sigmoid networks with Glorot's and He's
# weights satisfy the per-layer condition for vanishing at every layer, and vanish; the level lines of tanh
# (Glorot, He) and ReLU (every scheme but $0.001$, which is uniformly tiny), and the explosion of tanh with
# $\mathcal{N}(0, 1)$; that the unclipped network overflows within a few epochs, with `fit` agreeing on every
# finite loss; that the clipped one stays finite, trains, and takes steps no longer than $\eta\tau$ in the
# gradient's direction; and that He's initialisation, unclipped, ends lower.

# %% [markdown]
# ## Exercises
#
# 1. A chain of ten one-unit sigmoid layers, all with the same weight $w$ and bias $b$, is fed $x = 0.5$.
#    Choose $w$ and $b$ so that $\partial a^{(10)}/\partial x = 1$ exactly. Why is no smaller $\lvert w \rvert$
#    possible?
# 2. Instead of the global norm, one could clip every entry of the gradient to $[-\tau, \tau]$. Why does that
#    change the direction of the step? Compare the two on the first gradient of the exploding network above.
# 3. With clipping at $\tau$ and learning rate $\eta$, how far can the parameters move in $E$ epochs at most?
#    Compare with how far the clipped run above moved.

# %% tags=["hide-input"]
chain = bp.MLP([1] * 11, hidden="sigmoid", output="sigmoid", loss="mse")
for l in range(1, 11):
    chain.params[f"W{l}"][:] = 4.0
    chain.params[f"b{l}"][:] = -2.0
out = chain.predict([[0.5]])
slope = float(chain.deltas([[0.5]], out - 1.0)[1][0, 0] * 4.0)  # dL/dx with dL/da(10) = 1
assert slope == 1.0 and all(float(z[0, 0]) == 0.0 for z in chain.forward([[0.5]]).z[1:])
solution(f"""
**1.** $w = 4$, $b = -2$: then $z^{{(1)}} = 4 \\cdot 0.5 - 2 = 0$, $a^{{(1)}} = \\sigma(0) = \\tfrac12$, and every
later layer sees the same $\\tfrac12$, so every $z^{{(l)}} = 0$ and every factor is $w\\, \\sigma'(0) =
4 \\cdot \\tfrac14 = 1$ (the library's network gives exactly {num(slope, trim=True)}). No smaller weight will do: each
factor is $\\lvert w\\, \\sigma'(z^{{(l)}}) \\rvert \\le \\lvert w \\rvert / 4$, so the product of the ten is at most
$(\\lvert w \\rvert / 4)^{{10}}$, which is below 1 for $\\lvert w \\rvert < 4$. With $\\lvert w \\rvert = 4$ it reaches
1 only if every $\\sigma'(z^{{(l)}})$ is at its peak $\\tfrac14$, that is every $z^{{(l)}} = 0$.
""", title="Solution 1")

# %% tags=["hide-input"]
first = bp.MLP(sizes, hidden="relu", loss="mse", init=sd, seed=0).gradients(x, y)
gvec = np.concatenate([g.ravel() for g in first.values()])
by_entry = np.clip(gvec, -tau, tau)
by_norm = gvec * min(1.0, tau / np.linalg.norm(gvec))
angle = math.degrees(math.acos(by_entry @ gvec / (np.linalg.norm(by_entry) * np.linalg.norm(gvec))))
angle_norm = math.degrees(math.acos(min(1.0, by_norm @ gvec / (np.linalg.norm(by_norm) * np.linalg.norm(gvec)))))
share = float(np.mean(np.abs(gvec) > tau))
assert angle > 10 and angle_norm < 1e-5
solution(f"""
**2.** Entry-wise clipping cuts the large entries to $\\pm\\tau$ and leaves the small ones, so the vector's
proportions change. On the exploding network's first gradient ({num(100 * share, 2)} % of its {gvec.size}
entries exceed $\\tau$ in size) the entry-wise clipped gradient points {num(angle, 3, trim=True)} degrees away from the
true one, so the step no longer goes the way the loss falls fastest; the norm-clipped one points the same
way as the gradient (the angle computed is {num(angle_norm, 1, trim=True)} degrees, rounding).
""", title="Solution 2")

# %% tags=["hide-input"]
start = np.concatenate([p.ravel() for p in bp.MLP(sizes, hidden="relu", loss="mse", init=sd, seed=0).params.values()])
end = np.concatenate([p.ravel() for p in replay.params.values()])
moved, path = float(np.linalg.norm(end - start)), float(np.sum(lengths))
assert moved <= path <= epochs * eta * tau * (1 + 1e-9)
solution(f"""
**3.** Each step is at most $\\eta \\tau$ long, so $E$ steps cover at most $E \\eta \\tau$ (triangle inequality):
here ${epochs} \\cdot {tex(eta)} \\cdot {tex(tau)} = {tex(epochs * eta * tau)}$. The clipped run's steps add up
to {num(path, 3, trim=True)} ({clipped_steps} of them at the full length $\\eta\\tau$), and its parameters ended
{num(moved, 3, trim=True)} from where they started: the path is not straight.
""", title="Solution 3")
