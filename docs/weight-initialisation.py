# %% [markdown]
# # Weight initialisation
#
# Gradient descent needs a starting point: before the first step every weight must have a value. The
# choice looks like a detail, yet it decides whether training starts at all. This chapter trains a
# network whose initial weights are too small to learn anything, derives how the size of the weights
# sets the size of the signals in the forward and the backward pass, obtains the Glorot and He rules
# from that derivation, and measures the signals layer by layer in deep networks.

# %% tags=["hide-input"]
import math

import matplotlib.ticker
import mpmath
import sympy as sp
from IPython.display import Math, display

from backprop.book import figure, md, md_table, num, solution, tex
from backprop.book.numbers import down, up
from backprop.book.symbols import symbol_box

symbol_box(["expectation", "normal", "uniform", "chi"],
           heading="Symbols this page adds to those of the notation chapter")

# %% [markdown]
# ## Too small: weights of scale 0.001
#
# The long tutorial among the book's sources, the one that builds an `NN` class, starts every weight
# from a normal distribution with standard deviation $s = 0.001$, $\mathcal{N}(0, 0.001^2)$, and every
# bias at zero. Its running example has two inputs, hidden layers of 3 and 2 ReLU units and one linear
# output, trained on the half squared error. Its text gives only the first of its training samples, so
# we use our own data: points in a square and a smooth target. `MLP(..., init=0.001)` draws the weights as the
# tutorial does; `init="he"` uses the rule derived below. Each scheme is trained from a few seeds by
# full-batch gradient descent.

# %%
import numpy as np

import backprop as bp

rng = np.random.default_rng(0)
X = rng.uniform(-2, 2, size=(100, 2))
Y = np.sin(X[:, :1]) + 0.5 * X[:, 1:] ** 2  # the target, one column

constant_loss = 0.5 * np.mean((Y - Y.mean()) ** 2)  # the best a constant prediction can do
epochs, lr, seeds = 2000, 0.05, range(6)
runs = {}
for init in (0.001, "he"):
    for seed in seeds:
        net = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", loss="mse", init=init, seed=seed)
        runs[init, seed] = (net, net.fit(X, Y, epochs=epochs, lr=lr))

for (init, seed), (_, history) in runs.items():
    print(f"init={init!s:5} seed {seed}: final loss / constant predictor's loss = "
          f"{history.loss[-1] / constant_loss:.9f}")

# %% [markdown]
# The loss of a constant prediction $\hat y = c$ is $\tfrac12 \cdot \frac1N \sum_i (c - y_i)^2$, smallest at
# the mean $c = \bar y$, where it is half the variance of the targets: `constant_loss` above. A network
# that reaches this value and stays there has learned nothing about its inputs.

# %% tags=["hide-input"]
small = [runs[0.001, s][1] for s in seeds]
he = [runs["he", s][1] for s in seeds]
small_nets = [runs[0.001, s][0] for s in seeds]
settle = 200  # epochs for the output bias to reach the mean of the targets (checked below)
small_dev = max(float(np.abs(h.loss[settle:] / constant_loss - 1).max()) for h in small)
# The constant predictor: c = mean(y) minimises 1/2 mean((c - y)^2), with value 1/2 Var(y) (SymPy).
c_sym, ys = sp.Symbol("c"), sp.symbols("y1:6")
quad = sum((c_sym - yv) ** 2 for yv in ys) / (2 * len(ys))
c_best = sp.solve(sp.diff(quad, c_sym), c_sym)[0]
assert sp.simplify(c_best - sum(ys) / len(ys)) == 0
assert sp.simplify(quad.subs(c_sym, c_best) - sum((yv - c_best) ** 2 for yv in ys) / (2 * len(ys))) == 0
# The small-initialised networks: from epoch `settle` on, the loss is the constant predictor's to 1e-6
# (relative), the output bias is the mean of the targets, and every prediction is that mean.
assert small_dev < 1e-6, small_dev
for net in small_nets:
    assert abs(net.params["b3"][0] - Y.mean()) < 1e-4 * abs(Y.mean())
    assert np.ptp(net.predict(X)) < 1e-3 * np.ptp(Y)
pred_spread = max(float(np.abs(net.predict(X) - Y.mean()).max()) for net in small_nets)
he_good = [s for s in seeds if runs["he", s][1].loss[-1] < 0.5 * constant_loss]
he_dead = [s for s in seeds if abs(runs["he", s][1].loss[-1] / constant_loss - 1) < 1e-6]
for s_dead in he_dead:  # the explanation in the text: a hidden layer entirely inactive on all the samples
    fp_dead = runs["he", s_dead][0].forward(X)
    assert any(np.all(fp_dead.a[l] == 0) for l in (1, 2)), s_dead
assert len(he_good) >= len(seeds) // 2, he_good
he_best = min(runs["he", s][1].loss[-1] for s in seeds) / constant_loss


def draw_stall(fig):
    ax = fig.subplots()
    e = np.arange(0, epochs, 5)  # every fifth epoch is plenty for the eye
    for i, h in enumerate(he):
        ax.semilogy(e, h.loss[e] / constant_loss, color="C1", lw=1.2, label="He" if i == 0 else None)
    for i, h in enumerate(small):
        ax.semilogy(e, h.loss[e] / constant_loss, color="C0", lw=2.4, linestyle="--",
                    label="N(0, 0.001²)" if i == 0 else None)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss / constant predictor's")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_stall,
       alt=f"Loss divided by the constant predictor's loss over {epochs} epochs, log scale, for {len(seeds)} "
           f"seeds of each initialisation. All {len(seeds)} networks started with standard deviation 0.001 "
           f"settle on 1 (to within {num(up(small_dev))}) within {settle} epochs and stay there. Of the "
           f"He-initialised networks {len(he_good)} fall below one half, the best to {num(he_best, 2)}"
           + (f"; {len(he_dead)} of the others also stay{'s' if len(he_dead) == 1 else ''} at 1."
              if he_dead else "."),
       caption="Training loss of the 2-3-2-1 network relative to the loss of the best constant prediction, "
               f"for {len(seeds)} seeds: weights drawn from $\\mathcal{{N}}(0, 0.001^2)$ (dashed; the lines "
               "coincide) and by He's rule (solid).")
md(f"""
All {len(seeds)} networks started from $\\mathcal{{N}}(0, 0.001^2)$ settle within {settle} epochs on the loss
of the constant predictor and stay there for the remaining {epochs - settle} epochs (to within
{num(small_dev, 2, trim=True)} of it, relative): their output bias $b^{{(3)}}$ has become the mean of the targets,
{num(float(Y.mean()), 4, trim=True)}, and no prediction differs from that mean by more than
{num(pred_spread, 2, trim=True)}.
Of the {len(seeds)} He-initialised networks, {len(he_good)} get below half of that loss, the best to
{num(he_best, 2, trim=True)} of it.
{f"{'One' if len(he_dead) == 1 else len(he_dead)} of the others stay{'s' if len(he_dead) == 1 else ''} at the "
 "constant predictor's loss too, for a different reason: a hidden layer of this narrow network has ended up "
 "with all its ReLU units inactive on every sample, so nothing reaches the output but its bias (see "
 "[dead ReLU units](activation-functions.py#dead-relu-units))." if he_dead else ""}
""")

# %% [markdown]
# ### Why the small network cannot move
#
# Each layer multiplies the signal by a weight of size about $s$. The prediction is
# $\hat y = a^{(2)} W^{(3)} + b^{(3)}$, and $a^{(2)}$ has passed through two layers of such weights, so the
# part of $\hat y$ that depends on the input is of order $s^3$: the network's output is its bias. Backwards
# it is the same: the gradient of $W^{(l)}$ contains the weights of the *other* layers,
# $\partial \mathcal{L}/\partial W^{(1)} = X^\top \delta^{(1)}$ with
# $\delta^{(1)} = \Bigl(\bigl((\delta^{(3)} {W^{(3)}}^\top) \odot f_2'(Z^{(2)})\bigr) {W^{(2)}}^\top\Bigr)
# \odot f_1'(Z^{(1)})$,
# of order $s^2$. Only the output bias gets a gradient of order one. The gradients at the first step:

# %% tags=["hide-input"]
start_small = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", loss="mse", init=0.001, seed=0)
start_he = bp.MLP([2, 3, 2, 1], hidden="relu", output="identity", loss="mse", init="he", seed=0)
g_small, g_he = start_small.gradients(X, Y), start_he.gradients(X, Y)
keys = ["W1", "b1", "W2", "b2", "W3", "b3"]
md_table(["parameter", "gradient norm, $\\mathcal{N}(0, 0.001^2)$", "gradient norm, He"],
         [[f"${k[0]}^{{({k[1]})}}$", float(np.linalg.norm(g_small[k])), float(np.linalg.norm(g_he[k]))]
          for k in keys], fmt=2)
weight_ratio = max(float(np.linalg.norm(g_small[k])) for k in ("W1", "W2", "W3")) / abs(g_small["b3"][0])
s = 0.001
assert weight_ratio < 30 * s**2, weight_ratio  # order s^2: the widths and data contribute a factor below 30
output_part = np.ptp(start_small.predict(X))  # how much the prediction varies with the input
assert output_part < 100 * s**3 * np.ptp(X), output_part
# Over the run the weights grow, but only by a factor per epoch of about 1 + eta * O(s).
growth = max(float(np.abs(net.params[k]).max() / np.abs(bp.MLP([2, 3, 2, 1], hidden="relu", loss="mse", init=0.001,
                                                                  seed=sd).params[k]).max())
                   for sd, net in zip(seeds, small_nets, strict=True) for k in ("W1", "W2", "W3"))
assert growth < 10, growth
md(f"""
At the start the largest weight gradient is {num(weight_ratio, 2, trim=True)} times the output bias's gradient, that
is ${tex(weight_ratio / s**2, 2)}\\, s^2$, and over the {len(X)} inputs the prediction varies by only
${tex(output_part, 2)} = {tex(output_part / s**3, 2)}\\, s^3$. (The hidden biases get gradients of order $s$ and $s^2$.)
A step of gradient descent changes a weight of size $s$ by about $\\eta s^2$, a relative change of order
$\\eta s$ per epoch, so the weights grow only slowly and multiplicatively: after
{epochs} epochs no weight matrix's largest entry has grown by more than a factor
{num(growth, 3, trim=True)}, and the weights are still of order $s$. Meanwhile the bias gradient, of order one, has
moved $b^{{(3)}}$ to the mean of the targets. Starting from zero weights would be worse still (exercise 1).
""")

# %% [markdown]
# ## How the scale of the weights propagates forward
#
# Write one pre-activation of layer $l$, at the start, when the biases are zero:
# $z^{(l)}_k = \sum_{j=1}^{n_{l-1}} a^{(l-1)}_j w^{(l)}_{jk}$. Treat the initial weights as random:
# independent, of mean $0$ and variance $\operatorname{Var}(w^{(l)})$, and independent of $a^{(l-1)}$
# (which depends only on the weights of earlier layers and on the input). Then
# $\mathbb{E}[z^{(l)}_k] = 0$, and its second moment follows by expanding the square and taking the
# expectation term by term. SymPy does it for $n_{l-1} = 3$, with $\mathbb{E}[w_j] = 0$,
# $\mathbb{E}[w_j^2] = \operatorname{Var}(w^{(l)})$, and independence turning the expectation of a product into
# the product of expectations:

# %% tags=["hide-input"]
def expectation(expr, moments):
    """E[expr] for a polynomial in independent random symbols; moments[x][p] = E[x**p]."""
    total = sp.Integer(0)
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, factors = term.as_coeff_mul()
        value = coeff
        for factor in factors:
            base, power = factor.as_base_exp()
            value *= moments[base][int(power)]
        total += value
    return sp.simplify(total)


var_w = sp.Symbol(r"\operatorname{Var}(w^{(l)})", positive=True)
mean_a = sp.Symbol(r"\mathbb{E}[a^{(l-1)}]", real=True)
sq_a = sp.Symbol(r"\mathbb{E}[(a^{(l-1)})^2]", positive=True)


def forward_moment(n):
    w = sp.symbols(f"w_1:{n + 1}", real=True)
    a = sp.symbols(f"a_1:{n + 1}", real=True)
    z = sum(aj * wj for aj, wj in zip(a, w, strict=True))
    moments = {**{wj: {1: 0, 2: var_w} for wj in w}, **{aj: {1: mean_a, 2: sq_a} for aj in a}}
    return z, expectation(z**2, moments)


z3, second3 = forward_moment(3)
display(Math(r"\mathbb{E}\bigl[(z^{(l)}_k)^2\bigr] = \mathbb{E}\Bigl[\bigl(" + sp.latex(z3) + r"\bigr)^2\Bigr]"
             r" = " + sp.latex(second3)))
for n_in in range(1, 9):  # the same for other widths: n Var(w) E[a^2], the mean of a drops out
    assert sp.simplify(forward_moment(n_in)[1] - n_in * var_w * sq_a) == 0, n_in

# %% [markdown]
# The cross terms $a_j a_{j'} w_j w_{j'}$ vanish because $\mathbb{E}[w_j w_{j'}] = 0$ for $j \ne j'$, and the
# mean of $a$ drops out with them. For any width,
#
# $$
# \mathbb{E}\bigl[(z^{(l)})^2\bigr] = n_{l-1}\, \operatorname{Var}(w^{(l)})\, \mathbb{E}\bigl[(a^{(l-1)})^2\bigr].
# $$
#
# The activation links $\mathbb{E}[(a^{(l-1)})^2]$ to $\mathbb{E}[(z^{(l-1)})^2]$. For a pre-activation
# $z \sim \mathcal{N}(0, s^2)$ (a sum of many independent terms is close to normal; here $s$ is the standard
# deviation of $z$, not of the weights), SymPy integrates
# against the normal density:

# %% tags=["hide-input"]
zs = sp.Symbol("z", real=True)
sd = sp.Symbol("s", positive=True)
density = sp.exp(-zs**2 / (2 * sd**2)) / (sp.sqrt(2 * sp.pi) * sd)
relu_sq = sp.integrate(zs**2 * density, (zs, 0, sp.oo))  # relu(z)^2 = z^2 for z > 0, else 0
relu_slope_sq = sp.integrate(density, (zs, 0, sp.oo))  # relu'(z)^2 = 1 for z > 0, else 0
z_sq = sp.integrate(zs**2 * density, (zs, -sp.oo, sp.oo))
assert sp.simplify(z_sq - sd**2) == 0
assert sp.simplify(relu_sq / z_sq - sp.Rational(1, 2)) == 0 and relu_slope_sq == sp.Rational(1, 2)
display(Math(r"\mathbb{E}\bigl[\operatorname{relu}(z)^2\bigr] = " + sp.latex(relu_sq)
             + r" = \tfrac12\, \mathbb{E}[z^2], \qquad \mathbb{E}\bigl[\operatorname{relu}'(z)^2\bigr] = "
             + sp.latex(relu_slope_sq)))
# tanh: tanh(z)^2 <= z^2 everywhere, with equality to first order at 0 (series tanh z = z - z^3/3 + ...).
assert sp.series(sp.tanh(zs) ** 2, zs, 0, 4).removeO() == zs**2
grid = np.linspace(-20, 20, 400001)
assert np.all(np.tanh(grid) ** 2 <= grid**2)

# %% [markdown]
# ReLU keeps the positive half of a symmetric $z$ and so halves its second moment. Tanh keeps it for small
# $z$ ($\tanh z = z - z^3/3 + \dots$) and shrinks it otherwise ($\tanh^2 z \le z^2$). So from one layer to the
# next the second moment of $z$ is multiplied by
#
# $$
# n_{l-1} \operatorname{Var}(w^{(l)})\, \chi, \qquad
# \chi = \frac{\mathbb{E}[f(z)^2]}{\mathbb{E}[z^2]} = \begin{cases} \tfrac12 & \text{ReLU}, \\
# \text{close to } 1 \text{ for small } z & \tanh. \end{cases}
# $$
#
# A factor above 1 compounds into an explosion with depth, a factor below 1 into a collapse. The factor is
# 1 when $\operatorname{Var}(w^{(l)}) = 1/(\chi\, n_{l-1})$: $1/n_{l-1}$ for tanh, $2/n_{l-1}$ for ReLU.

# %% tags=["hide-input"]
fan_in = start_small.sizes[1]
factor_small = fan_in * s**2 * 0.5
md(f"""
In the 2-3-2-1 network started from $\\mathcal{{N}}(0, s^2)$ with $s = {tex(s)}$, the weights into the second
hidden layer have $n_1 = {fan_in}$ inputs, so the factor is ${fan_in} \\cdot {tex(s**2)} \\cdot \\tfrac12 =
{tex(factor_small, 2)}$: the second moment is divided by about {num(1 / factor_small, 2, trim=True)} in that one layer.
""")

# %% [markdown]
# ## And backward
#
# The backward pass runs the same kind of sum the other way. For one sample,
# $\delta^{(l)}_j = f_l'(z^{(l)}_j) \sum_{k=1}^{n_{l+1}} w^{(l+1)}_{jk}\, \delta^{(l+1)}_k$: a sum over the
# $n_{l+1}$ units of the layer above, through the same weights $W^{(l+1)}$, gated by the slope of the
# activation. With the same assumptions (and $\delta^{(l+1)}$ treated as independent of $W^{(l+1)}$ and of
# $z^{(l)}$), SymPy expands it as before:

# %% tags=["hide-input"]
var_w_up = sp.Symbol(r"\operatorname{Var}(w^{(l+1)})", positive=True)
slope_sq = sp.Symbol(r"\mathbb{E}[f_l'(z^{(l)})^2]", positive=True)
sq_d = sp.Symbol(r"\mathbb{E}[(\delta^{(l+1)})^2]", positive=True)
mean_d = sp.Symbol(r"\mathbb{E}[\delta^{(l+1)}]", real=True)
slope = sp.Symbol("f'", real=True)


def backward_moment(n):
    w = sp.symbols(f"w_1:{n + 1}", real=True)
    d = sp.symbols(rf"\delta_1:{n + 1}", real=True)
    delta = slope * sum(wk * dk for wk, dk in zip(w, d, strict=True))
    moments = {slope: {2: slope_sq}, **{wk: {1: 0, 2: var_w_up} for wk in w},
               **{dk: {1: mean_d, 2: sq_d} for dk in d}}
    return delta, expectation(delta**2, moments)


d3, back3 = backward_moment(3)
display(Math(r"\mathbb{E}\bigl[(\delta^{(l)}_j)^2\bigr] = \mathbb{E}\Bigl[\bigl(" + sp.latex(d3)
             + r"\bigr)^2\Bigr] = " + sp.latex(back3)))
for n_up in range(1, 9):
    assert sp.simplify(backward_moment(n_up)[1] - n_up * var_w_up * slope_sq * sq_d) == 0, n_up

# %% [markdown]
# so that
#
# $$
# \mathbb{E}\bigl[(\delta^{(l)})^2\bigr] = n_{l+1} \operatorname{Var}(w^{(l+1)})\,
# \mathbb{E}\bigl[f_l'(z^{(l)})^2\bigr]\, \mathbb{E}\bigl[(\delta^{(l+1)})^2\bigr].
# $$
#
# Read as a condition on the weights $W^{(l)}$ (whose backward sum runs over the $n_l$ units they feed), the
# backward pass keeps its scale when $\operatorname{Var}(w^{(l)}) = 1/(n_l\, \mathbb{E}[f'^2])$: $1/n_l$ for
# tanh near zero ($\tanh'(0) = 1$), $2/n_l$ for ReLU ($\mathbb{E}[\operatorname{relu}'(z)^2] = \tfrac12$, as
# SymPy found). The weight gradient $\partial \mathcal{L}/\partial W^{(l)} = {A^{(l-1)}}^\top \delta^{(l)}$
# multiplies the two: if neither the activations nor the deltas change scale from layer to layer, neither
# do the weight gradients ([the next chapter](vanishing-gradients.py) measures them).

# %% [markdown]
# ## Glorot and He
#
# The forward condition asks for $\operatorname{Var}(w^{(l)}) = 1/(\chi\, n_{l-1})$, the backward one for
# $1/(n_l\, \mathbb{E}[f'^2])$, and $\mathbb{E}[f'^2] = \chi$ for ReLU ($\tfrac12$ both) and for tanh near zero
# ($1$ both); both hold only when the layer has as many inputs as units.
#
# - **Glorot** (Glorot and Bengio, 2010), for tanh-like units ($\chi = 1$), takes the compromise
#   $\operatorname{Var}(w^{(l)}) = 2/(n_{l-1} + n_l)$, the harmonic mean of the two. The library draws it
#   from $\mathcal{U}(-u, u)$ with $u = \sqrt{6/(n_{l-1} + n_l)}$, since a uniform distribution on
#   $(-u, u)$ has variance $u^2/3$.
# - **He** (He, Zhang, Ren and Sun, 2015), for ReLU ($\chi = \tfrac12$), keeps the forward condition:
#   $\operatorname{Var}(w^{(l)}) = 2/n_{l-1}$, drawn from $\mathcal{N}(0, 2/n_{l-1})$.
#
# Both are a few lines of NumPy. Any function of `(n_in, n_out, rng)` that returns the weight matrix can be
# passed as `init`; written out, the two rules give exactly the library's weights:

# %%
def glorot_uniform(n_in, n_out, rng):
    u = np.sqrt(6 / (n_in + n_out))  # variance u^2 / 3 = 2 / (n_in + n_out)
    return rng.uniform(-u, u, size=(n_in, n_out))


def he_normal(n_in, n_out, rng):
    return rng.normal(0.0, np.sqrt(2 / n_in), size=(n_in, n_out))  # variance 2 / n_in


for name, rule in (("glorot", glorot_uniform), ("he", he_normal)):
    ours = bp.MLP([300, 200, 100], hidden="tanh", init=rule, seed=1)
    library = bp.MLP([300, 200, 100], hidden="tanh", init=name, seed=1)
    same = all(np.array_equal(ours.params[k], library.params[k]) for k in ours.params)
    print(f"{name}: identical to the library's: {same}; variance of W1 {ours.params['W1'].var():.5f}")

# %% tags=["hide-input"]
u_sym, x_sym = sp.symbols("u x", positive=True)
n_prev, n_here = sp.symbols("n_prev n_here", positive=True)
forward_var, backward_var = 1 / n_prev, 1 / n_here  # the two conditions for chi = 1
harmonic = 2 / (1 / forward_var + 1 / backward_var)
assert sp.simplify(harmonic - 2 / (n_prev + n_here)) == 0  # Glorot's variance is their harmonic mean
uniform_var = sp.integrate(x_sym**2 / (2 * u_sym), (x_sym, -u_sym, u_sym))
assert uniform_var == u_sym**2 / 3
for name, rule, expected in (("glorot", glorot_uniform, 2 / 500), ("he", he_normal, 2 / 300)):
    ours = bp.MLP([300, 200, 100], hidden="tanh", init=rule, seed=1)
    library = bp.MLP([300, 200, 100], hidden="tanh", init=name, seed=1)
    assert all(np.array_equal(ours.params[k], library.params[k]) for k in ours.params)
    # 60 000 draws: the sample variance is within 2 % of its expectation (standard error 0.6 % or less).
    assert abs(ours.params["W1"].var() / expected - 1) < 0.02, (name, ours.params["W1"].var(), expected)
# The default: each activation's own rule (He before ReLU, Glorot before tanh).
relu_default = bp.MLP([300, 200, 1], hidden="relu", seed=3)
relu_he = bp.MLP([300, 200, 1], hidden="relu", init="he", seed=3)
tanh_default = bp.MLP([300, 200, 1], hidden="tanh", seed=3)
tanh_glorot = bp.MLP([300, 200, 1], hidden="tanh", init="glorot", seed=3)
assert np.array_equal(relu_default.params["W1"], relu_he.params["W1"])
assert np.array_equal(tanh_default.params["W1"], tanh_glorot.params["W1"])
md(f"""
SymPy confirms the variance of $\\mathcal{{U}}(-u, u)$: $\\int_{{-u}}^{{u}} x^2\\, \\frac{{dx}}{{2u}} =
{sp.latex(uniform_var)}$. Without an `init`, `MLP` uses each activation's own rule: He for the weights
into ReLU units, Glorot for the others (checked: the same weights as `init="he"` and `init="glorot"`).
""")

# %% [markdown]
# ## Measured, layer by layer
#
# How well do these predictions hold in a real network? Take a deep network of equal-width layers, inputs
# drawn from $\mathcal{N}(0, 1)$, and four ways to draw the weights: the source's $\mathcal{N}(0, 0.001^2)$,
# Glorot, He, and $\mathcal{N}(0, 1)$, a common first guess. The forward pass gives $\mathbb{E}[(z^{(l)})^2]$, the
# mean of the squares of the entries of $Z^{(l)}$. For the backward pass the derivation assumed an error
# signal independent of the weights, so the targets are chosen as $Y = \hat Y - R$ with $R$ random: then the
# output error $\hat Y - Y = R$ is noise of variance 1, and $N \delta^{(L)} = R$ (the factor $N$ undoes the
# $1/N$ of the mean).

# %%
def second_moments(net, X, R):
    """Mean of the squared entries of Z(l) and of N delta(l), for l = 1..L, when the output error is R."""
    fp = net.forward(X)
    deltas = net.deltas(X, fp.output - R)  # targets Y = Yhat - R, so that Yhat - Y = R
    z_sq = [np.mean(fp.z[l] ** 2) for l in range(1, net.n_layers + 1)]
    delta_sq = [np.mean((len(X) * deltas[l]) ** 2) for l in range(1, net.n_layers + 1)]
    return np.array(z_sq), np.array(delta_sq)


width, depth, n_samples = 128, 10, 256
data = np.random.default_rng(1)
X_deep = data.normal(size=(n_samples, width))
R = data.normal(size=(n_samples, width))
schemes = {"N(0, 0.001²)": 0.001, "Glorot": "glorot", "He": "he", "N(0, 1)": 1.0}
measured = {}
for act in ("relu", "tanh"):
    for label, init in schemes.items():
        net = bp.MLP([width] * (depth + 1), hidden=act, output="identity", loss="mse", init=init, seed=0)
        measured[act, label] = second_moments(net, X_deep, R)

# %% [markdown]
# The predictions chain the two recursions above from $\mathbb{E}[x^2] = 1$ and $\mathbb{E}[(N\delta^{(L)})^2]
# = 1$, with $\mathbb{E}[f(z)^2]$ and $\mathbb{E}[f'(z)^2]$ for $z \sim \mathcal{N}(0, \mathbb{E}[z^2])$
# evaluated by numerical integration for tanh (exactly $\tfrac12 \mathbb{E}[z^2]$ and $\tfrac12$ for ReLU).
# In the figures the points are measured and the lines predicted.

# %% tags=["hide-input"]
variance_of = {"N(0, 0.001²)": 1e-6, "Glorot": 2 / (2 * width), "He": 2 / width, "N(0, 1)": 1.0}
standard = np.linspace(-12, 12, 24001)  # z / sd; the normal density beyond 12 sd is below 1e-31
weights = np.exp(-standard**2 / 2)
weights /= weights.sum()
activation = {"relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
              "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2)}


def normal_mean(f, second_moment):
    """E[f(z)] for z ~ N(0, second_moment), by a Riemann sum on a fine grid."""
    return float(np.sum(weights * f(np.sqrt(second_moment) * standard)))


def predicted(act, var):
    f, f_slope = activation[act]
    z_sq = [width * var * 1.0]  # E[x^2] = 1
    for _ in range(depth - 1):
        z_sq.append(width * var * normal_mean(lambda z: f(z) ** 2, z_sq[-1]))
    d_sq = [1.0]  # E[(N delta(L))^2] = E[R^2] = 1; the output is linear
    for l in range(depth - 1, 0, -1):  # delta(l) from delta(l+1), gated by f'(z(l))
        d_sq.append(width * var * normal_mean(lambda z: f_slope(z) ** 2, z_sq[l - 1]) * d_sq[-1])
    return np.array(z_sq), np.array(d_sq[::-1])


theory = {(act, label): predicted(act, variance_of[label]) for act in ("relu", "tanh") for label in schemes}
# The quadrature against SymPy's exact ReLU moment, and against mpmath's adaptive integral for tanh.
assert abs(normal_mean(lambda z: np.maximum(z, 0) ** 2, 3.0) - 1.5) < 1e-12
for second in (0.1, 100.0):
    tanh_ref = mpmath.quad(lambda t, v=second: mpmath.tanh(mpmath.sqrt(v) * t) ** 2 * mpmath.exp(-t**2 / 2),
                           [-mpmath.inf, 0, mpmath.inf]) / mpmath.sqrt(2 * mpmath.pi)
    assert abs(normal_mean(lambda z: np.tanh(z) ** 2, second) - float(tanh_ref)) < 1e-10, second
ratio = {key: (measured[key][0] / theory[key][0], measured[key][1] / theory[key][1]) for key in measured}
worst = {act: max(float(np.abs(np.log(r)).max()) for key, pair in ratio.items() if key[0] == act for r in pair)
         for act in ("relu", "tanh")}
# Finite width: each layer's factor is a sum over 128 random weights per unit, so the log of E[z^2] drifts from
# the prediction like a random walk (over 60 seeds, ReLU with He: standard deviation 0.39 after ten layers).
# Three standard deviations of that: a factor e^1.2 (3.3). Tanh saturates and drifts less.
assert worst["relu"] < 1.2 and worst["tanh"] < 0.5, worst
# ReLU is positively homogeneous: the three Gaussian schemes draw the same standard normals scaled by s, so
# their profiles differ exactly by (n s^2 / 2) per layer... relative to He, (s^2 n / 2)^l.
for label, s_w in (("N(0, 0.001²)", 0.001), ("N(0, 1)", 1.0)):
    scale = (s_w**2 / (2 / width)) ** np.arange(1, depth + 1)
    assert np.allclose(measured["relu", label][0], measured["relu", "He"][0] * scale, rtol=1e-10, atol=0)


def draw_moments(act):
    def draw(fig):
        top, bottom = fig.subplots(2, 1, sharex=True)
        layers = np.arange(1, depth + 1)
        for i, label in enumerate(schemes):
            (z_m, d_m), (z_p, d_p) = measured[act, label], theory[act, label]
            top.semilogy(layers, z_p, color=f"C{i}", lw=1.2)
            top.semilogy(layers, z_m, "o", color=f"C{i}", markersize=4, label=label)
            bottom.semilogy(layers, d_p, color=f"C{i}", lw=1.2)
            bottom.semilogy(layers, d_m, "o", color=f"C{i}", markersize=4)
        top.set_ylabel("mean of z²")
        bottom.set_ylabel("mean of (Nδ)²")
        bottom.set_xlabel("layer l")
        bottom.set_xticks(layers)
        for ax in (top, bottom):
            low, high = (math.floor(math.log10(v)) for v in ax.get_ylim())
            step = 10 * math.ceil((high - low) / 60)  # ticks at whole multiples of 10 decades, at most 6 or 7
            ax.yaxis.set_major_locator(matplotlib.ticker.FixedLocator(
                [10.0**k for k in range(step * math.ceil(low / step), high + 1, step)]))
            ax.yaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        fig.legend(loc="outside upper center", ncols=2)
    return draw


def per_layer(values):
    """Geometric mean of the factor from one layer to the next."""
    return float(np.exp(np.mean(np.diff(np.log(values)))))


def describe(act):
    """What the figure of one activation shows, in words and computed numbers (its alt text)."""
    z_small, d_small = measured[act, "N(0, 0.001²)"]
    z_big, d_big = measured[act, "N(0, 1)"]
    he_z = measured[act, "He"][0]
    text = (f"With weights of standard deviation 0.001 both are multiplied by about {num(per_layer(z_small), 2)} "
            f"per layer, forward and backward. ")
    if act == "relu":
        text += (f"With standard normal weights both grow by a factor of about {num(per_layer(z_big), 2)} per "
                 f"layer. With He's weights z stays between {num(down(he_z.min(), 2))} and {num(up(he_z.max(), 2))}. ")
    else:
        text += (f"With standard normal weights the units saturate: z stays between "
                 f"{num(down(z_big[1:].min(), 3))} and {num(up(z_big[1:].max(), 3))} from layer 2 on, while N "
                 f"times delta grows towards the input by a "
                 f"factor of {num(1 / per_layer(d_big), 2)} per layer. With Glorot's weights z shrinks slowly. ")
    within = num(up(math.exp(worst[act]), 2))
    return text + f"The measured points lie on the predicted lines to within a factor {within}."


for act, name in (("relu", "ReLU"), ("tanh", "tanh")):
    figure(draw_moments(act), figsize=(5.0, 5.6),
           alt=f"Two log-scale plots against the layer, 1 to {depth}, for a {depth}-layer {name} network of "
               f"width {width}: the mean square of z (top) and of N times delta (bottom). {describe(act)}",
           caption=f"{name} network, {depth} layers of {width} units: mean square of the pre-activations (top) and "
                   f"of the deltas times $N$ (bottom), layer by layer, for four ways to draw the weights. Points "
                   f"measured, lines predicted by the recursions.")

# %% tags=["hide-input"]
rows = []
for act, name in (("relu", "ReLU"), ("tanh", "tanh")):
    for label in schemes:
        (z_m, d_m), (z_p, d_p) = measured[act, label], theory[act, label]
        rows.append([f"{name}, {label}", per_layer(z_p), per_layer(z_m), 1 / per_layer(d_p), 1 / per_layer(d_m)])
md_table(["units, weights", "forward: predicted", "measured", "backward: predicted", "measured"], rows, fmt=3)
relu_he_z = measured["relu", "He"][0]
tanh_glorot_z = measured["tanh", "Glorot"][0]
tanh_big_d = measured["tanh", "N(0, 1)"][1]
assert 0.3 < relu_he_z.min() / 2 and relu_he_z.max() / 2 < 3  # He keeps ReLU's E[z^2] near 2 n Var(w) E[x^2] = 2
assert np.all(np.diff(tanh_glorot_z) < 0)  # tanh with Glorot: shrinks slowly, every layer
assert tanh_big_d[0] / tanh_big_d[-1] > 1e6  # tanh with N(0, 1): the backward signal explodes towards the input
tanh_big_z = measured["tanh", "N(0, 1)"][0]
assert tanh_big_z[1:].max() / tanh_big_z[1:].min() < 1.2  # saturated: E[z^2] level from layer 2 on
assert 0.4 < per_layer(measured["relu", "Glorot"][0]) < 0.6  # Glorot halves the ReLU signal per layer
relu_glorot_steps = np.exp(np.diff(np.log(measured["relu", "Glorot"][0])))  # layer by layer
assert relu_glorot_steps.min() > 0.3 and relu_glorot_steps.max() < 0.7, relu_glorot_steps
assert 0.8 < per_layer(measured["relu", "He"][1]) < 1.25  # He: ReLU deltas level
for act, chi in (("relu", 0.5), ("tanh", 1.0)):  # the small scheme: the factor n s^2 chi, forward and back
    expected_small = width * 1e-6 * chi
    z_m, d_m = measured[act, "N(0, 0.001²)"]
    assert abs(per_layer(z_m) / expected_small - 1) < 0.2 and abs(1 / per_layer(d_m) / expected_small - 1) < 0.2
    z_b, d_b = measured[act, "N(0, 1)"]
    if act == "relu":  # N(0, 1) with ReLU: explodes by n / 2 per layer, both ways
        assert abs(per_layer(z_b) / (width / 2) - 1) < 0.2 and abs(1 / per_layer(d_b) / (width / 2) - 1) < 0.2
md(f"""
The table gives the average factor from one layer to the next (geometric mean over the {depth - 1} steps
between the {depth} layers): forward,
from layer $l$ to $l + 1$; backward, from $l + 1$ to $l$. The measurements follow the predictions, within a
factor of {num(up(math.exp(worst['relu']), 2), trim=True)} anywhere in the ReLU network and
{num(up(math.exp(worst['tanh']), 2), trim=True)} in the tanh network: with 128 units the averages over random weights
are not exact, and the deviations accumulate with depth. What the figures show:

- With $\\mathcal{{N}}(0, 0.001^2)$ the signal collapses in both directions, by about the factor
  $n_l\\, s^2 \\chi$ per layer that the derivation gives.
- With $\\mathcal{{N}}(0, 1)$ the ReLU network's signal explodes forward and backward, by about $n_l/2$
  per layer. The tanh network saturates instead: its units sit near $\\pm 1$, $\\mathbb{{E}}[z^2]$ stays
  between {num(down(tanh_big_z[1:].min(), 3), trim=True)} and {num(up(tanh_big_z[1:].max(), 3), trim=True)} from layer
  2 on, and the
  backward signal grows towards the input by a factor of {num(tanh_big_d[0] / tanh_big_d[-1], 2, trim=True)} over the
  {depth} layers: an *exploding gradient* (see [vanishing and exploding gradients](vanishing-gradients.py)).
- He keeps the ReLU network's $\\mathbb{{E}}[z^2]$ between {num(down(relu_he_z.min(), 2), trim=True)} and
  {num(up(relu_he_z.max(), 2), trim=True)} (predicted: $2$ in every layer) and its deltas level; Glorot roughly halves
  the ReLU signal at each layer (by factors between {num(down(relu_glorot_steps.min(), 2), trim=True)} and
  {num(up(relu_glorot_steps.max(), 2), trim=True)}), as $\\chi = \\tfrac12$ predicts, because it was derived for
  $\\chi = 1$.
- With Glorot's weights the tanh network's $\\mathbb{{E}}[z^2]$ shrinks at every layer, slowly, from
  {num(tanh_glorot_z[0], 2, trim=True)} to {num(tanh_glorot_z[-1], 2, trim=True)}: $\\tanh^2 z < z^2$, so a factor
  $n_{{l-1}} \\operatorname{{Var}}(w^{{(l)}}) = 1$ is not quite enough. It is a slow decline, not a collapse.
""")

# %% [markdown]
# ## Checks
#
# The page asserts: that the best constant prediction is the mean, with half the variance as its loss
# (SymPy); that every network started from $\mathcal{N}(0, 0.001^2)$ ends at that loss, its bias at the mean
# and its predictions constant, and that at least half of the He-initialised ones get below half of it; the
# orders $s^2$ and $s^3$ of the first gradients and of the input-dependent output; the two moment recursions
# (SymPy, for widths 1 to 8) and ReLU's factors $\tfrac12$; that the NumPy rules above reproduce the library's
# weights, with the variances the rules state; the variance of the uniform distribution; that the measured
# moments follow the predicted ones within the stated factors; ReLU's exact scaling between the Gaussian
# schemes; and the quadrature against exact values.

# %% [markdown]
# ## Exercises
#
# 1. Start the 2-3-2-1 network above from all-zero weights and biases. Which gradients are non-zero at the
#    first step, and what does gradient descent converge to? Does the answer change with tanh units?
# 2. A leaky ReLU passes $\alpha z$ for $z < 0$. What variance of the weights keeps $\mathbb{E}[z^2]$ the same
#    from layer to layer? Check it on $\alpha = 0$ and $\alpha = 1$.
# 3. Glorot's rule can also be drawn from a normal distribution. What standard deviation has the same
#    variance as the uniform draw, for a layer of 784 inputs and 256 units, and what is $u$ there?

# %% tags=["hide-input"]
answers, zero_epochs = {}, 300
for hidden in ("relu", "tanh"):
    zero = bp.MLP([2, 3, 2, 1], hidden=hidden, output="identity", loss="mse", seed=0)
    for v in zero.params.values():
        v[:] = 0.0
    g0 = zero.gradients(X, Y)
    nonzero = [k for k in g0 if np.any(g0[k] != 0)]
    zero.fit(X, Y, epochs=zero_epochs, lr=lr)
    answers[hidden] = (nonzero, zero)
    assert nonzero == ["b3"], (hidden, nonzero)  # only the output bias has a gradient
    assert all(np.all(zero.params[k] == 0) for k in zero.params if k != "b3")  # nothing else ever moves
    assert abs(zero.params["b3"][0] - Y.mean()) < 1e-6 and abs(zero.loss(X, Y) / constant_loss - 1) < 1e-10
solution(f"""
**1.** With $W = 0$ every hidden pre-activation is $0$. For ReLU the activations are $\\operatorname{{relu}}(0) = 0$ and
the library's slope there is $0$; for tanh the activations are $\\tanh 0 = 0$ (slope $1$). Either way
$A^{{(l)}} = 0$, so every $\\partial \\mathcal{{L}}/\\partial W^{{(l)}} = {{A^{{(l-1)}}}}^\\top \\delta^{{(l)}}$
with $l \\ge 2$ is zero, and $\\delta^{{(l)}} = (\\delta^{{(l+1)}} {{W^{{(l+1)}}}}^\\top) \\odot f'$ is zero below the
output, so the gradients of $W^{{(1)}}$ and of the hidden biases vanish too. Only $b^{{(3)}}$ has a gradient:
gradient descent moves it to the mean of the targets, {num(float(Y.mean()), 4, trim=True)}, and nothing else ever moves:
the network is the constant predictor forever, with either activation (checked: the only non-zero gradient
at the first step is that of $b^{{(3)}}$, and after {zero_epochs} epochs every other parameter is still exactly
$0$).
""", title="Solution 1")

# %% tags=["hide-input"]
alpha = sp.Symbol("alpha", nonnegative=True)
leaky_sq = (sp.integrate(zs**2 * density, (zs, 0, sp.oo))
            + alpha**2 * sp.integrate(zs**2 * density, (zs, -sp.oo, 0)))
gamma_leaky = sp.simplify(leaky_sq / sd**2)
assert sp.simplify(gamma_leaky - (1 + alpha**2) / 2) == 0
var_leaky = sp.simplify(1 / (gamma_leaky * sp.Symbol("n")))
assert gamma_leaky.subs(alpha, 0) == sp.Rational(1, 2) and gamma_leaky.subs(alpha, 1) == 1
# Simulation: alpha = 0.2, the variance above keeps E[z^2] level over 10 layers of 256 units.
a_leak, n_leak = 0.2, 256
sim = np.random.default_rng(7)
A_in = sim.normal(size=(256, n_leak))
moments_leak = []
for _ in range(10):
    Z = A_in @ sim.normal(0.0, np.sqrt(2 / ((1 + a_leak**2) * n_leak)), size=(n_leak, n_leak))
    moments_leak.append(np.mean(Z**2))
    A_in = np.where(Z > 0, Z, a_leak * Z)
assert max(moments_leak) / min(moments_leak) < 2, moments_leak
solution(f"""
**2.** For $z \\sim \\mathcal{{N}}(0, s^2)$ SymPy gives $\\mathbb{{E}}[f(z)^2] = {sp.latex(sp.factor(leaky_sq))}$, so
$\\chi = {sp.latex(gamma_leaky)}$ and the forward factor is 1 for
$\\operatorname{{Var}}(w^{{(l)}}) = \\dfrac{{2}}{{(1 + \\alpha^2)\\, n_{{l-1}}}}$. With $\\alpha = 0$ this is He's
$2/n_{{l-1}}$ (ReLU), with $\\alpha = 1$ it is $1/n_{{l-1}}$ (a linear unit). A simulation with
$\\alpha = {tex(a_leak)}$ and {len(moments_leak)} layers of {n_leak} units keeps $\\mathbb{{E}}[z^2]$ between
{num(min(moments_leak), 3, trim=True)} and {num(max(moments_leak), 3, trim=True)}.
""", title="Solution 2")

# %% tags=["hide-input"]
n_in3, n_out3 = 784, 256
u3 = math.sqrt(6 / (n_in3 + n_out3))
std3 = math.sqrt(2 / (n_in3 + n_out3))
assert math.isclose(u3**2 / 3, std3**2, rel_tol=1e-14)
draw3 = glorot_uniform(n_in3, n_out3, np.random.default_rng(3))
assert np.abs(draw3).max() < u3 and abs(draw3.std() / std3 - 1) < 0.01  # 200 704 draws: standard error 0.2 %
beyond = math.erfc(math.sqrt(3) / math.sqrt(2))  # P(|z| > sqrt(3) sd) for a normal z
normal3 = np.random.default_rng(4).normal(0, std3, size=(n_in3, n_out3))
assert abs(np.mean(np.abs(normal3) > u3) / beyond - 1) < 0.05
solution(f"""
**3.** The variance is $2/(n_{{l-1}} + n_l) = 2/{n_in3 + n_out3}$, so the normal draw has standard deviation
$\\sqrt{{2/{n_in3 + n_out3}}} = {tex(std3, 4)}$, and the uniform one $u = \\sqrt{{6/{n_in3 + n_out3}}} = {tex(u3, 4)}$
(its variance $u^2/3$ is the same). The uniform draw never exceeds $u$; the normal one does, with
probability {num(beyond, 3, trim=True)}, since $u$ is $\\sqrt{{3}}$ standard deviations.
""", title="Solution 3")
