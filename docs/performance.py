# %% [markdown]
# # Performance
#
# The library is written to be read, but people who reuse it should not pay for that. This page
# shows how long one training step takes, compared with PyTorch on the CPU and with the time of the
# matrix multiplies alone, and how long this book takes to build. The numbers are read from the
# results files that the benchmark scripts in `benchmarks/` write; they are measurements of one
# machine on one day, and the page says which.
#
# ## What a training step costs
#
# For a layer with $m$ inputs and $k$ outputs and a batch of $n$ samples, the forward pass
# multiplies an $n \times m$ matrix by an $m \times k$ one: $2nmk$ floating-point operations. The
# backward pass needs two products of the same size per layer,
#
# $$
# \frac{\partial L}{\partial W^{(l)}} = A^{(l-1)\top} \delta^{(l)}, \qquad
# \frac{\partial L}{\partial A^{(l-1)}} = \delta^{(l)}\, W^{(l)\top},
# $$
#
# so it costs about **twice the forward pass**, less the first layer's input gradient
# $\partial L/\partial X$, which nothing needs and the library skips. Everything else (activations,
# their derivatives, the loss, the update) is linear in the number of parameters and activations,
# so for wide layers the step is bound by the matrix multiplies. Their time alone is the *floor*: no
# implementation using the same BLAS library can do a step faster.

# %% tags=["hide-input"]
import json
from pathlib import Path

import numpy as np

from backprop.book import figure, md, md_table

results = json.loads(Path("benchmarks/results.json").read_text())
book = json.loads(Path("benchmarks/book-build.json").read_text())
cases = results["cases"]


def flops(sizes: list[int], n: int) -> tuple[int, int]:
    """Matrix-multiply FLOPs of one forward and one backward pass (batch n)."""
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    forward = sum(2 * n * m * k for m, k in pairs)
    backward = sum(2 * n * m * k for m, k in pairs) + sum(2 * n * m * k for m, k in pairs[1:])
    return forward, backward


rows = []
for c in cases:
    f, b = flops(c["sizes"], c["batch"])
    assert b == 2 * f - 2 * c["batch"] * c["sizes"][0] * c["sizes"][1]
    rows.append([c["name"], "-".join(map(str, c["sizes"])), c["batch"], c["dtype"], f"{f:.3g}", f"{b:.3g}",
                 f"{b / f:.2f}"])
md_table(["case", "network", "batch", "dtype", "forward FLOPs", "backward FLOPs", "backward / forward"], rows,
         align="lrrrrrr")
mnist = next(c for c in cases if c["sizes"] == [784, 256, 128, 10])
m_sizes, m_batch = mnist["sizes"], mnist["batch"]
m_pairs = list(zip(m_sizes[:-1], m_sizes[1:], strict=True))
first_share = m_pairs[0][0] * m_pairs[0][1] / sum(m * k for m, k in m_pairs)
m_f, m_b = flops(m_sizes, m_batch)
skipped = 2 * m_batch * m_sizes[0] * m_sizes[1]
assert first_share > 0.5 and m_b / m_f < 2, (first_share, m_b / m_f)
md(f"""
The ratio is below 2 where the first layer dominates, as in {"-".join(map(str, m_sizes))}, whose
${m_sizes[0]} \\times {m_sizes[1]}$ input layer holds {first_share:.0%} of the weights: its input
gradient would be {skipped / (m_b + skipped):.0%} of a backward pass that computed it.
""")

# %% [markdown]
# ## Measured step times

# %% tags=["hide-input"]
blas = results["blas"]["numpy"][0]
torch_info = results["blas"].get("torch") or {}
md(f"""
Measured on {results["date"][:10]}: {results["machine"]["cpu"]}, {results["machine"]["cpus"]} cores,
{results["threads"]} thread(s) for every implementation; NumPy {results["versions"]["numpy"]} with
{blas["internal_api"]} {blas["version"]} ({blas["architecture"]} kernel), PyTorch
{results["versions"].get("torch", "not installed")} (BLAS: {torch_info.get("blas", "n/a")}). Each implementation
runs in its own process, the processes alternate, and each figure is the median over
{cases[0]["rounds"]} or more rounds.
""")
if results.get("note"):
    md(f"*Note recorded with the run:* {results['note']}")

metric = "median_cpu_seconds" if results["threads"] == 1 else "median_seconds"


def fmt_time(s: float) -> str:
    return f"{s * 1e6:.1f} µs" if s < 1e-3 else f"{s * 1e3:.2f} ms"


rows = []
for c in cases:
    t = c[metric]
    r = {k: t["backprop"] / t[k] for k in ("torch", "floor") if k in t}
    rows.append([c["name"], fmt_time(t["backprop"]), fmt_time(t["torch"]) if "torch" in t else "–",
                 fmt_time(t["floor"]), f"{r['torch']:.2f}" if "torch" in r else "–", f"{r['floor']:.2f}"])
md_table(["case", "backprop", "PyTorch", "matmul floor", "backprop / PyTorch", "backprop / floor"], rows,
         align="lrrrrr")


# %% tags=["hide-input"]
def draw_ratios(fig):
    ax = fig.subplots()
    names = [c["name"] for c in cases]
    y = np.arange(len(cases))
    vs_torch = [c[metric]["backprop"] / c[metric]["torch"] if "torch" in c[metric] else np.nan for c in cases]
    vs_floor = [c[metric]["backprop"] / c[metric]["floor"] for c in cases]
    ax.barh(y - 0.2, vs_torch, height=0.4, color="C0", label="backprop / PyTorch")
    ax.barh(y + 0.2, vs_floor, height=0.4, color="C1", label="backprop / matmul floor")
    ax.axvline(1.0, color="C2", linestyle="--", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.set_xlabel("time ratio (log scale; left of the dashed line = faster)")
    ax.legend(loc="lower right")


big = [c for c in cases if c["batch"] >= 1024]
tiny = [c for c in cases if c["name"].startswith("tiny")]
figure(draw_ratios, figsize=(7.2, 3.8),
       alt="Horizontal bars of two time ratios per benchmark case on a log scale. " + "; ".join(
           f"{c['name']}: {c[metric]['backprop'] / c[metric]['torch']:.2f} times PyTorch and "
           f"{c[metric]['backprop'] / c[metric]['floor']:.2f} times the floor" for c in cases if "torch" in c[metric]),
       caption="Step time of the library relative to PyTorch CPU and to the matrix multiplies alone.")

# %% [markdown]
# ## Against the goals
#
# The project set itself three goals: a step no slower than PyTorch's at every size, within 1.15
# times the matrix-multiply floor at batch 1024 and above, and well under 100 µs for the tiny
# worked-example networks. The table is computed from the measurements above; a goal that was
# missed is shown as missed.

# %% tags=["hide-input"]
goal_rows = []
for c in cases:
    t = c[metric]
    if "torch" in t:
        goal_rows.append([c["name"], "backprop / PyTorch ≤ 1.0", f"{t['backprop'] / t['torch']:.2f}",
                          "met" if t["backprop"] <= t["torch"] else "**missed**"])
for c in big:
    t = c[metric]
    goal_rows.append([c["name"], "backprop / floor ≤ 1.15", f"{t['backprop'] / t['floor']:.2f}",
                      "met" if t["backprop"] <= 1.15 * t["floor"] else "**missed**"])
for c in tiny:
    goal_rows.append([c["name"], "step < 100 µs", fmt_time(c[metric]["backprop"]),
                      "met" if c[metric]["backprop"] < 100e-6 else "**missed**"])
md_table(["case", "goal", "measured", "result"], goal_rows, align="llrl")
missed_torch = [c["name"] for c in cases if "torch" in c[metric] and c[metric]["backprop"] > c[metric]["torch"]]
torch_floor = {c["name"]: c[metric]["torch"] / c[metric]["floor"] for c in cases if "torch" in c[metric]}
below_floor = [n for n, r in torch_floor.items() if r < 1]
md(f"""
On the tiny networks the library's step is a handful of small NumPy calls and beats PyTorch, whose
fixed cost per operation dominates there. Where the library is slower than PyTorch
({", ".join(missed_torch) if missed_torch else "nowhere in this run"}), compare the PyTorch column with
the floor: {("in " + ", ".join(below_floor) + " PyTorch's step is faster than NumPy's matrix multiplies alone, because "
"PyTorch calls a different BLAS library (MKL); no NumPy code can close that gap.") if below_floor else
"PyTorch's step is never faster than NumPy's matrix multiplies alone in this run."}
The rest of the gap to the floor is memory traffic: the update $p \\leftarrow p - \\eta g$ reads
and writes every weight twice, since NumPy has no fused multiply-subtract.
""")

# %% [markdown]
# ### What the library does to stay fast
#
# The forward and backward passes are the equations of the
# [backpropagation chapter](backpropagation.py), one line each, but a few idioms matter:
#
# - the ReLU derivative is applied as an in-place multiply by the mask `z > 0`; `delta[z <= 0] = 0`
#   or `np.where` is several times slower;
# - the update scales the gradient in place and subtracts it, with no temporary the size of $W$;
# - the first layer's input gradient is never computed;
# - a float32 network converts its inputs once and stays in float32 (float64 data would silently
#   double the cost);
# - softmax and cross-entropy reduce rows of few columns along the faster axis.
#
# `benchmarks/ablations.py` puts each avoided idiom back, one at a time, and times the difference.

# %% [markdown]
# ## Building this book

# %% tags=["hide-input"]
page_s = book["page_seconds"]
md(f"""
A cold `mkdocs build --strict` (every page executed, no cache) took **{book["cold_build_seconds"]:.0f} s** on
{book["date"][:10]} ({book["machine"]["cpus"]} cores; load average before the run
{book["load_average_before_after"][0][0]:.1f}). The goal is under 60 s. Each page runs in a fresh Jupyter
kernel; starting it and importing NumPy, SymPy and matplotlib is most of a simple page's time.
Under `mkdocs serve`, only an edited page runs again.
""")
md_table(["page", "execution (s)"], sorted(page_s.items(), key=lambda kv: -kv[1]), fmt="{:.2f}", align="lr")

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
assert all(c[metric]["floor"] > 0 for c in cases)
assert set(page_s) <= {p.name for p in Path("docs").glob("*.py")}, "book-build.json lists a page that is gone"
