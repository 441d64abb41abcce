# %% [markdown]
# # Performance
#
# The library is written to be read; this page measures what that costs. It shows how long one
# training step takes, compared with PyTorch on the CPU and with the time of the
# matrix products alone, and how long this book takes to build. The numbers are read from the
# results files that the benchmark scripts in `benchmarks/` write; they are measurements of one
# machine on one day, and the page says which. The symbols are those of the
# [notation](notation.py#symbols) chapter.
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
all. The last column divides the matrix products' FLOPs by that number of entries: from
{num(tiny_entry, 2)} for the tiny networks to {num(big_entry, 3)} and more for the large ones, so
the larger the layers and the batch, the more the products dominate the arithmetic. Their time
alone is the *floor*: the benchmarks time these products by themselves, with the BLAS library
NumPy uses and into preallocated arrays, and an implementation doing the same products with the
same library cannot be expected to be faster.
""")

# %% [markdown]
# ## Measured step times

# %% tags=["hide-input"]
blas = results["blas"]["numpy"][0]
torch_info = results["blas"].get("torch") or {}
metric = "median_cpu_seconds" if results["threads"] == 1 else "median_seconds"
rounds = min(c["rounds"] for c in cases)
md(f"""
Measured on {results["date"][:10]}: {results["machine"]["cpu"]}, {results["machine"]["cpus"]} cores,
{results["threads"]} thread(s) for every implementation; NumPy {results["versions"]["numpy"]} with
{blas["internal_api"]} {blas["version"]} ({blas["architecture"]} kernel), PyTorch
{results["versions"].get("torch", "not installed")} (BLAS: {torch_info.get("blas", "n/a")}). Each
implementation runs in its own process, the processes take turns in an order that rotates every
round, and each figure is the median over at least {rounds} rounds of the
{"CPU time" if metric == "median_cpu_seconds" else "wall-clock time"} of a step. "backprop" is the
library's step (forward pass, loss, backward pass, update), "PyTorch" the same step in PyTorch,
"floor" its matrix products alone.
""")
if results.get("note"):
    md(f"*Note recorded with the run:* {results['note']}")


def fmt_time(seconds: float) -> str:
    """Three significant figures in µs, ms or s (a no-break space keeps the unit by its number)."""
    for unit, scale in (("µs", 1e6), ("ms", 1e3), ("s", 1.0)):
        if seconds * scale < 1000 or unit == "s":
            return f"{num(seconds * scale, 3)}\N{NO-BREAK SPACE}{unit}"
    raise AssertionError(seconds)


times_table = []
for c in cases:
    t = c[metric]
    times_table.append([c["name"], fmt_time(t["backprop"]), fmt_time(t["torch"]) if "torch" in t else "–",
                        fmt_time(t["floor"]), t["backprop"] / t["torch"] if "torch" in t else "–",
                        t["backprop"] / t["floor"]])
md_table(["case", "backprop", "PyTorch", "floor", "÷ PyTorch", "÷ floor"], times_table, fmt=3, align="lrrrrr")
md("The last two columns divide the library's step time by PyTorch's and by the floor's.")


# %% tags=["hide-input"]
def draw_ratios(fig):
    ax = fig.subplots()
    names = [c["name"] for c in cases]
    y = np.arange(len(cases))
    vs_torch = [c[metric]["backprop"] / c[metric]["torch"] if "torch" in c[metric] else np.nan for c in cases]
    vs_floor = [c[metric]["backprop"] / c[metric]["floor"] for c in cases]
    # bars start at 1 (equal times): to the left where the library is faster, to the right where slower
    ax.barh(y - 0.2, np.array(vs_torch) - 1, left=1, height=0.4, color="C0", label="backprop ÷ PyTorch")
    ax.barh(y + 0.2, np.array(vs_floor) - 1, left=1, height=0.4, color="C1", label="backprop ÷ floor")
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
           f"{c['name']}: {num(c[metric]['backprop'] / c[metric]['torch'], 3)} times PyTorch and "
           f"{num(c[metric]['backprop'] / c[metric]['floor'], 3)} times the floor"
           for c in cases if "torch" in c[metric]) + ".",
       caption="Step time of the library relative to PyTorch on the CPU and to the matrix products "
               "alone. Left of the dashed line at 1 the library is faster.")

# %% [markdown]
# ## Against the goals
#
# The project set itself three goals: a step no slower than PyTorch's at every size, within 1.15
# times the matrix-product floor at batch 1024 and above, and under 100 µs for the tiny
# worked-example networks. The table is computed from the measurements above; a goal that was
# missed is shown as missed.

# %% tags=["hide-input"]
goal_rows = []
for c in cases:
    t = c[metric]
    if "torch" in t:
        goal_rows.append([c["name"], "backprop ÷ PyTorch ≤ 1", num(t["backprop"] / t["torch"], 3),
                          "met" if t["backprop"] <= t["torch"] else "**missed**"])
for c in big:
    t = c[metric]
    goal_rows.append([c["name"], "backprop ÷ floor ≤ 1.15", num(t["backprop"] / t["floor"], 3),
                      "met" if t["backprop"] <= 1.15 * t["floor"] else "**missed**"])
for c in tiny:
    goal_rows.append([c["name"], "step < 100 µs", fmt_time(c[metric]["backprop"]),
                      "met" if c[metric]["backprop"] < 100e-6 else "**missed**"])
md_table(["case", "goal", "measured", "result"], goal_rows, align="llrl")

with_torch = [c for c in cases if "torch" in c[metric]]
faster = [c["name"] for c in with_torch if c[metric]["backprop"] < c[metric]["torch"]]
slower = [c["name"] for c in with_torch if c[metric]["backprop"] > c[metric]["torch"]]
torch_floor = {c["name"]: c[metric]["torch"] / c[metric]["floor"] for c in with_torch}
below_floor = [n for n, r in torch_floor.items() if r < 1]
tiny_torch = [c for c in tiny if "torch" in c[metric]]
tiny_rate = max(sum(matmul_flops(c["sizes"], c["batch"])) / c[metric]["torch"] for c in tiny_torch)
assert tiny_rate < 1e7, tiny_rate  # far below any CPU's arithmetic rate: the time is fixed cost
gap = {c["name"]: c[metric]["backprop"] - c[metric]["floor"] for c in cases if c not in tiny}
slowest_gap, fastest_gap = max(gap, key=gap.get), min(gap, key=gap.get)


def names(items):
    return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]


md(f"""
{"On " + names(faster) + " the library's step is faster than PyTorch's." if faster else
 "The library's step is faster than PyTorch's on no case of this run."}
{"On the tiny networks PyTorch's step takes " + names([fmt_time(c[metric]["torch"]) for c in tiny_torch])
 + " for matrix products of " + names([num(sum(matmul_flops(c["sizes"], c["batch"])), 3) for c in tiny_torch])
 + " FLOPs: its time there is the fixed cost of its operations, not arithmetic." if tiny_torch else ""}
{"The library is slower than PyTorch on " + names(slower) + ". " if slower else ""}{
"On " + names(below_floor) + " PyTorch's whole step is faster than NumPy's matrix products alone, "
"because PyTorch calls a different BLAS library (" + torch_info.get("blas", "its own") + "); no step "
"built on NumPy's products can close that gap." if below_floor else
"PyTorch's whole step is never faster than NumPy's matrix products alone in this run: its step takes "
+ num(min(torch_floor.values()), 3) + " to " + num(max(torch_floor.values()), 3) + " times the floor."}

The library's own gap to the floor, from {fmt_time(gap[fastest_gap])} ({fastest_gap}) to
{fmt_time(gap[slowest_gap])} ({slowest_gap}) on the non-tiny cases, is everything the step does
besides its matrix products: bias additions, activations and their derivatives, softmax and the
loss, bias gradients, the update and the allocation of temporaries. The results file times each
step as a whole, so it does not say which of these costs most; that needs a measurement of its own.
""")
assert set(results["impls"]) <= {"backprop", "fit", "torch", "floor"}, results["impls"]  # no breakdown

# %% [markdown]
# ### What the library does to stay fast
#
# The forward and backward passes follow the equations of the
# [backpropagation chapter](backpropagation.py) line by line, but a few idioms were chosen for
# speed:
#
# - the ReLU derivative is applied as an in-place multiplication by the mask $z > 0$, rather than
#   by assigning zeros through the mask (`delta[z <= 0] = 0`) or building a new array with
#   `np.where`;
# - the update scales the gradient in place and subtracts it, with no temporary the size of $W$;
# - the first layer's input gradient is never computed;
# - a float32 network converts its inputs once and then computes in float32 throughout;
# - for a batch of class scores (many rows, few columns), softmax and cross-entropy take the row
#   maxima and sums from a transposed copy, reduced down its columns instead of along the short rows.

# %% tags=["hide-input"]
net32 = bp.MLP([4, 3, 2], hidden="relu", loss="cross_entropy", seed=0, dtype=np.float32)
x64 = np.random.default_rng(0).normal(size=(5, 4))  # float64 data
fp32 = net32.forward(x64)
grads32 = net32.gradients(x64, bp.datasets.one_hot(np.array([0, 1, 1, 0, 1])))
assert all(a.dtype == np.float32 for a in fp32.a) and all(g.dtype == np.float32 for g in grads32.values())
pairs = {}
for c in cases:
    if c["dtype"] == "float64":
        twin = next((d for d in cases if d["dtype"] == "float32" and d["sizes"] == c["sizes"]
                     and d["batch"] == c["batch"]), None)
        if twin is not None:
            pairs[c["name"]] = c[metric]["backprop"] / twin[metric]["backprop"]
ablations_committed = from_repository("benchmarks/ablations.json exists",
                                      lambda root: (root / "benchmarks" / "ablations.json").exists())
assert not ablations_committed, "ablations.json is committed now: quote it here"
md(f"""
The measurements above show what float64 costs: on the cases run in both precisions the float64
step takes {names([f"{num(r, 3)} times ({n})" for n, r in pairs.items()])} the float32 one.
`benchmarks/ablations.py` puts each avoided idiom back, one at a time, and times the difference;
its results are not committed, so this page does not quote them.
""")

# %% [markdown]
# ## Building this book

# %% tags=["hide-input"]
page_s = book["page_seconds"]
fastest_page = min(page_s, key=page_s.get)
goal_s = 60
md(f"""
A cold `mkdocs build --strict` (every page executed, no cache) took
**{num(book["cold_build_seconds"], 3)} s** on {book["date"][:10]} ({book["machine"]["cpus"]} cores; load
average before the run {num(book["load_average_before_after"][0][0], 2)}); the goal is under {goal_s} s,
{"met" if book["cold_build_seconds"] < goal_s else "**missed**"}. The pages' execution adds up to
{num(sum(page_s.values()), 3)} s of it. Each page runs in a fresh Jupyter kernel, so each pays for
starting Python and importing what it needs; the fastest, {fastest_page}, took
{num(page_s[fastest_page], 2)} s in all. Under `mkdocs serve`, only an edited page runs again.
""")
md_table(["page", "execution (s)"], sorted(page_s.items(), key=lambda kv: -kv[1]), fmt=3)

# %% [markdown]
# ## Reproducing
#
# ```bash
# .venv/bin/pip install threadpoolctl torch==2.13.0     # PyTorch is optional
# .venv/bin/python benchmarks/bench_step.py              # writes benchmarks/results.json
# .venv/bin/python benchmarks/bench_book.py              # writes benchmarks/book-build.json
# ```
#
# Run them on a quiet machine: the step timings are medians, but a machine busy with other work
# still shifts them.

# %% tags=["hide-input"]
# The results file is consistent with itself: stored ratios are the ratios of the stored medians.
for c in cases:
    m = c["median_seconds"]
    for key, value in c["ratios"].items():
        a, b = key.split("/")
        if a in m and b in m:
            assert abs(value - m[a] / m[b]) <= 1e-9 * value, (c["name"], key)
    assert len(c["round_seconds"]["floor"]) == c["rounds"], c["name"]
assert all(c[metric]["floor"] > 0 for c in cases)
page_files = from_repository("docs/*.py", lambda root: sorted(p.name for p in (root / "docs").glob("*.py")))
assert set(page_s) <= set(page_files), "book-build.json lists a page that is gone"
