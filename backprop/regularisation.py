"""Regularisation in the training loss: the L2 penalty (weight decay) and inverted dropout.

Both act only in training (``train=True``, which [fit][backprop.MLP.fit] uses):

* **L2 penalty** (``MLP(..., l2=α)``): the training loss is
  𝓛 + (α/2) Σ_l Σ_jk (w⁽ˡ⁾_jk)², so each weight's gradient gains α w⁽ˡ⁾_jk and a
  gradient-descent step shrinks the weights by the factor (1 − ηα) before the
  data's gradient moves them.  Biases (and batch normalisation's γ, β) are
  not penalised.
* **Dropout** (``MLP(..., dropout=rate)``): each hidden unit's activation is
  multiplied by a mask entry, 0 with probability ``rate`` and 1/q otherwise,
  q = 1 − rate the probability of keeping it.  The 1/q ("inverted" dropout)
  keeps the expected activation what it is without dropout, so prediction
  uses the network as it is, with no mask and no rescaling.  The backward pass
  multiplies the gradient by the same mask.

Examples
--------
>>> import numpy as np
>>> M = dropout_mask((4, 5), 0.5, np.random.default_rng(0), np.float64)
>>> sorted(set(M.ravel().tolist()))
[0.0, 2.0]
>>> l2_penalty([np.array([[3.0, 4.0]])], 0.1)       # 0.1/2 * (9 + 16)
1.25
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

Array = np.ndarray


def dropout_mask(shape: tuple[int, ...], rate: float, rng: np.random.Generator, dtype: type | np.dtype) -> Array:
    """An inverted-dropout mask: entries 0 with probability ``rate``, else 1/(1 − rate).

    Parameters
    ----------
    shape
        (N, n_l), the shape of the layer's activations.
    rate
        The probability of dropping a unit, in [0, 1).
    rng
        The generator the mask is drawn from (one uniform number per entry).
    dtype
        The network's dtype.

    Returns
    -------
    ndarray
        The mask.

    Examples
    --------
    >>> import numpy as np
    >>> M = dropout_mask((100_000, 1), 0.2, np.random.default_rng(1), np.float64)
    >>> bool(abs(M.mean() - 1) < 0.01), bool(abs((M == 0).mean() - 0.2) < 0.01)
    (True, True)
    """
    keep = rng.random(shape) >= rate
    return keep * np.asarray(1.0 / (1.0 - rate), dtype=dtype)


def l2_penalty(weights: Iterable[Array], alpha: float) -> float:
    """(α/2) Σ w² over every entry of every array in ``weights``.

    Parameters
    ----------
    weights
        The weight matrices W⁽¹⁾, …, W⁽ᴸ⁾.
    alpha
        α.

    Returns
    -------
    float
        The penalty.

    Examples
    --------
    >>> import numpy as np
    >>> l2_penalty([np.ones((2, 3)), np.ones((3, 1))], 0.5)
    2.25
    """
    return float(0.5 * alpha * sum(float(np.vdot(W, W)) for W in weights))
