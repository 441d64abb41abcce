"""Time one training step of backprop.MLP against PyTorch CPU and against the matrix-multiply floor.

A step is what full-batch training does once: forward pass, loss, backward pass and the plain SGD
update ``p -= lr * dL/dp``.  Five implementations are timed, each in its own worker process:

``backprop``  the library's step as ``fit`` runs it: ``net.value_and_grad`` (forward, loss, backward), then the
              update ``g *= lr; p -= g`` for every parameter, as ``fit`` writes it
``fit``       ``net.fit(X, Y, epochs=k)`` divided by k: the step plus the fit loop's own bookkeeping
              (gradient norm, divergence check, copy of the parameters for a rollback, history, and one
              forward pass per call to check the last update)
``torch``     the same network in PyTorch CPU: autograd, then ``p.add_(p.grad, alpha=-lr)``
``sklearn``   scikit-learn's MLPClassifier (MLPRegressor for mse) doing the same work: its ``_backprop``
              (forward, loss, backward) and its SGD optimiser's ``update_params`` with momentum 0, no L2
              (``alpha=0``), the whole batch as one mini-batch
``floor``     only the matrix multiplies the step needs, in NumPy into preallocated outputs:
              forward ``a(l-1) @ W(l)``, backward ``a(l-1).T @ delta(l)`` and ``delta(l) @ W(l).T``
              for l >= 2 (the first layer's input gradient is never needed)

The workers run one at a time, with the same thread count (threadpoolctl for NumPy's BLAS,
``torch.set_num_threads``) and dtype, in an order shuffled anew every round and with a pause
(``--gap``, 0.3 s) before each worker's turn: OpenBLAS's idle threads keep spinning for about 0.13 s
after a call, so whoever follows an OpenBLAS worker at once runs slower, and a fixed rotation would
keep that bias on the same contender.  Each round times a batch of steps of every worker; a ratio
(``backprop/torch``, ...) is the median over rounds of that round's ratio, which cancels the slow
spells of a shared machine that hit one round.  OPENBLAS_CORETYPE
and OPENBLAS_L2_SIZE are removed from the workers' environment (they can slow current NumPy);
the BLAS library and kernel the workers actually used are printed and saved.

Usage::

    python benchmarks/bench_step.py                  # all cases, writes benchmarks/results.json
    python benchmarks/bench_step.py --quick          # fewer, shorter rounds (a smoke test)
    python benchmarks/bench_step.py --cases mnist-b1024-f32 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPLS = ("backprop", "fit", "torch", "sklearn", "floor")
UNSET_FOR_BENCH = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
LR = 0.01


@dataclass(frozen=True)
class Case:
    name: str
    sizes: tuple[int, ...]
    hidden: str
    output: str
    loss: str
    batch: int
    dtype: str
    rounds: int = 9  # timed rounds per implementation
    round_seconds: float = 0.25  # aim of one round's length (at least one step)


CASES = [
    # The book's worked examples, one sample each.
    Case("tiny-1-1-1", (1, 1, 1), "sigmoid", "identity", "mse", 1, "float64"),
    Case("tiny-3-2-1", (3, 2, 1), "relu", "sigmoid", "bce", 1, "float64"),
    # An MNIST-sized classifier.
    Case("mnist-b128-f32", (784, 256, 128, 10), "relu", "softmax", "cross_entropy", 128, "float32"),
    Case("mnist-b128-f64", (784, 256, 128, 10), "relu", "softmax", "cross_entropy", 128, "float64"),
    Case("mnist-b1024-f32", (784, 256, 128, 10), "relu", "softmax", "cross_entropy", 1024, "float32"),
    Case("mnist-b1024-f64", (784, 256, 128, 10), "relu", "softmax", "cross_entropy", 1024, "float64"),
    # Big enough that only the matrix multiplies matter (about 86 GFLOP a step): few rounds.
    Case("wide-b512-f32", (4096, 4096, 4096, 10), "relu", "softmax", "cross_entropy", 512, "float32",
         rounds=5, round_seconds=0.0),
]


# ------------------------------------------------------------------------------------------------
# Worker side: one implementation of one case, driven over stdin/stdout.
# ------------------------------------------------------------------------------------------------
def make_data(case: Case):
    """The case's network inputs: float64 X and Y, as a user would pass them."""
    import numpy as np

    if case.name == "tiny-1-1-1":  # the book's 1-1-1 example: x = 0.5, y = 0.6
        return np.array([[0.5]]), np.array([[0.6]])
    if case.name == "tiny-3-2-1":  # the book's 3-2-1 example: x = (1, 0.5, -1.5), y = 1
        return np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])
    rng = np.random.default_rng(1)
    X = rng.standard_normal((case.batch, case.sizes[0]))
    Y = np.eye(case.sizes[-1])[rng.integers(0, case.sizes[-1], case.batch)]
    return X, Y


def make_net(case: Case):
    import numpy as np

    import backprop as bp

    return bp.MLP(list(case.sizes), hidden=case.hidden, output=case.output, loss=case.loss, seed=0,
                  dtype=np.dtype(case.dtype))


def backprop_step(case: Case):
    net = make_net(case)
    X, Y = net.check_inputs(*make_data(case))  # fit converts once, before its loop
    params = net.params

    def run(k: int) -> None:  # the loop of fit (full batch), without its bookkeeping
        for _ in range(k):
            loss, grads = net.value_and_grad(X, Y, checked=True)
            for key, g in grads.items():  # fit's update: p -= lr * g without a temporary the size of p
                g *= LR
                params[key] -= g

    def check():  # a float32 network fed float64 data must stay float32
        assert net.forward(X, checked=True).output.dtype == net.dtype
        assert all(p.dtype == net.dtype for p in net.params.values())
        assert all(g.dtype == net.dtype for g in net.value_and_grad(X, Y, checked=True)[1].values())

    return None, run, check


FIT_MIN_EPOCHS = 8  # fit's per-call work (input checks, one forward pass after the last update) spread over 8+ steps


def fit_steps(case: Case):
    net = make_net(case)
    X, Y = make_data(case)

    def run(k: int) -> None:
        net.fit(X, Y, epochs=k, lr=LR)

    def check():
        assert all(p.dtype == net.dtype for p in net.params.values())

    return None, run, check


def torch_step(case: Case):
    import torch
    import torch.nn.functional as F

    net = make_net(case)  # same initial weights
    dtype = getattr(torch, case.dtype)
    Xn, Yn = make_data(case)
    X = torch.tensor(Xn, dtype=dtype)
    Y = torch.tensor(Yn, dtype=dtype)
    L = len(case.sizes) - 1
    Ws = [torch.tensor(net.params[f"W{l}"]).requires_grad_() for l in range(1, L + 1)]
    bs = [torch.tensor(net.params[f"b{l}"]).requires_grad_() for l in range(1, L + 1)]
    params = [p for pair in zip(Ws, bs, strict=True) for p in pair]
    hidden = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}[case.hidden]
    n = len(X)

    def loss_of(z):
        if case.loss == "cross_entropy":  # softmax output, from the logits
            return F.cross_entropy(z, Y)
        if case.loss == "bce":  # sigmoid output, from the logits
            return F.binary_cross_entropy_with_logits(z, Y, reduction="sum") / n
        d = z - Y  # mse with identity output
        return 0.5 * (d * d).sum() / n

    def step():
        a = X
        for l in range(L):
            z = torch.addmm(bs[l], a, Ws[l])
            a = hidden(z) if l < L - 1 else z
        loss = loss_of(z)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-LR)
                p.grad = None

    def check():  # same dtype, and the same gradient as the library's at the same parameters
        assert all(p.dtype == dtype for p in params)
        ref = make_net(case)
        for l in range(L):
            ref.params[f"W{l + 1}"][...] = Ws[l].detach().numpy()
            ref.params[f"b{l + 1}"][...] = bs[l].detach().numpy()
        a = X
        for l in range(L):
            z = torch.addmm(bs[l], a, Ws[l])
            a = hidden(z) if l < L - 1 else z
        loss_of(z).backward()
        expected = ref.gradients(Xn, Yn)
        for l in range(L):
            same_gradient(Ws[l].grad.numpy(), expected[f"W{l + 1}"], f"torch W{l + 1}")
            same_gradient(bs[l].grad.numpy(), expected[f"b{l + 1}"], f"torch b{l + 1}")
        for p in params:
            p.grad = None

    return step, None, check


def same_gradient(got, expected, what: str) -> None:
    """A contender's gradient equals the library's (float32: summation order changes the last bits)."""
    import numpy as np

    rtol = 1e-3 if expected.dtype == np.float32 else 1e-9
    scale = float(np.abs(expected).max()) or 1.0
    err = float(np.abs(got - expected).max()) / scale
    assert err <= rtol, f"{what}: gradient differs from the library's by {err:.2g} of its largest entry"


SKLEARN_ACTIVATION = {"relu": "relu", "sigmoid": "logistic", "tanh": "tanh", "identity": "identity"}


def sklearn_step(case: Case):
    """scikit-learn's own step: ``_backprop`` then its SGD optimiser's ``update_params`` (momentum 0, alpha 0)."""
    import warnings

    import numpy as np
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    net = make_net(case)  # same initial weights
    Xn, Yn = make_data(case)
    X = Xn.astype(case.dtype)
    L = len(case.sizes) - 1
    options = dict(hidden_layer_sizes=case.sizes[1:-1], activation=SKLEARN_ACTIVATION[case.hidden], solver="sgd",
                   momentum=0.0, nesterovs_momentum=False, alpha=0.0, learning_rate_init=LR, batch_size=len(X),
                   shuffle=False, max_iter=1)
    if case.loss == "mse":
        model, y = MLPRegressor(**options), Yn[:, 0]
    elif case.loss == "bce":
        model, y = MLPClassifier(**options), Yn[:, 0].astype(int)
    else:
        model, y = MLPClassifier(**options), Yn.argmax(axis=1)
    with warnings.catch_warnings():  # one partial_fit sets up the model and its optimiser
        warnings.simplefilter("ignore")
        if case.loss == "mse":
            model.partial_fit(X, y)
        else:
            model.partial_fit(X, y, classes=np.arange(max(2, case.sizes[-1])))
    expected_out = {"mse": "identity", "bce": "logistic", "cross_entropy": "softmax"}[case.loss]
    assert model.out_activation_ == expected_out, model.out_activation_
    assert type(model._optimizer).__name__ == "SGDOptimizer" and model._optimizer.momentum == 0
    for l in range(L):  # in place: the optimiser holds these arrays
        model.coefs_[l][...] = net.params[f"W{l + 1}"]
        model.intercepts_[l][...] = net.params[f"b{l + 1}"]
    Xs, ys = model._validate_input(X, y, incremental=True, reset=False)
    ys = ys.reshape(len(Xs), -1)
    activations = [Xs] + [None] * L
    deltas = [None] * L
    coef_grads = [np.empty_like(c) for c in model.coefs_]
    intercept_grads = [np.empty_like(b) for b in model.intercepts_]
    params = model.coefs_ + model.intercepts_

    def step():
        activations[0] = Xs
        _, cg, ig = model._backprop(Xs, ys, None, activations, deltas, coef_grads, intercept_grads)
        model._optimizer.update_params(params, cg + ig)

    def check():  # same dtype, and the same gradient as the library's at the same parameters
        assert all(p.dtype == np.dtype(case.dtype) for p in params)
        ref = make_net(case)
        for l in range(L):
            ref.params[f"W{l + 1}"][...] = model.coefs_[l]
            ref.params[f"b{l + 1}"][...] = model.intercepts_[l]
        activations[0] = Xs
        _, cg, ig = model._backprop(Xs, ys, None, activations, deltas, coef_grads, intercept_grads)
        expected = ref.gradients(Xn, Yn)
        for l in range(L):
            same_gradient(cg[l], expected[f"W{l + 1}"], f"sklearn W{l + 1}")
            same_gradient(ig[l], expected[f"b{l + 1}"], f"sklearn b{l + 1}")

    return step, None, check


def floor_step(case: Case):
    import numpy as np

    rng = np.random.default_rng(2)
    dt_ = np.dtype(case.dtype)
    n, sizes = case.batch, case.sizes
    L = len(sizes) - 1

    def rand(*shape):
        return rng.standard_normal(shape).astype(dt_)

    A = [rand(n, s) for s in sizes]  # A[l]: activations of layer l (A[0] = X)
    W = [None] + [rand(sizes[l - 1], sizes[l]) for l in range(1, L + 1)]
    D = [None] + [rand(n, sizes[l]) for l in range(1, L + 1)]  # delta(l)
    Z = [None] + [np.empty((n, sizes[l]), dt_) for l in range(1, L + 1)]
    dW = [None] + [np.empty_like(W[l]) for l in range(1, L + 1)]
    dA = [np.empty((n, s), dt_) for s in sizes]
    matmul = np.matmul

    def step():
        for l in range(1, L + 1):
            matmul(A[l - 1], W[l], out=Z[l])
        for l in range(L, 0, -1):
            matmul(A[l - 1].T, D[l], out=dW[l])
            if l > 1:
                matmul(D[l], W[l].T, out=dA[l - 1])

    return step, None, None


def blas_info() -> list[dict]:
    from threadpoolctl import threadpool_info

    keep = ("user_api", "internal_api", "prefix", "version", "architecture", "threading_layer", "num_threads")
    return [{k: v for k, v in lib.items() if k in keep} for lib in threadpool_info()]


def worker(impl: str, case_name: str, threads: int, variant: str | None = None) -> None:
    case = next(c for c in CASES if c.name == case_name)
    import numpy  # noqa: F401  (load the BLAS before threadpoolctl looks for it)
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    info: dict = {"impl": impl, "blas": blas_info()}
    if variant is not None:  # benchmarks/ablations.py: the library with one change undone
        sys.path.insert(0, str(ROOT / "benchmarks"))
        import ablations

        ablations.apply(variant)
        info["variant"] = variant
    if impl == "torch":
        import torch

        torch.set_num_threads(threads)
        info["torch"] = {"version": torch.__version__, "threads": torch.get_num_threads(),
                         "mkl": torch.backends.mkl.is_available(),
                         "mkldnn": torch.backends.mkldnn.is_available(),
                         "blas": torch.__config__.show().split("BLAS_INFO=")[-1].split(",")[0]}
    if impl == "sklearn":
        import sklearn

        info["sklearn"] = {"version": sklearn.__version__}
    setup = {"backprop": backprop_step, "fit": fit_steps, "torch": torch_step, "sklearn": sklearn_step,
             "floor": floor_step}[impl]
    step, run, check = setup(case)
    if run is None:
        def run(k: int, step=step) -> None:
            for _ in range(k):
                step()

    run(2)  # warm up: first-touch allocations, BLAS thread start, torch's lazy init
    if check is not None:
        check()
    estimates = []
    for _ in range(3):  # the step time, to choose how many steps make a round
        k = 1 if not estimates or estimates[-1] > 1e-2 else max(1, round(1e-2 / estimates[-1]))
        t = time.perf_counter()
        run(k)
        estimates.append((time.perf_counter() - t) / k)
        if estimates[-1] > 0.2:
            break
    info["estimate"] = min(estimates)
    print(json.dumps(info), flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd != "run":
            break
        k = int(arg)
        t, c = time.perf_counter(), time.process_time()
        run(k)
        print(json.dumps({"seconds": (time.perf_counter() - t) / k, "cpu_seconds": (time.process_time() - c) / k}),
              flush=True)


# ------------------------------------------------------------------------------------------------
# Driver side
# ------------------------------------------------------------------------------------------------
class Worker:
    def __init__(self, impl: str, case: Case, threads: int, env: dict, variant: str | None = None) -> None:
        self.impl = impl if variant is None else f"{impl} ({variant})"
        command = [sys.executable, "-u", __file__, "--worker", impl, "--case", case.name, "--threads", str(threads)]
        if variant is not None:
            command += ["--variant", variant]
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
                                     cwd=ROOT)
        self.info = self._read()

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"{self.impl} worker failed (exit {self.proc.returncode}); see its stderr above")
        return json.loads(line)

    def run(self, k: int) -> dict:
        self.proc.stdin.write(f"run {k}\n")
        self.proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def has_module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def has_torch() -> bool:
    return has_module("torch")


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


RATIOS = ("backprop/torch", "fit/torch", "backprop/sklearn", "fit/sklearn", "backprop/floor", "fit/floor",
          "torch/floor", "fit/backprop")


def round_ratios(times: dict[str, list[float]]) -> dict[str, list[float]]:
    """Every ratio of RATIOS whose two contenders ran, one value per round (same round, same machine state)."""
    out = {}
    for key in RATIOS:
        a, b = key.split("/")
        if a in times and b in times:
            out[key] = [x / y for x, y in zip(times[a], times[b], strict=True)]
    return out


def run_case(case: Case, impls: list[str] | dict[str, tuple[str, str | None]], threads: int, env: dict, quick: bool,
             gap: float, max_seconds: float = 90, rounds: int | None = None) -> dict:
    """Time the contenders ``impls`` (names, or name -> (implementation, ablation variant)) on one case."""
    rounds = rounds or (3 if quick else case.rounds)
    round_seconds = case.round_seconds / 4 if quick else case.round_seconds
    specs = impls if isinstance(impls, dict) else {impl: (impl, None) for impl in impls}
    impls = list(specs)
    load_before = load_average()
    workers = {}
    try:
        for name, (impl, variant) in specs.items():
            workers[name] = Worker(impl, case, threads, env, variant)
        steps = {impl: max(1, round(round_seconds / w.info["estimate"])) for impl, w in workers.items()}
        for name, (impl, _) in specs.items():
            if impl == "fit":
                steps[name] = max(steps[name], FIT_MIN_EPOCHS)
        times: dict[str, list[float]] = {impl: [] for impl in impls}
        cpu: dict[str, list[float]] = {impl: [] for impl in impls}
        shuffler = random.Random(case.name)
        started = time.perf_counter()
        for r in range(rounds):
            order = list(impls)
            shuffler.shuffle(order)
            for impl in order:
                time.sleep(gap)  # let the previous worker's BLAS threads stop spinning
                got = workers[impl].run(steps[impl])
                times[impl].append(got["seconds"])
                cpu[impl].append(got["cpu_seconds"])
            if r >= 4 and time.perf_counter() - started > max_seconds:  # a loaded machine: stop early
                break
        info = {impl: w.info for impl, w in workers.items()}
    finally:
        for w in workers.values():
            w.close()
    med = {impl: statistics.median(ts) for impl, ts in times.items()}
    per_round = round_ratios(times)
    return {**asdict(case), "rounds": len(times[impls[0]]), "steps_per_round": steps, "median_seconds": med,
            "median_cpu_seconds": {impl: statistics.median(ts) for impl, ts in cpu.items()},
            "round_seconds": times, "round_cpu_seconds": cpu,
            "ratios": {k: statistics.median(v) for k, v in per_round.items()},
            "ratio_quartiles": {k: quartiles(v) for k, v in per_round.items()},
            "load_average_before_after": [load_before, load_average()], "worker_info": info}


def quartiles(values: list[float]) -> list[float]:
    """The lower and upper quartile (the spread of the per-round ratios)."""
    if len(values) < 2:
        return [values[0], values[0]]
    q = statistics.quantiles(values, n=4, method="inclusive")
    return [q[0], q[2]]


def blas_line(info: dict) -> str:
    """One worker's BLAS library, kernel and threads (and torch's own), as threadpoolctl reports them."""
    parts = [f"{lib['internal_api']} {lib.get('version')} {lib.get('architecture')} x{lib['num_threads']}"
             for lib in info["blas"] if lib["user_api"] == "blas"]
    if "torch" in info:
        parts.append(f"torch {info['torch']['blas']} x{info['torch']['threads']}")
    return ", ".join(dict.fromkeys(parts))


def fmt_time(s: float) -> str:
    return f"{s * 1e6:8.1f} us" if s < 1e-3 else f"{s * 1e3:8.2f} ms"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", help="comma-separated case names (default: all): " + ", ".join(c.name for c in CASES))
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for BLAS and torch (default: all)")
    p.add_argument("--quick", action="store_true", help="3 short rounds per case: a smoke test, not a measurement")
    p.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    p.add_argument("--no-fit", action="store_true", help="skip timing through fit()")
    p.add_argument("--no-sklearn", action="store_true", help="skip the scikit-learn comparison")
    p.add_argument("--gap", type=float, default=0.3, help="seconds of pause before each worker's turn (default 0.3)")
    p.add_argument("--out", default=str(ROOT / "benchmarks" / "results.json"), help="results file")
    p.add_argument("--no-write", action="store_true", help="do not write the results file")
    p.add_argument("--note", default="", help="a remark saved in the results file (e.g. how busy the machine was)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--case", help=argparse.SUPPRESS)
    p.add_argument("--variant", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker, args.case, args.threads, args.variant)
        return 0

    cases = CASES
    if args.cases:
        wanted = args.cases.split(",")
        unknown = set(wanted) - {c.name for c in CASES}
        if unknown:
            p.error(f"unknown case(s) {sorted(unknown)}; known: {[c.name for c in CASES]}")
        cases = [c for c in CASES if c.name in wanted]
    impls = ["backprop"] + ([] if args.no_fit else ["fit"])
    if args.no_torch:
        print("torch: skipped (--no-torch); comparing with the matmul floor only")
    elif has_torch():
        impls.append("torch")
    else:
        print("torch: not installed (pip install torch for the comparison); comparing with the matmul floor only")
    if args.no_sklearn:
        print("sklearn: skipped (--no-sklearn)")
    elif has_module("sklearn"):
        impls.append("sklearn")
    else:
        print("sklearn: not installed (pip install scikit-learn for the comparison)")
    impls.append("floor")

    env = dict(os.environ)
    unset = {k: env.pop(k) for k in UNSET_FOR_BENCH if k in env}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    print(f"machine: {cpu_model()}, {os.cpu_count()} CPUs; threads {args.threads}; "
          f"unset for the workers: {', '.join(f'{k}={v}' for k, v in unset.items()) or 'nothing was set'}")

    load_before = load_average()
    print(f"load average (1, 5, 15 min): {load_before}  (other work on the machine makes timings noisy)")
    started = time.perf_counter()
    results = []
    for i, case in enumerate(cases, 1):
        t0 = time.perf_counter()
        res = run_case(case, impls, args.threads, env, args.quick, args.gap)
        results.append(res)
        if i == 1:
            for impl, info in res["worker_info"].items():
                for lib in info["blas"]:
                    if lib["user_api"] == "blas":
                        print(f"  {impl:8s} BLAS: {lib['internal_api']} {lib.get('version')} "
                              f"kernel {lib.get('architecture')} threads {lib['num_threads']}")
                if "torch" in info:
                    print(f"  torch {info['torch']['version']}: threads {info['torch']['threads']}, "
                          f"BLAS {info['torch']['blas']}, mkldnn {info['torch']['mkldnn']}")
        med, rat = res["median_seconds"], res["ratios"]
        parts = [f"{impl} {fmt_time(med[impl]).strip()}" for impl in impls]
        parts += [f"{k} {v:.2f}" for k, v in rat.items()]
        print(f"[{i}/{len(cases)}] {case.name:16s} ({time.perf_counter() - t0:5.1f} s, {res['rounds']} rounds, "
              f"load {res['load_average_before_after'][1][0]})  " + "  ".join(parts), flush=True)
        print("    BLAS: " + "; ".join(f"{impl} {blas_line(info)}" for impl, info in res["worker_info"].items()),
              flush=True)

    print_table(results, impls)
    if not args.no_write:
        write_results(Path(args.out), results, impls, args, unset, time.perf_counter() - started, load_before)
    return 0


def print_table(results: list[dict], impls: list[str]) -> None:
    cols = [k for k in ("backprop/torch", "fit/torch", "fit/sklearn", "fit/floor", "torch/floor", "fit/backprop")
            if any(k in r["ratios"] for r in results)]
    print()
    print(f"{'case':16s} " + " ".join(f"{impl:>11s}" for impl in impls) + "   " +
          " ".join(f"{c:>16s}" for c in cols))
    for r in results:
        med = r["median_seconds"]
        print(f"{r['name']:16s} " + " ".join(f"{fmt_time(med[i]):>11s}" for i in impls) + "   " +
              " ".join(f"{r['ratios'][c]:16.2f}" if c in r["ratios"] else f"{'-':>16s}" for c in cols))


def write_results(path: Path, results: list[dict], impls: list[str], args, unset: dict, seconds: float,
                  load_before: list[float]) -> None:
    import numpy as np

    first = results[0]["worker_info"]
    torch_info = first.get("torch", {}).get("torch")
    sklearn_info = first.get("sklearn", {}).get("sklearn")
    doc = {
        "what": "median seconds per training step (forward, loss, backward, SGD update) and their ratios; "
                "see benchmarks/README.md",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "note": args.note,
        "machine": {"cpu": cpu_model(), "cpus": os.cpu_count(), "platform": platform.platform(),
                    "python": platform.python_version()},
        "threads": args.threads,
        "load_average_before_after": [load_before, load_average()],
        "versions": {"numpy": np.__version__, "torch": torch_info["version"] if torch_info else None,
                     "sklearn": sklearn_info["version"] if sklearn_info else None},
        "blas": {"numpy": [lib for lib in first["backprop"]["blas"] if lib["user_api"] == "blas"],
                 "torch": torch_info},
        "env_unset_for_workers": sorted(unset),
        "implementations": {
            "backprop": "library step: net.value_and_grad, then g *= lr; p -= g",
            "fit": f"net.fit(X, Y, epochs=k) / k, k >= {FIT_MIN_EPOCHS} (full batch): the step plus fit's "
                   "bookkeeping",
            "torch": "PyTorch CPU autograd step, addmm layers, loss from logits, p.add_(grad, alpha=-lr)",
            "sklearn": "scikit-learn MLPClassifier/MLPRegressor: _backprop, then its SGD update_params "
                       "(momentum 0, alpha 0, one batch)",
            "floor": "only the step's matrix multiplies (NumPy, preallocated outputs)",
        },
        "impls": impls,
        "gap_seconds": args.gap,
        "fit_min_epochs": FIT_MIN_EPOCHS,
        "ratio_method": "median over rounds of the ratio within a round; order shuffled every round",
        "total_seconds": round(seconds, 1),
        "cases": [{k: v for k, v in r.items() if k != "worker_info"} for r in results],
    }
    path.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    sys.exit(main())
