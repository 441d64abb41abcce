# %% [markdown]
# # Classification
#
# The network of the [previous chapter](fitting-a-curve.py) predicted a number. Most networks in
# practice predict a *class*: which digit, which word, which species. This chapter trains a small
# softmax network on Fisher's Iris data: flowers of three species, four measurements each. It
# splits the data into a training part and a held-out part, trains while watching both losses,
# measures how often the held-out flowers are classified correctly, and looks at which mistakes
# the network makes and why.

# %% tags=["hide-input"]
import numpy as np
from IPython.display import display
from matplotlib.patches import Rectangle

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution

# %% [markdown]
# ## The data
#
# The data set ships with the library, so nothing is downloaded:

# %%
X_raw, y, species = bp.datasets.load_iris()

# %% tags=["hide-input"]
features = bp.datasets.IRIS_FEATURES
counts = [int(np.sum(y == k)) for k in range(3)]
md(f"""
`X_raw` has shape ${X_raw.shape[0]} \\times {X_raw.shape[1]}$: one row per flower, with the columns
{", ".join(features[:-1])} and {features[-1]}. `y` holds the species as an index
$0, 1, 2$ into {", ".join(f"*{s}*" for s in species)}; there are {counts[0]}, {counts[1]} and
{counts[2]} flowers of each.
""")

# %% [markdown]
# Two of the four measurements already tell most of the story. The petals of *setosa* are much
# smaller than those of the other two species; *versicolor* and *virginica* differ on average but
# overlap.

# %% tags=["hide-input"]
petal_len, petal_wid = X_raw[:, 2], X_raw[:, 3]
ranges = {k: (petal_len[y == k].min(), petal_len[y == k].max(), petal_wid[y == k].min(),
              petal_wid[y == k].max()) for k in range(3)}
# the rectangle where versicolor's and virginica's petal ranges overlap
box = (ranges[2][0], ranges[1][1], ranges[2][2], ranges[1][3])
in_box = (y > 0) & (petal_len >= box[0]) & (petal_len <= box[1]) & (petal_wid >= box[2]) & (petal_wid <= box[3])
in_box_counts = [int(np.sum(in_box & (y == k))) for k in (1, 2)]


def draw_petals(fig, mark=None):
    ax = fig.subplots()
    rng = np.random.default_rng(1)  # a little jitter: the measurements are rounded to 0.1 cm
    jitter = rng.uniform(-0.03, 0.03, size=(len(y), 2))
    for k, name in enumerate(species):
        sel = y == k
        ax.scatter(petal_len[sel] + jitter[sel, 0], petal_wid[sel] + jitter[sel, 1], s=14, alpha=0.75,
                   label=name, marker="os^"[k])
    ax.add_patch(Rectangle(
        (box[0], box[2]), box[1] - box[0], box[3] - box[2], fill=False, linestyle="--", edgecolor="C4",
        label="overlap of versicolor and virginica"))
    if mark is not None:
        ax.scatter(petal_len[mark], petal_wid[mark], s=110, facecolors="none", edgecolors="C3",
                   linewidths=1.6, label="misclassified (held out)")
    ax.set_xlabel("petal length (cm)")
    ax.set_ylabel("petal width (cm)")
    ax.legend(fontsize=9)


figure(
    draw_petals,
    alt=(
        f"Scatter of petal width against petal length for the {len(y)} flowers. Setosa forms a separate "
        f"cluster at lengths {ranges[0][0]:g} to {ranges[0][1]:g} cm; versicolor "
        f"({ranges[1][0]:g} to {ranges[1][1]:g} cm) and virginica ({ranges[2][0]:g} to "
        f"{ranges[2][1]:g} cm) touch and overlap in a rectangle holding {sum(in_box_counts)} flowers."
    ),
    caption=f"Petal measurements of the {len(y)} flowers, coloured by species.",
)

# %% tags=["hide-input"]
md(f"""
Setosa's longest petal is {ranges[0][1]:g} cm, the shortest of any other flower
{min(ranges[1][0], ranges[2][0]):g} cm: a single threshold on petal length separates it. Versicolor's
petals reach {ranges[1][1]:g} cm long and {ranges[1][3]:g} cm wide, virginica's start at
{ranges[2][0]:g} cm and {ranges[2][2]:g} cm, and the rectangle where both ranges overlap holds
{in_box_counts[0]} versicolor and {in_box_counts[1]} virginica flowers. Those are where a
classifier will make its mistakes.
""")

# %% [markdown]
# ## A held-out split, standardised with training statistics
#
# A network is judged on flowers it was not trained on. From each species, 15 flowers are
# drawn at random (seed 0) and held out; the others train the network. Drawing the same number
# from each species — a *stratified* split — keeps the classes balanced on both sides.
#
# Each feature is then standardised with the mean and standard deviation of the *training* flowers
# only. Using the held-out flowers' statistics would leak information about them into training.

# %%
rng = np.random.default_rng(0)
test = np.sort(np.concatenate([rng.permutation(np.flatnonzero(y == k))[:15] for k in range(3)]))
train = np.setdiff1d(np.arange(len(y)), test)

mean, std = X_raw[train].mean(axis=0), X_raw[train].std(axis=0)
X = (X_raw - mean) / std
Y = bp.datasets.one_hot(y)  # row k of the 3x3 identity for class k

# %% tags=["hide-input"]
md(f"That holds out {len(test)} flowers ({100 * len(test) / len(y):.0f} %) and leaves {len(train)} for training.")

# %% [markdown]
# The targets are *one-hot* rows: a versicolor flower has $y = (0, 1, 0)$. The network ends in a
# softmax, so its output is a probability for each species,
#
# $$
# \hat y_k = \frac{e^{z_k}}{\sum_{j} e^{z_j}}, \qquad
# L = -\frac{1}{m}\sum_{i=1}^{m} \sum_{k} y_{ik} \ln \hat y_{ik},
# $$
#
# and the cross-entropy loss $L$ is the average over the $m$ flowers of $-\ln$ (probability given
# to the right species). Softmax followed by cross-entropy has the simplest possible output delta.
# SymPy derives it from the two definitions by the chain rule through the softmax Jacobian (for
# three classes, using that a target row sums to 1):

# %% tags=["hide-input"]
fused = bs.derive_fused_delta("softmax", "cross_entropy")
display(fused)

# %% [markdown]
# so for the whole batch $\delta^{(L)} = (\hat Y - Y)/m$, which is what the library uses (the
# [checks](#checks) below compare it). The network has one hidden layer of 8 tanh units:

# %%
net = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)

# %% [markdown]
# ## Training curves
#
# Full-batch gradient descent at learning rate $0.5$ for $300$ epochs. To record the held-out loss
# alongside the training loss, the network is trained one epoch at a time and evaluated on the
# held-out flowers before each step (the training loss in `History` is also measured before the
# step, so both curves refer to the same weights).

# %%
epochs, lr = 300, 0.5
curves = {"train loss": [], "held-out loss": [], "train accuracy": [], "held-out accuracy": []}


def accuracy(net, rows):
    return float(np.mean(net.predict(X[rows]).argmax(axis=1) == y[rows]))


for _ in range(epochs):
    curves["held-out loss"].append(net.loss(X[test], Y[test]))
    curves["train accuracy"].append(accuracy(net, train))
    curves["held-out accuracy"].append(accuracy(net, test))
    history = net.fit(X[train], Y[train], epochs=1, lr=lr)
    curves["train loss"].append(history.loss[0])

# %% tags=["hide-input"]
curves = {k: np.array(v) for k, v in curves.items()}
acc_train, acc_test = accuracy(net, train), accuracy(net, test)
loss_train, loss_test = net.loss(X[train], Y[train]), net.loss(X[test], Y[test])
best_epoch = int(np.argmin(curves["held-out loss"]))
first_95 = int(np.argmax(curves["held-out accuracy"] >= 0.95)) if np.any(curves["held-out accuracy"] >= 0.95) else None


def draw_curves(fig):
    ax1, ax2 = fig.subplots(1, 2)
    e = np.arange(epochs)
    ax1.plot(e, curves["train loss"], label="train")
    ax1.plot(e, curves["held-out loss"], label="held out", linestyle="--")
    ax1.set_yscale("log")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("cross-entropy")
    ax1.legend()
    ax2.plot(e, curves["train accuracy"], label="train")
    ax2.plot(e, curves["held-out accuracy"], label="held out", linestyle="--")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy")
    ax2.set_ylim(0, 1.02)
    ax2.legend(loc="lower right")


figure(
    draw_curves,
    figsize=(7.2, 3.4),
    alt=(
        f"Left: cross-entropy per epoch on a log scale. Both losses start near "
        f"{curves['train loss'][0]:.2f} and fall; after {epochs} epochs the training loss is "
        f"{loss_train:.3f} and the held-out loss {loss_test:.3f}. Right: accuracy per epoch; the "
        f"held-out accuracy ends at {acc_test:.3f} and the training accuracy at {acc_train:.3f}."
    ),
    caption="Loss and accuracy on the training and held-out flowers, epoch by epoch.",
)

# %% tags=["hide-input"]
still_falling = best_epoch == epochs - 1
md(f"""
The losses start at ${curves['train loss'][0]:.3f}$ (training) and ${curves['held-out loss'][0]:.3f}$
(held out), near $\\ln 3 = {np.log(3):.3f}$, the loss of a network that gives every species the
probability $1/3$ (see exercise 3). After {epochs} epochs the training loss is ${loss_train:.4f}$
and the held-out loss ${loss_test:.4f}$. The held-out loss is higher — the network fits the flowers
it is trained on more closely than new ones —
{"but it is still falling at the last epoch, so training longer would not yet hurt"
 if still_falling else f"and it is lowest at epoch {best_epoch}: after that the network starts to overfit"}.
The accuracy curves are step functions: the accuracy only changes when a flower's largest
probability switches species.
""")


# %% [markdown]
# ## Accuracy and the confusion matrix
#
# A flower is assigned the species with the largest predicted probability.

# %% tags=["hide-input"]
pred = net.predict(X[test]).argmax(axis=1)
confusion = np.zeros((3, 3), dtype=int)
np.add.at(confusion, (y[test], pred), 1)
wrong = test[pred != y[test]]
md(f"""
On the {len(test)} held-out flowers the network is right {int(np.trace(confusion))} times: a
held-out accuracy of ${acc_test:.3f}$ (training accuracy ${acc_train:.3f}$). The *confusion
matrix* counts held-out flowers by true species (rows) and predicted species (columns); the
diagonal holds the correct answers.
""")
md_table(["true \\ predicted", *species],
         [[f"**{species[i]}**", *[f"{c}" for c in confusion[i]]] for i in range(3)], align="lrrr")


# %% tags=["hide-input"]
def draw_confusion(fig):
    ax = fig.subplots()
    ax.grid(False)
    image = ax.imshow(confusion, cmap="Blues", vmin=0, vmax=confusion.max())
    for i in range(3):
        for j in range(3):
            dark = confusion[i, j] > confusion.max() / 2
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=14,
                    color="white" if dark else "black")
    ax.set_xticks(range(3), species)
    ax.set_yticks(range(3), species)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    fig.colorbar(image, ax=ax, label="flowers")


cells = "; ".join(f"true {species[i]}: " + ", ".join(f"{confusion[i, j]} predicted {species[j]}" for j in range(3))
                  for i in range(3))
figure(draw_confusion, figsize=(5.2, 3.8),
       alt=f"Confusion matrix of the {len(test)} held-out flowers as a heat map. {cells}.",
       caption="The confusion matrix as a heat map: counts on the diagonal are correct predictions.")

# %% [markdown]
# ## Which flowers are confused, and why

# %% tags=["hide-input"]
probs_wrong = net.predict(X[wrong])
md_table(
    ["flower", "true species", "petal length", "petal width", *[f"$P$({s})" for s in species], "in the overlap"],
    [[f"{i}", species[y[i]], f"{petal_len[i]:g}", f"{petal_wid[i]:g}", *[f"{p:.3f}" for p in probs_wrong[r]],
      "yes" if in_box[i] else "no"] for r, i in enumerate(wrong)],
)
md(f"""
Every mistake is between versicolor and virginica, and {int(np.sum(in_box[wrong]))} of the
{len(wrong)} misclassified flowers lie inside the rectangle where the petal ranges of those two
species overlap (circled below). Setosa is never confused: its petals are separated from the others
by a gap. The mistakes are not a failure of training but of the data: in the overlap, flowers with
nearly the same measurements belong to different species, and the network can only draw one
boundary through them. Its probabilities say so — the misclassified flowers get
{", ".join(f"{probs_wrong[r].max():.2f}" for r in range(len(wrong)))} for the species it picks,
where the correctly classified held-out flowers get a median of
{np.median(net.predict(X[test][pred == y[test]]).max(axis=1)):.2f}.
""")

figure(
    lambda fig: draw_petals(fig, mark=wrong),
    alt=(
        f"The petal scatter again with the {len(wrong)} misclassified held-out flowers circled; they sit "
        f"at petal lengths {', '.join(f'{petal_len[i]:g}' for i in wrong)} cm and widths "
        f"{', '.join(f'{petal_wid[i]:g}' for i in wrong)} cm, inside or at the edge of the overlap of "
        "versicolor and virginica."
    ),
    caption="The held-out flowers the network gets wrong.",
)

# %% tags=["hide-input"]
split_seeds = list(range(10))
md(f"""
One split is one sample of {len(test)} flowers, and one error more or less moves the accuracy by
{100 / len(test):.1f} percentage points. Repeating the whole procedure — split, standardise with
training statistics, train — for {len(split_seeds)} different split seeds shows how much of the
number above is luck of the draw:
""")


# %% tags=["hide-input"]
def run_split(seed):
    r = np.random.default_rng(seed)
    te = np.sort(np.concatenate([r.permutation(np.flatnonzero(y == k))[:15] for k in range(3)]))
    tr = np.setdiff1d(np.arange(len(y)), te)
    m, s = X_raw[tr].mean(axis=0), X_raw[tr].std(axis=0)
    Xs = (X_raw - m) / s
    model = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
    model.fit(Xs[tr], Y[tr], epochs=epochs, lr=lr)
    # a baseline with no training: assign each flower to the nearest species mean (training flowers)
    centres = np.array([Xs[tr][y[tr] == k].mean(axis=0) for k in range(3)])
    nearest = np.argmin(((Xs[te][:, None, :] - centres) ** 2).sum(axis=2), axis=1)
    return float(np.mean(model.predict(Xs[te]).argmax(axis=1) == y[te])), float(np.mean(nearest == y[te]))


split_results = np.array([run_split(s) for s in split_seeds])
md_table(["split seed", *[f"{s}" for s in split_seeds]],
         [["network", *split_results[:, 0]], ["nearest species mean", *split_results[:, 1]]], fmt="{:.3f}")
md(f"""
Over the {len(split_seeds)} splits the network's held-out accuracy ranges from ${split_results[:, 0].min():.3f}$
to ${split_results[:, 0].max():.3f}$ (mean ${split_results[:, 0].mean():.3f}$). A classifier with
no training at all, which assigns each flower to the species whose mean (over the training flowers)
is nearest, reaches ${split_results[:, 1].mean():.3f}$ on average. Split 0 is the one used above.
""")

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
max_mistakes = max(k for k in range(len(test) + 1) if (len(test) - k) / len(test) > 0.9)
md(f"""
The page asserts what the text claims. The output delta of the trained network equals
$(\\hat Y - Y)/m$ (the SymPy result above, which `check()` also compares with the library), the
gradients of the trained network agree with centered finite differences on five held-out flowers,
and the held-out accuracy is above $0.9$. Why $0.9$: chance is $1/3$, the untrained nearest-mean
baseline reaches ${split_results[0, 1]:.3f}$ on this split, and the overlap of versicolor and
virginica makes a few errors unavoidable; $0.9$ allows at most {max_mistakes} mistakes among the
{len(test)} held-out flowers, and every one of the {len(split_seeds)} splits above stays above it.
""")

# %% tags=["hide-input"]
five = test[:: len(test) // 5][:5]
report = bp.check_gradients(net, X[five], Y[five])
md_table(["parameter", "shape", "largest relative error", "result"],
         [[name, f"{p.analytic.shape}", f"{p.max_rel_error:.2e}", "ok" if p.passed(report.tol).all() else "FAILED"]
          for name, p in report.parameters.items()])

# %% tags=["hide-input"]
# SymPy: softmax + cross-entropy gives delta = yhat - y per sample; the library agrees (fused.check)
fused.check()
assert all(str(d) == f"-y_{k} + yhat_{k}" for k, d in enumerate(fused.delta, 1)), fused.delta
fp = net.forward(X[train])
delta_library = net.deltas(X[train], Y[train])[-1]
assert np.allclose(delta_library, (fp.output - Y[train]) / len(train), rtol=1e-12, atol=1e-15)
# library == finite differences on the trained network
assert report.ok and report.max_rel_error < 1e-7, report
# the split: stratified, disjoint, standardised with training statistics only
assert [int(np.sum(y[test] == k)) for k in range(3)] == [15, 15, 15]
assert len(np.intersect1d(train, test)) == 0 and len(train) + len(test) == len(y)
assert np.allclose(X[train].mean(axis=0), 0, atol=1e-12) and np.allclose(X[train].std(axis=0), 1)
assert not np.allclose(X[test].mean(axis=0), 0, atol=1e-3)
# accuracy and confusion matrix
assert np.isclose(np.trace(confusion) / len(test), acc_test) and confusion.sum() == len(test)
assert acc_test > 0.9, acc_test
assert acc_test > split_results[0, 1], (acc_test, split_results[0, 1])
assert np.isclose(split_results[0, 0], acc_test)  # run_split(0) reproduces the split used above
assert split_results[:, 0].min() > 0.9, split_results
# setosa is separable and never confused; mistakes are versicolor <-> virginica
assert ranges[0][1] < min(ranges[1][0], ranges[2][0])
assert confusion[0, 1:].sum() == 0 and confusion[1:, 0].sum() == 0
assert abs(curves["train loss"][0] - np.log(3)) < 0.2
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1. The Iris challenge, neuron by neuron.** Seed 004 ends by challenging its readers to train an
# MLP on Iris with its `Neuron` class, one scalar neuron at a time. Take the trained network's
# weights and compute its output for the first held-out flower the seed's way: each hidden neuron
# $j$ computes $a_j = \tanh\bigl(\sum_i x_i w_{ij} + b_j\bigr)$ with a Python loop, each output
# neuron $z_k = \sum_j a_j w'_{jk} + b'_k$, then the softmax. Then compute, with the chain rule
# written out for scalars, $\partial L/\partial w_{11}$ for that single flower. Do they match the
# library?

# %% tags=["hide-input"]
import math  # noqa: E402

flower = int(test[0])
x_f, y_f = X[flower], Y[flower]
W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
hidden = [math.tanh(sum(x_f[i] * W1[i, j] for i in range(4)) + b1[j]) for j in range(8)]
logits = [sum(hidden[j] * W2[j, k] for j in range(8)) + b2[k] for k in range(3)]
exps = [math.exp(z - max(logits)) for z in logits]
probs = [e / sum(exps) for e in exps]
# dL/dw11 = sum_k (yhat_k - y_k) * w'_{1k} * (1 - a_1^2) * x_1   (one sample, so m = 1)
dL_dw11 = sum((probs[k] - y_f[k]) * W2[0, k] for k in range(3)) * (1 - hidden[0] ** 2) * x_f[0]
lib_probs = net.predict(X[[flower]])[0]
lib_grad = net.gradients(X[[flower]], Y[[flower]])["W1"][0, 0]
assert np.allclose(probs, lib_probs, rtol=1e-13, atol=1e-15), (probs, lib_probs)
assert abs(dL_dw11 - lib_grad) <= 1e-12 * max(1e-12, abs(lib_grad)), (dL_dw11, lib_grad)
solution(f"""
Flower {flower} (a {species[y[flower]]}) gets the probabilities
{", ".join(f"${p:.6f}$" for p in probs)} from the loops, the same as `net.predict` to within
rounding (relative difference below $10^{{-13}}$). For one flower the chain rule gives
$\\partial L/\\partial w_{{11}} = \\sum_k (\\hat y_k - y_k)\\, w'_{{1k}}\\, (1 - a_1^2)\\, x_1 =
{sci(dL_dw11, 6)}$, and the library's `net.gradients` gives ${sci(lib_grad, 6)}$. The seed's neuron-level
code and the matrix code compute the same numbers; the matrix form does all neurons and all
flowers at once, and that is the only difference.
""")

# %% [markdown]
# **2. One flower at a time.** The seed's training loop updates the weights after every single
# flower. Train the same network (seed 0) with `batch_size=1` at learning rate $0.05$ for 20 epochs.
# How many weight updates is that, compared with the full-batch run, and what held-out accuracy
# does it reach?

# %% tags=["hide-input"]
sgd_net = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
sgd_history = sgd_net.fit(X[train], Y[train], epochs=20, lr=0.05, batch_size=1)
sgd_acc = accuracy(sgd_net, test)
sgd_updates = 20 * len(train)
assert sgd_acc > 0.9, sgd_acc
assert sgd_updates > epochs
solution(f"""
Each epoch now makes {len(train)} updates, one per training flower, so 20 epochs are
{sgd_updates} updates against the {epochs} of the full-batch run. The per-flower run reaches a
held-out accuracy of ${sgd_acc:.3f}$ (mean training loss in its last epoch ${sgd_history.loss[-1]:.4f}$)
against ${acc_test:.3f}$ for full batch: on a data set this small both work, and full batch is
cheaper per update because NumPy handles all {len(train)} flowers in one matrix product.
""")

# %% [markdown]
# **3. The first loss.** Why does the training loss start near $\ln 3$? Compute the untrained
# network's mean predicted probabilities and its loss.

# %% tags=["hide-input"]
fresh = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
p0 = fresh.predict(X[train])
loss0 = fresh.loss(X[train], Y[train])
assert np.isclose(loss0, curves["train loss"][0]), (loss0, curves["train loss"][0])
assert np.isclose(loss0, -np.mean(np.log(p0[np.arange(len(train)), y[train]])))
assert abs(loss0 - np.log(3)) < 0.2
p_right = float(np.mean(p0[np.arange(len(train)), y[train]]))
assert abs(p_right - 1 / 3) < 0.1, p_right
solution(f"""
With small random weights the logits $z_k$ are close to one another, and the softmax of equal
logits is $1/3$ for each species; the cross-entropy of a probability $1/3$ on the right species is
$-\\ln(1/3) = \\ln 3 = {np.log(3):.4f}$. The untrained network's mean probabilities over the
training flowers are {", ".join(f"${v:.3f}$" for v in p0.mean(axis=0))}; the probability it gives
the right species averages ${p_right:.3f}$, and its loss is ${loss0:.4f}$. The random weights
happen to lean slightly towards the right answers, so the loss starts a little below $\\ln 3$.
A first loss far above $\\ln 3$ would mean the initial weights are too large: the network would be
confidently wrong before it has learned anything.
""")

# %% [markdown]
# **4. Petals only.** Train a $[2, 8, 3]$ network on the two petal features alone (same split,
# same training) and compare its held-out accuracy with the four-feature network.

# %% tags=["hide-input"]
petal_net = bp.MLP([2, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
petal_net.fit(X[train][:, 2:], Y[train], epochs=epochs, lr=lr)
petal_acc = float(np.mean(petal_net.predict(X[test][:, 2:]).argmax(axis=1) == y[test]))
petal_conf = np.zeros((3, 3), dtype=int)
np.add.at(petal_conf, (y[test], petal_net.predict(X[test][:, 2:]).argmax(axis=1)), 1)
assert petal_conf[0, 1:].sum() == 0 and petal_conf[1:, 0].sum() == 0
assert petal_acc > 0.8, petal_acc
solution(f"""
The petal-only network reaches ${petal_acc:.3f}$ on the held-out flowers against ${acc_test:.3f}$
with all four features; it still never confuses setosa, and its
{int(len(test) - np.trace(petal_conf))} mistakes are all between versicolor and virginica. The
petals carry most of the information; the sepals help to separate a few of the flowers in the
overlap.
""")
