"""How long backprop.symbolic takes: the backprop-verify command, item by item, and the 3-2-1 derivation.

Run: .venv/bin/python benchmarks/bench_symbolic.py [--repeat 3]

- the command as a user runs it (`python -m backprop.symbolic --quiet`, a fresh process each time,
  SymPy's import and cold caches included): the median wall time of `--repeat` runs;
- every item of `verify()` in this process (median over `--repeat` runs) and its share of the total,
  so the slow items stand out whatever the machine;
- `derive_network` + `check()` on the 3-2-1 worked example, the first (cold) run and the median of
  the later ones.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--repeat", type=int, default=3)
    repeat = cli.parse_args().repeat

    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "backprop.symbolic", "--quiet"], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
    print(f"python -m backprop.symbolic (fresh process): median {statistics.median(walls):.2f} s over {repeat} "
          f"(min {min(walls):.2f}, max {max(walls):.2f}); load average {os.getloadavg()[0]:.2f}")

    t0 = time.perf_counter()
    import backprop.symbolic as bs

    print(f"import backprop.symbolic: {time.perf_counter() - t0:.2f} s")
    runs = [bs.verify() for _ in range(repeat)]
    assert all(r.ok for r in runs)
    names = [r.name for r in runs[0].results]
    medians = {n: statistics.median(run.results[i].seconds for run in runs) for i, n in enumerate(names)}
    total = sum(medians.values())
    print(f"verify() in this process: median total {statistics.median(r.seconds for r in runs):.2f} s")
    for name, seconds in sorted(medians.items(), key=lambda kv: -kv[1]):
        print(f"  {name:30} {seconds:6.3f} s  {seconds / total:6.1%}")

    net, X, Y = bs.worked_example("3-2-1")
    times = []
    for _ in range(7):
        start = time.perf_counter()
        bs.derive_network(net, X, Y).check()
        times.append(time.perf_counter() - start)
    print(f"derive + check all 3-2-1 gradients: first run {times[0]:.3f} s, "
          f"later runs median {statistics.median(times[1:]):.3f} s over 6")


if __name__ == "__main__":
    main()
