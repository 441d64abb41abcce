# %% [markdown]
# # Using backprop in your code
#
# The chapters so far built the library's pieces and checked each against SymPy and finite
# differences. This one is about using them on your own data: giving class labels instead of
# one-hot rows, reading predictions, holding out a validation set and stopping early, saving a
# trained network, keeping a copy of its parameters, and what happens when training is interrupted
# or diverges. It ends with an activation and a loss of your own. The data are Fisher's Iris
# flowers again, as in [classification](classification.py); every function used here is listed in
# the [API reference](api.md).

# %% [markdown]
# ## Labels in, labels out
#
# The flowers are split at random into 60 for training, 45 for validation and 45 for a final
# test, and standardised with the training flowers' statistics:

# %%
import numpy as np

import backprop as bp

X_raw, y, species = bp.datasets.load_iris()
order = np.random.default_rng(0).permutation(len(y))
train, val, test = order[:60], order[60:105], order[105:]
mean, std = X_raw[train].mean(axis=0), X_raw[train].std(axis=0)
X = (X_raw - mean) / std

# %% tags=["hide-input"]
import json

from backprop.book import figure, md, num, solution, tex

# %% [markdown]
# `y` holds the species as integers 0, 1, 2. A network whose loss is cross-entropy takes them as
# they are: `fit`, `loss`, `value_and_grad` and `check_gradients` turn a 1-D integer array into
# one-hot rows (`bp.one_hot` does the same by hand).

# %%
net = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
history = net.fit(X[train], y[train], epochs=100, lr=0.5)
print(net.loss(X[train], y[train]) == net.loss(X[train], bp.one_hot(y[train], 3)))

# %% tags=["hide-input"]
same_loss = net.loss(X[train], y[train]) == net.loss(X[train], bp.one_hot(y[train], 3))
assert same_loss
by_label, by_row = net.value_and_grad(X[train], y[train]), net.value_and_grad(X[train], bp.one_hot(y[train], 3))
assert by_label[0] == by_row[0] and all(np.array_equal(by_label[1][k], by_row[1][k]) for k in by_row[1])
report_labels = bp.check_gradients(net, X[train[:5]], y[train[:5]])
report_rows = bp.check_gradients(net, X[train[:5]], bp.one_hot(y[train[:5]], 3))
assert report_labels.ok and report_labels.max_rel_error == report_rows.max_rel_error
twin = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
twin.fit(X[train], bp.one_hot(y[train], 3), epochs=100, lr=0.5)
assert all(np.array_equal(twin.params[k], net.params[k]) for k in net.params)  # labels = one-hot rows, bit for bit

# %% [markdown]
# Two calls read the trained network. `predict` returns the prediction $\hat Y = A^{(L)}$ of the
# book's [notation](notation.py): for a softmax network each row is a probability for each species.
# `predict_labels` returns the most probable species.

# %%
probabilities = net.predict(X[test])
labels = net.predict_labels(X[test])
print(probabilities[:3].round(3))
print(labels[:3], y[test][:3])

# %% tags=["hide-input"]
row_sums = probabilities.sum(axis=1)
accuracy = float(np.mean(labels == y[test]))
assert np.array_equal(labels, probabilities.argmax(axis=1))
assert np.max(np.abs(row_sums - 1)) < 1e-12
md(f"""
Every row of `probabilities` sums to 1 (to within ${tex(float(np.max(np.abs(row_sums - 1))), 1)}$), and
`labels` is the column of the largest probability in each row. On the {len(test)} test flowers the
labels are right for {int(np.sum(labels == y[test]))}, an accuracy of {num(accuracy, 3)}.

scikit-learn splits the two the same way (`predict_proba` and `predict`), but there `predict` gives
labels, because a classifier and a regressor are different classes. Here one `MLP` does both, and
`predict` means the same thing for every network: the output $\\hat y$, a number for regression, a
row of probabilities for a classifier. A network trained with binary cross-entropy (one sigmoid
output) takes 0/1 labels as a 1-D array too, and its `predict_labels` is $\\hat y > 0.5$.
""")

# %% [markdown]
# ## A validation set and early stopping
#
# Sixty flowers are few for a network with 16 hidden units, and trained long enough it fits them
# better than it generalises. `fit` can watch a validation set while it trains:
# `validation=(X_val, y_val)` records the validation loss after every epoch, and `patience=50` stops
# when that loss has not improved for 50 epochs, then puts back the parameters of the epoch where it
# was lowest.

# %%
stopped = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
history = stopped.fit(X[train], y[train], epochs=3000, lr=0.5, validation=(X[val], y[val]), patience=50)
print(history.stopped, history.best_epoch, history.epochs)

# %% [markdown]
# For comparison, the same network trained for all 3000 epochs, recording the validation loss but
# not stopping:

# %%
full = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
full_history = full.fit(X[train], y[train], epochs=3000, lr=0.5, validation=(X[val], y[val]))

# %% tags=["hide-input"]
best, stop_at, patience = history.best_epoch, history.epochs, 50
val_best = history.val_loss[best]
val_end = full_history.val_loss[-1]
train_best, train_end = full_history.loss[best + 1], full_history.loss[-1]
test_stopped, test_full = stopped.loss(X[test], y[test]), full.loss(X[test], y[test])
acc_stopped = float(np.mean(stopped.predict_labels(X[test]) == y[test]))
acc_full = float(np.mean(full.predict_labels(X[test]) == y[test]))
apart = int(np.sum(full.predict_labels(X[test]) == y[test]) - np.sum(stopped.predict_labels(X[test]) == y[test]))
flowers_apart = f"{abs(apart)} flower" + ("s" if abs(apart) != 1 else "")
# The two runs are the same run up to the stop: same initialisation, same full-batch steps.
assert np.array_equal(history.val_loss, full_history.val_loss[:stop_at])
assert history.stopped == "early stopping" and stop_at == best + patience + 1
assert int(np.argmin(full_history.val_loss[:stop_at])) == best
assert stopped.loss(X[val], y[val]) == val_best  # the best epoch's parameters are the ones kept
assert np.all(np.diff(full_history.val_loss[best:]) > 0) and val_end > 2 * val_best  # rises at every epoch
assert np.all(np.diff(full_history.loss) < 0) and train_end < train_best / 10  # falls at every epoch
# Other random splits of the same flowers: which network has the lower test loss?
split_wins = []
for split in range(1, 6):
    o = np.random.default_rng(split).permutation(len(y))
    tr, va, te = o[:60], o[60:105], o[105:]
    Xs = (X_raw - X_raw[tr].mean(axis=0)) / X_raw[tr].std(axis=0)
    runs = []
    for pat in (50, None):
        m = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
        m.fit(Xs[tr], y[tr], epochs=3000, lr=0.5, validation=(Xs[va], y[va]), patience=pat)
        runs.append(m.loss(Xs[te], y[te]))
    split_wins.append(runs[0] < runs[1])
wins = int(sum(split_wins))


def draw_curves(fig):
    ax = fig.subplots()
    epochs = np.arange(1, full_history.epochs + 1)
    ax.plot(epochs, full_history.loss, label="training loss")
    ax.plot(epochs, full_history.val_loss, label="validation loss", linestyle="--")
    ax.axvline(best + 1, color="C2", linewidth=1)
    ax.axvline(stop_at, color="C3", linewidth=1, linestyle=":")
    ax.plot([best + 1], [val_best], "o", color="C2", label="lowest validation loss")
    ax.plot([stop_at], [full_history.val_loss[stop_at - 1]], "s", color="C3", label="early stop")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("epoch + 1")
    ax.set_ylabel("cross-entropy")
    fig.legend(loc="outside upper center", ncols=2)


figure(
    draw_curves,
    alt=(f"Training and validation loss over {full_history.epochs} epochs, both axes logarithmic. The training "
         f"loss falls all the way to {num(train_end, 2)}. The validation loss is lowest, {num(val_best, 3)}, after "
         f"epoch {best} and then rises to {num(val_end, 3)}; early stopping ends the run at epoch {stop_at - 1}, "
         f"{patience} epochs after the lowest point."),
    caption=(f"The network trained for {full_history.epochs} epochs: training and validation loss. Early stopping "
             f"(patience {patience}) keeps the parameters of the marked lowest point and stops at the square."),
)

# %% tags=["hide-input"]
md(f"""
The validation loss is lowest after epoch {best} (epochs are numbered from 0 here, as `history` numbers
them), at ${tex(val_best, 4)}$; after that it rises at every
epoch, to ${tex(val_end, 4)}$ after all {full_history.epochs} epochs, while the training loss keeps falling
(from ${tex(train_best, 3)}$ to ${tex(train_end, 2)}$). The network is growing more confident on the
training flowers than the validation flowers support. With patience {patience}, `fit` stopped after
epoch {stop_at - 1} (`history.stopped` is `"{history.stopped}"`) and restored the parameters of epoch
{best} (`history.best_epoch`): the network's validation loss is exactly `history.val_loss[{best}]`.

On the {len(test)} test flowers, which neither run has seen, the cross-entropy is ${tex(test_stopped, 3)}$ for
the stopped network and ${tex(test_full, 3)}$ for the one trained to the end, and their accuracies are
{num(acc_stopped, 3)} and {num(acc_full, 3)} ({flowers_apart} apart): on this split the test flowers
happen to favour {"the stopped network" if test_stopped < test_full else "the longer training"}.
Early stopping chooses by the validation flowers, and a different 45 flowers can disagree with them:
over five other random splits of the data, the stopped network had the lower test loss in {wins} of 5.
That is the reason for keeping a test set apart from the validation set.

`history.val_loss[e]` is measured after epoch $e$'s update and `history.loss[e]` (full batch) before
it, so the two curves are one step apart.
""")

# %% [markdown]
# ## Training changes the parameters in place
#
# `fit` updates the arrays in `net.params` in place: a variable that refers to one of them sees the
# change, and so does anything else that holds it. To keep the values before training, copy the
# arrays first:

# %%
net = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
W1 = net.params["W1"]                                 # the network's own array
saved = {k: v.copy() for k, v in net.params.items()}  # copies

net.fit(X[train], y[train], epochs=100, lr=0.5)
print(W1 is net.params["W1"], np.array_equal(W1, saved["W1"]))

net.params.update({k: v.copy() for k, v in saved.items()})  # restore

# %% tags=["hide-input"]
assert W1 is not net.params["W1"] and not np.array_equal(W1, saved["W1"])
assert all(np.array_equal(net.params[k], saved[k]) for k in saved)
md("""
The first `print` shows `True False`: `W1` is still the network's array and no longer holds the
initial weights, which survive only in the copy. Assigning copies back (last line) restores the
network; assigning `saved` itself would make the next `fit` overwrite the saved values too.
""")

# %% [markdown]
# ## Saving and loading
#
# `net.save(path)` writes the architecture and the parameters to one `.npz` file; `bp.load(path)`
# builds the same network again. The file holds the parameter arrays and a small JSON header, and
# is read without `pickle`, so loading a file runs no code from it.

# %%
import tempfile
from pathlib import Path

folder = Path(tempfile.mkdtemp())
path = stopped.save(folder / "iris-net.npz")
copy = bp.load(path)
print(copy)
print(np.array_equal(copy.predict(X[test]), stopped.predict(X[test])))

# %% tags=["hide-input"]
assert np.array_equal(copy.predict(X[test]), stopped.predict(X[test]))
assert all(np.array_equal(copy.params[k], stopped.params[k]) for k in stopped.params)
with np.load(path, allow_pickle=False) as data:
    arrays = [k for k in data.files if k != "__header__"]
    header = json.loads(str(data["__header__"]))
header_shown = {k: v for k, v in header.items() if k != "rng"}
stray = folder / "weights.npz"
np.savez(stray, W1=np.ones((4, 16)))
try:
    bp.load(stray)
except ValueError as err:
    stray_message = str(err).replace(str(folder) + "/", "")
else:
    raise AssertionError("a file without a header was loaded")
md(f"""
The loaded network predicts exactly what the saved one does. Besides the arrays
{", ".join(f"`{a}`" for a in arrays)}, the file holds this header (and the state of the network's
random generator, so that shuffled mini-batches continue as they would have):

```json
{json.dumps(header_shown, indent=1)}
```

A file that `save` did not write is refused with a message rather than half-loaded. An `.npz` holding
only a `W1` array gives:

```text
ValueError: {stray_message}
```

A network built with an activation or loss of your own is saved by name; `bp.load(path,
custom=[...])` is given the records to use (see [below](#your-own-activation-and-loss)).
""")

# %% [markdown]
# ## Stopping with Ctrl-C
#
# Pressing Ctrl-C (a `KeyboardInterrupt`) during `fit` stops training, as scikit-learn's networks
# do: `fit` warns and returns the history of the epochs it completed, and the network keeps the
# parameters of its last completed update (an interrupt that arrives in the middle of an update
# waits until every parameter has been updated). A built page cannot press keys, so here an
# activation raises the interrupt itself, on its 40th call:

# %%
import warnings


def tanh_until(calls):
    count = 0

    def tanh(z):
        nonlocal count
        count += 1
        if count == calls:
            raise KeyboardInterrupt
        return np.tanh(z)

    return bp.Activation("tanh", tanh, bp.tanh_grad)


impatient = bp.MLP([4, 16, 3], hidden=tanh_until(40), loss="cross_entropy", seed=0)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    interrupted = impatient.fit(X[train], y[train], epochs=100, lr=0.5)
print(interrupted.stopped, interrupted.epochs)
print(caught[0].message)

# %% tags=["hide-input"]
reference = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
reference.fit(X[train], y[train], epochs=interrupted.epochs, lr=0.5)
assert interrupted.stopped == "interrupted" and interrupted.epochs == 39
assert all(np.array_equal(impatient.params[k], reference.params[k]) for k in reference.params)
md(f"""
The 40th call is the forward pass of epoch 39 (epoch 0 is the first), so {interrupted.epochs} epochs were
complete: the interrupted network's parameters are exactly those of the same network trained for
{interrupted.epochs} epochs. With `patience`, an interrupted `fit` keeps the best parameters so far.
""")

# %% [markdown]
# ## When the loss diverges
#
# Too large a learning rate makes gradient descent overshoot more at every step (see
# [gradient descent](gradient-descent.py)). A regression network predicting petal width from the
# other three measurements, with the half squared error and a learning rate of 30:

# %%
regression = bp.MLP([3, 8, 1], hidden="tanh", loss="mse", seed=0)
width = X_raw[:, 3:]  # petal width in cm, the target
with np.errstate(over="ignore", invalid="ignore"):
    try:
        regression.fit(X[train, :3], width[train], epochs=200, lr=30.0)
    except bp.TrainingDiverged as err:
        diverged = err
print(diverged)
print(diverged.history.epochs, np.isfinite(regression.loss(X[train, :3], width[train])))

# %% tags=["hide-input"]
grown = diverged.history.loss
after_rollback = regression.loss(X[train, :3], width[train])
growth = grown[1:] / grown[:-1]
assert diverged.history.stopped == "diverged" and np.all(np.isfinite(grown))
assert np.all(growth > 1) and np.isfinite(after_rollback)
assert all(np.all(np.isfinite(p)) for p in regression.params.values())
# A sudden blow-up: one update from the initial parameters to an infinite loss is undone entirely.
sudden = bp.MLP([3, 8, 1], hidden="tanh", loss="mse", seed=0)
start = {k: v.copy() for k, v in sudden.params.items()}
with np.errstate(over="ignore", invalid="ignore"):
    try:
        sudden.fit(X[train, :3], width[train], epochs=5, lr=1e200)
    except bp.TrainingDiverged as err:
        sudden_epochs = err.history.epochs
assert all(np.array_equal(sudden.params[k], start[k]) for k in start)
md(f"""
`fit` raises `TrainingDiverged` (a `FloatingPointError`) when the loss becomes infinite or NaN, here at
epoch {diverged.history.epochs}. The exception carries the history of the {diverged.history.epochs} epochs
before, and the loss grew at every one of them, by a factor of {num(float(growth.min()), 2)} to
{num(float(growth.max()), 2)} per epoch, from ${tex(grown[0], 3)}$ to ${tex(grown[-1], 2)}$. The network is
rolled back to the last parameters whose loss was finite, so it never holds NaN. That is all the
rollback promises: after a gradual divergence like this one, those parameters are already far off
(their loss is ${tex(after_rollback, 2)}$), and the remedy is to train again with a smaller learning rate.
A sudden blow-up, one step from a good point to an infinite loss, is undone to a useful network: with
a learning rate of $10^{{200}}$ the first update already overflows, and `fit` puts back the initial
parameters (asserted while this page was built).
""")

# %% [markdown]
# ## Your own activation and loss
#
# An activation is one [`Activation`](api-components.md#backprop.Activation) record: its name, the function, its
# derivative, and optionally its output range, its kinks and the weight initialisation it wants.
# A leaky ReLU has a kink at 0 and, like ReLU, wants He initialisation:

# %%
leaky = bp.Activation(
    "leaky_relu",
    lambda z: np.where(z > 0, z, 0.01 * z),
    lambda z: np.where(z > 0, 1.0, 0.01),
    kinks=(0.0,),
    init="he",
)
leaky_net = bp.MLP([4, 16, 3], hidden=leaky, loss="cross_entropy", seed=0)
leaky_net.fit(X[train], y[train], epochs=200, lr=0.1)
report = bp.check_gradients(leaky_net, X[train[:10]], y[train[:10]])
print(report.ok, report.verified, report.kinks)

# %% [markdown]
# A loss is one [`Loss`](api-components.md#backprop.Loss) record: its name, the value $\mathcal{L}$ (one number,
# the mean over the $N$ samples) and the gradient $\partial\mathcal{L}/\partial\hat Y$. The Huber loss
# is quadratic for small errors and linear for large ones, so a few far-off targets pull less on the
# fit than with the squared error:

# %%
def huber(yhat, y, c=0.1):
    d = np.abs(yhat - y)
    return float(np.sum(np.where(d < c, 0.5 * d**2, c * (d - 0.5 * c))) / len(y))


def huber_grad(yhat, y, c=0.1):
    return np.clip(yhat - y, -c, c) / len(y)


huber_loss = bp.Loss("huber", huber, huber_grad)
robust = bp.MLP([3, 8, 1], hidden=leaky, loss=huber_loss, seed=0)
robust.fit(X[train, :3], width[train], epochs=500, lr=0.5)
print(bp.check_gradients(robust, X[train[:10], :3], width[train[:10]]).ok)

robust.save(folder / "robust.npz")
again = bp.load(folder / "robust.npz", custom=[leaky, huber_loss])

# %% tags=["hide-input"]
assert report.ok and report.verified + report.kinks == report.entries
# Huber pulls less than the half squared error: |its gradient| <= |mse's|, strictly when |yhat - y| > c = 0.1.
d = np.linspace(-3, 3, 601).reshape(-1, 1)
g_huber, g_mse = np.abs(huber_grad(d, 0 * d)), np.abs(bp.mse_grad(d, 0 * d))
assert np.all(g_huber <= g_mse) and np.all(g_huber[np.abs(d) > 0.1] < g_mse[np.abs(d) > 0.1])
# A record added to bp.ACTIVATIONS or bp.LOSSES can be used by name (taken out again: other pages share the
# tables).
bp.ACTIVATIONS["leaky_relu"], bp.LOSSES["huber"] = leaky, huber_loss
try:
    by_name = bp.MLP([3, 16, 1], hidden="leaky_relu", loss="huber")
    assert by_name.activations[0] is leaky and by_name.loss_fn is huber_loss
finally:
    del bp.ACTIVATIONS["leaky_relu"], bp.LOSSES["huber"]
# A record of the wrong shape is refused with an error naming it, at the call that uses it.
Xc, yc = X[train[:5]], y[train[:5]]
faults = {
    "a derivative of the wrong shape": (bp.Activation("flat", np.tanh, lambda z: np.ones(z.shape[1])), "cross_entropy"),
    "a gradient of the wrong shape": ("tanh", bp.Loss("short", huber, lambda yhat, y: huber_grad(yhat, y)[:1])),
    "a loss value that is an array": ("tanh", bp.Loss("arrayed", lambda yhat, y: (yhat - y) ** 2, huber_grad)),
}
for what, (hidden, loss) in faults.items():
    n_out = 3 if loss == "cross_entropy" else 1
    targets = yc if n_out == 3 else width[train[:5]]
    name = hidden.name if not isinstance(hidden, str) else loss.name
    try:
        bp.MLP([4, 3, n_out], hidden=hidden, loss=loss, seed=0).value_and_grad(Xc, targets)
    except (ValueError, TypeError) as err:
        assert f"'{name}'" in str(err), (what, err)
    else:
        raise AssertionError(f"{what} was accepted")
# Without init=..., an activation of one's own gets Glorot initialisation.
plain_record = bp.Activation("tanh_copy", np.tanh, bp.tanh_grad)
assert plain_record.init == "glorot"
assert np.array_equal(bp.MLP([4, 16, 3], hidden=plain_record, loss="cross_entropy", seed=0).params["W1"],
                      bp.MLP([4, 16, 3], hidden="tanh", init="glorot", loss="cross_entropy", seed=0).params["W1"])
robust_report = bp.check_gradients(robust, X[train[:10], :3], width[train[:10]])
assert robust_report.ok
assert np.array_equal(again.predict(X[:, :3]), robust.predict(X[:, :3]))
assert again.activations[0] is leaky and again.loss_fn is huber_loss
he = bp.MLP([4, 16, 3], hidden="relu", loss="cross_entropy", seed=0).params["W1"]
assert np.array_equal(bp.MLP([4, 16, 3], hidden=leaky, loss="cross_entropy", seed=0).params["W1"], he)
try:
    bp.load(folder / "robust.npz")
except ValueError as err:
    custom_message = str(err).replace(str(folder) + "/", "")
else:
    raise AssertionError("a custom activation was loaded without its record")
rmse = float(np.sqrt(np.mean((robust.predict(X[test, :3]) - width[test]) ** 2)))
md(f"""
Both networks pass the gradient check on ten training flowers (the leaky ReLU network:
{report.verified} of {report.entries} entries verified, {report.kinks} skipped because the stencil crossed
the kink). With `init="he"` the leaky ReLU network starts from exactly the weights a ReLU network with
the same seed gets; without it, an activation gets Glorot initialisation. The Huber network predicts
the test flowers' petal widths with a root-mean-square error of {num(rmse, 2)} cm.

Saving works as for the library's own records, by name. Loading needs the records back: without
`custom=`, `bp.load` says which one is missing:

```text
ValueError: {custom_message}
```

The network checks a record of yours at every call: a derivative or gradient of the wrong shape, or a
loss value that is an array rather than one number, raises an error naming the record, instead of
broadcasting into wrong gradients. A record added to `bp.ACTIVATIONS` or `bp.LOSSES` can be used by
name, like `"relu"`.
""")

# %% [markdown]
# ## Checks
#
# Asserted while the page is built: class labels give the same loss and the same training as one-hot
# rows, bit for bit; `predict_labels` is the argmax of `predict`; early stopping and the full run are
# the same run up to the stop, the kept parameters are those of the lowest validation loss, the
# validation loss rises at every epoch after it while the training loss falls at every epoch;
# taking copies preserves the initial parameters; a loaded network predicts exactly what the saved
# one does; the interrupted network equals the same network trained for the completed epochs; the
# diverged network holds no NaN, and a one-step blow-up is undone to the initial parameters; both
# custom networks pass the gradient check and load back equal; the Huber gradient is never larger
# than the squared error's; records added to `bp.ACTIVATIONS` and `bp.LOSSES` are found by name; records
# of the wrong shape are refused with their name in the error; an activation without `init=` gets Glorot
# initialisation; a bool array of labels trains exactly as 0/1 labels do.

# %% tags=["hide-input"]
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1.** Train a network with binary cross-entropy that tells *virginica* (label 2) from the two
# other species, giving the labels as the 1-D array `y == 2`. What are its predicted labels, and how
# do they relate to `predict`?

# %% tags=["hide-input"]
binary = bp.MLP([4, 8, 1], hidden="tanh", loss="bce", seed=0)
binary.fit(X[train], (y[train] == 2).astype(int), epochs=300, lr=0.5)
binary_labels = binary.predict_labels(X[test])
assert binary_labels.shape == (len(test),)
assert np.array_equal(binary_labels, (binary.predict(X[test])[:, 0] > 0.5).astype(int))
binary_accuracy = float(np.mean(binary_labels == (y[test] == 2)))
assert binary_accuracy > 0.9
as_bool = bp.MLP([4, 8, 1], hidden="tanh", loss="bce", seed=0)
as_bool.fit(X[train], y[train] == 2, epochs=300, lr=0.5)        # "a bool array works as labels too"
assert all(np.array_equal(as_bool.params[k], binary.params[k]) for k in binary.params)
solution(f"""
```python
binary = bp.MLP([4, 8, 1], hidden="tanh", loss="bce", seed=0)
binary.fit(X[train], (y[train] == 2).astype(int), epochs=300, lr=0.5)
binary.predict_labels(X[test])
```

`predict` gives one column, the probability $\\hat y$ that a flower is a virginica; `predict_labels`
gives a 1-D array of 0 and 1, with 1 exactly where $\\hat y > 0.5$. On the test flowers
{num(binary_accuracy, 3)} of the labels are right. (A bool array works as labels too; for several
independent yes/no outputs give the targets as rows of 0 and 1.)
""")

# %% [markdown]
# **2.** Why does early stopping compare *losses* rather than accuracies? Compute the validation
# accuracy of the full run after each epoch and count how many epochs share its best value.

# %% tags=["hide-input"]
counter = bp.MLP([4, 16, 3], hidden="tanh", loss="cross_entropy", seed=0)
val_accuracy = []
for _ in range(300):
    counter.fit(X[train], y[train], epochs=1, lr=0.5)
    val_accuracy.append(float(np.mean(counter.predict_labels(X[val]) == y[val])))
val_accuracy = np.array(val_accuracy)
ties = int(np.sum(val_accuracy == val_accuracy.max()))
assert ties > 1
distinct = np.unique(val_accuracy).size
solution(f"""
With {len(val)} validation flowers the accuracy can only take the values $k/{len(val)}$; over the first
{len(val_accuracy)} epochs it takes {distinct} different values, and its best value,
{num(float(val_accuracy.max()), 3)}, is shared by {ties} epochs, so "the best epoch" by accuracy is not even
defined, and a flower changing side decides it. The loss changes with every step (it measures how much
probability the right species gets), so it has one lowest point and follows the slow drift towards
over-confidence that accuracy cannot see until a prediction flips.
""")

# %% [markdown]
# **3.** `save` stores the state of the network's random generator. Show why it matters: load a
# saved network twice, train both copies with shuffled mini-batches, and compare them with a
# network rebuilt from the same seed and given the saved parameters.

# %% tags=["hide-input"]
source = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=3)
source.fit(X[train], y[train], epochs=5, lr=0.1, batch_size=10)  # draws 5 shuffles from its generator
state_path = source.save(folder / "state.npz")
first, second = bp.load(state_path), bp.load(state_path)
rebuilt = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=3)
rebuilt.params.update({k: v.copy() for k, v in source.params.items()})
for model in (first, second, rebuilt, source):
    model.fit(X[train], y[train], epochs=3, lr=0.1, batch_size=10)
same = all(np.array_equal(first.params[k], second.params[k]) for k in first.params)
same_as_source = all(np.array_equal(first.params[k], source.params[k]) for k in first.params)
differs = not all(np.array_equal(first.params[k], rebuilt.params[k]) for k in first.params)
assert same and same_as_source and differs
solution("""
Both loaded copies and the original end with identical parameters: they continue from the same state
of the generator, so they draw the same mini-batch orders. The network rebuilt from the seed starts its
generator afresh and shuffles as the original did in its first epochs, not its next ones, so its
parameters differ after the same training. Saving the state makes a loaded network continue training
exactly as the saved one would have.
""")
