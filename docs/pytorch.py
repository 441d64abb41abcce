# %% [markdown]
# # From backprop to PyTorch
#
# In practice networks are written with a framework such as PyTorch, which computes gradients by
# *automatic differentiation*: it records every operation of the forward pass and then walks the record
# backwards, multiplying each operation's local derivative into the gradient that arrives from the
# loss. For the networks of this book that walk is exactly the delta recursion of
# [backpropagation in general](backpropagation.py). This chapter writes the book's networks in PyTorch,
# the [1-1-1 network](worked-example-111.py), the [3-2-1 network](worked-example-321.py) and the
# [Iris classifier](classification.py), line by line against the `backprop` code, and compares the
# gradients number by number. The symbols are those of the [notation table](symbols.py).

# %% [markdown]
# PyTorch is a large download, so `backprop` does not need it: it is the optional extra
# `torch`, installed with `pip install "backprop-book[torch]"`. The code below runs with or without it.
# Without PyTorch it defines the PyTorch versions but runs only the `backprop` side, and this page
# shows no PyTorch number.

# %%
import numpy as np

import backprop as bp

try:
    import torch
    import torch.nn.functional as F
    from torch import nn
except ImportError:  # PyTorch is optional: pip install "backprop-book[torch]"
    torch = None

# %% tags=["hide-input"]
import math

from backprop.book import figure, md, md_table, solution, tex

RAN = torch is not None
if RAN:
    # The networks here are tiny: one thread avoids thread start-up and contention on a shared machine.
    torch.set_num_threads(1)
    md(f"""
**This build ran the comparison.** PyTorch {torch.__version__} was installed when this page was
built, so every PyTorch number on it was computed by PyTorch during that build, and the checks
below compared each one with the library's.
""")
else:
    md("""
**This build did not run the comparison.** PyTorch was not installed when this page was built, so
the PyTorch code below is shown but was not run, and this page shows no number computed by PyTorch.
Install the `torch` extra and rebuild (or run the code yourself) to see the comparison.
""")

# %% [markdown]
# ## Autograd: the chain rule, recorded
#
# Take the 1-1-1 network of the [first worked example](worked-example-111.py), with its sample and
# starting parameters: a sigmoid hidden unit, a linear output unit and the half squared error. In PyTorch a number that
# should receive a gradient is a tensor created with `requires_grad=True`. Every operation on it
# adds a node to a graph; `loss.backward()` runs backwards through that graph and stores
# $\partial \mathcal{L}/\partial p$ in `p.grad` for each such tensor $p$. The graph's intermediate
# nodes, such as $z^{(1)}$ and $z^{(2)}$, do not keep their gradients unless asked to
# (`retain_grad()`); asked, they hold $\partial \mathcal{L}/\partial z^{(l)} = \delta^{(l)}$, the deltas.
# The forward pass is written exactly as the formulas of the worked example:

# %%
x, y = 0.5, 0.6
w1, b1, w2, b2 = 0.4, 0.1, 0.3, 0.2


def torch_111(x, y, w1, b1, w2, b2):
    """The loss, the four gradients and the two deltas of the 1-1-1 network, by PyTorch's autograd."""
    p = {name: torch.tensor(value, dtype=torch.float64, requires_grad=True)
         for name, value in {"W1": w1, "b1": b1, "W2": w2, "b2": b2}.items()}
    z1 = p["W1"] * x + p["b1"]
    a1 = torch.sigmoid(z1)
    z2 = p["W2"] * a1 + p["b2"]  # the output unit is linear: yhat = z2
    loss = 0.5 * (z2 - y) ** 2
    z1.retain_grad()  # keep dL/dz for these two inner nodes: the deltas
    z2.retain_grad()
    loss.backward()  # the backward pass: fills p[name].grad, z1.grad, z2.grad
    grads = {name: t.grad.item() for name, t in p.items()}
    return loss.item(), grads, {1: z1.grad.item(), 2: z2.grad.item()}


# %% [markdown]
# The library computes the same things from the same numbers (`MLP` stores $w^{(l)}$ as a
# $1 \times 1$ matrix and $b^{(l)}$ as a length-1 vector):

# %%
net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
net.params.update(W1=np.array([[w1]]), b1=np.array([b1]), W2=np.array([[w2]]), b2=np.array([b2]))
X, Y = np.array([[x]]), np.array([[y]])
loss, grads = net.value_and_grad(X, Y)
deltas = net.deltas(X, Y)

if torch is not None:
    loss_t, grads_t, deltas_t = torch_111(x, y, w1, b1, w2, b2)
    print(f"loss       backprop {loss:.12f}   PyTorch {loss_t:.12f}")
    for name in grads:
        print(f"dL/d{name:<5}  backprop {grads[name].item():+.12f}   PyTorch {grads_t[name]:+.12f}")
    for l in (1, 2):
        print(f"delta({l})   backprop {deltas[l].item():+.12f}   PyTorch {deltas_t[l]:+.12f}")

# %% tags=["hide-input"]
# Both compute in float64 with the same formulas, possibly in a different order: a few ulps apart at
# most (about 1e-16 relative). 1e-12 relative leaves a wide margin and still catches any wrong formula.
REL = 1e-12
if RAN:
    assert math.isclose(loss, loss_t, rel_tol=REL), (loss, loss_t)
    for name in grads:
        assert math.isclose(grads[name].item(), grads_t[name], rel_tol=REL), (name, grads[name], grads_t[name])
    for l in (1, 2):
        assert math.isclose(deltas[l].item(), deltas_t[l], rel_tol=REL), (l, deltas[l], deltas_t[l])
    diff_111 = max([abs(grads[k].item() - grads_t[k]) / abs(grads[k].item()) for k in grads]
                   + [abs(deltas[l].item() - deltas_t[l]) / abs(deltas[l].item()) for l in (1, 2)])
    md(f"""
The four gradients and the two deltas agree: the largest relative difference between the two
libraries is ${tex(diff_111, 2)}$ (zero means identical to the last bit). PyTorch never wrote the delta
recursion down; it followed the recorded operations backwards, and that is the recursion.
""")
else:
    md("Without PyTorch in this build, only the library's side ran; the comparison did not.")

# %% [markdown]
# The two differ in kind at `loss.backward()`. The library's backward pass is the delta recursion,
# written once for every network of its shape; PyTorch builds a graph during each forward pass and
# differentiates whatever was computed. That is why PyTorch can differentiate any composition of its
# operations (a loss written by hand, a skip connection, a convolution) without being given a
# derivative, where the library knows only its own layers and must be given the derivative of an
# activation or loss of your own (see [using backprop](using-backprop.py#your-own-activation-and-loss)).

# %% [markdown]
# ## Layers: PyTorch stores the transpose
#
# PyTorch's `nn.Linear(n_in, n_out)` is one layer's weights and biases. It computes
# `x @ weight.T + bias` for a batch `x` of rows, the book's $Z = A W + \mathbf{1}_N b$, but it stores
# `weight` as an $n_l \times n_{l-1}$ matrix: the column convention's
# $W^{(l)}_{\text{col}} = (W^{(l)})^\top$ (see [one weight, three layouts](notation.py#one-weight-three-layouts)).
# The [3-2-1 example](worked-example-321.py) is given in exactly that layout, so its matrices go into
# PyTorch as they are and into the library transposed. The lines that correspond:

# %% tags=["hide-input"]
md_table(["the book", "`backprop`", "PyTorch"], [
    ["layers $3 \\to 2 \\to 1$, ReLU, sigmoid output",
     '`bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")`',
     "`nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))`"],
    ["$W^{(1)}$, $n_0 \\times n_1$", '`net.params["W1"]`', "`model[0].weight.T`"],
    ["$b^{(1)}$", '`net.params["b1"]`', "`model[0].bias`"],
    ["$\\hat Y$", "`net.predict(X)`", "`torch.sigmoid(model(X))`"],
    ["$\\mathcal{L}$, binary cross-entropy", "`net.loss(X, Y)`", "`F.binary_cross_entropy_with_logits(model(X), Y)`"],
    ["$\\partial \\mathcal{L}/\\partial W^{(1)}$", '`grads["W1"]`', "`model[0].weight.grad.T`"],
    ["$p \\leftarrow p - \\eta\\, \\partial \\mathcal{L}/\\partial p$", "`net.fit(X, Y, epochs=1, lr=lr)`",
     "`p -= lr * p.grad` for each `p` in `model.parameters()`"],
], align="lll")

# %% [markdown]
# The PyTorch model ends at the logit $z^{(2)}$: `binary_cross_entropy_with_logits` applies the
# sigmoid inside the loss, in the stable fused form the library uses for the same pair (see
# [loss functions](loss-functions.py#why-the-library-computes-these-losses-from-the-logits)).

# %%
x321 = np.array([[1.0, 0.5, -1.5]])  # one sample, three features
y321 = np.array([[1.0]])
W1_col = np.array([[0.2, -0.4, 0.1],  # column layout: one row per hidden unit
                   [0.7, 0.3, -0.5]])
b1_321 = np.array([0.1, -0.2])
W2_col = np.array([[0.5, -1.0]])
b2_321 = np.array([0.2])
lr = 0.1

net321 = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
net321.params.update(W1=W1_col.T.copy(), b1=b1_321.copy(), W2=W2_col.T.copy(), b2=b2_321.copy())
loss321, grads321 = net321.value_and_grad(x321, y321)
net321.fit(x321, y321, epochs=1, lr=lr)  # one step of gradient descent, in place


def torch_321_step(x, y, lr):
    """The 3-2-1 network in PyTorch: the loss and the gradients at the start, then one step of descent."""
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1)).double()
    with torch.no_grad():  # set the parameters without recording the assignment in the graph
        model[0].weight.copy_(torch.from_numpy(W1_col))  # PyTorch's layout is the column layout
        model[0].bias.copy_(torch.from_numpy(b1_321))
        model[2].weight.copy_(torch.from_numpy(W2_col))
        model[2].bias.copy_(torch.from_numpy(b2_321))
    loss = F.binary_cross_entropy_with_logits(model(torch.from_numpy(x)), torch.from_numpy(y))
    loss.backward()
    grads = {"W1": model[0].weight.grad.T.clone(), "b1": model[0].bias.grad.clone(),
             "W2": model[2].weight.grad.T.clone(), "b2": model[2].bias.grad.clone()}
    with torch.no_grad():
        for p in model.parameters():
            p -= lr * p.grad  # the same update as fit's
    return loss.item(), grads, model


if torch is not None:
    loss321_t, grads321_t, model321 = torch_321_step(x321, y321, lr)
    after_t = {"W1": model321[0].weight.T, "b1": model321[0].bias,
               "W2": model321[2].weight.T, "b2": model321[2].bias}
    print(f"loss: backprop {loss321:.12f}, PyTorch {loss321_t:.12f}")
    for name in grads321:
        g_diff = np.abs(grads321[name] - grads321_t[name].numpy()).max()
        p_diff = np.abs(net321.params[name] - after_t[name].detach().numpy()).max()
        print(f"{name}: largest difference in the gradient {g_diff:.1e}, after the step {p_diff:.1e}")

# %% tags=["hide-input"]
if RAN:
    assert math.isclose(loss321, loss321_t, rel_tol=REL)
    grad_gap, step_gap = 0.0, 0.0
    for name in ("W1", "b1", "W2", "b2"):
        g, g_t = grads321[name], grads321_t[name].numpy()
        assert g.shape == g_t.shape, (name, g.shape, g_t.shape)  # .T turns PyTorch's layout into the book's
        assert np.allclose(g, g_t, rtol=0, atol=REL * np.abs(g).max()), (name, g, g_t)
        after = after_t[name].detach().numpy()
        assert np.allclose(net321.params[name], after, rtol=0, atol=REL), (name, net321.params[name], after)
        grad_gap = max(grad_gap, float(np.abs(g - g_t).max() / np.abs(g).max()))
        step_gap = max(step_gap, float(np.abs(net321.params[name] - after).max()))
    # The inactive hidden unit (z_1 < 0) gets zero gradient in both: PyTorch's ReLU has derivative 0 there too.
    assert np.all(grads321_t["W1"][:, 0].numpy() == 0) and grads321_t["b1"][0].item() == 0
    agreement = ("identical, bit for bit, and so is every parameter after one step"
                 if grad_gap == 0 and step_gap == 0 else
                 f"within ${tex(grad_gap, 2)}$ of the largest entry of its matrix, and every parameter after one "
                 f"step within ${tex(step_gap, 2)}$")
    md(f"""
The loss is ${tex(loss321, 6)}$ in both. Once PyTorch's weight gradients are transposed, every entry
of every gradient is {agreement} at $\\eta = {tex(lr)}$. The first hidden unit, silenced by the ReLU for
this sample, gets exactly zero gradient in PyTorch too.
""")
else:
    md("Without PyTorch in this build, only the library's side ran; the comparison did not.")

# %% [markdown]
# ## The losses under their PyTorch names
#
# PyTorch's losses average over *every entry* of the prediction by default, and its squared error
# has no $\tfrac12$. The book's loss sums over the $n_L$ outputs and averages over the $N$ samples
# (see the [notation table](symbols.py)). For the half squared error the two differ by a constant factor:
#
# $$
# \texttt{mse\_loss}(\hat Y, Y) = \frac{1}{N n_L} \sum_{i=1}^{N} \sum_{k=1}^{n_L} (\hat y_{ik} - y_{ik})^2
# = \frac{2}{n_L}\, \mathcal{L},
# \qquad\text{so}\qquad \mathcal{L} = \frac{n_L}{2}\, \texttt{mse\_loss}(\hat Y, Y).
# $$
#
# Binary cross-entropy with one output unit and cross-entropy over classes need no factor:
# `F.cross_entropy(logits, labels)` takes the logits $Z^{(L)}$ and class labels, applies the softmax
# inside, and averages over the samples only, which is the book's $\mathcal{L}$. The code compares the three
# on a small random batch with three outputs:

# %%
rng = np.random.default_rng(0)
Z_out = rng.normal(size=(4, 3))  # logits of 4 samples, 3 outputs
labels = np.array([0, 2, 1, 2])
Y_real = rng.normal(size=(4, 3))
Y_bits = rng.integers(0, 2, size=(4, 3)).astype(float)

ours = {"mse": bp.mse(Z_out, Y_real),  # identity output: the prediction is Z_out
        "bce": bp.bce_from_logits(Z_out, Y_bits),
        "cross-entropy": bp.cross_entropy_from_logits(Z_out, bp.one_hot(labels, 3))}

if torch is not None:
    Zt = torch.from_numpy(Z_out)
    theirs = {"mse": 3 / 2 * F.mse_loss(Zt, torch.from_numpy(Y_real)).item(),  # n_L / 2 * mse_loss
              "bce": 3 * F.binary_cross_entropy_with_logits(Zt, torch.from_numpy(Y_bits)).item(),  # n_L * ...
              "cross-entropy": F.cross_entropy(Zt, torch.from_numpy(labels)).item()}
    for name in ours:
        print(f"{name:>14}: backprop {ours[name]:.12f}, PyTorch {theirs[name]:.12f}")

# %% tags=["hide-input"]
# The factor n_L / 2 from the definitions alone, without PyTorch: mse_loss is the mean of all N n_L
# squared errors.
n_L = Z_out.shape[1]
mean_all_entries = np.mean((Z_out - Y_real) ** 2)
assert math.isclose(ours["mse"], n_L / 2 * mean_all_entries, rel_tol=1e-14)
assert math.isclose(ours["bce"], n_L * np.mean(np.logaddexp(0, Z_out) - Y_bits * Z_out), rel_tol=1e-14)
if RAN:
    for name in ours:
        assert math.isclose(ours[name], theirs[name], rel_tol=REL), (name, ours[name], theirs[name])
    # without the factors they do differ: the factor is needed, not cosmetic
    assert not math.isclose(ours["mse"], F.mse_loss(Zt, torch.from_numpy(Y_real)).item(), rel_tol=1e-3)
    md(f"""
With the factors ($n_L/2 = {tex(n_L / 2)}$ for the squared error, $n_L = {n_L}$ for the binary
cross-entropy over {n_L} outputs, none for the cross-entropy) the three PyTorch losses equal the
library's to within ${tex(max(abs(ours[k] - theirs[k]) / ours[k] for k in ours), 2)}$ relative.
""")
else:
    md("Without PyTorch in this build, the PyTorch losses were not computed.")

# %% [markdown]
# ## An Iris classifier, trained both ways
#
# The [classification](classification.py) chapter trains a tanh network with a softmax output on
# Fisher's Iris flowers by full-batch gradient descent. Here the same run, with that chapter's split,
# network and learning rate, is done twice, by `fit` and by a PyTorch training loop, from the same
# starting weights.
# A PyTorch training loop spells out what `fit` does inside: zero the gradients, run forward, compute
# the loss, run backward, update. `torch.optim.SGD` performs the update
# $p \leftarrow p - \eta\, \partial \mathcal{L}/\partial p$ for every parameter. PyTorch computes in
# float32 unless told otherwise; `.double()` makes it use float64 like the library.

# %%
X_raw, y_iris, species = bp.datasets.load_iris()
split = np.random.default_rng(0)
test = np.sort(np.concatenate([split.permutation(np.flatnonzero(y_iris == k))[:15] for k in range(3)]))
train = np.setdiff1d(np.arange(len(y_iris)), test)
mean, std = X_raw[train].mean(axis=0), X_raw[train].std(axis=0)
X_train, y_train = (X_raw[train] - mean) / std, y_iris[train]

epochs, lr_iris = 300, 0.5
iris = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
start = {k: v.copy() for k, v in iris.params.items()}  # the starting weights, for PyTorch too
history = iris.fit(X_train, y_train, epochs=epochs, lr=lr_iris)


def torch_iris(X, labels, start, epochs, lr):
    """The same network and training run in PyTorch; returns the loss at the start of every epoch."""
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    with torch.no_grad():
        for layer, l in ((model[0], 1), (model[2], 2)):
            layer.weight.copy_(torch.from_numpy(start[f"W{l}"].T))
            layer.bias.copy_(torch.from_numpy(start[f"b{l}"]))
    optimiser = torch.optim.SGD(model.parameters(), lr=lr)
    X, labels = torch.from_numpy(X), torch.from_numpy(labels)
    losses = []
    for _ in range(epochs):
        optimiser.zero_grad()  # .grad accumulates: empty it before each backward pass
        loss = F.cross_entropy(model(X), labels)
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    return np.array(losses), model


if torch is not None:
    losses_t, model_iris = torch_iris(X_train, y_train, start, epochs, lr_iris)
    gap = np.abs(losses_t - history.loss).max()
    print(f"final loss: backprop {history.loss[-1]:.10f}, PyTorch {losses_t[-1]:.10f}")
    print(f"largest difference between the two loss curves over {epochs} epochs: {gap:.1e}")

# %% tags=["hide-input"]
if RAN:
    rel_gap = np.abs(losses_t - history.loss) / history.loss
    after_t = {"W1": model_iris[0].weight.T, "b1": model_iris[0].bias,
               "W2": model_iris[2].weight.T, "b2": model_iris[2].bias}
    param_gap = max(float(np.abs(iris.params[k] - after_t[k].detach().numpy()).max()) for k in after_t)
    # 300 steps, each with rounding differences of ~1e-16 relative between the two libraries; gradient
    # descent at this rate does not amplify them much (measured: ~1e-15). 1e-10 would still catch a
    # different update, a missing zero_grad or a float32 computation (errors of 1e-7 and more).
    assert rel_gap.max() < 1e-10, rel_gap.max()
    assert param_gap < 1e-10, param_gap
    assert history.loss[-1] < history.loss[0] / 10  # it trained: the loss fell more than tenfold

    # The difference of each epoch's loss in units in the last place (ulp) of float64 at that loss.
    ulps = np.rint(np.abs(losses_t - history.loss) / np.spacing(history.loss)).astype(int)
    counts = np.bincount(ulps)
    assert np.allclose(ulps * np.spacing(history.loss), np.abs(losses_t - history.loss), rtol=0, atol=0)

    def draw_gap(fig):
        ax = fig.subplots()
        ax.bar(np.arange(len(counts)), counts, color="C0", width=0.6)
        ax.set_xticks(np.arange(len(counts)))
        ax.set_axisbelow(True)
        ax.set_xlabel("difference, in units in the last place")
        ax.set_ylabel("epochs")
        ax.grid(axis="x", visible=False)

    figure(draw_gap,
           alt=f"Bar chart of the difference between the loss computed by backprop and by PyTorch at each of "
               f"{epochs} epochs, counted in units in the last place of float64: "
               + ", ".join(f"{c} epochs differ by {k}" for k, c in enumerate(counts) if c) + ".",
           caption="How many of the epochs' losses differ between the two training runs by 0, 1, 2, ... units in "
                   "the last place (the spacing of float64 numbers at that loss, about $\\varepsilon$ times the "
                   "loss).")
    exact = int(counts[0])
    md(f"""
Both runs train the {iris.sizes[0]}-{iris.sizes[1]}-{iris.sizes[2]} network on the same {len(train)} flowers
for {epochs} epochs at $\\eta = {tex(lr_iris)}$. The loss falls from ${tex(history.loss[0], 4)}$ to
${tex(history.loss[-1], 4)}$ in both runs. Over the
{epochs} epochs the two loss curves never differ by more than ${tex(rel_gap.max(), 2)}$ relative
(at most {len(counts) - 1} units in the last place; identical at {exact} of the epochs), and
after the last step no weight differs by more than ${tex(param_gap, 2)}$: the two libraries take the same
{epochs} steps, up to the order in which float64 rounds.
""")
else:
    md(f"""
Without PyTorch in this build, only `fit` ran (its loss falls from ${tex(history.loss[0], 4)}$ to
${tex(history.loss[-1], 4)}$); the PyTorch run and the comparison did not.
""")

# %% [markdown]
# ## Defaults that differ
#
# Three of PyTorch's defaults differ from the library's, and each changes the numbers if it is
# forgotten:
#
# - **Precision.** PyTorch computes in float32 by default, the library in float64. The comparisons
#   above used `.double()` and float64 tensors; in float32 every result carries float32's rounding
#   (see [float32 against float64](gradient-checking.py#float32-against-float64)).
# - **Gradients accumulate.** `backward()` *adds* to `.grad`, so a training loop empties it before each
#   backward pass (`optimiser.zero_grad()`); the library's `value_and_grad` returns fresh arrays. The
#   [chain rule](chain-rule.py#gradients-accumulate) chapter explains why gradients add up; exercise 2
#   below shows what a forgotten `zero_grad` does.
# - **Initial weights.** `nn.Linear` draws its weights *and* its biases uniformly from
#   $\bigl(-1/\sqrt{n_{l-1}},\ 1/\sqrt{n_{l-1}}\bigr)$, a variance of $1/(3 n_{l-1})$. The library
#   starts biases at zero and draws weights with the variance its activation wants: $2/n_{l-1}$ (He) before
#   a ReLU, $2/(n_{l-1} + n_l)$ (Glorot) otherwise; [weight initialisation](weight-initialisation.py)
#   derives both.

# %% tags=["hide-input"]
if RAN:
    n_in, n_out = 400, 300
    layer = nn.Linear(n_in, n_out)
    w = layer.weight.detach().numpy()
    bias = layer.bias.detach().numpy()
    bound = 1 / math.sqrt(n_in)
    assert layer.weight.dtype == torch.float32 and torch.get_default_dtype() == torch.float32
    assert np.abs(w).max() <= bound and np.abs(bias).max() <= bound
    assert np.abs(w).max() > 0.99 * bound and np.abs(bias).max() > 0.9 * bound  # the bound is reached
    # Sample variance of 120 000 uniform draws: relative standard error sqrt(0.8 / 120000) ~ 0.0026.
    assert abs(w.var() * 3 * n_in - 1) < 0.02, w.var() * 3 * n_in
    assert np.any(bias != 0)
    # The float32 gradient of the 3-2-1 example against the float64 one.
    m32 = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    with torch.no_grad():
        for lay, Wc, bv in ((m32[0], W1_col, b1_321), (m32[2], W2_col, b2_321)):
            lay.weight.copy_(torch.from_numpy(Wc))
            lay.bias.copy_(torch.from_numpy(bv))
    F.binary_cross_entropy_with_logits(m32(torch.from_numpy(x321).float()),
                                       torch.from_numpy(y321).float()).backward()
    g32 = m32[0].weight.grad.T.double().numpy()
    rel32 = np.abs(g32 - grads321["W1"]).max() / np.abs(grads321["W1"]).max()
    eps32 = float(np.finfo(np.float32).eps)
    # float32 rounding: a few float32 epsilons, far above float64's; not 0 (it really was float32)
    assert 1e-10 < rel32 < 10 * eps32, rel32
    md(f"""
This build checked the three. A float32 copy of the 3-2-1 network gives $\\partial \\mathcal{{L}}/\\partial W^{{(1)}}$
within ${tex(rel32, 2)}$ of the float64 one (relative to its largest entry; float32's machine epsilon is
${tex(eps32, 2)}$). A new `nn.Linear({n_in}, {n_out})` is float32, its weights and biases lie within
$\\pm 1/\\sqrt{{{n_in}}} = \\pm {tex(bound, 3)}$ and its biases are not zero; the variance of its
${n_out} \\times {n_in}$ weights times $3 n_{{l-1}}$ is ${tex(w.var() * 3 * n_in, 4)}$, as $1/(3 n_{{l-1}})$ predicts.
Exercise 2 checks the accumulation.
""")
else:
    md("""
These are PyTorch's documented defaults; without PyTorch this build did not check them.
""")

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
md(f"""
{"When PyTorch is installed, as it was for this build" if RAN else
   "When PyTorch is installed (it was not for this build)"},
the page asserts, to a relative tolerance of ${tex(REL)}$ (float64 arithmetic done in a different order
differs by about ${tex(float(np.finfo(float).eps), 2)}$): the loss, the four gradients and the two deltas of
the 1-1-1 network; the loss, the gradients (PyTorch's transposed) and the parameters after one step of the
3-2-1 network; the three losses with their factors, and that without the factor the squared errors differ;
the two Iris training runs, epoch by epoch, to ${tex(1e-10)}$; PyTorch's initialisation bound and
variance, its float32 default and the size of the float32 gradient's error; and the answers to exercises
2 and 3. With or without PyTorch it asserts the library's side: the loss factors from their definitions
and that `fit` trained the Iris network.
""")

# %% [markdown]
# ## Exercises

# %% tags=["hide-input"]
n_out5, eta_acc, n_acc = 5, 0.1, 3
md(f"""
1. A network with {n_out5} outputs is trained with the half squared error. By what factor must PyTorch's
   `F.mse_loss` be multiplied to give the book's $\\mathcal{{L}}$, and by what factor do the gradients
   differ if the factor is forgotten?
2. A PyTorch training loop for the 1-1-1 network forgets `zero_grad()`, so each `backward()` adds to
   the gradients of the steps before. Write the update of step $t$ in terms of the true gradients
   $g_1, \\dots, g_t$ of the steps so far, and compute the output bias $b^{{(2)}}$ after {n_acc} such steps
   at $\\eta = {tex(eta_acc)}$, against {n_acc} correct steps.
3. Which `backprop` call gives the array that PyTorch stores in `z.grad` after `z.retain_grad()` and
   `loss.backward()`, for the pre-activation `z` of the first layer, on a batch of $N$ samples?
""")

# %% tags=["hide-input"]
rng5 = np.random.default_rng(5)
Yh5, Y5 = rng5.normal(size=(7, n_out5)), rng5.normal(size=(7, n_out5))
assert math.isclose(bp.mse(Yh5, Y5), n_out5 / 2 * np.mean((Yh5 - Y5) ** 2), rel_tol=1e-14)
if RAN:
    assert math.isclose(bp.mse(Yh5, Y5), n_out5 / 2 * F.mse_loss(torch.from_numpy(Yh5), torch.from_numpy(Y5)).item(),
                        rel_tol=REL)
solution(f"""
**1.** By $n_L/2 = {tex(n_out5 / 2)}$: `F.mse_loss` is the mean of all $N n_L$ squared errors, the book's
$\\mathcal{{L}}$ is $\\tfrac12$ times their sum over the outputs, averaged over the samples (checked on a
random batch of 7 samples{" with the library and with PyTorch" if RAN else ""}). Without the factor every
gradient is $2/n_L = {tex(2 / n_out5)}$ times the book's, which with plain gradient descent is the same as a
learning rate ${tex(2 / n_out5)}$ times as large.
""", title="Solution 1")


# %% tags=["hide-input"]
# Forgotten zero_grad: step t uses G_t = g_1 + ... + g_t. Simulated with the library, then with PyTorch.
def steps_b2(accumulate: bool) -> float:
    sim = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    sim.params.update(W1=np.array([[w1]]), b1=np.array([b1]), W2=np.array([[w2]]), b2=np.array([b2]))
    total = {k: np.zeros_like(v) for k, v in sim.params.items()}
    seen = []
    for _ in range(n_acc):
        g = sim.gradients(X, Y)
        seen.append(g["b2"][0])
        for k in total:
            total[k] = total[k] + g[k] if accumulate else g[k]
            sim.params[k] -= eta_acc * total[k]
    assert all(v < 0 for v in seen), seen  # the prose: every gradient of b2 on the way is negative
    return float(sim.params["b2"][0])


b2_right, b2_wrong = steps_b2(False), steps_b2(True)
assert b2_wrong > b2_right > b2  # negative gradients, added up: b2 overshoots upwards
if RAN:
    p = {name: torch.tensor([value], dtype=torch.float64, requires_grad=True)
         for name, value in {"W1": w1, "b1": b1, "W2": w2, "b2": b2}.items()}
    for _ in range(n_acc):  # no zero_grad
        loss_acc = 0.5 * (p["W2"] * torch.sigmoid(p["W1"] * x + p["b1"]) + p["b2"] - y) ** 2
        loss_acc.sum().backward()
        with torch.no_grad():
            for t in p.values():
                t -= eta_acc * t.grad
    assert math.isclose(p["b2"].item(), b2_wrong, rel_tol=REL), (p["b2"].item(), b2_wrong)
checked = ("PyTorch's loop without `zero_grad` gave the same value in this build." if RAN
           else "Without PyTorch, this build computed it with the library only.")
solution(f"""
**2.** After $t$ backward passes `.grad` holds $g_1 + \\dots + g_t$, so step $t$ is
$p \\leftarrow p - \\eta\\,(g_1 + \\dots + g_t)$: every old gradient is applied again at every later step.
Here every gradient of $b^{{(2)}}$ along the way is negative, so the old ones push it further up: after
{n_acc} steps $b^{{(2)}} = {tex(b2_wrong, 6)}$ instead of ${tex(b2_right, 6)}$ (it started at ${tex(b2)}$).
{checked}
""", title="Solution 2")

# %% tags=["hide-input"]
# delta(1) of the Iris network at its starting weights, N = 105 flowers: the library against PyTorch's z.grad.
iris0 = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
iris0.params.update({k: v.copy() for k, v in start.items()})
delta1 = iris0.deltas(X_train, y_train)[1]
if RAN:
    m0 = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    with torch.no_grad():
        for lay, l in ((m0[0], 1), (m0[2], 2)):
            lay.weight.copy_(torch.from_numpy(start[f"W{l}"].T))
            lay.bias.copy_(torch.from_numpy(start[f"b{l}"]))
    z_first = m0[0](torch.from_numpy(X_train))
    z_first.retain_grad()
    F.cross_entropy(m0[2](torch.tanh(z_first)), torch.from_numpy(y_train)).backward()
    assert z_first.grad.shape == delta1.shape
    assert np.allclose(z_first.grad.numpy(), delta1, rtol=0, atol=REL * np.abs(delta1).max())
compared = (f"This build compared the two on the Iris network at its starting weights, $N = {len(X_train)}$: "
            f"they agree to within ${tex(REL)}$ of the largest entry." if RAN else
            "Without PyTorch, this build did not compare them.")
solution(f"""
**3.** `net.deltas(X, Y)[1]`: $\\delta^{{(1)}} = \\partial \\mathcal{{L}}/\\partial Z^{{(1)}}$, an $N \\times n_1$
array. Both include the factor $1/N$ of the mean over the samples, because both differentiate the same
$\\mathcal{{L}}$. {compared}
""", title="Solution 3")
