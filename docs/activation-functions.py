# %% [markdown]
# # Activation functions
#
# Each unit passes its pre-activation $z$ through an activation function, $a = f(z)$. This chapter takes
# the five functions the library offers (identity, sigmoid, tanh, ReLU and softmax), derives each
# derivative with SymPy, plots it under its function and checks the library's NumPy derivative against
# SymPy and against finite differences. Two failure modes follow from the derivatives: saturation, where
# the sigmoid and tanh have almost no slope, and dead ReLU units, which have none at all. A last section
# measures what tanh gains over the sigmoid by being centred on 0. Symbols are those of the
# [notation table](symbols.py).

# %% tags=["hide-input"]
import numpy as np
import sympy as sp
from IPython.display import Math, display

import backprop as bp
import backprop.symbolic as bs
from backprop.book import figure, md, md_table, num, solution, tex

Z_GRID = np.linspace(-6.0, 6.0, 1200)  # even count: no point at the ReLU kink z = 0
H = 1e-6
FD_TOL = 1e-7  # float64 centred differences at h = 1e-6: truncation ~1e-12 and rounding ~1e-10 here
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


def derivation_latex(d):
    """SymPy's derivation of an elementwise activation, one relation per line (so that it fits a phone)."""
    f, z_ = d.symbol, bs.elementary.z
    definition = d.function.rewrite(sp.exp) if d.function == sp.tanh(z_) else d.function
    lines = [rf"{f}(z) &= {sp.latex(definition)}"]
    for k0, (left, right) in d.one_sided.items():
        lines.append(rf"{f}'(z) &= \begin{{cases}} {sp.latex(right)} & z > {k0} \\ {sp.latex(left)} & z < {k0}"
                     r"\end{cases}")
        lines.append(rf"{f}'({k0}) &: \text{{one-sided }} {sp.latex(left)} \text{{ and }} {sp.latex(right)}"
                     rf"\text{{; the library uses }} {sp.latex(d.formula.subs(z_, k0))}")
    if not d.one_sided:
        lines.append(rf"{f}'(z) &= {sp.latex(d.derivative)}")
        if d.in_terms_of_a is not None and d.in_terms_of_a.subs(bs.elementary.a, d.function) != d.derivative:
            lines.append(rf"&= {sp.latex(d.in_terms_of_a.subs(bs.elementary.a, sp.Symbol(f'{f}(z)')))}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def derive(name, show=True):
    """Derive and check one activation (check() raises on any disagreement); record its FD error."""
    d = bs.derive_activation(name)
    if show:
        display(Math(derivation_latex(d)))
    d.check()
    derivations[name] = d
    if name != "softmax":
        fd_errors[name] = fd_check(name)
    return d


def draw_pair(name, label, dlabel):
    """The function (top) and its derivative (bottom), stacked so that both fit a phone."""
    f, df = bp.ACTIVATIONS[name], bp.DERIVATIVES[name]

    def draw(fig):
        ax1, ax2 = fig.subplots(2, 1, sharex=True)
        ax1.plot(Z_GRID, f(Z_GRID), color="C0")
        ax1.set_ylabel(label)
        slope = df(Z_GRID)
        if name == "relu":  # a step: no vertical line at the kink, and the library's value 0 at z = 0 marked
            slope = np.where(np.abs(Z_GRID) < 0.02, np.nan, slope)
            ax2.plot([0.0], [1.0], "o", color="C1", mfc="none")
            ax2.plot([0.0], [float(df(np.array(0.0)))], "o", color="C1")
        ax2.plot(Z_GRID, slope, color="C1")
        ax2.set_ylabel(dlabel)
        ax2.set_xlabel("$z$")
    return draw


PAIR_SIZE = (5.0, 4.4)


def below_1pct(name):
    """The smallest z > 0 of the plotting grid where the library's f'(z) is below 1 % of f'(0) (for alt texts)."""
    df = bp.DERIVATIVES[name]
    pos = Z_GRID[Z_GRID > 0]
    return float(pos[np.argmax(df(pos) < df(np.array(0.0)) / 100)])

# %% [markdown]
# ## Why a nonlinear function at all
#
# Without an activation function, or with the identity, a layer is an affine map: for one sample, a row
# $a$, it computes $a W + b$. Two affine maps in a row are one affine map:
#
# $$
# \begin{aligned}
# &\bigl(a W^{(1)} + b^{(1)}\bigr) W^{(2)} + b^{(2)} \\
# &\quad = a\,\bigl(W^{(1)} W^{(2)}\bigr) + \bigl(b^{(1)} W^{(2)} + b^{(2)}\bigr) \\
# &\quad = a\,W + b ,
# \end{aligned}
# $$
#
# with $W = W^{(1)} W^{(2)}$ and $b = b^{(1)} W^{(2)} + b^{(2)}$. However many identity layers are
# stacked, the network computes one affine map of its input, and a classifier built on it can only separate
# its classes by hyperplanes (straight lines for two inputs, planes for three). The hidden cell checks this
# on a 3-8-8-2 network with identity activations: a single layer with $W = W^{(1)} W^{(2)} W^{(3)}$ and
# the bias carried through in the same way reproduces it.

# %% tags=["hide-input"]
lin = bp.MLP([3, 8, 8, 2], hidden="identity", output="identity", seed=0)
for key in ("b1", "b2", "b3"):
    lin.params[key] = np.random.default_rng(len(key) + int(key[1])).normal(size=lin.params[key].shape)
P = lin.params
W_one = P["W1"] @ P["W2"] @ P["W3"]
b_one = (P["b1"] @ P["W2"] + P["b2"]) @ P["W3"] + P["b3"]
Xl = np.random.default_rng(9).normal(size=(20, 3))
collapse_err = float(np.max(np.abs(lin.predict(Xl) - (Xl @ W_one + b_one))))
collapse_scale = float(np.max(np.abs(lin.predict(Xl))))
assert collapse_err < 1e-12 * collapse_scale, (collapse_err, collapse_scale)
md(f"On {len(Xl)} random inputs the three-layer identity network (outputs up to {num(collapse_scale, 3)} in size) "
   f"and the single layer agree to ${tex(collapse_err, 2)}$.")

# %% [markdown]
# ## Identity
#
# The identity $f(z) = z$ has derivative $1$ everywhere. It is the output activation of a regression
# network, whose outputs must be free to take any real value.

# %% tags=["hide-input"]
_ = derive("identity")

# %% [markdown]
# ## The sigmoid
#
# The logistic sigmoid $\sigma(z) = 1/(1 + e^{-z})$ maps every real number into $(0, 1)$, which makes
# it the output activation for a probability (binary classification). SymPy differentiates the
# definition and rewrites the result in terms of the function itself:

# %% tags=["hide-input"]
d_sig = derive("sigmoid")
# The library's backward pass takes sigma'(z) from the stored a: with an a that does not match z, the
# result follows a (0.9 * 0.1 = 0.09), not z (sigma'(0) = 0.25).
from_a = float(bp.get_activation("sigmoid").backward(np.array(0.0), np.array(0.9), np.array(1.0)))
assert abs(from_a - 0.09) < 1e-15, from_a
figure(draw_pair("sigmoid", r"$\sigma(z)$", r"$\sigma'(z)$"), figsize=PAIR_SIZE,
       alt=f"Top: the sigmoid, an S-shaped curve rising from 0 to 1, equal to {num(bp.sigmoid(0.0), 2, True)} at "
       f"z = 0. Bottom: its derivative, a bump of height {num(bp.sigmoid_grad(0.0), 2, True)} at z = 0 that falls "
       f"below 1 % of that beyond |z| = {num(below_1pct('sigmoid'), 2, True)}.",
       caption=r"The sigmoid (top) and its derivative $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$ (bottom).")

# %% [markdown]
# The form $\sigma'(z) = \sigma(z)\,(1 - \sigma(z))$ is what the library uses: the forward pass has
# already computed $a = \sigma(z)$, so the backward pass gets the derivative as $a(1-a)$ without
# another exponential.
#
# ## Tanh
#
# The hyperbolic tangent has the same S shape, stretched to $(-1, 1)$ and centred at 0 (in fact
# $\tanh z = 2\sigma(2z) - 1$). Its derivative in terms of its value is $1 - \tanh^2 z$:

# %% tags=["hide-input"]
d_tanh = derive("tanh")
figure(draw_pair("tanh", r"$\tanh(z)$", r"$\tanh'(z)$"), figsize=PAIR_SIZE,
       alt=f"Top: tanh, an S-shaped curve from −1 to 1 through the origin. Bottom: its derivative, a bump of "
       f"height {num(bp.tanh_grad(0.0), 2, True)} at z = 0, narrower than the sigmoid's, below 1 % of that beyond "
       f"|z| = {num(below_1pct('tanh'), 2, True)}.",
       caption=r"Tanh (top) and its derivative $\tanh'(z) = 1 - \tanh^2(z)$ (bottom).")

# %% [markdown]
# ## ReLU
#
# The rectified linear unit $\operatorname{relu}(z) = \max(0, z)$ passes positive values and blocks
# negative ones. Its derivative is 1 for $z > 0$ and 0 for $z < 0$; at $z = 0$ the function has a kink
# and no derivative, only two one-sided ones. SymPy finds them; the library uses 0 there:

# %% tags=["hide-input"]
d_relu = derive("relu")
relu_at_kink = float(bp.relu_grad(np.array(0.0)))
assert relu_at_kink == 0.0, relu_at_kink
figure(draw_pair("relu", r"$\mathrm{relu}(z)$", r"$\mathrm{relu}'(z)$"), figsize=PAIR_SIZE,
       alt="Top: ReLU, zero for negative z and the line z for positive z. Bottom: its derivative, a step from 0 "
       "to 1 at z = 0, where the library's value 0 is marked by a filled dot.",
       caption=r"ReLU, $\max(0, z)$ (top), and its derivative, a step (bottom); at $z = 0$ the library uses 0.")

# %% [markdown]
# ## Softmax
#
# Softmax is the output activation for $n_L$ classes. It acts on a whole row of pre-activations at once,
#
# $$
# \hat y_k = \frac{e^{z_k}}{\sum_{m=1}^{n_L} e^{z_m}}, \qquad k = 1, \dots, n_L,
# $$
#
# so that the outputs are positive and sum to 1. Every output depends on every input, so its derivative is
# an $n_L \times n_L$ Jacobian matrix $J$ rather than one number per unit:
# $J_{km} = \partial \hat y_k / \partial z_m = \hat y_k\bigl([k = m] - \hat y_m\bigr)$, where $[k = m]$ is 1
# if $k = m$ and 0 otherwise. SymPy differentiates the definition for $n_L = 3$ and proves each of the nine
# entries equal to that formula:

# %% tags=["hide-input"]
d_soft = derive("softmax", show=False)
n_soft = len(d_soft.zs)
assert not d_soft.proofs(), d_soft.proofs()  # each derived entry equals yhat_k([k = m] - yhat_m)
yhat_syms = sp.symbols(f"\\hat{{y}}_1:{n_soft + 1}")
J_shown = d_soft.jacobian_in_a(list(yhat_syms))
display(Math(rf"J = {sp.latex(J_shown)}"))
z_s = np.array([1.0, 2.0, 0.5, -1.0])
J_lib = bp.softmax_jacobian(z_s)
J_fd = np.column_stack([(bp.softmax(z_s + H * e) - bp.softmax(z_s - H * e)) / (2 * H) for e in np.eye(len(z_s))])
fd_errors["softmax"] = float(np.max(np.abs(J_fd - J_lib)) / np.max(np.abs(J_lib)))
col_sum = float(np.max(np.abs(J_lib.sum(axis=0))))
assert col_sum < 1e-15, col_sum
shift_err = float(np.max(np.abs(bp.softmax(z_s + 1000.0) - bp.softmax(z_s))))
assert shift_err < 1e-15, shift_err
assert np.all(np.isfinite(bp.softmax(np.array([1000.0, 0.0]))))
md(f"""
At $z = ({", ".join(tex(v) for v in z_s)})$ the library's `softmax_jacobian` and a Jacobian built column by
column from centred differences agree to ${tex(fd_errors['softmax'], 2)}$ (relative to its largest entry).
Each column sums to 0 (here to ${tex(col_sum, 1)}$ in absolute value): the outputs always sum to 1, so a
change in any $z_m$ moves them in a way that sums to 0. Adding the same constant to every $z_k$ does not
change softmax (here adding 1000 changes it by ${tex(shift_err, 1)}$), which is how the library avoids
overflowing $e^{{z}}$: it subtracts each row's largest entry first. In the network the Jacobian is never
built: the backward pass needs only the product of the row $\\partial \\mathcal{{L}} / \\partial \\hat y$ with
it (see [backpropagation in general](backpropagation.py)), and with the cross-entropy loss even that
reduces to $(\\hat y - y)/N$ (see [loss functions](loss-functions.py)).
""")

# %% [markdown]
# ## Saturation
#
# The sigmoid's derivative is at most $1/4$ and tanh's at most $1$, both at $z = 0$, and both fall off
# exponentially. SymPy proves $\sigma'(z) = 1/(4\cosh^2(z/2))$ and $\tanh'(z) = 1/\cosh^2 z$; since
# $e^{|z|}/4 < \cosh^2(z/2) \le e^{|z|}$ (and the same with $2|z|$ for $\cosh^2 z$), it follows that
#
# $$
# \begin{aligned}
# \tfrac14 e^{-|z|} &\le \sigma'(z) < e^{-|z|}, \\
# e^{-2|z|} &\le \tanh'(z) < 4\,e^{-2|z|} .
# \end{aligned}
# $$
#
# A unit whose pre-activation is large in magnitude is *saturated*: its output is pinned near an end of its
# range, and the gradient that passes through it is multiplied by a tiny $f'(z)$. SymPy locates where each
# derivative falls below 1% of its maximum:

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
    sat_rows.append([r"$\tanh$" if name == "tanh" else r"$\sigma$", f"${sp.latex(peak)}$", float(z_star),
                     at[2.0], at[5.0], at[10.0]])
md_table(["$f$", "largest $f'$", "$f' < 1\\%$ of it for $\\vert z\\vert >$", "$f'(2)$", "$f'(5)$", "$f'(10)$"],
         sat_rows, fmt=4, align="llrrrr")
# The closed forms SymPy gives, and the exponential bounds above, on a wide grid (cosh: no cancellation).
assert bs.is_zero(d_sig.derivative - 1 / (4 * sp.cosh(z / 2) ** 2))
assert bs.is_zero(d_tanh.derivative - 1 / sp.cosh(z) ** 2)
zz = np.linspace(-30.0, 30.0, 6001)
sig_e = 1 / (4 * np.cosh(zz / 2) ** 2) * np.exp(np.abs(zz))      # in [1/4, 1)
tanh_e = 1 / np.cosh(zz) ** 2 * np.exp(2 * np.abs(zz))           # in [1, 4)
rel = 1e-12  # float64 rounding of cosh, exp and the products (a few ulps), far below the gaps tested
assert np.all(sig_e >= 0.25 * (1 - rel)) and np.all(sig_e < 1 + rel), (sig_e.min(), sig_e.max())
assert np.all(tanh_e >= 1 - rel) and np.all(tanh_e < 4 * (1 + rel)), (tanh_e.min(), tanh_e.max())
assert sig_e.max() > 0.99 and tanh_e.max() > 3.99  # the upper constants are approached, not loose
assert abs(sat["sigmoid"][1] - 2 * np.arccosh(10)) < 1e-12 and abs(sat["tanh"][1] - np.arccosh(10)) < 1e-12
assert sat["sigmoid"][0] == 0.25 and sat["tanh"][0] == 1.0
assert abs(bp.sigmoid_grad(np.array(sat["sigmoid"][1])) - 0.0025) < 1e-15
md(f"""
The thresholds are $2\\operatorname{{arccosh}}(10) \\approx {tex(sat['sigmoid'][1])}$ for the sigmoid
and $\\operatorname{{arccosh}}(10) \\approx {tex(sat['tanh'][1])}$ for tanh.
""")

# %% [markdown]
# ### Vanishing gradients, and what bounds them
#
# Backpropagation multiplies one factor per layer, so the effect compounds with depth. Take a chain of
# one-unit sigmoid layers, $z^{(l)} = w^{(l)} a^{(l-1)} + b^{(l)}$ and $a^{(l)} = \sigma(z^{(l)})$, with
# input $x = a^{(0)}$. By the chain rule
#
# $$
# \begin{aligned}
# \frac{\partial a^{(L)}}{\partial x} &= \prod_{l=1}^{L} w^{(l)}\,\sigma'\bigl(z^{(l)}\bigr), \\
# \text{so}\quad
# \Bigl\lvert \frac{\partial a^{(L)}}{\partial x} \Bigr\rvert &\le \prod_{l=1}^{L} \frac{\lvert w^{(l)} \rvert}{4} .
# \end{aligned}
# $$
#
# Each layer contributes its weight times the sigmoid's slope, not the slope alone: the slope is at most
# $1/4$, but the weight can be large. The bound says that a layer with $\lvert w^{(l)} \rvert \le 4$ cannot
# amplify the gradient; it says nothing about larger weights. The code below runs ten layers twice: with
# $w = 1, b = 0$, and with $w = 8, b = -4$ from $x = 0.5$, where every pre-activation is exactly 0 (the
# sigmoid's steepest point) and every layer multiplies the gradient by $8 \cdot \tfrac14 = 2$.

# %%
import numpy as np

import backprop as bp


def chain_derivative(x, w, b, depth=10):
    """d a(depth) / dx through `depth` one-unit sigmoid layers that all have weight w and bias b."""
    a, slope = x, 1.0
    for _ in range(depth):
        z = w * a + b
        a = bp.sigmoid(z)
        slope *= w * bp.sigmoid_grad(z)  # chain rule: d a(l) / d a(l-1) = w * sigma'(z(l))
    return float(slope)


print("w = 1, b = 0: ", chain_derivative(0.5, w=1.0, b=0.0))
print("w = 8, b = -4:", chain_derivative(0.5, w=8.0, b=-4.0))

# %% tags=["hide-input"]
depth = 10
small = chain_derivative(0.5, w=1.0, b=0.0, depth=depth)
big = chain_derivative(0.5, w=8.0, b=-4.0, depth=depth)

# The library's network gives the same numbers: ten 1-unit sigmoid layers, checked by centred differences.
def sigmoid_chain(w, b):
    net = bp.MLP([1] * (depth + 1), hidden="sigmoid", output="sigmoid", loss="mse")
    for l in range(1, depth + 1):
        net.params[f"W{l}"][:] = w
        net.params[f"b{l}"][:] = b
    return net


# Steps for the centred differences, per chain: the w = 1 chain is nearly linear and its derivative tiny
# (3e-7), so a large h keeps rounding (~1e-16 / h) small; the w = 8 chain curves sharply (truncation
# ~h^2 f'''/6 is 2e-8 relative at h = 1e-7). Both then agree to better than 1e-7 relative; we ask 1e-6.
for (w, b), slope, h_chain in (((1.0, 0.0), small, 1e-3), ((8.0, -4.0), big, 1e-7)):
    net = sigmoid_chain(w, b)
    fd = float((net.predict([[0.5 + h_chain]]) - net.predict([[0.5 - h_chain]]))[0, 0] / (2 * h_chain))
    assert abs(fd - slope) < 1e-6 * abs(slope), (w, b, fd, slope)
    # Backpropagation: with dL/da(10) = 1 (target a(10) - 1, half squared error) dL/dx = delta(1) w(1).
    a_out = net.predict([[0.5]])
    by_backprop = float(net.deltas([[0.5]], a_out - 1.0)[1][0, 0] * w)
    assert abs(by_backprop - slope) < 1e-14 * abs(slope), (w, b, by_backprop, slope)
zs_big = sigmoid_chain(8.0, -4.0).forward([[0.5]]).z[1:]
assert all(float(zl[0, 0]) == 0.0 for zl in zs_big)       # every pre-activation exactly 0
assert big == 2.0**depth and big > 0.25**depth  # 1024: far above (1/4)^10
assert small <= 0.25**depth                                  # |w| = 1: below (1/4)^10
# The bound prod |w|/4 on random chains, large weights included (w ~ N(0, 5^2)).
rng_c = np.random.default_rng(3)
ratios = []
for _ in range(2000):
    w_c, b_c = rng_c.normal(scale=5.0, size=depth), rng_c.normal(scale=2.0, size=depth)
    a_c, slope_c = rng_c.normal(), 1.0
    for wl, bl in zip(w_c, b_c, strict=True):
        zl = wl * a_c + bl
        a_c = bp.sigmoid(zl)
        slope_c *= wl * bp.sigmoid_grad(zl)
    ratios.append(abs(slope_c) / np.prod(np.abs(w_c) / 4))
assert max(ratios) <= 1.0, max(ratios)
# Layers of several units: the Jacobian d a(l) / d a(l-1) = W diag(sigma'(z)) has spectral norm <= ||W||_2 / 4.
width_ratios = []
for _ in range(500):
    W_r = rng_c.normal(scale=5.0, size=(6, 6))
    z_r = rng_c.normal(size=6) @ W_r + rng_c.normal(size=6)
    J_r = W_r * bp.sigmoid_grad(z_r)[None, :]
    width_ratios.append(np.linalg.norm(J_r, 2) / (np.linalg.norm(W_r, 2) / 4))
assert max(width_ratios) <= 1.0 + 1e-12, max(width_ratios)
md(f"""
With $w = 1$ the ten factors multiply to ${tex(small, 3)}$, below $(1/4)^{{{depth}}} \\approx
{tex(0.25**depth, 3)}$: the gradient *vanishes*. With $w = 8$ they multiply to ${tex(big)} = 2^{{{depth}}}$:
the gradient *explodes* instead (the library's network and centred differences give the same two numbers).
What holds is the bound above, $\\prod_l \\lvert w^{{(l)}}\\rvert / 4$ (on {len(ratios)} random
chains with weights of standard deviation 5 the derivative reached at most {num(max(ratios), 2)} of it); for
layers of several units the same holds with $\\lvert w^{{(l)}}\\rvert$ replaced by the largest singular value of
$W^{{(l)}}$ (checked on {len(width_ratios)} random 6-unit layers, where the Jacobian of a layer is
$W^{{(l)}}$ with column $k$ multiplied by $\\sigma'(z^{{(l)}}_k)$). So a chain of sigmoid layers whose weights
stay below 4 in that measure shrinks the gradient at least geometrically with depth, one reason deep networks
use ReLU in their hidden layers: its derivative is exactly 1 wherever it is not 0. A sigmoid or tanh output
unit saturated on the *wrong* side combines a large error with a tiny slope; the
[loss functions](loss-functions.py) chapter shows how pairing the output with the right loss removes that
factor.
""")

# %% [markdown]
# ## Dead ReLU units
#
# ReLU does not saturate for $z > 0$, but for $z \le 0$ the library's derivative is exactly 0. Call a unit
# *dead* on a data set when its pre-activation is $\le 0$ for *every* sample: its output is 0 for all of them,
# and since every weight into it gets the gradient
# $\partial \mathcal{L} / \partial w^{(l)}_{jk} = \sum_i a^{(l-1)}_{ij}\, \delta^{(l)}_{ik}$ (with the
# delta $\delta^{(l)}_{ik} = \partial \mathcal{L} / \partial z^{(l)}_{ik}$, a product with the factor
# $\operatorname{relu}'(z^{(l)}_{ik})$) and here $\delta^{(l)}_{ik} = 0$ for all $i$, its incoming weights and its
# bias receive exactly zero gradient.
#
# An easy way to kill units is a bad initialisation that shifts the biases down. The code below counts dead
# units in a 4-16-16-3 ReLU network on the standardised Iris flowers, after shifting both hidden layers'
# biases down (the same random weights each time):

# %%
X, labels, species = bp.datasets.load_iris()
X = (X - X.mean(axis=0)) / X.std(axis=0)
Y = bp.datasets.one_hot(labels)


def shifted_net(shift):
    """A 4-16-16-3 ReLU classifier whose hidden biases start at -shift instead of 0."""
    net = bp.MLP([4, 16, 16, 3], hidden="relu", output="softmax", loss="cross_entropy", seed=0)
    net.params["b1"] -= shift
    net.params["b2"] -= shift
    return net


def dead_units(net, X):
    """For each hidden layer, the units whose pre-activation is <= 0 for every sample of X."""
    fp = net.forward(X)
    return [set(np.flatnonzero(np.all(fp.z[l] <= 0, axis=0)).tolist()) for l in range(1, net.n_layers)]


dead_counts = {shift: [len(d) for d in dead_units(shifted_net(shift), X)] for shift in [0.0, 0.5, 1.0, 1.5, 2.0, 3.0]}

# %% tags=["hide-input"]
dead_rows = [[shift, *counts] for shift, counts in dead_counts.items()]
n_hidden = shifted_net(0.0).sizes[1:3]
md_table(["bias shift", f"dead in layer 1 (of {n_hidden[0]})", f"dead in layer 2 (of {n_hidden[1]})"],
         dead_rows, fmt=2)
assert dead_rows[0][1:] == [0, 0]

# %% [markdown]
# Whether a dead unit stays dead depends on its layer. Its incoming weights and bias are frozen, so its
# pre-activations on the data change only if its *input* changes. In the first hidden layer the input is
# the data itself: a unit dead there stays dead for as long as gradient descent (full-batch or mini-batch:
# a unit dead on every sample is dead on every batch) trains on that data. Deeper, the input
# $a^{(l-1)}$ is the output of layers that keep learning, and a frozen unit can come back to life when they
# move. A deeper unit whose incoming weights and bias are all $\le 0$, though, is dead whatever the layers
# below do (after ReLU $a^{(l-1)} \ge 0$, so its $z \le 0$ for every input) and can never come back.
# Training the network shifted by 1.5, one epoch at a time, and watching both layers:

# %%
net = shifted_net(1.5)
dead_at_start = dead_units(net, X)
weights_at_start = {k: v.copy() for k, v in net.params.items()}
revived = {}  # unit of layer 2 -> first epoch after which it is alive again
for epoch in range(1, 401):
    net.fit(X, Y, epochs=1, lr=0.5)
    dead_now = dead_units(net, X)
    for unit in dead_at_start[1] - dead_now[1]:
        revived.setdefault(unit, epoch)
print("dead at the start:", [sorted(d) for d in dead_at_start])
print("dead after 400 epochs:", [sorted(d) for d in dead_now])
print("layer-2 units alive again (unit: epoch):", revived)

# %% tags=["hide-input"]
dead1, dead2 = sorted(dead_at_start[0]), sorted(dead_at_start[1])
W1_0, W2_0, b2_0 = weights_at_start["W1"], weights_at_start["W2"], weights_at_start["b2"]
unchanged1 = bool(np.array_equal(W1_0[:, dead1], net.params["W1"][:, dead1])
                  and np.array_equal(weights_at_start["b1"][dead1], net.params["b1"][dead1]))
# Replay the run to the epoch before the first revival: the revived unit's weights had not moved.
first_unit, first_epoch = min(revived.items(), key=lambda kv: kv[1])
replay = shifted_net(1.5)
replay.fit(X, Y, epochs=first_epoch - 1, lr=0.5)
frozen_until = bool(np.array_equal(replay.params["W2"][:, first_unit], W2_0[:, first_unit])
                    and replay.params["b2"][first_unit] == b2_0[first_unit])
z_before = float(replay.forward(X).z[2][:, first_unit].max())
z_after = float(net.forward(X).z[2][:, first_unit].max())
sign_dead = [u for u in dead2 if np.all(W2_0[:, u] <= 0) and b2_0[u] <= 0]
grads0 = shifted_net(1.5).gradients(X, Y)
zero_grad = max(float(np.max(np.abs(grads0["W1"][:, dead1]))), float(np.max(np.abs(grads0["b1"][dead1]))),
                float(np.max(np.abs(grads0["W2"][:, dead2]))), float(np.max(np.abs(grads0["b2"][dead2]))))
alive1 = sorted(set(range(n_hidden[0])) - set(dead1))
newly_dead = len(dead_now[0] - dead_at_start[0])
# Layer 1: dead units stay dead, weights bit for bit unchanged. Layer 2: a unit revives although its own
# weights had not moved; a unit dead by the signs of its weights never revives.
assert len(dead1) > 0 and zero_grad == 0.0, (dead1, zero_grad)
assert unchanged1 and dead_at_start[0] <= dead_now[0], (dead_at_start[0], dead_now[0])
assert revived and frozen_until and z_before <= 0 < z_after, (revived, frozen_until, z_before, z_after)
assert first_unit not in sign_dead and not set(sign_dead) & set(revived)
assert np.any(W2_0[:, first_unit] > 0)
md(f"""
At the start {len(dead1)} units of layer 1 and {len(dead2)} of layer 2 are dead, and the library's gradients
for their incoming weights and biases are exactly 0 (largest absolute entry: {num(zero_grad)}; the live units
of layer 1 get gradients up to ${tex(float(np.max(np.abs(grads0['W1'][:, alive1]))), 2)}$). After 400 epochs
(learning rate 0.5) the dead units of layer 1 have bit-for-bit the same weights and are still dead. In
layer 2, unit {first_unit + 1} (counting from 1) is alive again after epoch {first_epoch}: its own weights
and bias were still exactly their initial values at epoch {first_epoch - 1}, when its largest
pre-activation over the data was ${tex(z_before, 3)}$; the layer below had moved, and after epoch 400
its largest pre-activation is ${tex(z_after, 3)}$. It has a positive incoming weight; a unit whose incoming
weights and bias are all $\\le 0$ could not have come back ({len(sign_dead)} of the {len(dead2)} dead units of
layer 2 are of that kind here). Meanwhile {newly_dead} more {'unit' if newly_dead == 1 else 'units'} of
layer 1 died during training; in layer 1 that is for good.

Common remedies aim at not getting there: biases that start at 0 (the library's default), He
initialisation for ReLU layers (the library's default: weights of standard deviation
$\\sqrt{{2 / n_{{l-1}}}}$), moderate learning rates, or a "leaky" ReLU whose slope for $z < 0$ is small but
not zero.
""")
he = bp.MLP([1000, 1000, 1], hidden="relu", seed=0)
assert abs(he.params["W1"].std() / np.sqrt(2 / 1000) - 1) < 0.01 and not np.any(he.params["b1"])

# %% [markdown]
# ## Zero-centred outputs: tanh against the sigmoid
#
# Tanh differs from the sigmoid in two ways: its outputs are centred on 0 instead of $\tfrac12$, and its
# slope at 0 is 1 instead of $\tfrac14$ (indeed $\tanh z = 2\sigma(2z) - 1$). The slope's effect is the one
# of the [vanishing gradients](#vanishing-gradients-and-what-bounds-them) above. This section isolates the
# centring with the *centred sigmoid* $\sigma(z) - \tfrac12$, which has the sigmoid's slope and tanh's centre.
#
# **All inputs positive, all weights move together.** For one sample $i$, the gradient of the weight from
# unit $j$ of layer $l-1$ into unit $k$ of layer $l$ is $a^{(l-1)}_{ij}\, \delta^{(l)}_{ik}$. If layer
# $l-1$ is a sigmoid layer, every $a^{(l-1)}_{ij}$ is positive, so all the weights into unit $k$ get
# gradients of one sign, the sign of $\delta^{(l)}_{ik}$: a step on that sample raises them all or lowers
# them all. Weights that must move apart (one up, one down) get there only by alternating steps, a
# zig-zag. With tanh the inputs $a^{(l-1)}_{ij}$ have both signs and the constraint is gone.
#
# A full batch sums the samples' gradients, whose deltas can differ in sign, so its gradient is not bound to
# one sign per unit (though at the start it mostly has one, as measured below). The positive inputs also
# leave a steep direction behind: moving all the
# weights into a unit the same way changes every sample's $z$ in the same direction, so the loss curves
# sharply along it. On a steep direction a large learning rate overshoots: in the
# [gradient descent](gradient-descent.py#the-learning-rate) chapter a step along an eigenvector of the
# Hessian $H$ multiplies the distance to the minimum by $1 - \eta\lambda$, which is below $-1$ once
# $\eta > 2/\lambda$.
#
# The code trains a 4-8-8-8-3 classifier on the standardised Iris flowers with each of the three hidden
# activations, the same initial weights for a given seed, full batch, at two learning rates. It prints
# the epochs it takes to reach a loss below 0.1 and the number of epochs in which the loss rose:

# %%
import numpy as np

import backprop as bp

X, labels, species = bp.datasets.load_iris()
X = (X - X.mean(axis=0)) / X.std(axis=0)
Y = bp.datasets.one_hot(labels)

# The sigmoid moved down by 1/2: outputs in (-1/2, 1/2), centred on 0,
# with the sigmoid's slope sigma'(z).
centred_sigmoid = bp.Activation("centred_sigmoid", lambda z: bp.sigmoid(z) - 0.5,
                                bp.sigmoid_grad, bounds=(-0.5, 0.5))
hidden_choices = {"sigmoid": "sigmoid", "centred sigmoid": centred_sigmoid,
                  "tanh": "tanh"}
seeds, rates, epochs = (0, 1, 2), (1.0, 2.0), 300


def training_losses(hidden, seed, lr):
    """The loss at the start of every epoch of a 4-8-8-8-3 classifier (full batch)."""
    net = bp.MLP([4, 8, 8, 8, 3], hidden=hidden, loss="cross_entropy", seed=seed)
    return net.fit(X, Y, epochs=epochs, lr=lr).loss


def epochs_to(losses, target=0.1):
    """The first epoch whose loss is below target (None if none is)."""
    below = np.flatnonzero(losses < target)
    return int(below[0]) if below.size else None


runs = {(name, lr, seed): training_losses(hidden, seed, lr)
        for name, hidden in hidden_choices.items() for lr in rates for seed in seeds
        if name != "tanh" or lr == 1.0}
for (name, lr, seed), losses in runs.items():
    rises = int(np.sum(np.diff(losses) > 0))
    print(f"{name}, lr {lr}, seed {seed}: {epochs_to(losses)} epochs, {rises} rises")

# %% tags=["hide-input"]
sig, cen, tnh = "sigmoid", "centred sigmoid", "tanh"


def one_signed_fraction(hidden):
    """Over all samples and the layers l = 2, 3, 4 (seed 0): the fraction of columns of one sample's
    dL/dW(l) (the weights into one unit) whose entries all have one sign."""
    net = bp.MLP([4, 8, 8, 8, 3], hidden=hidden, loss="cross_entropy", seed=0)
    one_signed = total = 0
    for i in range(len(X)):
        g = net.gradients(X[i:i + 1], Y[i:i + 1])
        for l in (2, 3, 4):
            cols = g[f"W{l}"]
            one_signed += int(np.sum(np.all(cols > 0, axis=0) | np.all(cols < 0, axis=0) | np.all(cols == 0, axis=0)))
            total += cols.shape[1]
    return one_signed / total, total


sign_fraction = {name: one_signed_fraction(h) for name, h in hidden_choices.items()}
# The full batch's gradient at the start (seed 0, sigmoid): columns of one sign, out of all columns of W2..W4.
batch_grad = bp.MLP([4, 8, 8, 8, 3], hidden="sigmoid", loss="cross_entropy", seed=0).gradients(X, Y)
batch_cols = [np.all(batch_grad[f"W{l}"] > 0, axis=0) | np.all(batch_grad[f"W{l}"] < 0, axis=0) for l in (2, 3, 4)]
batch_one_signed, batch_total = int(sum(c.sum() for c in batch_cols)), sum(c.size for c in batch_cols)
assert 0 < batch_one_signed < batch_total, (batch_one_signed, batch_total)  # not bound to one sign, yet mostly
# "The same initial weights for a given seed": the three activations all use Glorot initialisation.
for s_ in seeds:
    first = bp.MLP([4, 8, 8, 8, 3], hidden="sigmoid", loss="cross_entropy", seed=s_).params
    for h_ in (centred_sigmoid, "tanh"):
        other = bp.MLP([4, 8, 8, 8, 3], hidden=h_, loss="cross_entropy", seed=s_).params
        assert all(np.array_equal(first[k], other[k]) for k in first), (s_, h_)
assert sign_fraction[sig][0] == 1.0, sign_fraction            # every column: all a_j > 0
assert sign_fraction[tnh][0] < 0.05 and sign_fraction[cen][0] < 0.05, sign_fraction


def hessian_at_start(hidden, seed=0, h=1e-5):
    """Eigenvalues of the loss's Hessian at the initial weights, built column by column from centred
    differences of the library's gradients (symmetrised), the eigenvector of the largest one by parameter
    array, and the relative asymmetry before symmetrising (a check)."""
    net = bp.MLP([4, 8, 8, 8, 3], hidden=hidden, loss="cross_entropy", seed=seed)
    keys, start = list(net.params), {k: v.copy() for k, v in net.params.items()}
    sizes_ = [start[k].size for k in keys]

    def grad_at(step):
        for k, part in zip(keys, np.split(step, np.cumsum(sizes_)[:-1]), strict=True):
            net.params[k][...] = start[k] + part.reshape(start[k].shape)
        g = net.gradients(X, Y)
        return np.concatenate([g[k].ravel() for k in keys])

    H_ = np.column_stack([(grad_at(h * e) - grad_at(-h * e)) / (2 * h) for e in np.eye(sum(sizes_))])
    asym = float(np.max(np.abs(H_ - H_.T)) / np.max(np.abs(H_)))
    values, vectors = np.linalg.eigh((H_ + H_.T) / 2)
    top = dict(zip(keys, np.split(vectors[:, -1], np.cumsum(sizes_)[:-1]), strict=True))
    return values, {k: v.reshape(start[k].shape) for k, v in top.items()}, asym


eig = {name: hessian_at_start(hidden_choices[name]) for name in (sig, cen)}
lam_max = {name: float(ev[-1]) for name, (ev, _, _) in eig.items()}
assert max(asym for _, _, asym in eig.values()) < 1e-6  # centred differences of exact gradients: h^2 and eps/h
# The steepest direction of the sigmoid net moves all weights into each unit of layers 3 and 4 one way (every
# column of the eigenvector's W3 and W4 has one sign), and those weights carry most of its length; the centred
# sigmoid's steepest direction is mostly the output biases.
top_sig, top_cen = eig[sig][1], eig[cen][1]
weights_share = float(np.sum(top_sig["W3"] ** 2) + np.sum(top_sig["W4"] ** 2))
bias_share = float(np.sum(top_cen["b4"] ** 2))
for key in ("W3", "W4"):
    assert np.all(np.all(top_sig[key] > 0, axis=0) | np.all(top_sig[key] < 0, axis=0)), key
assert weights_share > 0.5 and bias_share > 0.5, (weights_share, bias_share)
assert lam_max[sig] > 3 * lam_max[cen], lam_max
assert rates[0] < 2 / lam_max[sig] < rates[1] < 2 / lam_max[cen], lam_max  # eta = 1 below both, eta = 2 between

to_target = {key: epochs_to(losses) for key, losses in runs.items()}
rises = {key: int(np.sum(np.diff(losses) > 0)) for key, losses in runs.items()}
assert all(v is not None for v in to_target.values()), to_target
for s in seeds:
    # lr = 1: neither loss ever rises, and the two take the same time to within 20 %.
    assert rises[(sig, 1.0, s)] == rises[(cen, 1.0, s)] == 0, rises
    assert 0.8 < to_target[(sig, 1.0, s)] / to_target[(cen, 1.0, s)] < 1.25, (s, to_target)
    # lr = 2: the sigmoid's loss rises in dozens of epochs, the centred sigmoid's in at most 2, and the centred
    # sigmoid is sooner; lr = 2 is the faster rate for both; tanh at lr = 1 is sooner than either.
    assert rises[(sig, 2.0, s)] > 50 and rises[(cen, 2.0, s)] <= 2, rises
    assert to_target[(cen, 2.0, s)] < to_target[(sig, 2.0, s)], (s, to_target)
    for name in (sig, cen):
        assert to_target[(name, 2.0, s)] < to_target[(name, 1.0, s)]
        assert to_target[(tnh, 1.0, s)] < to_target[(name, 2.0, s)] / 2
    # The slope matters more than the centring: tanh(z) = 2 (sigma(2z) - 1/2) gains more over the centred
    # sigmoid than the centred sigmoid over the sigmoid (each at its best rate).
    best = {name: min(to_target[(name, lr, s)] for lr in rates if (name, lr, s) in to_target)
            for name in hidden_choices}
    assert best[cen] / best[tnh] > best[sig] / best[cen] > 1, (s, best)
gain = [to_target[(sig, 2.0, s)] / to_target[(cen, 2.0, s)] for s in seeds]

md("Epochs to a loss below 0.1, from the same initial weights for each seed (tanh only at $\\eta = 1$):")
md_table(["hidden", "$\\eta$", *[f"seed {s}" for s in seeds]],
         [[name, num(lr, 2, trim=True), *[to_target[(name, lr, s)] for s in seeds]]
          for name in hidden_choices for lr in rates if (name, lr, 0) in runs], fmt=4, align="lrrrr")


def spread(table, name, lr):
    values = [table[(name, lr, s)] for s in seeds]
    return f"{min(values)} to {max(values)}" if min(values) != max(values) else f"{min(values)}"


cen_rises = [rises[(cen, 2.0, s)] for s in seeds]
centred_rises = "never" if max(cen_rises) == 0 else f"in at most {max(cen_rises)}"


def draw_centring(fig):
    ax = fig.subplots()
    for (name, lr), style in zip(((sig, 2.0), (cen, 2.0), (tnh, 1.0)), ("-", "--", ":"), strict=True):
        ax.semilogy(runs[(name, lr, 0)], linestyle=style, label=f"{name}, η = {num(lr, 2, trim=True)}")
    ax.axhline(0.1, color="C3", lw=1)
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"loss $\mathcal{L}$")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_centring,
       alt=f"Training loss on a log scale over {epochs} epochs for seed 0. With sigmoid hidden units at learning "
       f"rate 2 the loss goes down with a jitter, rising in {rises[(sig, 2.0, 0)]} epochs, and first goes below 0.1 "
       f"at epoch {to_target[(sig, 2.0, 0)]}; with the centred sigmoid at the same rate it falls smoothly, rising in "
       f"{rises[(cen, 2.0, 0)] or 'no'} epochs, and first goes below 0.1 at epoch {to_target[(cen, 2.0, 0)]}; tanh "
       f"at learning rate 1 gets there first, at epoch {to_target[(tnh, 1.0, 0)]}, with large early swings.",
       caption=r"Loss of the 4-8-8-8-3 classifier (seed 0) with sigmoid and centred-sigmoid hidden units at "
       r"$\eta = 2$ and tanh at $\eta = 1$; the horizontal line is $\mathcal{L} = 0.1$.")
md(f"""
Of the {sign_fraction[sig][1]} columns of one sample's $\\partial \\mathcal{{L}}/\\partial W^{{(l)}}$
($l = 2, 3, 4$, all {len(X)} samples, seed 0), {num(100 * sign_fraction[sig][0], 3, trim=True)} % have a
single sign with sigmoid hidden units, {num(100 * sign_fraction[tnh][0], 2, trim=True)} % with tanh and
{num(100 * sign_fraction[cen][0], 2, trim=True)} % with the centred sigmoid. The gradient of the full batch
at the start has a single sign in {batch_one_signed} of its {batch_total} columns with sigmoid hidden units.

The steep direction is measured by the Hessian at the start (seed 0, built from the library's gradients).
Its largest eigenvalue is ${tex(lam_max[sig], 3)}$ with sigmoid hidden units and only
${tex(lam_max[cen], 3)}$ with the centred sigmoid. For the sigmoid it is the direction described above: its
eigenvector moves all the weights into each unit of layers 3 and 4 the same way (each of those columns of the
eigenvector has one sign), and those weights make up {num(100 * weights_share, 2)} % of its squared length;
for the centred sigmoid the steepest direction is mostly the output biases ({num(100 * bias_share, 2)} %).

At $\\eta = 1$, below $2/\\lambda_{{\\max}}$ for both (${tex(2 / lam_max[sig], 3)}$ and
${tex(2 / lam_max[cen], 3)}$), neither loss ever goes up and the two take about as long
({spread(to_target, sig, 1.0)} and {spread(to_target, cen, 1.0)} epochs): with small steps the centring changes
little. At $\\eta = 2$, above the sigmoid's $2/\\lambda_{{\\max}}$, the sigmoid's loss goes up in
{spread(rises, sig, 2.0)} of the {epochs} epochs and the centred sigmoid's {centred_rises}, and
the centred sigmoid reaches the target sooner, by a factor of {num(min(gain), 3)} to {num(max(gain), 3)}. So
here centring makes the descent smooth at a larger learning rate, and that larger rate is the faster one for
both; the gain in epochs is modest. Tanh, centred and with four times the sigmoid's slope at 0, needs only
{spread(to_target, tnh, 1.0)} epochs at $\\eta = 1$, less than half of either sigmoid's best, although its loss
goes up in {spread(rises, tnh, 1.0)} of its epochs: in this network its slope matters more than its centring.
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
# | softmax | $(0,1)^{n_L}$, sums to 1 | Jacobian $\hat y_k([k = m] - \hat y_m)$ | outputs for $n_L$ classes |
#
# ## Checks
#
# For every activation SymPy's derivative has been proved equal to the library's formula and compared with
# the library's NumPy code on a grid of points (`check()`, which raises on any disagreement, ran where each
# derivation is shown). The table compares the library's derivative with centred differences, normwise:
# largest absolute difference over largest derivative.

# %% tags=["hide-input"]
md(f"""
The centred differences use $h = {tex(H)}$ on {Z_GRID.size} points of $[{tex(Z_GRID[0])}, {tex(Z_GRID[-1])}]$
(softmax: its Jacobian at the point above).
""")
md_table(["activation", "library vs finite differences"], [[name, fd_errors[name]] for name in bp.ACTIVATIONS], fmt=2)
for name in bp.ACTIVATIONS:  # each derivation's check() already ran (and passed) where it was shown
    assert fd_errors[name] < FD_TOL, (name, fd_errors[name])
assert set(derivations) == set(bp.ACTIVATIONS)
assert np.allclose(J_lib, J_lib.T, rtol=0, atol=1e-17)
md(f"All checks passed: every finite-difference error is below ${tex(FD_TOL)}$.")

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
assert via_sigma.subs(z, 0) == 4 * d_sig.derivative.subs(z, 0) == 1
solution(r"""
$2\sigma(2z) - 1 = \frac{2}{1 + e^{-2z}} - 1 = \frac{1 - e^{-2z}}{1 + e^{-2z}} = \tanh z$ (multiply above and
below by $e^{z}$). By the chain rule, $\tanh'(z) = 2 \cdot 2\,\sigma'(2z) = 4\,\sigma(2z)\bigl(1 - \sigma(2z)\bigr)$,
and SymPy confirms that this equals $1 - \tanh^2 z$. At $z = 0$: $4 \cdot \tfrac14 = 1$, four times the
sigmoid's peak: at $z = 0$ a tanh unit passes on four times the gradient a sigmoid unit does.
""")

# %% [markdown]
# **2.** A pre-activation of a sigmoid unit is $z = 8$. By what factor does the unit multiply the gradient
# that passes through it, and how far must $z$ move back towards 0 for the factor to reach $0.1$?

# %% tags=["hide-input"]
factor8 = float(bp.sigmoid_grad(np.array(8.0)))
z01 = float(sp.nsolve(d_sig.derivative - sp.Rational(1, 10), z, 1.0))
assert abs(bp.sigmoid_grad(np.array(z01)) - 0.1) < 1e-12 and 0 < z01 < 8
assert abs(factor8 - np.exp(-8) / (1 + np.exp(-8)) ** 2) < 1e-12 * factor8
solution(f"""
$\\sigma'(8) = e^{{-8}}/(1 + e^{{-8}})^2 \\approx {tex(factor8, 3)}$: the gradient is multiplied by that.
Solving $\\sigma'(z) = 0.1$ gives $z \\approx {tex(z01)}$, so $z$ must come down by about ${tex(8 - z01, 3)}$.
The gradients of the unit's own weights and bias carry the same factor ${tex(factor8, 2)}$, so gradient
descent moves $z$ back only slowly.
""")

# %% [markdown]
# **3.** Why does every column of the softmax Jacobian sum to 0? Check it symbolically for $n_L = 3$.

# %% tags=["hide-input"]
col_sums = [sp.simplify(sum(d_soft.jacobian[k, m] for k in range(n_soft))) for m in range(n_soft)]
assert all(c == 0 for c in col_sums), col_sums
solution(r"""
The outputs always satisfy $\sum_k \hat y_k = 1$, whatever $z$ is, so differentiating both sides with
respect to any $z_m$ gives $\sum_k \partial \hat y_k / \partial z_m = 0$: column $m$ of the Jacobian sums
to 0. From the formula: $\sum_k \hat y_k([k = m] - \hat y_m) = \hat y_m - \hat y_m \sum_k \hat y_k = 0$.
SymPy's three column sums of the derived Jacobian all simplify to 0.
""")
