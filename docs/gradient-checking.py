# %% [markdown]
# # Gradient checking
#
# Backpropagation is easy to get almost right: a missing transpose that happens to fit the shapes,
# a derivative evaluated at $a$ instead of $z$, a forgotten $1/N$. Nothing crashes: the code
# still returns a gradient of the right shape, and training may even seem to work. The standard
# defence is to compare the backpropagated gradient with a numerical one computed from nothing but
# loss evaluations. This chapter shows how to do that comparison well:
# which difference quotient, which step, which error measure and which thresholds, and where the
# comparison itself breaks down (kinks of ReLU, single precision, gradients below the rounding
# noise). The library's `bp.check_gradients` implements it; the rules its report follows are
# collected in [How the library decides](#how-the-library-decides).
#
# The symbols are those of the [notation table](symbols.py). New on this page: $p$ is one
# parameter entry (one weight or one bias) and $\mathcal L(p)$ the loss as a function of that entry
# alone, the others held fixed; $\mathcal L', \mathcal L'', \dots$ are its derivatives in $p$; $h$ is
# the step of a difference quotient; $\varepsilon$ is the machine epsilon; $g$ is the
# derivative $\partial\mathcal L/\partial p$ computed by backpropagation and $\hat g$ its
# finite-difference estimate.

# %% tags=["hide-input"]
import dataclasses

import mpmath
import sympy as sp

from backprop.book import figure, md, md_table, num, solution, tex
from backprop.book.numbers import down, up

# %% [markdown]
# ## Centred differences
#
# The derivative of the loss with respect to $p$ is a limit of difference quotients. The one-sided
# quotient $\bigl(\mathcal L(p+h) - \mathcal L(p)\bigr)/h$ is the first that comes to mind; the
# centred one $\bigl(\mathcal L(p+h) - \mathcal L(p-h)\bigr)/(2h)$ costs one more loss evaluation per
# parameter and is far more accurate, and a five-point stencil is more accurate still. How much,
# SymPy tells us: write the loss near $p$ as its Taylor polynomial, insert it into each quotient and
# subtract $\mathcal L'$.

# %% tags=["hide-input"]
h = sp.Symbol("h", positive=True)
ds = sp.symbols(r"\mathcal{L}_0 \mathcal{L}' \mathcal{L}'' \mathcal{L}''' \mathcal{L}'''' "
                r"\mathcal{L}^{(5)} \mathcal{L}^{(6)}")


def taylor(step):
    """L(p + step) as its Taylor polynomial in step, to sixth order."""
    return sum(ds[k] * step**k / sp.factorial(k) for k in range(len(ds)))


stencils = {
    "forward": (taylor(h) - taylor(0)) / h,
    "centred (order 2)": (taylor(h) - taylor(-h)) / (2 * h),
    "five-point (order 4)": (-taylor(2 * h) + 8 * taylor(h) - 8 * taylor(-h) + taylor(-2 * h)) / (12 * h),
}
leading = {}
for name, quotient_expr in stencils.items():
    err = sp.expand(quotient_expr - ds[1])
    leading[name] = min(err.as_ordered_terms(), key=lambda t: sp.degree(t, h))
assert sp.simplify(leading["forward"] - ds[2] * h / 2) == 0
assert sp.simplify(leading["centred (order 2)"] - ds[3] * h**2 / 6) == 0
assert sp.simplify(leading["five-point (order 4)"] + ds[5] * h**4 / 30) == 0
formulas = {
    "forward": r"$\dfrac{\mathcal L(p+h) - \mathcal L(p)}{h}$",
    "centred (order 2)": r"$\dfrac{\mathcal L(p+h) - \mathcal L(p-h)}{2h}$",
    "five-point (order 4)":
        r"$\dfrac{-\mathcal L(p+2h) + 8\mathcal L(p+h) - 8\mathcal L(p-h) + \mathcal L(p-2h)}{12h}$",
}
md_table(["quotient", "formula", "error, leading term"],
         [[name, formulas[name], f"${sp.latex(leading[name])}$"] for name in stencils])

# %% [markdown]
# In the centred quotient the even-order terms of the Taylor series cancel, so the error falls like
# $h^2$ instead of $h$; the five-point stencil cancels the $h^2$ term as well. That is the
# *truncation* error. If it were the only error, a smaller $h$ would always be better. It is not.
#
# ## The step-size trade-off
#
# Each loss value is computed in floating point and carries a rounding error of about
# $\varepsilon\,|\mathcal L|$, where $\varepsilon$ is the machine epsilon, the spacing of
# floating-point numbers just above 1 (that holds for a loss computed from terms no larger than
# itself, as here; [the noise floor](#the-noise-floor) shows a loss for which it fails). The
# centred quotient divides the difference of two such values, wrong by up to
# $2\varepsilon|\mathcal L|$, by $2h$, so its rounding error is about $\varepsilon|\mathcal L|/h$: it
# *grows* as $h$ shrinks. The total error of the centred quotient, truncation plus rounding, is
#
# $$
# E(h) \approx \frac{|\mathcal L'''|}{6} h^2 + \frac{\varepsilon |\mathcal L|}{h},
# $$
#
# smallest where its derivative vanishes, at $h^* = (3\varepsilon|\mathcal L|/|\mathcal L'''|)^{1/3}$.
# The experiment below takes a small network (3 inputs, 4 tanh units, 2 identity outputs, the
# half squared error, $N = 5$ samples) and one weight, $w^{(1)}_{11}$ (`W1[0, 0]`). The code is all
# there is to a difference quotient: set the entry, evaluate the loss, restore the entry.

# %%
import numpy as np

import backprop as bp

net = bp.MLP([3, 4, 2], hidden="tanh", output="identity", loss="mse", seed=1)
rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
Y = rng.normal(size=(5, 2))


def loss_at(net, X, Y, key, idx, value):
    """The loss with net.params[key][idx] set to value (then restored)."""
    P = net.params[key]
    old = P[idx]
    P[idx] = value
    try:
        return float(net.loss(X, Y))
    finally:
        P[idx] = old


def quotient(net, X, Y, key, idx, h, order=2):
    """Centred (order 2) or five-point (order 4) quotient for one entry."""
    p = net.params[key][idx]

    def L(value):
        return loss_at(net, X, Y, key, idx, value)

    if order == 2:
        return (L(p + h) - L(p - h)) / (2 * h)
    return (-L(p + 2 * h) + 8 * L(p + h)
            - 8 * L(p - h) + L(p - 2 * h)) / (12 * h)


g_bp = net.gradients(X, Y)["W1"][0, 0]
for h in (1e-2, 1e-5, 1e-8, 1e-11):
    g_fd = quotient(net, X, Y, "W1", (0, 0), h)
    print(f"h = {h:.0e}:  backprop {g_bp:.15f}  centred {g_fd:.15f}")

# %% [markdown]
# The centred quotient agrees with backpropagation to more digits as $h$ falls from $10^{-2}$ to
# $10^{-5}$, and to fewer again below. To predict the curve we need $\mathcal L'''$ and
# $\mathcal L^{(5)}$ along that weight; they come from the same network evaluated in 40-digit
# arithmetic (mpmath), where rounding is negligible. The step sizes run from $10^{-1}$ down to
# $10^{-12}$, evenly spaced on a log scale.

# %% tags=["hide-input"]
EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)
assert EPS64 == 2.0**-52 and EPS32 == 2.0**-23
KEY, IDX = "W1", (0, 0)
g = float(g_bp)
p0 = float(net.params[KEY][IDX])


def rel_error(a, b):
    """|a - b| / (|a| + |b|), 0 where both are 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    den = np.abs(a) + np.abs(b)
    return np.where(den == 0, 0.0, np.abs(a - b) / np.where(den == 0, 1.0, den))


def err_at(model, step, order):
    return float(rel_error(quotient(model, X, Y, KEY, IDX, step, order), g))


hs = np.logspace(-1, -12, 45)
err = {o: np.array([err_at(net, s, o) for s in hs]) for o in (2, 4)}
shown = [err_at(net, s, 2) for s in (1e-2, 1e-5, 1e-8, 1e-11)]   # the printed steps
assert shown[1] < shown[0] and shown[1] < shown[2] < shown[3], shown

# The loss along w11 in 40-digit arithmetic, for exact higher derivatives.
mpmath.mp.dps = 40
to_mp = np.vectorize(mpmath.mpf, otypes=[object])
Xm, Ym = to_mp(X), to_mp(Y)
Pm = {k: to_mp(v) for k, v in net.params.items()}
tanh_mp = np.vectorize(mpmath.tanh, otypes=[object])


def loss_mp(w):
    W1 = Pm["W1"].copy()
    W1[IDX] = w
    D = tanh_mp(Xm @ W1 + Pm["b1"]) @ Pm["W2"] + Pm["b2"] - Ym
    return (D * D).sum() / (2 * len(X))


L0 = float(loss_mp(mpmath.mpf(p0)))
d1, d3, d5 = (float(mpmath.diff(loss_mp, mpmath.mpf(p0), k)) for k in (1, 3, 5))
assert abs(d1 - g) <= 1e-12 * abs(g), (d1, g)      # 40-digit derivative == backprop
assert abs(L0 - net.loss(X, Y)) < 1e-15

# Predicted errors (relative: divided by |g_bp| + |g_fd| ~ 2|g|) and best steps.
trunc = {2: abs(d3) / 6 * hs**2, 4: abs(d5) / 30 * hs**4}
round_off = {2: EPS64 * abs(L0) / hs, 4: 1.5 * EPS64 * abs(L0) / hs}   # stencil weights: 2/2, 18/12
h_pred = {2: (3 * EPS64 * abs(L0) / abs(d3)) ** (1 / 3),
          4: (30 * 1.5 * EPS64 * abs(L0) / (4 * abs(d5))) ** (1 / 5)}
h_best = {o: float(hs[np.argmin(err[o])]) for o in (2, 4)}
e_best = {o: float(err[o].min()) for o in (2, 4)}


def slope(order, lo, hi):
    sel = (hs >= lo) & (hs <= hi) & (err[order] > 0)
    return float(np.polyfit(np.log10(hs[sel]), np.log10(err[order][sel]), 1)[0])


slopes = {
    (2, "truncation"): slope(2, 10 * h_pred[2], 1e-1),
    (4, "truncation"): slope(4, 10 * h_pred[4], 3e-2),
    (2, "rounding"): slope(2, 1e-12, h_pred[2] / 100),
    (4, "rounding"): slope(4, 1e-12, h_pred[4] / 100),
}


def draw_h(fig):
    ax = fig.subplots()
    for i, o in enumerate((2, 4)):
        ax.loglog(hs, err[o], "-", lw=1.5, color=f"C{i}", label=f"order {o}, measured")
        ax.loglog(hs, (trunc[o] + round_off[o]) / (2 * abs(g)), "--", lw=1, color=f"C{i}",
                  label=f"order {o}, predicted")
        ax.axvline(h_best[o], color=f"C{i}", lw=0.8, ls=":")
    ax.set_ylim(1e-14, 1)
    ax.invert_xaxis()
    ax.set_xlabel("step $h$ (decreasing to the right)")
    ax.set_ylabel("relative error")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_h, figsize=(5.0, 4.2),
       alt=f"Log-log plot of the relative error of the difference quotient against h from 10⁻¹ to 10⁻¹². "
       f"Coming from large h, the order-2 error falls with slope {num(slopes[(2, 'truncation')], 2)} and "
       f"the order-4 error with slope {num(slopes[(4, 'truncation')], 2)}, reaching minima of "
       f"{num(e_best[2], 1)} at h = {num(h_best[2], 1)} and {num(e_best[4], 1)} at h = {num(h_best[4], 1)}; "
       f"for smaller h both rise again with slope about −1, to about 10⁻⁴ at h = 10⁻¹². "
       f"Dashed prediction lines follow the measurements.",
       caption="Relative error of the centred (order 2) and five-point (order 4) quotients for one "
       "weight, against the step $h$. Dotted lines: the measured best $h$.")

md_table(
    ["", "centred (order 2)", "five-point (order 4)"],
    [["slope where truncation dominates", *[slopes[(o, "truncation")] for o in (2, 4)]],
     ["slope where rounding dominates", *[slopes[(o, "rounding")] for o in (2, 4)]],
     ["predicted best $h$", *[h_pred[o] for o in (2, 4)]],
     ["measured best $h$", *[h_best[o] for o in (2, 4)]],
     ["smallest relative error", *[e_best[o] for o in (2, 4)]]],
    fmt=2,
)
defaults = {o: bp.check_gradients(net, X, Y, order=o) for o in (2, 4)}  # the library's default h and tol
at = {(o, s): err_at(net, s, o) for o in (2, 4) for s in (1e-2, 1e-12)}
md(f"""
The slopes are the exponents of the error terms: {num(slopes[(2, 'truncation')], 3)} and
{num(slopes[(4, 'truncation')], 3)} where truncation dominates (theory: 2 and 4), and
{num(slopes[(2, 'rounding')], 2)} and {num(slopes[(4, 'rounding')], 2)} where rounding does (theory: $-1$).
Here $|\\mathcal L| = {tex(L0)}$, $\\mathcal L''' = {tex(d3)}$ and $\\mathcal L^{{(5)}} = {tex(d5)}$.
The five-point stencil reaches a smaller error ({num(e_best[4], 2, trim=True)} against {num(e_best[2], 2, trim=True)})
at a larger step, which is why `bp.check_gradients` uses it by default, with
$h = {tex(defaults[4].h)}$ (and $h = {tex(defaults[2].h)}$ for the centred quotient).

Too small a step is no better than too large a one. At $h = 10^{{-12}}$ the five-point quotient's
relative error is {num(at[4, 1e-12], 2, trim=True)}, {num(at[4, 1e-12] / at[4, 1e-2], 2)} times its error at
$h = 10^{{-2}}$; the centred quotient's is {num(at[2, 1e-12], 2, trim=True)}, about as large as at
$h = 10^{{-2}}$ ({num(at[2, 1e-2], 2, trim=True)}), where it is all truncation error, and
{num(at[2, 1e-12] / e_best[2], 2)} times its best.
""")

# %% [markdown]
# ## Relative error and its thresholds
#
# An absolute difference $|g - \hat g|$ means nothing without a scale: multiply
# the loss by 1000 and the difference grows 1000-fold while the gradient is exactly as right as
# before. The check therefore uses the relative error
#
# $$
# \mathrm{rel}(g, \hat g) = \frac{|g - \hat g|}{|g| + |\hat g|}
# $$
#
# (0 when both are 0), which is symmetric in its two arguments, unchanged when both are multiplied by the same number,
# and at most 1 (exactly 1 when the two have opposite signs or exactly one of them is 0: where
# $g$ is exactly 0, every nonzero estimate, however tiny, scores 1, so there the
# relative error says nothing, and the library judges such entries differently, see
# [the noise floor](#the-noise-floor)). Stanford's CS231n
# notes popularised thresholds for it in float64; they divide by the larger of
# $|g|$ and $|\hat g|$ (mentioning the sum as an alternative), which gives a value
# between once and twice the one above: less than the width of any band. As intervals, with the
# lower end included, so that "good" is exactly "passes at the float64 tolerance $10^{-7}$":

# %% tags=["hide-input"]
BANDS = [  # (lower end, upper end, name, verdict): an error e is in the band if lower <= e < upper
    (1e-2, np.inf, "wrong", "almost certainly a bug"),
    (1e-4, 1e-2, "suspicious", "a bug, or a poor numerical derivative"),
    (1e-7, 1e-4, "kinks only", "acceptable only where the loss has kinks (ReLU); too high for smooth losses"),
    (0.0, 1e-7, "good", "no sign of a bug"),
]
band_tex = {"wrong": r"$[10^{-2},\ 1]$", "suspicious": r"$[10^{-4},\ 10^{-2})$",
            "kinks only": r"$[10^{-7},\ 10^{-4})$", "good": r"$[0,\ 10^{-7})$"}
md_table(["relative error", "band", "verdict"], [[band_tex[name], name, text] for _, _, name, text in BANDS])


def band_of(e):
    """The name of the band holding relative error e."""
    return next(name for lo, hi, name, _ in BANDS if lo <= e < hi)


# The definition's properties, on values that could break them.
_a = np.array([0.3, -0.25, 0.0, 5.0, 1e-300])
_b = np.array([0.3000001, 0.5, 0.0, -5.0, 0.0])
_r = rel_error(_a, _b)
assert np.allclose(rel_error(1000 * _a, 1000 * _b), _r, rtol=1e-9, atol=0)       # scale-free
assert np.array_equal(rel_error(_b, _a), _r)                                         # symmetric
assert np.all(_r <= 1) and _r[1] == 1 and _r[3] == 1 and _r[4] == 1 and _r[2] == 0  # at most 1; the cases of 1
_cs231n = np.abs(_a - _b) / np.where(np.maximum(abs(_a), abs(_b)) == 0, 1, np.maximum(abs(_a), abs(_b)))
assert np.all((_r <= _cs231n + 1e-300) & (_cs231n <= 2 * _r))

# %% [markdown]
# To see the bands at work, compare four gradients with a numerical one, entry by entry, on the
# same network: the library's, against the five-point stencil; the library's against a *one-sided*
# difference with $h = 10^{-4}$; and two hand-written backward passes with classic bugs against the
# five-point stencil: $\tanh'$ evaluated at the activation instead of at the pre-activation
# (`1 - tanh(a)**2` where `1 - a**2` was meant), and the output $\delta^{(L)}$ without the $1/N$ of
# the mean. The hand-written backward pass, with a switch for each bug:

# %%
def backward(net, X, Y, bug=None):
    """The gradients of a tanh network with one hidden layer, identity
    outputs and the half squared error, written out by hand."""
    P, fp, N = net.params, net.forward(X), len(X)
    A1, A2 = fp.a[1], fp.a[2]
    delta2 = A2 - Y if bug == "no 1/N" else (A2 - Y) / N
    da1 = delta2 @ P["W2"].T
    if bug == "tanh'(a)":
        delta1 = da1 * (1 - np.tanh(A1) ** 2)   # the bug: tanh' of a, not z
    else:
        delta1 = da1 * (1 - A1**2)              # tanh'(z) = 1 - a^2
    return {"W1": X.T @ delta1, "b1": delta1.sum(axis=0),
            "W2": A1.T @ delta2, "b2": delta2.sum(axis=0)}


correct = backward(net, X, Y)
library = net.gradients(X, Y)
assert all(np.allclose(correct[k], library[k], rtol=1e-14, atol=0) for k in library)

# %% tags=["hide-input"]
report = bp.check_gradients(net, X, Y)
keys = list(net.params)


def flat(d):
    return np.concatenate([np.ravel(d[k]) for k in keys])


numeric = flat({k: report.parameters[k].numeric for k in keys})
library_flat = flat(net.gradients(X, Y))
L_base = net.loss(X, Y)
H1 = 1e-4
one_sided = np.array([(loss_at(net, X, Y, k, idx, net.params[k][idx] + H1) - L_base) / H1
                      for k in keys for idx in np.ndindex(net.params[k].shape)])
cases = {
    "library vs five-point": rel_error(library_flat, numeric),
    "library vs one-sided": rel_error(library_flat, one_sided),
    "bug: tanh'(a)": rel_error(flat(backward(net, X, Y, "tanh'(a)")), numeric),
    "bug: no 1/N": rel_error(flat(backward(net, X, Y, "no 1/N")), numeric),
}
in_last_layer = np.concatenate([np.full(net.params[k].size, k in ("W2", "b2")) for k in keys])
tanh_bug = cases["bug: tanh'(a)"]


def band_counts(r):
    return [sum(band_of(e) == name for e in r) for _, _, name, _ in BANDS]


def draw_bands(fig):
    ax = fig.subplots()
    floor = 1e-17
    for (lo, hi, _, _), colour in zip(BANDS, ("C3", "C1", None, "C2"), strict=True):
        if colour:   # "kinks only" stays unshaded, between the warning colours and green
            ax.axhspan(max(lo, floor), min(hi, 2), color=colour, alpha=0.15, lw=0)
    jitter = np.random.default_rng(1).uniform(-0.2, 0.2, len(numeric))
    for i, r in enumerate(cases.values()):
        ax.semilogy(i + jitter, np.maximum(r, floor), "o", ms=4, color="C0", alpha=0.8)
    ax.set_xticks(range(len(cases)), ["library\n5-point", "library\n1-sided", "bug:\ntanh'(a)", "bug:\nno 1/N"])
    ax.set_ylim(floor, 2)
    ax.set_xlim(-0.5, len(cases) - 0.5)
    ax.set_ylabel("relative error per entry")
    ax.grid(axis="x", visible=False)
    right = ax.twinx()
    right.set_yscale("log")
    right.set_ylim(ax.get_ylim())
    right.set_yticks([np.sqrt(max(lo, floor) * min(hi, 2)) for lo, hi, _, _ in BANDS],
                     [name for _, _, name, _ in BANDS])
    right.minorticks_off()
    right.tick_params(length=0)
    right.grid(False)


figure(draw_bands, figsize=(5.0, 3.8),
       alt=f"Relative errors of the {len(numeric)} gradient entries of a 3-4-2 network in four comparisons, "
       "against shaded threshold bands. The library against the five-point stencil: all entries "
       f"below {num(cases['library vs five-point'].max(), 1)}, in the good band. The library against a "
       f"one-sided difference: between {num(cases['library vs one-sided'].min(), 1)} and "
       f"{num(cases['library vs one-sided'].max(), 1)}, its largest in the suspicious band although the "
       f"gradient is right. The tanh'(a) bug: the last layer's entries are good, the others spread from "
       f"{num(tanh_bug[~in_last_layer].min(), 1)} to {num(tanh_bug.max(), 1)}. The missing 1/N: every entry "
       f"at {num(np.median(cases['bug: no 1/N']), 2)}.",
       caption="Relative error of every gradient entry in four comparisons, against the bands (right): "
       "good (green), kinks only (unshaded), suspicious (orange) and wrong (pink).")
short = ["library, 5-point", "library, 1-sided", "bug: tanh'(a)", "bug: no 1/N"]
md_table(["relative error", *short],
         [["largest", *[r.max() for r in cases.values()]],
          ["median", *[float(np.median(r)) for r in cases.values()]],
          *[[f"entries {name}", *[band_counts(r)[i] for r in cases.values()]]
            for i, (_, _, name, _) in enumerate(BANDS)]], fmt=2)

N5 = len(X)
no_n_dev = float(np.abs(cases["bug: no 1/N"] - (N5 - 1) / (N5 + 1)).max())
# Where the one-sided quotient's error comes from: its truncation term L''(p) h / 2, entry by entry.
second = np.array([(loss_at(net, X, Y, k, idx, net.params[k][idx] + 1e-4) - 2 * L_base
                    + loss_at(net, X, Y, k, idx, net.params[k][idx] - 1e-4)) / 1e-8
                   for k in keys for idx in np.ndindex(net.params[k].shape)])
predicted_gap = second * H1 / 2
worst = int(np.argmax(cases["library vs one-sided"]))
big = np.abs(predicted_gap) > 1e-7
gap_dev = float(np.max(np.abs((one_sided[big] - library_flat[big]) / predicted_gap[big] - 1)))
assert big.all() and gap_dev < 0.01, (big.sum(), gap_dev)
md(f"""
The correct gradient against the good stencil sits far inside the good band. The *same* correct
gradient against the one-sided difference looks suspicious (its largest relative error is
{num(cases['library vs one-sided'].max(), 2, trim=True)}, its median
{num(np.median(cases['library vs one-sided']), 2, trim=True)}):
a check is only as good as its numerical side. The one-sided quotient's error is its truncation
term $\\mathcal L'' h/2$ (exercise 1): entry by entry, the measured gap
$\\hat g - g$ matches $\\mathcal L'' h/2$ (from a second difference) to within
{num(up(100 * gap_dev), trim=True)} % for all {len(numeric)} entries; the worst entry has
$\\mathcal L'' = {tex(second[worst], 3)}$ but a derivative of only {num(library_flat[worst], 3, trim=True)}.

The missing $1/N$ ($N = {N5}$) multiplies every entry by {N5}, so every relative error is
$(N-1)/(N+1) = {tex((N5 - 1) / (N5 + 1))}$, up to the quotient's own error (at most
{num(up(no_n_dev), 1, trim=True)} here). The $\\tanh'(a)$ bug is the instructive one:
{band_counts(tanh_bug)[1]} of its {len(numeric)} entries are merely "suspicious", its median
({num(np.median(tanh_bug), 2, trim=True)}) too, and the {int(in_last_layer.sum())} entries of the last layer,
which do not involve $\\tanh'$, are good (the largest {num(tanh_bug[in_last_layer].max(), 2, trim=True)}). Judge a
parameter by its *largest* relative error, never by a typical one.
""")
assert cases["library vs five-point"].max() < 1e-7
assert band_of(cases["library vs one-sided"].max()) == "suspicious"
assert band_of(np.median(cases["library vs one-sided"])) == "kinks only"
assert band_of(tanh_bug.max()) == "wrong" and band_of(np.median(tanh_bug)) == "suspicious"
assert np.all(tanh_bug[in_last_layer] < 1e-7) and np.all(tanh_bug[~in_last_layer] >= 1e-7)
assert no_n_dev < 1e-9, no_n_dev

# %% [markdown]
# The library's report gives, per parameter array, how many entries were verified, the largest
# relative and absolute error, and three counts explained in the next sections: entries whose
# stencil crossed a kink of ReLU (`kinks`, not verified), entries whose backpropagated gradient is
# exactly 0 (`zeros`, judged by an absolute difference) and entries that pass only because their
# difference is within the rounding noise of the quotient (`below noise`). The line under the table gives
# that noise floor and the measured noise of one loss value it is computed from.

# %%
report = bp.check_gradients(net, X, Y)   # five-point, default h and tol
print(report)
print("ok:", report.ok)

# %% tags=["hide-input"]
assert report.ok and report.verified == report.entries == len(numeric)
assert report.kinks == report.zeros == report.below_noise == report.unresolved == 0
assert report.max_rel_error < report.tol
md(f"""
On this network all {report.verified} entries are verified, and each passes on its relative error
alone (the largest is {num(report.max_rel_error, 2, trim=True)}): no entry needed the noise floor or any other
allowance.
""")

# %% [markdown]
# ## ReLU kinks
#
# [ReLU](activation-functions.py) has no derivative at $z = 0$. Backpropagation uses one of the
# one-sided values (the library takes $\mathrm{relu}'(0) = 0$, the slope on the left), and that is
# fine for training, but a difference quotient whose stencil *crosses* 0 measures an average slope
# over a corner, which is neither one-sided derivative. To see it, take a 2-3-1 ReLU network and
# shift the bias of its first hidden unit so that the unit's pre-activation for the first sample
# is tiny, $z^{(1)}_{11} = 2\times10^{-4}$ (sample 1, unit 1). A step of $h = 10^{-3}$ in that bias
# pushes $z^{(1)}_{11}$ below 0 on one side of the stencil.

# %%
knet = bp.MLP([2, 3, 1], hidden="relu", output="identity", loss="mse", seed=4)
rng = np.random.default_rng(2)
Xk, Yk = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
# shift the bias so that z[1][0, 0] (sample 1, unit 1) becomes 2e-4
knet.params["b1"][0] += 2e-4 - knet.forward(Xk).z[1][0, 0]
print("z of unit 1 for sample 1:", knet.forward(Xk).z[1][0, 0])

# %% tags=["hide-input"]
z_target = 2e-4
z11 = float(knet.forward(Xk).z[1][0, 0])
assert abs(z11 - z_target) < 1e-15
kgrad = float(knet.gradients(Xk, Yk)["b1"][0])
b0 = float(knet.params["b1"][0])
hk = 1e-3


def kloss(v):
    return loss_at(knet, Xk, Yk, "b1", (0,), v)


secant = (kloss(b0 + hk) - kloss(b0 - hk)) / (2 * hk)
right_slope = (kloss(b0 + 1e-6) - kloss(b0 - 1e-6)) / 2e-6
left_slope = (kloss(b0 - 2 * z_target - 1e-6) - kloss(b0 - 2 * z_target - 3e-6)) / 2e-6
kink_rel = float(rel_error(kgrad, secant))
offsets = np.linspace(-1.5e-3, 1.5e-3, 31)   # a grid point at the kink, -2e-4
curve = np.array([kloss(b0 + o) for o in offsets])
assert offsets[15] == 0 and np.isclose(offsets, -z_target, rtol=0, atol=1e-12).any()


def draw_kink(fig):
    ax = fig.subplots()
    ax.plot(offsets * 1e3, (curve - curve[15]) * 1e3, label="loss along $b^{(1)}_1$")
    ax.plot([-hk * 1e3, hk * 1e3], [(kloss(b0 - hk) - curve[15]) * 1e3, (kloss(b0 + hk) - curve[15]) * 1e3],
            "o--", label=f"stencil, h = 10⁻³: slope {num(secant)}")
    t = np.array([-1.5e-3, 1.5e-3])
    ax.plot(t * 1e3, kgrad * t * 1e3, ":", label=f"backprop tangent: slope {num(kgrad)}")
    ax.axvline(-z_target * 1e3, color="C4", lw=0.8)
    ax.text(-z_target * 1e3, ax.get_ylim()[1], r"kink: $z^{(1)}_{11} = 0$ ", va="top", ha="right")
    ax.set_xlabel(r"change of $b^{(1)}_1$ ($\times 10^{-3}$)")
    ax.set_ylabel(r"$\mathcal{L} - \mathcal{L}_0$ ($\times 10^{-3}$)")
    fig.legend(loc="outside upper center", ncols=1)


figure(draw_kink, figsize=(5.0, 4.0),
       alt=f"The loss along one bias of a ReLU network has a corner at offset {num(-z_target, 1)}, where "
       f"the first sample's unit switches off; its slope is {num(right_slope)} to the right and "
       f"{num(left_slope)} to the left. The centred stencil with h = 10⁻³ straddles the corner and "
       f"measures {num(secant)}, while backpropagation gives the right-hand slope {num(kgrad)}.",
       caption="A centred difference across a ReLU kink measures neither one-sided slope.")
md(f"""
Backpropagation gives {num(kgrad, 6, trim=True)}, the slope on the side where the network is; the centred
quotient with $h = 10^{{-3}}$ gives {num(secant, 6, trim=True)}, between the two one-sided slopes
({num(right_slope, 4, trim=True)} and {num(left_slope, 4, trim=True)}), a relative error of
{num(kink_rel, 2, trim=True)}: in the
"wrong" band although nothing is wrong. `bp.check_gradients` detects this: it notes on which side
of 0 every ReLU pre-activation lies before the check and again at each point of every stencil (from
the forward pass that computes the loss there, so the test costs nothing extra), and flags each entry
whose stencil moved one across. A flagged entry is counted under `kinks`, is not verified and is
left out of the verdict:
""")
assert min(right_slope, left_slope) < secant < max(right_slope, left_slope)
assert abs(secant - right_slope) > 1e-2 and abs(secant - left_slope) > 1e-2
assert band_of(kink_rel) == "wrong" and abs(kgrad - right_slope) < 1e-6

# %%
kreport = bp.check_gradients(knet, Xk, Yk, h=1e-3, order=2)
print(kreport)
print("b1 kink flags:", kreport.parameters["b1"].kink, " ok:", kreport.ok)

# %% tags=["hide-input"]
kp = kreport.parameters["b1"]
assert kp.kink[0] and not kp.kink[1:].any() and kreport.ok
assert kreport.verified == kreport.entries - kreport.kinks and kreport.kinks == 2
# The weights into unit 1 move z11 by x_1j * h over the stencil: only the one with |x_1j| h > z11 crosses 0.
kink_W1 = np.zeros((2, 3), dtype=bool)
kink_W1[:, 0] = np.abs(Xk[0]) * hk > z11
assert np.array_equal(kreport.parameters["W1"].kink, kink_W1) and kink_W1.sum() == 1 and kink_W1[1, 0]
assert not kreport.parameters["W2"].kink.any()
assert abs(kp.numeric[0] - secant) < 1e-9 and kp.rel_error[0] > 1e-2
small = bp.check_gradients(knet, Xk, Yk, h=1e-6, order=2)
assert small.kinks == 0 and small.ok and small.parameters["b1"].rel_error[0] < 1e-7
md(f"""
Two entries are flagged: the bias, and the weight $w^{{(1)}}_{{21}}$ from input 2, which moves
$z^{{(1)}}_{{11}}$ by $x_{{12}}h = {tex(Xk[0, 1] * hk, 2)}$ ($x_{{12}}$: input 2 of sample 1), farther
than its distance to 0; the weight from input 1 moves it by only {num(Xk[0, 0] * hk, 2, trim=True)} and is not
flagged. The other
{kreport.verified} of the {kreport.entries} entries are verified. With a step smaller than the
distance to the kink ($h = 10^{{-6}} < {tex(z_target)}$) no stencil crosses it, the flags disappear
and the same entry agrees to {num(small.parameters['b1'].rel_error[0], 1, trim=True)}.

How many entries get flagged depends on the data and on $h$. Moving a weight moves its unit's
pre-activation for all samples at once (all whose input on that weight is not 0), and through it
the later layers' pre-activations, so an entry is flagged as soon as *one* of the $N$ samples has a
pre-activation within reach of 0; the more samples, the likelier that is. Counting the flags on a
4-16-16-3 ReLU network (softmax outputs, cross-entropy, random inputs and classes):
""")

# %%
rnet = bp.MLP([4, 16, 16, 3], hidden="relu", output="softmax",
              loss="cross_entropy", seed=0)
n_entries = sum(p.size for p in rnet.params.values())
flagged, verdicts = {}, {}
for N in (10, 100, 1000):
    rng = np.random.default_rng(0)
    Xr = rng.normal(size=(N, 4))
    Yr = np.eye(3)[rng.integers(0, 3, N)]   # one-hot classes
    for h in (1e-3, 1e-5):
        r = bp.check_gradients(rnet, Xr, Yr, h=h)
        flagged[N, h], verdicts[N, h] = r.kinks / n_entries, r.ok
print(n_entries, "entries; every check ok:", all(verdicts.values()))

# %% tags=["hide-input"]
Ns, steps = (10, 100, 1000), (1e-3, 1e-5)
md(f"Percentage of the {n_entries} entries flagged, by step (rows) and number of samples $N$ (columns):")
md_table(["step $h$", *[f"$N = {n}$" for n in Ns]],
         [[f"{num(s, trim=True)}", *[100 * flagged[n, s] for n in Ns]] for s in steps], fmt=2)
default_h = defaults[4].h
assert all(verdicts.values())
for s in steps:   # more samples, more flags
    assert flagged[10, s] <= flagged[100, s] <= flagged[1000, s], (s, flagged)
for n in Ns:      # a smaller step, fewer flags
    assert flagged[n, 1e-5] <= flagged[n, 1e-3], (n, flagged)
assert flagged[1000, 1e-3] > 0.5 and flagged[1000, 1e-5] < 0.01
md(f"""
At the default step, $h = {tex(default_h)}$, {num(100 * flagged[100, 1e-3], 2)} % of the entries are flagged
with 100 samples and {num(100 * flagged[1000, 1e-3], 2)} % with 1000, and every one of these checks
reports `ok`: a flagged entry is not verified, so `ok` vouches only for the rest. Check with a few
samples, or with a smaller step (at $h = {tex(1e-5)}$, {num(100 * flagged[1000, 1e-5], 1)} % are
flagged with 1000 samples), and look at the `kinks` column before trusting the verdict.
""")

# %% [markdown]
# ## float32 against float64
#
# In single precision $\varepsilon_{32} = 2^{-23}$, $2^{29}$ times coarser than
# $\varepsilon_{64} = 2^{-52}$. Every term of the trade-off moves: the rounding error
# $\varepsilon|\mathcal L|/h$ is that much larger, so the best step is larger and the best achievable
# error far worse. For the centred quotient the optimum $h^* \propto \varepsilon^{1/3}$ gives an
# error $\propto \varepsilon^{2/3}$; for the five-point stencil $h^* \propto \varepsilon^{1/5}$ and the
# error $\propto \varepsilon^{4/5}$. The same network and weight as above, with its parameters rounded
# to float32:

# %%
net32 = bp.MLP([3, 4, 2], hidden="tanh", output="identity", loss="mse",
               dtype=np.float32)
net32.params = {k: v.astype(np.float32) for k, v in net.params.items()}
r32 = bp.check_gradients(net32, X, Y)
print(r32)
print("ok:", r32.ok, " h:", r32.h, " tol:", r32.tol)

# %% tags=["hide-input"]
g32 = float(net32.gradients(X, Y)[KEY][IDX])
hs32 = np.logspace(-0.5, -7, 27)
err32 = {o: np.array([err_at(net32, np.float32(s), o) for s in hs32]) for o in (2, 4)}
err64 = {o: np.array([err_at(net, s, o) for s in hs32]) for o in (2, 4)}
best32 = {o: (float(hs32[np.argmin(err32[o])]), float(err32[o].min())) for o in (2, 4)}
analytic32 = float(rel_error(g32, g))
pred32 = {2: EPS32 ** (2 / 3), 4: EPS32 ** (4 / 5)}
TOL64, TOL32 = defaults[4].tol, r32.tol
# Below some step the float32 loss takes one value on the whole stencil: the quotient is 0, its
# relative error 1. Where that starts, on a fine grid of steps from 1e-5 down to 1e-12:
vanish = min(float(hs32[err32[o] == 1.0].max()) for o in (2, 4))   # the plotted steps where both are 1
p32_0 = net32.params[KEY][IDX]
fine32 = np.logspace(-5, -12, 1401)
one_value = np.array([len({loss_at(net32, X, Y, KEY, IDX, p32_0 + m * np.float32(s_))
                           for m in (-2, -1, 0, 1, 2)}) == 1 for s_ in fine32])
h_flat = float(fine32[~one_value].min())        # the smallest step that still sees two loss values
assert np.all(one_value[fine32 < h_flat]) and h_flat < vanish   # (3.2e-7 is only a lucky plotted step)
for s_ in fine32[fine32 < h_flat][::100]:
    assert all(quotient(net32, X, Y, KEY, IDX, np.float32(s_), o) == 0.0 for o in (2, 4))
h_small = hs32 <= 1e-3
floor32 = r32.parameters[KEY].noise
assert all(prm.noise == floor32 for prm in r32.parameters.values())
n_floor32 = sum(int(np.sum(floor32 > TOL32 * (np.abs(prm.analytic) + np.abs(prm.numeric))))
                for prm in r32.parameters.values())
g32_all = np.concatenate([np.abs(prm.analytic).ravel() for prm in r32.parameters.values()])
g32_smallest = float(g32_all.min())
assert 0 < n_floor32 == int(np.sum(g32_all < floor32 / (2 * TOL32))) < r32.entries, n_floor32
f64_max_small = max(float(err64[o][h_small].max()) for o in (2, 4))


def draw_dtype(fig):
    ax = fig.subplots()
    for i, o in enumerate((2, 4)):
        ax.loglog(hs32, err64[o], ":", color=f"C{i}", lw=1.5, label=f"float64, order {o}")
    for i, o in enumerate((2, 4)):
        ax.loglog(hs32, err32[o], "-", color=f"C{i}", lw=2, label=f"float32, order {o}")
    for tol in (TOL64, TOL32):
        ax.axhline(tol, color="C3", ls="--", lw=0.8)
    ax.invert_xaxis()
    ax.set_ylim(1e-14, 3)
    ax.set_xlabel("step $h$ (decreasing to the right)")
    ax.set_ylabel("relative error")
    right = ax.twinx()
    right.set_yscale("log")
    right.set_ylim(ax.get_ylim())
    right.set_yticks([TOL64, TOL32], ["float64\ntolerance", "float32\ntolerance"])
    right.minorticks_off()
    right.tick_params(length=0)
    right.grid(False)
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_dtype, figsize=(5.0, 4.4),
       alt=f"Relative error against h, from 0.3 to 10⁻⁷, for float32 and float64 difference quotients. "
       f"The float32 curves bottom out at {num(best32[2][1], 1)} (order 2, h = {num(best32[2][0], 1)}) and "
       f"{num(best32[4][1], 1)} (order 4, h = {num(best32[4][0], 1)}), far above the float64 tolerance "
       f"10⁻⁷, and are exactly 1 at the smallest steps (every h below {num(down(h_flat, 2))}); "
       f"the float64 curves stay below "
       f"{num(f64_max_small, 1)} for every h from 10⁻³ down.",
       caption="The same quotients in float32 (solid) and float64 (dotted), compared with the float64 "
       "backpropagated derivative; dashed: the two default tolerances.")
md(f"""
The float32 backpropagated derivative is accurate to {num(analytic32, 2, trim=True)} relative, of the order of
$\\varepsilon_{{32}} = {tex(EPS32, 2)}$. The float32 *difference quotient* is the weak part: at best
{num(best32[2][1], 1, trim=True)} for order 2 (at $h = {tex(best32[2][0], 1)}$; the rule of thumb
$\\varepsilon_{{32}}^{{2/3}}$ gives {num(pred32[2], 1, trim=True)}) and {num(best32[4][1], 1, trim=True)} for order 4
(at
$h = {tex(best32[4][0], 1)}$; $\\varepsilon_{{32}}^{{4/5}} = {tex(pred32[4], 1)}$), with best steps
larger than in float64 ({num(h_best[2], 1, trim=True)} and {num(h_best[4], 1, trim=True)}). For every $h$ below
{num(down(h_flat, 2), trim=True)} (a grid of {len(fine32)} steps down to $10^{{-12}}$) the float32 loss takes the same
value at every point of either stencil: the quotient is 0 and its relative error 1. None of the
{len(hs32)} plotted steps comes near the float64 tolerance {num(TOL64, trim=True)}.

So `bp.check_gradients` uses, for a float32 network, $h = {tex(r32.h)}$ and a tolerance of
{num(TOL32, trim=True)}. That tolerance is the lower end of the "wrong" band: in float32 the check tells
"wrong" from the rest and nothing finer, and an error in the "suspicious" band passes. The correct
float32 gradient itself lands there: its largest relative error on this network is
{num(r32.max_rel_error, 2, trim=True)} ("{band_of(r32.max_rel_error)}"), and the check passes (`ok` is
{r32.ok}). The tolerance is not the only allowance: an entry also passes when
$|g - \\hat g|$ is within the quotient's noise floor
([below](#the-noise-floor)), here {num(floor32, 2, trim=True)}. That allows more than the tolerance, about
${tex(TOL32)} \\cdot 2|g|$, for every gradient entry smaller than
{num(floor32 / (2 * TOL32), 2, trim=True)}: {n_floor32} of the {r32.entries} here (the smallest is
{num(g32_smallest, 2, trim=True)}). Hence the usual advice: check
gradients in float64, then train in whatever precision you like.
""")
assert TOL32 == BANDS[0][0] and TOL64 == BANDS[3][1]
assert band_of(r32.max_rel_error) == "suspicious" and r32.ok
assert min(e for _, e in best32.values()) > 10 * TOL64
assert all(best32[o][0] > h_best[o] for o in (2, 4))
assert analytic32 < 10 * EPS32

# %% [markdown]
# ## The noise floor
#
# A difference quotient cannot resolve a derivative smaller than its own rounding error. Write a
# quotient as $\sum_r c_r \mathcal L(p + rh)/(Dh)$ over its offsets $r$, with weights $c_r$ and
# denominator $D$ ($c_{\pm 1} = \pm 1$, $D = 2$ for the centred quotient; $c_{\pm 2} = \mp 1$,
# $c_{\pm 1} = \pm 8$, $D = 12$ for the five-point stencil). If the rounding errors of the loss
# values are of size $\nu$, the quotient's is at most about $\nu \sum_r |c_r| / (Dh)$, which is
# $1.5\,\nu/h$ for the five-point stencil. A derivative far below that is invisible, and comparing
# it with the quotient gives a relative error near 1 that says nothing about the gradient. So
# `bp.check_gradients` lets a difference $|g - \hat g|$ up to a *noise floor*
# pass, $F \nu \sum_r |c_r| / (Dh)$ with a safety factor $F$, and reports such entries. Everything
# then hangs on $\nu$, the noise of one loss value.

# %% tags=["hide-input"]
# nu for the 3-4-2 network: rounding errors of loss values near its parameters, against 30-digit
# arithmetic, compared with eps |L| and with the library's measurement.
F = bp.NOISE_SAFETY
mpmath.mp.dps = 30


def loss_exact(P):
    """The 3-4-2 network's loss for parameters P, in mpmath (30 digits)."""
    Pm_ = {k: to_mp(v) for k, v in P.items()}
    D = tanh_mp(Xm @ Pm_["W1"] + Pm_["b1"]) @ Pm_["W2"] + Pm_["b2"] - Ym
    return (D * D).sum() / (2 * len(X))


nu_net = bp.MLP([3, 4, 2], hidden="tanh", output="identity", loss="mse")
nu_rng = np.random.default_rng(7)
round_err = []
for _ in range(60):
    nu_net.params = {k: v + 1e-6 * nu_rng.normal(size=v.shape) for k, v in net.params.items()}
    round_err.append(float(mpmath.mpf(nu_net.loss(X, Y)) - loss_exact(nu_net.params)))
nu_rms = float(np.sqrt(np.mean(np.square(round_err))))
L_net = net.loss(X, Y)
assert 1 / 3 < report.loss_noise / nu_rms < 3 and 1 / 3 < EPS64 * L_net / nu_rms < 3, (report.loss_noise, nu_rms)
md(f"""
For the network of the first sections $\\nu$ is about $\\varepsilon|\\mathcal L|$, as the step-size
trade-off assumed: 60 of its loss values, at parameters moved by about $10^{{-6}}$, differ from the
same losses in 30-digit arithmetic by {num(nu_rms, 2, trim=True)} (root mean square), and
$\\varepsilon|\\mathcal L| = {tex(EPS64 * L_net, 2)}$; the library's measurement (below;
never less than $\\varepsilon|\\mathcal L|$) gives
$\\nu = {tex(report.loss_noise, 2)}$.

Not so for a classifier that is nearly certain of every answer. Its loss is tiny, but it is computed
from logits that are not. Train a 2-4-3 network (tanh, softmax outputs, cross-entropy) on six points
in three well-separated groups, then multiply its output layer's weights and biases by 3, which
multiplies every logit by 3 and makes it far more confident:
""")

# %%
rng = np.random.default_rng(0)
yc = np.arange(6) % 3                         # class labels 0, 1, 2, 0, 1, 2
centres = np.array([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
Xc = 0.3 * rng.normal(size=(6, 2)) + centres[yc]   # three groups of two points
cnet = bp.MLP([2, 4, 3], hidden="tanh", output="softmax",
              loss="cross_entropy", seed=0)
cnet.fit(Xc, yc, epochs=300, lr=2.0)
cnet.params["W2"] *= 3
cnet.params["b2"] *= 3
print("loss:", cnet.loss(Xc, yc))
creport = bp.check_gradients(cnet, Xc, yc)
print(creport)

# %% tags=["hide-input"]
def forward_passes(net_, X_, Y_, **options):
    """Run check_gradients and count the forward passes (calls of the output activation)."""
    calls = 0
    out = net_.activations[-1]

    def counting(z):
        nonlocal calls
        calls += 1
        return out.function(z)

    net_.activations[-1] = dataclasses.replace(out, function=counting)
    try:
        rep_ = bp.check_gradients(net_, X_, Y_, **options)
    finally:
        net_.activations[-1] = out
    return calls, rep_


c_passes, c_again = forward_passes(cnet, Xc, yc)
assert c_again.loss_noise == creport.loss_noise and not any(prm.truncation.any() for prm in creport.parameters.values())
fixed_passes = 11   # per check, without widening: counted in exercise 2
assert c_passes == fixed_passes + 8 + creport.order * creport.entries, c_passes   # one widening
Lc, Nc = cnet.loss(Xc, yc), len(Xc)
logits_c = cnet.forward(Xc).z[-1]
assert np.array_equal(logits_c.argmax(axis=1), yc)   # every sample classified right
a_c = cnet.forward(Xc).a[1]                            # the logits are 3 times those before the scaling
assert np.allclose(logits_c, 3 * (a_c @ (cnet.params["W2"] / 3) + cnet.params["b2"] / 3), rtol=1e-13, atol=0)
quantum = EPS64 / Nc
# The loss along one weight, 10^-4 apart: it moves by whole multiples of eps/N.
w_c = float(cnet.params["W2"][0, 0])
along = np.array([loss_at(cnet, Xc, yc, "W2", (0, 0), w_c + k * 1e-4) for k in range(-5, 6)])
in_steps = np.diff(along) / quantum
assert np.all(np.abs(in_steps - np.round(in_steps)) < 1e-6) and np.all(np.round(in_steps) != 0), in_steps
# ... and is flat between its steps: along a random ray with sqrt(eps) steps, most values are equal.
t_ray = np.sqrt(EPS64)
ray_rng = np.random.default_rng(1)
ray = {k: ray_rng.choice([-1.0, 1.0], size=v.shape) * t_ray * np.abs(v) for k, v in cnet.params.items()}
c_base = {k: v.copy() for k, v in cnet.params.items()}
on_ray = []
for j in range(9):
    cnet.params = {k: c_base[k] + j * ray[k] for k in c_base}
    on_ray.append(cnet.loss(Xc, yc))
cnet.params = c_base
flat_steps = int(np.sum(np.diff(on_ray) == 0))
assert flat_steps >= 4, on_ray
assert cnet.loss(Xc, yc) == Lc
# The floor an estimate nu = eps |L| would give, and what it would do to this correct gradient.
floor_epsL = F * EPS64 * Lc * 18 / (12 * creport.h)
fail_epsL = sum(int(np.sum((prm.rel_error >= creport.tol) & (prm.abs_error > floor_epsL)))
                for prm in creport.parameters.values())
c_floor = creport.parameters["W1"].noise
c_max_grad = max(float(np.abs(prm.analytic).max()) for prm in creport.parameters.values())
assert creport.ok and creport.below_noise == creport.verified == creport.entries == fail_epsL
assert 0.1 < creport.loss_noise / quantum < 1 and creport.loss_noise > 1e6 * EPS64 * Lc
md(f"""
Every sample is classified right, and the loss is {num(Lc, 2, trim=True)}. But each sample contributes
$\\ln(1 + S_i)/N$ to it (that is the log-softmax), where $S_i$ is the sum of
$e^{{z^{{(L)}}_{{ik}} - z^{{(L)}}_{{ik'}}}}$ over the wrong classes $k$, $k'$ being the right one, and
$1 + S_i$ is rounded to a multiple of $\\varepsilon$ before the logarithm is taken. So the loss
moves in steps of $\\varepsilon/N = {tex(quantum, 2)}$: along one weight, $10^{{-4}}$ apart, its
values differ by whole multiples of $\\varepsilon/N$ (between
{int(np.abs(np.round(in_steps)).min())} and {int(np.abs(np.round(in_steps)).max())} of them). Between
its steps it is flat: at 9 points $\\sqrt{{\\varepsilon}}$ apart (relative to each parameter) along a
random direction, {flat_steps} of the 8 differences are exactly 0. Its rounding noise is a fraction
of a step, and $\\varepsilon|\\mathcal L| = {tex(EPS64 * Lc, 2)}$ would underestimate it by a factor of
about {num(creport.loss_noise / (EPS64 * Lc), 1, trim=True)}. A floor built on it, {num(floor_epsL, 2, trim=True)}, lies
below the differences of all {fail_epsL} entries of this correct gradient, whose relative errors (up to
{num(creport.max_rel_error, 2, trim=True)}) are all above the tolerance: nothing would tell them from a bug.

So `bp.check_gradients` measures $\\nu$ instead of assuming it, with Moré and Wild's method (ECnoise,
2011): it evaluates the loss at 9 points along a random ray from the parameters, $\\sqrt{{\\varepsilon}}$
apart relative to each parameter. The differences of order $K$ of equally spaced values cancel the
smooth part of the loss and leave the noise, with its variance multiplied by $\\binom{{2K}}{{K}}$;
$\\nu$ is read off the first order $K$ whose estimate agrees within a factor of 4 with the next two
and whose differences change sign (failing that, the smallest estimate from $K = 2$ on). Where half the
differences are exactly 0, the points are taken 100 times farther apart, up to three times (a wider
measurement counts only if it detects noise and its ray crosses no kink of an activation); here
they were, once: the check made {c_passes} forward passes, 8 more than
${fixed_passes} + {creport.order} \\times {creport.entries}$ (see exercise 2). The measurement gives
$\\nu = {tex(creport.loss_noise, 2)}$, {num(creport.loss_noise / quantum, 2)} of a step, and the
floor {num(c_floor, 2, trim=True)} covers every
quotient: all {creport.below_noise} entries pass as below noise. That is all a finite difference can say
at this loss: the check vouches for the gradient to within {num(c_floor, 2, trim=True)},
{num(100 * c_floor / c_max_grad, 2)} % of its largest entry, and no closer. Check a classifier before it
becomes this confident.

Gradients below the floor also come from saturated units. $\\sigma'(z) = \\sigma(z)\\bigl(1 -
\\sigma(z)\\bigr) \\approx e^{{-z}}$ for large $z$, and the derivatives of the loss with respect to the
weights and the bias into a sigmoid unit carry the factor $\\sigma'(z)$. Below, every weight into the
first hidden unit of a 3-3-1 sigmoid network is set to 12, and all inputs are at least 0.5:
""")

# %%
snet = bp.MLP([3, 3, 1], hidden="sigmoid", output="identity", loss="mse",
              seed=3)
Xs = np.abs(np.random.default_rng(5).normal(size=(4, 3))) + 0.5
Ys = np.random.default_rng(6).normal(size=(4, 1))
snet.params["W1"][:, 0] = 12.0   # saturate hidden unit 1
sreport = bp.check_gradients(snet, Xs, Ys)
print(sreport)
print("ok:", sreport.ok)

# %% tags=["hide-input"]
zs = snet.forward(Xs).z[1][:, 0]
zmin, zmax = float(zs.min()), float(zs.max())
# Where the library's sigma rounds to exactly 1 (bisection), and that it stays 1 above.
lo_z, hi_z = 30.0, 40.0
for _ in range(100):
    mid = (lo_z + hi_z) / 2
    lo_z, hi_z = (lo_z, mid) if bp.sigmoid(np.array(mid)) == 1.0 else (mid, hi_z)
z_one = hi_z
assert bp.sigmoid(np.array(z_one - 0.05)) < 1.0 and np.all(bp.sigmoid(np.linspace(z_one, 1000, 100001)) == 1.0)
assert np.all(bp.sigmoid(np.array([1e4, 1e100, 1e300])) == 1.0)
assert zmin > z_one and np.all(snet.forward(Xs).a[1][:, 0] == 1.0)
sW, sb = sreport.parameters["W1"], sreport.parameters["b1"]
saturated_bp = np.append(sW.analytic[:, 0], sb.analytic[0])
saturated_fd = np.append(sW.numeric[:, 0], sb.numeric[0])
assert np.all(saturated_bp == 0.0) and np.all(saturated_fd == 0.0)


def true_unit_gradient(model):
    """d L / d (weights and bias into hidden unit 1), with sigma'(z) computed from z (no cancellation)."""
    fp = model.forward(Xs)
    sig_prime = np.exp(-fp.z[1]) / (1 + np.exp(-fp.z[1])) ** 2
    d1 = ((fp.a[2] - Ys) / len(Xs)) @ model.params["W2"].T * sig_prime
    return np.append((Xs.T @ d1)[:, 0], d1[:, 0].sum())


true_sat = true_unit_gradient(snet)
# ... and, independently, the loss differentiated in 50-digit arithmetic.
mpmath.mp.dps = 50
Xs_m, Ys_m = to_mp(Xs), to_mp(Ys)
sig_mp = np.vectorize(lambda z: 1 / (1 + mpmath.exp(-z)), otypes=[object])


def unit_gradient_mp(model):
    """The same four derivatives, by mpmath.diff of the loss in 50-digit arithmetic."""
    Pm_ = {k: to_mp(v) for k, v in model.params.items()}

    def entry(j, v):
        W1, b1 = Pm_["W1"].copy(), Pm_["b1"].copy()
        if j < 3:
            W1[j, 0] = v
        else:
            b1[0] = v
        D = sig_mp(Xs_m @ W1 + b1) @ Pm_["W2"] + Pm_["b2"] - Ys_m
        return (D * D).sum() / (2 * len(Xs))

    return np.array([float(mpmath.diff(lambda v, j=j: entry(j, v), Pm_["W1"][j, 0] if j < 3 else Pm_["b1"][0]))
                     for j in range(4)])


assert np.allclose(true_sat, unit_gradient_mp(snet), rtol=1e-10, atol=0)
# The stencil sees nothing: moving these entries by up to 2h leaves the float64 loss unchanged.
sentries = [("W1", (j, 0)) for j in range(3)] + [("b1", (0,))]
Ls0 = snet.loss(Xs, Ys)
assert all(loss_at(snet, Xs, Ys, k, idx, snet.params[k][idx] + m * sreport.h) == Ls0
           for k, idx in sentries for m in (-2, -1, 1, 2))
sig_prime_38 = float(np.exp(-38.0) / (1 + np.exp(-38.0)) ** 2)
a38 = bp.sigmoid(np.array(38.0))
a_neg38 = bp.sigmoid(np.array(-38.0))
assert a38 * (1 - a38) == 0.0 and abs(a_neg38 * (1 - a_neg38) / sig_prime_38 - 1) < 1e-14
assert np.all(12.0 - 1.0 * np.abs(true_sat) == 12.0)   # a step of eta <= 1 times the true gradient: no change
# The report: these four are the zeros, judged by |g_fd| against the floor, and left out of max rel error.
assert sreport.ok and sreport.zeros == 4 and sreport.below_noise == sreport.unresolved == 0
assert np.array_equal(sW.zero[:, 0], [True] * 3) and sb.zero[0] and not sW.zero[:, 1:].any()
assert np.all(np.isnan(sW.rel_error[:, 0])) and np.isnan(sb.rel_error[0])
assert np.abs(true_sat).max() < 1e-3 * sW.noise
other = np.delete(sW.rel_error, 0, axis=1)
assert other.max() < 1e-7 and sreport.max_rel_error < 1e-7
md(f"""
The saturated unit's pre-activations lie between {num(zmin, 3, trim=True)} and {num(zmax, 3, trim=True)}. The library's
$\\sigma(z)$ rounds to exactly 1 in float64 for every $z$ above {num(z_one, 4, trim=True)} (found by bisection,
checked on a grid up to 1000), so every activation of this unit is exactly 1 and backpropagation,
which computes $\\sigma'$ from the activation as $a(1 - a)$, gets exactly 0 for it: the
{len(saturated_bp)} derivatives into the unit come out as 0. They are not 0: with $\\sigma'(z)$ computed
from $z$ ({num(sig_prime_38, 2, trim=True)} at $z = 38$) they are between {num(np.abs(true_sat).min(), 2, trim=True)}
and
{num(np.abs(true_sat).max(), 2, trim=True)}, as 50-digit arithmetic confirms. That is what computing $\\sigma'$
from $a$ costs: $a(1-a)$ loses everything once $a$ rounds to 1, while on the other side, at
$z = -38$, where $a \\approx e^{{z}}$ is small but not rounded away, $a(1-a)$ is accurate to
$10^{{-14}}$. For training the lost $10^{{-17}}$ do not matter (a step of that size leaves a weight of
12 unchanged in float64).

The finite difference sees nothing either: moving one of these entries by up to $2h$ leaves every
activation at exactly 1, so the stencil's loss values are all equal, and the quotient is exactly 0
(the library sums the stencil in pairs, $c_r\\bigl(\\mathcal L(p + rh) - \\mathcal L(p - rh)\\bigr)$, which
is exactly 0 when the two values are equal). Where $g$ is exactly 0 the report does not
use the relative error, which would be 1 for any nonzero $\\hat g$: it judges
$|\\hat g|$ against its error bound, the noise floor ({num(sW.noise, 2, trim=True)} here) plus the
allowances described [below](#how-the-library-decides), counts the entry under `zeros`
({sreport.zeros} here) and leaves it out of `max rel error`; the other weights of `W1` agree to
{num(other.max(), 2, trim=True)}. Agreement at 0 says only that the true derivative is below the floor: the
check cannot see the {num(np.abs(true_sat).max(), 1, trim=True)} that backpropagation lost.

With weights of 10 instead of 12 the unit saturates a little less, and backpropagation's
derivatives are tiny but no longer 0:
""")

# %%
snet.params["W1"][:, 0] = 10.0
sreport10 = bp.check_gradients(snet, Xs, Ys)
print(sreport10)

# %% tags=["hide-input"]
zs10 = snet.forward(Xs).z[1][:, 0]
s10W, s10b = sreport10.parameters["W1"], sreport10.parameters["b1"]
bp10 = np.append(s10W.analytic[:, 0], s10b.analytic[0])
fd10 = np.append(s10W.numeric[:, 0], s10b.numeric[0])
true10 = true_unit_gradient(snet)
assert np.allclose(true10, unit_gradient_mp(snet), rtol=1e-10, atol=0)
bp10_err = np.abs(bp10 / true10 - 1)
# 1 - a where it is not 0: a few bits of eps, against its exact value e^-z / (1 + e^-z)
one_minus_a = 1 - snet.forward(Xs).a[1][:, 0]
exact_1ma = np.exp(-zs10) / (1 + np.exp(-zs10))
i_eps = int(np.argmin(np.abs(one_minus_a - EPS64)))
assert one_minus_a[i_eps] == EPS64 and abs(exact_1ma[i_eps] / EPS64 - 1) > 0.1
assert np.all(bp10 != 0) and np.all(fd10 == 0) and np.all(np.abs(bp10) < 1e-2 * s10W.noise)
assert 1e-4 < bp10_err.max() < 1e-2 and np.all(bp10_err > 1e-4)
assert np.all(s10W.rel_error[:, 0] == 1) and s10b.rel_error[0] == 1
assert sreport10.ok and sreport10.below_noise == 4 and sreport10.zeros == 0 and sreport10.max_rel_error == 1
md(f"""
The pre-activations now start at {num(zs10.min(), 4, trim=True)}. Backpropagation gives between
{num(np.abs(bp10).min(), 2, trim=True)} and {num(np.abs(bp10).max(), 2, trim=True)} for the {len(bp10)} entries, each
off
the true value by {num(100 * bp10_err.min(), 1)} to {num(100 * bp10_err.max(), 1)} %, because $1 - a$
keeps only a few significant bits (for $z = {tex(zs10[i_eps], 4)}$ it is $\\varepsilon = {tex(EPS64, 2)}$,
where the exact value is {num(exact_1ma[i_eps], 3, trim=True)}): the same cost of $\\sigma'$ from $a$, short of 0.
The stencil still sees nothing (each quotient is exactly 0), so each relative error is 1 and
`max rel error` is 1; each difference is within the floor, so the {sreport10.below_noise} entries pass
and are counted under `below noise`. The check cannot tell these entries right from wrong by
{num(100 * bp10_err.max(), 1)} %, nor from wrong by 100 %. A gradient below the floor is not checked,
and the report says how many there are.
""")

# %% [markdown]
# ## How the library decides
#
# This section collects the rules behind `bp.check_gradients` and its report, each checked on a
# case. One case is new: a network trained to fit a single sample exactly, where the gradient is
# zero up to rounding, far below anything a finite difference resolves.

# %%
fnet = bp.MLP([1, 3, 1], hidden="tanh", seed=0)
Xf, Yf = np.array([[0.5]]), np.array([[0.3]])
fnet.fit(Xf, Yf, epochs=300, lr=0.5)
print("loss:", fnet.loss(Xf, Yf))
freport = bp.check_gradients(fnet, Xf, Yf)
print(freport)

# %% tags=["hide-input"]
reports = {"tanh": report, "kink": kreport, "kink small h": small, "float32": r32, "classifier": creport,
           "sigmoid 12": sreport, "sigmoid 10": sreport10, "fitted": freport}
STENCIL_WEIGHTS = {2: 2 / 2, 4: 18 / 12}   # sum |c_r| / D
for rep in reports.values():   # every count and the verdict, recomputed from the arrays of the report
    for prm in rep.parameters.values():
        d = np.abs(prm.analytic - prm.numeric)
        assert prm.noise == F * rep.loss_noise * STENCIL_WEIGHTS[rep.order] / rep.h   # the floor
        bound = prm.noise + F * (prm.truncation + prm.backprop_rounding)
        judged = prm.checked & ~prm.kink
        zero = judged & (prm.analytic == 0)
        nonzero = judged & (prm.analytic != 0)
        rel_ok = prm.rel_error < rep.tol
        assert np.all(np.isnan(prm.rel_error[zero])) and not np.isnan(prm.rel_error[nonzero]).any()
        assert np.array_equal(prm.passed(rep.tol), ~judged | rel_ok | (d <= bound))
        assert prm.zero.sum() == zero.sum() and prm.verified == judged.sum()
        assert prm.below_noise == np.sum(nonzero & ~rel_ok & (d <= prm.noise))
        assert prm.unresolved == np.sum(nonzero & ~rel_ok & (d > prm.noise) & (d <= bound))
        assert prm.max_rel_error == (prm.rel_error[nonzero].max() if nonzero.any() else 0.0)
        assert np.all(prm.truncation[rel_ok | (d <= prm.noise + F * prm.backprop_rounding)] == 0)
    assert rep.ok == all(prm.passed(rep.tol).all() for prm in rep.parameters.values())
# The fitted network: the truncation estimate is 16/15 |g_fd(h) - g_fd(h/2)|, recomputed here.
Lf = fnet.loss(Xf, Yf)
yhat_f = fnet.predict(Xf)
assert 0 < abs(yhat_f - Yf).max() <= np.spacing(0.3)   # Yhat - Y is one rounding of yhat
# backprop's rounding estimate for b2: eps (|Yhat| + |Y|) / N, plus eps |delta| (negligible here)
b2_rounding = EPS64 * (np.abs(yhat_f) + np.abs(Yf)).sum() / len(Xf)
assert abs(freport.parameters["b2"].backprop_rounding[0] / b2_rounding - 1) < 1e-12
f_grad_max = max(float(np.abs(prm.analytic).max()) for prm in freport.parameters.values())
f_fd = [(k, idx) for k, prm in freport.parameters.items() for idx in np.ndindex(prm.analytic.shape)
        if prm.truncation[idx] > 0]
for k, idx in f_fd:
    again = 16 / 15 * abs(quotient(fnet, Xf, Yf, k, idx, freport.h, 4)
                          - quotient(fnet, Xf, Yf, k, idx, freport.h / 2, 4))
    assert abs(again / freport.parameters[k].truncation[idx] - 1) < 1e-3, (k, idx, again)
fW1 = freport.parameters["W1"]
trunc_share = np.abs(fW1.numeric) / fW1.truncation
assert np.all(np.abs(trunc_share - 1) < 0.1)   # the quotient is its own truncation error
assert freport.ok and freport.unresolved > 0 and freport.below_noise > 0 and freport.max_rel_error > 0.1
assert freport.unresolved + freport.below_noise == freport.verified == freport.entries
# A wrong zero is caught: a tanh derivative that returns 0 for z < 0, on one sample.
zero_bug = bp.MLP([3, 4, 2], hidden="tanh", output="identity", loss="mse")
zero_bug.params = {k: v.copy() for k, v in net.params.items()}
zero_bug.activations[0] = bp.Activation("tanh", bp.tanh, lambda z: np.where(z > 0, bp.tanh_grad(z), 0.0), (-1.0, 1.0))
zreport = bp.check_gradients(zero_bug, X[:1], Y[:1])
n_neg = int(np.sum(zero_bug.forward(X[:1]).z[1] < 0))
zero_worst = max(prm.max_zero_error for prm in zreport.parameters.values())
assert not zreport.ok and n_neg == 1 and zreport.zeros == 4 and zreport.max_rel_error < 1e-7, str(zreport)
assert all(zreport.parameters[k].zero.sum() == (3 if k == "W1" else 1 if k == "b1" else 0) for k in net.params)
# The cost rule of the list below, counted on the fitted network, whose check needs truncation estimates:
# fixed + order * (entries + entries with a truncation estimate) + 8 per widening of the noise measurement.
n_trunc_f = sum(int((prm.truncation > 0).sum()) for prm in freport.parameters.values())
assert n_trunc_f > 0
for o_ in (4, 2):
    calls_f, rep_f = forward_passes(fnet, Xf, Yf, order=o_)
    trunc_f = sum(int((prm.truncation > 0).sum()) for prm in rep_f.parameters.values())
    extra_f = calls_f - fixed_passes - o_ * (rep_f.entries + trunc_f)
    assert trunc_f > 0 and extra_f in (0, 8, 16, 24), (o_, calls_f, trunc_f)
# sample=: k entries of each array (all of an array with fewer)
sreport_k = bp.check_gradients(net, X, Y, sample=3)
assert sreport_k.verified == sum(min(3, v.size) for v in net.params.values()) and sreport_k.ok
# The step actually taken: in float32, (p + h) - p, and the quotient divides by it.
p32 = net32.params[KEY][IDX]
h_taken = float(np.float32(p32 + np.float32(r32.h)) - p32)
Lq = [loss_at(net32, X, Y, KEY, IDX, p32 + m * np.float32(h_taken)) for m in (2, 1, -1, -2)]
fd_taken = (-Lq[0] + 8 * Lq[1] - 8 * Lq[2] + Lq[3]) / (12 * h_taken)
assert h_taken != r32.h and abs(r32.parameters[KEY].numeric[IDX] - fd_taken) <= 1e-6 * abs(fd_taken)
# Parameters restored, also when the check is interrupted (Ctrl-C raises KeyboardInterrupt).
before = {k: v.copy() for k, v in net.params.items()}
hidden_act, forward_calls = net.activations[0], 0


def interrupted_tanh(z):
    global forward_calls
    forward_calls += 1
    if forward_calls == 40:
        raise KeyboardInterrupt
    return np.tanh(z)


net.activations[0] = dataclasses.replace(hidden_act, function=interrupted_tanh)
try:
    bp.check_gradients(net, X, Y)
except KeyboardInterrupt:
    pass
finally:
    net.activations[0] = hidden_act
assert forward_calls == 40 and all(np.array_equal(before[k], net.params[k]) for k in before)
md(f"""
The fitted network's loss is {num(Lf, 2, trim=True)}: its output differs from the target by one rounding of
$\\hat y$, and its gradient entries are at most {num(f_grad_max, 2, trim=True)}. The quotients are between
{num(min(float(np.abs(p.numeric).min()) for p in freport.parameters.values()), 2, trim=True)} and
{num(max(float(np.abs(p.numeric).max()) for p in freport.parameters.values()), 2, trim=True)}: for `W1` they are
their own truncation error (they match its estimate below to
{num(100 * np.abs(trunc_share - 1).max(), 1, trim=True)} %).
`max rel error` is {num(freport.max_rel_error, 2)}, and yet every entry passes, {freport.below_noise} as
below noise and {freport.unresolved} as too small to resolve. The rules:

- **Stencil and step.** Five-point by default (`order=4`), centred with `order=2`, each summed in pairs
  as above. The step defaults to {num(defaults[4].h, trim=True)} (five-point) and {num(defaults[2].h, trim=True)}
  (centred) in float64, {num(r32.h, trim=True)} in float32, and the quotient divides by the step actually
  taken, $(p + h) - p$ in the parameter's precision ({num(h_taken, 8, trim=True)} for $w^{{(1)}}_{{11}}$ in
  float32; exercise 3).
- **Entries.** All, or with `sample=k` only $k$ of each array, chosen at random (`seed=`): `sample=3` on
  the 3-4-2 network checks {sreport_k.verified} of its {sreport_k.entries} entries (3 of each array, both
  of `b2`). `verified` counts the entries compared.
- **Kinks.** An entry whose stencil moved a pre-activation across a kink of its activation (seen in the
  forward passes that compute the stencil's losses) is counted under `kinks`, not verified and not
  judged ({kreport.kinks} of the {kreport.entries} entries of the 2-3-1 ReLU network).
- **Relative error.** An entry with $g \\ne 0$ passes when its relative error is below the tolerance,
  {num(TOL64, trim=True)} in float64 and {num(TOL32, trim=True)} in float32; `max rel error` is the largest
  over these entries.
- **Exact zeros.** An entry with $g = 0$ has no relative error (NaN in `rel_error`, not
  in `max rel error`); it is judged by $|\\hat g|$ against its error bound (below) and counted
  under `zeros` (the saturated unit: {sreport.zeros}). A wrong zero is caught: a $\\tanh'$ that returns
  0 for $z < 0$, checked on one sample of the 3-4-2 network, zeroes the {zreport.zeros} entries into
  its one hidden unit with $z < 0$ (three weights and the bias), whose quotients are as large as
  {num(zero_worst, 2, trim=True)}, and the check fails, although `max rel error`
  ({num(zreport.max_rel_error, 1, trim=True)}) looks perfect.
- **Noise floor.** The floor of the section above, with $F = {tex(F)}$ (`bp.NOISE_SAFETY`) and $\\nu$
  (`loss_noise`) measured, at least $\\varepsilon|\\mathcal L|$. An entry with $g \\ne 0$ that fails the
  tolerance but whose difference is within the floor passes, counted under `below noise` (the
  classifier: {creport.below_noise}; the sigmoid unit with weights 10: {sreport10.below_noise}).
- **Error bound.** An entry that has failed both tests gets two more estimates: the truncation error
  of its quotient, from a second quotient at $h/2$ (Richardson extrapolation:
  $\\tfrac{{16}}{{15}}|\\hat g(h) - \\hat g(h/2)|$ for order 4, $\\tfrac43|\\dots|$ for
  order 2), and the rounding error of backpropagation's own gradient (that of the output
  $\\delta^{{(L)}}$, about $\\varepsilon(|\\hat Y| + |Y|)/N$, carried back through the layers with absolute
  values). Its error bound is the floor plus $F$ times both; within it, the entry passes and is
  counted as `unresolved`, too small to resolve ({freport.unresolved} entries of the fitted network).
- **Verdict.** `ok` is true when every judged entry passes. So `max rel error` can be 1 with `ok`
  true: read the counts and the notes under the table, which say how many entries were verified and
  how many passed by each rule.
- **Cost.** With order 4, four forward passes per entry (two with order 2), as many again for an entry
  that needs the truncation estimate, and {fixed_passes} for the whole check (8 more each time the noise
  measurement widens its points); exercise 2 counts them, and the fitted network's checks, with order 4
  ({n_trunc_f} truncation estimates) and with order 2, cost exactly that.
- **Restoring.** Each entry is set back in a `finally` clause, so after the check, even an
  interrupted one (Ctrl-C raises `KeyboardInterrupt` inside it), the parameters are what they were,
  bit for bit: interrupted at its {forward_calls}th forward pass, the check above left the 3-4-2
  network unchanged.
""")

# %% [markdown]
# ## Checks
#
# The numbers on this page are computed while it is built, and the claims made about them are asserted
# on the cases shown (a failing assert fails the build). The tolerances not stated where a claim is
# made: the measured slopes are within 0.1, 0.3 and 0.35 of $2$, $4$ and $-1$, and the measured best
# steps within a factor of 10 of the predicted ones (the rounding regime is noisy).

# %% tags=["hide-input"]
assert abs(slopes[(2, "truncation")] - 2) < 0.1, slopes
assert abs(slopes[(4, "truncation")] - 4) < 0.3, slopes
assert abs(slopes[(2, "rounding")] + 1) < 0.35 and abs(slopes[(4, "rounding")] + 1) < 0.35, slopes
for o in (2, 4):
    assert abs(np.log10(h_best[o] / h_pred[o])) < 1, (o, h_best[o], h_pred[o])
assert e_best[4] < e_best[2] < 1e-8 and h_best[4] > h_best[2], (e_best, h_best)
assert abs(np.log10(defaults[4].h / h_best[4])) < 1
assert at[4, 1e-12] > 100 * at[4, 1e-2]                     # five-point: far worse at 1e-12
assert 0.1 < at[2, 1e-12] / at[2, 1e-2] < 10                 # centred: about as bad as at 1e-2
assert at[2, 1e-12] > 1e3 * e_best[2]
assert report.ok and report.max_rel_error < TOL64, report
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1.** Derive, for the one-sided quotient $\bigl(\mathcal L(p+h) - \mathcal L(p)\bigr)/h$, the
# best step and the smallest error in float64, as above for the centred one, taking
# $|\mathcal L''| = |\mathcal L| = 1$. Why is the one-sided check "suspicious" at $h = 10^{-4}$?

# %% tags=["hide-input"]
hh, e_, Lv, L2 = sp.symbols("h varepsilon L L2", positive=True)
E_fwd = L2 * hh / 2 + 2 * e_ * Lv / hh          # truncation + rounding (two values, each off by eps|L|)
h_star = sp.solve(sp.diff(E_fwd, hh), hh)[0]
E_star = sp.simplify(E_fwd.subs(hh, h_star))
assert sp.simplify(h_star - 2 * sp.sqrt(e_ * Lv / L2)) == 0
assert sp.simplify(E_star - 2 * sp.sqrt(e_ * Lv * L2)) == 0
unit = {e_: EPS64, Lv: 1, L2: 1}
E_fwd_tex = sp.latex(E_fwd.subs({Lv: sp.Symbol(r"|\mathcal{L}|"), L2: sp.Symbol(r"|\mathcal{L}''|")}))
h_star_num, E_min = float(h_star.subs(unit)), float(E_star.subs(unit))
grid = np.logspace(-10, -6, 4001)                 # the same minimum, found numerically
E_grid = grid / 2 + 2 * EPS64 / grid
assert abs(grid[np.argmin(E_grid)] / h_star_num - 1) < 3e-3 and abs(E_grid.min() / E_min - 1) < 1e-6
assert abs(h_star_num / 2**-25 - 1) < 1e-12 and abs(E_min / 2**-25 - 1) < 1e-12   # 2 sqrt(2^-52)
solution(f"""
The truncation error is $|\\mathcal L''|h/2$ (the table at the top). For rounding, each of the two
loss values is off by up to $\\varepsilon|\\mathcal L|$, so their difference by up to
$2\\varepsilon|\\mathcal L|$, divided by $h$: the error is
$E(h) = {E_fwd_tex}$. SymPy sets $E'(h) = 0$:
$h^* = 2\\sqrt{{\\varepsilon|\\mathcal L|/|\\mathcal L''|}}$ and
$E(h^*) = 2\\sqrt{{\\varepsilon\\,|\\mathcal L|\\,|\\mathcal L''|}}$, with $|\\mathcal L''| = |\\mathcal L| = 1$
both $2\\sqrt{{\\varepsilon}} = 2^{{-25}} \\approx {tex(h_star_num, 2)}$: the square root of
$\\varepsilon$, where the centred quotient reaches $\\varepsilon^{{2/3}}$. At $h = 10^{{-4}}$ the
truncation term $|\\mathcal L''|h/2 = {tex(H1 / 2)}\\,|\\mathcal L''|$ dominates; on the network above
it matches the measured gap entry by entry, and it is "suspicious" where an entry's $|\\mathcal L''|$ is
large compared with its derivative (the worst: $\\mathcal L'' = {tex(second[worst], 3)}$, derivative
{num(library_flat[worst], 3, trim=True)}).
""")

# %% [markdown]
# **2.** How many forward passes does `bp.check_gradients`, with its default five-point stencil,
# make for the 784-256-128-10 network of the [previous chapter](backpropagation.py) (ReLU hidden
# layers, softmax outputs)? Does it matter that ReLU has kinks, that is, would tanh hidden layers
# cost less? Compare with one backpropagation, which costs about as much as two forward passes (see
# there).

# %% tags=["hide-input"]
per_entry, fixed = {}, {}
for hidden in ("relu", "tanh"):
    counts = []
    for sizes_ in ([4, 5, 3], [6, 7, 5, 3]):
        count_net = bp.MLP(sizes_, hidden=hidden, output="softmax", loss="cross_entropy", seed=0)
        Xe = np.random.default_rng(0).normal(size=(3, sizes_[0]))
        ye = np.array([0, 1, 2])
        n_calls, count_report = forward_passes(count_net, Xe, ye)
        # Entries that needed the truncation estimate cost 4 passes more: none may, for a clean count.
        assert count_report.ok and not any(prm.truncation.any() for prm in count_report.parameters.values())
        counts.append((count_report.entries, n_calls))
    (P1, c1), (P2, c2) = counts
    per_entry[hidden] = (c2 - c1) // (P2 - P1)
    fixed[hidden] = c1 - per_entry[hidden] * P1
    assert all(c == per_entry[hidden] * P_ + fixed[hidden] for P_, c in counts), counts
assert per_entry == {"relu": 4, "tanh": 4} and fixed == {"relu": 11, "tanh": 11}, (per_entry, fixed)
assert fixed["relu"] == fixed_passes   # as used for the confident classifier
assert 1 + 1 + (bp.gradcheck.NOISE_POINTS - 1) + 1 == fixed["relu"]   # the parts named in the solution
sizes = [784, 256, 128, 10]
P = sum((m + 1) * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
assert P == 235146
passes = per_entry["relu"] * P + fixed["relu"]
# One backpropagation in forward-pass equivalents, matrix products only (as counted on that page):
# forward 2 N P_w, backward 4 N P_w minus the first layer's unneeded dL/dX product.
P_w = sum(m * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
step = 1 + (4 * P_w - 2 * sizes[0] * sizes[1]) / (2 * P_w)
assert 2 < step < 2.2, step


def thousands(n):
    """An integer with thin-spaced thousands in TeX: 1881170 -> 1\\,881\\,170."""
    return f"{n:,}".replace(",", r"\,")


solution(f"""
The network has $P = {thousands(P)}$ parameters. The count is measured, not assumed: the page runs
`bp.check_gradients` on two small networks and counts the calls of the output activation, one per
forward pass; the difference between the two gives the cost per entry, the rest the fixed cost. Per
entry the five-point stencil needs its {per_entry['relu']} loss values, {per_entry['relu']} forward
passes, with ReLU as with tanh: the kink test reads the pre-activations of those same passes. The
fixed cost is {fixed['relu']} passes: the backpropagated gradient, the reference pattern for the kink
test, 8 for the noise measurement and 1 for the estimate of backpropagation's rounding. For the
784-256-128-10 network that is ${per_entry['relu']}P + {fixed['relu']} = {thousands(passes)}$ forward
passes (more only if some entries need the truncation estimate, 4 passes each, or the noise
measurement widens, 8 each time), against about {num(step, 2)} forward-pass equivalents for one forward
and backward pass: a factor of about {num(passes / step, 2, trim=True)}. That is why gradient checks run on
small networks with a few samples, or on a sample of the entries (`sample=`), never inside training.
""")

# %% [markdown]
# **3.** In float32, a step $h = 10^{-2}$ is added to a weight $p = 0.7$. What step is actually
# taken, $(p + h) - p$ computed in float32, and what relative error does that alone cause in a
# difference quotient that divides by the nominal $h$?

# %% tags=["hide-input"]
p32_, h32_ = np.float32(0.7), np.float32(1e-2)
actual = float(np.float32(p32_ + h32_) - p32_)
step_err = abs(actual - float(h32_)) / float(h32_)
spacing = float(np.spacing(np.float32(0.7)))
assert 0 < step_err <= spacing / 2 / float(h32_) * 1.0001
step_err64 = abs(((0.7 + 1e-2) - 0.7) - 1e-2) / 1e-2
assert 0 < step_err64 < step_err / 1e6
solution(f"""
$p + h$ is rounded to the float32 grid, whose spacing near $0.7$ is {num(spacing, 2, trim=True)}: the step
actually taken is {num(actual, 8, trim=True)} instead of {num(float(h32_), 8, trim=True)} (itself the float32 number
nearest to $10^{{-2}}$), a relative error of {num(step_err, 2, trim=True)}, at most half the spacing divided by
$h$. It passes straight into the quotient. In float64 the same effect is {num(step_err64, 1, trim=True)}. In
float32 it is one more error on top of the rounding of the loss values (the float32 quotients above
reach {num(min(e for _, e in best32.values()), 1, trim=True)} at best); `bp.check_gradients` divides by the step
actually taken.
""")
