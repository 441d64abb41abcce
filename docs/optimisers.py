# %% [markdown]
# # Optimisers
#
# Plain gradient descent, $p \leftarrow p - \eta\, \partial\mathcal L/\partial p$, uses nothing but
# the current gradient. The [gradient descent](gradient-descent.py) chapter showed its limit on a
# quadratic loss: the learning rate is capped by the steepest direction, and the flattest direction
# then crawls, at a pace set by the condition number $\kappa = \lambda_{\max}/\lambda_{\min}$ of the
# Hessian. This chapter adds memory to the update. *Momentum* keeps a running sum of past
# gradients; its speed and its largest learning rate follow from the same eigenvalues, derived
# below and then measured. *RMSProp* and *Adam* divide each entry's step by a running size of its
# gradients; Adam's bias correction is derived. Last, all of them are compared on the book's three
# problems, by the number of epochs each needs to reach a loss.
#
# Every optimiser here is in the library (`fit(..., optimiser=...)`); the table of what each one
# keeps and updates is [`bp.OPTIMISERS`](api-training.md#backprop.OPTIMISERS). The symbols are those of the
# [notation table](symbols.py): $g$ is a gradient as an optimiser receives it, $t$ counts
# the steps, and $\mu, m, \rho, r, \beta_1, \beta_2, \epsilon$ are defined where they first appear.

# %% tags=["hide-input"]
import math

import sympy as sp
from IPython.display import Math, display

from backprop.book import figure, md, md_table, num, solution, tex
from backprop.book.numbers import down

EPS = 2.0**-52   # the machine epsilon of float64


# %% [markdown]
# ## Where gradient descent is slow
#
# The problem is the one of the [gradient descent](gradient-descent.py#the-learning-rate) chapter: a
# linear model $\hat y = x W^{(1)} + b^{(1)}$ (`bp.MLP([2, 1])`) with the half squared error, on 40
# samples with two correlated features. Its loss is a quadratic in the three parameters, with the
# same Hessian $H = \tilde X^\top \tilde X/N$ everywhere ($\tilde X$ is $X$ with a column of ones):

# %%
import numpy as np

import backprop as bp

rng = np.random.default_rng(7)
mix, shift = np.array([[1.0, 0.0], [0.8, 0.6]]), np.array([1.0, -0.5])
X = rng.normal(size=(40, 2)) @ mix + shift              # correlated features
Y = (X @ np.array([1.5, -2.0]) + 0.7 + 0.3 * rng.normal(size=40)).reshape(-1, 1)

X1 = np.hstack([X, np.ones((len(X), 1))])
H = X1.T @ X1 / len(X)                                   # the Hessian of the loss
lams = np.linalg.eigvalsh(H)                             # ascending
theta_star = np.linalg.lstsq(X1, Y, rcond=None)[0]      # the minimum
L_star = 0.5 * np.mean((X1 @ theta_star - Y) ** 2)
print("eigenvalues:", lams.round(4), " kappa =", round(lams[-1] / lams[0], 2))

# %% tags=["hide-input"]
def rate_of(excess, floor):
    """Per-epoch factor rho of a distance whose square (the excess loss) decays like rho^(2t): a least-squares
    slope of log(excess) over the second half of the epochs where it is above the rounding floor."""
    t = np.flatnonzero(excess > floor)
    t = t[t >= t.max() // 2] if t.size > 20 else t
    slope = np.polyfit(t, np.log(excess[t]), 1)[0]
    return float(np.exp(slope / 2))


kappa = float(lams[-1] / lams[0])
eta_gd = 2 / (lams[0] + lams[-1])
rho_gd = (kappa - 1) / (kappa + 1)
assert np.all(lams > 0)
assert all(abs(abs(1 - eta_gd * lam) - rho_gd) < 1e-12 for lam in (lams[0], lams[-1]))
assert abs(1 - eta_gd * lams[1]) < rho_gd
assert EPS == float(np.finfo(np.float64).eps)
FLOOR = 1e3 * EPS * L_star        # excess losses below this are rounding
md(f"""
Along an eigenvector of $H$ with eigenvalue $\\lambda$, a gradient step multiplies the distance to
the minimum by $1 - \\eta\\lambda$. The best a single learning rate can do is to balance the two
extreme directions, $\\eta = 2/(\\lambda_{{\\min}} + \\lambda_{{\\max}}) = {tex(eta_gd)}$, where both
shrink by $(\\kappa - 1)/(\\kappa + 1) = {tex(rho_gd)}$ per step (with $\\kappa = {tex(kappa, 3)}$): a
millionfold reduction of the distance takes
$\\lceil \\ln 10^{{-6}}/\\ln {tex(rho_gd)} \\rceil = {math.ceil(math.log(1e-6) / math.log(rho_gd))}$ steps.
""")

# %% [markdown]
# ## Momentum
#
# Momentum (Polyak's *heavy ball*) steps along a velocity $m$ (PyTorch's *momentum buffer*) that
# accumulates the gradients, with
# a momentum coefficient $0 \le \mu < 1$:
#
# $$
# m \leftarrow \mu m + g, \qquad p \leftarrow p - \eta\, m, \qquad (m = 0 \text{ at the start}).
# $$
#
# With $\mu = 0$ it is gradient descent. With a constant $\eta$ the two lines combine into
# $p_{t+1} = p_t - \eta g_t + \mu\,(p_t - p_{t-1})$: the new step repeats $\mu$ times the last one,
# so steps that agree build up speed and steps that alternate in sign cancel. Written out in NumPy
# for the linear model, it is the library's `optimiser="momentum"`:

# %%
mu, eta, steps = 0.5, 0.8, 25
theta = np.zeros((3, 1))                  # (w1, w2, b) = 0, where the library run below starts too
m = np.zeros_like(theta)
for _ in range(steps):
    g = H @ theta - X1.T @ Y / len(X)     # the gradient of the quadratic loss
    m = mu * m + g
    theta = theta - eta * m

net = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
net.params["W1"][:] = 0.0                 # start at zero, as above
net.fit(X, Y, epochs=steps, lr=eta, optimiser=bp.Momentum(mu=mu))
library = np.vstack([net.params["W1"], net.params["b1"]])
print("largest difference:", np.abs(theta - library).max())

# %% tags=["hide-input"]
assert np.abs(theta - library).max() < 1e-13
# and the heavy-ball form, from the same sequence of iterates
hist = [np.zeros((3, 1))]
vv = np.zeros((3, 1))
for _ in range(3):
    gg = H @ hist[-1] - X1.T @ Y / len(X)
    vv = mu * vv + gg
    hist.append(hist[-1] - eta * vv)
gg2 = H @ hist[2] - X1.T @ Y / len(X)
assert np.allclose(hist[3], hist[2] - eta * gg2 + mu * (hist[2] - hist[1]), rtol=0, atol=1e-14)

# %% [markdown]
# ### Speed and threshold, from the eigenvalues
#
# On a quadratic the gradient is $H(\theta - \theta^*)$, so along an eigenvector with eigenvalue
# $\lambda$ the distance $d = \theta - \theta^*$ (one coordinate) and the velocity obey
# $m' = \mu m + \lambda d$ and $d' = d - \eta m'$: a linear map of the pair $(d, m)$. SymPy writes its
# matrix $T$ and the characteristic polynomial, whose two roots $\xi$ are the factors by which the
# pair shrinks (or grows) per step:

# %% tags=["hide-input"]
e_s, v_s, eta_s, lam_s, x_s = sp.symbols(r"d m \eta \lambda \xi")
mu_s = sp.Symbol(r"\mu", nonnegative=True)
v_next = mu_s * v_s + lam_s * e_s
e_next = e_s - eta_s * v_next
T = sp.Matrix([[sp.diff(e_next, e_s), sp.diff(e_next, v_s)], [sp.diff(v_next, e_s), sp.diff(v_next, v_s)]])
char = sp.expand(T.charpoly(x_s).as_expr())
assert sp.expand(char - (x_s**2 - (1 + mu_s - eta_s * lam_s) * x_s + mu_s)) == 0
display(Math(r"T = " + sp.latex(T) + r",\qquad \det(\xi I - T) = \xi^2 - (1 + \mu - \eta\lambda)\,\xi + \mu"))
at_plus_one, at_minus_one = sp.factor(char.subs(x_s, 1)), sp.factor(char.subs(x_s, -1))
product = sp.simplify(T.det())
assert sp.simplify(at_plus_one - eta_s * lam_s) == 0
assert sp.simplify(at_minus_one - (2 * (1 + mu_s) - eta_s * lam_s)) == 0
assert product == mu_s
disc = sp.expand((1 + mu_s - eta_s * lam_s) ** 2 - 4 * mu_s)
q_band = sp.Symbol("q", positive=True)   # q = eta * lambda
edges = sorted(sp.solve(sp.Eq(disc.subs(eta_s, q_band / lam_s), 0), q_band),
               key=lambda q: float(q.subs(mu_s, sp.Rational(1, 4))))
assert [sp.simplify(q - w) for q, w in zip(edges, [(1 - sp.sqrt(mu_s)) ** 2, (1 + sp.sqrt(mu_s)) ** 2],
                                            strict=True)] == [0, 0]

# %% [markdown]
# %% tags=["hide-input"]
md(f"""
The product of the roots is $\\det T = {sp.latex(product)} < 1$. So a pair of complex roots, whose
two members have the same modulus, has modulus $\\sqrt\\mu < 1$ and never leaves the unit circle:
a root can only leave through $\\xi = 1$ or $\\xi = -1$. The polynomial is ${sp.latex(at_plus_one)}$ at
$\\xi = 1$ and ${sp.latex(at_minus_one)}$ at $\\xi = -1$, so for $\\eta\\lambda > 0$ the roots stay inside
exactly while
$$ 0 < \\eta\\lambda < 2(1 + \\mu), $$
and momentum converges on the whole quadratic for $\\eta < \\eta_c(\\mu) = 2(1 + \\mu)/\\lambda_{{\\max}}$:
a larger threshold than gradient descent's $2/\\lambda_{{\\max}}$. The roots are complex, of modulus
$\\sqrt\\mu$ whatever $\\lambda$, when the discriminant is negative, for
$(1 - \\sqrt\\mu)^2 < \\eta\\lambda < (1 + \\sqrt\\mu)^2$. Choosing $\\eta$ and $\\mu$ so that this
band holds the whole spectrum, with $\\lambda_{{\\min}}$ and $\\lambda_{{\\max}}$ on its edges, makes
every direction shrink by $\\sqrt\\mu$ per step:
""")

# %% tags=["hide-input"]
lmin, lmax = sp.symbols(r"\lambda_{\min} \lambda_{\max}", positive=True)
k_s, root_s = sp.Symbol(r"\kappa", positive=True), sp.Symbol(r"\sqrt{\mu}", nonnegative=True)
# eta lambda_min = (1 - sqrt(mu))^2 and eta lambda_max = (1 + sqrt(mu))^2: their ratio fixes sqrt(mu) ...
roots_mu = [r for r in sp.solve(sp.Eq((1 + root_s) ** 2, k_s * (1 - root_s) ** 2), root_s)
            if 0 <= float(r.subs(k_s, 25)) < 1]
assert len(roots_mu) == 1 and sp.simplify(roots_mu[0] - (sp.sqrt(k_s) - 1) / (sp.sqrt(k_s) + 1)) == 0
# ... and then eta
eta_opt_s = sp.simplify(((1 - roots_mu[0]) ** 2 / lmin).subs(k_s, lmax / lmin))
assert sp.simplify(eta_opt_s - 4 / (sp.sqrt(lmin) + sp.sqrt(lmax)) ** 2) == 0
display(Math(r"\eta^* = " + sp.latex(4 / (sp.sqrt(lmin) + sp.sqrt(lmax)) ** 2) + r",\qquad \sqrt{\mu^*} = "
             + sp.latex((sp.sqrt(k_s) - 1) / (sp.sqrt(k_s) + 1))))

# %% tags=["hide-input"]
def rho_heavy(eta, mu, lam):
    """Spectral radius of T for one eigenvalue: the larger modulus of the two roots."""
    return float(np.abs(np.roots([1.0, -(1 + mu - eta * lam), mu])).max())


def rho_nesterov(eta, mu, lam):
    return float(np.abs(np.roots([1.0, -(1 + mu) * (1 - eta * lam), mu * (1 - eta * lam)])).max())


def rho_all(rho, eta, mu):
    return max(rho(eta, mu, lam) for lam in lams)


sq = np.sqrt(lams)
eta_hb = float(4 / (sq[0] + sq[-1]) ** 2)
mu_hb = float(((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2)
rho_hb = math.sqrt(mu_hb)
assert abs(rho_all(rho_heavy, eta_hb, mu_hb) - rho_hb) < 1e-6   # a double root at the two edges
# Nesterov's version (next section) and momentum with the common default mu = 0.9: the best learning rate
# (and for Nesterov the best mu) on a fine grid of the predicted factor.
grid_eta = np.linspace(0.005, 1.0, 400) * 2 * (1 + 0.9) / lams[-1]
rho_09 = [rho_all(rho_heavy, e, 0.9) for e in grid_eta]
band_09 = ((1 - math.sqrt(0.9)) ** 2 / lams[0], (1 + math.sqrt(0.9)) ** 2 / lams[-1])  # every root complex
best_n = min((rho_all(rho_nesterov, e, m), e, m) for m in np.linspace(0.0, 0.95, 96)
             for e in np.linspace(0.01, 1.5, 150) / lams[-1])
rho_nag, eta_nag, mu_nag = float(best_n[0]), float(best_n[1]), float(best_n[2])
assert rho_hb < rho_nag < rho_gd < min(rho_09), (rho_hb, rho_nag, rho_gd, min(rho_09))
assert abs(min(rho_09) - math.sqrt(0.9)) < 1e-3    # mu = 0.9 cannot beat sqrt(mu)
md(f"""
For this problem $\\eta^* = {tex(eta_hb)}$ and $\\mu^* = {tex(mu_hb)}$: every direction shrinks by
$\\sqrt{{\\mu^*}} = (\\sqrt\\kappa - 1)/(\\sqrt\\kappa + 1) = {tex(rho_hb)}$ per step, against
{num(rho_gd, trim=True)} for the best gradient descent. The factor depends on $\\sqrt\\kappa$ instead of
$\\kappa$. Momentum is not faster whatever $\\mu$, though: with the common default $\\mu = 0.9$ every
learning rate from {num(band_09[0], 3, trim=True)} to {num(band_09[1], 3, trim=True)} puts all three eigenvalues in the
complex band, where the factor is $\\sqrt{{0.9}} = {tex(math.sqrt(0.9))}$, and no learning rate does
better (the best on a fine grid: {num(min(rho_09), trim=True)}): slower than plain gradient descent.
""")

# %% [markdown]
# ### Nesterov's momentum
#
# Nesterov's accelerated gradient looks ahead: $m \leftarrow \mu m + g$, then
# $p \leftarrow p - \eta\,(g + \mu m)$ (`Momentum(nesterov=True)`, `optimiser="nesterov"`). The same
# analysis gives the characteristic polynomial
# $\xi^2 - (1 + \mu)(1 - \eta\lambda)\,\xi + \mu(1 - \eta\lambda)$ (exercise 3 derives it and its
# threshold). Its best $\eta$ and $\mu$ for this spectrum, found on a grid of the predicted factor,
# are used below, and for momentum with $\mu = 0.9$ the learning rate $1$, inside its complex band.
#
# ### Measured
#
# Each optimiser trains the model from the same start (the library's initial weights, seed 0) for
# 250 epochs of one full-batch step each:

# %%
sq = np.sqrt(lams)
settings = {  # name: (optimiser, learning rate)
    "gradient descent": ("sgd", 2 / (lams[0] + lams[-1])),
    "momentum, best": (bp.Momentum(mu=((sq[-1] - sq[0]) / (sq[-1] + sq[0])) ** 2), 4 / (sq[0] + sq[-1]) ** 2),
    "Nesterov, best": (bp.Momentum(mu=0.627, nesterov=True), 0.585),   # from a grid search
    "momentum, mu = 0.9": (bp.Momentum(mu=0.9), 1.0),
}
excess = {}
for name, (optimiser, lr) in settings.items():
    model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
    history = model.fit(X, Y, epochs=250, lr=lr, optimiser=optimiser)
    excess[name] = np.append(history.loss, model.loss(X, Y)) - L_star

# %% tags=["hide-input"]
# The visible settings are the computed optima (the grid searches' to 3 figures): check they are those.
assert abs(settings["gradient descent"][1] / eta_gd - 1) < 1e-12
assert abs(settings["momentum, best"][1] / eta_hb - 1) < 1e-12
assert abs(settings["momentum, best"][0].mu / mu_hb - 1) < 1e-12
assert abs(settings["Nesterov, best"][1] / eta_nag - 1) < 5e-3 and abs(settings["Nesterov, best"][0].mu - mu_nag) < 5e-3
assert band_09[0] < settings["momentum, mu = 0.9"][1] < band_09[1]
predicted = {name: rho_all(rho_nesterov if opt == "sgd" or getattr(opt, "nesterov", False) else rho_heavy, lr,
                           0.0 if opt == "sgd" else opt.mu)
             for name, (opt, lr) in settings.items()}
assert abs(predicted["gradient descent"] - rho_gd) < 1e-12
measured = {name: rate_of(ex, FLOOR) for name, ex in excess.items()}
target = 1e-10
reach = {name: int(np.argmax(ex < target)) for name, ex in excess.items()}
assert all(excess[name][reach[name]] < target for name in excess)
for name in excess:  # the measured factor is the predicted spectral radius
    assert abs(measured[name] / predicted[name] - 1) < 0.03, (name, measured[name], predicted[name])
order = sorted(excess, key=reach.get)
assert order == ["momentum, best", "Nesterov, best", "gradient descent", "momentum, mu = 0.9"], reach
wiggles = int(np.sum(np.diff(excess["momentum, mu = 0.9"][:reach["momentum, mu = 0.9"]]) > 0))
assert wiggles > 5 and not np.any(np.diff(excess["gradient descent"][:reach["gradient descent"]]) > 0)
md(r"""Factor per epoch, predicted from the eigenvalues and measured, and the epochs until
$\mathcal L - \mathcal L^* < 10^{-10}$:""")
label_of = {name: name if name == "gradient descent" else
            f"{name.split(',')[0]}, $\\mu = {tex(settings[name][0].mu, 3)}$" for name in excess}
md_table(["optimiser", r"$\eta$", "predicted", "measured", "epochs"],
         [[label_of[name], num(settings[name][1], 3), num(predicted[name], 3), num(measured[name], 3),
           str(reach[name])] for name in excess], align="lrrrr")


def draw_runs(fig):
    ax = fig.subplots()
    for i, (name, ex) in enumerate(excess.items()):
        ax.semilogy(np.arange(len(ex)), np.maximum(ex, FLOOR / 10), color=f"C{i}", label=name)
    ax.axhline(target, color="C5", lw=0.8, ls=":")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"$\mathcal{L} - \mathcal{L}^*$")
    fig.legend(loc="outside upper center", ncols=2)


figure(draw_runs, figsize=(5.0, 3.8),
       alt=f"Excess loss against epoch on a log scale for four optimisers on the linear model. Tuned momentum "
       f"falls fastest and reaches 10⁻¹⁰ at epoch {reach['momentum, best']}, tuned Nesterov at epoch "
       f"{reach['Nesterov, best']}, gradient descent at epoch {reach['gradient descent']}, and momentum with "
       f"μ = 0.9 last, at epoch {reach['momentum, mu = 0.9']}, with a wavy curve.",
       caption=r"The excess loss $\mathcal{L} - \mathcal{L}^*$ of the linear model for four optimisers (the "
       r"dotted line is $10^{-10}$).")
md(f"""
The measured factors (least-squares slopes of $\\ln(\\mathcal L - \\mathcal L^*)/2$ over the second half
of each run, above rounding) agree with the spectral radii predicted from the eigenvalues to within
3 %. Tuned momentum needs {reach['momentum, best']} epochs where gradient descent needs
{reach['gradient descent']}; with $\\mu = 0.9$ the roots are complex, the loss rises again
{wiggles} times on its way down, and it needs {reach['momentum, mu = 0.9']}.
""")

# %% [markdown]
# Across learning rates, the prediction is a curve: the largest of $|1 - \eta\lambda|$ over the three
# eigenvalues for gradient descent, and the largest root modulus for momentum. Measured factors, from
# 250-epoch runs at eight learning rates each, sit on it:

# %% tags=["hide-input"]
scan = {}
for label, mu_v, rho_fn in (("gradient descent", 0.0, lambda e, m, lam: abs(1 - e * lam)),
                            (rf"momentum, $\mu = {tex(mu_hb, 2)}$", mu_hb, rho_heavy),
                            (r"momentum, $\mu = 0.9$", 0.9, rho_heavy)):
    etas = np.linspace(0.06, 0.97, 8) * 2 * (1 + mu_v) / lams[-1]
    pts = []
    for e in etas:
        model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
        opt = "sgd" if mu_v == 0 else bp.Momentum(mu=mu_v)
        h = model.fit(X, Y, epochs=250, lr=float(e), optimiser=opt)
        pts.append(rate_of(np.append(h.loss, model.loss(X, Y)) - L_star, FLOOR))
    curve_eta = np.linspace(0.001, 1.0, 300) * 2 * (1 + mu_v) / lams[-1]
    scan[label] = (etas, np.array(pts), curve_eta, np.array([rho_all(rho_fn, e, mu_v) for e in curve_eta]),
                   np.array([rho_all(rho_fn, e, mu_v) for e in etas]))
worst_scan = max(float(np.abs(p / q - 1).max()) for _, p, _, _, q in scan.values())
assert worst_scan < 0.03, worst_scan
ce, cr = scan[r"momentum, $\mu = 0.9$"][2:4]
band = (ce > band_09[0]) & (ce < band_09[1])
assert band.sum() > 100 and np.allclose(cr[band], math.sqrt(0.9), rtol=1e-6) and np.all(cr[~band] > math.sqrt(0.9))


def draw_scan(fig):
    ax = fig.subplots()
    for i, (label, (etas, pts, ce, cr, _)) in enumerate(scan.items()):
        ax.plot(ce, cr, color=f"C{i}", label=label + ", predicted")
        ax.plot(etas, pts, "o", color=f"C{i}", ms=4)
    ax.set_xlabel(r"learning rate $\eta$")
    ax.set_ylabel("factor per epoch")
    ax.set_ylim(0.5, 1.02)
    fig.legend(loc="outside upper center", ncols=1)


figure(draw_scan, figsize=(5.0, 4.2),
       alt=f"The factor by which the distance to the minimum shrinks per epoch, against the learning rate, "
       f"for gradient descent and for momentum with μ = {num(mu_hb, 2)} and with μ = 0.9. Lines are the "
       f"predictions from the eigenvalues, dots the measured factors, all within "
       f"{num(100 * worst_scan, 1)} % of the lines. Gradient descent's curve has its lowest point, "
       f"{num(rho_gd, 3)}, at η = {num(eta_gd, 3)}; momentum with μ = {num(mu_hb, 2)} reaches "
       f"{num(rho_hb, 3)} at its lowest point; with μ = 0.9 it is flat at {num(min(rho_09), 3)} over a wide "
       f"range of rates and never goes below.",
       caption=r"Factor per epoch against the learning rate: predicted (lines) and measured (dots) for gradient "
       r"descent and heavy-ball momentum; each curve ends at its threshold $2(1+\mu)/\lambda_{\max}$.")
md(f"""
All {sum(len(s[1]) for s in scan.values())} measured factors are within
{num(math.ceil(1000 * worst_scan) / 10, trim=True)} % of the prediction. With $\\mu = 0.9$ the curve is
flat over the band where every root is complex: there the factor is $\\sqrt{{0.9}}$ whatever $\\eta$. With
$\\mu^*$ that band has shrunk to the single point $\\eta^*$, the bottom of its curve.
""")

# %% [markdown]
# Above the threshold the runs diverge. Just below and just above $\eta_c(\mu)$, for $\mu = 0.5$
# and $\mu = 0.9$ (and gradient descent, $\mu = 0$), the excess loss $\mathcal L - \mathcal L^*$ after
# 300 epochs divided by the excess loss before:

# %% tags=["hide-input"]
threshold_rows = []
for mu_v in (0.0, 0.5, 0.9):
    eta_c_mu = 2 * (1 + mu_v) / lams[-1]
    row = [f"{num(mu_v, trim=True)}", eta_c_mu]
    for frac in (0.98, 1.02):
        model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
        before = model.loss(X, Y) - L_star
        with np.errstate(over="ignore", invalid="ignore"):
            try:
                model.fit(X, Y, epochs=300, lr=frac * eta_c_mu, optimiser=bp.Momentum(mu=mu_v))
                ratio = (model.loss(X, Y) - L_star) / before
            except bp.TrainingDiverged:
                ratio = math.inf
        row.append(ratio)
    threshold_rows.append(row)
    assert row[2] < 1 < row[3], row
md_table([r"$\mu$", r"$\eta_c(\mu) = 2(1+\mu)/\lambda_{\max}$", r"ratio at $0.98\,\eta_c$",
          r"ratio at $1.02\,\eta_c$"], threshold_rows, fmt=3, align="lrrr")

# %% [markdown]
# For every $\mu$ the excess loss falls at 2 % below the predicted threshold and grows at 2 % above it.
#
# ## RMSProp and Adam
#
# Momentum uses one learning rate for every parameter. RMSProp (Hinton's lecture notes) divides
# each entry's step by a running root mean square of that entry's gradients, with a decay
# $0 \le \rho < 1$ and a small $\epsilon$ that keeps the division finite (products, squares, roots and
# quotients entry by entry):
#
# $$
# r \leftarrow \rho\, r + (1 - \rho)\, g \odot g, \qquad p \leftarrow p - \eta\, \frac{g}{\sqrt{r} + \epsilon}.
# $$
#
# An entry whose gradients are large takes steps no larger than one whose gradients are small: once $r$
# has followed a steady gradient for a while, each moves by about $\eta$. Adam (Kingma and Ba) keeps such
# a running mean of $g$ too, $m$, with decay
# $\beta_1$ (momentum on the gradient), and one of $g \odot g$, $r$, with decay $\beta_2$:
#
# $$
# \begin{aligned}
# m &\leftarrow \beta_1 m + (1 - \beta_1)\, g, & r &\leftarrow \beta_2 r + (1 - \beta_2)\, g \odot g, \\
# p &\leftarrow p - \eta\, \frac{\hat m}{\sqrt{\hat r} + \epsilon}, &
# \hat m &= \frac{m}{1 - \beta_1^t}, \quad \hat r = \frac{r}{1 - \beta_2^t},
# \end{aligned}
# $$
#
# with $t$ the number of steps taken, this one included.
#
# ### Bias correction, derived
#
# Both running means start at 0. After $t$ steps, unrolled, $m_t = (1 - \beta_1)\sum_{k=1}^{t}
# \beta_1^{t-k} g_k$: a weighted sum of the gradients whose weights add up to

# %% tags=["hide-input"]
b_s, k_s2, t_s = sp.Symbol(r"\beta", positive=True), sp.Symbol("k", integer=True), sp.Symbol("t", integer=True,
                                                                                              positive=True)
weight_sum = sp.simplify(sp.summation((1 - b_s) * b_s ** (t_s - k_s2), (k_s2, 1, t_s)))
assert sp.simplify(weight_sum - (1 - b_s**t_s)) == 0
# unrolled recursion equals the sum, for t = 1..6 with symbolic gradients
gs = sp.symbols("g_1:7")
m_rec = 0
for t_i, g_i in enumerate(gs, 1):
    m_rec = b_s * m_rec + (1 - b_s) * g_i
    assert sp.expand(m_rec - sum((1 - b_s) * b_s ** (t_i - k) * gs[k - 1] for k in range(1, t_i + 1))) == 0
display(Math(r"(1 - \beta)\sum_{k=1}^{t} \beta^{\,t-k} = " + sp.latex(sp.factor(weight_sum))))

# %% tags=["hide-input"]
b2, t_warm = 0.999, 10
md(f"""
(SymPy sums the geometric series and checks the unrolled recursion for six symbolic gradients.) So
$m_t$ is a weighted average of the gradients scaled down by $1 - \\beta_1^t$: if every $g_k$ equals the
same $g$, $m_t = (1 - \\beta_1^t)\\,g$, and dividing by $1 - \\beta_1^t$ gives back $g$. The same holds for
$r$ with $\\beta_2$. Without the correction the early running means are too small: with the default
$\\beta_2 = {tex(b2)}$, after {t_warm} steps $r$ carries only {num(1 - b2**t_warm, 3, trim=True)} of the weight of
a full average. Adam's first step is therefore $\\eta\\, g/(|g| + \\epsilon)$, about $\\eta$ in every
entry. RMSProp has no correction: its first $r$ is $(1 - \\rho)\\,g \\odot g$, and its first step is
about $\\eta/\\sqrt{{1 - \\rho}}$ in every entry. Measured on the first update of an Iris network
(4-8-3, tanh, cross-entropy):
""")

# %% tags=["hide-input"]
X_iris, y_iris, _ = bp.datasets.load_iris()
pick = np.random.default_rng(0)
held_out = np.sort(np.concatenate([pick.permutation(np.flatnonzero(y_iris == k))[:15] for k in range(3)]))
train_iris = np.setdiff1d(np.arange(len(y_iris)), held_out)   # the split of the classification chapter
Xi = (X_iris - X_iris[train_iris].mean(axis=0)) / X_iris[train_iris].std(axis=0)
Xi_train, yi_train = Xi[train_iris], y_iris[train_iris]
assert len(train_iris) == 105
first_steps = {}
for name, opt in (("rmsprop", bp.RMSProp(rho=0.9)), ("adam", bp.Adam())):
    probe = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
    before = {k: v.copy() for k, v in probe.params.items()}
    g0 = probe.gradients(Xi_train, yi_train)
    probe.fit(Xi_train, yi_train, epochs=1, lr=0.01, optimiser=opt)
    moved = np.concatenate([np.abs(probe.params[k] - before[k]).ravel() for k in before])
    gmag = np.concatenate([np.abs(g0[k]).ravel() for k in before])
    scale = math.sqrt(0.1) if name == "rmsprop" else 1.0      # sqrt(r) = scale |g| after one step
    exact = 0.01 * gmag / (scale * gmag + 1e-8)
    first_steps[name] = (moved, float(np.max(np.abs(moved / exact - 1))))
gsizes = gmag
assert gsizes.min() > 1e-5          # so epsilon changes no step by more than 1e-8 / 1e-5 = 0.1 %
rows_first, first_dev = [], 0.0
for label, name, pred in (("RMSProp, $\\rho = 0.9$", "rmsprop", 0.01 / math.sqrt(0.1)), ("Adam", "adam", 0.01)):
    moved, dev = first_steps[name]
    assert dev < 1e-9 and np.all(np.abs(moved / pred - 1) < 1e-8 / (scale * gsizes.min()) * 10)
    rows_first.append([label, str(len(moved)), num(moved.min(), 4), num(moved.max(), 4), num(pred, 4)])
    first_dev = max(first_dev, dev)
md_table(["optimiser", "entries", "smallest step", "largest step", "predicted"], rows_first, align="lrrrr")
md(f"""
with $\\eta = 0.01$, while the entries' gradients range from {num(gsizes.min(), 2, trim=True)} to
{num(gsizes.max(), 2, trim=True)}, a factor of {num(gsizes.max() / gsizes.min(), 2)}: every entry moved by the predicted
amount ($\\eta/\\sqrt{{1 - \\rho}}$ for RMSProp, $\\eta$ for Adam), up to the $\\epsilon$ in the denominator. The
exact first steps, $\\eta\\lvert g\\rvert/(\\sqrt{{1 - \\rho}}\\lvert g\\rvert + \\epsilon)$ and
$\\eta\\lvert g\\rvert/(\\lvert g\\rvert + \\epsilon)$, match the measured ones to {num(first_dev, 1, trim=True)}
(relative).
""")

# %% [markdown]
# The division also makes Adam indifferent to the scale of the loss: multiplying every gradient by
# 1000 leaves its step as it is (up to $\epsilon$), while gradient descent's step grows 1000-fold.

# %%
rng_g = np.random.default_rng(1)
g = {"W1": rng_g.normal(size=(4, 8)), "b1": rng_g.normal(size=8)}
steps_taken = {}
for factor in (1.0, 1000.0):
    for opt in (bp.Adam(), bp.SGD()):
        p = {k: np.zeros_like(v) for k, v in g.items()}
        for _ in range(3):                   # three steps with the same gradient
            opt.step(p, {k: factor * v for k, v in g.items()}, lr=0.01)
        steps_taken[opt.name, factor] = p["W1"]
print("Adam:", np.abs(steps_taken["adam", 1000.0] / steps_taken["adam", 1.0] - 1).max(),
      " SGD:", np.abs(steps_taken["sgd", 1000.0] / steps_taken["sgd", 1.0]).max())

# %% tags=["hide-input"]
adam_dev = float(np.abs(steps_taken["adam", 1000.0] / steps_taken["adam", 1.0] - 1).max())
assert adam_dev < 1e-8 / np.abs(g["W1"]).min()   # what epsilon can change: epsilon / |g| at the smallest |g|
assert np.allclose(steps_taken["sgd", 1000.0] / steps_taken["sgd", 1.0], 1000.0, rtol=1e-12)
# No rescaling of the coordinates removes the linear model's ill-conditioning: kappa of D H D over diagonal D
# (the third entry fixed at 1, the others on a log grid from e^-4 to e^4), against kappa of H.
scales = np.exp(np.linspace(-4, 4, 81))
kappa_diag = min(float(np.linalg.cond(np.diag([a_, b_, 1.0]) @ H @ np.diag([a_, b_, 1.0])))
                 for a_ in scales for b_ in scales)
assert kappa_diag > 0.7 * kappa, (kappa_diag, kappa)

md(f"""
(The first number is the largest relative difference of Adam's steps, below $\\epsilon/\\lvert g\\rvert$ at
the smallest gradient entry; the second the ratio of gradient descent's.) The price of the division
is that the direction is no longer the gradient's. On the linear model, whose difficulty lies
along a diagonal direction (the features are correlated), rescaling each coordinate separately
cannot remove the ill-conditioning: no rescaling of the three coordinates (on a grid of
{len(scales)}² scalings) brings the condition number of $H$ below {num(down(kappa_diag, 3), trim=True)}, from
{num(kappa, 3, trim=True)}, and the comparison below shows what that costs Adam.
""")

# %% [markdown]
# ## Compared on the book's problems
#
# Three problems of the book, each trained full batch from its library initialisation (seed 0):
#
# - **linear**: the linear model above, to $\mathcal L - \mathcal L^* < 10^{-6}$;
# - **curve**: $y = x^2$ on 81 standardised points with 8 tanh units, the network of the
#   [fitting a curve](fitting-a-curve.py) chapter, to $\mathcal L < 10^{-3}$;
# - **Iris**: the 105 training flowers of the [classification](classification.py) chapter, 4-8-3 with
#   tanh and softmax, to a cross-entropy below $0.02$.
#
# Each optimiser gets its best learning rate from a grid of steps of about 3 ($0.01, 0.03, \dots, 30$
# for gradient descent and the momentum methods, $0.001, 0.003, \dots, 3$ for RMSProp and Adam), with
# the library's defaults otherwise ($\mu = 0.9$, $\rho = 0.9$, $\beta_1 = 0.9$, $\beta_2 = 0.999$,
# $\epsilon = 10^{-8}$). The number reported is the first epoch whose loss is below the target; a run
# stops there, or after its budget of epochs (300, 700 and 600).

# %% tags=["hide-input"]
xc = np.linspace(-10.0, 10.0, 81).reshape(-1, 1)
Xc, Yc = (xc - xc.mean()) / xc.std(), (xc**2 - (xc**2).mean()) / (xc**2).std()
problems = {
    "linear": (lambda: bp.MLP([2, 1], output="identity", loss="mse", seed=0), X, Y, L_star + 1e-6, 300),
    "curve": (lambda: bp.MLP([1, 8, 1], hidden="tanh", loss="mse", seed=0), Xc, Yc, 1e-3, 700),
    "Iris": (lambda: bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0), Xi_train, yi_train, 0.02,
             600),
}
optimisers = ["sgd", "momentum", "nesterov", "rmsprop", "adam"]
grids = {n: [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0] for n in optimisers[:3]} | {
    n: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0] for n in optimisers[3:]}
CHUNK = 25


def epochs_to(make, X_, Y_, target, budget, name, lr):
    """Train in chunks with one optimiser object (full batch: the same as one long run) until the loss is
    below the target; return the epoch reached (None if never) and the loss curve."""
    net_, opt_ = make(), bp.get_optimiser(name)
    losses = []
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            while len(losses) < budget:
                losses.extend(net_.fit(X_, Y_, epochs=CHUNK, lr=lr, optimiser=opt_).loss)
                hit = np.flatnonzero(np.array(losses) < target)
                if hit.size:
                    return int(hit[0]), np.array(losses[: hit[0] + 1])
        except bp.TrainingDiverged as err:
            losses.extend(err.history.loss)
    return None, np.array(losses)


results, lowest = {}, {}
for pname, (make, X_, Y_, target, budget) in problems.items():
    for name in optimisers:
        runs = [(lr, *epochs_to(make, X_, Y_, target, budget, name, lr)) for lr in grids[name]]
        reached = [r for r in runs if r[1] is not None]
        if reached:
            results[pname, name] = min(reached, key=lambda r: (r[1], r[0]))
        else:  # not reached: keep the run whose loss got lowest
            results[pname, name] = min(runs, key=lambda r: np.nanmin(r[2]))
            lowest[pname, name] = float(np.nanmin(results[pname, name][2]))
        # the best rate is inside the grid: the ones above it are slower or fail
        assert results[pname, name][0] < grids[name][-1], (pname, name)

# %% tags=["hide-input"]
rows = []
for name in optimisers:
    row = [name]
    for pname in problems:
        lr_b, ep, _ = results[pname, name]
        row.append("not reached" if ep is None else f"{ep} (η = {num(lr_b, 1, trim=True)})")
        if ep is not None:
            assert ep < problems[pname][4]
    rows.append(row)
md_table(["optimiser", "linear", "curve", "Iris"], rows, align="lrrr")
ep = {key: v[1] for key, v in results.items()}
BIG = 10**9
fastest = {p: min(optimisers, key=lambda n: ep[p, n] or BIG) for p in problems}
assert all(ep[p, "sgd"] is not None and ep[p, "sgd"] > min(ep[p, "momentum"], ep[p, "nesterov"]) for p in problems)
assert all(ep[p, "adam"] is not None for p in problems)
assert ep["linear", "adam"] > ep["linear", "nesterov"] and ep["Iris", "adam"] < ep["Iris", "sgd"]
assert len(set(fastest.values())) > 1   # no optimiser is fastest everywhere
assert list(lowest) == [("curve", "rmsprop")] and lowest["curve", "rmsprop"] > problems["curve"][3]
# Why: RMSProp's steps stay at about eta per entry. Its best curve run again, and the step of its last epoch.
rms_lr, rms_budget = results["curve", "rmsprop"][0], problems["curve"][4]
rms_net, rms_opt = problems["curve"][0](), bp.get_optimiser("rmsprop")
rms_net.fit(Xc, Yc, epochs=rms_budget - 1, lr=rms_lr, optimiser=rms_opt)
rms_before = {k: v.copy() for k, v in rms_net.params.items()}
rms_net.fit(Xc, Yc, epochs=1, lr=rms_lr, optimiser=rms_opt)
rms_step = float(np.median(np.concatenate([np.abs(rms_net.params[k] - rms_before[k]).ravel() for k in rms_before])))
rms_step /= rms_lr
assert 0.5 < rms_step < 2, rms_step
md(f"""
Epochs to the target, with the best learning rate of the grid in brackets. On every problem momentum
or Nesterov beats plain gradient descent, and the fastest is {fastest['linear']} on the linear model,
{fastest['curve']} on the curve and {fastest['Iris']} on Iris. RMSProp does not reach the curve's target
within {problems['curve'][4]} epochs at any rate of the grid: its lowest loss is
{num(lowest['curve', 'rmsprop'], 2, trim=True)} (at $\\eta = {tex(results['curve', 'rmsprop'][0])}$); without momentum
or a
decaying learning rate, its steps stay at about $\\eta$ per entry however small the gradient (in the last
epoch of that run the median entry moved ${tex(rms_step, 2)}\\,\\eta$), so it keeps jumping about the minimum. Adam is
slower than Nesterov on the linear model ({ep['linear', 'adam']} epochs against
{ep['linear', 'nesterov']}), where the difficulty is a correlated direction that per-entry scaling
cannot undo, and faster than gradient descent on Iris ({ep['Iris', 'adam']} against
{ep['Iris', 'sgd']}). These are three small full-batch problems and a coarse grid: they show that no
optimiser wins everywhere, not which one wins on a large network.
""")


def draw_compare(fig):
    axes = fig.subplots(3, 1)
    for ax, (pname, (_, _, _, target, _)) in zip(axes, problems.items(), strict=True):
        for i, name in enumerate(optimisers):
            curve = results[pname, name][2]
            y_ = curve - L_star if pname == "linear" else curve
            ax.semilogy(np.arange(len(y_)), y_, color=f"C{i}", label=name)
        ax.axhline(target - L_star if pname == "linear" else target, color="C5", lw=0.8, ls=":")
        ax.set_ylabel(pname)
    axes[-1].set_xlabel("epoch")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside upper center", ncols=3)


figure(draw_compare, figsize=(5.0, 7.0),
       alt=f"Three panels of loss against epoch, log scale, one per problem (linear model, curve, Iris), "
       f"each with five optimisers at their best learning rate, down to the target (dotted). The runs that "
       f"reach it take between {min(v for v in ep.values() if v)} and {max(v for v in ep.values() if v)} "
       f"epochs; the fastest are {fastest['linear']}, {fastest['curve']} and {fastest['Iris']} respectively; "
       f"RMSProp stays above the target on the curve.",
       caption=r"Loss (for the linear model, $\mathcal{L} - \mathcal{L}^*$) against epoch for each optimiser "
       "at its best learning rate, until it reaches the target (RMSProp on the curve: its run with the lowest "
       "loss).")

# %% [markdown]
# ## Checks

# %% tags=["hide-input"]
# The library's optimisers against their rules written out, on the Iris network's real gradients.
check_net = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
p0 = {k: v.copy() for k, v in check_net.params.items()}
adam = bp.Adam()
check_net.fit(Xi_train, yi_train, epochs=3, lr=0.01, optimiser=adam)
ref = {k: v.copy() for k, v in p0.items()}
m_ = {k: np.zeros_like(v) for k, v in p0.items()}
r_ = {k: np.zeros_like(v) for k, v in p0.items()}
shadow = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
for t_i in range(1, 4):
    gr = shadow.gradients(Xi_train, yi_train)
    for k in ref:
        m_[k] = 0.9 * m_[k] + 0.1 * gr[k]
        r_[k] = 0.999 * r_[k] + 0.001 * gr[k] ** 2
        ref[k] = ref[k] - 0.01 * (m_[k] / (1 - 0.9**t_i)) / (np.sqrt(r_[k] / (1 - 0.999**t_i)) + 1e-8)
        shadow.params[k][...] = ref[k]
assert all(np.allclose(check_net.params[k], ref[k], rtol=1e-12, atol=1e-15) for k in ref)
grad_check = bp.check_gradients(check_net, Xi_train, yi_train)
assert grad_check.ok and grad_check.max_rel_error < 1e-7
md(f"""
Asserted while this page was built: the hand-written momentum loop equals the library's; SymPy's
matrix, characteristic polynomial, threshold, complex band and optimal $\\eta^*, \\mu^*$; the
measured factors of {len(excess) + sum(len(s[1]) for s in scan.values())} runs against the predicted
spectral radii (within 3 %); the threshold table; the bias-correction sum; the first steps of RMSProp
and Adam; Adam's indifference to the gradient's scale; the comparison's statements; three Adam steps
of the library against the formulas written out (to $10^{{-12}}$); and the gradients of the Iris
network against finite differences (largest relative error {num(grad_check.max_rel_error, 2, trim=True)}).
""")

# %% [markdown]
# ## Exercises
#
# **1.** With $\mu = 0.5$, what is the largest learning rate for which heavy-ball momentum converges on
# the linear model? Check it with `fit` just below and just above.

# %% tags=["hide-input"]
eta_c5 = 2 * 1.5 / lams[-1]
outcomes, factors = [], []
for frac in (0.99, 1.01):
    model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
    start_loss = model.loss(X, Y)
    with np.errstate(over="ignore", invalid="ignore"):
        model.fit(X, Y, epochs=500, lr=frac * eta_c5, optimiser=bp.Momentum(mu=0.5))
    outcomes.append((model.loss(X, Y) - L_star) / (start_loss - L_star))
    factors.append(rho_all(rho_heavy, frac * eta_c5, 0.5))
assert outcomes[0] < 1e-10 < 1e10 < outcomes[1] and factors[0] < 1 < factors[1], (outcomes, factors)
solution(f"""
$\\eta_c(0.5) = 2(1 + 0.5)/\\lambda_{{\\max}} = 3/{tex(lams[-1])} = {tex(eta_c5)}$. At $0.99\\,\\eta_c$ the
largest root modulus is {num(factors[0], 3, trim=True)} and 500 epochs multiply the excess loss
$\\mathcal L - \\mathcal L^*$ by {num(outcomes[0], 2, trim=True)}; at $1.01\\,\\eta_c$ a root has modulus
{num(factors[1], 3, trim=True)}, just above 1, and the excess loss grows by a factor {num(outcomes[1], 2, trim=True)}
in the
same 500 epochs.
""")

# %% [markdown]
# **2.** For how many steps does Adam's correction of $r$ change it by more than 1 %, that is,
# $1/(1 - \beta_2^t) > 1.01$, with $\beta_2 = 0.999$? And the correction of $m$ with $\beta_1 = 0.9$?

# %% tags=["hide-input"]
def steps_over(beta, excess_=0.01):
    return math.ceil(math.log(1 - 1 / (1 + excess_)) / math.log(beta)) - 1


n2, n1 = steps_over(0.999), steps_over(0.9)
assert 1 / (1 - 0.999**n2) > 1.01 >= 1 / (1 - 0.999 ** (n2 + 1))
assert 1 / (1 - 0.9**n1) > 1.01 >= 1 / (1 - 0.9 ** (n1 + 1))
solution(f"""
$1/(1 - \\beta^t) > 1.01$ while $\\beta^t > 1 - 1/1.01$, that is for $t < \\ln(1 - 1/1.01)/\\ln\\beta$:
the first {n2} steps for $\\beta_2 = 0.999$ and the first {n1} for $\\beta_1 = 0.9$. The correction of
$r$ matters for thousands of steps: without it (and with $m$ corrected) every step would be
$1/\\sqrt{{1 - \\beta_2^t}}$ times too large, {num(1 / math.sqrt(1 - 0.999**100), 2, trim=True)} times at step 100 and
still
{num(1 / math.sqrt(1 - 0.999**1000), 3, trim=True)} times at step 1000.
""")

# %% [markdown]
# **3.** Derive the characteristic polynomial of Nesterov's momentum on one eigendirection
# ($m' = \mu m + \lambda d$, $d' = d - \eta(\lambda d + \mu m')$) and its threshold. Is it larger or
# smaller than the heavy ball's?

# %% tags=["hide-input"]
v_n = mu_s * v_s + lam_s * e_s
e_n = e_s - eta_s * (lam_s * e_s + mu_s * v_n)
T_n = sp.Matrix([[sp.diff(e_n, e_s), sp.diff(e_n, v_s)], [sp.diff(v_n, e_s), sp.diff(v_n, v_s)]])
char_n = sp.expand(T_n.charpoly(x_s).as_expr())
assert sp.expand(char_n - (x_s**2 - (1 + mu_s) * (1 - eta_s * lam_s) * x_s + mu_s * (1 - eta_s * lam_s))) == 0
q_s = sp.Symbol("q", positive=True)
edge_n = sp.solve(sp.Eq(char_n.subs(x_s, -1).subs(eta_s, q_s / lam_s), 0), q_s)
assert len(edge_n) == 1 and sp.simplify(edge_n[0] - 2 * (1 + mu_s) / (1 + 2 * mu_s)) == 0
# measured, mu = 0.9: the excess loss shrinks below the threshold and grows above it
eta_cn = float(edge_n[0].subs(mu_s, 0.9)) / lams[-1]
res_n = []
for frac in (0.98, 1.02):
    model = bp.MLP([2, 1], output="identity", loss="mse", seed=0)
    start_loss = model.loss(X, Y)
    with np.errstate(over="ignore", invalid="ignore"):
        model.fit(X, Y, epochs=500, lr=frac * eta_cn, optimiser=bp.Momentum(mu=0.9, nesterov=True))
    res_n.append((model.loss(X, Y) - L_star) / (start_loss - L_star))
assert res_n[0] < 1e-10 < 1e10 < res_n[1], res_n
solution(f"""
SymPy gives $\\det(\\xi I - T) = {sp.latex(sp.collect(char_n, x_s))}$. The product of the roots,
$\\mu(1 - \\eta\\lambda)$, has modulus below 1 for $0 < \\eta\\lambda < 2$, so again a root leaves the unit
circle only through $\\pm 1$; at $\\xi = 1$ the polynomial is $\\eta\\lambda$, and it vanishes at $\\xi = -1$ for
$\\eta\\lambda = {sp.latex(edge_n[0])}$. The threshold $2(1 + \\mu)/\\bigl((1 + 2\\mu)\\lambda_{{\\max}}\\bigr)$ is
smaller than the heavy ball's $2(1+\\mu)/\\lambda_{{\\max}}$ by the factor $1 + 2\\mu$. For $\\mu = 0.9$ on the
linear model it is {num(eta_cn, trim=True)}: in 500 epochs the excess loss falls below $10^{{-10}}$ of its start
(to the rounding level of $\\mathcal L^*$) at 2 % below it and grows by a factor {num(res_n[1], 2, trim=True)} at 2 %
above.
""")
