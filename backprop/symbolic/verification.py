"""Every derivation of the book, checked against the library in one run: the `backprop-verify` command.

`verify()` derives, with SymPy, the derivative of every activation and loss in the library's tables
(`backprop.ACTIVATIONS`, `backprop.LOSSES`), the output delta of every fused pair
(`backprop.FUSED`), the delta rule (elementwise, softmax, softmax with cross-entropy), the
gradients of both worked examples, and what training adds (batch normalisation's backward pass,
dropout, the L2 penalty).  Each item is proved (the symbolic identities reduce to 0) and
compared with the library's NumPy code at random points and with centred finite differences of the
library's values.  `main()` is the command line (`python -m backprop.symbolic`, `backprop-verify`);
it exits with status 1 if any item disagrees.

The items come from the library's tables when `verify()` runs, so an activation added to the
library is verified (or, without a SymPy definition, reported as failing) with no change here.

Examples
--------
>>> report = verify(only=["activation:sigmoid", "example:1-1-1"])
>>> [(r.name, r.ok) for r in report.results]
[('activation:sigmoid', True), ('example:1-1-1', True)]
>>> report.results[0].formula
"sigmoid'(z) = exp(-z)/(1 + exp(-z))**2 = a*(1 - a), a = sigmoid(z)"
>>> report.ok, report.results[1].library_error < LIBRARY_TOLERANCE
(True, True)
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

import backprop
from backprop.book.numbers import tex
from backprop.symbolic._base import FD_STEP, FD_TOLERANCE, LIBRARY_TOLERANCE, Comparison, Derivation
from backprop.symbolic.elementary import derive_activation, derive_fused_delta, derive_loss
from backprop.symbolic.networks import ChainRule, NetworkDerivation, chain_rule, derive_network, worked_example
from backprop.symbolic.rule import prove_backprop_rule
from backprop.symbolic.training import derive_batch_norm, derive_dropout, derive_weight_decay

RULE_SIZES = {"elementwise": [2, 3, 2], "softmax": [2, 2, 3], "softmax+cross_entropy": [2, 2, 3]}
"""Layer sizes of the networks the delta rule is proved for (N = 2 samples, everything symbolic)."""

RULE_SAMPLES = 2
"""N, the number of symbolic samples of the delta-rule proofs."""


# ---------------------------------------------------------------------------------------------- items
@dataclass(frozen=True)
class Item:
    """One line of the verification: a `name` (what `--only` selects), what it derives, and how.

    `derive()` returns the derivations of the item; the first one gives the formula shown.
    """

    name: str
    what: str
    derive: Callable[[], list[Derivation]]


def _example(name: str) -> list[Derivation]:
    net, X, Y = worked_example(name)
    network = derive_network(net, X, Y)
    if any(s != 1 for s in net.sizes):
        return [network]
    return [chain_rule(net, X, Y, "W1"), network] + [chain_rule(net, X, Y, k) for k in ("b1", "W2", "b2")]


def items() -> list[Item]:
    """Every item, built from the library's tables as they are now.

    Examples
    --------
    >>> [i.name for i in items()][-5:]
    ['example:1-1-1', 'example:3-2-1', 'training:batch-norm', 'training:dropout', 'training:l2']
    """
    out = [Item(f"activation:{name}", f"derivative of {name}", lambda name=name: [derive_activation(name)])
           for name in backprop.ACTIVATIONS]
    out += [Item(f"loss:{name}", f"gradient of {name}", lambda name=name: [derive_loss(name)])
            for name in backprop.LOSSES]
    out += [Item(f"fused:{o}+{l}", f"output delta of {o} + {l}", lambda o=o, l=l: [derive_fused_delta(o, l)])
            for o, l in backprop.FUSED]
    for key, (output, loss) in {"elementwise": (None, None), "softmax": ("softmax", None),
                                "softmax+cross_entropy": ("softmax", "cross_entropy")}.items():
        sizes = RULE_SIZES[key]
        what = f"delta rule, {key.replace('+', ' + ')} ({'-'.join(map(str, sizes))}, N = {RULE_SAMPLES})"
        out.append(Item(f"rule:{key}", what, lambda sizes=sizes, output=output, loss=loss:
                        [prove_backprop_rule(sizes, RULE_SAMPLES, output=output, loss=loss)]))
    out += [Item(f"example:{name}", f"all gradients of the {name} worked example", lambda name=name: _example(name))
            for name in ("1-1-1", "3-2-1")]
    out += [Item("training:batch-norm", "batch normalisation's backward pass (N = 3, 2 units)",
                 lambda: [derive_batch_norm(3, 2)]),
            Item("training:dropout", "delta rule through a dropout mask (2-2-1, N = 2)", lambda: [derive_dropout()]),
            Item("training:l2", "gradient of the L2 penalty (2-2-1, N = 2)", lambda: [derive_weight_decay()])]
    return out


# ---------------------------------------------------------------------------------------------- results
@dataclass
class Result:
    """The outcome of one item.

    `formula` is the derived result in plain text, `formula_latex` the same in LaTeX, `latex` the
    whole derivation in LaTeX; `problems` what failed to be proved (or an error raised);
    `comparisons` every comparison with the library and with finite differences.
    """

    name: str
    what: str
    formula: str = ""
    formula_latex: str = ""
    latex: str = ""
    problems: list[str] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)
    seconds: float = 0.0

    def _largest(self, against: str) -> float | None:
        errors = [c.error for c in self.comparisons if c.against == against]
        return max(errors) if errors else None

    @property
    def library_error(self) -> float | None:
        """The largest disagreement with the library (relative to the largest derived entry)."""
        return self._largest("library")

    @property
    def fd_error(self) -> float | None:
        """The largest disagreement with finite differences (relative to the largest derived entry)."""
        return self._largest("finite differences")

    @property
    def ok(self) -> bool:
        """True when everything was proved and every comparison is within its tolerance."""
        return not self.problems and bool(self.comparisons) and all(c.ok for c in self.comparisons)

    def as_dict(self) -> dict:
        """The result as JSON-ready data (a non-finite error becomes `None`)."""
        return {
            "name": self.name, "what": self.what, "ok": self.ok, "formula": self.formula,
            "formula_latex": self.formula_latex, "latex": self.latex, "problems": self.problems,
            "library_error": _finite(self.library_error), "fd_error": _finite(self.fd_error),
            "seconds": self.seconds,
            "comparisons": [{"label": c.label, "against": c.against, "error": _finite(c.error),
                             "tolerance": c.tolerance, "ok": c.ok, "worst": c.worst} for c in self.comparisons],
        }


def _finite(x: float | None) -> float | None:
    return x if x is not None and math.isfinite(x) else None


def _formulas(d: Derivation) -> tuple[str, str]:
    """Plain text and short LaTeX of the derived result (numbers in LaTeX by the book's rule)."""
    if isinstance(d, ChainRule):
        factors = r"\,".join(rf"\bigl({sp.latex(f.expr)}\bigr)" for f in d.factors if f.expr != 1)
        return d.text, (rf"\frac{{\partial \mathcal{{L}}}}{{\partial {sp.latex(d.parameter)}}} = {factors}"
                        rf" = {tex(float(sp.N(d.product, 30)), 6)}")
    if isinstance(d, NetworkDerivation):
        key = list(d.symbols)[-1]
        value = d.exact[key][0, 0]
        count = sum(len(M) for M in d.symbols.values())
        return d.text, (rf"\frac{{\partial \mathcal{{L}}}}{{\partial {sp.latex(d.symbols[key][0, 0])}}} = "
                        rf"{sp.latex(value)} = {tex(float(sp.N(value, 30)), 6)}\ (\text{{and {count - 1} more}})")
    return d.text, getattr(d, "short_latex", d.latex)


def run_item(item: Item, seed: int = 0) -> Result:
    """Derive, prove and compare one item; an exception becomes a problem of the result.

    The random points come from a generator seeded by `seed` and the item's name, so one item
    gives the same numbers alone (`--only`) as in a full run.
    """
    result = Result(item.name, item.what)
    start = time.perf_counter()
    try:
        derivations = item.derive()
        rng = np.random.default_rng([seed, zlib.crc32(item.name.encode())])
        result.formula, result.formula_latex = _formulas(derivations[0])
        result.latex = derivations[0].latex
        for d in derivations:
            result.problems += d.proofs()
            result.comparisons += d.compare(rng)
    except Exception as exc:  # a crash is a failed check, reported with the others
        result.problems.append(f"{type(exc).__name__}: {exc}")
    result.seconds = time.perf_counter() - start
    return result


@dataclass
class Report:
    """The results of `verify()`, in order, with the seed of the random points and the total time."""

    results: list[Result]
    seed: int
    seconds: float

    HEADERS = ("item", "result", "vs library", "vs finite differences", "time (s)", "derived")

    @property
    def ok(self) -> bool:
        """True when every item holds."""
        return all(r.ok for r in self.results)

    def rows(self, latex: bool = False) -> list[list]:
        """One row per item under `HEADERS`: name, "ok"/"FAILS", the two largest disagreements
        (None where there is no such comparison), seconds, and the formula (plain text, or LaTeX
        in `$...$`)."""
        return [[r.name, "ok" if r.ok else "FAILS", r.library_error, r.fd_error, r.seconds,
                 f"${r.formula_latex}$" if latex else r.formula] for r in self.results]

    def table(self, latex: bool = False) -> str:
        """The report as a plain-text table (what the command prints), problems listed below it."""

        def error(v: float | None) -> str:
            return "n/a" if v is None else f"{v:.1e}"

        rows = [[name, verdict, error(lib), error(fd), f"{seconds:.2f}", formula]
                for name, verdict, lib, fd, seconds, formula in self.rows()]
        if latex:
            for row, r in zip(rows, self.results, strict=True):
                row[-1] = r.latex
        widths = [max(len(h), *(len(row[c]) for row in rows)) for c, h in enumerate(self.HEADERS[:-1])]
        lines = ["  ".join(h.ljust(w) for h, w in zip(self.HEADERS[:-1], widths, strict=True)) + "  "
                 + self.HEADERS[-1]]
        lines += ["  ".join(v.ljust(w) for v, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
                  for row in rows]
        failed = [r for r in self.results if not r.ok]
        for r in failed:
            lines.append(f"\n{r.name} FAILS:")
            lines += [f"  {p}" for p in r.problems] + [f"  {c}" for c in r.comparisons if not c.ok]
        verdict = "every item holds" if self.ok else f"{len(failed)} of {len(self.results)} items FAIL"
        lines.append(f"\n{len(self.results)} item{'s' if len(self.results) != 1 else ''} in {self.seconds:.1f} s "
                     f"(seed {self.seed}): {verdict}. "
                     f"Tolerances, relative to the largest derived entry: library {LIBRARY_TOLERANCE:.0e}, "
                     f"finite differences {FD_TOLERANCE:.0e} (centred, h = {FD_STEP:.0e}).")
        return "\n".join(lines)

    def to_json(self) -> str:
        """The report as JSON: `ok`, `seed`, `seconds`, `tolerances` and one object per item."""
        data = {"ok": self.ok, "seed": self.seed, "seconds": self.seconds,
                "tolerances": {"library": LIBRARY_TOLERANCE, "finite_differences": FD_TOLERANCE,
                               "finite_difference_step": FD_STEP},
                "items": [r.as_dict() for r in self.results]}
        return json.dumps(data, indent=2, allow_nan=False)


def select(names: Sequence[str] | None, available: Sequence[Item]) -> list[Item]:
    """The items named: an exact name, or else every item whose name contains the text.

    Examples
    --------
    >>> [i.name for i in select(["relu", "rule:softmax"], items())]
    ['activation:relu', 'rule:softmax']
    >>> select(["swish"], items())
    Traceback (most recent call last):
    ...
    ValueError: no item matches 'swish'; items: activation:identity, activation:sigmoid, activation:tanh, \
activation:relu, activation:softmax, loss:mse, loss:bce, loss:cross_entropy, fused:sigmoid+bce, \
fused:softmax+cross_entropy, rule:elementwise, rule:softmax, rule:softmax+cross_entropy, example:1-1-1, \
example:3-2-1, training:batch-norm, training:dropout, training:l2
    """
    if not names:
        return list(available)
    chosen: list[Item] = []
    for text in names:
        exact = [i for i in available if i.name == text]
        found = exact or [i for i in available if text in i.name]
        if not found:
            raise ValueError(f"no item matches {text!r}; items: {', '.join(i.name for i in available)}")
        chosen += [i for i in found if i not in chosen]
    return [i for i in available if i in chosen]


def verify(only: Sequence[str] | None = None, seed: int = 0,
           progress: Callable[[int, int, Item, Result | None], None] | None = None) -> Report:
    """Run every item (or those `only` names; see `select`) and return the `Report`.

    `progress(index, total, item, result)` is called before each item (result None) and after it.
    """
    chosen = select(only, items())
    start = time.perf_counter()
    results = []
    for index, item in enumerate(chosen, 1):
        if progress is not None:
            progress(index, len(chosen), item, None)
        results.append(run_item(item, seed))
        if progress is not None:
            progress(index, len(chosen), item, results[-1])
    return Report(results, seed, time.perf_counter() - start)


# ---------------------------------------------------------------------------------------------- command line
def parser() -> argparse.ArgumentParser:
    """The command line of `backprop-verify` (its options are listed on the book's page "Verify it yourself")."""
    cli = argparse.ArgumentParser(
        prog="backprop-verify",
        description="Derive every gradient of the backprop library with SymPy and check the library "
                    "against each derivation and against finite differences.",
        epilog="Exit status: 0 when every item holds, 1 when any disagrees, 2 for a usage error.")
    cli.add_argument("--only", action="append", metavar="NAME",
                     help="check only this item (an exact name, or every name containing the text); repeatable")
    cli.add_argument("--list", action="store_true", help="list the items and exit")
    cli.add_argument("--latex", action="store_true", help="show each derivation in LaTeX instead of plain text")
    cli.add_argument("--json", action="store_true", help="print the report as JSON")
    cli.add_argument("--seed", type=int, default=0, help="seed of the random points (default 0)")
    cli.add_argument("--quiet", action="store_true",
                     help="no progress on standard error (shown by default when it is a terminal)")
    return cli


def main(argv: Sequence[str] | None = None) -> int:
    """The command: run `verify()`, print the table (or JSON) and return the exit status."""
    args = parser().parse_args(argv)
    if args.list:
        for item in items():
            print(f"{item.name:30} {item.what}")
        return 0
    try:
        chosen = select(args.only, items())
    except ValueError as exc:
        print(f"backprop-verify: {exc}", file=sys.stderr)
        return 2

    def progress(index: int, total: int, item: Item, result: Result | None) -> None:
        if result is None:
            print(f"[{index}/{total}] {item.name} ...", end="", file=sys.stderr, flush=True)
        else:
            print(f" {'ok' if result.ok else 'FAILS'} ({result.seconds:.2f} s)", file=sys.stderr, flush=True)

    show = not args.quiet and sys.stderr.isatty()
    report = verify([i.name for i in chosen], args.seed, progress if show else None)
    print(report.to_json() if args.json else report.table(latex=args.latex))
    return 0 if report.ok else 1
