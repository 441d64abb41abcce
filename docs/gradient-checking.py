# %% [markdown]
# # Gradient checking
#
# Backpropagation is easy to get almost right: a missing transpose that happens to fit the shapes,
# a derivative evaluated at $a$ instead of $z$, a forgotten $1/n$. The network still trains,
# just worse. The standard defence is to compare the backpropagated gradient with a numerical one
# computed from nothing but loss evaluations. This chapter shows how to do that comparison well:
# which difference quotient, which step $h$, which error measure and which thresholds, and where
# the comparison itself breaks down (kinks of ReLU, single precision, gradients below the noise).
# The library's `bp.check_gradients` implements all of it.

# %% tags=["hide-input"]
import mpmath
import numpy as np
import sympy as sp

import backprop as bp
from backprop.book import figure, md, md_table, sci, solution

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


# %% [markdown]
# ## Centred differences
#
# The derivative of the loss with respect to one parameter $p$ is a limit of difference quotients.
# The one-sided quotient $\bigl(L(p+h) - L(p)\bigr)/h$ is the first that comes to mind; the centred
# one $\bigl(L(p+h) - L(p-h)\bigr)/(2h)$ costs one more loss evaluation per parameter and is far more
# accurate, and a five-point stencil is more accurate still. How much, SymPy tells us: write the
# loss near $p$ as its Taylor polynomial with derivatives $L', L'', \dots$, insert it into each
# quotient and subtract $L'$.

# %% tags=["hide-input"]
h = sp.Symbol("h", positive=True)
ds = sp.symbols("L_0 L' L'' L''' L'''' L^{(5)} L^{(6)}")


def taylor(step):
    """L(p + step) as its Taylor polynomial in step, to sixth order."""
    return sum(ds[k] * step**k / sp.factorial(k) for k in range(len(ds)))


stencils = {
    "forward": (taylor(h) - taylor(0)) / h,
    "centred (order 2)": (taylor(h) - taylor(-h)) / (2 * h),
    "five-point (order 4)": (-taylor(2 * h) + 8 * taylor(h) - 8 * taylor(-h) + taylor(-2 * h)) / (12 * h),
}
leading = {}
for name, quotient in stencils.items():
    err = sp.expand(quotient - ds[1])
    term = min(err.as_ordered_terms(), key=lambda t: sp.degree(t, h))
    leading[name] = term
md_table(
    ["quotient", "formula", "error, leading term"],
    [
        ["forward", r"$\dfrac{L(p+h) - L(p)}{h}$", f"${sp.latex(leading['forward'])}$"],
        ["centred (order 2)", r"$\dfrac{L(p+h) - L(p-h)}{2h}$", f"${sp.latex(leading['centred (order 2)'])}$"],
        ["five-point (order 4)", r"$\dfrac{-L(p+2h) + 8L(p+h) - 8L(p-h) + L(p-2h)}{12h}$",
         f"${sp.latex(leading['five-point (order 4)'])}$"],
    ],
    align="lll",
)
assert sp.simplify(leading["centred (order 2)"] - ds[3] * h**2 / 6) == 0
assert sp.simplify(leading["five-point (order 4)"] + ds[5] * h**4 / 30) == 0
assert sp.simplify(leading["forward"] - ds[2] * h / 2) == 0

# %% [markdown]
# In the centred quotient the even terms of the Taylor series cancel, so the error falls like
# $h^2$ instead of $h$; the five-point stencil cancels the $h^2$ term as well. That is the
# *truncation* error. If it were the only error, a smaller $h$ would always be better. It is not.
#
# ## The step-size trade-off
#
# Each loss value is computed in floating point and carries a rounding error of a few units of
# $\varepsilon\,|L|$, where $\varepsilon$ is the machine epsilon
# ($\varepsilon_{64} \approx 2.2\times 10^{-16}$ in float64). The quotient divides the difference
# of two such values by $2h$, so its rounding error is about $\varepsilon|L|/h$: it *grows* as
# $h$ shrinks. The total error is
#
# $$
# E(h) \approx \underbrace{\frac{|L'''|}{6} h^2}_{\text{truncation}}
# + \underbrace{\frac{\varepsilon |L|}{h}}_{\text{rounding}} \qquad\text{(centred)},
# $$
#
# smallest where the two balance, at $h^* = (3\varepsilon|L|/|L'''|)^{1/3}$. The experiment below
# takes a small network (3 inputs, 4 tanh units, 2 linear outputs, mean squared error, 5 samples),
# one weight $w^{(1)}_{11}$, and computes both quotients for step sizes spaced evenly on a log
# scale from $10^{-1}$ down to $10^{-12}$, comparing each with the backpropagated derivative. For
# the prediction we need $L'''$ and $L^{(5)}$ along that weight; they come from the same network
# evaluated in 40-digit arithmetic (mpmath), where rounding is negligible.

# %% tags=["hide-input"]
net = bp.MLP([3, 4, 2], hidden="tanh", loss="mse", seed=1)
rng = np.random.default_rng(0)
X = rng.normal(size=(5, 3))
Y = rng.normal(size=(5, 2))
grad = net.gradients(X, Y)
g = float(grad["W1"][0, 0])
p0 = float(net.params["W1"][0, 0])


def loss_at(model, value):
    """The loss with W1[0, 0] set to value (restored afterwards)."""
    W = model.params["W1"]
    old = W[0, 0]
    W[0, 0] = value
    try:
        return float(model.loss(X, Y))
    finally:
        W[0, 0] = old


def quotient(model, step, order):
    p = model.params["W1"][0, 0]
    if order == 2:
        return (loss_at(model, p + step) - loss_at(model, p - step)) / (2 * step)
    return (-loss_at(model, p + 2 * step) + 8 * loss_at(model, p + step) - 8 * loss_at(model, p - step)
            + loss_at(model, p - 2 * step)) / (12 * step)


def rel_error(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    den = np.abs(a) + np.abs(b)
    return np.where(den == 0, 0.0, np.abs(a - b) / np.where(den == 0, 1.0, den))


hs = np.logspace(-1, -12, 45)
err = {o: np.array([rel_error(quotient(net, s, o), g) for s in hs]) for o in (2, 4)}

# The loss along w11 in 40-digit arithmetic, for exact higher derivatives.
mpmath.mp.dps = 40
to_mp = np.vectorize(mpmath.mpf, otypes=[object])
Xm, Ym = to_mp(X), to_mp(Y)
Pm = {k: to_mp(v) for k, v in net.params.items()}
tanh_mp = np.vectorize(mpmath.tanh, otypes=[object])


def loss_mp(w):
    W1 = Pm["W1"].copy()
    W1[0, 0] = w
    D = tanh_mp(Xm @ W1 + Pm["b1"]) @ Pm["W2"] + Pm["b2"] - Ym
    return (D * D).sum() / (2 * len(X))


L0 = float(loss_mp(mpmath.mpf(p0)))
d1, d3, d5 = (float(mpmath.diff(loss_mp, mpmath.mpf(p0), k)) for k in (1, 3, 5))
assert abs(d1 - g) <= 1e-12 * abs(g), (d1, g)      # 40-digit derivative == backprop
assert abs(L0 - net.loss(X, Y)) < 1e-15

# Predicted errors (relative: divided by |a| + |n| ~ 2|g|) and best steps.
trunc = {2: abs(d3) / 6 * hs**2, 4: abs(d5) / 30 * hs**4}
round_off = {2: EPS64 * abs(L0) / hs, 4: 1.5 * EPS64 * abs(L0) / hs}   # stencil weights: 2/2, 18/12
h_pred = {2: (3 * EPS64 * abs(L0) / abs(d3)) ** (1 / 3), 4: (30 * 1.5 * EPS64 * abs(L0) / (4 * abs(d5))) ** (1 / 5)}
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
        ax.loglog(hs, err[o], "o-", ms=3, lw=1, color=f"C{i}", label=f"order {o}, measured")
        ax.loglog(hs, (trunc[o] + round_off[o]) / (2 * abs(g)), "--", lw=1, color=f"C{i}",
                  label=f"order {o}, predicted")
        ax.axvline(h_best[o], color=f"C{i}", lw=0.8, ls=":")
    ax.set_ylim(1e-14, 1)
    ax.invert_xaxis()
    ax.set_xlabel("step $h$ (decreasing to the right)")
    ax.set_ylabel("relative error")
    ax.legend(fontsize=8, loc="lower left")


figure(draw_h, figsize=(6.4, 4.2),
       alt=f"Log-log plot of the relative error of the difference quotient against h from 1e-1 to 1e-12. "
       f"Coming from large h, the order-2 error falls with slope {slopes[(2, 'truncation')]:.1f} and the "
       f"order-4 error with slope {slopes[(4, 'truncation')]:.1f}, reaching minima of {e_best[2]:.0e} at "
       f"h = {h_best[2]:.0e} and {e_best[4]:.0e} at h = {h_best[4]:.0e}; for smaller h both rise again "
       f"together with slope about -1, up to {err[2][-1]:.0e} at h = 1e-12. Dashed prediction lines follow "
       f"the measurements.",
       caption="Relative error of the centred (order 2) and five-point (order 4) quotients for one "
       "weight, against the step h. Dotted lines: the measured best h.")

md_table(
    ["stencil", "slope, truncation regime", "slope, rounding regime", "predicted best $h$",
     "measured best $h$", "smallest relative error"],
    [[f"order {o}", f"{slopes[(o, 'truncation')]:.2f}", f"{slopes[(o, 'rounding')]:.2f}",
      f"${sci(h_pred[o])}$", f"${sci(h_best[o])}$", f"${sci(e_best[o])}$"] for o in (2, 4)],
)
defaults = {o: bp.check_gradients(net, X, Y, order=o) for o in (2, 4)}  # the library's default h and tol
md(f"""
The slopes are the exponents of the error terms: {slopes[(2, 'truncation')]:.2f} and
{slopes[(4, 'truncation')]:.2f} where truncation dominates (theory: 2 and 4), about
{slopes[(2, 'rounding')]:.1f} where rounding does (theory: $-1$, noisy because rounding errors
are). Here $|L| = {L0:.4f}$, $L''' = {d3:.4f}$ and $L^{{(5)}} = {d5:.2f}$. The order-4 stencil
reaches a smaller error at a larger step, which is why `bp.check_gradients` uses it by default
with $h = {sci(defaults[4].h)}$ (and $h = {sci(defaults[2].h)}$ for order 2). Too small a step is as bad as too large
a one: at $h = 10^{{-12}}$ the quotient is wrong in the {-int(np.floor(np.log10(err[2][-1])))}th
digit, worse than at $h = 10^{{-2}}$.
""")

# %% [markdown]
# ## Relative error and its thresholds
#
# An absolute difference $|a - n|$ between the analytic gradient $a$ and the numerical one $n$
# means nothing without a scale: multiply the loss by 1000 and it grows 1000-fold while the
# gradient is exactly as right as before. The check therefore uses the relative error
#
# $$
# \mathrm{rel}(a, n) = \frac{|a - n|}{|a| + |n|} \qquad (0 \text{ when both are } 0),
# $$
#
# which is symmetric in $a$ and $n$, unchanged by scaling the loss, and at most 1 (reached when the
# two have opposite signs or one is 0). The rules of thumb popularised by Stanford's CS231n notes,
# for float64:

# %% tags=["hide-input"]
BANDS = [(1e-2, 1.0, "wrong: almost certainly a bug"),
         (1e-4, 1e-2, "suspicious: a bug, or a poor numerical derivative"),
         (1e-7, 1e-4, "acceptable only with kinks (ReLU); too high for smooth losses"),
         (0.0, 1e-7, "good")]
md_table(["relative error", "verdict"],
         [["$> 10^{-2}$", BANDS[0][2]], [r"$10^{-4}$ to $10^{-2}$", BANDS[1][2]],
          [r"$10^{-7}$ to $10^{-4}$", BANDS[2][2]], [r"$< 10^{-7}$", BANDS[3][2]]], align="ll")

# %% [markdown]
# To see the bands at work, compare four gradients with the numerical one, entry by entry, on
# the same network: the library's; the library's against a *one-sided* difference with
# $h = 10^{-4}$ instead of the five-point stencil; and two hand-written backward passes with
# classic bugs: $\tanh'$ evaluated at the activation $a$ instead of at $z$
# (`1 - tanh(a)**2` where `1 - a**2` was meant), and the output delta without the $1/n$ of the
# average.

# %% tags=["hide-input"]
report = bp.check_gradients(net, X, Y)
numeric = np.concatenate([report.parameters[k].numeric.ravel() for k in net.params])


def manual_gradient(bug=None):
    P, fp, n = net.params, net.forward(X), len(X)
    d2 = (fp.a[2] - Y) / n if bug != "no 1/n" else fp.a[2] - Y
    da1 = d2 @ P["W2"].T
    d1 = da1 * (1 - np.tanh(fp.a[1]) ** 2) if bug == "tanh'(a)" else da1 * (1 - fp.a[1] ** 2)
    g_ = {"W1": X.T @ d1, "b1": d1.sum(0), "W2": fp.a[1].T @ d2, "b2": d2.sum(0)}
    return np.concatenate([g_[k].ravel() for k in net.params])


L_base = net.loss(X, Y)
one_sided = []
for prm in net.params.values():
    for idx in np.ndindex(prm.shape):
        old = prm[idx]
        prm[idx] = old + 1e-4
        one_sided.append((net.loss(X, Y) - L_base) / 1e-4)
        prm[idx] = old
library_flat = np.concatenate([grad[k].ravel() for k in net.params])
assert np.allclose(manual_gradient(), library_flat, rtol=0, atol=1e-16)
cases = {
    "library vs five-point": rel_error(library_flat, numeric),
    "library vs one-sided": rel_error(library_flat, one_sided),
    "bug: tanh'(a)": rel_error(manual_gradient("tanh'(a)"), numeric),
    "bug: no 1/n": rel_error(manual_gradient("no 1/n"), numeric),
}


def band_counts(r):
    """Entries per band: wrong, suspicious, kinks only, good."""
    return [int(np.sum(r > 1e-2)), int(np.sum((r > 1e-4) & (r <= 1e-2))),
            int(np.sum((r > 1e-7) & (r <= 1e-4))), int(np.sum(r <= 1e-7))]


bug_min = float(cases["bug: tanh'(a)"][cases["bug: tanh'(a)"] > 1e-7].min())


def draw_bands(fig):
    ax = fig.subplots()
    floor = 1e-17
    for i, (lo, hi, _) in enumerate(BANDS):
        ax.axhspan(max(lo, floor), hi, color=f"C{3 - i}", alpha=0.10, lw=0)
    jitter = np.random.default_rng(1).uniform(-0.18, 0.18, len(numeric))
    for i, r in enumerate(cases.values()):
        ax.semilogy(i + jitter, np.maximum(r, floor), "o", ms=4, color=f"C{i}")
    ax.set_xticks(range(len(cases)), [c.replace(" vs ", "\nvs ").replace(": ", ":\n") for c in cases])
    for y, label in ((2e-2, "wrong"), (1.2e-4, "suspicious"), (1.2e-7, "kinks only"), (1e-13, "good")):
        ax.text(len(cases) - 0.45, y, label, fontsize=8, va="bottom", ha="right")
    ax.set_ylim(floor, 2)
    ax.set_ylabel("relative error per entry")
    ax.grid(axis="x", visible=False)


figure(draw_bands, figsize=(6.4, 4.2),
       alt=f"Relative errors of the {len(numeric)} gradient entries of a 3-4-2 network in four comparisons, "
       "against shaded threshold bands. The library against the five-point stencil: all entries "
       f"below {cases['library vs five-point'].max():.0e}, in the good band. The library against a "
       f"one-sided difference: between {cases['library vs one-sided'].min():.0e} and "
       f"{cases['library vs one-sided'].max():.0e}, its largest in the suspicious band although the "
       f"gradient is right. The tanh'(a) bug: the last layer's entries are good, the others spread from "
       f"{bug_min:.0e} to 1. The missing 1/n: every entry "
       f"at {np.median(cases['bug: no 1/n']):.2f}.",
       caption="Relative error of every gradient entry in four comparisons; shaded: the threshold bands.")
rows = [[name, f"${sci(r.max())}$", f"${sci(np.median(r))}$", *band_counts(r)] for name, r in cases.items()]
md_table(["comparison", "max", "median", "wrong", "suspicious", "kinks only", "good"], rows)
n_entries = len(numeric)
md(f"""
The correct gradient against the good stencil sits far inside the good band. The *same* correct
gradient against a one-sided difference looks suspicious (its largest relative error is
${sci(cases['library vs one-sided'].max(), 0)}$, its median
${sci(np.median(cases['library vs one-sided']), 0)}$): a check is only as good as its numerical side,
which is why one uses the centred or five-point quotient. The missing $1/n$ ($n = {len(X)}$)
multiplies every entry by {len(X)}, so every relative error is exactly
$(n-1)/(n+1) = {(len(X) - 1) / (len(X) + 1):.4f}$. The $\\tanh'(a)$ bug is the instructive one:
{band_counts(cases["bug: tanh'(a)"])[1]} of its {n_entries} entries are merely "suspicious" and
the last layer's entries, which do not involve $\\tanh'$, are perfect; look at the *largest*
relative error of a parameter, never the typical one.
""")

# %% [markdown]
# The library's report gives, per parameter array, the largest relative and absolute error, the
# number of entries whose stencil crossed a kink and the number below the noise floor (both
# explained below):

# %%
report = bp.check_gradients(net, X, Y)   # order 4, h = 1e-3, tol = 1e-7 in float64
print(report)

# %% [markdown]
# ## ReLU kinks
#
# [ReLU](activation-functions.py) has no derivative at $z = 0$. Backpropagation uses the one-sided
# value (the library takes $\mathrm{relu}'(0) = 0$), and that is fine for training, but a difference
# quotient whose stencil *crosses* 0 measures the average slope over a corner, which is neither one-sided derivative. To
# see it, take a 2-3-1 ReLU network and shift the bias of its first hidden unit so that the unit's
# pre-activation for the first sample is tiny, $z^{(1)}_{11} = 2\times10^{-4}$. A step of
# $h = 10^{-3}$ in that bias pushes $z^{(1)}_{11}$ below 0 on one side of the stencil.

# %% tags=["hide-input"]
knet = bp.MLP([2, 3, 1], hidden="relu", output="identity", loss="mse", seed=4)
rng = np.random.default_rng(2)
Xk, Yk = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
z_target = 2e-4
knet.params["b1"][0] += z_target - knet.forward(Xk).z[1][0, 0]
z11 = float(knet.forward(Xk).z[1][0, 0])
assert abs(z11 - z_target) < 1e-15
kgrad = float(knet.gradients(Xk, Yk)["b1"][0])


def kloss(v):
    b = knet.params["b1"]
    old = b[0]
    b[0] = v
    try:
        return knet.loss(Xk, Yk)
    finally:
        b[0] = old


b0 = float(knet.params["b1"][0])
hk = 1e-3
secant = (kloss(b0 + hk) - kloss(b0 - hk)) / (2 * hk)
right_slope = (kloss(b0 + 1e-6) - kloss(b0 - 1e-6)) / 2e-6
left_slope = (kloss(b0 - 2 * z_target - 1e-6) - kloss(b0 - 2 * z_target - 3e-6)) / 2e-6
kink_rel = float(rel_error(kgrad, secant))
offsets = np.linspace(-1.5e-3, 1.5e-3, 301)
curve = np.array([kloss(b0 + o) for o in offsets])


def draw_kink(fig):
    ax = fig.subplots()
    ax.plot(offsets * 1e3, (curve - curve[150]) * 1e3, label="loss along $b^{(1)}_1$")
    ax.plot([-hk * 1e3, hk * 1e3], [(kloss(b0 - hk) - curve[150]) * 1e3, (kloss(b0 + hk) - curve[150]) * 1e3],
            "o--", label=f"stencil $h = 10^{{-3}}$: slope {secant:.4f}")
    t = np.array([-1.5e-3, 1.5e-3])
    ax.plot(t * 1e3, kgrad * t * 1e3, ":", label=f"backprop tangent: slope {kgrad:.4f}")
    ax.axvline(-z_target * 1e3, color="0.5", lw=0.8)
    ax.text(-z_target * 1e3, ax.get_ylim()[1], "  kink: $z^{(1)}_{11} = 0$", va="top", fontsize=8)
    ax.set_xlabel(r"change of $b^{(1)}_1$ ($\times 10^{-3}$)")
    ax.set_ylabel(r"$L - L_0$ ($\times 10^{-3}$)")
    ax.legend(fontsize=8, loc="lower right")


figure(draw_kink,
       alt=f"The loss along one bias of a ReLU network has a corner at offset {-z_target:g}, where "
       f"the first sample's unit switches off; its slope is {right_slope:.4f} to the right and "
       f"{left_slope:.4f} to the left. The centred stencil with h = 1e-3 straddles the corner and "
       f"measures {secant:.4f}, while backpropagation gives the right-hand slope {kgrad:.4f}.",
       caption="A centred difference across a ReLU kink measures neither one-sided slope.")
md(f"""
Backpropagation gives ${kgrad:.6f}$, the slope on the side where the network is; the centred
quotient with $h = 10^{{-3}}$ gives ${secant:.6f}$, a relative error of ${sci(kink_rel, 1)}$, squarely
in the "wrong" band although nothing is wrong. `bp.check_gradients` detects this: it records the
sign pattern of every ReLU pre-activation before the check and flags each entry whose stencil
changed it. Flagged entries are counted under `kinks` and left out of the verdict:
""")

# %%
kreport = bp.check_gradients(knet, Xk, Yk, h=1e-3, order=2)
print(kreport)
print("b1 kink flags:", kreport.parameters["b1"].kink, " ok:", kreport.ok)

# %% tags=["hide-input"]
kp = kreport.parameters["b1"]
assert kp.kink[0] and not kp.kink[1:].any()
assert abs(kp.numeric[0] - secant) < 1e-9 and kp.rel_error[0] > 1e-2
small = bp.check_gradients(knet, Xk, Yk, h=1e-6, order=2)
assert small.kinks == 0 and small.ok
md(f"""
With a step smaller than the distance to the kink ($h = 10^{{-6}} < {z_target:g}$) no stencil
crosses it, the flags disappear and the same entry agrees to
${sci(small.parameters['b1'].rel_error[0], 0)}$. In a real network some pre-activation is nearly
always within $h$ of 0 for some sample, so the flags are the practical answer: kinks are reported,
not hidden, and a handful of flagged entries is normal for ReLU networks.
""")

# %% [markdown]
# ## float32 against float64
#
# In single precision $\varepsilon_{32} = 2^{-23}$, $2^{29}$ times coarser than
# $\varepsilon_{64} = 2^{-52}$. Every term of the trade-off moves: the rounding error $\varepsilon|L|/h$ is that
# much larger, so the best step is larger and the best achievable error far worse. For the centred
# quotient the optimum $h^* \propto \varepsilon^{1/3}$ gives an error $\propto \varepsilon^{2/3}$;
# with the five-point stencil $\propto \varepsilon^{4/5}$. The same network and weight as above, in
# both precisions:

# %% tags=["hide-input"]
net32 = bp.MLP([3, 4, 2], hidden="tanh", loss="mse", seed=1, dtype=np.float32)
net32.params = {k: v.astype(np.float32) for k, v in net.params.items()}
g32 = float(net32.gradients(X, Y)["W1"][0, 0])
hs32 = np.logspace(-0.5, -7, 27)
err32 = {o: np.array([rel_error(quotient(net32, np.float32(s), o), g) for s in hs32]) for o in (2, 4)}
err64 = {o: np.array([rel_error(quotient(net, s, o), g) for s in hs32]) for o in (2, 4)}
best32 = {o: (float(hs32[np.argmin(err32[o])]), float(err32[o].min())) for o in (2, 4)}
analytic32 = float(rel_error(g32, g))
pred32 = {2: EPS32 ** (2 / 3), 4: EPS32 ** (4 / 5)}


def draw_dtype(fig):
    ax = fig.subplots()
    for i, o in enumerate((2, 4)):
        ax.loglog(hs32, err64[o], "-", color=f"C{i}", lw=1, label=f"float64, order {o}")
        ax.loglog(hs32, err32[o], "o-", ms=3, color=f"C{i}", lw=1.5, alpha=0.8, label=f"float32, order {o}")
    ax.axhline(analytic32, color="C2", ls=":", lw=1, label="float32 backprop vs float64")
    ax.invert_xaxis()
    ax.set_xlabel("step $h$")
    ax.set_ylabel("relative error vs the float64 gradient")
    ax.legend(fontsize=8, ncols=2, loc="lower left")


figure(draw_dtype, figsize=(6.4, 4.0),
       alt=f"Relative error against h for float32 and float64 difference quotients. The float32 curves bottom "
       f"out at {best32[2][1]:.0e} (order 2, h = {best32[2][0]:.0e}) and {best32[4][1]:.0e} (order 4, "
       f"h = {best32[4][0]:.0e}) and then rise steeply towards 1 as h shrinks; the float64 curves keep "
       f"falling over the same range. The float32 backpropagated gradient itself differs from the "
       f"float64 one by only {analytic32:.0e}.",
       caption="The same quotients in float32 (markers) and float64 (lines).")
r32 = bp.check_gradients(net32, X, Y)
md(f"""
The float32 backpropagated gradient is accurate to ${sci(analytic32, 0)}$ relative (close to
$\\varepsilon_{{32}}$: it is a short sum of products). The float32 *difference quotient* is the weak
part: at best ${sci(best32[2][1], 0)}$ for order 2 (at $h = {sci(best32[2][0], 0)}$; the rule of thumb
$\\varepsilon_{{32}}^{{2/3}}$ gives ${sci(pred32[2], 0)}$) and ${sci(best32[4][1], 0)}$ for order 4 (at
$h = {sci(best32[4][0], 0)}$; $\\varepsilon_{{32}}^{{4/5}} = {sci(pred32[4], 0)}$). A float64 threshold of
${sci(defaults[4].tol)}$ cannot be met in float32 by any step. So `bp.check_gradients` switches for float32
networks to $h = {sci(r32.h)}$ and a tolerance of ${sci(r32.tol)}$; on this network it reports a largest
relative error of ${sci(r32.max_rel_error, 1)}$, and passes: `ok` is {r32.ok}. The practical advice
is the usual one: check gradients in float64, then train in whatever precision you like.
""")

# %% [markdown]
# ## The noise floor
#
# A difference quotient cannot resolve a derivative smaller than its own rounding error. With
# loss values accurate to about $\varepsilon|L|$, the quotient carries noise of about
# $\varepsilon|L|/h$ (times the stencil's weights); a true derivative of $10^{-15}$ is invisible
# under it, and comparing the two gives a relative error near 1 that says nothing about the
# gradient. `bp.check_gradients` measures the rounding noise $\nu$ of one loss value
# (`report.loss_noise`: the loss at 9 points $\sqrt{\varepsilon}$ apart along a random direction, whose
# high-order differences leave only the noise) and sets the floor with a safety factor $s$
# (`backprop.gradcheck.NOISE_SAFETY`): `noise` $= s\,\nu\,\sum|c_j| / (d\,h)$ for
# stencil weights $c_j$ and denominator $d$. Entries whose *absolute* difference is below it pass and are counted as
# `below noise`. A sigmoid unit driven deep into saturation makes such entries: its derivative
# $\sigma'(z) \approx e^{-z}$ is tiny for large $z$, and so are the gradients of the weights into it.

# %% tags=["hide-input"]
snet = bp.MLP([3, 3, 1], hidden="sigmoid", output="identity", loss="mse", seed=3)
Xs = np.abs(np.random.default_rng(5).normal(size=(4, 3))) + 0.5
Ys = np.random.default_rng(6).normal(size=(4, 1))
snet.params["W1"][:, 0] = 9.0                       # unit 1 saturates: z >= 3 * 9 * 0.5 = 13.5
zmin = float(snet.forward(Xs).z[1][:, 0].min())

# %%
sreport = bp.check_gradients(snet, Xs, Ys)
print(sreport)

# %% tags=["hide-input"]
sW = sreport.parameters["W1"]
col = sW.rel_error[:, 0]
other = np.delete(sW.rel_error, 0, axis=1)
md(f"""
The saturated unit's pre-activations are at least {zmin:.1f}, where
$\\sigma'(z) \\le {sci(float(np.exp(-zmin) / (1 + np.exp(-zmin)) ** 2), 0)}$, so its incoming weights have
gradients of at most ${sci(np.abs(sW.analytic[:, 0]).max(), 0)}$, far below the noise floor of
${sci(sW.noise, 0)}$ for this check. Their relative errors (up to ${col.max():.2f}$) only measure
rounding; they are reported as below noise and do not fail the check, while the other weights of
the same array agree to ${sci(other.max(), 0)}$. Without the floor the check would cry wolf on every
network with a saturated unit; with it, it stays silent about gradients it cannot see, which is
the honest limit of any finite-difference check. (In float32 each rounding is
$\\varepsilon_{{32}}/\\varepsilon_{{64}} \\approx {sci(EPS32 / EPS64, 1)}$ times larger.)
""")

# %% [markdown]
# ## Checks
#
# Asserted while the page is built: the leading error terms derived by SymPy; the 40-digit
# derivative equals backpropagation; the measured slopes are close to $2$, $4$ and $-1$ and the
# measured best steps within a factor of 10 of the predicted ones (the rounding regime is noisy,
# hence the tolerances); the four comparison cases land in the bands described; the kink is flagged
# and vanishes with a smaller step; float32 cannot reach $10^{-7}$ but passes at its own tolerance;
# the saturated unit's entries are below the noise floor.

# %% tags=["hide-input"]
assert abs(slopes[(2, "truncation")] - 2) < 0.1, slopes
assert abs(slopes[(4, "truncation")] - 4) < 0.3, slopes
assert abs(slopes[(2, "rounding")] + 1) < 0.35 and abs(slopes[(4, "rounding")] + 1) < 0.35, slopes
for o in (2, 4):
    assert abs(np.log10(h_best[o] / h_pred[o])) < 1, (o, h_best[o], h_pred[o])
assert e_best[2] < 1e-8 and e_best[4] < 1e-10, e_best
assert report.ok and report.max_rel_error < 1e-7, report
assert cases["library vs five-point"].max() < 1e-7
assert 1e-4 < cases["library vs one-sided"].max() < 1e-2
assert cases["bug: tanh'(a)"].max() > 1e-2
assert np.allclose(cases["bug: no 1/n"], (len(X) - 1) / (len(X) + 1), rtol=1e-9)
assert kink_rel > 1e-2 and abs(kgrad - right_slope) < 1e-6 and abs(kgrad - left_slope) > 1e-3
assert min(e for _, e in best32.values()) > 1e-7 and r32.ok
assert analytic32 < 1e-5
assert sW.below_noise >= 3 and sreport.ok and col.max() > 1e-3 and other.max() < 1e-7
assert np.abs(sW.analytic[:, 0]).max() < sW.noise / 10  # "far below the noise floor"
md("All checks passed.")

# %% [markdown]
# ## Exercises
#
# **1.** Derive, for the one-sided quotient $(L(p+h) - L(p))/h$, the best step and the smallest
# error in float64, as above for the centred one, using $|L''| \approx |L|$. Why is the one-sided
# check "suspicious" at $h = 10^{-4}$?

# %% tags=["hide-input"]
hh, e_, Lv, L2 = sp.symbols("h varepsilon L L2", positive=True)
E_fwd = L2 * hh / 2 + e_ * Lv / hh
h_star = sp.solve(sp.diff(E_fwd, hh), hh)[0]
assert sp.simplify(h_star - sp.sqrt(2 * e_ * Lv / L2)) == 0
h_star_num = float(h_star.subs({e_: EPS64, Lv: 1, L2: 1}))
E_min = float(E_fwd.subs(hh, h_star).subs({e_: EPS64, Lv: 1, L2: 1}))
assert 1e-8 < h_star_num < 1e-7 and 1e-8 < E_min < 1e-7
solution(f"""
The error is $|L''|h/2 + \\varepsilon|L|/h$ (truncation from the Taylor table, rounding as before).
SymPy sets its derivative to zero: $h^* = {sp.latex(h_star)}$, about ${sci(h_star_num, 1)}$ with
$|L''| = |L|$, giving an error of about ${sci(E_min, 1)}$ (relative to a derivative of order 1): the
square root of $\\varepsilon$, not its $2/3$ power. At $h = 10^{{-4}}$ the truncation term
$|L''|h/2$ alone is about $5\\times10^{{-5}}$ times $|L''|$, which is why the library's correct
gradient looked "suspicious" against it.
""")

# %% [markdown]
# **2.** How many loss evaluations does `bp.check_gradients` need, with its default order-4
# stencil, for the 784-256-128-10 network of the [previous chapter](backpropagation.py), and how
# many forward-pass equivalents does one backpropagation cost (see there)?

# %% tags=["hide-input"]
sizes = [784, 256, 128, 10]
P = sum((m + 1) * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
evals = 4 * P
assert P == 235146
# Forward 2nP_w FLOPs, backward 4nP_w - 2n n0 n1 (the first layer skips dL/dX): per forward pass
P_w = sum(m * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
step = 1 + (4 * P_w - 2 * sizes[0] * sizes[1]) / (2 * P_w)
assert 2 < step < 3, step
solution(f"""
The network has $P = {P:,}$ parameters; the five-point stencil needs 4 loss evaluations per
parameter, ${evals:,}$ forward passes, against about ${step:.1f}$ for one forward and backward pass: a
factor of about ${sci(evals / step, 1)}$. That is why gradient checks run on tiny networks and a few
samples (or a random subset of entries), never inside training.
""")

# %% [markdown]
# **3.** In float32, a step $h = 10^{-2}$ is added to a weight $p = 0.7$. What step is actually
# taken, $(p + h) - p$ computed in float32, and what relative error does that alone cause in the
# difference quotient, which divides by the nominal $h$?

# %% tags=["hide-input"]
p32, h32 = np.float32(0.7), np.float32(1e-2)
actual = float(np.float32(p32 + h32) - p32)
step_err = abs(actual - float(h32)) / float(h32)
assert step_err > 0 and step_err < EPS32 * 0.7 / 1e-2 * 2
step_err64 = abs(((0.7 + 1e-2) - 0.7) - 1e-2) / 1e-2
assert 0 < step_err64 < step_err / 1e6
solution(f"""
$p + h$ is rounded to the float32 grid, whose spacing near $0.7$ is
${sci(float(np.spacing(np.float32(0.7))), 1)}$: the step actually taken is ${actual:.10f}$ instead of
${float(h32):.10f}$, a relative error of ${sci(step_err, 1)}$ that passes straight into the quotient.
In float64 the same effect is ${sci(step_err64, 0)}$; in float32 it is one more reason the achievable
relative error is around $10^{{-5}}$ to $10^{{-4}}$. (A careful check divides by the step actually
taken.)
""")
