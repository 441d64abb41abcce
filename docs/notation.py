# %% [markdown]
# # Notation and the forward pass
#
# A multilayer perceptron is a short program: multiply, add, apply a function, repeat. This chapter
# fixes the names of everything that program touches (units, pre-activations, activations, weights,
# biases, the loss), the shapes of the arrays that hold them, and the one line of NumPy that runs a
# whole layer for a whole batch of samples. The rest of the book uses these names without comment.
#
# ## Symbols
#
# The first three groups of the book's [table of symbols](symbols.py): sizes and indices, the forward
# pass, the loss and its gradients, with their names in the library where they have one (code keeps
# the library's own names: `W1`, `b1`, `delta`). A few of them are first used in later chapters; the
# full table adds the symbols of the chapters after those. Samples are rows throughout.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import Math, display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution, tex
from backprop.book.netdiagram import count_parameters, draw_network, network_alt, network_figsize
from backprop.book.symbols import GROUPS, symbol_table

symbol_table(GROUPS[:3])

# %% [markdown]
# ## One unit
#
# A unit $k$ of layer $l$ (a *neuron*) receives the activations $a^{(l-1)}_1, \dots, a^{(l-1)}_{n_{l-1}}$
# of the $n_{l-1}$ units of the layer before it, weighs each with a weight $w^{(l)}_{jk}$, adds a bias
# $b^{(l)}_k$ and passes the sum through the layer's activation function $f_l$:
#
# $$
# z^{(l)}_k = \sum_{j=1}^{n_{l-1}} w^{(l)}_{jk}\, a^{(l-1)}_j + b^{(l)}_k, \qquad a^{(l)}_k = f_l\bigl(z^{(l)}_k\bigr).
# $$
#
# The weighted sum $z^{(l)}_k$ is the unit's **pre-activation**; $a^{(l)}_k$ is its **activation**, which
# the units of the next layer receive as one of their inputs. The functions $f_l$ are the subject of
# [the chapter on activation functions](activation-functions.py).

# %% tags=["hide-input"]
a_in = np.array([1.0, 0.5, -1.5])
w_in = np.array([0.2, -0.4, 0.1])
b_in = 0.1
z_one = float(w_in @ a_in + b_in)
a_one = float(bp.relu(np.array(z_one)))
terms = " + ".join(f"({tex(w)})({tex(x)})" for w, x in zip(w_in, a_in, strict=True))
md(f"""
For example, the first hidden unit of the [3-2-1 network](worked-example-321.py), a ReLU unit, weighs
the three inputs with its three weights and adds its bias:
$z^{{(1)}}_1 = {terms} + {tex(b_in)} = {tex(z_one)}$, and $a^{{(1)}}_1 = \\max(0, {tex(z_one)}) = {tex(a_one)}$.
""")

# %% [markdown]
# Keeping $z$ and $a$ apart matters for the backward pass, which needs, at every layer, the derivative
# $f_l'$ at the pre-activations and the activations $a^{(l-1)}$ that the weights multiplied. The
# library's forward pass keeps both lists. For the sigmoid, $\tanh$ and the ReLU one of them would be
# enough: $a^{(l)}$ is recomputed from $z^{(l)}$ by $f_l$, and in the other direction the derivatives of
# these three are functions of the activation itself,
#
# $$
# \sigma'(z) = a\,(1 - a), \qquad \tanh'(z) = 1 - a^2, \qquad
# \operatorname{relu}'(z) = [a > 0], \qquad \text{where } a = f(z)
# $$
#
# SymPy proves the first two when the page is built; the third holds because $\max(0, z) > 0$ exactly
# when $z > 0$, with the library's convention $\operatorname{relu}'(0) = 0$.

# %% tags=["hide-input"]
zsym = sp.Symbol("z", real=True)
sig_sym = 1 / (1 + sp.exp(-zsym))
assert bs.is_zero(sp.diff(sig_sym, zsym) - sig_sym * (1 - sig_sym))
assert bs.is_zero(sp.diff(sp.tanh(zsym), zsym) - (1 - sp.tanh(zsym) ** 2))
z_grid = np.concatenate([np.linspace(-50, 50, 2001), [0.0, -0.0, 5e-324, -5e-324, 1e-300]])
assert np.array_equal(bp.relu_grad(z_grid), (bp.relu(z_grid) > 0).astype(float))

# %% [markdown]
# ## Layers and their indices
#
# A network has layers $l = 0, 1, \dots, L$: layer $0$ holds the inputs, layer $L$ the outputs, the
# layers between are *hidden*. Layer $l$ has $n_l$ units. A batch holds $N$ samples, numbered
# $i = 1, \dots, N$; an entry of a batch carries the sample first and the unit second: $z^{(l)}_{ik}$ is
# the pre-activation of unit $k$ of layer $l$ for sample $i$, and $a^{(0)}_{ij} = x_{ij}$ is feature $j$ of
# sample $i$. The order of the two weight indices is *from, to*: in $w^{(l)}_{jk}$ the first index names
# the unit the signal leaves, the second the unit it arrives at. The forward pass applies the formula of
# [one unit](#one-unit) to every unit of layers $1$ to $L$, for every sample: its sum runs over the units
# $j$ of the *previous* layer. Drawn as a graph, every unit of one layer is joined to every unit of the next, one
# line per weight. The drawing below is made from the list of layer sizes alone; a few weights carry
# their label, so the index order can be read off the picture.

# %% tags=["hide-input"]
small = [2, 3, 2, 1]
width, height = network_figsize(small)  # sized for layer headings, which the caption replaces
figure(lambda fig: draw_network(fig, small, layer_names=False), alt=network_alt(small),
       figsize=(width, 0.8 * height), phone="scroll",
       caption=f"A 2-3-2-1 network: layers $l = 0, \\dots, {len(small) - 1}$ from left to right, with "
       f"$n_l = {', '.join(map(str, small))}$ units; layer 0 (dashed) holds the inputs; each line is one weight.")

# %% [markdown]
# ## Weight matrices and bias rows
#
# The weights into layer $l$ fill one matrix $W^{(l)}$ with $n_{l-1}$ rows and $n_l$ columns: entry
# $(j, k)$ is $w^{(l)}_{jk}$. Row $j$ holds every weight *leaving* unit $j$ of layer $l-1$; column $k$
# every weight *arriving* at unit $k$ of layer $l$. The biases of layer $l$ form a row $b^{(l)}$ of
# $n_l$ entries, one per unit, like one sample's $z^{(l)}$. For the second layer of the 2-3-2-1 network
# (3 units into 2), SymPy builds the weight matrix with one symbol per weight, laid out as the library
# lays out its array `W2`:

# %% tags=["hide-input"]
P = bs.parameter_symbols(small)
display(Math(f"W^{{(2)}} = {sp.latex(P['W2'])}"))
assert all(P[f"b{l}"].shape == (1, small[l]) for l in range(1, len(small)))  # biases are rows
assert all(P[f"W{l}"].shape == (small[l - 1], small[l]) for l in range(1, len(small)))
assert all(sp.latex(P[f"W{l}"][j, k]) == f"w^{{({l})}}_{{{j + 1}{k + 1}}}"  # entry (j, k) is w_jk: from j, to k
           for l in range(1, len(small)) for j in range(small[l - 1]) for k in range(small[l]))

# %% [markdown]
# ## The batched forward pass
#
# Stack the $N$ samples as the rows of a matrix: $A^{(0)} = X$ has shape $N \times n_0$. The sum over
# $j$ in the formula of one unit is then the product of row $i$ of $A^{(l-1)}$ with column $k$ of $W^{(l)}$,
# and a whole layer for a whole batch is
#
# $$
# Z^{(l)} = A^{(l-1)} W^{(l)} + \mathbf{1}_N\, b^{(l)},
# \qquad
# A^{(l)} = f_l\bigl(Z^{(l)}\bigr),
# $$
#
# with shapes $(N \times n_{l-1})(n_{l-1} \times n_l) + (N \times 1)(1 \times n_l) = N \times n_l$.
# The product $\mathbf{1}_N b^{(l)}$ of a column of $N$ ones and the bias row is the bias row copied into
# every row: one bias per unit, the same for every sample. NumPy does this copy itself when a vector
# of shape `(n_l,)` is added to a matrix of shape `(N, n_l)` (*broadcasting*), so the code is shorter
# than the formula. SymPy shows the product for two samples of the 2-3-2-1 network's last layer (two
# units into one), entry $(i, k)$ being that sum:

# %% tags=["hide-input"]
A2s = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"a^{{(2)}}_{{{i + 1}{j + 1}}}"))
Z3_symbolic = A2s * P["W3"] + sp.ones(2, 1) * P["b3"]
display(Math(f"Z^{{(3)}} = A^{{(2)}} W^{{(3)}} + \\mathbf{{1}}_2\\, b^{{(3)}} = {sp.latex(Z3_symbolic)}"))

# %% [markdown]
# In NumPy, with the weights of a randomly initialised 2-3-2-1 network (ReLU hidden layers, identity
# output) and a batch of $N = 4$ samples, broadcasting and the written-out product give the same
# array:

# %%
import numpy as np

import backprop as bp

net = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", seed=1)
X = np.random.default_rng(2).normal(size=(4, 2))  # N = 4 samples, n_0 = 2 features
W1, b1 = net.params["W1"], net.params["b1"]

Z1 = X @ W1 + b1  # broadcasting: b1 has shape (3,)
Z1_outer = X @ W1 + np.ones((4, 1)) @ b1.reshape(1, 3)  # the formula's 1_N b^(1), written out
print(Z1.shape, np.array_equal(Z1, Z1_outer))

# %% [markdown]
# The library's `forward` runs this line for every layer and keeps every $Z^{(l)}$ and $A^{(l)}$
# (`z[l]`, `a[l]`). To be sure the matrix form computes the formula with indices, the hidden cell below
# evaluates the sum over $j$ with explicit loops, one number at a time, and compares every
# pre-activation with the library's.

# %% tags=["hide-input"]
def forward_by_sums(net, X):
    """The elementwise formula, literally: z[l][i, k] = sum_j w[j, k] a[i, j] + b[k]."""
    a = [np.asarray(X, dtype=float)]
    zs = [None]
    for l in range(1, net.n_layers + 1):
        W, b = net.params[f"W{l}"], net.params[f"b{l}"]
        n_samples, n_prev, n_l = len(X), W.shape[0], W.shape[1]
        z = np.empty((n_samples, n_l))
        for i in range(n_samples):
            for k in range(n_l):
                total = 0.0
                for j in range(n_prev):
                    total += W[j, k] * a[-1][i, j]
                z[i, k] = total + b[k]
        zs.append(z)
        a.append(net.activations[l - 1].function(z))
    return zs, a


def rel_error(x, y):
    return float(np.max(np.abs(x - y)) / max(np.max(np.abs(y)), 1e-300))


fp_small = net.forward(X)
z_sums, a_sums = forward_by_sums(net, X)
err_small = max(rel_error(z_sums[l], fp_small.z[l]) for l in range(1, net.n_layers + 1))
n_pre = sum(z.size for z in z_sums[1:])
md(f"""
Across the {n_pre} pre-activations of the four samples, the loops and the library's `forward` differ
by at most ${sci(err_small)}$ relative to the largest entry: the same sums, added in a different order.
""")

# %% [markdown]
# ## Shapes in the 5-10-10-4 classifier
#
# One of the book's sources builds a classifier with 5 input features, two hidden layers of 10 ReLU
# units and 4 softmax outputs, one per class. The table is read off a network built by the library and
# a forward pass on a batch of $N = 8$ samples: every shape is the `.shape` of an actual array, except
# that the library stores a bias row $b^{(l)}$ ($1 \times n_l$) as a vector of shape `(n_l,)`, which
# broadcasting treats as that row.

# %% tags=["hide-input"]
sizes = [5, 10, 10, 4]
clf = bp.MLP(sizes, hidden="relu", output="softmax", loss="cross_entropy", seed=0)
n_batch = 8
Xb = np.random.default_rng(3).normal(size=(n_batch, sizes[0]))
fp = clf.forward(Xb)


def shape(*dims):
    return " × ".join(str(s) for s in dims)


rows = [["0", "input", sizes[0], "", "", shape(*fp.a[0].shape), 0]]
for l in range(1, clf.n_layers + 1):
    W, b = clf.params[f"W{l}"], clf.params[f"b{l}"]
    assert b.shape == (sizes[l],) and np.broadcast_shapes(b.shape, fp.z[l].shape) == fp.z[l].shape
    assert fp.z[l].shape == fp.a[l].shape
    role = "output, softmax" if l == clf.n_layers else "hidden, ReLU"
    rows.append([str(l), role, sizes[l], shape(*W.shape), shape(1, *b.shape), shape(*fp.z[l].shape),
                 W.size + b.size])
n_params = sum(p.size for p in clf.params.values())
rows.append(["total", "", "", "", "", "", n_params])
md_table(["$l$", "layer", "$n_l$", "$W^{(l)}$", "$b^{(l)}$", "$Z^{(l)}$, $A^{(l)}$", "parameters"], rows,
         align="llrrrrr")
row_sums = fp.a[-1].sum(axis=1)
sum_dev = float(np.max(np.abs(row_sums - 1)))
sums_text = "exactly, in floating point" if sum_dev == 0 else f"to within ${sci(sum_dev)}$"
md(f"""
The network has {n_params} parameters. Each weight matrix has as many rows as the layer before it has
units, so consecutive shapes chain: ${n_batch} \\times {sizes[0]}$ times ${sizes[0]} \\times {sizes[1]}$ is
${n_batch} \\times {sizes[1]}$, and so on to the ${n_batch} \\times {sizes[-1]}$ output, one row of class
probabilities per sample (each row sums to 1 {sums_text}).
""")

# %% [markdown]
# ## One weight, three layouts
#
# Many texts, some of this book's sources among them, write one sample as a *column* and a layer as
#
# $$
# z_{\text{col}} = W^{(l)}_{\text{col}}\, a_{\text{col}} + b_{\text{col}}, \qquad
# W^{(l)}_{\text{col}} = \bigl(W^{(l)}\bigr)^\top \quad (n_l \times n_{l-1}),
# $$
#
# where the subscript "col" marks our rows $z^{(l)}$, $a^{(l-1)}$, $b^{(l)}$ stood up as columns:
# transposing this equation gives ours, $z^{(l)} = a^{(l-1)} W^{(l)} + b^{(l)}$. For a batch the column
# convention puts the samples in columns and adds $b_{\text{col}} \mathbf{1}_N^\top$. Nothing changes but
# the layout; the rows-are-samples layout reads a batch from a file or a data frame as it comes, one
# sample per row. The entry $w^{(l)}_{jk}$ sits at row $j$, column $k$ of $W^{(l)}$ and at row $k$,
# column $j$ of $W^{(l)}_{\text{col}}$.
#
# Michael Nielsen's *Neural Networks and Deep Learning* uses the column layout and names a weight
# (to, from): his $w^l_{jk}$ is the weight from unit $k$ of layer $l-1$ to unit $j$ of layer $l$. He also
# numbers the input layer $1$, not $0$ (his code keeps the matrix into his layer $l$ as `weights[l - 2]`,
# of shape units of layer $l$ by units of layer $l-1$). His $w^{l}_{jk}$ is therefore our
# $w^{(l-1)}_{kj}$.

# %% tags=["hide-input"]
# A first layer in the column convention: the 3-2-1 example's (2 units, 3 inputs), loaded as W1 = W_col.T.
W_col = np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]])
b_col = np.array([0.1, -0.2])
x_col = np.array([1.0, 0.5, -1.5])
z_col = W_col @ x_col + b_col
layer = bp.MLP([3, 2], output="identity")
layer.params.update(W1=W_col.T.copy(), b1=b_col.copy())
z_row = layer.forward(x_col[None, :]).z[1][0]
assert layer.params["W1"].shape == (3, 2) and layer.params["b1"].shape == (2,)

# %% [markdown]
# The [3-2-1 example](worked-example-321.py#two-ways-to-write-the-same-layer) gives its weights in the
# column layout and loads them into the library as `W1 = W_col.T`; both layouts give it the same
# pre-activations (checked below). The table reads one weight of the 5-10-10-4 classifier in the three
# layouts:

# %% tags=["hide-input"]
# One weight of the 5-10-10-4 classifier in the three layouts.
l_ex, j_ex, k_ex = 2, 3, 7  # from unit 3 of layer 1 to unit 7 of layer 2
W_ours = clf.params[f"W{l_ex}"]
nielsen_weights = [clf.params[f"W{l}"].T for l in range(1, clf.n_layers + 1)]  # his list: weights[0] is w^2
ours = W_ours[j_ex - 1, k_ex - 1]
col = W_ours.T[k_ex - 1, j_ex - 1]
his_l, his_j, his_k = l_ex + 1, k_ex, j_ex  # his layer numbers start at 1 for the input; (to, from)
his = nielsen_weights[his_l - 2][his_j - 1, his_k - 1]
swapped = W_ours[k_ex - 1, j_ex - 1]  # the slip: the same two indices in the other order
assert ours == col == his, (ours, col, his)
assert nielsen_weights[his_l - 2].shape == (sizes[l_ex], sizes[l_ex - 1])
assert swapped != ours
md_table(["layout", "name", "array entry (0-based)", "value"], [
    ["this book (rows are samples; from, to)", f"$w^{{({l_ex})}}_{{{j_ex}{k_ex}}}$",
     f"`W{l_ex}[{j_ex - 1}, {k_ex - 1}]`", ours],
    ["column layout", f"$W^{{({l_ex})}}_{{\\text{{col}}}}$, row {k_ex}, column {j_ex}",
     f"`W{l_ex}.T[{k_ex - 1}, {j_ex - 1}]`", col],
    ["Nielsen (to, from; input layer 1)", f"$w^{{{his_l}}}_{{{his_j}{his_k}}}$",
     f"`weights[{his_l - 2}][{his_j - 1}, {his_k - 1}]`", his],
], fmt=6, align="lllr")
md(f"""
The weight from unit {j_ex} of layer {l_ex - 1} to unit {k_ex} of layer {l_ex}: one number, three
addresses. ${sizes[l_ex - 1]} \\times {sizes[l_ex]}$ is square, so reading the indices in the wrong order
raises no error; it only picks another weight, $w^{{({l_ex})}}_{{{k_ex}{j_ex}}} = {tex(swapped, 6)}$.
""")

# %% [markdown]
# The chapters that follow differentiate this program. [The chain rule](chain-rule.py) gives the tool,
# [activation functions](activation-functions.py) and [loss functions](loss-functions.py) the pieces.
#
# ## Checks
#
# The page's claims, checked when it is built: the elementwise sums equal the library's batched
# forward pass (for both networks above), broadcasting equals the product with a column of ones, the
# column convention gives the same pre-activations, every $W^{(l)}$ in the table is $n_{l-1} \times n_l$,
# the parameter count matches the formula of exercise 1, and the three layouts of a weight agree (above).

# %% tags=["hide-input"]
# Broadcasting is exactly the product with a column of ones (same floating-point operations).
assert np.array_equal(Z1, Z1_outer)
assert np.array_equal(Z1, fp_small.z[1])
# The elementwise formula == the library's batched forward pass, both networks, all layers.
assert err_small < 1e-12, err_small
z_sums_clf, a_sums_clf = forward_by_sums(clf, Xb)
err_clf = max(rel_error(z_sums_clf[l], fp.z[l]) for l in range(1, clf.n_layers + 1))
err_clf_a = max(rel_error(a_sums_clf[l], fp.a[l]) for l in range(1, clf.n_layers + 1))
assert err_clf < 1e-12 and err_clf_a < 1e-12, (err_clf, err_clf_a)
# SymPy's symbolic Z(3) evaluated at the network's numbers (first two samples) == the library.
subs = {s: v for M, A in ((P["W3"], net.params["W3"]), (P["b3"], net.params["b3"][None, :]))
        for s, v in zip(M, A.ravel(), strict=True)}
subs.update({s: v for s, v in zip(A2s, fp_small.a[2][:2].ravel(), strict=True)})
Z3_sym_num = np.array(Z3_symbolic.subs(subs), dtype=float)
assert rel_error(Z3_sym_num, fp_small.z[3][:2]) < 1e-12
# Column convention == row convention; the unit of "One unit" is the first of this layer.
assert np.allclose(z_col, z_row, rtol=1e-15, atol=1e-15), (z_col, z_row)
assert z_col[0] == z_one and a_one == 0.0
# Shapes follow the rule; the parameter count agrees with the diagrams' count and exercise 1's formula.
for l in range(1, clf.n_layers + 1):
    assert clf.params[f"W{l}"].shape == (sizes[l - 1], sizes[l])
    assert fp.z[l].shape == fp.a[l].shape == (n_batch, sizes[l])
weights, biases = count_parameters(sizes)
assert weights + biases == n_params, (weights, biases, n_params)
assert np.allclose(row_sums, 1.0, rtol=0, atol=1e-12)
md(f"All checks passed (largest relative difference, loops against the library: ${sci(max(err_small, err_clf))}$).")

# %% [markdown]
# ## Exercises
#
# **1.** How many parameters does a fully connected network with layer sizes $n_0, n_1, \dots, n_L$
# have? Evaluate your formula for 5-10-10-4 and for the 784-256-128-10 network often used on
# handwritten digits.

# %% tags=["hide-input"]
def n_parameters(sz):
    return sum((sz[l - 1] + 1) * sz[l] for l in range(1, len(sz)))


mnist = [784, 256, 128, 10]
n_mnist_lib = sum(p.size for p in bp.MLP(mnist, seed=0).params.values())
assert n_parameters(sizes) == n_params and n_parameters(mnist) == n_mnist_lib, (n_parameters(mnist), n_mnist_lib)


def terms(sz):
    return " + ".join(f"{sz[l - 1] + 1} \\cdot {sz[l]}" for l in range(1, len(sz)))


solution(f"""
Layer $l$ has $n_{{l-1}} n_l$ weights and $n_l$ biases, so the total is
$\\sum_{{l=1}}^{{L}} (n_{{l-1}} + 1)\\, n_l$ (the $+1$ is the bias, a weight from a unit that always
outputs 1). For 5-10-10-4: ${terms(sizes)} = {n_parameters(sizes)}$. For
784-256-128-10: ${terms(mnist)} = {n_parameters(mnist)}$, the number of
entries in a `bp.MLP({mnist})`'s `params`.
""")

# %% [markdown]
# **2.** A batch of $N = 32$ samples goes through the 5-10-10-4 classifier. What are the shapes of
# $Z^{(2)}$, $A^{(3)}$ and of the product $A^{(1)} W^{(2)}$ before the bias is added?

# %% tags=["hide-input"]
fp32 = clf.forward(np.random.default_rng(4).normal(size=(32, 5)))
prod = fp32.a[1] @ clf.params["W2"]
assert fp32.z[2].shape == prod.shape == (32, 10) and fp32.a[3].shape == (32, 4)
# The batch size appears in no parameter's shape.
assert all(32 not in p.shape for p in clf.params.values())
solution(f"""
$Z^{{(2)}}$ is ${fp32.z[2].shape[0]} \\times {fp32.z[2].shape[1]}$: one row per sample, one column per
unit of layer 2. $A^{{(3)}}$ is ${fp32.a[3].shape[0]} \\times {fp32.a[3].shape[1]}$. The product
$A^{{(1)}} W^{{(2)}}$ is $({fp32.a[1].shape[0]} \\times {fp32.a[1].shape[1]})
({clf.params["W2"].shape[0]} \\times {clf.params["W2"].shape[1]}) = {prod.shape[0]} \\times {prod.shape[1]}$
already; the bias row $\\mathbf{{1}}_{{32}}\\, b^{{(2)}}$ adds the same ${clf.params["b2"].shape[0]}$ biases to each
of its {prod.shape[0]} rows. No weight's or bias's shape contains the batch size.
""")
