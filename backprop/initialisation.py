"""Initial weights: the schemes an activation can ask for, by name.

Each scheme draws a weight matrix ``W`` of shape ``(n_in, n_out)`` (the book's
W⁽ˡ⁾, with n_{l−1} inputs and n_l units) from a random generator.
Biases always start at zero.  An [Activation][backprop.Activation] names the
scheme it wants in its ``init`` field: ``"he"`` for ReLU (and other units that
are zero on half the line), ``"glorot"`` for the others.

Examples
--------
>>> import numpy as np
>>> W = INITIALISATIONS["he"](4, 3, np.random.default_rng(0))
>>> W.shape
(4, 3)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def glorot_uniform(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot (Xavier) uniform: entries drawn from U(−r, r) with r = √(6 / (n_in + n_out)).

    Their variance r²/3 = 2 / (n_in + n_out) keeps the variance of z and of δ
    about the same from layer to layer for units that are linear near 0
    (tanh, sigmoid, identity).

    Examples
    --------
    >>> W = glorot_uniform(300, 100, np.random.default_rng(0))
    >>> bool(abs(W.var() / (2 / 400) - 1) < 0.05)
    True
    """
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def he_normal(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """He (Kaiming) normal: entries drawn from a normal distribution of mean 0 and variance 2 / n_in.

    The factor 2 makes up for ReLU zeroing half of its inputs, so the variance
    of z stays about the same through a stack of ReLU layers.

    Examples
    --------
    >>> W = he_normal(400, 100, np.random.default_rng(0))
    >>> bool(abs(W.var() / (2 / 400) - 1) < 0.05)
    True
    """
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


Initialisation = Callable[[int, int, np.random.Generator], np.ndarray]
"""A scheme: ``(n_in, n_out, rng) -> W`` of shape ``(n_in, n_out)``."""

INITIALISATIONS: dict[str, Initialisation] = {"glorot": glorot_uniform, "he": he_normal}
"""Name -> initialisation scheme (the names an activation's ``init`` may take)."""
