"""Time backprop.symbolic.derive_network on the 3-2-1 worked example (the issue asks for well under 2 s).

Run: .venv/bin/python benchmarks/bench_symbolic.py   (prints the median of 7 fresh derivations)
"""

import statistics
import time

import numpy as np

import backprop as bp


def main() -> None:
    t0 = time.perf_counter()
    import backprop.symbolic as bs

    import_s = time.perf_counter() - t0
    net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    net.params.update(W1=np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]]).T.copy(), b1=np.array([0.1, -0.2]),
                      W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
    X, Y = np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])
    times = []
    for _ in range(7):
        start = time.perf_counter()
        d = bs.derive_network(net, X, Y)
        d.check()
        times.append(time.perf_counter() - start)
    print(f"import backprop.symbolic: {import_s:.2f} s")
    print(f"derive + check all 3-2-1 gradients, first (cold) run: {times[0]:.3f} s")
    print(f"  later runs (SymPy's cache warm): median {statistics.median(times[1:]):.3f} s over 6")


if __name__ == "__main__":
    main()
