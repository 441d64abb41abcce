"""Batch normalisation of a hidden layer: forward pass, backward pass, running statistics.

A layer with batch normalisation (``MLP(..., batch_norm=True)``) has no bias.
For a batch of N rows, its linear part Z̃⁽ˡ⁾ = A⁽ˡ⁻¹⁾ W⁽ˡ⁾ is normalised unit
by unit (column by column) and then scaled and shifted (superscripts (l)
dropped):

    z̄ = (1/N) 1_Nᵀ Z̃                          the mean of each unit over the batch, a row
    s = √((1/N) 1_Nᵀ (Z̃ − 1_N z̄)² + ϵ)          its standard deviation, a row
    Ẑ = (Z̃ − 1_N z̄) diag(s)⁻¹                  each column: mean 0, variance 1 − ϵ/s²
    Z = Ẑ diag(γ) + 1_N β                       γ, β: learned rows;  A = f(Z)

(the square is taken entry by entry).  So δ⁽ˡ⁾ = ∂𝓛/∂Z⁽ˡ⁾ keeps its meaning.
In training z̄ and s are the batch's own, and they depend on every sample, so
the backward pass carries the gradient through them too: with
∂𝓛/∂Ẑ = δ diag(γ),

    ∂𝓛/∂γ = 1_Nᵀ (δ ⊙ Ẑ)      ∂𝓛/∂β = 1_Nᵀ δ
    ∂𝓛/∂Z̃ = (∂𝓛/∂Ẑ − (1/N) 1_N 1_Nᵀ ∂𝓛/∂Ẑ − Ẑ ⊙ (1/N) 1_N 1_Nᵀ (∂𝓛/∂Ẑ ⊙ Ẑ)) diag(s)⁻¹

(derived entry by entry with SymPy and proved equal to this form in
``backprop.symbolic.training``).  For prediction z̄ and s² − ϵ are replaced
by running averages over the training batches, so a sample's output no
longer depends on the rest of its batch; then ∂𝓛/∂Z̃ = ∂𝓛/∂Ẑ diag(s)⁻¹.

Examples
--------
>>> import numpy as np
>>> Z_tilde = np.array([[1.0, 10.0], [2.0, 30.0], [3.0, 20.0]])
>>> Z, bn = batch_norm(Z_tilde, np.ones(2), np.zeros(2))
>>> np.round(Z.mean(axis=0), 12), np.round(Z.var(axis=0), 4)
(array([0., 0.]), array([1., 1.]))
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray

BATCH_NORM_EPSILON = 1e-5
"""ϵ, added to the variance before the square root (as in PyTorch), so a unit that is constant over a batch
gives Ẑ = 0 instead of 0/0."""

BATCH_NORM_MOMENTUM = 0.1
"""The weight of the newest batch in the running averages: running ← (1 − 0.1) running + 0.1 batch value."""


@dataclass
class BatchNormPass:
    """What the backward pass of one batch-normalised layer needs from its forward pass.

    Attributes
    ----------
    z_hat : ndarray
        Ẑ, the normalised linear part, shape (N, n_l).
    std : ndarray
        s = √(variance + ϵ), one entry per unit.
    mean : ndarray
        z̄, the mean used (the batch's in training, the running one otherwise).
    var : ndarray
        The variance used (divided by N, the batch's in training; the running one otherwise).
    train : bool
        True if z̄ and s are the batch's own (the backward pass then goes through them).
    """

    z_hat: Array
    std: Array
    mean: Array
    var: Array
    train: bool


def batch_norm(Z_tilde: Array, gamma: Array, beta: Array, running_mean: Array | None = None,
               running_var: Array | None = None, eps: float = BATCH_NORM_EPSILON) -> tuple[Array, BatchNormPass]:
    """Normalise each column of Z̃ and scale and shift it: Z = Ẑ diag(γ) + 1_N β.

    Parameters
    ----------
    Z_tilde
        Z̃, the layer's A⁽ˡ⁻¹⁾ W⁽ˡ⁾, shape (N, n_l).
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
        if len(Z_tilde) < 2:
            raise ValueError(f"batch normalisation in training needs at least 2 samples per batch (the variance of "
                             f"one sample is 0), got {len(Z_tilde)}")
        mean = Z_tilde.mean(axis=0)
        centred = Z_tilde - mean
        var = (centred * centred).mean(axis=0)
    else:
        mean, var = running_mean, running_var
        centred = Z_tilde - mean
    std = np.sqrt(var + eps)
    z_hat = centred / std
    return z_hat * gamma + beta, BatchNormPass(z_hat, std, mean, var, train)


def batch_norm_backward(bn: BatchNormPass, gamma: Array, delta: Array) -> tuple[Array, Array, Array]:
    """∂𝓛/∂γ, ∂𝓛/∂β and ∂𝓛/∂Z̃ from δ = ∂𝓛/∂Z (the formulas in the module's description).

    Parameters
    ----------
    bn
        The forward pass of the layer.
    gamma
        γ.
    delta
        δ⁽ˡ⁾ = ∂𝓛/∂Z, shape (N, n_l).

    Returns
    -------
    tuple
        ∂𝓛/∂γ and ∂𝓛/∂β (shape (n_l,)) and ∂𝓛/∂Z̃ (shape (N, n_l)).

    Examples
    --------
    A gradient that is the same for every sample changes nothing after
    normalisation (Ẑ has mean 0 in each column), so it does not reach Z̃:

    >>> import numpy as np
    >>> Z_tilde = np.array([[1.0, 4.0], [2.0, 0.0], [6.0, 5.0]])
    >>> Z, bn = batch_norm(Z_tilde, np.array([2.0, 0.5]), np.zeros(2))
    >>> d_gamma, d_beta, d_Z_tilde = batch_norm_backward(bn, np.array([2.0, 0.5]), np.ones((3, 2)))
    >>> d_beta, bool(np.allclose(d_gamma, 0)), bool(np.allclose(d_Z_tilde, 0))
    (array([3., 3.]), True, True)
    """
    d_gamma = (delta * bn.z_hat).sum(axis=0)
    d_beta = delta.sum(axis=0)
    d_z_hat = delta * gamma
    if not bn.train:
        return d_gamma, d_beta, d_z_hat / bn.std
    d_Z_tilde = d_z_hat - d_z_hat.mean(axis=0) - bn.z_hat * (d_z_hat * bn.z_hat).mean(axis=0)
    d_Z_tilde /= bn.std
    return d_gamma, d_beta, d_Z_tilde


def running_averages(running_mean: Array, running_var: Array, bn: BatchNormPass, n: int,
                     momentum: float = BATCH_NORM_MOMENTUM) -> tuple[Array, Array]:
    """The running mean and variance after one training batch of ``n`` samples (new arrays).

    The batch's variance enters unbiased, times n/(n − 1), as in PyTorch: the
    running variance estimates the variance of Z̃ over the whole data set.

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
