"""Initial weights: the schemes, and how ``MLP(..., init=...)`` chooses one.

Each scheme draws a weight matrix ``W`` of shape ``(n_in, n_out)`` (the book's
W⁽ˡ⁾, with n_{l−1} inputs and n_l units) from a random generator.
Biases always start at zero.  The choice is made on the network,
``MLP(..., init=...)``, and [get_initialisation][backprop.get_initialisation]
reads it:

| ``init=`` | each layer's W⁽ˡ⁾ is drawn from |
|---|---|
| ``None`` (default) | the scheme its activation asks for (``Activation.init``): He before ReLU, else Glorot |
| ``"he"`` | N(0, 2/n_{l−1}): [he_normal][backprop.he_normal] |
| ``"glorot"`` | U(−r, r) with r = √(6/(n_{l−1} + n_l)): [glorot_uniform][backprop.glorot_uniform] |
| a number s > 0 | N(0, s²) whatever the layer's size, e.g. 0.001: [gaussian][backprop.gaussian] |
| a function | ``init(n_in, n_out, rng)``, which returns W of shape (n_in, n_out) |

Examples
--------
>>> import numpy as np
>>> W = INITIALISATIONS["he"](4, 3, np.random.default_rng(0))
>>> W.shape
(4, 3)
>>> W = get_initialisation(0.001)(500, 400, np.random.default_rng(0))
>>> print(f"{W.std():.5f}")
0.00100
"""

from __future__ import annotations

import math
import numbers
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


def gaussian(std: float) -> Initialisation:
    """The scheme that draws every weight from a normal distribution of mean 0 and standard deviation ``std``.

    Unlike He and Glorot, the scale does not depend on the layer's size; one of
    the book's sources uses ``std = 0.001``.  ``MLP(..., init=0.001)`` is
    short for ``MLP(..., init=gaussian(0.001))``.

    Parameters
    ----------
    std
        The standard deviation, a positive finite number.

    Returns
    -------
    Callable
        A scheme ``(n_in, n_out, rng) -> W``.

    Examples
    --------
    >>> W = gaussian(0.5)(300, 200, np.random.default_rng(0))
    >>> W.shape, bool(abs(W.std() / 0.5 - 1) < 0.01)
    ((300, 200), True)
    """
    if not isinstance(std, numbers.Real) or isinstance(std, (bool, np.bool_)):
        raise TypeError(f"the standard deviation of a Gaussian initialisation must be a number, got {std!r}")
    if not (math.isfinite(std) and std > 0):
        raise ValueError(f"the standard deviation of a Gaussian initialisation must be positive and finite, "
                         f"got {std!r}")
    scale = float(std)

    def draw(n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
        return rng.normal(0.0, scale, size=(n_in, n_out))

    draw.__name__ = draw.__qualname__ = f"gaussian({scale!r})"
    return draw


INITIALISATIONS: dict[str, Initialisation] = {"glorot": glorot_uniform, "he": he_normal}
"""Name -> initialisation scheme (the names ``init=`` and an activation's ``init`` may take)."""


def get_initialisation(spec: str | float | Initialisation) -> Initialisation:
    """The scheme for a value of ``init``: a name, a standard deviation, or a function itself.

    Parameters
    ----------
    spec
        ``"he"`` or ``"glorot"`` (a name of [INITIALISATIONS][backprop.INITIALISATIONS]),
        a positive number (a Gaussian of that standard deviation, see
        [gaussian][backprop.gaussian]) or a function ``(n_in, n_out, rng) -> W``.

    Returns
    -------
    Callable
        The scheme.

    Raises
    ------
    ValueError
        For an unknown name or a standard deviation that is not positive and finite.
    TypeError
        For anything else (``True``, a list, ...).

    Examples
    --------
    >>> get_initialisation("he") is he_normal
    True
    >>> get_initialisation("lecun")
    Traceback (most recent call last):
    ...
    ValueError: unknown init 'lecun'; use a name (glorot, he), a standard deviation such as 0.001, or a ...
    """
    if isinstance(spec, str):
        if spec not in INITIALISATIONS:
            raise ValueError(f"unknown init {spec!r}; use a name ({', '.join(INITIALISATIONS)}), a standard "
                             f"deviation such as 0.001, or a function (n_in, n_out, rng) -> W")
        return INITIALISATIONS[spec]
    if isinstance(spec, numbers.Real) and not isinstance(spec, (bool, np.bool_)):
        try:
            return gaussian(spec)
        except ValueError as err:
            raise ValueError(f"init={spec!r}: {err}") from None
    if callable(spec):
        return spec
    raise TypeError(f"init must be a name ({', '.join(INITIALISATIONS)}), a standard deviation (a positive "
                    f"number) or a function (n_in, n_out, rng) -> W, not {spec!r}")
