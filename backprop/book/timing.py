"""Timing two computations fairly on a shared machine, for the pages that compare speeds.

A page that says one computation is faster than another times both back to back, several times,
taking turns to go first, so that a spell of load from other programs falls on both; it reports
medians and the median of the ratios within a pair, which load shifts far less than either time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def seconds(f: Callable[[], object], number: int = 1) -> float:
    """Wall-clock time of one call of ``f()``, averaged over ``number`` calls.

    >>> seconds(lambda: None, number=10) >= 0
    True
    """
    t0 = time.perf_counter()
    for _ in range(number):
        f()
    return (time.perf_counter() - t0) / number


def paired(f: Callable[[], object], g: Callable[[], object], pairs: int, number_f: int = 1,
           number_g: int = 1) -> tuple[float, float, float]:
    """Time ``f`` and ``g`` back to back ``pairs`` times, taking turns to go first (after one warm-up call
    each): the median time of ``f``, of ``g``, and the median of the ratios ``f/g`` within a pair.

    >>> times = paired(lambda: sum(range(100)), lambda: None, pairs=3)
    >>> len(times), all(t > 0 for t in times)
    (3, True)
    """
    f(), g()  # warm-up
    tf, tg = [], []
    for i in range(pairs):
        if i % 2:
            tg.append(seconds(g, number_g))
            tf.append(seconds(f, number_f))
        else:
            tf.append(seconds(f, number_f))
            tg.append(seconds(g, number_g))
    return statistics.median(tf), statistics.median(tg), statistics.median(a / b for a, b in zip(tf, tg, strict=True))
