# %% [markdown]
# # About this book
#
# Every page of this book is a program. The build runs it, puts its results in the text, and
# stops if one of its checks fails. This page shows the pieces a chapter is made of; the
# [home page](index.md) says what the book covers.

# %% tags=["hide-input"]
import math

import numpy as np
import sympy as sp
from IPython.display import display

from backprop.book import figure, md, md_table

# %% [markdown]
# ## Numbers in the text are computed
#
# The sigmoid $\sigma(z) = 1/(1 + e^{-z})$ has the derivative
#
# $$
# \sigma'(z) = \sigma(z)\,\bigl(1 - \sigma(z)\bigr),
# $$
#
# which is largest at $z = 0$. The sentence below comes from a hidden cell.

# %% tags=["hide-input"]
z = np.linspace(-6.0, 6.0, 1201)
s = 1.0 / (1.0 + np.exp(-z))
ds = s * (1.0 - s)
i_max = int(np.argmax(ds))
md(f"""
On a grid of {z.size} points from ${z[0]:g}$ to ${z[-1]:g}$ the derivative peaks at
$z = {z[i_max]:.3g}$ with value ${ds[i_max]:.4f}$, that is $1/4$.
""")

# %% [markdown]
# ## Formulas come from SymPy
#
# SymPy differentiates the definition; the result is shown as it computes it.

# %% tags=["hide-input"]
zs = sp.symbols("z", real=True)
sigma = 1 / (1 + sp.exp(-zs))
dsigma = sp.diff(sigma, zs)
display(dsigma)

# %% [markdown]
# A code cell is shown when the code teaches something:

# %%
difference = sp.simplify((dsigma - sigma * (1 - sigma)).rewrite(sp.exp))
display(difference)

# %% [markdown]
# ## Tables of computed values

# %% tags=["hide-input"]
points = [-2.0, 0.0, 2.0]
md_table(
    ["$z$", r"$\sigma(z)$", r"$\sigma'(z)$"],
    [[zz, 1 / (1 + math.exp(-zz)), math.exp(-zz) / (1 + math.exp(-zz)) ** 2] for zz in points],
    fmt="{:.4f}",
)

# %% [markdown]
# ## Figures work in both themes


# %% tags=["hide-input"]
def draw_sigmoid(fig):
    ax = fig.subplots()
    ax.plot(z, s, label=r"$\sigma(z)$")
    ax.plot(z, ds, label=r"$\sigma'(z)$", linestyle="--")
    ax.set_xlabel("$z$")
    ax.legend()


figure(
    draw_sigmoid,
    alt="The sigmoid rises from 0 to 1 around z = 0; its derivative is a bump of height "
    f"{ds[i_max]:.2f} centred at z = {z[i_max]:.3g}.",
    caption="The sigmoid and its derivative.",
)

# %% [markdown]
# ## Checks fail the build
#
# The page ends with the checks its text relies on. If one fails, `mkdocs build` fails.

# %% tags=["hide-input"]
d_at_0 = float(dsigma.subs(zs, 0))
checks = [(difference == 0, difference), (abs(ds[i_max] - 0.25) < 1e-12, ds[i_max]),
          (math.isclose(d_at_0, 0.25), d_at_0)]
for passed, value in checks:
    assert passed, value
md(f"All {len(checks)} checks passed: SymPy's $\\sigma'(0) = {d_at_0:g}$ agrees with the grid.")

# %% [markdown]
# ## Exercises with checked solutions
#
# **Exercise.** At which $z$ is $\sigma'(z)$ largest, and what is its value there?

# %% tags=["hide-input"]
from backprop.book import solution  # noqa: E402

z_star = sp.solve(sp.diff(dsigma, zs), zs)
assert z_star == [0], z_star
peak = dsigma.subs(zs, 0)
assert peak == sp.Rational(1, 4), peak
solution(f"""
Set the second derivative to zero: SymPy finds $z = {sp.latex(z_star[0])}$, where
$\\sigma'(0) = {sp.latex(peak)}$. A change in a weight feeding a sigmoid unit is therefore
damped by at least a factor of ${sp.latex(1 / peak)}$.
""")
