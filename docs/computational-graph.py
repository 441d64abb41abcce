# %% [markdown]
# # The computational graph and reverse mode
#
# The [chain rule](chain-rule.py) chapter ends with a rule, *multiply the local derivatives along
# each path, then add over the paths*, and a warning: the number of paths grows as the product of
# the layer widths. Backpropagation never lists them. This chapter shows the order it works in
# instead. A computation is drawn as a graph; one sweep backwards over that graph, from the loss to
# the inputs, hands every node its derivative, and each edge of the graph is used exactly once. That
# is *reverse accumulation*. Its mirror image, *forward accumulation*, sweeps from one input to
# every output. Counting the multiply-adds of both shows when each one wins, and timing finite
# differences shows what the alternative to either would cost.

# %% tags=["hide-input"]
import itertools
from functools import partial

import sympy as sp

import backprop.symbolic as bs
from backprop.autodiff import mlp_loss
from backprop.book import figure, md, md_table, num, solution, tex
from backprop.book.graphs import GraphNode, bar_label, check_graph_layout, draw_graph
from backprop.book.symbols import symbol_box
from backprop.book.timing import paired

symbol_box(["loss", "P", "v", "vbar", "vdot", "E", "nio", "h"])

# %% [markdown]
# ## A computation is a graph
#
# Write every number a computation produces as a node, and draw an edge from $u$ to $v$ when $v$ is
# computed from $u$. The inputs are the nodes without parents (the *leaves*); the loss is the last
# node. Along each edge sits a *local derivative* $\partial v/\partial u$: the derivative of the one
# operation that makes $v$, with its other inputs held fixed. An operation needs only its own
# inputs to compute it, so the forward pass can store it as it goes.
#
# The example is the one of the chain rule chapter's
# [several paths that meet](chain-rule.py#several-paths-that-meet): an input $x$ feeds a $\tanh$
# unit and a sigmoid unit, both feed the output $\hat y$, and the loss is
# $\mathcal{L} = \tfrac12 (\hat y - y)^2$. Here the four weights are leaves too, since a network
# needs the derivatives with respect to them. Each node below holds its value and, for each parent,
# the local derivative. The class `Value` of `backprop.autodiff` is such a node. The
# [next chapter](autodiff.py) builds it; here it only stores `data` and `parents`.

# %%
import math

import numpy as np

import backprop as bp
from backprop.autodiff import Value, topological_order

# The leaves: the input x and the weights w(1)_11, w(1)_12 (from x
# to the two hidden units), w(2)_11, w(2)_21 (from them to y-hat).
x = Value(0.5)
w1_11, w1_12 = Value(1.2), Value(-0.7)
w2_11, w2_21 = Value(0.8), Value(1.5)
y = 2.0  # the target, a constant

# Every other node: its value, and (parent, d node/d parent) pairs.
z1 = Value(x.data * w1_11.data, [(x, w1_11.data), (w1_11, x.data)])
z2 = Value(x.data * w1_12.data, [(x, w1_12.data), (w1_12, x.data)])
t = math.tanh(z1.data)
a1 = Value(t, [(z1, 1 - t**2)])     # tanh' = 1 - tanh^2
s = 1 / (1 + math.exp(-z2.data))
a2 = Value(s, [(z2, s * (1 - s))])  # sigma' = sigma (1 - sigma)
yhat = Value(w2_11.data * a1.data + w2_21.data * a2.data,
             [(a1, w2_11.data), (w2_11, a1.data),
              (a2, w2_21.data), (w2_21, a2.data)])
loss = Value(0.5 * (yhat.data - y) ** 2, [(yhat, yhat.data - y)])
print(f"loss {loss.data:.6f}")

# %% [markdown]
# ## The reverse sweep
#
# Give every node $v$ its *upstream gradient* $\bar v = \partial \mathcal{L}/\partial v$: the
# derivative of the loss with respect to $v$, through every path from $v$ to the loss. The loss's
# own is $\bar{\mathcal{L}} = 1$. A node $u$ reaches the loss only through its children, the nodes
# computed from it, so the multi-path chain rule gives one term per child:
#
# $$
# \bar u = \sum_{v \text{ computed from } u} \bar v \, \frac{\partial v}{\partial u} .
# $$
#
# Once every child of $u$ has its $\bar v$, $\bar u$ is a sum of products of numbers already known.
# So visit the nodes in an order that puts every node after all of its children: the reverse of a
# *topological order*, which lists every node after its parents (`topological_order` returns one).
# At each node, pass $\bar v\,\partial v/\partial u$ to each parent $u$, which adds it to what it
# has. Each edge is then used once, for one multiply-add:

# %%
def reverse_sweep(output):
    """d output/d v for every node v, and the multiply-adds done."""
    order = topological_order(output)  # each node after its parents
    bar = {v: 0.0 for v in order}
    bar[output] = 1.0
    multiply_adds = 0
    for v in reversed(order):  # each node after its children
        for parent, local in v.parents:
            bar[parent] += bar[v] * local  # this edge's share
            multiply_adds += 1
    return bar, multiply_adds


bar, count = reverse_sweep(loss)
names = {"x": x, "w1_11": w1_11, "w1_12": w1_12,
         "w2_11": w2_11, "w2_21": w2_21}
for name, leaf in names.items():
    print(f"dL/d{name} = {bar[leaf]: .6f}")
print(f"{count} multiply-adds")

# %% tags=["hide-input"]
nodes = {"x": x, "w1_11": w1_11, "w1_12": w1_12, "z1": z1, "z2": z2, "a1": a1, "a2": a2,
         "w2_11": w2_11, "w2_21": w2_21, "yhat": yhat, "L": loss}
key_of = {id(v): k for k, v in nodes.items()}
labels = {"x": "x", "w1_11": "w^{(1)}_{11}", "w1_12": "w^{(1)}_{12}", "z1": "z^{(1)}_1", "z2": "z^{(1)}_2",
          "a1": "a^{(1)}_1", "a2": "a^{(1)}_2", "w2_11": "w^{(2)}_{11}", "w2_21": "w^{(2)}_{21}",
          "yhat": r"\hat y", "L": r"\mathcal{L}"}
plain = {"x": "x", "w1_11": "w⁽¹⁾₁₁", "w1_12": "w⁽¹⁾₁₂", "z1": "z⁽¹⁾₁", "z2": "z⁽¹⁾₂", "a1": "a⁽¹⁾₁",
         "a2": "a⁽¹⁾₂", "w2_11": "w⁽²⁾₁₁", "w2_21": "w⁽²⁾₂₁", "yhat": "ŷ", "L": "the loss"}
# The local derivative of each edge as TeX, in terms of the node names (for the table of the sweep).
local_tex = {("x", "z1"): "w^{(1)}_{11}", ("w1_11", "z1"): "x", ("x", "z2"): "w^{(1)}_{12}",
             ("w1_12", "z2"): "x", ("z1", "a1"): r"\bigl(1 - (a^{(1)}_1)^2\bigr)",
             ("z2", "a2"): r"a^{(1)}_2 \bigl(1 - a^{(1)}_2\bigr)", ("a1", "yhat"): "w^{(2)}_{11}",
             ("w2_11", "yhat"): "a^{(1)}_1", ("a2", "yhat"): "w^{(2)}_{21}", ("w2_21", "yhat"): "a^{(1)}_2",
             ("yhat", "L"): r"(\hat y - y)"}
edges = [(key_of[id(p)], k) for k, v in nodes.items() for p, _ in v.parents]
assert set(edges) == set(local_tex) and len(edges) == count == 11
E_example = len(edges)

# -- independent checks of every upstream gradient -----------------------------------------------
# SymPy: the same graph with every node's value shifted by its own symbol eps_v; the upstream gradient
# of v is d L / d eps_v at eps = 0 (through every path, whatever the graph's shape).
sym = {k: sp.Symbol(k) for k in ("x", "w1_11", "w1_12", "w2_11", "w2_21")}
eps = {k: sp.Symbol(f"eps_{k}") for k in nodes}
e = {k: sym[k] + eps[k] for k in sym}
e["z1"] = e["x"] * e["w1_11"] + eps["z1"]
e["z2"] = e["x"] * e["w1_12"] + eps["z2"]
e["a1"] = sp.tanh(e["z1"]) + eps["a1"]
e["a2"] = 1 / (1 + sp.exp(-e["z2"])) + eps["a2"]
e["yhat"] = e["w2_11"] * e["a1"] + e["w2_21"] * e["a2"] + eps["yhat"]
e["L"] = sp.Rational(1, 2) * (e["yhat"] - 2) ** 2 + eps["L"]
at = {sym[k]: sp.Rational(str(nodes[k].data)) for k in sym} | {v: 0 for v in eps.values()}
sympy_bar = {k: float(sp.diff(e["L"], eps[k]).evalf(30, subs=at)) for k in nodes}  # 30 digits, then rounded


# Finite differences: re-run the forward pass with one node's value shifted by +-h.
def forward_with(shift: dict) -> float:
    d = {k: nodes[k].data + shift.get(k, 0.0) for k in sym}
    d["z1"] = d["x"] * d["w1_11"] + shift.get("z1", 0.0)
    d["z2"] = d["x"] * d["w1_12"] + shift.get("z2", 0.0)
    d["a1"] = math.tanh(d["z1"]) + shift.get("a1", 0.0)
    d["a2"] = 1 / (1 + math.exp(-d["z2"])) + shift.get("a2", 0.0)
    d["yhat"] = d["w2_11"] * d["a1"] + d["w2_21"] * d["a2"] + shift.get("yhat", 0.0)
    return 0.5 * (d["yhat"] - y) ** 2 + shift.get("L", 0.0)


h = 1e-6
fd_bar = {k: (forward_with({k: h}) - forward_with({k: -h})) / (2 * h) for k in nodes}
assert abs(forward_with({}) - loss.data) < 1e-15
worst_sympy = max(abs(bar[nodes[k]] - sympy_bar[k]) / abs(sympy_bar[k]) for k in nodes)
worst_fd = max(abs(bar[nodes[k]] - fd_bar[k]) / abs(sympy_bar[k]) for k in nodes)
assert worst_sympy < 1e-14, worst_sympy
# centred difference: truncation ~ h^2 |L'''| ~ 1e-12, rounding ~ eps |L| / h ~ 1e-10; book tolerance 1e-7
assert worst_fd < 1e-7, worst_fd

# The chain rule chapter's route: the two path products for dL/dx, recomputed here from scratch.
path_tanh = (yhat.data - y) * w2_11.data * (1 - a1.data**2) * w1_11.data
path_sigmoid = (yhat.data - y) * w2_21.data * a2.data * (1 - a2.data) * w1_12.data
assert abs(bar[x] - (path_tanh + path_sigmoid)) < 1e-15

# The operator-overloading engine of the next chapter, on the same expression, gives the same leaves.
ex = {k: Value(nodes[k].data) for k in sym}
ez1, ez2 = ex["x"] * ex["w1_11"], ex["x"] * ex["w1_12"]
e_loss = 0.5 * (ex["w2_11"] * ez1.tanh() + ex["w2_21"] * (1 / (1 + (-ez2).exp())) - y) ** 2
e_loss.backward()
assert all(abs(ex[k].grad - bar[nodes[k]]) <= 1e-15 * abs(bar[nodes[k]]) for k in sym)

pos = {"w1_11": (-2.1, 4), "x": (0, 4), "w1_12": (2.1, 4), "z1": (-1.2, 3), "z2": (1.2, 3), "a1": (-1.2, 2),
       "a2": (1.2, 2), "w2_11": (-2.1, 1), "yhat": (0, 1), "w2_21": (2.1, 1), "L": (0, 0)}
graph_nodes = [GraphNode(k, pos[k], labels[k], nodes[k].data, bar[nodes[k]], leaf=not nodes[k].parents)
               for k in pos]
figure(lambda fig: draw_graph(fig, graph_nodes, edges), figsize=(5.0, 5.0),
       alt=f"The example's computational graph, drawn from the top (the input x and the first two weights) to "
       f"the bottom (the loss). Each box shows a value and, below it, its upstream gradient. The loss "
       f"{num(loss.data, 4)} has upstream gradient 1; the prediction ŷ = {num(yhat.data, 4)} gets "
       f"{num(bar[yhat], 4)}; the input x = {num(x.data, trim=True)} gets {num(bar[x], 4)}, the sum of "
       f"what its two children send it, {num(bar[z1] * w1_11.data, 4)} and {num(bar[z2] * w1_12.data, 4)}.",
       caption="Forward values (first line of each box) and upstream gradients $\\bar v = \\partial "
       "\\mathcal{L}/\\partial v$ (second line) after one reverse sweep. Dashed boxes are leaves.")

# %% [markdown]
# The table lists the sweep in the order it runs. Each row's formula has one term per child, and
# every number on its right side is already known when the row is reached:

# %% tags=["hide-input"]
order = topological_order(loss)
rows = []
for v in reversed(order):
    k = key_of[id(v)]
    children = [ck for pk, ck in edges if pk == k]
    if k == "L":
        formula = "1"
    else:
        formula = " + ".join(f"{local_tex[(k, c)]}\\, {bar_label(labels[c])}" for c in children)
    rows.append([f"${labels[k]}$", v.data, f"${bar_label(labels[k])} = {formula}$", bar[v]])
md_table(["node", "value", "upstream gradient", "its value"], rows, fmt=4, align="lrlr")
leaf_keys = [k for k in nodes if not nodes[k].parents]
md(f"""
One sweep gives all {len(leaf_keys)} leaf derivatives, and those of the {len(nodes) - len(leaf_keys)} inner
nodes on the way, for {count} multiply-adds: one per edge. The input $x$ has two children, so
$\\bar x = w^{{(1)}}_{{11}} \\bar z^{{(1)}}_1 + w^{{(1)}}_{{12}} \\bar z^{{(1)}}_2 = {tex(bar[x], 6)}$: the sum of the
two path products of the chain rule chapter, ${tex(path_tanh, 6)}$ and ${tex(path_sigmoid, 6)}$, which the
sweep never forms one by one. Both paths end with the edge $\\hat y \\to \\mathcal{{L}}$; listing paths
multiplies by its local derivative $\\hat y - y$ once per path, the sweep once, into $\\bar{{\\hat y}}$, which every
node above then reuses. Every upstream gradient of the table agrees with SymPy, which differentiates the loss
after shifting that one node's value, to ${tex(worst_sympy, 2)}$, and with a centred finite difference that
re-runs the forward pass with the node
shifted by $\\pm h$, $h = 10^{{-6}}$, to ${tex(worst_fd, 2)}$ relative.
""")

# %% [markdown]
# ## Four patterns at a node
#
# Most of a network is built from a few operations, and each passes its upstream gradient on in a
# pattern worth knowing by sight. Each graph below ends in one operation $q$ that receives the
# upstream gradient $\bar q = 2$ from the rest of a graph (as if $\mathcal{L} = 2q$):
#
# - **an addition distributes**: $q = a + b$ has $\partial q/\partial a = \partial q/\partial b = 1$,
#   so both inputs receive $\bar q$ unchanged;
# - **a multiplication swaps**: $q = a b$ has $\partial q/\partial a = b$, so $\bar a = b\,\bar q$ and
#   $\bar b = a\,\bar q$: each input's gradient is scaled by the *other* input;
# - **a maximum routes**: $q = \max(a, b)$ passes all of $\bar q$ to the larger input and nothing to
#   the other (ReLU is $\max(z, 0)$);
# - **a value used twice accumulates**: when $a$ feeds two nodes, $\bar a$ is the sum of what both send.

# %% tags=["hide-input"]
a_val, b_val, qbar = 3.0, -1.5, 2.0
gates = {}
for gate in ("add", "multiply", "max", "used twice"):
    a, b = Value(a_val), Value(b_val)
    if gate == "add":
        q = a + b
    elif gate == "multiply":
        q = a * b
    elif gate == "max":
        q = a.max(b)
    else:
        u = a * b
        q = u + a
    (qbar * q).backward()  # L = 2 q, so q-bar = 2
    gates[gate] = dict(a=a, b=b, q=q, u=u if gate == "used twice" else None)

# SymPy: the local derivatives of each operation, and the upstream gradients they imply.


def step_latex(expr):
    """LaTeX with SymPy's Heaviside(u) written as the bracket [u > 0] of the notation table."""
    return sp.latex(expr.replace(sp.Heaviside, lambda u, *h0: sp.Symbol(f"[{sp.latex(u)} > 0]")))


sa, sb = sp.symbols("a b", real=True)
sym_q = {"add": sa + sb, "multiply": sa * sb, "max": sp.Max(sa, sb), "used twice": sa * sb + sa}
fd_gate = {"add": lambda p, r: p + r, "multiply": lambda p, r: p * r, "max": max,
           "used twice": lambda p, r: p * r + p}
gate_rows = []
for gate, g in gates.items():
    point = {sa: a_val, sb: b_val}
    want_a = float(qbar * sp.diff(sym_q[gate], sa).subs(point))
    want_b = float(qbar * sp.diff(sym_q[gate], sb).subs(point))
    fd_a = qbar * (fd_gate[gate](a_val + h, b_val) - fd_gate[gate](a_val - h, b_val)) / (2 * h)
    fd_b = qbar * (fd_gate[gate](a_val, b_val + h) - fd_gate[gate](a_val, b_val - h)) / (2 * h)
    assert g["a"].grad == want_a and g["b"].grad == want_b, (gate, g["a"].grad, want_a, g["b"].grad, want_b)
    assert abs(fd_a - want_a) < 1e-8 and abs(fd_b - want_b) < 1e-8, (gate, fd_a, fd_b)
    assert g["q"].grad == qbar
    gate_rows.append([f"{gate}, $q = {sp.latex(sym_q[gate])}$", f"${step_latex(sp.diff(sym_q[gate], sa))}$",
                      f"${step_latex(sp.diff(sym_q[gate], sb))}$", g["a"].grad, g["b"].grad])
# the patterns, stated as equations on these numbers
ga = {k: (v["a"].grad, v["b"].grad) for k, v in gates.items()}
assert ga["add"] == (qbar, qbar)
assert ga["multiply"] == (b_val * qbar, a_val * qbar)
assert ga["max"] == (qbar, 0.0) and a_val > b_val
assert ga["used twice"][0] == b_val * qbar + qbar  # through u = a b, plus directly


def draw_gates(fig):
    axes = fig.subplots(2, 2)
    layouts = {
        "add": {"a": (-1, 1), "b": (1, 1), "q": (0, 0)},
        "multiply": {"a": (-1, 1), "b": (1, 1), "q": (0, 0)},
        "max": {"a": (-1, 1), "b": (1, 1), "q": (0, 0)},
        "used twice": {"a": (-1, 2), "b": (1, 2), "u": (0.35, 1), "q": (-0.5, 0)},
    }
    ops = {"add": "$q = a + b$", "multiply": r"$q = a\,b$", "max": r"$q = \max(a, b)$", "used twice": "$q = u + a$"}
    for ax, (gate, g) in zip(axes.flat, gates.items(), strict=True):
        lay = layouts[gate]
        ns = [GraphNode("a", lay["a"], "a", g["a"].data, g["a"].grad, leaf=True),
              GraphNode("b", lay["b"], "b", g["b"].data, g["b"].grad, leaf=True),
              GraphNode("q", lay["q"], "q", g["q"].data, g["q"].grad)]
        es = [("a", "q"), ("b", "q")]
        if gate == "used twice":
            ns.append(GraphNode("u", lay["u"], "u", g["u"].data, g["u"].grad))
            es = [("a", "u"), ("b", "u"), ("u", "q"), ("a", "q")]
        draw_graph(ax, ns, es, digits=3, pad=(0.75, 0.45), check=False)
        ax.set_title(f"{gate}: {ops[gate]}" + (", $u = a\\,b$" if gate == "used twice" else ""))
    check_graph_layout(fig)  # once, for the four graphs


figure(draw_gates, figsize=(5.0, 5.6),
       alt=f"Four small graphs, each with inputs a = {num(a_val, trim=True)} and b = {num(b_val, trim=True)} and "
       f"an upstream gradient of {num(qbar, trim=True)} at the output q. Addition: both inputs get "
       f"{num(ga['add'][0], trim=True)}. Multiplication: a gets b times 2 = {num(ga['multiply'][0], trim=True)}, "
       f"b gets a times 2 = {num(ga['multiply'][1], trim=True)}. Maximum: the larger input a gets "
       f"{num(ga['max'][0], trim=True)}, b gets 0. Used twice: a feeds u = a b and q = u + a, and gets "
       f"{num(ga['used twice'][0], trim=True)}, the sum of {num(b_val * qbar, trim=True)} through u and "
       f"{num(qbar, trim=True)} directly.",
       caption="The four patterns, each with $\\bar q = 2$ arriving at the output $q$.")
md_table(["operation", "$\\partial q/\\partial a$", "$\\partial q/\\partial b$", "$\\bar a$", "$\\bar b$"],
         gate_rows, fmt=3, align="lccrr")
md(f"""
SymPy's derivatives of each operation (its $\\partial \\max(a, b)/\\partial a$ is the bracket $[a - b > 0]$: 1
where $a > b$, 0 where $a < b$) times $\\bar q = {tex(qbar)}$ give exactly the engine's $\\bar a$ and $\\bar b$,
and centred differences agree to $10^{{-8}}$. In the example above, the input $x$ is a value used twice, the products
$w^{{(1)}}_{{11}} x$ and $w^{{(2)}}_{{11}} a^{{(1)}}_1$ swap (so $\\bar w^{{(1)}}_{{11}} = x\\, \\bar z^{{(1)}}_1$), and
$\\hat y$ is a sum of two products, each of which receives $\\bar{{\\hat y}}$.
""")

# %% [markdown]
# ## Forward accumulation
#
# The chain rule can also run the other way. Pick one input and ask how fast every node moves when
# that input moves at unit speed: the *tangent* $\dot v$ of each node, with $\dot v = 1$ for the chosen
# input and $0$ for the other leaves. Visiting the nodes in topological order, parents first,
#
# $$
# \dot v = \sum_{u \text{ a parent of } v} \frac{\partial v}{\partial u}\, \dot u ,
# $$
#
# the same local derivatives, the same one multiply-add per edge, but the result is the derivative
# of *every* node with respect to *one* input, where the reverse sweep gave the derivative of *one*
# output with respect to *every* node:

# %%
def forward_sweep(outputs, leaf):
    """d v/d leaf for every node v, and the multiply-adds done."""
    dot = {}
    multiply_adds = 0
    for v in topological_order(*outputs):  # parents first
        if not v.parents:
            dot[v] = 1.0 if v is leaf else 0.0
            continue
        dot[v] = 0.0
        for parent, local in v.parents:
            dot[v] += local * dot[parent]
            multiply_adds += 1
    return dot, multiply_adds


forward_count = 0
for name, leaf in names.items():  # one forward sweep per input
    dot, n = forward_sweep([loss], leaf)
    forward_count += n
    print(f"dL/d{name} = {dot[loss]: .6f}")
print(f"forward sweeps: {forward_count} multiply-adds")
print(f"reverse sweep: {reverse_sweep(loss)[1]} multiply-adds")

# %% tags=["hide-input"]
fwd = {k: forward_sweep([loss], leaf)[0][loss] for k, leaf in names.items()}
assert all(abs(fwd[k] - bar[leaf]) <= 1e-15 * abs(bar[leaf]) for k, leaf in names.items())
assert forward_count == len(names) * E_example
md(f"""
Both sweeps give the same five derivatives (to ${tex(1e-15, 1)}$ relative), but the forward sweeps did
{forward_count} multiply-adds, {len(names)} sweeps of {E_example}, against the reverse sweep's {E_example}. The
forward sweep has one advantage: it uses each node's local derivatives as soon as the node is computed,
so it can run alongside the forward pass and forget them, while the reverse sweep starts at the loss and
needs all {E_example} local derivatives kept until then.
""")

# %% [markdown]
# ### Which one wins
#
# For a function with $n_{\text{in}}$ inputs and $n_{\text{out}}$ outputs, a graph of $E$ edges and all its
# derivatives wanted, forward accumulation runs $n_{\text{in}}$ sweeps and reverse accumulation
# $n_{\text{out}}$, each of at most $E$ multiply-adds. Training has one output, the loss, and $P$
# inputs, the parameters: reverse accumulation does $P$ times fewer multiply-adds. The counts below are
# measured by the two functions above, on the losses of the book's small networks written as graphs
# by [`mlp_loss`](autodiff.py) (every weight and bias a leaf; the 1-1-1 and 3-2-1 networks with the
# sample of their worked examples, a 2-3-2-1 ReLU network with four samples):

# %% tags=["hide-input"]
def book_networks():
    """The 1-1-1 and 3-2-1 worked examples and a 2-3-2-1 ReLU network with four samples."""
    one = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    one.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    three = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    three.params.update(W1=np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]]).T.copy(), b1=np.array([0.1, -0.2]),
                        W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
    deep = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", loss="mse", seed=3)
    rng = np.random.default_rng(3)
    deep.params["b1"] = rng.normal(0, 0.1, 3)
    return {"1-1-1": (one, np.array([[0.5]]), np.array([[0.6]])),
            "3-2-1": (three, np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])),
            "2-3-2-1": (deep, rng.normal(size=(4, 2)), rng.normal(size=(4, 1)))}


def n_params(net):
    return sum(p.size for p in net.params.values())


many_in_rows = [["chain rule example", len(names), E_example, forward_count, E_example]]
for name, (net, X, Y) in book_networks().items():
    graph_loss, params = mlp_loss(net, X, Y)
    leaves = [v for p in params.values() for row in p for v in (row if isinstance(row, list) else [row])]
    P = n_params(net)
    assert len(leaves) == P
    bar_net, rev = reverse_sweep(graph_loss)
    fwd_total = 0
    for leaf in leaves:
        dot_net, n = forward_sweep([graph_loss], leaf)
        fwd_total += n
        assert abs(dot_net[graph_loss] - bar_net[leaf]) <= 1e-13 * max(abs(bar_net[leaf]), 1e-300) or \
            dot_net[graph_loss] == bar_net[leaf]
    library = np.concatenate([g.ravel() for g in net.gradients(X, Y).values()])
    engine = np.array([bar_net[leaf] for leaf in leaves])
    assert np.max(np.abs(engine - library)) <= 1e-12 * np.max(np.abs(library)), name
    E = sum(len(v.parents) for v in topological_order(graph_loss))
    assert rev == E and fwd_total == P * E, (name, rev, fwd_total, P, E)
    many_in_rows.append([name, P, E, fwd_total, rev])
md_table(["graph", "inputs $P$", "edges $E$", "forward", "reverse"], many_in_rows, fmt=4)
md("In every row the forward sweeps did exactly $P\\,E$ multiply-adds and the reverse sweep $E$: the ratio is $P$. "
   "All the derivatives agree between the two modes, and with the library's gradients to $10^{-12}$ of the largest.")

# %% [markdown]
# With one input and many outputs the roles turn. The outputs of a $\tanh$ network as functions of
# its single input, with the weights held fixed (plain numbers, so not leaves of the graph), make
# such a function; its derivatives $d\hat y_k/dx$ take one forward sweep over the whole graph, or one
# reverse sweep per output over the part of the graph that output depends on:

# %%
def outputs_of_input(net, x0):
    """The outputs of a one-input tanh network, its input the only leaf."""
    x = Value(x0)
    a = [x]
    for l in range(1, net.n_layers + 1):
        W = net.params[f"W{l}"].tolist()
        b = net.params[f"b{l}"].tolist()
        z = [sum((a[j] * W[j][k] for j in range(len(a))), b[k])
             for k in range(len(b))]
        a = [v.tanh() for v in z] if l < net.n_layers else z
    return x, a


for n_out in (1, 4, 16):
    net = bp.MLP([1, 16, 16, n_out], hidden="tanh", seed=0)
    x_leaf, outputs = outputs_of_input(net, 0.3)
    _, forward_cost = forward_sweep(outputs, x_leaf)
    reverse_cost = sum(reverse_sweep(out)[1] for out in outputs)
    print(f"{n_out:2d} outputs: forward {forward_cost}, "
          f"reverse {reverse_cost} multiply-adds")

# %% tags=["hide-input"]
one_in_rows = []
for n_out in (1, 4, 16):
    net = bp.MLP([1, 16, 16, n_out], hidden="tanh", seed=0)
    x_leaf, outputs = outputs_of_input(net, 0.3)
    dot_all, fcost = forward_sweep(outputs, x_leaf)
    per_output = []
    for k, out in enumerate(outputs):
        bar_k, c = reverse_sweep(out)
        per_output.append(c)
        assert abs(bar_k[x_leaf] - dot_all[out]) <= 1e-13 * abs(dot_all[out]), (n_out, k)
    rcost = sum(per_output)
    # every reverse sweep covers the same shared part and one column of its own:
    # E = shared + n_out * column, and each sweep costs shared + column
    assert len(set(per_output)) == 1
    if n_out > 1:
        column, rest = divmod(fcost - per_output[0], n_out - 1)
        assert rest == 0 and per_output[0] - column > column, (fcost, per_output[0], column)
    # against the library: d yhat / dx from the deltas of a network whose loss is yhat_k itself
    fp = net.forward(np.array([[0.3]]))
    J = np.eye(n_out)  # dz(L)/dz(L): identity output
    for l in range(net.n_layers, 1, -1):
        J = (J @ net.params[f"W{l}"].T) * (1 - fp.a[l - 1] ** 2)
    J = J @ net.params["W1"].T  # rows: outputs; one column: the input
    assert np.allclose([dot_all[o] for o in outputs], J[:, 0], rtol=1e-12, atol=0)
    E_all = sum(len(v.parents) for v in topological_order(*outputs))
    assert fcost == E_all and rcost <= n_out * E_all
    one_in_rows.append([n_out, E_all, fcost, rcost, rcost / fcost])
md_table(["outputs $n_{\\text{out}}$", "edges $E$", "forward", "reverse", "reverse / forward"], one_in_rows, fmt=3)
ratio16 = one_in_rows[-1][-1]
assert one_in_rows[0][2] == one_in_rows[0][3]  # one output: the two sweeps cover the same edges
assert 1 < ratio16 < 16
md(f"""
With one output the two sweeps do the same work. With {one_in_rows[-1][0]} outputs the reverse sweeps cost
${tex(ratio16, 3)}$ times the single forward sweep. That is less than {one_in_rows[-1][0]} times because a
reverse sweep covers only what its output depends on: the hidden layers, which every sweep repeats, and one
column of the last layer's weights, its own. The derivatives of the two modes agree to $10^{{-13}}$ relative,
and agree to $10^{{-12}}$ with the Jacobian that the delta recursion of the next chapters computes from the
library's forward pass.
""")


# %% tags=["hide-input"]
# A growing family: forward and reverse cost of the loss gradient of 2-n_1-1 networks, one sample.
growth = []
for width in (1, 2, 4, 8, 16, 32):
    net = bp.MLP([2, width, 1], hidden="tanh", loss="mse", seed=width)
    graph_loss, params = mlp_loss(net, np.array([[0.3, -0.8]]), np.array([[0.5]]))
    E = sum(len(v.parents) for v in topological_order(graph_loss))
    _, rev = reverse_sweep(graph_loss)
    leaves = [v for p in params.values() for row in p for v in (row if isinstance(row, list) else [row])]
    fwd_total = sum(forward_sweep([graph_loss], leaf)[1] for leaf in leaves)
    assert fwd_total == len(leaves) * E and rev == E
    growth.append((len(leaves), fwd_total, rev))
Ps, F, R = (np.array(c, dtype=float) for c in zip(*growth, strict=True))
slope_f = np.polyfit(np.log(Ps[2:]), np.log(F[2:]), 1)[0]
slope_r = np.polyfit(np.log(Ps[2:]), np.log(R[2:]), 1)[0]
assert 1.9 < slope_f < 2.1 and 0.9 < slope_r < 1.1, (slope_f, slope_r)
edges_per_param = R / Ps
assert np.all(np.diff(edges_per_param) < 0) and 2.7 < edges_per_param[-1] and edges_per_param[0] <= 3


def draw_growth(fig):
    ax = fig.subplots()
    ax.loglog(Ps, F, "o-", label="forward accumulation")
    ax.loglog(Ps, R, "s-", label="reverse accumulation")
    ax.set_xlabel("parameters $P$")
    ax.set_ylabel("multiply-adds for the gradient")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_growth,
       alt=f"Log-log plot of the multiply-adds needed for the whole gradient against the number of parameters, "
       f"for networks with 2 inputs, one output and 1 to 32 hidden units ({int(Ps[0])} to {int(Ps[-1])} "
       f"parameters). Reverse accumulation grows in proportion to the parameters, from {int(R[0])} to "
       f"{int(R[-1])}; forward accumulation grows with their square, from {int(F[0])} to {int(F[-1])}.",
       caption="Measured multiply-adds of the gradient of the loss of 2-$n_1$-1 $\\tanh$ networks: forward "
       "accumulation needs one sweep per parameter.")
md(f"""
Across this family the graph has between ${tex(edges_per_param[-1], 3)}$ and ${tex(edges_per_param.max(), 3)}$
edges per parameter, so the reverse sweep's cost grows in proportion to $P$ (a slope of ${tex(slope_r, 3)}$ on the
log-log plot, fitted from $P = {int(Ps[2])}$ on), while forward accumulation's grows as $P^2$ (slope
${tex(slope_f, 3)}$): at $P = {int(Ps[-1])}$ it does {int(F[-1] // R[-1])} times the work, one sweep per parameter.
""")

# %% [markdown]
# ## The price of finite differences
#
# A gradient can also be estimated without any graph: nudge one parameter, run the network again,
# and divide. The centred difference $\bigl(\mathcal{L}(p + h) - \mathcal{L}(p - h)\bigr)/2h$ needs two
# forward passes per parameter, $2P$ in all, where backpropagation needs one forward and one backward
# pass. The function below counts its forward passes; on the 3-2-1 worked example it agrees with the
# library's gradient:

# %%
def finite_difference_gradients(net, X, Y, h=1e-6, entries=None):
    """Centred differences for every parameter entry (or the listed
    ones), and the number of loss evaluations."""
    grads, passes = {}, 0
    for key, p in net.params.items():
        g = np.full(p.shape, np.nan)
        todo = np.ndindex(p.shape) if entries is None else entries[key]
        for idx in todo:
            old = p[idx]
            p[idx] = old + h
            up = net.loss(X, Y)
            p[idx] = old - h
            down = net.loss(X, Y)
            p[idx] = old  # restored exactly
            g[idx] = (up - down) / (2 * h)
            passes += 2
        grads[key] = g
    return grads, passes


net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
net.params.update(W1=np.array([[0.2, 0.7], [-0.4, 0.3], [0.1, -0.5]]),
                  b1=np.array([0.1, -0.2]),
                  W2=np.array([[0.5], [-1.0]]), b2=np.array([0.2]))
X, Y = np.array([[1.0, 0.5, -1.5]]), np.array([[1.0]])
fd, passes = finite_difference_gradients(net, X, Y)
bp_grads = net.gradients(X, Y)
P = sum(p.size for p in net.params.values())
print(f"P = {P} parameters, {passes} loss evaluations")
diff = max(np.max(np.abs(fd[k] - bp_grads[k])) for k in fd)
print(f"largest difference from backpropagation: {diff:.1e}")

# %% tags=["hide-input"]
assert passes == 2 * P
fd_diff = max(float(np.max(np.abs(fd[k] - bp_grads[k]))) for k in fd)
# rounding eps |L| / h ~ 2e-16 * 0.6 / 1e-6 ~ 1e-10, truncation h^2 |L'''| ~ 1e-12: the gradients are 0.05-0.3
assert fd_diff < 1e-8, fd_diff


def fd_next_entry(net_, X_, Y_, schedule):
    """Finite differences for the next entry of the schedule only (two loss evaluations)."""
    return finite_difference_gradients(net_, X_, Y_, entries=next(schedule))


def matmul_flops(sizes, batch):
    """Forward and backward FLOPs of the matrix products (the backward pass skips dL/dX)."""
    layers = list(zip(sizes[:-1], sizes[1:], strict=True))
    forward = sum(2 * batch * m * k for m, k in layers)
    return forward, forward + sum(2 * batch * m * k for m, k in layers[1:])


nets = book_networks()
rng = np.random.default_rng(0)
big = bp.MLP([784, 256, 128, 10], hidden="relu", output="softmax", loss="cross_entropy", seed=0)
Xb = rng.normal(size=(64, 784))
Yb = np.eye(10)[rng.integers(0, 10, size=64)]
nets["784-256-128-10"] = (big, Xb, Yb)
PAIRS = 9
sampled = 3  # entries per parameter array timed for the large network
cost_rows, ratios, predicted, fd_checks, times = [], {}, {}, [], {}
for name, (net_i, X_i, Y_i) in nets.items():
    P_i = n_params(net_i)
    small = P_i < 1000
    if small:
        entries, timed = None, P_i
    else:
        pick = np.random.default_rng(1)
        entries = {k: [tuple(int(pick.integers(s)) for s in p.shape) for _ in range(sampled)]
                   for k, p in net_i.params.items()}
        timed = sum(len(v) for v in entries.values())
    gradient = partial(net_i.gradients, X_i, Y_i)
    if small:  # the whole set of finite differences, against one gradient
        t_fd, t_bp, fd_over_bp = paired(partial(finite_difference_gradients, net_i, X_i, Y_i), gradient,
                                        pairs=PAIRS, number_g=10)
    else:  # one entry at a time (two loss evaluations), against one gradient; then times P
        one_by_one = itertools.cycle([{k: ([idx] if k == key else []) for k in entries}
                                      for key, idxs in entries.items() for idx in idxs])
        t_fd, t_bp, fd_over_bp = paired(partial(fd_next_entry, net_i, X_i, Y_i, one_by_one), gradient,
                                        pairs=4 * PAIRS)
        t_fd, fd_over_bp = t_fd * P_i, fd_over_bp * P_i
    t_bp2, t_loss, bp_over_loss = paired(gradient, partial(net_i.loss, X_i, Y_i), pairs=4 * PAIRS,
                                         number_f=10 if small else 1, number_g=10 if small else 1)
    times[name] = (t_bp, t_loss, t_fd)
    g_fd, n_pass = finite_difference_gradients(net_i, X_i, Y_i, entries=entries)
    assert n_pass == 2 * timed
    g_bp = net_i.gradients(X_i, Y_i)
    scale = max(float(np.max(np.abs(g))) for g in g_bp.values())
    diff = max(float(np.nanmax(np.abs(g_fd[k] - g_bp[k]))) for k in g_bp)
    fd_checks.append((name, diff / scale))
    f_flops, b_flops = matmul_flops(net_i.sizes, len(X_i))
    predicted[name] = 2 * P_i * f_flops / (f_flops + b_flops)
    assert 2 <= (f_flops + b_flops) / f_flops < 3  # one gradient: the FLOPs of 3 - s_1 forward passes
    ratios[name] = fd_over_bp
    cost_rows.append([name, P_i, 2 * P_i, t_bp * 1e6, t_fd * 1e6, ratios[name], predicted[name], bp_over_loss])
def fmt_time(seconds: float) -> str:
    """Three significant figures in µs, ms, s, min or h (a no-break space keeps the unit by its number)."""
    for unit, scale, limit in (("µs", 1e6, 1e-3), ("ms", 1e3, 1.0), ("s", 1.0, 120.0), ("min", 1 / 60, 7200.0)):
        if seconds < limit:
            return f"{num(seconds * scale, 3)}\N{NO-BREAK SPACE}{unit}"
    return f"{num(seconds / 3600, 3)}\N{NO-BREAK SPACE}h"


quantities = ["parameters $P$", "loss evaluations $2P$", "backpropagation", "finite differences", "ratio",
              "FLOP ratio", "gradient / loss"]
table = [[q, *(fmt_time(r[i + 1] * 1e-6) if i in (2, 3) else r[i + 1] for r in cost_rows)]
         for i, q in enumerate(quantities)]
md_table(["", *(r[0] for r in cost_rows)], table, fmt=3, align="lrrrr")

# %% tags=["hide-input"]
big_name = "784-256-128-10"
for name in nets:
    assert ratios[name] > 1, (name, ratios[name])  # finite differences are slower on every network
    # timings vary between machines: only a factor of 10 either way around the FLOP prediction is asserted
    assert predicted[name] / 10 < ratios[name] < predicted[name] * 10, (name, ratios[name], predicted[name])
assert ratios[big_name] > 1000 * ratios["1-1-1"]
grad_over_loss = cost_rows[-1][-1]
assert 1 < grad_over_loss < 20, grad_over_loss  # about 2 to 4 when the machine is quiet
# the finite differences are gradients: they agree with backpropagation (relative to the largest entry;
# rounding eps |L| / h ~ 5e-10 on the cross-entropy of about 2.3, against entries of order 1e-3)
assert all(err < 1e-5 for _, err in fd_checks), fd_checks
P_big = n_params(big)
# time per FLOP of a forward pass (the loss): the tiny networks pay for calls, not arithmetic
per_flop = {name: times[name][1] / matmul_flops(nets[name][0].sizes, len(nets[name][1]))[0] for name in nets}
overhead = per_flop["1-1-1"] / per_flop[big_name]
assert overhead > 1000, overhead
t_fd_big, t_bp_big = times[big_name][2], times[big_name][0]
md(f"""
The loss evaluations of the finite differences, counted by the function, are $2P$ on every network. The
times are wall-clock times on the machine that built this page: a full set of finite differences and a
gradient by `net.gradients` were timed back to back {PAIRS} times (and a gradient and a loss by `net.loss`
{4 * PAIRS} times), taking turns to go first; the table shows median times, and each ratio is the median of
the ratios within a pair. For the 784-256-128-10 network ($N = {len(Xb)}$ random samples, ten classes)
the finite differences were timed one entry at a time, on {sampled} entries of each of its {len(big.params)}
parameter arrays in turn ({4 * PAIRS} pairs), and scaled to all {P_big:,} entries: {2 * P_big:,} forward
passes, {fmt_time(t_fd_big)} against {fmt_time(t_bp_big)} for one backward pass with its forward pass.

"FLOP ratio" is what the matrix products predict: $2P$ forward passes against one forward and one backward
pass, whose products cost $2 - s_1$ forward passes, with $s_1$ the first layer's share of the weights
([performance](performance.py)), so $2P/(3 - s_1)$. The measured ratios stay within a factor of 10 of it,
from ${tex(ratios['1-1-1'], 2)}$ for the 1-1-1 network to ${tex(ratios[big_name], 2)}$ for the large one
(more than 1000 times as much). On the tiny networks a call costs microseconds for a handful of FLOPs (per FLOP, the
1-1-1 network's forward pass took ${tex(overhead, 2)}$ times as long as the large one's), so there the
ratio counts calls more than arithmetic. The last row divides the time of a gradient by that of the
loss alone: ${tex(grad_over_loss, 2)}$ on the large network, a small constant, where finite differences
multiply the forward pass by $2P$. The finite differences agree with backpropagation to
${tex(max(err for _, err in fd_checks), 2)}$ of the largest gradient entry: they are a check on the gradient
([gradient checking](gradient-checking.py)), not a way to compute it for training.
""")


def draw_cost(fig):
    ax = fig.subplots()
    Pv = np.array([n_params(nets[k][0]) for k in nets], dtype=float)
    ax.loglog(Pv, [predicted[k] for k in nets], "--", label="FLOP ratio $2P/(3 - s_1)$")
    ax.loglog(Pv, [ratios[k] for k in nets], "o", label="measured time ratio")
    ax.annotate("1-1-1, 3-2-1, 2-3-2-1", (Pv[1], ratios["3-2-1"]), xytext=(14, -4), textcoords="offset points",
                va="top")
    ax.annotate(big_name, (Pv[-1], ratios[big_name]), xytext=(-8, 0), textcoords="offset points", ha="right",
                va="center")
    ax.set_xlabel("parameters $P$")
    ax.set_ylabel("finite differences / backprop")
    ax.set_xlim(1, 1e6)
    fig.legend(loc="outside upper center", ncols=1)


figure(draw_cost,
       alt=f"Log-log plot of the time of finite differences over the time of backpropagation against the number "
       f"of parameters, for the 1-1-1, 3-2-1, 2-3-2-1 and 784-256-128-10 networks. The measured ratios go "
       f"from {num(ratios['1-1-1'], 2)} to {num(ratios[big_name], 2)} and stay within a factor of 10 of the "
       f"line that the count of floating-point operations predicts, which rises with the number of parameters.",
       caption="Finite differences cost $2P$ forward passes; backpropagation the FLOPs of fewer than three.")

# %% [markdown]
# ## Checks
#
# Everything on this page is computed when the page is built, and the build fails if any of these
# fails: every upstream gradient of the example against SymPy and finite differences; the four
# patterns against SymPy's derivatives of each operation; forward against reverse accumulation and
# against the library; the multiply-add counts against $P\,E$ and $E$; the finite differences'
# $2P$ passes and their agreement with backpropagation; the measured time ratios against the
# operation count (within a factor of 10 either way, since timings vary between machines).

# %% tags=["hide-input"]
md(f"All {len(nodes)} upstream gradients of the example, the {len(gates)} patterns, "
   f"{len(many_in_rows) + len(one_in_rows) + len(growth)} operation counts and {len(cost_rows)} timings passed "
   "their checks.")

# %% [markdown]
# ## Exercises
#
# **1.** A division $q = a/b$ receives the upstream gradient $\bar q$. What do $a$ and $b$ receive? Evaluate
# at $a = 3$, $b = -1.5$, $\bar q = 2$.

# %% tags=["hide-input"]
qa, qb = Value(a_val), Value(b_val)
(qbar * (qa / qb)).backward()
d_a = sp.diff(sa / sb, sa)
d_b = sp.diff(sa / sb, sb)
want_a = float(qbar * d_a.subs({sa: a_val, sb: b_val}))
want_b = float(qbar * d_b.subs({sa: a_val, sb: b_val}))
assert math.isclose(qa.grad, want_a, rel_tol=1e-15) and math.isclose(qb.grad, want_b, rel_tol=1e-15)
assert bs.is_zero(d_b + (sa / sb) / sb)  # d(a/b)/db = -q/b
solution(f"""
The local derivatives are $\\partial q/\\partial a = {sp.latex(d_a)}$ and $\\partial q/\\partial b = {sp.latex(d_b)}
= -q/b$, so $\\bar a = \\bar q / b = {tex(want_a, 4)}$ and $\\bar b = -\\bar q\\, a/b^2 = {tex(want_b, 4)}$.
Like a multiplication (a division is $a \\cdot b^{{-1}}$), each input's gradient depends on the other input.
""")

# %% [markdown]
# **2.** A network has $L$ layers of weights, $n_0 = n_1 = \dots = n_{L-1} = 8$ units and one output,
# $n_L = 1$. Along how many paths does the weight $w^{(1)}_{11}$ reach the output, for $L = 2, 4, 8$? And how
# many weights does the network have (for one sample, the reverse sweep passes along each weight's edge into
# its unit once)?

# %% tags=["hide-input"]
def paths_from_first_weight(sizes):
    """Paths from w(1)_11 to the output, counted layer by layer (each unit sums the paths into its inputs)."""
    paths = np.zeros(sizes[1])
    paths[0] = 1  # the weight enters unit 1 of layer 1 only
    for l in range(2, len(sizes)):
        paths = np.ones((sizes[l - 1], sizes[l])).T @ paths
    return int(paths.sum())


ex_rows = []
for L in (2, 4, 8):
    sizes = [8] * L + [1]
    n_paths = paths_from_first_weight(sizes)
    weights = sum(m * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
    assert n_paths == 8 ** (L - 2), (L, n_paths)  # one choice of unit in each of the L - 2 layers in between
    assert weights == 64 * (L - 1) + 8
    ex_rows.append((L, n_paths, weights))
solution("The weight enters unit 1 of layer 1 only; from there the path picks one of 8 units in each of the "
         "layers 2 to $L - 1$, so there are $8^{L-2}$ paths: "
         + ", ".join(f"{p:,} for $L = {L}$" for L, p, _ in ex_rows)
         + ". The network has $64(L - 1) + 8$ weights: "
         + ", ".join(f"{w} for $L = {L}$" for L, _, w in ex_rows)
         + ". Paths multiply with depth, edges add: the sweep's work grows like the second count.")

# %% [markdown]
# **3.** The 784-256-128-10 network classifies an image. Which mode of accumulation computes the Jacobian of its
# 10 outputs with respect to its 784 inputs (how much each pixel moves each class score) in fewer sweeps, and
# how many fewer?

# %% tags=["hide-input"]
n_in, n_out = big.sizes[0], big.sizes[-1]
assert n_out < n_in
solution(f"""
Reverse accumulation: one sweep per output, {n_out} sweeps, against one per input, {n_in} sweeps, for forward
accumulation; each sweep covers at most the $E$ edges of the graph, so reverse needs at most
{n_out}/{n_in} $\\approx {tex(n_out / n_in, 2)}$ of the work, ${tex(n_in / n_out, 3)}$ times fewer sweeps.
""")
