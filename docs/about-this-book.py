# %% [markdown]
# # About this book
#
# ## Scope
#
# The book explains how a multilayer perceptron learns: the forward pass that turns inputs into a
# prediction, the loss that scores it, backpropagation, which turns the loss into a derivative for
# every weight and bias by the chain rule, and gradient descent, which uses those derivatives. Two
# small networks are worked through number by number; the general algorithm is derived for any depth
# and width; gradients are checked against finite differences; and two applications (fitting a curve,
# classifying irises) train networks end to end. The pages are written with a NumPy library of
# the same name, `backprop`, whose code the book explains and tests.
#
# It covers fully connected networks trained by gradient descent (full batch or mini-batches), with
# the optimisers momentum, RMSProp and Adam, regularisation (weight decay, dropout, early stopping) and
# batch normalisation. Convolutional and recurrent networks and GPU computation are outside it.
#
# ## Prerequisites
#
# - Derivatives of functions of one variable, and the chain rule for them; partial derivatives are
#   introduced in [the chain rule](chain-rule.py) chapter.
# - Vectors and matrices: the matrix product, the transpose, shapes.
# - Enough Python to read a loop and a function, and NumPy arrays (`@`, `.T`, `.shape`, broadcasting).
#
# The symbols are defined once, in the [notation table](symbols.py).
#
# ## How the book checks itself
#
# Every chapter (every page but the home page and the API reference) is a Python program (a
# [jupytext](https://jupytext.readthedocs.io) file) that runs while the site is built. The numbers in
# its prose, its tables and its figures are the program's output, and `assert` statements check what it
# says; if one fails, the build stops with an error.
#
# - **Three routes to a gradient.** SymPy differentiates the loss of a small network written as one
#   expression of every weight and bias (`backprop.symbolic`); the library computes the same gradients by
#   backpropagation; finite differences estimate them from the loss alone. The library must agree with
#   SymPy to $10^{-12}$ of the largest gradient, and with the finite differences of `bp.check_gradients`
#   to a relative error of $10^{-7}$ in double precision. Where a relative error says nothing (a
#   derivative that is exactly zero, one below the rounding noise of the quotient, a ReLU kink inside
#   the stencil) the report counts the entry apart and says how it judged it
#   ([gradient checking](gradient-checking.py#how-the-library-decides)).
# - **No result is typed.** The numbers typed in a page are the inputs of its examples (a weight, a
#   learning rate, a number of epochs) and the values it quotes from its sources. Every number the
#   computation produces is written into the sentence by the code that computed it (in a hidden cell,
#   or printed by the code shown), by one formatting rule (significant figures, a true minus sign,
#   powers of ten outside $[10^{-3}, 10^{5})$).
# - **Claims are checked like numbers.** A sentence that says "every", "never", "at most", gives a bound
#   or compares two things must be backed by an `assert` on its page, on a case that could make it false.
# - **The code you see runs.** The code cells a page shows run alone, from top to bottom, in a fresh
#   Python with only the library installed (the test suite runs them that way).
# - **Published numbers are recomputed.** The tutorials the book grew from are compared, number by
#   number, with the computation on the [errata page](errata.py).
#
# The rest of this page shows these pieces on one small fact.

# %% tags=["hide-input"]
import math

import numpy as np

from backprop.book import figure, md, md_table, num, solution, tex

# %% [markdown]
# ## A number in the text is computed
#
# The sigmoid $\sigma(z) = 1/(1 + e^{-z})$ has the derivative
# $\sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr)$. The sentence below comes from a hidden cell that
# evaluates it on a grid.

# %% tags=["hide-input"]
z = np.linspace(-6.0, 6.0, 1201)
s = 1.0 / (1.0 + np.exp(-z))
ds = s * (1.0 - s)
i_max = int(np.argmax(ds))
assert z[i_max] == 0.0 and abs(ds[i_max] - 0.25) < 1e-15
md(f"""
On a grid of {z.size} points from ${tex(z[0])}$ to ${tex(z[-1])}$ the derivative is largest at
$z = {tex(z[i_max])}$, where it is ${tex(ds[i_max])}$.
""")

# %% [markdown]
# ## A formula comes from SymPy
#
# A code cell is shown when the code teaches something; this one runs on its own:

# %%
import sympy as sp

z_s = sp.symbols("z", real=True)
sigma = 1 / (1 + sp.exp(-z_s))
dsigma = sp.diff(sigma, z_s)
print(dsigma)
print(sp.simplify((dsigma - sigma * (1 - sigma)).rewrite(sp.exp)))  # 0: the two forms agree

# %% [markdown]
# ## A table of computed values

# %% tags=["hide-input"]
points = [-2.0, 0.0, 2.0]
md_table(
    ["$z$", r"$\sigma(z)$", r"$\sigma'(z)$"],
    [[zz, 1 / (1 + math.exp(-zz)), math.exp(-zz) / (1 + math.exp(-zz)) ** 2] for zz in points],
    fmt=4,
)

# %% [markdown]
# ## A figure in both themes

# %% tags=["hide-input"]
def draw_sigmoid(fig):
    ax = fig.subplots()
    ax.plot(z, s, label=r"$\sigma(z)$")
    ax.plot(z, ds, label=r"$\sigma'(z)$", linestyle="--")
    ax.set_xlabel("$z$")
    ax.legend(loc="upper left")


figure(
    draw_sigmoid,
    alt="The sigmoid rises from 0 to 1 around z = 0; its derivative is a bump of height "
    f"{num(ds[i_max], 2)} centred at z = {num(z[i_max])}.",
    caption=r"The sigmoid $\sigma$ and its derivative $\sigma'$.",
)

# %% [markdown]
# ## A claim is asserted
#
# Because $\sigma' \le \tfrac14$, a sigmoid unit damps the change of its *pre-activation*: a change
# $\Delta z$ moves $a = \sigma(z)$ by at most $\tfrac14 |\Delta z|$ (to first order). That bound is about
# the $z \to a$ link only. The derivative of the activation with respect to a weight feeding the unit,
# $\partial a / \partial w = \sigma'(z)\, x$, also carries the input $x$ that the weight multiplies, and
# is not bounded by $\tfrac14$:

# %% tags=["hide-input"]
zs = sp.symbols("z", real=True)
sig_sym = 1 / (1 + sp.exp(-zs))
dsig_sym = sp.diff(sig_sym, zs)
critical = sp.solve(sp.diff(dsig_sym, zs), zs)
peak = dsig_sym.subs(zs, 0)
assert critical == [0] and peak == sp.Rational(1, 4)  # the only critical point, and the value there
assert sp.limit(dsig_sym, zs, sp.oo) == 0 and sp.limit(dsig_sym, zs, -sp.oo) == 0  # so 1/4 is the maximum
assert np.all(ds <= 0.25)
# The weight's factor sigma'(z) x exceeds 1/4 as soon as |x| > 4 near z = 0: a case that breaks the
# "damped by at least 4" reading.
x_in, w_in, b_in = 3.0, 0.5, -1.5  # z = w x + b = 0 exactly
z_in = w_in * x_in + b_in
factor = (1 / (1 + math.exp(-z_in))) * (1 - 1 / (1 + math.exp(-z_in))) * x_in
h = 1e-6
fd = (1 / (1 + math.exp(-((w_in + h) * x_in + b_in))) - 1 / (1 + math.exp(-((w_in - h) * x_in + b_in)))) / (2 * h)
assert abs(fd - factor) < 1e-8 and factor > 0.25 and math.isclose(factor, 3 * 0.25), (fd, factor)
assert z_in == 0.0
# The exercise's solution: at z = 0 the weight's derivative is |x|/4, an amplification (> 1) once |x| > 4.
x_big, w_big, b_big = 6.0, 0.5, -3.0
z_big = w_big * x_big + b_big
factor_big = (1 / (1 + math.exp(-z_big))) * (1 - 1 / (1 + math.exp(-z_big))) * x_big
assert z_big == 0.0 and factor_big == x_big / 4 > 1, factor_big
md(f"""
With input $x = {tex(x_in)}$, weight $w = {tex(w_in)}$ and bias $b = {tex(b_in)}$ the unit sits at
$z = {tex(z_in)}$, and $\\partial a/\\partial w = \\sigma'(0) \\cdot {tex(x_in)} = {tex(factor)}$ (a centred
difference gives ${tex(fd, 6)}$), three times the bound on the $z \\to a$ link. The cell behind this
paragraph asserts both facts: SymPy finds the single maximum $\\sigma'(0) = \\tfrac14$, and the
example's derivative exceeds $\\tfrac14$.
""")

# %% [markdown]
# ## An exercise with a checked solution
#
# **Exercise.** At which $z$ is $\sigma'(z)$ largest, and what is its value there? What does that say
# about $\partial a/\partial z$ and about $\partial a/\partial w$ for a sigmoid unit $a = \sigma(wx + b)$?

# %% tags=["hide-input"]
solution(f"""
Set the second derivative to zero: SymPy finds the single critical point $z = {sp.latex(critical[0])}$,
where $\\sigma'(0) = {sp.latex(peak)}$, and $\\sigma'(z) \\to 0$ as $z \\to \\pm\\infty$, so
$0 < \\sigma'(z) \\le {sp.latex(peak)}$ everywhere: $|\\partial a/\\partial z| \\le {sp.latex(peak)}$. For a weight,
$|\\partial a/\\partial w| = \\sigma'(z)\\, |x| \\le {sp.latex(peak)}\\,|x|$: the damping by $4$ holds for the
$z \\to a$ link only. At $z = 0$ the weight's derivative is $|x|/4$: above $\\tfrac14$ for every $|x| > 1$
(above, $x = {tex(x_in)}$ gives ${tex(factor)}$) and above $1$, an amplification, for $|x| > 4$
($x = {tex(x_big)}$ with $w = {tex(w_big)}$, $b = {tex(b_big)}$ gives ${tex(factor_big)}$).
""")

# %% [markdown]
# ## The sources
#
# The book grew from five public tutorials. It reuses their examples and numbers, recomputed; their
# prose and code are not reproduced. The [errata page](errata.py) lists where their published numbers
# disagree with the computation.
#
# - *Back-propagation and forward propagation in Neural Networks* (no author named): the
#   [1-1-1 network](worked-example-111.py), its one-sample forward and backward pass, and the 60 epochs
#   of training with the plots of the loss and the gradient norm.
# - *Understanding Backpropagation Through a Basic Neural Network Example*, by Priyank Goyal: the
#   [3-2-1 network](worked-example-321.py) with ReLU hidden units, a sigmoid output and binary
#   cross-entropy, and its one step of gradient descent.
# - *Feed Forward Neural Network* (no author named), a long tutorial: the layout of the notation
#   (layers $0$ to $L$, samples as rows, $W^{(l)}$ with $n_{l-1}$ rows and $n_l$ columns, weights indexed
#   from, to), the batched forward pass with the bias copied into every row, the 2-3-2-1 network, the
#   general equations for the deltas, and a network class built from tables of activations and losses,
#   the design of the library.
# - *Build Neural Network : Feedforward and Backpropagation with NumPy* (no author named): the
#   5-10-10-4 classifier of the [notation chapter](notation.py), and what the sign of a gradient says
#   about the direction of a step.
# - A blog post that builds a network neuron by neuron in NumPy, without a title or an author's name in
#   the copy the book worked from: plots of the activation functions, the chain rule along several
#   paths, the chain of neurons fitting $x^2$ of [fitting a curve](fitting-a-curve.py), the remark that
#   gradient buffers must be emptied between steps, and the challenge of training on the Iris flowers taken up in
#   [classification](classification.py).
