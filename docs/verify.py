# %% [markdown]
# # Verify it yourself
#
# Every derivative in this book is derived by SymPy and checked against the library while the
# site is built. You do not have to take the build's word for it. This page describes three ways
# to run the checks yourself, from one command on an installed package to a rebuild of the whole
# book, and what each of them checks. The symbols are those of the
# [notation table](symbols.py): $\mathcal{L}$ is the loss, $\ell$ its per-entry term,
# $N$ the number of samples.

# %% tags=["hide-input"]
import ast
import doctest
import importlib
import pkgutil

import numpy as np

import backprop as bp
import backprop.symbolic as bs
from backprop.book import md, md_table, num, solution, tex
from backprop.book.repository import from_repository, read_json
from backprop.symbolic import verification

report = bs.verify()  # the function the command runs, with the command's default seed
assert report.ok, report.table()


def doctest_examples(package) -> tuple[int, int]:
    """(examples, modules with examples) in a package's docstrings, as doctest finds them."""
    finder = doctest.DocTestFinder()
    names = [package.__name__] + [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    counts = [sum(len(t.examples) for t in finder.find(importlib.import_module(n))) for n in names
              if not n.endswith("__main__")]
    return sum(counts), sum(1 for c in counts if c)


n_examples, n_modules = doctest_examples(bp)
n_symbolic, _ = doctest_examples(bs)
n_check = sum(".check()" in e.source for n in ["backprop.symbolic"] + [m.name for m in pkgutil.walk_packages(
    bs.__path__, "backprop.symbolic.")] if not n.endswith("__main__")
    for t in doctest.DocTestFinder().find(importlib.import_module(n)) for e in t.examples)
# Read in the repository; a downloaded notebook carries the values (backprop.book.repository).
asserts_per_page = from_repository("assert statements of docs/*.py", lambda root: {
    page.name: sum(isinstance(node, ast.Assert) for node in ast.walk(ast.parse(page.read_text(encoding="utf-8"))))
    for page in sorted((root / "docs").glob("*.py"))})
pages, n_asserts = list(asserts_per_page), sum(asserts_per_page.values())
build = read_json("benchmarks/book-build.json")
assert n_examples > n_symbolic > n_check > 0 and n_asserts > len(pages) > 0

md_table(
    ["way", "you need", "it checks"],
    [["`backprop-verify`", '`pip install "backprop-book[symbolic]"`',
      f"{len(report.results)} derivations against the library's code and against finite differences"],
     ["the doctests", "the same install",
      f"{n_examples} examples in the docstrings of {n_modules} modules print what they promise"],
     ["building the site", "a clone of the repository",
      f"every page runs, and the {n_asserts} `assert` statements of its {len(pages)} pages hold"]],
    align="lll",
)

# %% [markdown]
# The first two need only the installed package, not the repository; the third rebuilds what you
# are reading.
#
# ## The command
#
# ```bash
# pip install "backprop-book[symbolic]"
# backprop-verify
# backprop-verify --only softmax
# backprop-verify --json > report.json
# ```
#
# `python -m backprop.symbolic` is the same command; `--only softmax` checks only the items whose
# name contains "softmax".
#
# It derives, with SymPy, the derivative of every activation and every loss the library offers,
# the output delta of every pair of output activation and loss that the library fuses, the delta
# rule of [backpropagation](backpropagation.py) (for elementwise activations, for a softmax output,
# and for softmax with cross-entropy), every gradient of the two worked examples, and what training
# adds: the backward pass of [batch normalisation](batch-normalisation.py), the delta rule through a
# [dropout](regularisation.py) mask and the gradient of the L2 penalty. It prints one
# line per item and ends with exit status 1 if any item disagrees, so it can run in your own
# continuous integration. Its options:

# %% tags=["hide-input"]
options = [action for action in verification.parser()._actions if action.option_strings != ["-h", "--help"]]
md_table(["option", "what it does"],
         [[f"`{a.option_strings[0]}" + (f" {a.metavar or a.dest.upper()}`" if a.nargs != 0 else "`"), a.help]
          for a in options], align="ll")

# %% [markdown]
# The two tables below are that command's output, produced by the same function, `verify()`, while
# this page was built: if the library disagreed with a derivation, this page would not exist. The
# first column is the name `--only` takes; the disagreements are the largest over each item's
# comparisons, relative to the largest derived value.

# %% tags=["hide-input"]
rows = report.rows(latex=True)
assert list(report.HEADERS) == ["item", "result", "vs library", "vs finite differences", "time (s)", "derived"]
assert all(row[1] == "ok" for row in rows)  # so the page leaves out the column "result"
md_table(["item", "vs library", "vs finite differences", "time (s)"],
         [[row[0]] + ["n/a" if v is None else v for v in row[2:5]] for row in rows], fmt=2, align="lrrr")

# %% [markdown]
# Every item holds. What each derived (the command prints the same in plain text; with `--latex`
# it prints each whole derivation in LaTeX):

# %% tags=["hide-input"]
md("\n\n".join(f"`{row[0]}`\n$${row[5][1:-1]}$$" for row in rows))

names = [r.name for r in report.results]
assert [n for n in names if n.startswith("activation:")] == [f"activation:{a}" for a in bp.ACTIVATIONS]
assert [n for n in names if n.startswith("loss:")] == [f"loss:{a}" for a in bp.LOSSES]
assert [n for n in names if n.startswith("fused:")] == [f"fused:{o}+{l}" for o, l in bp.FUSED]
worst_library = max(r.library_error for r in report.results)
worst_fd = max(r.fd_error for r in report.results)
assert worst_library <= bs.LIBRARY_TOLERANCE and worst_fd <= bs.FD_TOLERANCE
slowest = max(report.results, key=lambda r: r.seconds)
# the claim below: a new library activation becomes an item; without a SymPy row it fails
bp.ACTIVATIONS["swish"] = lambda z: z * bp.sigmoid(z)
try:
    assert "activation:swish" in [i.name for i in bs.items()]
    assert not bs.verify(only=["activation:swish"]).ok
finally:
    del bp.ACTIVATIONS["swish"]
md(f"""
The {len(report.results)} items took {num(report.seconds, 2)} s, the longest being `{slowest.name}`
({num(slowest.seconds, 2)} s). The largest disagreement with the library is
${tex(worst_library, 2)}$ of the largest derived value, and with finite differences
${tex(worst_fd, 2)}$. The items are read from the library's tables when the command runs: an
activation added to the library appears in the table by itself, and one without a SymPy definition
makes the command fail.
""")

# %% [markdown]
# The same function is at hand in Python. The report it returns holds every comparison, and
# `table()` is what the command prints:

# %%
from backprop.symbolic import verify

report = verify(only=["activation:softmax", "rule:softmax"])
print(report.table())

# %% tags=["hide-input"]
assert [r.name for r in report.results] == ["activation:softmax", "rule:softmax"]  # an exact name wins
assert report.ok

# %% [markdown]
# ## What each item checks
#
# **The derivation.** SymPy differentiates the definition of the function and reduces the
# difference between its result and the formula the library documents to zero. For the delta
# rule, the whole loss of a small network is one expression in symbolic inputs, targets, weights,
# biases and undefined activations $f_l$, with an undefined $\ell$ (or, for the last rule item,
# softmax and cross-entropy themselves); SymPy differentiates it with respect to every parameter
# and checks that the matrix form gives the same expressions. A proof that does not reduce to zero
# fails the item, whatever the numbers say.
#
# **Against the library.** The derived formula, evaluated at random points, is compared with the
# library's own NumPy code: an activation's derivative and the backward step the network uses, a
# loss's gradient, a network's deltas and gradients. Both sides are double precision evaluations
# of the same function written differently, so they differ only by rounding.
#
# **Against finite differences.** The centred difference
# $\bigl(f(x + h) - f(x - h)\bigr) / 2h$ uses only the library's *values*, never its derivative
# code, so it checks the derivation independently of both. Its own error limits the tolerance.

# %% tags=["hide-input"]
eps = float(np.finfo(float).eps)
h = bs.FD_STEP
truncation = h**2 / 6 * 2e4  # |f'''| <= 2e4: binary cross-entropy at predictions >= 0.05, the steepest case
rounding = eps * 10 / h  # |f| <= 10 for every function compared
assert max(truncation, rounding) < bs.FD_TOLERANCE / 10
md(f"""
Each error is measured relative to the largest derived value of its comparison, so an entry whose
derivative is exactly 0 is judged by its absolute difference. The library must agree to
${tex(bs.LIBRARY_TOLERANCE)}$: rounding alone makes a difference of about ${tex(eps, 1)}$, and a
wrong formula is off by far more. Finite differences with $h = {tex(h)}$ must agree to
${tex(bs.FD_TOLERANCE)}$: their truncation error is at most $h^2 \\lvert f''' \\rvert / 6 \\approx
{tex(truncation, 1)}$ and their rounding error about $\\varepsilon \\lvert f \\rvert / h \\approx
{tex(rounding, 1)}$ for the functions checked, where $\\varepsilon = {tex(eps, 2)}$ is the spacing of
double precision numbers near 1 (see [gradient checking](gradient-checking.py)). A kink, such as
ReLU's at $z = 0$, is left out of the finite differences, which would straddle it.

The two comparisons catch different mistakes. Give the library a tanh whose derivative forgot the
tanh inside, $1 - z^2$ instead of $1 - \\tanh^2 z$:
""")

# %%
import backprop as bp
import backprop.symbolic as bs

wrong_tanh = bp.Activation("tanh", bp.tanh, lambda z: 1 - z**2)  # forgot a tanh
for comparison in bs.derive_activation(wrong_tanh).compare():
    print(comparison)

# %% tags=["hide-input"]
comparisons = bs.derive_activation(wrong_tanh).compare()
failing = [c.against for c in comparisons if not c.ok]
assert failing == ["library", "library"] and all(c.ok for c in comparisons if c.against != "library")
errors = sorted(c.error for c in comparisons if not c.ok)
md(f"""
Both library comparisons fail, their errors ${tex(errors[0], 2)}$ and ${tex(errors[-1], 2)}$ times
the largest derived value, while the finite differences agree with SymPy: the function itself is
right, only its derivative is wrong. A test of the command does exactly this, and the command's
exit status becomes 1.
""")

# %% [markdown]
# ## The doctests
#
# Every public function of the library and of `backprop.symbolic` carries a short example in its
# docstring, with the output it prints. The doctests run those examples and compare what they print
# with what the docstring says. They need no repository files; from any directory:
#
# ```bash
# python -m pytest --doctest-modules --pyargs backprop
# python -m doctest path/to/backprop/symbolic/rule.py
# ```
#
# The first runs every module. The second needs no pytest: it runs one module file (the folder of
# the installed package is printed by `python -c "import backprop; print(backprop.__path__[0])"`)
# and prints nothing when every example holds.

# %% tags=["hide-input"]
md(f"""
There are {n_examples} examples in {n_modules} modules, {n_symbolic} of them in `backprop.symbolic`;
{n_check} of those call `check()`, which raises unless the derivation is proved and the library
agrees. They are also part of the repository's tests.
""")

# %% [markdown]
# ## Building the site
#
# The strongest check is to rebuild this book. From a clone of the repository:
#
# ```bash
# python3 -m venv .venv && .venv/bin/pip install -e ".[docs]"
# .venv/bin/mkdocs build --strict
# ```
#
# The build executes every page as a program. Every number in the prose is computed where it
# stands; every claim that could be false (a bound, a comparison, "every", "never") is an `assert`
# on a case that could falsify it; every figure must keep its text readable on a phone; and a link
# to a missing page or heading fails. One failing `assert` stops the build, so a site that builds
# is a site whose checks all held. `python -m pytest` runs the repository's whole test suite,
# these checks included.

# %% tags=["hide-input"]
executing = build["build_page_record"]["wall_s"]  # from the first page's start to the last page's end
md(f"""
The last measured build from scratch, on a {build['machine']['cpus']}-core machine, took
{num(build['cold_build_seconds'], 2)} s (`benchmarks/book-build.json` in the repository); the pages were
running, several at a time, for {num(executing, 2)} s of it.
""")
assert build["cold_build_seconds"] / 2 < executing < build["cold_build_seconds"]

# %% [markdown]
#
# ## Exercises
#
# **1.** The library sets ReLU's derivative at its kink to $\operatorname{relu}'(0) = 0$. Would
# `backprop-verify` fail if it used $1$ there instead? Should it?

# %% tags=["hide-input"]
relu_one = bp.Activation("relu", bp.relu, lambda z: (z >= 0).astype(float), kinks=(0.0,))
d_one = bs.derive_activation(relu_one)
assert d_one.proofs() == [] and all(c.ok for c in d_one.compare(np.random.default_rng(0)))
left, right = bs.derive_activation("relu").one_sided[0]
assert (left, right) == (0, 1)
solution(f"""
No: the random points never land exactly on $0$, and the finite differences leave the kink out;
checking such a record gives no failing comparison. Nor should it fail. At $z = 0$ ReLU has no
derivative: SymPy finds the one-sided derivatives ${left}$ and ${right}$, and any value between
them (a subgradient) is a valid choice. The proof asks only that the value the library documents
at the kink lie between the two.
""")

# %% [markdown]
# **2.** A softmax written as if it were elementwise would use only the diagonal of its Jacobian in
# the backward step: `g * a * (1 - a)` instead of `a * (g - (g * a).sum(axis=1, keepdims=True))`.
# Which comparison catches it, and by how much is it off?

# %% tags=["hide-input"]
diagonal = bp.Activation("softmax", bp.softmax, None, (0.0, 1.0), vjp=lambda z, a, g: g * a * (1 - a))
caught = [c for c in bs.derive_activation(diagonal).compare(np.random.default_rng(0)) if not c.ok]
assert caught and all(c.against == "library" and "backward" in c.label for c in caught)
solution(f"""
The comparisons of the backward step with the derived Jacobian fail, off by up to
${tex(max(c.error for c in caught), 2)}$ of the largest entry: the missing off-diagonal terms
$-a_k a_{{k'}}$ are as large as the diagonal ones. The finite differences of softmax itself still
agree, because the function is right.
""")
