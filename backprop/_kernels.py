"""Kernels that exist only for speed: the same formulas as the backward pass, written the way NumPy runs them fastest.

[network.py][backprop.MLP] writes the forward and backward passes as the equations of the
backpropagation chapter.  A few of those equations are computed here instead, each by a function
whose docstring gives the formula and whose comment says why it is written this way;
``tests/test_kernels.py`` checks each against the plain formula (hypothesis).  Each gain is measured
in ``benchmarks/ablations.py``.

The training loop ([fit][backprop.fit]) also passes a [Workspace][backprop._kernels.Workspace]: the
arrays of one step are then written into buffers kept from the previous step.  Everything else
(prediction, ``value_and_grad``, ``check_gradients``) passes none and gets fresh arrays, so an array
handed to a user is never overwritten later.

Examples
--------
>>> import numpy as np
>>> delta = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
>>> bias_gradient(delta)                       # 1_N^T delta: the column sums
array([ 9., 12.])
>>> work = Workspace()
>>> first = work.array("Z", 1, (3, 2), np.float64)
>>> bool(np.shares_memory(first, work.array("Z", 1, (3, 2), np.float64)))   # the next step: the same memory
True
"""

from __future__ import annotations

import functools

import numpy as np

Array = np.ndarray


class Workspace:
    """The arrays of a training step, kept for the next step.

    Why: NumPy gives a large array back to the operating system when it is freed, and the next
    step's array of the same size is faulted in again page by page (measured: 242 page faults a
    step for 784-256-128-10 at batch 1024 in float64, 2,720 for the 4096-wide network; none with
    kept buffers).  Only the training loop holds a workspace, and only for arrays that die within
    its step: forward-pass values, deltas and gradients.

    Parameters
    ----------
    gradients
        Keep the gradient arrays too (``"dW"``, ``"db"``).  ``fit`` says so only for the library's
        own optimisers, which never keep a gradient array in their state; a user's optimiser gets
        fresh gradients every step.

    Examples
    --------
    >>> work = Workspace()
    >>> a = work.array("Z", 1, (3, 2), np.float32)
    >>> b = work.array("Z", 1, (3, 2), np.float32)
    >>> bool(np.shares_memory(a, b)), a.shape, a.dtype
    (True, (3, 2), dtype('float32'))
    >>> last = work.array("Z", 1, (2, 2), np.float32)   # a smaller last batch: the first rows
    >>> last.shape, bool(np.shares_memory(a, last))
    ((2, 2), True)
    """

    def __init__(self, gradients: bool = True) -> None:
        self.gradients = gradients
        self._arrays: dict[tuple[str, int], Array] = {}
        self._ones: dict[np.dtype, Array] = {}

    def array(self, name: str, layer: int, shape: tuple[int, ...], dtype: np.dtype) -> Array:
        """An uninitialised array of ``shape`` and ``dtype``, the same memory each time for ``(name, layer)``.

        A request with fewer rows than the kept array gets its first rows (a contiguous view).
        """
        key = (name, layer)
        kept = self._arrays.get(key)
        if kept is None or kept.dtype != dtype or kept.shape[1:] != shape[1:] or kept.shape[0] < shape[0]:
            kept = self._arrays[key] = np.empty(shape, dtype)
        return kept if kept.shape[0] == shape[0] else kept[:shape[0]]

    def ones(self, n: int, dtype: np.dtype) -> Array:
        """1_N, the column of ones, as a vector of ``n`` entries (kept, like the arrays)."""
        kept = self._ones.get(dtype)
        if kept is None or len(kept) < n:
            kept = self._ones[dtype] = np.ones(n, dtype)
        return kept[:n]


SMALL_STEP_BYTES = 1 << 18
"""A step whose arrays add up to less than this (256 KiB) gets no workspace: small fresh arrays come from
NumPy's and the C library's caches without page faults, and looking up kept ones costs more than it saves
(a few microseconds a step, a tenth of a tiny network's step)."""


def workspace_for(sizes: list[int], rows: int, dtype: np.dtype, gradients: bool) -> Workspace | None:
    """A workspace for training steps of ``rows`` samples, or ``None`` if the step is small.

    Examples
    --------
    >>> workspace_for([1, 1, 1], 1, np.dtype(np.float64), True) is None
    True
    >>> workspace_for([784, 256, 128, 10], 128, np.dtype(np.float32), True) is None
    False
    """
    activations = 2 * rows * sum(sizes[1:])  # Z and A of every layer (deltas reuse their size)
    parameters = sum((m + 1) * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
    if (activations + parameters) * np.dtype(dtype).itemsize < SMALL_STEP_BYTES:
        return None
    return Workspace(gradients)


def _out(work: Workspace | None, name: str, layer: int, shape: tuple[int, ...], dtype: np.dtype) -> Array | None:
    return None if work is None else work.array(name, layer, shape, dtype)


def all_finite(a: Array) -> bool:
    """Whether every entry of ``a`` is finite (no inf, no NaN).

    Why: ``np.isfinite(a).all()`` makes a boolean array the size of ``a`` and reads it again; a sum
    reads ``a`` once and makes nothing (an inf or a NaN anywhere makes it inf or NaN).  Only when the
    sum is not finite (it may overflow on finite entries) are the entries tested one by one.

    Examples
    --------
    >>> all_finite(np.array([1.0, 2.0])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    >>> all_finite(np.array([3e38, 3e38], dtype=np.float32))   # the sum overflows; the entries are finite
    True
    """
    with np.errstate(over="ignore", invalid="ignore"):
        return bool(np.isfinite(a.sum())) or bool(np.isfinite(a).all())


def affine(A: Array, W: Array, b: Array, work: Workspace | None = None, layer: int = 0) -> Array:
    """Z = A W + 1_N b: the pre-activation of a layer (its bias added to every row).

    Why: with a workspace, the product is written into the kept array and the bias added in place
    (no fresh array for A W, none for the sum).

    Examples
    --------
    >>> affine(np.array([[1.0, 2.0]]), np.array([[1.0], [1.0]]), np.array([0.5]))
    array([[3.5]])
    """
    Z = np.matmul(A, W, out=_out(work, "Z", layer, (A.shape[0], W.shape[1]), W.dtype))
    Z += b
    return Z


def relu(Z: Array, work: Workspace | None = None, layer: int = 0) -> Array:
    """A = max(Z, 0); in a training step (with a workspace) written over Z itself.

    Why: after A⁽ˡ⁾ is known, a training step reads Z⁽ˡ⁾ of a ReLU layer only for ReLU's
    derivative [z > 0], and a > 0 exactly where z > 0: A can take Z's memory, one array fewer to
    write and to keep in cache (``benchmarks/ablations.py``, *relu into its own array*).  The
    forward pass then holds the same array as Z⁽ˡ⁾ and A⁽ˡ⁾.  Without a workspace (every pass a
    user can see) Z is left as it was.

    Examples
    --------
    >>> Z = np.array([[-1.0, 2.0]])
    >>> relu(Z), Z
    (array([[0., 2.]]), array([[-1.,  2.]]))
    >>> relu(Z, Workspace()) is Z, Z
    (True, array([[0., 2.]]))
    """
    return np.maximum(Z, 0, out=None if work is None else Z)


def bias_gradient(delta: Array, work: Workspace | None = None, layer: int = 0) -> Array:
    """∂𝓛/∂b = 1_Nᵀ δ: the sum of δ's rows.

    Why: written as the matrix-vector product it is, it runs in the BLAS (on every thread it has),
    about three times faster than ``delta.sum(axis=0)``, which NumPy runs on one thread.  The
    sums are the same up to rounding (the order of the additions differs).

    Examples
    --------
    >>> bias_gradient(np.array([[1.0, -2.0], [0.5, 4.0]]))
    array([1.5, 2. ])
    """
    n = delta.shape[0]
    ones = _ones(n, delta.dtype) if work is None else work.ones(n, delta.dtype)
    out = None if work is None or not work.gradients else work.array("db", layer, delta.shape[1:], delta.dtype)
    return np.matmul(ones, delta, out=out)


@functools.lru_cache(maxsize=16)
def _ones(n: int, dtype: np.dtype) -> Array:
    """1_N for a step without a workspace, made once per (N, dtype) and read-only (a tiny network's step
    spent a tenth of its time making it anew)."""
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones


def weight_gradient(A: Array, delta: Array, work: Workspace | None = None, layer: int = 0) -> Array:
    """∂𝓛/∂W = Aᵀ δ (A: the layer's input), into a kept array with a workspace.

    Examples
    --------
    >>> weight_gradient(np.array([[1.0], [2.0]]), np.array([[1.0, 0.0], [1.0, 1.0]]))
    array([[3., 2.]])
    """
    shape = (A.shape[1], delta.shape[1])
    out = None if work is None or not work.gradients else work.array("dW", layer, shape, delta.dtype)
    return np.matmul(A.T, delta, out=out)


def input_gradient(delta: Array, W: Array, work: Workspace | None = None, layer: int = 0) -> Array:
    """∂𝓛/∂A = δ Wᵀ: the gradient that flows back to the layer's input, into a kept array with a workspace.

    Examples
    --------
    >>> input_gradient(np.array([[1.0, 2.0]]), np.array([[1.0, 1.0], [0.0, 3.0]]))
    array([[3., 6.]])
    """
    return np.matmul(delta, W.T, out=_out(work, "dA", layer, (delta.shape[0], W.shape[0]), delta.dtype))


def output_delta(Yhat: Array, Y: Array, work: Workspace | None = None, layer: int = 0) -> Array:
    """δ⁽ᴸ⁾ = (Ŷ − Y)/N for an output fused with its loss (softmax + cross-entropy, sigmoid + BCE).

    Why: one array, subtracted into and scaled in place (with a workspace, last step's).

    Examples
    --------
    >>> output_delta(np.array([[0.75], [0.5]]), np.array([[1.0], [0.0]]))
    array([[-0.125],
           [ 0.25 ]])
    """
    delta = np.subtract(Yhat, Y, out=_out(work, "delta", layer, Yhat.shape, Yhat.dtype))
    delta /= len(Y)
    return delta
