"""Batch normalisation of a hidden layer: forward pass, backward pass, running statistics.

A layer with batch normalisation (``MLP(..., batch_norm=True)``) has no bias;
its pre-activation is, for a batch U⁽ˡ⁾ = A⁽ˡ⁻¹⁾ W⁽ˡ⁾ of N rows,

    ū = (1/N) 1_Nᵀ U             (the mean of each unit over the batch, a row)
    s = √((1/N) 1_Nᵀ (U − 1_N ū)² + ϵ)    (its standard deviation, a row)
    Û = (U − 1_N ū) / s          (each column: mean 0, variance 1 − ϵ/s²)
    Z = Û ⊙ 1_N γ + 1_N β        (γ and β: learned rows; f is applied to Z)

(entrywise squares, roots and quotients, rows broadcast down the batch).
In training ū and s are the batch's own, and they depend on every sample, so
the backward pass carries the gradient through them too: with G = ∂𝓛/∂Z,

    ∂𝓛/∂γ = 1_Nᵀ (G ⊙ Û)     ∂𝓛/∂β = 1_Nᵀ G
    ∂𝓛/∂U = (1/s) ⊙ (G ⊙ γ − (1/N) 1_N 1_Nᵀ (G ⊙ γ) − Û ⊙ (1/N) 1_N 1_Nᵀ (G ⊙ γ ⊙ Û))

(derived entry by entry with SymPy and proved equal to this form in
``backprop.symbolic.normalisation``).  For prediction ū and s² are replaced
by running averages over the training batches, so a sample's output no
longer depends on the rest of its batch; then ∂𝓛/∂U = G ⊙ γ / s.

Examples
--------
>>> import numpy as np
>>> U = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0]])
>>> Z, bn = batch_norm(U, np.ones(2), np.zeros(2))
>>> np.round(Z.mean(axis=0), 12), np.round(Z.var(axis=0), 4)
(array([0., 0.]), array([1., 1.]))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray

BATCH_NORM_EPSILON = 1e-5
"""ϵ, added to the variance before the square root (as in PyTorch), so a unit that is constant over a batch
gives Û = 0 instead of 0/0."""

BATCH_NORM_MOMENTUM = 0.1
"""The weight of the newest batch in the running averages: running ← (1 − 0.1) running + 0.1 batch value."""


@dataclass
class BatchNormPass:
    """What the backward pass of one batch-normalised layer needs from its forward pass.

    Attributes
    ----------
    u_hat : ndarray
        Û, the normalised pre-activation, shape (N, n_l).
    std : ndarray
        s = √(variance + ϵ), one entry per unit.
    mean : ndarray
        ū, the mean used (the batch's in training, the running one otherwise).
    var : ndarray
        The variance used (divided by N, the batch's in training; the running one otherwise).
    train : bool
        True if ū and s are the batch's own (the backward pass then goes through them).
    """

    u_hat: Array
    std: Array
    mean: Array
    var: Array
    train: bool


def batch_norm(U: Array, gamma: Array, beta: Array, running_mean: Array | None = None,
               running_var: Array | None = None, eps: float = BATCH_NORM_EPSILON) -> tuple[Array, BatchNormPass]:
    """Normalise each column of U and scale and shift it: Z = Û ⊙ γ + β.

    Parameters
    ----------
    U
        The layer's A⁽ˡ⁻¹⁾ W⁽ˡ⁾, shape (N, n_l).
    gamma, beta
        γ and β, shape (n_l,).
    running_mean, running_var
        ``None`` in training (the batch's own mean and variance are used; N must
        be at least 2); for prediction, the running averages.
    eps
        ϵ.

    Returns
    -------
    tuple
        Z, and the [BatchNormPass][backprop.BatchNormPass] for the backward pass.

    Examples
    --------
    >>> import numpy as np
    >>> Z, bn = batch_norm(np.array([[0.0], [2.0]]), np.array([3.0]), np.array([1.0]), eps=0.0)
    >>> Z[:, 0], bn.mean, bn.std
    (array([-2.,  4.]), array([1.]), array([1.]))
    """
    train = running_mean is None
    if train:
        if len(U) < 2:
            raise ValueError(f"batch normalisation in training needs at least 2 samples per batch (the variance of "
                             f"one sample is 0), got {len(U)}")
        mean = U.mean(axis=0)
        centred = U - mean
        var = (centred * centred).mean(axis=0)
    else:
        mean, var = running_mean, running_var
        centred = U - mean
    std = np.sqrt(var + eps)
    u_hat = centred / std
    return u_hat * gamma + beta, BatchNormPass(u_hat, std, mean, var, train)


def batch_norm_backward(bn: BatchNormPass, gamma: Array, G: Array) -> tuple[Array, Array, Array]:
    """∂𝓛/∂γ, ∂𝓛/∂β and ∂𝓛/∂U from G = ∂𝓛/∂Z (the formulas in the module's description).

    Parameters
    ----------
    bn
        The forward pass of the layer.
    gamma
        γ.
    G
        ∂𝓛/∂Z, shape (N, n_l).

    Returns
    -------
    tuple
        ∂𝓛/∂γ and ∂𝓛/∂β (shape (n_l,)) and ∂𝓛/∂U (shape (N, n_l)).

    Examples
    --------
    A gradient that is the same for every sample changes nothing after
    normalisation (Û has mean 0 in each column), so it does not reach U:

    >>> import numpy as np
    >>> U = np.array([[1.0, 4.0], [2.0, 0.0], [6.0, 5.0]])
    >>> Z, bn = batch_norm(U, np.array([2.0, 0.5]), np.zeros(2))
    >>> d_gamma, d_beta, d_U = batch_norm_backward(bn, np.array([2.0, 0.5]), np.ones((3, 2)))
    >>> d_beta, bool(np.allclose(d_gamma, 0)), bool(np.allclose(d_U, 0))
    (array([3., 3.]), True, True)
    """
    d_gamma = (G * bn.u_hat).sum(axis=0)
    d_beta = G.sum(axis=0)
    d_u_hat = G * gamma
    if not bn.train:
        return d_gamma, d_beta, d_u_hat / bn.std
    d_U = d_u_hat - d_u_hat.mean(axis=0) - bn.u_hat * (d_u_hat * bn.u_hat).mean(axis=0)
    d_U /= bn.std
    return d_gamma, d_beta, d_U


def running_averages(running_mean: Array, running_var: Array, bn: BatchNormPass, n: int,
                     momentum: float = BATCH_NORM_MOMENTUM) -> tuple[Array, Array]:
    """The running mean and variance after one training batch of ``n`` samples (new arrays).

    The batch's variance enters unbiased, times n/(n − 1), as in PyTorch: the
    running variance estimates the variance of the whole data set.

    Parameters
    ----------
    running_mean, running_var
        The averages so far.
    bn
        The batch's forward pass (in training).
    n
        N, the number of samples of the batch.
    momentum
        The weight of this batch.

    Returns
    -------
    tuple
        The new running mean and variance.

    Examples
    --------
    >>> import numpy as np
    >>> _, bn = batch_norm(np.array([[0.0], [2.0]]), np.ones(1), np.zeros(1))
    >>> running_averages(np.zeros(1), np.ones(1), bn, 2, momentum=0.5)
    (array([0.5]), array([1.5]))
    """
    mean = (1.0 - momentum) * running_mean + momentum * bn.mean
    var = (1.0 - momentum) * running_var + (momentum * n / (n - 1)) * bn.var
    return mean, var
