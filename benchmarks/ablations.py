"""What each speed-up of the training step is worth: the library against itself with one change undone.

Every variant is the library as it is with one change taken back (``apply`` below patches it into
the worker process), or ``base``: the library as it was before the speed-ups (the commit ``--base``,
by default ``BASE_COMMIT`` below, unpacked to a temporary directory).  Each runs in its
own worker process of ``bench_step.py``, timed the way that script times its contenders (order
shuffled every round, a pause before each worker, the median of per-round ratios).  The figure is
``variant / library``: above 1, the change undone was paying for itself.

    python benchmarks/ablations.py                       # writes benchmarks/ablations.json
    python benchmarks/ablations.py --quick --no-write
    python benchmarks/ablations.py --cases mnist-b1024-f32 --variants base,"fresh arrays"
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_step  # noqa: E402

CASES = ["tiny-1-1-1", "mnist-b128-f32", "mnist-b1024-f32", "mnist-b1024-f64", "wide-b512-f32"]
BASE_COMMIT = "01888a6f3ee74f3b281265f4abc8ff0dc881b333"  # the library before the training step's speed-ups
BASE_ENV = "BACKPROP_ABLATION_BASE"  # where the base library was unpacked (set for the workers)

VARIANTS = {
    "base": "the library before the speed-ups (the base commit)",
    "fresh arrays": "no kept arrays in fit: every step allocates its arrays anew",
    "bias gradient by sum": "dL/db as delta.sum(axis=0) (NumPy, one thread) instead of 1_N^T delta in the BLAS",
    "relu mask by boolean index": "ReLU's backward as grad_a[z <= 0] = 0 instead of a multiply by the mask",
    "relu into its own array": "fit's ReLU written into a kept array of its own instead of over Z",
    "every step tested": "fit's SGD steps each tested for inf/NaN (a sum over every step) although the finite "
                         "gradient norm already bounds them",
    # Changes tried and measured, not in the library (a variant adds them):
    "+ elementwise on 2 threads": "tried: bias add, ReLU and ReLU's mask split by rows over two Python threads",
    "+ no rollback copy": "what a promise costs: fit without its copy of the parameters before each update (a "
                          "divergence could then not be rolled back)",
}


def apply(variant: str) -> None:
    """Undo one change in this (worker) process, before the network is built."""
    import numpy as np

    if variant == "base":
        sys.path.insert(0, os.environ[BASE_ENV])
        import backprop

        assert Path(backprop.__file__).is_relative_to(os.environ[BASE_ENV]), backprop.__file__
        return
    import backprop._kernels as kernels
    import backprop.network as network

    if variant == "fresh arrays":
        kernels.Workspace.array = lambda self, name, layer, shape, dtype: np.empty(shape, dtype)
        kernels.Workspace.ones = lambda self, n, dtype: np.ones(n, dtype)
    elif variant == "bias gradient by sum":
        network.bias_gradient = lambda delta, work=None, layer=0: delta.sum(axis=0)
    elif variant == "relu mask by boolean index":
        def relu_vjp(z, a, grad_a):
            grad_a[z <= 0] = 0
            return grad_a

        object.__setattr__(network.ACTIVATIONS["relu"], "vjp", relu_vjp)
    elif variant == "every step tested":
        import backprop.optimisers as optimisers

        optimisers._LARGEST.clear()  # no step is then small enough to go untested
    elif variant == "relu into its own array":
        def relu(Z, work=None, layer=0):
            return np.maximum(Z, 0, out=None if work is None else work.array("A", layer, Z.shape, Z.dtype))

        network.relu = relu
    elif variant == "+ no rollback copy":
        import backprop.training as training

        def take(self, net, optimiser):
            self.optimiser, self.taken = optimiser.snapshot(), True

        training._Snapshot.take = take
    elif variant == "+ elementwise on 2 threads":
        _split_elementwise(np, kernels, network)
    else:
        raise ValueError(f"unknown variant {variant!r}; known: {', '.join(VARIANTS)}")


def _split_elementwise(np, kernels, network) -> None:
    """Bias add, ReLU and ReLU's backward on two threads, each on half the rows (NumPy's ufuncs release the GIL)."""
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(1)

    def halves(fn, *arrays):
        n = arrays[0].shape[0]
        if arrays[0].size < 1 << 16:  # too small to pay for the hand-over
            fn(*arrays)
            return
        h = n // 2
        other = pool.submit(fn, *(a[h:] for a in arrays))
        fn(*(a[:h] for a in arrays))
        other.result()

    def affine(A, W, b, work=None, layer=0):
        Z = np.matmul(A, W, out=kernels._out(work, "Z", layer, (A.shape[0], W.shape[1]), W.dtype))
        halves(lambda z: np.add(z, b, out=z), Z)
        return Z

    def relu(Z, work=None, layer=0):
        A = np.empty_like(Z) if work is None else Z  # over Z in a training step, as the library does
        halves(lambda z, a: np.maximum(z, 0, out=a), Z, A)
        return A

    def relu_vjp(z, a, grad_a):
        halves(lambda zz, g: np.multiply(g, zz > 0, out=g), z, grad_a)
        return grad_a

    network.affine, network.relu = affine, relu
    object.__setattr__(network.ACTIVATIONS["relu"], "vjp", relu_vjp)


def unpack_base(commit: str, into: Path) -> str:
    """The library (``backprop/``) of ``commit``, unpacked under ``into``; returns the commit's hash."""
    full = subprocess.run(["git", "rev-parse", commit], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", full, "backprop"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return full


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", default=",".join(CASES), help="comma-separated case names of bench_step.py")
    p.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated: " + ", ".join(VARIANTS))
    p.add_argument("--impl", default="fit", choices=["fit", "backprop"],
                   help="time fit (default) or the bare value_and_grad + update")
    p.add_argument("--base", default=BASE_COMMIT,
                   help=f"the commit of the 'base' variant (default: {BASE_COMMIT[:10]}, before the speed-ups)")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--rounds", type=int, default=None, help="rounds per case (default: the case's)")
    p.add_argument("--gap", type=float, default=0.3)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "ablations.json"))
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    variants = args.variants.split(",")
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        p.error(f"unknown variant(s) {sorted(unknown)}; known: {list(VARIANTS)}")
    env = {k: v for k, v in os.environ.items() if k not in bench_step.UNSET_FOR_BENCH}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    base_commit = None
    with tempfile.TemporaryDirectory(prefix="backprop-base-") as tmp:
        if "base" in variants:
            base_commit = unpack_base(args.base, Path(tmp))
            env[BASE_ENV] = tmp
            print(f"base: {base_commit[:10]}")
        out = {"what": "fit's (or the bare step's) time with one speed-up undone / the library's; median of "
                       "per-round ratios, each contender in its own process, order shuffled every round; "
                       "process CPU time at one thread, wall-clock time with more",
               "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "threads": args.threads,
               "impl": args.impl, "base_commit": base_commit, "variants": {v: VARIANTS[v] for v in variants},
               "cases": {}}
        for name in args.cases.split(","):
            case = next(c for c in bench_step.CASES if c.name == name)
            specs = {"library": (args.impl, None)} | {v: (args.impl, v) for v in variants}
            res = bench_step.run_case(case, specs, args.threads, env, args.quick, args.gap, rounds=args.rounds)
            # One thread: CPU time, which other programs on the machine do not lengthen (wall time otherwise:
            # with more threads, CPU time counts the BLAS threads' spinning too).
            times = res["round_cpu_seconds"] if args.threads == 1 else res["round_seconds"]
            ratios = {v: [a / b for a, b in zip(times[v], times["library"], strict=True)] for v in variants}
            out["cases"][name] = {
                "rounds": res["rounds"], "load_average_before_after": res["load_average_before_after"],
                "median_seconds": res["median_seconds"], "median_cpu_seconds": res["median_cpu_seconds"],
                "time": "cpu" if args.threads == 1 else "wall", "round_seconds": times,
                "ratio_to_library": {v: statistics.median(r) for v, r in ratios.items()},
                "ratio_quartiles": {v: bench_step.quartiles(r) for v, r in ratios.items()},
                "blas": bench_step.blas_line(res["worker_info"]["library"])}
            print(f"{name}: library {bench_step.fmt_time(statistics.median(times['library'])).strip()} a step "
                  f"({res['rounds']} rounds, load {res['load_average_before_after'][1][0]}; "
                  f"{out['cases'][name]['blas']})")
            for v in variants:
                q = out["cases"][name]["ratio_quartiles"][v]
                print(f"  {v:30s} {out['cases'][name]['ratio_to_library'][v]:5.2f}x  (quartiles {q[0]:.2f}-{q[1]:.2f})",
                      flush=True)
    if not args.no_write:
        Path(args.out).write_text(json.dumps(out, indent=1) + "\n")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
