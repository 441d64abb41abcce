# %% [markdown]
# # A tiny autodiff engine
#
# In [the previous chapter](computational-graph.py) every node of the graph was written by hand: its
# value, its parents, the local derivative of each edge. An *automatic differentiation* engine does
# that bookkeeping itself. Each arithmetic operation on its numbers records its inputs and its local
# derivatives while it computes, so ordinary code such as `loss = 0.5 * (yhat - y) ** 2` builds the
# graph, and one call, `loss.backward()`, runs the reverse sweep. This chapter's engine works on single
# numbers, in the spirit of Andrej Karpathy's micrograd. It is shown in full below, used on the book's two
# worked examples, broken on purpose in a way that one of those examples cannot detect, and compared with the
# library on random networks.

# %% tags=["hide-input"]
import ast
import inspect
import io
import math
import sys
import tokenize
from functools import partial

import numpy as np
import sympy as sp
from IPython.display import HTML, display
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

import backprop as bp
import backprop.autodiff as ad
import backprop.symbolic as bs
from backprop.book import md, md_table, num, solution, tex
from backprop.book.symbols import symbol_box
from backprop.book.timing import paired

symbol_box(["v", "vbar", "loss", "P", "E"])


def show_source(*objects) -> str:
    """Display the source of module-level objects of backprop.autodiff as one highlighted code block."""
    source = "\n\n\n".join(inspect.getsource(obj).rstrip() for obj in objects)
    body = highlight(source, PythonLexer(), HtmlFormatter(nowrap=True))
    # the markup of the site's own code blocks; long lines scroll instead of wrapping
    display(HTML(f'<div class="language-python highlight"><pre style="white-space: pre; overflow-x: auto">'
                 f'<span></span><code>{body}</code></pre></div>'))
    return source


def code_lines(source: str) -> int:
    """Lines holding code: not blank, not only a comment, not part of a docstring."""
    docstring_lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and ast.get_docstring(node, clean=False):
            doc = node.body[0]
            docstring_lines.update(range(doc.lineno, doc.end_lineno + 1))
    code = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENDMARKER):
            code.update(range(tok.start[0], tok.end[0] + 1))
    return len(code - docstring_lines)


# %% [markdown]
# ## Where the engine lives
#
# The engine is a module of the library, `backprop.autodiff`, and this page shows its source, read from
# the installed file while the page is built. Three reasons:
#
# - **It is tested like the library.** `tests/test_autodiff.py` checks the local derivative of every
#   operation against SymPy's, and lets Hypothesis generate random networks (depths, widths, activations,
#   losses, batch sizes) whose gradients by the engine must equal the library's to $10^{-12}$ of the
#   largest entry. A page can assert a handful of cases at every build; a property test tries new ones at
#   every run.
# - **One copy.** The code on this page is the tested code, not a copy of it that could drift, and
#   `from backprop.autodiff import Value` runs it anywhere the package is installed.
# - **Other pages use it.** The graph chapter records its graphs with it.
#
# It has a page of its own because it is a program to read: the graph chapter is about an idea and its
# cost, this one about code.
#
# ## The engine
#
# A `Value` holds a number, `data`, and how it was made, `parents`: pairs of a parent `Value` and the
# partial derivative of this value with respect to that parent. Each operation computes its result
# and those local derivatives, and returns a new `Value`. Plain numbers (`2 * v`, `v - 1.0`) are
# constants: they appear in the local derivatives but are not nodes, so they get no gradient.

# %% tags=["hide-input"]
engine_source = show_source(ad.Value, ad._constant, ad.topological_order)
n_engine = code_lines(engine_source)
md(f"That is the whole engine: {n_engine} lines of code, besides docstrings and comments.")

# %% [markdown]
# Three details carry the whole method:
#
# - **A multiplication swaps.** In `__mul__` the local derivative with respect to `self` is
#   `other.data` and the one with respect to `other` is `self.data`: the pattern of the
#   [previous chapter](computational-graph.py#four-patterns-at-a-node).
# - **An order with every node after its parents.** `topological_order` runs a depth-first search
#   from the output and places a node once all its parents are placed. It keeps its own stack instead of
#   calling itself: a unit's pre-activation is a chain of additions, one per input, and in the
#   784-256-128-10 network such chains follow each other through the layers, deeper than the 1000 nested
#   calls Python allows by default.
# - **Gradients add.** `backward` resets every `grad` in the graph to 0, sets its own to 1, and visits
#   the nodes in reverse order; each passes `local * v.grad` to each parent, which *adds* it to what it
#   has.

# %% tags=["hide-input"]
def recursive_order(root):
    """The textbook recursive depth-first search, for comparison."""
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for parent, _ in v.parents:
                visit(parent)
            order.append(v)

    visit(root)
    return order


def longest_path(output):
    """The number of nodes on the longest path from a leaf to the output."""
    depth = {}
    for v in ad.topological_order(output):
        depth[id(v)] = 1 + max((depth[id(p)] for p, _ in v.parents), default=0)
    return depth[id(output)]


# mlp_loss writes z_k = b_k + a_1 w_1k + a_2 w_2k + ...: one addition after another, layer after layer.
small_deep = bp.MLP([30, 20, 10, 5], hidden="relu", output="softmax", loss="cross_entropy", seed=0)
graph_small, _ = ad.mlp_loss(small_deep, np.ones((1, 30)), np.eye(5)[:1])
assert longest_path(graph_small) > 30 + 20 + 10  # the chains of additions of layers 1, 2 and 3 follow each other
big_sizes = [784, 256, 128, 10]
big_chain = sum(big_sizes[:-1])
assert big_chain > 1000  # longer than Python's default recursion limit

limit = sys.getrecursionlimit()
n_terms = limit + 100  # a sum longer than this interpreter's limit, whatever it is
terms = [ad.Value(0.001 * i) * ad.Value(0.5) for i in range(n_terms)]
chain = sum(terms[1:], terms[0])
assert len(ad.topological_order(chain)) == 4 * n_terms - 1
try:
    recursive_order(chain)
    recursion_failed = False
except RecursionError:
    recursion_failed = True
assert recursion_failed
md(f"""
Checked: the loss of a 30-20-10-5 network has a path of {longest_path(graph_small)} nodes, longer than the
$30 + 20 + 10$ additions of its three chains; in the 784-256-128-10 network those chains are
$784 + 256 + 128 = {big_chain}$ additions. On a sum of {n_terms:,} products, `topological_order` returns
all {4 * n_terms - 1:,} nodes, while the recursive search stops with Python's `RecursionError` (this
interpreter's limit: {limit:,} nested calls).
""")

# %% [markdown]
# ## The 1-1-1 network, written with Values
#
# The [1-1-1 worked example](worked-example-111.py): the parameters are `Value`s, the sample
# and its target plain numbers, and the sigmoid is written with `exp`, so the engine needs no rule for it.

# %%
from backprop.autodiff import Value

x, y = 0.5, 0.6  # the sample and its target
w1, b1, w2, b2 = Value(0.4), Value(0.1), Value(0.3), Value(0.2)
a1 = 1 / (1 + (-(w1 * x + b1)).exp())  # the sigmoid, from exp
yhat = w2 * a1 + b2
loss = 0.5 * (yhat - y) ** 2
loss.backward()
for name, p in {"w1": w1, "b1": b1, "w2": w2, "b2": b2}.items():
    print(f"dL/d{name} = {p.grad:.10f}")

# %% tags=["hide-input"]
one = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
one.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
X1, Y1 = np.array([[x]]), np.array([[y]])
lib1 = {k: float(g.ravel()[0]) for k, g in one.gradients(X1, Y1).items()}
exact1 = {k: float(sp.N(v[0, 0], 30)) for k, v in bs.derive_network(one, X1, Y1).exact.items()}
eng1 = {"W1": w1.grad, "b1": b1.grad, "W2": w2.grad, "b2": b2.grad}
err_lib1 = max(abs(eng1[k] - lib1[k]) / abs(exact1[k]) for k in eng1)
err_exact1 = max(abs(eng1[k] - exact1[k]) / abs(exact1[k]) for k in eng1)
assert err_lib1 < 1e-14 and err_exact1 < 1e-14, (err_lib1, err_exact1)
assert abs(loss.data - one.loss(X1, Y1)) < 1e-16
order1 = ad.topological_order(loss)
nodes1, edges1 = len(order1), sum(len(v.parents) for v in order1)
leaves1 = [v for v in order1 if not v.parents]
assert len(leaves1) == 4 and {id(v) for v in leaves1} == {id(w1), id(b1), id(w2), id(b2)}
# the operations the three lines perform: w1*x, +b1, -, exp, 1+, 1/, w2*a1, +b2, -y, **2, 0.5*
assert nodes1 == 4 + 11
md(f"""
The four derivatives agree with the library's backpropagation and with SymPy's exact derivatives (to 30
digits) to ${tex(max(err_lib1, err_exact1), 2)}$ relative. The engine's graph has {nodes1} nodes and {edges1}
edges: besides the four parameters, one node for each operation the code performed (the sample and the
target, plain numbers, are not nodes).
""")

# %% [markdown]
# ## The 3-2-1 network, from the library's description
#
# For a network of any size, writing each product by hand would be long; `mlp_loss` writes the loss
# of a library network with Values, unit by unit, and returns it with the parameters as Values (lists of
# rows for a weight matrix). Here it is applied to the [3-2-1 worked example](worked-example-321.py):

# %%
import numpy as np

import backprop as bp
from backprop.autodiff import mlp_loss

net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
net.params.update(W1=np.array([[0.2, 0.7], [-0.4, 0.3], [0.1, -0.5]]),
                  b1=np.array([0.1, -0.2]),
                  W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
X, Y = np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])

loss3, params = mlp_loss(net, X, Y)
loss3.backward()
engine_W1 = np.array([[v.grad for v in row] for row in params["W1"]])
print("dL/dW1 by the engine:\n", engine_W1)
print("dL/dW1 by the library:\n", net.gradients(X, Y)["W1"])

# %% [markdown]
# Its source, with the helpers it uses: layer by layer, each pre-activation
# $z^{(l)}_k = b^{(l)}_k + \sum_j a^{(l-1)}_j w^{(l)}_{jk}$ is a sum of products, and the loss of a sigmoid
# output with binary cross-entropy is computed from the logit, $\log(1 + e^{z}) - y z$, as the library does.

# %% tags=["hide-input"]
network_source = show_source(ad.sigmoid, ad._softplus, ad._activation, ad._sample_loss, ad._library_record,
                             ad.mlp_loss)
lib3 = net.gradients(X, Y)
eng3 = {k: np.array([[v.grad for v in row] for row in p]) if isinstance(p[0], list) else np.array([v.grad for v in p])
        for k, p in params.items()}
exact3 = bs.derive_network(net, X, Y).exact
scale3 = max(float(np.max(np.abs(g))) for g in lib3.values())
err_lib3 = max(float(np.max(np.abs(eng3[k] - lib3[k]))) for k in lib3) / scale3
err_exact3 = max(float(np.max(np.abs(eng3[k] - np.array(exact3[k].tolist(), dtype=float).reshape(eng3[k].shape))))
                 for k in lib3) / scale3
assert err_lib3 < 1e-14 and err_exact3 < 1e-14, (err_lib3, err_exact3)
assert abs(loss3.data - net.loss(X, Y)) < 1e-15
order3 = ad.topological_order(loss3)
nodes3, edges3 = len(order3), sum(len(v.parents) for v in order3)
zeros3 = int(sum(np.sum(g == 0) for g in eng3.values()))
assert zeros3 == int(sum(np.sum(g == 0) for g in lib3.values()))
md(f"""
All {sum(g.size for g in lib3.values())} gradients agree with the library and with SymPy's exact ones to
${tex(max(err_lib3, err_exact3), 2)}$ of the largest, the {zeros3} exact zeros of the worked example
(behind the ReLU unit that is off) included. The graph has {nodes3} nodes and {edges3} edges.
""")

# %% [markdown]
# ## A bug worth making: `=` instead of `+=`
#
# An engine could pass gradients on with an assignment, `parent.grad = local * v.grad`. That is right
# whenever every value is used once: then each node receives exactly one contribution. It is wrong as
# soon as a value is used twice, because the last contribution overwrites the others. Here is that
# engine's backward pass, next to the correct one:

# %%
from backprop.autodiff import topological_order


def naive_backward(output):
    """The reverse sweep with one character missing."""
    order = topological_order(output)
    for v in order:
        v.grad = 0.0
    output.grad = 1.0
    for v in reversed(order):
        for parent, local in v.parents:
            parent.grad = local * v.grad  # BUG: overwrites; must be +=


a, b = Value(3.0), Value(-1.5)
f = a * b + a  # a is used twice: df/da = b + 1
naive_backward(f)
print(f"naive:   df/da = {a.grad}, df/db = {b.grad}")
f.backward()
print(f"correct: df/da = {a.grad}, df/db = {b.grad}")

# %% tags=["hide-input"]
def parameter_grads(params):
    return np.concatenate([np.ravel([[v.grad for v in row] for row in p]) if isinstance(p[0], list)
                           else np.array([v.grad for v in p]) for p in params.values()])


def most_uses(output):
    """The largest number of children of a node: 1 when the graph is a tree (every value used once)."""
    uses = {}
    for v in topological_order(output):
        for parent, _ in v.parents:
            uses[id(parent)] = uses.get(id(parent), 0) + 1
    return max(uses.values())


def compare(output, leaves):
    output.backward()
    good = np.array([v.grad for v in leaves])
    naive_backward(output)
    bad = np.array([v.grad for v in leaves])
    output.backward()  # leave the correct gradients behind
    return float(np.max(np.abs(bad - good)) / np.max(np.abs(good)))


bug_rows = []
cases = {}
# the 1-1-1 network as written above
cases["1-1-1 worked example"] = (loss, [w1, b1, w2, b2])
# the 3-2-1 worked example (mlp_loss)
l3, p3 = mlp_loss(net, X, Y)
cases["3-2-1 worked example"] = (l3, [v for p in p3.values() for row in p for v in (row if isinstance(row, list)
                                                                                     else [row])])
# the 1-1-1 network on a batch of two samples: every parameter is used once per sample
l2, p2 = mlp_loss(one, np.array([[0.5], [1.0]]), np.array([[0.6], [0.2]]))
cases["1-1-1, two samples"] = (l2, [v for p in p2.values() for row in p for v in (row if isinstance(row, list)
                                                                                   else [row])])
# the chain rule chapter's two-path example: x feeds both hidden units
cx, c11, c12, c21, c22 = Value(0.5), Value(1.2), Value(-0.7), Value(0.8), Value(1.5)
c_loss = 0.5 * (c21 * (cx * c11).tanh() + c22 * (1 / (1 + (-(cx * c12)).exp())) - 2.0) ** 2
cases["chain rule two-path example"] = (c_loss, [cx, c11, c12, c21, c22])
cases["$f = a b + a$"] = (f, [a, b])
for name, (out, leaves) in cases.items():
    uses = most_uses(out)
    err = compare(out, leaves)
    bug_rows.append([name, uses, err])
    assert (err == 0) == (uses == 1), (name, uses, err)  # wrong exactly when some value is used twice
md_table(["graph", "most uses of one value", "naive error"], bug_rows, fmt=2)
uses_321 = {}
for w in topological_order(l3):
    for p_, _ in w.parents:
        uses_321[id(p_)] = uses_321.get(id(p_), 0) + 1
reused_in_321 = [v for v in topological_order(l3) if uses_321.get(id(v), 0) > 1]
logit = float(net.forward(X).z[2][0, 0])
assert len(reused_in_321) == 1 and abs(reused_in_321[0].data - logit) < 1e-15 and logit < 0, (reused_in_321, logit)
logit_uses = uses_321[id(reused_in_321[0])]
assert logit_uses == 2  # in e^z and in y z
md(f"""
"Naive error" is the largest difference between the naive and the correct gradients, relative to the largest
correct one. The 1-1-1 worked example uses every value once, so its graph is a tree and the naive engine gets
it exactly right: a test on that example alone would pass. Every other graph here uses some value twice,
and the naive engine is wrong on each. In the 3-2-1 example exactly one value is used more than once: the output's
logit $z^{{(2)}} = {tex(logit, 4)}$, which the loss $\\log(1 + e^{{z}}) - y z$ uses twice, in $e^{{z}}$ and in
$y z$. In a batch, every parameter is used once per sample;
in the chain rule's example, $x$ feeds two units.
The correct engine differs from the naive one in one character, `+=`:
""")
fixed_line = next(line.strip() for line in engine_source.splitlines() if "parent.grad +=" in line)
md(f"```python\n{fixed_line}\n```")

# %% [markdown]
# ## Random networks against the library
#
# The test suite compares the engine with the library on networks that Hypothesis generates; the loop
# below does the same on twenty random ones, with ReLU, tanh and sigmoid hidden layers and the library's
# three losses:

# %%
rng = np.random.default_rng(0)
pairs = [("identity", "mse"), ("tanh", "mse"), ("sigmoid", "bce"),
         ("softmax", "cross_entropy")]
worst = 0.0
for trial in range(20):
    sizes = [int(n) for n in rng.integers(1, 5, size=rng.integers(2, 5))]
    output, loss_name = pairs[trial % len(pairs)]
    if output == "softmax":
        sizes[-1] = max(sizes[-1], 2)
    hidden = [str(h) for h in rng.choice(["relu", "tanh", "sigmoid"],
                                         size=len(sizes) - 2)]
    net = bp.MLP(sizes, hidden=hidden, output=output, loss=loss_name,
                 seed=trial)
    N = int(rng.integers(1, 5))
    X = rng.normal(size=(N, sizes[0]))
    if loss_name == "mse":
        Y = rng.normal(size=(N, sizes[-1]))
    elif loss_name == "bce":
        Y = rng.integers(0, 2, size=(N, sizes[-1])).astype(float)
    else:
        Y = np.eye(sizes[-1])[rng.integers(0, sizes[-1], size=N)]
    loss_value, params = mlp_loss(net, X, Y)
    loss_value.backward()
    library = net.gradients(X, Y)
    largest = max(np.max(np.abs(g)) for g in library.values())
    for key, g in library.items():
        p = params[key]
        engine = np.array([[v.grad for v in row] for row in p]
                          if g.ndim == 2 else [v.grad for v in p])
        worst = max(worst, np.max(np.abs(engine - g)) / largest)
print(f"largest difference, relative to the largest gradient: {worst:.1e}")

# %% tags=["hide-input"]
assert worst < 1e-12, worst
md(f"""
The largest difference over the twenty networks is ${tex(worst, 2)}$ of the largest gradient entry: rounding,
since the engine adds one product at a time and the library's matrix products group them differently.
""")

# %% [markdown]
# ## What the engine costs
#
# The engine does the arithmetic of backpropagation one number at a time, with a Python object for every
# operation. The library does the same arithmetic in a few matrix products per layer. The times below are
# for one gradient (building the graph and the backward pass, against `net.gradients`) of $\tanh$ networks
# with random weights and $N$ random samples, on the machine that built this page: the two were timed back
# to back nine times, taking turns to go first, and the table shows the medians (the ratio is the median of
# the ratios within a pair):

# %% tags=["hide-input"]
def engine_gradient(net_, X_, Y_):
    out, _ = mlp_loss(net_, X_, Y_)
    out.backward()
    return out


cost_rng = np.random.default_rng(1)
cost_cases = {"1-1-1, N = 1": ([1, 1, 1], 1), "3-2-1, N = 1": ([3, 2, 1], 1), "2-3-2-1, N = 4": ([2, 3, 2, 1], 4),
              "16-16-4, N = 8": ([16, 16, 4], 8)}
cost_rows, per_edge, ratios = [], [], []
for name, (sizes, N) in cost_cases.items():
    cnet = bp.MLP(sizes, hidden="tanh", loss="mse", seed=0)
    CX, CY = cost_rng.normal(size=(N, sizes[0])), cost_rng.normal(size=(N, sizes[-1]))
    out = engine_gradient(cnet, CX, CY)
    E = sum(len(v.parents) for v in topological_order(out))
    t_engine, t_library, ratio = paired(partial(engine_gradient, cnet, CX, CY), partial(cnet.gradients, CX, CY),
                                        pairs=9, number_f=1 if E > 1000 else 5, number_g=20)
    cost_rows.append([name, E, t_engine * 1e6, t_library * 1e6, ratio])
    per_edge.append(t_engine / E)
    ratios.append(ratio)
md_table(["network", "edges $E$", "engine (µs)", "library (µs)", "engine / library"], cost_rows, fmt=3)
t_lib = [r[3] for r in cost_rows]
t_eng = [r[2] for r in cost_rows]
assert ratios[-1] > 100 and ratios[-1] > 10 * ratios[0], ratios
growth_engine, growth_library = t_eng[-1] / t_eng[0], t_lib[-1] / t_lib[0]
assert growth_engine > 10 * growth_library, (t_lib, t_eng)  # timings vary: a wide margin
md(f"""
From the smallest graph to the largest, {cost_rows[0][1]} to {cost_rows[-1][1]:,} edges, the engine's time grows
{num(growth_engine, 2)}-fold, from {num(t_eng[0], 3)} µs to {num(t_eng[-1], 3)} µs ({num(min(per_edge) * 1e6, 2)} to
{num(max(per_edge) * 1e6, 2)} µs per edge), the library's {num(growth_library, 2)}-fold, from {num(t_lib[0], 3)} to
{num(t_lib[-1], 3)} µs: on the smallest network the two are within a factor of {num(ratios[0], 2)}, on the
16-16-4 network with eight samples the engine is {num(ratios[-1], 3)} times slower. The engine shows what
backpropagation computes; the library's matrix products are how to compute it fast.
""")


# %% [markdown]
# ## Checks
#
# The build fails if any of these fails: the source shown is the installed module's; the engine's gradients
# of the two worked examples against the library and SymPy's exact derivatives; the naive engine right
# exactly on the graphs that are trees; twenty random networks against the library to $10^{-12}$; the
# recursion limit. The property tests of `tests/test_autodiff.py` run with the library's test suite.

# %% tags=["hide-input"]
assert engine_source.startswith("class Value:") and "def topological_order" in engine_source
assert inspect.getsourcefile(ad.Value) == ad.__file__
md(f"All checks passed ({len(cases)} graphs for the naive engine, 2 worked examples, 20 random networks).")

# %% [markdown]
# ## Exercises
#
# **1.** Add `softplus`, $\log(1 + e^{v})$, as a single operation with its own local derivative, and check
# that it gives the same gradient as the composition `(1 + v.exp()).log()`.

# %% tags=["hide-input"]
def softplus(v):
    """softplus(v) = log(1 + e^v) as one node; its local derivative is the sigmoid of v."""
    return Value(math.log1p(math.exp(v.data)), [(v, 1 / (1 + math.exp(-v.data)))], "softplus")


sv = sp.Symbol("v", real=True)
assert bs.is_zero(sp.diff(sp.log(1 + sp.exp(sv)), sv) - 1 / (1 + sp.exp(-sv)))
for v0 in (-3.0, 0.0, 0.7, 5.0):
    u1, u2 = Value(v0), Value(v0)
    (softplus(u1) * 2).backward()
    ((1 + u2.exp()).log() * 2).backward()
    assert abs(u1.grad - u2.grad) < 1e-15 * abs(u1.grad), (v0, u1.grad, u2.grad)
solution(r"""
SymPy gives $\frac{d}{dv}\log(1 + e^v) = \frac{e^v}{1 + e^v} = \sigma(v)$, so the node stores the sigmoid as its
local derivative:

```python
import math
from backprop.autodiff import Value

def softplus(v):
    return Value(math.log1p(math.exp(v.data)),
                 [(v, 1 / (1 + math.exp(-v.data)))], "softplus")
```

Checked at $v = -3, 0, 0.7, 5$: the gradient through the single node equals the one through the three nodes
$e^v$, $1 + e^v$, $\log$ to $10^{-15}$ relative. One node instead of three makes the graph smaller; the
answer is the same.
""")

# %% [markdown]
# **2.** Instead of a topological order, a sweep could visit the nodes in the order a depth-first search first
# *reaches* them from the output (each node before its parents, but not necessarily after all its children).
# Find a graph where that gives a wrong gradient.

# %% tags=["hide-input"]
def preorder(root):
    order, seen, stack = [], set(), [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        order.append(v)
        stack.extend(p for p, _ in reversed(v.parents))
    return order


def sweep_in(order, output):
    for v in order:
        v.grad = 0.0
    output.grad = 1.0
    for v in order:
        for parent, local in v.parents:
            parent.grad += local * v.grad


pa, pb = Value(0.5), Value(2.0)
pt = pa * pb
pq = pt + pt.tanh()  # t is reached first through the + node, before its other child tanh(t)
sweep_in(preorder(pq), pq)
wrong = (pa.grad, pb.grad)
pq.backward()
right = (pa.grad, pb.grad)
t_val = pt.data
assert abs(right[0] - pb.data * (1 + (1 - math.tanh(t_val) ** 2))) < 1e-15
assert abs(wrong[0] - pb.data * 1) < 1e-15 and abs(wrong[0] - right[0]) > 0.1
solution(f"""
Take $t = a b$ and $q = t + \\tanh t$, at $a = {tex(pa.data)}$, $b = {tex(pb.data)}$. From $q$ the search reaches
$t$ (the first parent of the sum) before $\\tanh t$, so $t$ passes its gradient on to $a$ and $b$ when it holds
only the share from the sum, $\\bar q \\cdot 1$, and the share that arrives later through $\\tanh t$ is never
passed on. The sweep in that order gives $\\bar a = {tex(wrong[0], 4)}$; the true value is
$\\bar a = b\\,\\bigl(1 + (1 - \\tanh^2 t)\\bigr) = {tex(right[0], 4)}$. A node may pass its gradient on only
after all its children have sent theirs: in reverse topological order.
""")

# %% [markdown]
# **3.** micrograd's `backward` does not reset the gradients first. What happens if its user calls
# `loss.backward()` twice on the same graph, and where has this book met the same effect?

# %% tags=["hide-input"]
def backward_without_reset(output):
    order = topological_order(output)
    output.grad = 1.0  # as micrograd: only the output is set; every other grad keeps what it had
    for v in reversed(order):
        for parent, local in v.parents:
            parent.grad += local * v.grad


ra, rb = Value(3.0), Value(-1.5)
ru = ra * rb
rf = ru + ra
rf.backward()
once, u_once = ra.grad, ru.grad
backward_without_reset(rf)
twice = ra.grad
assert once == rb.data + 1 and u_once == 1.0
# second call: a gets 1 directly again, and b times u's gradient, which is now its stale 1 plus the new 1
assert twice == once + 1 + rb.data * (u_once + 1), (once, twice)
assert twice != 2 * once
solution(f"""
Every gradient is added to what the first call left, the intermediate values' included. For $f = u + a$ with
$u = a b$, at $a = 3$, $b = -1.5$, the first call gives $\\bar u = 1$ and $\\bar a = b + 1 = {tex(once)}$. The
second sets $\\bar f = 1$ again, so $u$ receives 1 more and holds $\\bar u = 2$, and $a$ receives 1 directly and
$b\\,\\bar u = {tex(rb.data * 2)}$ through $u$: $\\bar a = {tex(once)} + 1 {tex(rb.data * 2)} = {tex(twice)}$, not even
twice the right value. It is the never-emptied gradient buffer of the [chain rule](chain-rule.py#gradients-accumulate)
chapter, reaching into the graph. (micrograd builds a new graph at every forward pass, so in its training loop
only the parameters carry gradients over, and its `zero_grad()` resets them; PyTorch's `.grad` also
accumulates across calls.) This engine resets every gradient of the graph inside `backward`, so calling it twice
gives the same gradients; the price is that it cannot add up the gradients of two losses by calling `backward`
on each.
""")

