# %% [markdown]
# # Notation and the forward pass
#
# A multilayer perceptron is a short program: multiply, add, apply a function, repeat. This chapter
# fixes the names of everything that program touches (units, pre-activations, activations, weights,
# biases), the shapes of the arrays that hold them, and the one line of NumPy that runs a whole layer
# for a whole batch of samples. The rest of the book uses these names without comment.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import Math, display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution
from backprop.book.netdiagram import count_parameters, draw_network, network_alt, network_figsize

# %% [markdown]
# ## One neuron
#
# A unit (a *neuron*) receives the activations $a_1, \dots, a_m$ of the units before it, weighs each
# with a weight $w_j$, adds a bias $b$ and passes the sum through an activation function $f$:
#
# $$
# z = \sum_{j=1}^{m} w_j\, a_j + b, \qquad a = f(z).
# $$
#
# The weighted sum $z$ is the unit's **pre-activation**; $a$ is its **activation**, which the next
# units receive as one of their inputs. Keeping $z$ and $a$ apart matters: the backward pass needs
# $f'(z)$, so the forward pass keeps every $z$. The functions $f$ are the subject of
# [the chapter on activation functions](activation-functions.py).

# %% tags=["hide-input"]
a_in = np.array([1.0, 0.5, -1.5])
w_in = np.array([0.2, -0.4, 0.1])
b_in = 0.1
z_one = float(w_in @ a_in + b_in)
a_one = float(bp.relu(np.array(z_one)))
terms = " + ".join(f"({w:g})({x:g})" for w, x in zip(w_in, a_in, strict=True))
md(f"""
For example, with inputs $({", ".join(f"{x:g}" for x in a_in)})$, weights $({", ".join(f"{w:g}" for w in w_in)})$,
bias ${b_in:g}$ and the ReLU $f(z) = \\max(0, z)$:
$z = {terms} + {b_in:g} = {z_one:.4g}$ and $a = \\max(0, {z_one:.4g}) = {a_one:.4g}$.
""")

# %% [markdown]
# ## Layers and their indices
#
# A network has layers $l = 0, 1, \dots, L$: layer $0$ holds the inputs, layer $L$ the outputs, the
# layers between are *hidden*. Layer $l$ has $n_l$ units. A batch holds $n$ samples, numbered
# $i = 1, \dots, n$. The symbols:
#
# | symbol | meaning |
# |:--|:--|
# | $a^{(l)}_{i,k}$ | activation of unit $k$ of layer $l$ for sample $i$; $a^{(0)}_{i,k} = x_{i,k}$ is feature $k$ |
# | $z^{(l)}_{i,k}$ | pre-activation of unit $k$ of layer $l$ for sample $i$ ($l \ge 1$) |
# | $w^{(l)}_{j,k}$ | weight from unit $j$ of layer $l-1$ to unit $k$ of layer $l$ |
# | $b^{(l)}_k$ | bias of unit $k$ of layer $l$ |
# | $f_l$ | activation function of layer $l$ |
#
# The order of the two weight indices is *from, to*: the first index names the unit the signal leaves,
# the second the unit it arrives at. With these names the forward pass is, for $l = 1, \dots, L$,
# $k = 1, \dots, n_l$ and every sample $i$,
#
# $$
# z^{(l)}_{i,k} = \sum_{j=1}^{n_{l-1}} w^{(l)}_{j,k}\, a^{(l-1)}_{i,j} + b^{(l)}_k,
# \qquad
# a^{(l)}_{i,k} = f_l\bigl(z^{(l)}_{i,k}\bigr).
# $$
#
# The sum runs over the units $j$ of the *previous* layer; the free index $k$ runs over the units of
# the current one. Drawn as a graph, every unit of one layer is joined to every unit of the next, one
# line per weight. The drawing below is made from the list of layer sizes alone; a few weights carry
# their label, so the index order can be read off the picture.

# %% tags=["hide-input"]
small = [2, 3, 2, 1]
figure(lambda fig: draw_network(fig, small), alt=network_alt(small), figsize=network_figsize(small),
       caption="A 2-3-2-1 network. Layer 0 (dashed) holds the inputs; each line is one weight.")

# %% [markdown]
# ## Weight matrices
#
# The weights into layer $l$ fill one matrix $W^{(l)}$ with $n_{l-1}$ rows and $n_l$ columns: entry
# $(j, k)$ is $w^{(l)}_{j,k}$. Row $j$ holds every weight *leaving* unit $j$ of layer $l-1$; column $k$
# every weight *arriving* at unit $k$ of layer $l$. The biases of layer $l$ form a vector $b^{(l)}$ of
# length $n_l$. For the 2-3-2-1 network, SymPy builds the matrices with one symbol per parameter,
# exactly as the library lays out its arrays (`W1`, `b1`, ...):

# %% tags=["hide-input"]
P = bs.parameter_symbols(small)
display(Math(",\\qquad ".join(
    f"W^{{({l})}} = {sp.latex(P[f'W{l}'])}" for l in range(1, len(small)))))
display(Math(",\\qquad ".join(
    f"b^{{({l})}} = {sp.latex(P[f'b{l}'])}" for l in range(1, len(small)))))

# %% [markdown]
# ## The batched forward pass
#
# Stack the $n$ samples as the rows of a matrix: $A^{(0)} = X$ has shape $n \times n_0$. The sum over
# $j$ in the formula above is then the matrix product of row $i$ of $A^{(l-1)}$ with column $k$ of
# $W^{(l)}$, and a whole layer for a whole batch is
#
# $$
# Z^{(l)} = A^{(l-1)} W^{(l)} + \mathbf{1}_n\, {b^{(l)}}^{\top},
# \qquad
# A^{(l)} = f_l\bigl(Z^{(l)}\bigr),
# $$
#
# with shapes $(n \times n_{l-1})(n_{l-1} \times n_l) + (n \times 1)(1 \times n_l) = n \times n_l$.
# The outer product $\mathbf{1}_n {b^{(l)}}^\top$ (a column of $n$ ones times the bias as a row) is the
# bias copied into every row: one bias per unit, the same for every sample. NumPy does this copy
# itself when a vector of shape `(n_l,)` is added to a matrix of shape `(n, n_l)` (*broadcasting*), so
# the code is shorter than the formula. SymPy shows the product for two samples of the 2-3-2-1
# network's first layer, entry $(i, k)$ being the sum above:

# %% tags=["hide-input"]
Xs = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"x_{{{i + 1},{j + 1}}}"))
Z1_symbolic = Xs * P["W1"] + sp.ones(2, 1) * P["b1"]
display(Math(f"Z^{{(1)}} = X W^{{(1)}} + \\mathbf{{1}}_2 {{b^{{(1)}}}}^\\top = {sp.latex(Z1_symbolic)}"))

# %% [markdown]
# In NumPy, with the weights of a randomly initialised 2-3-2-1 network (ReLU hidden layers, identity
# output) and a batch of four samples:

# %%
net = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", seed=1)
X = np.random.default_rng(2).normal(size=(4, 2))
W1, b1 = net.params["W1"], net.params["b1"]

Z1 = X @ W1 + b1                            # broadcasting: b1 has shape (3,)
Z1_outer = X @ W1 + np.ones((4, 1)) @ b1[None, :]   # the formula's 1_n b^T, written out
print(Z1.shape, np.array_equal(Z1, Z1_outer))

# %% [markdown]
# The library's `forward` runs this line for every layer and keeps every $Z^{(l)}$ and $A^{(l)}$
# (`z[l]`, `a[l]`), because the backward pass needs them. To be sure the matrix form computes the
# formula with indices, the hidden cell below evaluates the sum over $j$ with explicit loops, one
# number at a time, and compares every pre-activation with the library's.

# %% tags=["hide-input"]
def forward_by_sums(net, X):
    """The elementwise formula, literally: z[l][i, k] = sum_j w[j, k] a[i, j] + b[k]."""
    a = [np.asarray(X, dtype=float)]
    zs = [None]
    for l in range(1, net.n_layers + 1):
        W, b = net.params[f"W{l}"], net.params[f"b{l}"]
        n, n_prev, n_l = len(X), W.shape[0], W.shape[1]
        z = np.empty((n, n_l))
        for i in range(n):
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
md(f"""
Across the {sum(z.size for z in z_sums[1:])} pre-activations of the four samples, the loops and the
library's `forward` differ by at most ${sci(err_small)}$ relative to the largest entry: the same sums,
added in a different order.
""")

# %% [markdown]
# ## The column convention
#
# Many texts, some of this book's sources among them, write one sample as a column vector $x$ and a
# layer as $z = W x + b$, with $W$ of shape $n_l \times n_{l-1}$ (outputs by inputs). That matrix is
# the transpose of ours:
#
# $$
# W_{\text{col}}^{(l)} = {W^{(l)}}^\top, \qquad
# z^{(l)} = W_{\text{col}}^{(l)}\, a^{(l-1)} + b^{(l)}
# \;\Longleftrightarrow\;
# {z^{(l)}}^\top = {a^{(l-1)}}^\top W^{(l)} + {b^{(l)}}^\top .
# $$
#
# For a batch, the column convention puts samples in columns, $Z_{\text{col}} = W_{\text{col}}
# A_{\text{col}} + b\,\mathbf{1}_n^\top$, and transposing both sides gives back
# $Z = A W + \mathbf{1}_n b^\top$. Nothing changes but the layout; the rows-are-samples layout lets a
# batch be read from a file or a data frame as it comes, one sample per row. The entry $w^{(l)}_{j,k}$
# sits at row $j$, column $k$ of $W^{(l)}$ and at row $k$, column $j$ of $W_{\text{col}}^{(l)}$.

# %% tags=["hide-input"]
# A first layer in the column convention: 2 units, 3 inputs (the 3-2-1 example's first layer).
W_col = np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]])
b_col = np.array([0.1, -0.2])
x_col = np.array([1.0, 0.5, -1.5])
z_col = W_col @ x_col + b_col
layer = bp.MLP([3, 2], output="identity")
layer.params.update(W1=W_col.T.copy(), b1=b_col.copy())
z_row = layer.forward(x_col[None, :]).z[1][0]
md(f"""
For example, a layer with $W_{{\\text{{col}}}} = {sp.latex(sp.Matrix(W_col))}$ (2 units, 3 inputs) and
$b = ({b_col[0]:g}, {b_col[1]:g})$ maps $x = ({", ".join(f"{v:g}" for v in x_col)})$ to
$z = W_{{\\text{{col}}}}\\, x + b = ({z_col[0]:.4g}, {z_col[1]:.4g})$. Loaded into the library as
`W1 = W_col.T`, of shape ${W_col.T.shape[0]} \\times {W_col.T.shape[1]}$, the row $x^\\top$ gives
$x^\\top W^{{(1)}} + b^\\top = ({z_row[0]:.4g}, {z_row[1]:.4g})$: the same numbers.
""")

# %% [markdown]
# ## Shapes in the 5-10-10-4 classifier
#
# One of the book's sources builds a classifier with 5 input features, two hidden layers of 10 ReLU
# units and 4 softmax outputs, one per class. The table is read off a network built by the library and
# a forward pass on a batch of 8 samples: every shape below is the `.shape` of an actual array.

# %% tags=["hide-input"]
sizes = [5, 10, 10, 4]
clf = bp.MLP(sizes, hidden="relu", output="softmax", loss="cross_entropy", seed=0)
n_batch = 8
Xb = np.random.default_rng(3).normal(size=(n_batch, sizes[0]))
fp = clf.forward(Xb)


def shape(arr):
    return "$" + r" \times ".join(str(s) for s in arr.shape) + "$"


rows = [["0 (input)", sizes[0], "", "", "", shape(fp.a[0]), 0]]
for l in range(1, clf.n_layers + 1):
    W, b = clf.params[f"W{l}"], clf.params[f"b{l}"]
    role = "output, softmax" if l == clf.n_layers else "hidden, ReLU"
    rows.append([f"{l} ({role})", sizes[l], shape(W), shape(b), shape(fp.z[l]), shape(fp.a[l]), W.size + b.size])
n_params = sum(p.size for p in clf.params.values())
rows.append(["total", "", "", "", "", "", n_params])
md_table(["layer $l$", "$n_l$", "$W^{(l)}$", "$b^{(l)}$", "$Z^{(l)}$", "$A^{(l)}$", "parameters"], rows,
         fmt="{:d}", align="lrrrrrr")
row_sums = fp.a[-1].sum(axis=1)
sum_dev = float(np.max(np.abs(row_sums - 1)))
sums_text = "exactly, in floating point" if sum_dev == 0 else f"within ${sci(sum_dev)}$"
md(f"""
The network has {n_params} parameters. Each weight matrix has as many rows as the layer before it has
units, so consecutive shapes chain: ${n_batch} \\times {sizes[0]}$ times ${sizes[0]} \\times {sizes[1]}$ is
${n_batch} \\times {sizes[1]}$, and so on to the ${n_batch} \\times {sizes[-1]}$ output, one row of class
probabilities per sample (each row sums to 1 {sums_text}).
""")

# %% tags=["hide-input"]
figure(lambda fig: draw_network(fig, sizes), alt=network_alt(sizes), figsize=network_figsize(sizes),
       caption=f"The 5-10-10-4 classifier: {count_parameters(sizes)[0]} weights, one line each; "
       "the shapes of the weight matrices are written below.")

# %% [markdown]
# The chapters that follow differentiate this program. [The chain rule](chain-rule.py) gives the tool,
# [activation functions](activation-functions.py) and [loss functions](loss-functions.py) the pieces.
#
# ## Checks
#
# The page's claims, checked when it is built: the elementwise sums equal the library's batched
# forward pass (for both networks above), broadcasting equals the outer product $\mathbf{1}_n b^\top$,
# the column convention gives the same pre-activations, the table's shapes follow the rule
# $W^{(l)} \in \mathbb{R}^{n_{l-1} \times n_l}$, and the parameter count matches the diagram's.

# %% tags=["hide-input"]
# Broadcasting is exactly the outer product with a column of ones (same floating-point operations).
assert np.array_equal(Z1, Z1_outer)
assert np.array_equal(Z1, fp_small.z[1])
# The elementwise formula == the library's batched forward pass, both networks, all layers.
assert err_small < 1e-12, err_small
z_sums_clf, a_sums_clf = forward_by_sums(clf, Xb)
err_clf = max(rel_error(z_sums_clf[l], fp.z[l]) for l in range(1, clf.n_layers + 1))
err_clf_a = max(rel_error(a_sums_clf[l], fp.a[l]) for l in range(1, clf.n_layers + 1))
assert err_clf < 1e-12 and err_clf_a < 1e-12, (err_clf, err_clf_a)
# SymPy's symbolic Z(1) evaluated at the network's numbers == the library.
subs = {s: v for M, A in ((P["W1"], W1), (P["b1"], b1[None, :])) for s, v in zip(M, A.ravel(), strict=True)}
subs.update({s: v for s, v in zip(Xs, X[:2].ravel(), strict=True)})
Z1_sym_num = np.array(Z1_symbolic.subs(subs), dtype=float)
assert rel_error(Z1_sym_num, fp_small.z[1][:2]) < 1e-12
# Column convention == row convention.
assert np.allclose(z_col, z_row, rtol=1e-15, atol=1e-15), (z_col, z_row)
assert np.allclose(z_col, [-0.05, 1.4], rtol=0, atol=1e-12), z_col
# Shapes follow the rule; parameter counts agree with the formula used by the diagram.
for l in range(1, clf.n_layers + 1):
    assert clf.params[f"W{l}"].shape == (sizes[l - 1], sizes[l])
    assert fp.z[l].shape == fp.a[l].shape == (n_batch, sizes[l])
weights, biases = count_parameters(sizes)
assert weights + biases == n_params == 214, (weights, biases, n_params)
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
# **2.** A batch of 32 samples goes through the 5-10-10-4 classifier. What are the shapes of $Z^{(2)}$,
# $A^{(3)}$ and of the product $A^{(1)} W^{(2)}$ before the bias is added?

# %% tags=["hide-input"]
fp32 = clf.forward(np.random.default_rng(4).normal(size=(32, 5)))
prod = fp32.a[1] @ clf.params["W2"]
assert fp32.z[2].shape == prod.shape == (32, 10) and fp32.a[3].shape == (32, 4)
solution(f"""
$Z^{{(2)}}$ is ${fp32.z[2].shape[0]} \\times {fp32.z[2].shape[1]}$: one row per sample, one column per
unit of layer 2. $A^{{(3)}}$ is ${fp32.a[3].shape[0]} \\times {fp32.a[3].shape[1]}$. The product
$A^{{(1)}} W^{{(2)}}$ is $({fp32.a[1].shape[0]} \\times {fp32.a[1].shape[1]})
({clf.params["W2"].shape[0]} \\times {clf.params["W2"].shape[1]}) = {prod.shape[0]} \\times {prod.shape[1]}$
already; the bias, of shape $({clf.params["b2"].shape[0]},)$, is broadcast over its {prod.shape[0]} rows. The batch size
never appears in a weight's shape.
""")

# %% [markdown]
# **3.** In the column convention, what is the shape of $W_{\text{col}}^{(2)}$ for the 5-10-10-4
# classifier, and where in it is the weight from unit 3 of layer 1 to unit 7 of layer 2?

# %% tags=["hide-input"]
W2 = clf.params["W2"]
W2_col = W2.T
assert W2_col.shape == (10, 10) and W2_col[6, 2] == W2[2, 6]
solution(f"""
$W_{{\\text{{col}}}}^{{(2)}} = {{W^{{(2)}}}}^\\top$ is ${W2_col.shape[0]} \\times {W2_col.shape[1]}$ (outputs by inputs,
here both {W2_col.shape[0]}).
The weight $w^{{(2)}}_{{3,7}}$ is at row 3, column 7 of $W^{{(2)}}$ (`W2[2, 6]` with NumPy's 0-based
indices) and at row 7, column 3 of $W_{{\\text{{col}}}}^{{(2)}}$ (`W2.T[6, 2]`); in the network built
above both read ${W2[2, 6]:.6f}$. A square matrix makes the slip easy: the shapes match either way,
only the numbers are wrong.
""")
