# %% [markdown]
# # Classification
#
# The network of the [previous chapter](fitting-a-curve.py) predicted a number. Many networks
# predict a *class* instead: which digit, which word, which species. This chapter trains a small
# softmax network on Fisher's Iris data: flowers of three species, four measurements each. It
# splits the data into a training part and a held-out part, trains while watching both losses,
# measures how often the held-out flowers are classified correctly, and looks at which mistakes
# the network makes and where they come from. The symbols are those of the
# [notation table](symbols.py).

# %% [markdown]
# ## The data
#
# The data set ships with the library, so nothing is downloaded:

# %%
import numpy as np

import backprop as bp

X_raw, y, species = bp.datasets.load_iris()

# %% tags=["hide-input"]
import math
import time

import sympy as sp
from IPython.display import Math, display
from matplotlib.patches import Rectangle

import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex

features = bp.datasets.IRIS_FEATURES
counts = [int(np.sum(y == k)) for k in range(3)]
md(f"""
`X_raw` has shape ${X_raw.shape[0]} \\times {X_raw.shape[1]}$: one row per flower, with the columns
{", ".join(features[:-1])} and {features[-1]}. `y` holds the species as an index
$0, 1, 2$ into {", ".join(f"*{s}*" for s in species)}; there are {counts[0]}, {counts[1]} and
{counts[2]} flowers of each. Below, the flowers are numbered $1$ to ${len(y)}$ in the order of the
rows: flower $i$ is `X_raw[i - 1]`.
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
# setosa's petals are smaller, versicolor's and virginica's differ on average and overlap
assert ranges[0][1] < min(ranges[1][0], ranges[2][0]) and ranges[0][3] < min(ranges[1][2], ranges[2][2])
assert petal_len[y == 1].mean() < petal_len[y == 2].mean() and petal_wid[y == 1].mean() < petal_wid[y == 2].mean()
assert min(in_box_counts) > 0


def draw_petals(fig, mark=None):
    ax = fig.subplots()
    rng = np.random.default_rng(1)  # a little jitter: the measurements are rounded to 0.1 cm
    jitter = rng.uniform(-0.03, 0.03, size=(len(y), 2))
    for k, name in enumerate(species):
        sel = y == k
        ax.scatter(petal_len[sel] + jitter[sel, 0], petal_wid[sel] + jitter[sel, 1], s=14, alpha=0.75,
                   color=f"C{k}", label=name, marker="os^"[k])
    ax.add_patch(Rectangle(
        (box[0], box[2]), box[1] - box[0], box[3] - box[2], fill=False, linestyle="--", edgecolor="C4",
        label="overlap"))
    if mark is not None:
        ax.scatter(petal_len[mark], petal_wid[mark], s=110, facecolors="none", edgecolors="C3",
                   linewidths=1.6, label="misclassified")
    ax.set_xlabel("petal length (cm)")
    ax.set_ylabel("petal width (cm)")
    fig.legend(loc="outside upper center", ncols=3)


figure(
    draw_petals,
    alt=(
        f"Scatter of petal width against petal length for the {len(y)} flowers. Setosa forms a separate "
        f"cluster at lengths {num(ranges[0][0], 2, trim=True)} to {num(ranges[0][1], 2, trim=True)} cm; "
        f"versicolor ({num(ranges[1][0], 2, trim=True)} to {num(ranges[1][1], 2, trim=True)} cm) and "
        f"virginica ({num(ranges[2][0], 2, trim=True)} to {num(ranges[2][1], 2, trim=True)} cm) touch and "
        f"overlap in a rectangle holding {sum(in_box_counts)} flowers."
    ),
    caption=f"Petal measurements of the {len(y)} flowers, by species; the dashed rectangle is where the "
            "petal ranges of versicolor and virginica overlap.",
)

# %% tags=["hide-input"]
md(f"""
Setosa's longest petal is {num(ranges[0][1], 2, trim=True)} cm, the shortest of any other flower
{num(min(ranges[1][0], ranges[2][0]), 2, trim=True)} cm: a single threshold on petal length separates
it. Versicolor's petals reach {num(ranges[1][1], 2, trim=True)} cm long and
{num(ranges[1][3], 2, trim=True)} cm wide, virginica's start at {num(ranges[2][0], 2, trim=True)} cm
and {num(ranges[2][2], 2, trim=True)} cm, and the rectangle where both ranges overlap holds
{in_box_counts[0]} versicolor and {in_box_counts[1]} virginica flowers. That is where the network
below makes its mistakes on held-out flowers.
""")

# %% [markdown]
# ## A held-out split, standardised with training statistics
#
# A network is judged on flowers it was not trained on. From each species, 15 flowers are
# drawn at random (seed 0) and held out; the others train the network. Drawing the same number
# from each species, a *stratified* split, keeps the classes balanced on both sides.
#
# Each feature is then standardised with the mean and standard deviation of the *training* flowers
# only. Using the held-out flowers' statistics would leak information about them into training.

# %%
rng = np.random.default_rng(0)
# 15 flowers of each species, drawn at random
held_out = [rng.permutation(np.flatnonzero(y == k))[:15] for k in range(3)]
test = np.sort(np.concatenate(held_out))
train = np.setdiff1d(np.arange(len(y)), test)

mean, std = X_raw[train].mean(axis=0), X_raw[train].std(axis=0)
X = (X_raw - mean) / std
Y = bp.datasets.one_hot(y)  # row k of the 3x3 identity for class k

# %% tags=["hide-input"]
md(f"That holds out {len(test)} flowers ({num(100 * len(test) / len(y), 2)} %) and leaves "
   f"{len(train)} for training.")

# %% [markdown]
# The targets are *one-hot* rows: a versicolor flower has $y = (0, 1, 0)$. The network ends in a
# softmax over its $n_L = 3$ output units, so its output is a probability for each species, and the
# loss is the cross-entropy:
#
# $$
# \hat y_k = \frac{e^{z^{(L)}_k}}{\sum_{k'=1}^{n_L} e^{z^{(L)}_{k'}}}, \qquad
# \mathcal{L} = -\frac{1}{N}\sum_{i=1}^{N} \sum_{k=1}^{n_L} y_{ik} \ln \hat y_{ik},
# $$
#
# the average over the $N$ flowers of $-\ln$ (probability given to the right species). Softmax
# followed by cross-entropy has a particularly simple output delta. For one flower ($N = 1$, and
# writing $z_k$ for $z^{(L)}_k$) the chain rule runs through the softmax Jacobian
# $\partial \hat y_{k'} / \partial z_k = \hat y_{k'} ([k' = k] - \hat y_k)$ (with $[k' = k]$ equal to 1
# if $k' = k$, else 0); SymPy expands it and uses that a one-hot row sums to 1:

# %% tags=["hide-input"]
zs = sp.symbols("z_1:4", real=True)
ys = sp.symbols("y_1:4", real=True)
yhats = sp.symbols(r"\hat{y}_1:4", positive=True)
softmax = [sp.exp(z) / sum(sp.exp(zz) for zz in zs) for z in zs]
# the Jacobian written with yhat agrees with differentiating the softmax itself
for kp in range(3):
    for k in range(3):
        jac = softmax[kp] * ((1 if kp == k else 0) - softmax[k])
        assert sp.simplify(sp.diff(softmax[kp], zs[k]) - jac) == 0, (kp, k)
loss_one = -sum(yk * sp.log(p) for yk, p in zip(ys, yhats, strict=True))  # in terms of yhat
chain_sum = sum(sp.diff(loss_one, yhats[kp]) * yhats[kp] * ((1 if kp == 0 else 0) - yhats[0]) for kp in range(3))
expanded = sp.expand(chain_sum)
delta_1 = sp.simplify(expanded.subs(ys[2], 1 - ys[0] - ys[1]))
assert sp.simplify(delta_1 - (yhats[0] - ys[0])) == 0, delta_1
# the same derivative taken directly through the softmax of z, with a one-hot target
loss_z = -sum(yk * sp.log(p) for yk, p in zip(ys, softmax, strict=True))
direct = sp.diff(loss_z, zs[0]).subs(ys[2], 1 - ys[0] - ys[1])
assert sp.simplify(direct - (softmax[0] - ys[0])) == 0
display(Math(
    r"\frac{\partial \mathcal{L}}{\partial z_1} = \sum_{k'=1}^{3} \frac{\partial \mathcal{L}}{\partial \hat y_{k'}}"
    r"\,\frac{\partial \hat y_{k'}}{\partial z_1} = " + sp.latex(expanded)
    + r" = " + sp.latex(delta_1) + r"\quad (y_1 + y_2 + y_3 = 1)"
))

# %% [markdown]
# and likewise $\partial \mathcal{L}/\partial z_k = \hat y_k - y_k$ for every $k$. With $N$ flowers
# each flower's term carries the factor $1/N$ of the mean, so for the batch
# $\delta^{(L)} = (\hat Y - Y)/N$, which is what the library uses (the [checks](#checks) below
# compare it). The network has one hidden layer of 8 tanh units:

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
names = ("train loss", "held-out loss", "train accuracy", "held-out accuracy")
curves = {name: [] for name in names}


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


def draw_curves(fig):
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    e = np.arange(epochs)
    ax1.plot(e, curves["train loss"], label="training")
    ax1.plot(e, curves["held-out loss"], label="held out", linestyle="--")
    ax1.set_yscale("log")
    ax1.set_ylabel("cross-entropy")
    ax1.legend(loc="upper right")
    ax2.plot(e, curves["train accuracy"], label="training")
    ax2.plot(e, curves["held-out accuracy"], label="held out", linestyle="--")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("accuracy")
    ax2.set_ylim(0, 1.05)
    ax2.legend(loc="lower right")


figure(
    draw_curves,
    figsize=(5.0, 5.6),
    alt=(
        f"Top: cross-entropy per epoch on a log scale. Both losses start near "
        f"{num(curves['train loss'][0], 2)} and fall; after {epochs} epochs the training loss is "
        f"{num(loss_train, 3)} and the held-out loss {num(loss_test, 3)}. Bottom: accuracy per epoch; "
        f"the held-out accuracy ends at {num(acc_test, 3)} and the training accuracy at {num(acc_train, 3)}."
    ),
    caption="Loss (top) and accuracy (bottom) on the training and held-out flowers, epoch by epoch.",
)

# %% tags=["hide-input"]
still_falling = best_epoch == epochs - 1
assert abs(curves["train loss"][0] - np.log(3)) < 0.2 and abs(curves["held-out loss"][0] - np.log(3)) < 0.2
assert loss_test > loss_train
# accuracies move in whole flowers, but several flowers can switch in one epoch
jumps = {}
for key, rows in (("train accuracy", train), ("held-out accuracy", test)):
    assert np.allclose(curves[key] * len(rows), np.round(curves[key] * len(rows)), atol=1e-9)
    jumps[key] = int(np.abs(np.diff(np.round(curves[key] * len(rows)))).max())
assert jumps["train accuracy"] > 1
md(f"""
The losses start at ${tex(curves['train loss'][0], 3)}$ (training) and
${tex(curves['held-out loss'][0], 3)}$ (held out), near $\\ln 3 = {tex(np.log(3), 4)}$, the loss of a
network that gives every species the probability $1/3$ (see exercise 3). After {epochs} epochs the
training loss is ${tex(loss_train, 3)}$ and the held-out loss ${tex(loss_test, 3)}$. The held-out loss
is higher: the network fits the flowers it is trained on more closely than new ones.
{"The held-out loss is still falling at the last epoch: this run does not show the usual sign of "
 "overfitting, a held-out loss that rises while the training loss falls."
 if still_falling else f"The held-out loss is lowest at epoch {best_epoch} and rises after it: the network "
 "starts to overfit."}
The accuracy curves are step functions: an accuracy changes only when a flower's largest
probability switches species, so it moves in whole flowers ($1/{len(train)}$ of the training flowers,
$1/{len(test)}$ of the held-out ones), though not one at a time: early in training one epoch changes
the count of correct flowers by up to {jumps["train accuracy"]} training and {jumps["held-out accuracy"]}
held-out flowers.
""")


# %% [markdown]
# ## Accuracy and the confusion matrix
#
# A flower is assigned the species with the largest predicted probability. The *confusion matrix*
# counts held-out flowers by true species (rows) and predicted species (columns); the diagonal holds
# the correct answers.

# %%
predicted = net.predict(X[test]).argmax(axis=1)
confusion = np.zeros((3, 3), dtype=int)
np.add.at(confusion, (y[test], predicted), 1)  # one count per held-out flower

# %% tags=["hide-input"]
wrong = test[predicted != y[test]]
assert np.isclose(np.trace(confusion) / len(test), acc_test) and confusion.sum() == len(test)
md(f"""
On the {len(test)} held-out flowers the network is right {int(np.trace(confusion))} times: a
held-out accuracy of ${tex(acc_test, 3)}$ (training accuracy ${tex(acc_train, 3)}$).
""")
md_table(["true \\ predicted", *species],
         [[f"**{species[i]}**", *confusion[i].tolist()] for i in range(3)])


# %% tags=["hide-input"]
def draw_confusion(fig):
    ax = fig.subplots()
    ax.grid(False)
    top = confusion.max()
    for i in range(3):
        for j in range(3):
            # transparent for 0, deepening with the count: readable on a light and a dark page
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor="C0", edgecolor="none",
                                   alpha=0.6 * confusion[i, j] / top))
            ax.text(j, i, str(confusion[i, j]), ha="center", va="center", fontsize=14)
    ax.set_xlim(-0.5, 2.5)
    ax.set_ylim(2.5, -0.5)
    ax.set_aspect("equal")
    ax.set_xticks(range(3), species)
    ax.set_yticks(range(3), species)
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")


cells = "; ".join(f"true {species[i]}: " + ", ".join(f"{confusion[i, j]} predicted {species[j]}" for j in range(3))
                  for i in range(3))
figure(draw_confusion, figsize=(5.0, 3.6),
       alt=f"Confusion matrix of the {len(test)} held-out flowers as a grid of shaded cells, darker for "
           f"larger counts. {cells}.",
       caption="The confusion matrix as a heat map: the shade deepens with the count; the diagonal holds "
               "the correct predictions.")

# %% [markdown]
# ## Which flowers are confused, and why

# %% tags=["hide-input"]
probs_wrong = net.predict(X[wrong])
md_table(
    ["flower", "species", "petal (cm)", "$P$(versicolor)", "$P$(virginica)", "in the overlap"],
    [[int(i + 1), species[y[i]], f"{num(petal_len[i], 2, trim=True)} × {num(petal_wid[i], 2, trim=True)}",
      probs_wrong[r, 1], probs_wrong[r, 2], "yes" if in_box[i] else "no"] for r, i in enumerate(wrong)],
    fmt=3,
)


# %% tags=["hide-input"]
def nearest(rows, i, species_k):
    """Distance from flower i to the nearest flower of `rows` of species k (four standardised measurements)."""
    pool = rows[y[rows] == species_k]
    return float(np.sqrt(((X[pool] - X[i]) ** 2).sum(axis=1)).min())


pred_wrong = probs_wrong.argmax(axis=1)
d_own = np.array([nearest(train, i, y[i]) for i in wrong])
d_pred = np.array([nearest(train, i, k) for i, k in zip(wrong, pred_wrong, strict=True)])
closer = d_pred < d_own
# a rule with no training: the species of the nearest training flower
nn_pred = np.array([y[train][np.argmin(((X[train] - X[i]) ** 2).sum(axis=1))] for i in test])
nn_wrong = test[nn_pred != y[test]]
shared = np.intersect1d(wrong, nn_wrong)
correct_conf = np.median(net.predict(X[test][predicted == y[test]]).max(axis=1))
# the claims of the next paragraph
assert confusion[0, 1:].sum() == 0 and confusion[1:, 0].sum() == 0  # mistakes: versicolor <-> virginica
assert probs_wrong[:, 0].max() < 1e-3
assert np.all(d_pred < 1.1 * d_own), (d_pred, d_own)
assert probs_wrong.max(axis=1).max() < correct_conf
assert len(shared) >= 1 and in_box[wrong].all()
md(f"""
Flowers are numbered as in the data set (1 to {len(y)}); the probability of setosa is below
${tex(1e-3)}$ for each of them. Every mistake is between versicolor and virginica, and
{int(np.sum(in_box[wrong]))} of the {len(wrong)} misclassified flowers lie inside the rectangle
where the petal ranges of those two species overlap (circled below). Setosa is never confused
with the others on this split (nor on any of the ten splits further down): its petals are
separated from theirs by a gap.

The mistakes say as much about the data as about the network. Measured in the four standardised
measurements, {" and ".join(f"flower {i + 1}" for i in wrong[closer])}
{"is" if closer.sum() == 1 else "are"} closer to a training flower of the species the network chose
than to any training flower of {"its" if closer.sum() == 1 else "their"} own, and
{", ".join(f"flower {i + 1}" for i in wrong[~closer]) or "none"}
{"is" if (~closer).sum() == 1 else "are"} nearly as close to one of the chosen species as to one of
{"its" if (~closer).sum() == 1 else "their"} own
({", ".join(f"${tex(dp, 3)}$ against ${tex(do, 3)}$" for dp, do in zip(d_pred[~closer], d_own[~closer],
                                                                         strict=True))}). A rule with
no training at all, which gives each held-out flower the species of its nearest training flower,
makes {len(nn_wrong)} mistakes on this split, {len(shared)} of them on the same flowers. The network's
probabilities show its doubt: it gives the species it picks
{", ".join(f"${tex(p, 2)}$" for p in probs_wrong.max(axis=1))} for the misclassified flowers, while the
correctly classified held-out flowers get a median of ${tex(correct_conf, 3)}$.
""")

figure(
    lambda fig: draw_petals(fig, mark=wrong),
    alt=(
        f"The petal scatter again with the {len(wrong)} misclassified held-out flowers circled; they sit "
        f"at petal lengths {', '.join(num(petal_len[i], 2, trim=True) for i in wrong)} cm and widths "
        f"{', '.join(num(petal_wid[i], 2, trim=True) for i in wrong)} cm, inside the overlap of "
        "versicolor and virginica."
    ),
    caption="The held-out flowers the network gets wrong (circled).",
)

# %% tags=["hide-input"]
split_seeds = list(range(10))
md(f"""
One split is one sample of {len(test)} flowers, and one error more or less moves the accuracy by
{num(100 / len(test), 2)} percentage points. Repeating the whole procedure (split, standardise with
training statistics, train) for {len(split_seeds)} different split seeds shows how much of the
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
    guess = model.predict(Xs[te]).argmax(axis=1)
    # the same network on the two petal measurements only (exercise 4)
    petals = bp.MLP([2, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
    petals.fit(Xs[tr][:, 2:], Y[tr], epochs=epochs, lr=lr)
    petal_guess = petals.predict(Xs[te][:, 2:]).argmax(axis=1)
    # a baseline with no training: assign each flower to the nearest species mean (training flowers)
    centres = np.array([Xs[tr][y[tr] == k].mean(axis=0) for k in range(3)])
    nearest_mean = np.argmin(((Xs[te][:, None, :] - centres) ** 2).sum(axis=2), axis=1)
    setosa_confused = int(np.sum((y[te] == 0) != (guess == 0)))
    return {"network": float(np.mean(guess == y[te])), "nearest mean": float(np.mean(nearest_mean == y[te])),
            "petals": float(np.mean(petal_guess == y[te])), "setosa confused": setosa_confused,
            "petals disagree": int(np.sum(guess != petal_guess))}


splits = [run_split(s) for s in split_seeds]
network_acc = np.array([r["network"] for r in splits])
baseline_acc = np.array([r["nearest mean"] for r in splits])
md_table(["split seed", "network", "nearest species mean"],
         [[s, r["network"], r["nearest mean"]] for s, r in zip(split_seeds, splits, strict=True)], fmt=3)
assert all(r["setosa confused"] == 0 for r in splits)
assert np.all(network_acc > baseline_acc), (network_acc, baseline_acc)
md(f"""
Over the {len(split_seeds)} splits the network's held-out accuracy ranges from ${tex(network_acc.min(), 3)}$
to ${tex(network_acc.max(), 3)}$ (mean ${tex(network_acc.mean(), 3)}$). A classifier with no training
at all, which assigns each flower to the species whose mean (over the training flowers) is nearest,
reaches ${tex(baseline_acc.mean(), 3)}$ on average, and the network beats it on every split. Split 0
is the one used above.
""")

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
max_mistakes = max(k for k in range(len(test) + 1) if (len(test) - k) / len(test) > 0.9)
md(f"""
The page asserts what the text claims. The output delta of the trained network equals
$(\\hat Y - Y)/N$ (the SymPy result above; the library's own symbolic module derives it too, and
`check()` compares it with the library), the gradients of the trained network agree with centred
finite differences on five held-out flowers, and the held-out accuracy is above $0.9$. Why $0.9$:
chance is $1/3$, the untrained nearest-mean baseline reaches ${tex(baseline_acc[0], 3)}$ on this split,
and $0.9$ allows at most {max_mistakes} mistakes among the {len(test)} held-out flowers; every one of
the {len(split_seeds)} splits above stays above it.
""")

# %% tags=["hide-input"]
five = test[:: len(test) // 5][:5]
report = bp.check_gradients(net, X[five], Y[five])
md_table(["parameter", "shape", "largest relative error", "result"],
         [[name, " × ".join(map(str, p.analytic.shape)), p.max_rel_error,
           "ok" if p.passed(report.tol).all() else "FAILED"]
          for name, p in report.parameters.items()], fmt=2)

# %% tags=["hide-input"]
# SymPy (the library's symbolic module): softmax + cross-entropy gives delta = yhat - y per sample, as the
# page's own derivation above; the library agrees (fused.check)
fused = bs.derive_fused_delta("softmax", "cross_entropy")
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
# accuracy
assert acc_test > 0.9, acc_test
assert np.isclose(splits[0]["network"], acc_test)  # run_split(0) reproduces the split used above
assert network_acc.min() > 0.9, network_acc
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1. The Iris challenge, neuron by neuron.** The neuron-by-neuron tutorial among the book's
# sources ends by challenging its readers to train an MLP on Iris with its `Neuron` class, one
# scalar neuron at a time. Take the trained network's weights and compute its output for the first
# held-out flower that way: each hidden neuron $k$ computes
# $a^{(1)}_k = \tanh\bigl(\sum_j x_j w^{(1)}_{jk} + b^{(1)}_k\bigr)$ with a Python loop, each output
# neuron $z^{(2)}_k = \sum_j a^{(1)}_j w^{(2)}_{jk} + b^{(2)}_k$, then the softmax. Then compute,
# with the chain rule written out for scalars, $\partial \mathcal{L}/\partial w^{(1)}_{11}$ for that
# single flower ($N = 1$). Do they match the library?

# %% tags=["hide-input"]
flower = int(test[0])
x_f, y_f = X[flower], Y[flower]
W1, b1, W2, b2 = (net.params[k] for k in ("W1", "b1", "W2", "b2"))
hidden = [math.tanh(sum(x_f[j] * W1[j, k] for j in range(4)) + b1[k]) for k in range(8)]
logits = [sum(hidden[j] * W2[j, k] for j in range(8)) + b2[k] for k in range(3)]
exps = [math.exp(z - max(logits)) for z in logits]
probs = [e / sum(exps) for e in exps]
# dL/dw11 = sum_k (yhat_k - y_k) * w2_{1k} * (1 - a_1^2) * x_1   (one flower, so N = 1)
dL_dw11 = sum((probs[k] - y_f[k]) * W2[0, k] for k in range(3)) * (1 - hidden[0] ** 2) * x_f[0]
lib_probs = net.predict(X[[flower]])[0]
lib_grad = net.gradients(X[[flower]], Y[[flower]])["W1"][0, 0]
prob_rel = max(abs(p - q) / abs(q) for p, q in zip(probs, lib_probs, strict=True))
assert prob_rel < 1e-13, prob_rel
assert abs(dL_dw11 - lib_grad) <= 1e-12 * abs(lib_grad), (dL_dw11, lib_grad)
solution(f"""
Flower {flower + 1} (a {species[y[flower]]}) gets the probabilities
{", ".join(f"${tex(p, 6)}$" for p in probs)} from the loops, the same as `net.predict` to within
rounding (largest relative difference ${tex(max(prob_rel, 1e-300), 1)}$, below $10^{{-13}}$). For one
flower the chain rule gives
$\\partial \\mathcal{{L}}/\\partial w^{{(1)}}_{{11}} = \\sum_k (\\hat y_k - y_k)\\, w^{{(2)}}_{{1k}}\\,
\\bigl(1 - (a^{{(1)}}_1)^2\\bigr)\\, x_1 = {tex(dL_dw11, 7)}$, and the library's `net.gradients` gives
${tex(lib_grad, 7)}$. The neuron-level loops and the matrix code compute the same numbers up to
rounding; the matrix form does all neurons and all flowers at once.
""")

# %% [markdown]
# **2. One flower at a time.** The tutorial's training loop updates the weights after every single
# sample. Train the same network (seed 0) with `batch_size=1` at learning rate $0.05$ for 20 epochs.
# How many weight updates is that, compared with the full-batch run, what held-out accuracy does it
# reach, and which costs more time per epoch?

# %% tags=["hide-input"]
sgd_net = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
sgd_history = sgd_net.fit(X[train], Y[train], epochs=20, lr=0.05, batch_size=1)
sgd_acc = accuracy(sgd_net, test)
sgd_updates = 20 * len(train)
assert sgd_acc > 0.9, sgd_acc
assert sgd_updates > epochs


def best_seconds(run, repeat=5):
    """The shortest of `repeat` timings of run(): the least disturbed by other work on the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


timing_net = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
full_epoch = best_seconds(lambda: timing_net.fit(X[train], Y[train], epochs=50, lr=lr)) / 50
flower_epoch = best_seconds(lambda: timing_net.fit(X[train], Y[train], epochs=2, lr=0.05, batch_size=1)) / 2
per_epoch = flower_epoch / full_epoch
per_update = (flower_epoch / len(train)) / full_epoch
# measured about 80 here; asserted with a wide margin, since timings vary between machines and runs
assert per_epoch > 10, per_epoch
assert 0.25 < per_update < 4, per_update  # the same order per update: fixed costs dominate
solution(f"""
Each epoch now makes {len(train)} updates, one per training flower, so 20 epochs are
{sgd_updates} updates against the {epochs} of the full-batch run. The per-flower run reaches a
held-out accuracy of ${tex(sgd_acc, 3)}$ (mean training loss in its last epoch
${tex(sgd_history.loss[-1], 3)}$) against ${tex(acc_test, 3)}$ for full batch: on a data set this small
both work.

Time is another matter. When this page was built, one update took
{num(1e6 * flower_epoch / len(train), 2)} µs with one flower and {num(1e6 * full_epoch, 2)} µs with
all {len(train)}: the same order of time for {len(train)} times the flowers. With 4 inputs and 8 hidden
units the matrix products are tiny, and every update pays the fixed cost of its NumPy calls, whatever
the batch. So an epoch of per-flower updates costs about {num(per_epoch, 2)} times a full-batch epoch.
(Timings vary between machines and runs; the page asserts only that the per-flower epoch costs more
than 10 times the full-batch one and that the two updates' times are within a factor of 4 of each
other.)
""")

# %% [markdown]
# **3. The first loss.** Why does the training loss start near $\ln 3$? Compute the untrained
# network's mean predicted probabilities and its loss.

# %% tags=["hide-input"]
fresh = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
p0 = fresh.predict(X[train])
loss0 = fresh.loss(X[train], Y[train])
logit_spread = np.ptp(fresh.forward(X[train]).z[-1], axis=1)
assert np.isclose(loss0, curves["train loss"][0]), (loss0, curves["train loss"][0])
assert np.isclose(loss0, -np.mean(np.log(p0[np.arange(len(train)), y[train]])))
p_right = float(np.mean(p0[np.arange(len(train)), y[train]]))
assert abs(loss0 - np.log(3)) < 0.2 and loss0 < np.log(3) and p_right > 1 / 3, (loss0, p_right)
big = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
for key in ("W1", "W2"):
    big.params[key] *= 10
loss_big = big.loss(X[train], Y[train])
assert loss_big > np.log(3) + 1, loss_big
solution(f"""
With small random weights the logits $z^{{(L)}}_k$ of a flower are close to one another (they span
${tex(logit_spread.mean(), 2)}$ on average), and the softmax of equal logits is $1/3$ for each
species; the cross-entropy of a probability $1/3$ on the right species is
$-\\ln(1/3) = \\ln 3 = {tex(np.log(3), 4)}$. The untrained network's mean probabilities over the
training flowers are {", ".join(f"${tex(v, 3)}$" for v in p0.mean(axis=0))}; the probability it gives
the right species averages ${tex(p_right, 3)}$, and its loss is ${tex(loss0, 4)}$. The random weights
happen to lean slightly towards the right answers, so the loss starts a little below $\\ln 3$.
A first loss far above $\\ln 3$ means a network that is confidently wrong before it has learned
anything, which takes large logits: with the same initial weights multiplied by $10$ the first loss
is ${tex(loss_big, 3)}$.
""")

# %% [markdown]
# **4. Petals only.** Train a $[2, 8, 3]$ network on the two petal features alone (same split,
# same training) and compare its held-out accuracy with the four-feature network.

# %% tags=["hide-input"]
petal_net = bp.MLP([2, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
petal_net.fit(X[train][:, 2:], Y[train], epochs=epochs, lr=lr)
petal_pred = petal_net.predict(X[test][:, 2:]).argmax(axis=1)
petal_acc = float(np.mean(petal_pred == y[test]))
petal_conf = np.zeros((3, 3), dtype=int)
np.add.at(petal_conf, (y[test], petal_pred), 1)
assert petal_conf[0, 1:].sum() == 0 and petal_conf[1:, 0].sum() == 0
assert np.isclose(petal_acc, splits[0]["petals"])
petal_all = np.array([r["petals"] for r in splits])
gap = np.round((network_acc - petal_all) * len(test)).astype(int)  # flowers, per split
disagree = np.array([r["petals disagree"] for r in splits])      # flowers the two label differently
assert np.abs(gap).max() <= 2 and np.all(disagree >= np.abs(gap)), (gap, disagree)
solution(f"""
On this split the petal-only network reaches ${tex(petal_acc, 3)}$ on the held-out flowers against
${tex(acc_test, 3)}$ with all four features; it still never confuses setosa, and its
{int(len(test) - np.trace(petal_conf))} mistakes are all between versicolor and virginica. Over the
{len(split_seeds)} splits above it averages ${tex(petal_all.mean(), 3)}$ against
${tex(network_acc.mean(), 3)}$: the four features do better on {int(np.sum(gap > 0))} splits, equally
well on {int(np.sum(gap == 0))} and worse on {int(np.sum(gap < 0))}, never by more than
{int(np.abs(gap).max())} of the {len(test)} flowers. The petals carry almost all of what this network
uses: the two networks label at most {int(disagree.max())} held-out flowers differently on any split, and
{int(np.sum(disagree == 0))} of the {len(split_seeds)} splits identically.
""")
