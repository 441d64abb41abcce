# %% [markdown]
# # Performance
#
# The library is written to be read; this page measures what that costs. It shows how long one
# training step takes, compared with PyTorch on the CPU, with scikit-learn's `MLPClassifier` and with
# the time of the matrix products alone, and how long this book takes to build. The numbers are read from the
# results files that the benchmark scripts in `benchmarks/` write; they are measurements of one
# machine on one day, and the page says which. The symbols are those of the
# [notation table](symbols.py).
#
# ## What a training step costs
#
# In layer $l$, with $n_{l-1}$ inputs, $n_l$ units and a batch of $N$ samples, the forward pass
# multiplies the $N \times n_{l-1}$ matrix $A^{(l-1)}$ by the $n_{l-1} \times n_l$ matrix $W^{(l)}$:
# $2 N n_{l-1} n_l$ floating-point operations (FLOPs: a multiplication and an addition per term).
# The backward pass needs two products of the same size per layer,
#
# $$
# \frac{\partial \mathcal{L}}{\partial W^{(l)}} = A^{(l-1)\top} \delta^{(l)}, \qquad
# \frac{\partial \mathcal{L}}{\partial A^{(l-1)}} = \delta^{(l)}\, W^{(l)\top},
# $$
#
# except in the first layer, whose input gradient $\partial \mathcal{L}/\partial X$ nothing needs:
# the library skips it. So the backward pass costs twice the forward pass less that one product,
# and with $s_1 = n_0 n_1 / \sum_l n_{l-1} n_l$, the first layer's share of the weights,
#
# $$
# \frac{\text{backward FLOPs}}{\text{forward FLOPs}} = 2 - s_1 .
# $$
#
# Counted in code, for the 784-256-128-10 network of the benchmarks:

# %%
def matmul_flops(sizes, batch):
    """FLOPs of the matrix products of one forward and one backward pass."""
    layers = list(zip(sizes[:-1], sizes[1:], strict=True))
    forward = sum(2 * batch * n_in * n_out for n_in, n_out in layers)
    # dL/dW for every layer, dL/dA(l-1) for every layer but the first
    backward = forward + sum(2 * batch * n_in * n_out for n_in, n_out in layers[1:])
    return forward, backward


forward, backward = matmul_flops([784, 256, 128, 10], batch=1024)
print(f"forward {forward:.3g} FLOPs, backward {backward:.3g} FLOPs")
print(f"backward / forward = {backward / forward:.3f}")

# %% tags=["hide-input"]
import numpy as np
from matplotlib.ticker import NullLocator

import backprop as bp
from backprop._kernels import workspace_for
from backprop.book import figure, md, md_table, num
from backprop.book.repository import from_repository, read_json

# Read in the repository; a downloaded notebook carries the values (backprop.book.repository).
results = read_json("benchmarks/results.json")
book = read_json("benchmarks/book-build.json")
cases = results["cases"]

shapes = list(dict.fromkeys((tuple(c["sizes"]), c["batch"]) for c in cases))  # f32 and f64 count the same
rows = []
for sizes, batch in shapes:
    f, b = matmul_flops(sizes, batch)
    share = sizes[0] * sizes[1] / sum(m * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
    assert abs(b / f - (2 - share)) < 1e-12, (sizes, b / f, share)
    entries = batch * sum(sizes[1:]) + sum((m + 1) * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
    rows.append(["-".join(map(str, sizes)), batch, float(f), float(b), b / f, (f + b) / entries])
md_table(["network", "$N$", "forward", "backward", "ratio", "per entry"], rows, fmt=3)
per_entry = {(r[0], r[1]): r[5] for r in rows}
tiny_entry = max(v for (net, _), v in per_entry.items() if net in ("1-1-1", "3-2-1"))
big_entry = min(v for (net, _), v in per_entry.items() if net not in ("1-1-1", "3-2-1"))
assert big_entry > 100 * tiny_entry
assert per_entry["784-256-128-10", 128] < per_entry["784-256-128-10", 1024]  # larger batch, more per entry
md(f"""
"Forward" and "backward" count the FLOPs of the matrix products; "ratio" is backward over
forward, $2 - s_1$ in every row. Everything else a step does (bias additions, activations and
their derivatives, the loss, the bias gradients, the update) touches each activation and each
parameter a few times, $N \\sum_l n_l$ activations and $\\sum_l (n_{{l-1}} + 1)\\, n_l$ parameters in
all. The last column divides the matrix products' FLOPs by that number of entries: at most
{num(tiny_entry, 2)} for the tiny networks, {num(big_entry, 3)} and more for the large ones, so
the larger the layers and the batch, the more the products dominate the arithmetic. Their time
alone is the *floor*: the benchmarks time these products by themselves, with the BLAS library
NumPy uses and into preallocated arrays. It is a yardstick, not a hard bound: a step doing the same
products with the same library should not be faster, but a single measurement of either can be
(the wide network's rounds, one step each, are the noisiest below).
""")

# %% [markdown]
# ## Measured step times

# %% tags=["hide-input"]
blas = results["blas"]["numpy"][0]
torch_info = results["blas"].get("torch") or {}
versions = results["versions"]
metric = "median_cpu_seconds" if results["threads"] == 1 else "median_seconds"
rounds = min(c["rounds"] for c in cases)
FIT_EPOCHS = results["fit_min_epochs"]
loads = [c["load_average_before_after"][k][0] for c in cases for k in (0, 1)]
impls = results["impls"]
has = {impl: impl in impls for impl in ("fit", "torch", "sklearn")}
assert has["fit"], "the results must time fit: the goals are about its step"
md(f"""
Measured on {results["date"][:10]}: {results["machine"]["cpu"]}, {results["machine"]["cpus"]} cores,
{results["threads"]} thread(s) for every implementation; NumPy {versions["numpy"]} with
{blas["internal_api"]} {blas["version"]} ({blas["architecture"]} kernel), PyTorch
{versions.get("torch") or "not installed"} (BLAS: {torch_info.get("blas", "n/a")}), scikit-learn
{versions.get("sklearn") or "not installed"}. The one-minute load average of the machine was between
{num(min(loads), 2)} and {num(max(loads), 2)} while the cases ran (the benchmark's own
{results["threads"]} thread(s) count in it; with {results["machine"]["cpus"]} cores, a load above
{results["machine"]["cpus"]} would mean other programs competed for them).
Each implementation runs in its own process; every round runs each of them once, in an order shuffled
anew every round and after a pause of {num(results["gap_seconds"], 2)} s (a BLAS library's threads keep
spinning for a while after their last call and would slow whoever runs next). A time is the median over at
least {rounds} rounds of the {"CPU time" if metric == "median_cpu_seconds" else "wall-clock time"} of a step;
a ratio is the median over the rounds of the ratio within a round, which lessens the effect of a slow spell
lasting a whole round.

The contenders: "step" is the library's step written out (`value_and_grad`, then the update
$p \\leftarrow p - \\eta\\, \\partial \\mathcal{{L}}/\\partial p$); "fit" is `net.fit(X, Y, epochs=k)` divided
by $k$ (at least {FIT_EPOCHS} epochs a call, full batch): the step as training runs it, with what `fit` adds
to keep its promises (the gradient norm for the history and the divergence check, a copy of the parameters
to roll back to, an update that is all or nothing, the input checks and a last forward pass once per call);
"PyTorch" is the same network and step in PyTorch; "scikit-learn" is `MLPClassifier` (`MLPRegressor` for the
mean squared error) doing the same step with its own backpropagation and its SGD update (momentum 0, no
L2); "floor" is the step's matrix products alone. Every contender starts from the library's weights, and each
worker checks before timing that its gradient agrees with the library's (to a relative 10⁻³ of the largest
entry in float32, 10⁻⁹ in float64).
""")
if results.get("note"):
    md(f"*Note recorded with the run:* {results['note']}")


def fmt_time(seconds: float) -> str:
    """Three significant figures in µs, ms or s (a no-break space keeps the unit by its number)."""
    for unit, scale in (("µs", 1e6), ("ms", 1e3), ("s", 1.0)):
        if seconds * scale < 1000 or unit == "s":
            return f"{num(seconds * scale, 3)}\N{NO-BREAK SPACE}{unit}"
    raise AssertionError(seconds)


columns = [("backprop", "step"), ("fit", "fit"), ("torch", "PyTorch"), ("sklearn", "scikit-learn"), ("floor", "floor")]
columns = [(k, label) for k, label in columns if k in impls]
md_table(["case", *(label for _, label in columns)],
         [[c["name"], *(fmt_time(c[metric][k]) for k, _ in columns)] for c in cases], align="l" + "r" * len(columns))


def ratio(c, key):
    """The median over rounds of a per-round ratio, as stored; '–' where a contender did not run."""
    return c["ratios"].get(key, "–")


ratio_columns = [("fit/torch", "fit ÷ PyTorch"), ("fit/sklearn", "fit ÷ scikit-learn"), ("fit/floor", "fit ÷ floor"),
                 ("fit/backprop", "fit ÷ step"), ("torch/floor", "PyTorch ÷ floor")]
md_table(["case", *(label for _, label in ratio_columns)],
         [[c["name"], *(ratio(c, key) for key, _ in ratio_columns)] for c in cases], fmt=3,
         align="l" + "r" * len(ratio_columns))
md("Below 1, the first of the two is faster. Each ratio is the median of the per-round ratios, so it is not "
   "always the quotient of the two medians in the table above.")


# %% tags=["hide-input"]
def draw_ratios(fig):
    ax = fig.subplots()
    names = [c["name"] for c in cases]
    y = np.arange(len(cases))
    vs_torch = [c["ratios"].get("fit/torch", np.nan) for c in cases]
    vs_floor = [c["ratios"]["fit/floor"] for c in cases]
    # bars start at 1 (equal times): to the left where the library is faster, to the right where slower
    ax.barh(y - 0.2, np.array(vs_torch) - 1, left=1, height=0.4, color="C0", label="fit ÷ PyTorch")
    ax.barh(y + 0.2, np.array(vs_floor) - 1, left=1, height=0.4, color="C1", label="fit ÷ floor")
    ax.axvline(1.0, color="C2", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    low, high = np.nanmin(vs_torch + vs_floor), np.nanmax(vs_torch + vs_floor)
    ticks = [2.0**k for k in range(int(np.floor(np.log2(low))), int(np.ceil(np.log2(high))) + 1)]
    ax.set_xticks(ticks, [num(t, 3, trim=True) for t in ticks])
    ax.xaxis.set_minor_locator(NullLocator())  # no unlabelled or colliding minor ticks
    ax.set_xlim(ticks[0], ticks[-1])
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.grid(False, axis="y")
    ax.set_xlabel("time ratio (log scale)")
    fig.legend(loc="outside upper center", ncols=2)
    fig.draw_without_rendering()
    labels = [*ax.get_xticklabels(), *ax.get_xticklabels(minor=True)]
    boxes = sorted((t.get_window_extent() for t in labels if t.get_visible() and t.get_text()), key=lambda e: e.x0)
    assert all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:], strict=False)), "x tick labels overlap"


big = [c for c in cases if c["batch"] >= 1024]
tiny = [c for c in cases if c["name"].startswith("tiny")]
figure(draw_ratios, figsize=(5.0, 4.4),
       alt="Horizontal bars of two time ratios per benchmark case on a log scale. " + "; ".join(
           f"{c['name']}: fit takes {num(c['ratios']['fit/torch'], 3)} times PyTorch's time and "
           f"{num(c['ratios']['fit/floor'], 3)} times the floor" for c in cases if "fit/torch" in c["ratios"]) + ".",
       caption="Time of a step of `fit` relative to PyTorch on the CPU and to the matrix products "
               "alone (medians of per-round ratios). Left of the dashed line at 1 the library is faster.")

# %% [markdown]
# ## Against the goals
#
# The project set itself four goals for a training step: no slower than PyTorch's on the CPU at every
# float32 size, within 1.10 times the matrix-product floor at batch 1024 and above (float64 included),
# under 60 µs for the tiny worked-example networks, and faster than scikit-learn's `MLPClassifier` doing
# the same work. They are judged on the step of `fit`, which is what training costs; the bare step is
# shown beside it. The table is computed from the measurements above; a goal that was missed is shown as
# missed.

# %% tags=["hide-input"]
GOAL_TORCH, GOAL_FLOOR, GOAL_TINY = 1.0, 1.10, 60e-6
goal_rows, missed = [], []


def in_rounds(c, a, b, test):
    """How many rounds met the goal on their own (the ratio a/b within each round), as 'k/n'."""
    ratios = [x / y for x, y in zip(c["round_seconds"][a], c["round_seconds"][b], strict=True)]
    return f"{sum(map(test, ratios))}/{len(ratios)}"


def judge(c, goal, fit_value, step_value, met, shown, per_round=None):
    goal_rows.append([c["name"], goal, shown(fit_value), shown(step_value), "met" if met else "**missed**",
                      per_round or ""])
    if not met:
        missed.append((c["name"], goal))


def ratio_text(x):
    return num(x, 3)


def names(items):
    items = list(items)
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1] if items else "none"


for c in cases:
    r = c["ratios"]
    if c["dtype"] == "float32" and "fit/torch" in r:
        judge(c, "÷ PyTorch ≤ 1", r["fit/torch"], r["backprop/torch"], r["fit/torch"] <= GOAL_TORCH, ratio_text,
              in_rounds(c, "fit", "torch", lambda x: x <= GOAL_TORCH))
for c in big:
    r = c["ratios"]
    judge(c, "÷ floor ≤ 1.10", r["fit/floor"], r["backprop/floor"], r["fit/floor"] <= GOAL_FLOOR, ratio_text,
          in_rounds(c, "fit", "floor", lambda x: x <= GOAL_FLOOR))
for c in tiny:
    t = c[metric]
    times = c["round_seconds"]["fit"]
    judge(c, "step < 60 µs", t["fit"], t["backprop"], t["fit"] < GOAL_TINY, fmt_time,
          f"{sum(x < GOAL_TINY for x in times)}/{len(times)}" if metric == "median_seconds" else None)
for c in cases:
    r = c["ratios"]
    if "fit/sklearn" in r:
        judge(c, "÷ scikit-learn < 1", r["fit/sklearn"], r["backprop/sklearn"], r["fit/sklearn"] < 1, ratio_text,
              in_rounds(c, "fit", "sklearn", lambda x: x < 1))
md_table(["case", "goal", "fit", "step", "result", "rounds meeting it"], goal_rows, align="llrrlr")


def split(row):
    """Whether between a quarter and three quarters of the rounds met the goal (exclusive)."""
    k, n = map(int, row[5].split("/"))
    return n / 4 < k < 3 * n / 4


unresolved = [(row[0], row[1]) for row in goal_rows if row[5] and split(row)]
rounds_met = {(row[0], row[1]): row[5] for row in goal_rows}
md(f"""
The verdicts are the medians'. "Rounds meeting it" counts the rounds in which `fit` met the goal on
its own (the ratio within the round, or the round's time); where that is more than a quarter and less
than three quarters of the rounds ({names([f"{n} ({g})" for n, g in unresolved]) if unresolved else "none"}),
the verdict is not resolved by these measurements.
""")

torch_floor = {c["name"]: c["ratios"]["torch/floor"] for c in cases if "torch/floor" in c["ratios"]}
below_floor = [n for n, v in torch_floor.items() if v < 1 and n not in [t["name"] for t in tiny]]
over_floor = {c["name"]: c["ratios"]["fit/floor"] for c in cases if c not in tiny}
least, most = min(over_floor, key=over_floor.get), max(over_floor, key=over_floor.get)
overhead = {c["name"]: c["ratios"]["fit/backprop"] for c in cases}


md(f"""
{"Every goal was met in this run." if not missed else
 "Missed in this run: " + names(f"{goal} on {name}" for name, goal in missed) + "."}
{"On " + names(below_floor) + " PyTorch's whole step is faster than NumPy's matrix products alone: PyTorch "
 "calls another BLAS library (" + torch_info.get("blas", "its own") + "), and no step built on NumPy's "
 "products can be faster than those products." if below_floor else ""}
On the non-tiny cases a step of `fit` takes from {num(over_floor[least], 3)} ({least}) to
{num(over_floor[most], 3)} ({most}) times its matrix products alone.
The rest is the work between the products (bias additions, ReLU and its mask, softmax and the loss, the
update) and `fit`'s bookkeeping; `fit` takes {num(min(overhead.values()), 3)} to {num(max(overhead.values()), 3)}
times the bare step on the cases measured. NumPy runs the elementwise work on one thread while the BLAS uses
{results["threads"]}.
""")

# %% [markdown]
# ### What the library does to stay fast
#
# The forward and backward passes follow the equations of the
# [backpropagation chapter](backpropagation.py) line by line. Where an equation is computed in a
# faster way than its plain NumPy expression, the library calls a small function for it, kept in one
# module (`backprop/_kernels.py`) with the reason beside each and a test that it equals the plain
# formula:
#
# - `fit` keeps the arrays of a training step (the $Z^{(l)}$, $A^{(l)}$, the deltas and, with the
#   library's own optimisers, the gradients) and writes the next step into the same memory. A large array
#   that is freed goes back to the operating system, and a fresh one is faulted in page by page at the
#   next step. Small networks get fresh arrays, which cost less than looking up kept ones, and every
#   array handed to a user (`forward`, `value_and_grad`, `gradients`) is fresh and never written later;
# - the bias gradient $\mathbf{1}_N^\top \delta^{(l)}$ is computed as the matrix-vector product it is, by
#   the BLAS on all its threads, instead of by NumPy's column sums on one;
# - in a training step, a ReLU layer's $A^{(l)} = \max(Z^{(l)}, 0)$ is written over $Z^{(l)}$: the backward
#   pass reads $Z^{(l)}$ only for the derivative's mask $z > 0$, and $a > 0$ exactly where $z > 0$, so the
#   step has one array fewer to write and keep in cache (a pass a user sees keeps $Z^{(l)}$); its effect on
#   time is not resolved by the ablations below, the smaller memory footprint is certain;
# - `fit` tests the gradients for inf and NaN once, through their norm (a finite norm means every entry is
#   finite), and the optimiser does not test them again. Nor does plain gradient descent test its steps:
#   no entry of $\eta\, \partial \mathcal{L}/\partial p$ is larger in size than $\eta$ times that norm, so
#   while $\eta$ and this product are both below $2^{-20}$ times the largest number of the dtype ($\eta$ is
#   rounded to the dtype first; the margin leaves room for rounding), every step is finite; otherwise each
#   step is tested as before;
#
# and, as before: the ReLU derivative is applied as an in-place multiplication by the mask $z > 0$; the
# update scales the gradient in place and subtracts it, with no temporary the size of $W$; the first
# layer's input gradient is never computed; a float32 network converts its inputs once and computes in
# float32 throughout; for a batch of class scores, softmax and cross-entropy reduce a transposed copy
# down its columns instead of along the short rows.

# %% tags=["hide-input"]
net32 = bp.MLP([4, 3, 2], hidden="relu", loss="cross_entropy", seed=0, dtype=np.float32)
x64 = np.random.default_rng(0).normal(size=(5, 4))  # float64 data
fp32 = net32.forward(x64)
grads32 = net32.gradients(x64, bp.datasets.one_hot(np.array([0, 1, 1, 0, 1])))
assert all(a.dtype == np.float32 for a in fp32.a) and all(g.dtype == np.float32 for g in grads32.values())
# ReLU's mask is the same read from A as from Z (zeros, negative zeros and NaN included), and a user's pass keeps Z.
zs = np.array([-np.inf, -2.0, -0.0, 0.0, 1e-300, 3.0, np.inf, np.nan])
assert np.array_equal(np.maximum(zs, 0) > 0, zs > 0)
assert not np.shares_memory(fp32.z[1], fp32.a[1])
# No entry of a step lr * g exceeds lr * (the norm of all gradients); near the dtype's limit steps are tested.
norm32 = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads32.values())))
assert all(np.abs(0.5 * g).max() <= 0.5 * norm32 for g in grads32.values())


def step_refused(g, lr, grad_norm):
    """Whether plain SGD refuses (FloatingPointError) a float32 step with gradient g, given the gradient norm."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            bp.SGD().step({"W1": np.zeros((2, 2), np.float32)}, {"W1": np.full((2, 2), g, np.float32)}, lr,
                          grad_norm=grad_norm)
    except FloatingPointError:
        return True
    return False


assert step_refused(1e30, 1e10, 2e30), "a step of 1e40 in float32 went untested"
assert step_refused(0.0, 1e39, 0.0), "a learning rate beyond float32's range went untested"
ablations = read_json("benchmarks/ablations.json")
variants = list(ablations["variants"])
abl_cases = ablations["cases"]
md(f"""
`benchmarks/ablations.py` measures what each of these is worth: it times the library against itself
with one change undone, each in its own process and in the same rounds, the same way as above
({ablations["threads"]} thread(s), {ablations["date"][:10]}, the step of `{ablations["impl"]}`, timed by
{"the process's CPU time, which other programs on the machine do not lengthen" if ablations["threads"] == 1
 else "the wall clock"}). "base" is
the library before these changes (commit `{(ablations["base_commit"] or "?")[:10]}`). Each entry is the
variant's time divided by the library's (the median of per-round ratios). Above 1, the change that was
undone pays for itself; for a variant marked +, which adds a change the library does not make, below 1
would mean that the addition pays:
""")
SHORT = {"tiny-1-1-1": "1-1-1", "tiny-3-2-1": "3-2-1", "wide-b512-f32": "wide"}


def short(name):
    """A case's name short enough for a column header: 'b1024 f32' for mnist-b1024-f32."""
    return SHORT.get(name, name.removeprefix("mnist-").replace("-", " "))


md_table(["variant", *(short(n) for n in abl_cases)],
         [[v, *(c["ratio_to_library"][v] for c in abl_cases.values())] for v in variants],
         fmt=3, align="l" + "r" * len(abl_cases))
md("The variants: " + "; ".join(f"*{v}*: {text}" for v, text in ablations["variants"].items()) + ".")
abl_loads = [c["load_average_before_after"][k][0] for c in abl_cases.values() for k in (0, 1)]
spread = {(name, v): c["ratio_quartiles"][v] for name, c in abl_cases.items() for v in variants}
widest = max(spread, key=lambda k: spread[k][1] - spread[k][0])
md(f"""
The load average was between {num(min(abl_loads), 2)} and {num(max(abl_loads), 2)} during these
measurements. They are noisy: the middle half of the per-round ratios spans up to
{num(spread[widest][0], 3)} to {num(spread[widest][1], 3)} ({widest[1]}, {widest[0]}), so an effect of a few
per cent is not resolved by them.
""")
# A variant that runs exactly the library's code shows how far identical processes differ: on a case too small for
# a workspace, the variants that only change the workspace's arrays change nothing.
NO_OPS = ("fresh arrays", "relu into its own array")
shape_of = {c["name"]: (c["sizes"], c["batch"], np.dtype(c["dtype"])) for c in cases}  # the cases of bench_step.py
noop = {(name, v): c["ratio_quartiles"][v] for name, c in abl_cases.items() for v in NO_OPS
        if v in c["ratio_quartiles"] and workspace_for(*shape_of[name], True) is None}
margin = max((abs(1 - q) for qs in noop.values() for q in qs), default=0.0)
if noop:
    md(f"""
On {names(sorted({short(n) for n, _ in noop}))}, a network too small for kept arrays,
{names([f"*{v}*" for v in NO_OPS])} run exactly the library's code, yet the middle half of their rounds spans
{names([f"{num(q[0], 3)} to {num(q[1], 3)}" for q in noop.values()])}: separate but identical processes differ
by up to {num(100 * margin, 2)} %. Below, an effect counts as resolved only where the middle half of its rounds
lies beyond 1 ± {num(margin, 3)}.
""")
if "base" in variants:
    base_iqr = {short(n): c["ratio_quartiles"]["base"] for n, c in abl_cases.items()}
    slower = {n: c["ratio_to_library"]["base"] for n, c in ((short(n), c) for n, c in abl_cases.items())
              if base_iqr[n][1] < 1 - margin}  # the whole middle half of the rounds below 1: resolved
    if slower:
        md(f"""
Where "base" is below 1 − {num(margin, 3)} in the middle half of its rounds
({names([f"{num(r, 2)} on {n}" for n, r in slower.items()])}),
the library before these changes trained faster: its `fit` did less at each step. It kept no copy of the
last finite parameters to roll back to after a divergence, did not check each parameter before stepping
it, and had no optimiser objects. *+ no rollback copy* measures the first of these (below); the others are
not measured one by one.
""")
    pays = {v: [short(n) for n, c in abl_cases.items() if c["ratio_quartiles"][v][0] > 1 + margin]
            for v in variants if v != "base" and not v.startswith("+")}
    md(f"Where the middle half of a kept change's rounds is above 1 + {num(margin, 3)}, undoing it measurably costs "
       "time: " + "; ".join(
        f"*{v}*: {names(ns) if ns else 'in no case'}" for v, ns in pays.items()) + ". Elsewhere the effect is not "
       "resolved by these measurements.")
if "+ no rollback copy" in variants:
    copy_cost = {short(n): c["ratio_to_library"]["+ no rollback copy"] for n, c in abl_cases.items()}
    copy_iqr = {short(n): c["ratio_quartiles"]["+ no rollback copy"] for n, c in abl_cases.items()}
    resolved = [n for n, q in copy_iqr.items() if q[1] < 1 - margin]  # the middle half faster without it
    md(f"""
What `fit`'s promise to roll a divergence back costs: *+ no rollback copy* drops the copy of the parameters
that `fit` takes before each update, and its step then takes {names([f"{num(r, 3)} ({n})"
for n, r in copy_cost.items()])} times the library's time. The copy is resolved as a cost (the middle half of
the rounds below 1 − {num(margin, 3)}) on {names(resolved) if resolved else "no case"}.
""")
pairs = {}
for c in cases:
    if c["dtype"] == "float64":
        twin = next((d for d in cases if d["dtype"] == "float32" and d["sizes"] == c["sizes"]
                     and d["batch"] == c["batch"]), None)
        if twin is not None:
            pairs[c["name"]] = c[metric]["fit"] / twin[metric]["fit"]
md(f"""
The measurements above show what float64 costs: on the cases run in both precisions a float64 step of
`fit` takes {names([f"{num(r, 3)} times ({n})" for n, r in pairs.items()])} the float32 one.
""")

# %% [markdown]
# ### Why a goal was missed
#
# Each goal missed in the run above, with what the measurements say about it and what was tried. Below,
# `fit`'s *bookkeeping* is what it adds to the bare step: the gradient norm, the copy to roll back to and the
# checked update at every step, and once per call the input checks and a last forward pass.

# %% tags=["hide-input"]
by_name = {c["name"]: c for c in cases}


def tried_text(case_name):
    """What splitting the elementwise work over two threads did on a case (ablations), as a sentence."""
    c, v = abl_cases.get(case_name), "+ elementwise on 2 threads"
    if c is None or v not in c["ratio_to_library"]:
        return ""
    x, (q1, q3) = c["ratio_to_library"][v], c["ratio_quartiles"][v]
    if q1 > 1 + margin:
        verdict = "slower, so it was not kept"
    elif q3 < 1 - margin:
        verdict = "faster in the middle half of its rounds, a change not yet made in the library"
    else:
        verdict = ("not told apart from 1 by these measurements (the middle half of its rounds does not lie beyond "
                   f"1 ± {num(margin, 3)}), so it was not kept")
    return (f" Splitting the elementwise work over two threads was tried: it took {num(x, 3)} times the library's "
            f"time, {verdict}.")


def round_spread(c, impl):
    """The slowest round's step time over the fastest's."""
    return max(c["round_seconds"][impl]) / min(c["round_seconds"][impl])


def bookkeeping(c):
    """fit's bookkeeping, with the share of a step its once-per-call forward pass has."""
    f, b = matmul_flops(c["sizes"], c["batch"])
    return (f"`fit`'s bookkeeping (its last forward pass, {num(f / (f + b), 2)} of a step's matrix-product FLOPs, "
            f"spread over the {c['steps_per_round']['fit']} epochs of each timed call) took it to "
            f"{num(c['ratios']['fit/backprop'], 3)} times the bare step")


why = []
for name, goal in missed:
    c, r = by_name[name], by_name[name]["ratios"]
    noise = (f" The slowest round of `fit` took {num(round_spread(c, 'fit'), 3)} times its fastest, PyTorch's "
             f"{num(round_spread(c, 'torch'), 3)} times.") if "torch" in c["round_seconds"] else ""
    if (name, goal) in unresolved:
        noise += f" The verdict itself is not resolved: {rounds_met[name, goal]} rounds met the goal."
    if goal.startswith("÷ PyTorch") and r["backprop/torch"] <= GOAL_TORCH:
        why.append(f"""**{goal} on {name}** ({num(r["fit/torch"], 3)}). The bare step met it
({num(r["backprop/torch"], 3)}); {bookkeeping(c)}.{noise}""")
    elif goal.startswith("÷ PyTorch"):
        why.append(f"""**{goal} on {name}** ({num(r["fit/torch"], 3)}). The bare step took {num(r["backprop/torch"], 3)}
times PyTorch's time. Beyond NumPy's matrix products (the floor) it took {num(r["backprop/floor"], 3)} times their
time, PyTorch's whole step {num(r["torch/floor"], 3)} times (PyTorch multiplies with MKL, not NumPy's OpenBLAS; it
splits large elementwise operations over its threads, where NumPy uses one); {bookkeeping(c)}.{noise}{
tried_text(name)}""")
    elif goal.startswith("÷ floor"):
        why.append(f"""**{goal} on {name}** ({num(r["fit/floor"], 3)}). The bare step alone took
{num(r["backprop/floor"], 3)} times the floor: the elementwise work between the products, on one thread, is
{"most" if r["backprop/floor"] - 1 > (r["fit/floor"] - 1) / 2 else "part"} of the excess;
{bookkeeping(c)}.{tried_text(name)}""")
    elif goal.startswith("step <"):
        why.append(f"""**{goal} on {name}** ({fmt_time(c[metric]["fit"])}). A tiny step is made of NumPy calls on
arrays of one or a few numbers, whose cost is the call's, not the arithmetic's (the matrix products alone took
{fmt_time(c[metric]["floor"])}); the bare step took {fmt_time(c[metric]["backprop"])} and {bookkeeping(c)}.""")
    elif goal.startswith("÷ scikit-learn"):
        why.append(f"""**{goal} on {name}** ({num(r["fit/sklearn"], 3)}). The bare step took
{num(r["backprop/sklearn"], 3)} times scikit-learn's; the scikit-learn step timed here (its `_backprop` and its
optimiser's update) keeps no copy to roll back to, and {bookkeeping(c)}.""")
    else:
        raise AssertionError(f"no explanation written for the missed goal {goal!r}")
md("\n\n".join(why) if why else "No goal was missed in this run.")

# %% [markdown]
# ## Building this book

# %% tags=["hide-input"]
import html
import statistics

runs = book["cold_builds"]  # configuration -> its cold builds, all in one session, alternating
default = book["build_config"]["name"]
record = book["build_page_record"]  # the build's own account of the default configuration's last build
cold = book["cold_build_seconds"]
goal_s = book["goals_s"]["cold_build"]
assert cold == statistics.median(r["wall_s"] for r in runs[default])
loads = [r["load_before"][0] for rs in runs.values() for r in rs]
cpus = book["machine"]["cpus"]
how = (f"each in a fresh Jupyter kernel forked from a process that has imported {', '.join(record['preload'])} "
       "once (nothing of another page has run in it)" if record["fork"] else
       "each in a fresh Jupyter kernel started for it")
md(f"""
A cold `mkdocs build --strict` (no cache: every page executed) took **{num(cold, 3)} s** on
{book["date"][:10]}, the median of {len(runs[default])} builds on {cpus} cores; the goal is under
{goal_s} s, {"met" if cold < goal_s else "**missed**"}. Before the {len(loads)} builds of the session the
load average was between {num(min(loads), 2)} and {num(max(loads), 2)} (it still counts the tail of the
build before), so the CPU time, which load shifts less, is given as well. The build
executes the {len(record["pages"])} notebook pages {record["jobs"]} at a time, {how}, starting as soon as it
has listed its files, and converts each page once its kernel is done.
""")
configs = sorted(runs, key=lambda n: -statistics.median(r["wall_s"] for r in runs[n]))
md_table(["configuration", "builds", "median wall (s)", "median CPU (s)", "load before"],
         [[name + (" (recorded)" if name == default else ""), len(runs[name]),
           statistics.median(r["wall_s"] for r in runs[name]), statistics.median(r["cpu_s"] for r in runs[name]),
           f"{num(min(r['load_before'][0] for r in runs[name]), 2)} to "
           f"{num(max(r['load_before'][0] for r in runs[name]), 2)}"] for name in configs], fmt=3, align="lrrrl")
before = [name for name in runs if name.startswith("before")]
if before:
    was = statistics.median(r["wall_s"] for r in runs[before[0]])
    md(f"""
"{before[0]}" is the book as it was built before its pages ran in parallel, measured in the same
session: the build now takes {num(cold / was, 2)} times its time.
""")

# %% tags=["hide-input"]
page = book["page_detail"]  # each page alone, one after the other, in a kernel started for it
page_s = book["page_seconds"]
assert page_s == {name: d["seconds"] for name, d in page.items()}
by_time = sorted(page, key=lambda n: -page[n]["seconds"])
start_s = sum(d["kernel_start_s"] for d in page.values())
top = [(n, page[n]["slowest_cells"][0]) for n in by_time[:3]]
md(f"""
Run alone, one after the other, each in a kernel started for it, the pages take
{num(sum(page_s.values()), 3)} s, {num(start_s, 3)} s of it starting kernels. The slowest cell of each of the
three slowest pages: {"; ".join(f"{n}, {num(page[n]['seconds'], 2)} s in all, {num(c['seconds'], 2)} s in code "
                                 f"cell {c['cell']} (it begins `{c['first_line']}`)" for n, c in top)}.
""")
code = lambda line: f"<code>{html.escape(line).replace('|', '&#124;')}</code>"  # noqa: E731
md_table(["page", "alone (s)", "kernel start (s)", "slowest cell (s)", "slowest cell begins"],
         [[n, page[n]["seconds"], page[n]["kernel_start_s"], page[n]["slowest_cells"][0]["seconds"],
           code(page[n]["slowest_cells"][0]["first_line"])] for n in by_time], fmt=3, align="lrrrl")

# %% tags=["hide-input"]
serve = book.get("serve")
if serve:
    refresh_goal = book["goals_s"]["serve_refresh"]
    edits = {n: statistics.median(r["edit_s"] for r in rs) for n, rs in serve["pages"].items()}
    serve_loads = [r["load_before"][0] for rs in serve["pages"].values() for r in rs]
    met = [n for n, t in edits.items() if t < refresh_goal]
    slow_cells = sorted(n for n, d in page.items() if d["seconds"] - d["kernel_start_s"] > refresh_goal)
    assert not set(slow_cells) & set(edits), "a page measured under serve is among those called unmeasured"
    md(f"""
Under `mkdocs serve`, only an edited page runs again. After an edit to a Markdown cell was saved, the
served page showed it after a median of {"; ".join(f"{num(t, 2)} s for {n}" for n, t in edits.items())}
(the load average was between {num(min(serve_loads), 2)} and {num(max(serve_loads), 2)}); the goal is under
{refresh_goal} s, met for {len(met)} of these {len(edits)} pages. Each refresh builds the whole site again (every
other page from the cache) while the edited page runs in a kernel waiting for it, with NumPy, SymPy and
Matplotlib already imported. The pages whose cells alone, run in a kernel started for them (kernel start not
counted, imports counted), took longer than the goal are unlikely to meet it, though the serve refresh of
none of them was measured: {names(slow_cells) or "none"}.
""")

# %% [markdown]
# ## Reproducing
#
# ```bash
# .venv/bin/pip install -e ".[bench]"                    # threadpoolctl, PyTorch (CPU), scikit-learn
# .venv/bin/python benchmarks/bench_step.py              # writes benchmarks/results.json
# .venv/bin/python benchmarks/ablations.py               # writes benchmarks/ablations.json
# .venv/bin/python benchmarks/bench_book.py              # writes benchmarks/book-build.json
# ```
#
# Run them on a quiet machine: the step timings are medians, but a machine busy with other work
# still shifts them.

# %% tags=["hide-input"]
# The results file is consistent with itself: each stored ratio is the median of its per-round ratios.
for c in cases:
    times = c["round_seconds"]
    for key, value in c["ratios"].items():
        a, b = key.split("/")
        per_round = sorted(x / y for x, y in zip(times[a], times[b], strict=True))
        assert abs(value - float(np.median(per_round))) <= 1e-9 * value, (c["name"], key)
    assert all(len(ts) == c["rounds"] for ts in times.values()), c["name"]
    assert abs(c["median_seconds"]["fit"] - float(np.median(times["fit"]))) <= 1e-12, c["name"]
assert all(c[metric]["floor"] > 0 for c in cases)
for name, c in abl_cases.items():
    for v in variants:
        per_round = [x / y for x, y in zip(c["round_seconds"][v], c["round_seconds"]["library"], strict=True)]
        assert abs(c["ratio_to_library"][v] - float(np.median(per_round))) <= 1e-9, (name, v)
page_files = from_repository("docs/*.py", lambda root: sorted(p.name for p in (root / "docs").glob("*.py")))
assert set(page_s) <= set(page_files), "book-build.json lists a page that is gone"
