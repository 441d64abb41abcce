"""What each known cost would add to the library's training step: one variant at a time.

Each variant puts back one slower way of writing a part of the step (the ones the library
avoids) and is timed against the library as it is, in the same process, alternating, median of
rounds.  The figure printed is the variant's step time divided by the library's (1.30 = 30%
slower).  The results go into ``benchmarks/ablations.json``.

    python benchmarks/ablations.py            # about a minute
    python benchmarks/ablations.py --quick
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_step  # noqa: E402

import backprop as bp  # noqa: E402

CASES = ["mnist-b128-f32", "mnist-b1024-f32", "mnist-b1024-f64"]
LR = bench_step.LR


# -- the slower ways ------------------------------------------------------------------------------
def relu_backward_boolean_index(z, a, grad_a):
    grad_a[z <= 0] = 0
    return grad_a


def relu_backward_where(z, a, grad_a):
    return np.where(z > 0, grad_a, 0)


def relu_backward_new_array(z, a, grad_a):
    return grad_a * (z > 0)


def softmax_row_reductions(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def cross_entropy_row_reductions(z, y):
    shifted = z - z.max(axis=1, keepdims=True)
    log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.sum(y * log_softmax) / len(y))


def update_in_place(params, grads, lr):
    # fit's update: p -= lr * g without a temporary the size of p
    for key, g in grads.items():
        g *= lr
        params[key] -= g


def update_with_temporary(params, grads, lr):
    for key, g in grads.items():
        params[key] -= lr * g


def make_variant(name: str, case: bench_step.Case):
    """A step function for one variant, built from the library's public records and step."""
    hidden, output, loss = case.hidden, case.output, case.loss
    update = update_in_place
    first_input_gradient = False
    relu_vjp = {"boolean index": relu_backward_boolean_index, "np.where": relu_backward_where,
                "new mask product": relu_backward_new_array}.get(name)
    if relu_vjp is not None:
        hidden = dataclasses.replace(bp.ACTIVATIONS["relu"], vjp=relu_vjp)
    elif name == "row-wise softmax/CE reductions":
        # A softmax record and a cross-entropy record that pairs with it: the network fuses them as it
        # fuses the library's own.
        output = dataclasses.replace(bp.ACTIVATIONS["softmax"], function=softmax_row_reductions)
        loss = dataclasses.replace(bp.LOSSES["cross_entropy"], output=output,
                                   from_logits=cross_entropy_row_reductions)
    elif name == "update p -= lr * g":
        update = update_with_temporary
    elif name == "first layer's input gradient":
        first_input_gradient = True
    elif name not in ("library", "float64 data, float32 net"):
        raise ValueError(name)
    net = bp.MLP(list(case.sizes), hidden=hidden, output=output, loss=loss, seed=0, dtype=np.dtype(case.dtype))
    assert net.fused == (case.loss == "cross_entropy"), name
    X64, Y64 = bench_step.make_data(case)
    X, Y = net.check_inputs(X64, Y64)
    if name == "float64 data, float32 net":
        if net.dtype != np.float32:
            return None
        X, Y = X64, Y64  # skipping the conversion: every product is promoted to float64
    # dL/dX = delta(1) W1^T: the same matrix multiply on an array of delta(1)'s shape and dtype.
    delta1 = np.ones((len(X), case.sizes[1]), dtype=net.dtype)

    def step():
        _, grads = net.value_and_grad(X, Y, checked=True)
        if first_input_gradient:
            delta1 @ net.params["W1"].T
        update(net.params, grads, LR)

    return step


VARIANTS = ["library", "boolean index", "np.where", "new mask product", "row-wise softmax/CE reductions",
            "update p -= lr * g", "first layer's input gradient", "float64 data, float32 net"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "ablations.json"))
    args = p.parse_args()
    if any(k in os.environ for k in bench_step.UNSET_FOR_BENCH):  # as bench_step does for its workers
        env = {k: v for k, v in os.environ.items() if k not in bench_step.UNSET_FOR_BENCH}
        os.execve(sys.executable, [sys.executable, *sys.argv], env)
    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)
    rounds, round_seconds = (3, 0.05) if args.quick else (9, 0.15)
    out = {"what": "step time of a variant / step time of the library (same process, alternating, median)",
           "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "threads": args.threads,
           "numpy": np.__version__, "blas": bench_step.blas_info(), "cases": {}}
    for case_name in CASES:
        case = next(c for c in bench_step.CASES if c.name == case_name)
        steps = {v: s for v in VARIANTS if (s := make_variant(v, case)) is not None}
        for s in steps.values():  # warm up
            s()
            s()
        t = time.perf_counter()
        steps["library"]()
        k = max(1, round(round_seconds / (time.perf_counter() - t)))
        times: dict[str, list[float]] = {v: [] for v in steps}
        names = list(steps)
        for r in range(rounds):
            for v in names[r % len(names):] + names[:r % len(names)]:
                t = time.perf_counter()
                for _ in range(k):
                    steps[v]()
                times[v].append((time.perf_counter() - t) / k)
        med = {v: statistics.median(ts) for v, ts in times.items()}
        base = med["library"]
        out["cases"][case_name] = {"median_seconds": med, "ratio_to_library": {v: m / base for v, m in med.items()}}
        print(f"{case_name}: library {base * 1e3:.2f} ms/step")
        for v, m in med.items():
            if v != "library":
                print(f"  {v:32s} {m / base:5.2f}x")
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
