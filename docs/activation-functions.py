# %% [markdown]
# # Activation functions
#
# Each unit passes its pre-activation $z$ through an activation function, $a = f(z)$. This chapter takes
# the five functions the library offers (identity, sigmoid, tanh, ReLU and softmax), derives each
# derivative with SymPy, plots it beside its function and checks the library's NumPy derivative against
# SymPy and against finite differences. Two failure modes follow from the derivatives: saturation, where
# the sigmoid and tanh have almost no slope, and dead ReLU units, which have none at all.

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, sci, solution

Z_GRID = np.linspace(-6.0, 6.0, 1200)  # even count: no point at the ReLU kink z = 0
H = 1e-6
fd_errors = {}  # name -> normwise relative error, library derivative vs centred differences
derivations = {}


def fd_check(name):
    """Centred differences of the library's function against its derivative from DERIVATIVES.

    Normwise relative error max|fd - f'| / max|f'|: near the tails f' is tiny and a pointwise relative
    error would measure rounding (about 1e-16 * |f| / h), not the derivative.
    """
    f, df = bp.ACTIVATIONS[name], bp.DERIVATIVES[name]
    fd = (f(Z_GRID + H) - f(Z_GRID - H)) / (2 * H)
    return float(np.max(np.abs(fd - df(Z_GRID))) / np.max(np.abs(df(Z_GRID))))


def show(name):
    """Derive, display and check one activation; record its finite-difference error."""
    d = bs.derive_activation(name)
    display(d)
    d.check()
    derivations[name] = d
    if name != "softmax":
        fd_errors[name] = fd_check(name)


def draw_pair(name, label, dlabel):
    f, df = bp.ACTIVATIONS[name], bp.DERIVATIVES[name]

    def draw(fig):
        ax1, ax2 = fig.subplots(1, 2, sharex=True)
        ax1.plot(Z_GRID, f(Z_GRID), color="C0")
        ax1.set_title(label)
        ax2.plot(Z_GRID, df(Z_GRID), color="C1")
        ax2.set_title(dlabel)
        for ax in (ax1, ax2):
            ax.set_xlabel("$z$")
    return draw


# %% [markdown]
# ## Why a nonlinear function at all
#
# Without an activation function, or with the identity, a layer is an affine map $A W + b$, and two
# affine maps in a row are one affine map:
#
# $$
# (A W^{(1)} + b^{(1)}) W^{(2)} + b^{(2)} = A\,(W^{(1)} W^{(2)}) + (b^{(1)} W^{(2)} + b^{(2)}) .
# $$
#
# However many identity layers are stacked, the network can only draw
# straight lines (planes, hyperplanes) through its data. The hidden cell checks this on a 3-8-8-2 network
# with identity activations: a single layer with $W = W^{(1)} W^{(2)} W^{(3)}$ reproduces it.

# %% tags=["hide-input"]
lin = bp.MLP([3, 8, 8, 2], hidden="identity", output="identity", seed=0)
for key in ("b1", "b2", "b3"):
    lin.params[key] = np.random.default_rng(len(key) + int(key[1])).normal(size=lin.params[key].shape)
P = lin.params
W_one = P["W1"] @ P["W2"] @ P["W3"]
b_one = (P["b1"] @ P["W2"] + P["b2"]) @ P["W3"] + P["b3"]
Xl = np.random.default_rng(9).normal(size=(20, 3))
collapse_err = float(np.max(np.abs(lin.predict(Xl) - (Xl @ W_one + b_one))))
md(f"On {len(Xl)} random inputs the three-layer identity network and the single layer agree to ${sci(collapse_err)}$.")

# %% [markdown]
# ## Identity
#
# The identity $f(z) = z$ has derivative $1$ everywhere. It is the output activation of a regression
# network, whose outputs must be free to take any real value.

# %% tags=["hide-input"]
show("identity")

# %% [markdown]
# ## The sigmoid
#
# The logistic sigmoid $\sigma(z) = 1/(1 + e^{-z})$ squashes any real number into $(0, 1)$, which makes
# it the output activation for a probability (binary classification). SymPy differentiates the
# definition and rewrites the result in terms of the function itself:

# %% tags=["hide-input"]
show("sigmoid")
d_sig = derivations["sigmoid"]
figure(draw_pair("sigmoid", r"$\sigma(z)$", r"$\sigma'(z) = \sigma(z)(1 - \sigma(z))$"),
       alt="Left: the sigmoid, an S-shaped curve rising from 0 to 1, equal to 0.5 at z = 0. Right: its derivative, "
       "a bump of height 0.25 at z = 0 that is nearly 0 beyond |z| = 6.",
       caption="The sigmoid and its derivative.", figsize=(6.4, 2.6))

# %% [markdown]
# The form $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$ is what the library uses: the forward pass has
# already computed $a = \sigma(z)$, so the backward pass gets the derivative as $a(1-a)$ for one
# multiplication.
#
# ## Tanh
#
# The hyperbolic tangent has the same S shape, stretched to $(-1, 1)$ and centred at 0 (in fact
# $\tanh z = 2\sigma(2z) - 1$). Its derivative in terms of its value is $1 - \tanh^2 z$:

# %% tags=["hide-input"]
show("tanh")
d_tanh = derivations["tanh"]
figure(draw_pair("tanh", r"$\tanh(z)$", r"$\tanh'(z) = 1 - \tanh^2(z)$"),
       alt="Left: tanh, an S-shaped curve from -1 to 1 through the origin. Right: its derivative, a bump of "
       "height 1 at z = 0, narrower than the sigmoid's, nearly 0 beyond |z| = 3.",
       caption="Tanh and its derivative.", figsize=(6.4, 2.6))

# %% [markdown]
# ## ReLU
#
# The rectified linear unit $\operatorname{relu}(z) = \max(0, z)$ passes positive values and blocks
# negative ones. Its derivative is 1 for $z > 0$ and 0 for $z < 0$; at $z = 0$ the function has a kink
# and no derivative, only two one-sided ones. SymPy finds them; the library, like most, uses 0 there:

# %% tags=["hide-input"]
show("relu")
d_relu = derivations["relu"]
figure(draw_pair("relu", r"$\mathrm{relu}(z) = \max(0, z)$", r"$\mathrm{relu}'(z)$"),
       alt="Left: ReLU, zero for negative z and the line z for positive z. Right: its derivative, a step from 0 "
       "to 1 at z = 0.",
       caption="ReLU and its derivative, a step.", figsize=(6.4, 2.6))

# %% [markdown]
# ## Softmax
#
# Softmax is the output activation for $k$ classes. It acts on a whole row of pre-activations at once,
# $s_i = e^{z_i} / \sum_{m} e^{z_m}$, so that the outputs are positive and sum to 1. Every output depends
# on every input, and its derivative is a $k \times k$ Jacobian matrix rather than one number per unit:
# $\partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)$, where $\delta_{ij}$ is 1 if $i = j$ and 0
# otherwise. SymPy derives it for $k = 3$:

# %% tags=["hide-input"]
show("softmax")
d_soft = derivations["softmax"]
z_s = np.array([1.0, 2.0, 0.5, -1.0])
J_lib = bp.softmax_jacobian(z_s)
J_fd = np.column_stack([(bp.softmax(z_s + H * e) - bp.softmax(z_s - H * e)) / (2 * H) for e in np.eye(len(z_s))])
fd_errors["softmax"] = float(np.max(np.abs(J_fd - J_lib)) / np.max(np.abs(J_lib)))
shift_err = float(np.max(np.abs(bp.softmax(z_s + 1000.0) - bp.softmax(z_s))))
md(f"""
At $z = ({", ".join(f"{v:g}" for v in z_s)})$ the library's `softmax_jacobian` and a Jacobian built column by
column from centred differences agree to ${sci(fd_errors['softmax'])}$ (relative to its largest entry). Each
column sums to ${sci(np.max(np.abs(J_lib.sum(axis=0))), 0)}$ in absolute value: the outputs always sum to 1, so
a change in any $z_j$ moves them in a way that sums to 0. Adding the same constant to every $z_i$ does not
change softmax at all (here adding 1000 changes it by ${sci(shift_err, 0)}$), which is how the library avoids
overflowing $e^{{z}}$: it subtracts each row's largest entry first. In the network the Jacobian is never
built: the backward pass needs only its product with a vector, and with the cross-entropy loss even that
collapses to $\\hat y - y$ (see [loss functions](loss-functions.py)).
""")

# %% [markdown]
# ## Saturation
#
# The sigmoid's derivative is at most $1/4$ and tanh's at most $1$, both at $z = 0$, and both fall off
# exponentially: a unit whose pre-activation is large in magnitude is *saturated*, its output pinned near
# an end of its range, and almost no gradient passes through it. Backpropagation multiplies one such factor
# per layer, so the effect compounds with depth. SymPy locates where each derivative falls below 1% of its
# maximum.

# %% tags=["hide-input"]
z = bs.elementary.z  # the symbol the derivations use
sat_rows = []
sat = {}
for name, d in (("sigmoid", d_sig), ("tanh", d_tanh)):
    peak = sp.nsimplify(d.derivative.subs(z, 0))
    # f' is even and decreasing in |z|: solve f'(z) = peak / 100 for z > 0.
    z_star = sp.nsolve(d.derivative - peak / 100, z, 3.0 if name == "tanh" else 6.0)
    lib = bp.DERIVATIVES[name]
    at = {v: float(lib(np.array(float(v)))) for v in (2.0, 5.0, 10.0)}
    sat[name] = (float(peak), float(z_star))
    sat_rows.append([rf"$\{name}$" if name == "tanh" else r"$\sigma$", f"${sp.latex(peak)}$", float(z_star),
                     at[2.0], at[5.0], at[10.0]])
md_table(["function", "largest $f'$ (at $z=0$)", "$f' < 1\\%$ of it for $|z| >$", "$f'(2)$", "$f'(5)$", "$f'(10)$"],
         sat_rows, fmt="{:.4g}", align="lccrrr")
depth = 10
md(f"""
The thresholds are $2\\operatorname{{arccosh}}(10) \\approx {sat['sigmoid'][1]:.4f}$ for the sigmoid
($\\sigma'(z) = 1/(4\\cosh^2(z/2))$) and $\\operatorname{{arccosh}}(10) \\approx {sat['tanh'][1]:.4f}$ for tanh
($\\tanh'(z) = 1/\\cosh^2 z$). Even unsaturated, a chain of {depth} sigmoid layers multiplies the gradient by at
most $(1/4)^{{{depth}}} \\approx {sci(0.25**depth)}$; this *vanishing gradient* is one reason deep networks
use ReLU in their hidden layers, whose derivative is exactly 1 wherever it is not 0. A sigmoid or tanh
output unit saturated on the *wrong* side is the worst case: its error is large and its gradient tiny. The
[loss functions](loss-functions.py) chapter shows how pairing the output with the right loss removes that
factor.
""")

# %% [markdown]
# ## Dead ReLU units
#
# ReLU does not saturate for $z > 0$, but for $z < 0$ its derivative is exactly 0. A unit whose
# pre-activation is negative for *every* sample of the data is *dead*: its output is 0 for all of them,
# and since every weight into it gets the gradient $\partial L / \partial w^{(l)}_{j,k} = \sum_i
# a^{(l-1)}_{i,j}\, \delta^{(l)}_{i,k}$ with $\delta^{(l)}_{i,k} = 0$ for all $i$, its incoming weights and
# its bias receive exactly zero gradient. Gradient descent never changes them, so the unit stays dead.
#
# An easy way to kill units is a bad initialisation that shifts the biases down. The table counts dead
# units in a 4-16-16-3 ReLU network on the standardised Iris flowers, for several downward shifts of
# both hidden layers' biases (same random weights each time).

# %% tags=["hide-input"]
X_iris, y_iris, species = bp.datasets.load_iris()
X_iris = (X_iris - X_iris.mean(axis=0)) / X_iris.std(axis=0)
Y_iris = bp.datasets.one_hot(y_iris)


def shifted_net(shift):
    net = bp.MLP([4, 16, 16, 3], hidden="relu", output="softmax", loss="cross_entropy", seed=0)
    net.params["b1"] -= shift
    net.params["b2"] -= shift
    return net


def dead_units(net, X):
    fp = net.forward(X)
    return [np.flatnonzero(np.all(fp.z[l] <= 0, axis=0)) for l in (1, 2)]


shifts = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]
dead_rows = []
for shift in shifts:
    d1, d2 = dead_units(shifted_net(shift), X_iris)
    dead_rows.append([f"{shift:g}", len(d1), len(d2)])
n_hidden = shifted_net(0.0).sizes[1:3]
md_table(["bias shift", f"dead units, layer 1 (of {n_hidden[0]})", f"dead units, layer 2 (of {n_hidden[1]})"],
         dead_rows, fmt="{:d}")

# %% tags=["hide-input"]
shift = 1.5
net_dead = shifted_net(shift)
dead1, dead2 = dead_units(net_dead, X_iris)
grads = net_dead.gradients(X_iris, Y_iris)
zero_in = [float(np.max(np.abs(grads["W1"][:, dead1]))), float(np.max(np.abs(grads["b1"][dead1]))),
           float(np.max(np.abs(grads["W2"][:, dead2]))), float(np.max(np.abs(grads["b2"][dead2])))]
alive1 = np.setdiff1d(np.arange(n_hidden[0]), dead1)
before = {k: v.copy() for k, v in net_dead.params.items()}
dead_epochs, dead_lr = 100, 0.1
hist = net_dead.fit(X_iris, Y_iris, epochs=dead_epochs, lr=dead_lr)
still1, still2 = dead_units(net_dead, X_iris)
unchanged = bool(np.array_equal(before["W1"][:, dead1], net_dead.params["W1"][:, dead1])
                 and np.array_equal(before["W2"][:, dead2], net_dead.params["W2"][:, dead2]))
md(f"""
With the shift ${shift:g}$, {len(dead1)} units of layer 1 and {len(dead2)} of layer 2 are dead. The library's
gradients for their incoming weights and biases are exactly zero: the largest absolute entry among them is
${max(zero_in):g}$, while the live units of layer 1 get gradients up to
${sci(float(np.max(np.abs(grads['W1'][:, alive1]))), 2)}$. After {dead_epochs} epochs of gradient descent (learning rate
{dead_lr:g}; the loss fell from ${hist.loss[0]:.3f}$ to ${hist.loss[-1]:.3f}$ on the remaining units) the dead units'
weights are {'bit for bit unchanged' if unchanged else 'changed'} and {len(still1)} + {len(still2)} units are
still dead. Remedies are all about not getting there: biases that start at 0 or slightly positive, He
initialisation (the library's default before ReLU), moderate learning rates, or a "leaky" ReLU whose
slope for $z < 0$ is small but not zero.
""")

# %% [markdown]
# ## Summary
#
# | function | range | derivative | used for |
# |:--|:--|:--|:--|
# | identity | $\mathbb{R}$ | $1$ | regression outputs |
# | sigmoid $\sigma$ | $(0, 1)$ | $\sigma(1 - \sigma)$, at most $1/4$ | binary outputs (probabilities) |
# | tanh | $(-1, 1)$ | $1 - \tanh^2$, at most $1$ | hidden layers of small networks |
# | ReLU | $[0, \infty)$ | $0$ or $1$ | hidden layers |
# | softmax | $(0,1)^k$, sums to 1 | Jacobian $s_i(\delta_{ij} - s_j)$ | $k$-class outputs |
#
# ## Checks
#
# For every activation: SymPy's derivative is proved equal to the library's formula and compared with
# the library's NumPy code on a grid of points (`check()`, to a relative tolerance far below any
# gradient check's), and the library's derivative is compared with centred differences:

# %% tags=["hide-input"]
md(f"""
The centred differences use $h = {sci(H)}$ on {Z_GRID.size} points of
$[{Z_GRID[0]:g}, {Z_GRID[-1]:g}]$.
""")
md_table(["activation", "SymPy == library", "library vs finite differences (normwise relative)"],
         [[name, "proved, agrees on the grid", f"${sci(fd_errors[name])}$"] for name in bp.ACTIVATIONS])
for name in bp.ACTIVATIONS:  # each derivation's check() already ran (and passed) where it was shown
    assert fd_errors[name] < 1e-7, (name, fd_errors[name])
assert set(derivations) == set(bp.ACTIVATIONS)
assert collapse_err < 1e-12, collapse_err
assert np.max(np.abs(J_lib.sum(axis=0))) < 1e-15 and np.allclose(J_lib, J_lib.T, rtol=0, atol=1e-17)
assert shift_err < 1e-15
# Saturation numbers: closed forms and peaks.
assert abs(sat["sigmoid"][1] - 2 * np.arccosh(10)) < 1e-12 and abs(sat["tanh"][1] - np.arccosh(10)) < 1e-12
assert sat["sigmoid"][0] == 0.25 and sat["tanh"][0] == 1.0
assert abs(bp.sigmoid_grad(np.array(sat["sigmoid"][1])) - 0.0025) < 1e-15
# Dead units: exactly zero gradient, unchanged by training, still dead.
assert len(dead1) > 0 and len(dead2) > 0 and max(zero_in) == 0.0, (dead1, dead2, zero_in)
assert unchanged and set(dead1) <= set(still1) and set(dead2) <= set(still2)
assert dead_rows[0][1:] == [0, 0]
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1.** Show that $\tanh z = 2\sigma(2z) - 1$ and use it to get $\tanh'$ from $\sigma'$.

# %% tags=["hide-input"]
sig = 1 / (1 + sp.exp(-z))
s2 = sig.subs(z, 2 * z)


def vanishes(expr):
    """Rewritten in exponentials and put over one denominator, expr is 0 (faster than simplify here)."""
    return sp.cancel(sp.together(expr.rewrite(sp.exp))) == 0


via_sigma = sp.diff(2 * s2 - 1, z)
assert vanishes(sp.tanh(z) - (2 * s2 - 1))
assert vanishes(via_sigma - 4 * s2 * (1 - s2)) and vanishes(via_sigma - (1 - sp.tanh(z) ** 2))
solution(r"""
$2\sigma(2z) - 1 = \frac{2}{1 + e^{-2z}} - 1 = \frac{1 - e^{-2z}}{1 + e^{-2z}} = \tanh z$ (multiply above and
below by $e^{z}$). By the chain rule, $\tanh'(z) = 2 \cdot 2\,\sigma'(2z) = 4\,\sigma(2z)\bigl(1 - \sigma(2z)\bigr)$,
and SymPy confirms that this equals $1 - \tanh^2 z$. At $z = 0$: $4 \cdot \tfrac14 = 1$, four times the
sigmoid's peak, which is one reason tanh trains faster than the sigmoid in hidden layers.
""")

# %% [markdown]
# **2.** A pre-activation of a sigmoid unit is $z = 8$. By what factor does the unit shrink the gradient
# that passes through it, and how far must $z$ move back towards 0 for the factor to reach $0.1$?

# %% tags=["hide-input"]
factor8 = float(bp.sigmoid_grad(np.array(8.0)))
z01 = float(sp.nsolve(d_sig.derivative - sp.Rational(1, 10), z, 1.0))
assert abs(bp.sigmoid_grad(np.array(z01)) - 0.1) < 1e-12 and 0 < z01 < 8
assert abs(factor8 - np.exp(-8) / (1 + np.exp(-8)) ** 2) < 1e-12 * factor8
solution(f"""
$\\sigma'(8) = e^{{-8}}/(1 + e^{{-8}})^2 \\approx {sci(factor8, 3)}$: the gradient is multiplied by about
${sci(factor8)}$. Solving $\\sigma'(z) = 0.1$ gives $z \\approx {z01:.4f}$, so $z$ must come down by about
${8 - z01:.2f}$. Gradient descent moves it slowly because of that same tiny factor.
""")

# %% [markdown]
# **3.** Why does every column of the softmax Jacobian sum to 0? Check it symbolically for $k = 3$.

# %% tags=["hide-input"]
col_sums = [sp.simplify(sum(d_soft.jacobian[i, j] for i in range(3))) for j in range(3)]
assert all(c == 0 for c in col_sums), col_sums
solution(r"""
The outputs always satisfy $\sum_i s_i = 1$, whatever $z$ is, so differentiating both sides with respect to
any $z_j$ gives $\sum_i \partial s_i / \partial z_j = 0$: column $j$ of the Jacobian sums to 0. From the
formula: $\sum_i s_i(\delta_{ij} - s_j) = s_j - s_j \sum_i s_i = 0$. SymPy's three column sums of the
derived Jacobian all simplify to 0.
""")
