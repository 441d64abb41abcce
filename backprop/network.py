"""The multilayer perceptron: parameters, forward pass, backward pass, and the one step that trains it.

Samples are rows, as in the book's notation.  Layer
l = 1, …, L has the weights ``W{l}`` = W⁽ˡ⁾ of shape (n_{l−1}, n_l) and the
biases ``b{l}`` = b⁽ˡ⁾ of shape (n_l,); for a batch X of N samples

    Z⁽ˡ⁾ = A⁽ˡ⁻¹⁾ W⁽ˡ⁾ + 1_N b⁽ˡ⁾      A⁽ˡ⁾ = f_l(Z⁽ˡ⁾)      A⁽⁰⁾ = X,  Ŷ = A⁽ᴸ⁾

and backpropagation runs the delta recursion, δ⁽ˡ⁾ = ∂𝓛/∂Z⁽ˡ⁾:

    δ⁽ᴸ⁾ = ∂𝓛/∂Ŷ ⊙ f_L′(Z⁽ᴸ⁾)            (sigmoid + BCE, softmax + cross-entropy: (Ŷ − Y)/N)
    δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾ᵀ) ⊙ f_l′(Z⁽ˡ⁾)
    ∂𝓛/∂W⁽ˡ⁾ = A⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾              ∂𝓛/∂b⁽ˡ⁾ = 1_Nᵀ δ⁽ˡ⁾

(an activation that is not elementwise, softmax, replaces ``⊙ f′`` by its
vector-Jacobian product).  [MLP.value_and_grad][backprop.MLP.value_and_grad]
does one forward and one backward pass; [fit][backprop.fit],
[check_gradients][backprop.check_gradients] and the benchmarks all use it.

Three options change the training pass (``train=True``, as ``fit`` runs it)
and leave prediction as it is: dropout multiplies a hidden layer's A⁽ˡ⁾ by a
random mask, and δ⁽ˡ⁾'s recursion by the same mask
([backprop.regularisation][backprop.dropout_mask]); batch normalisation
replaces a hidden layer's A⁽ˡ⁻¹⁾ W⁽ˡ⁾ + 1_N b⁽ˡ⁾ by its normalised form
([backprop.normalisation][backprop.batch_norm]); ``l2`` adds the penalty
(α/2) Σ ‖W⁽ˡ⁾‖² to the loss and α W⁽ˡ⁾ to each weight gradient.

Examples
--------
>>> import numpy as np
>>> import backprop as bp
>>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
>>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]),
...                   W2=np.array([[0.3]]), b2=np.array([0.2]))
>>> X, Y = np.array([[0.5]]), np.array([[0.6]])
>>> print(f"{net.predict(X)[0, 0]:.4f}  {net.loss(X, Y):.5f}")
0.3723  0.02592
>>> loss, grads = net.value_and_grad(X, Y)
>>> {k: round(float(g.flat[0]), 5) for k, g in grads.items()}
{'W1': -0.00835, 'b1': -0.0167, 'W2': -0.13078, 'b2': -0.22767}
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np

from ._kernels import Workspace, affine, all_finite, bias_gradient, input_gradient, output_delta, relu, weight_gradient
from .activations import ACTIVATIONS, Activation, get_activation
from .initialisation import INITIALISATIONS, Initialisation, get_initialisation
from .losses import Loss, get_loss, one_hot
from .normalisation import BatchNormPass, batch_norm, batch_norm_backward, running_averages
from .optimisers import Optimiser
from .regularisation import dropout_mask, l2_penalty
from .training import History
from .training import fit as _fit

Array = np.ndarray
_RELU = ACTIVATIONS["relu"]  # the library's own record: its function may be written into a kept array


@dataclass
class ForwardPass:
    """Every pre-activation and activation of one forward pass (and the loss, when targets were given).

    Attributes
    ----------
    z : list of ndarray or None
        ``z[l]`` = Z⁽ˡ⁾, shape (N, n_l), for l = 1, …, L: the input of f_l;
        ``z[0]`` is ``None``.
    a : list of ndarray
        ``a[l]`` = A⁽ˡ⁾ = f_l(Z⁽ˡ⁾), times the dropout mask if there is one
        (what layer l + 1 receives); ``a[0]`` is the input X.
    loss : float or None
        The loss 𝓛 of the batch, if the pass was given targets Y, else ``None``.
        In training it includes the L2 penalty (``penalty``).
    train : bool
        True for the training pass: dropout masks, batch statistics, L2 penalty.
    masks : list of ndarray or None
        ``masks[l]``: the dropout mask of hidden layer l (entries 0 or 1/q), or
        ``None`` (no dropout there, or not training).
    unmasked : list of ndarray or None
        ``unmasked[l]`` = f_l(Z⁽ˡ⁾) before the mask, where there is a mask.
    norms : list of BatchNormPass or None
        ``norms[l]``: the batch normalisation of layer l (Ẑ, the mean and
        standard deviation used), or ``None``.
    penalty : float
        The L2 penalty (α/2) Σ ‖W⁽ˡ⁾‖² included in ``loss`` (0 unless training with ``l2``).
    work : Workspace or None
        The training loop's kept arrays (``fit`` only), into which this pass and its backward
        pass write; ``None`` for every pass a user asks for (fresh arrays).
    """

    z: list[Array | None]
    a: list[Array]
    loss: float | None = None
    train: bool = False
    masks: list[Array | None] = field(default_factory=list)
    unmasked: list[Array | None] = field(default_factory=list)
    norms: list[BatchNormPass | None] = field(default_factory=list)
    penalty: float = 0.0
    work: Workspace | None = field(default=None, repr=False)

    @property
    def output(self) -> Array:
        """Ŷ = A⁽ᴸ⁾, the network's prediction (``a[-1]``)."""
        return self.a[-1]


def _is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_))


def _check_sizes(sizes: object) -> list[int]:
    if isinstance(sizes, np.ndarray) and sizes.ndim == 1:
        sizes = sizes.tolist()
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer sizes like [3, 2, 1], not {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output size, got {list(sizes)}")
    for i, s in enumerate(sizes):
        if not _is_int(s) or s < 1:
            raise ValueError(f"layer sizes must be positive integers; sizes[{i}] is {s!r}")
    return [int(s) for s in sizes]


def _check_seed(seed: object) -> int | None:
    if seed is None:
        return None
    if not _is_int(seed) or seed < 0:
        raise ValueError(f"seed must be None or a non-negative integer, got {seed!r}")
    return int(seed)


def _check_rate(value: object, name: str) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number in [0, 1) (the probability of dropping a unit), got {value!r}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be in [0, 1) (the probability of dropping a unit), got {value!r}")
    return float(value)


def _check_flag(value: object, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _per_hidden_layer(value: object, n_hidden: int, name: str, check) -> list:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (Sequence, np.ndarray)):
        return [check(value, name)] * n_hidden
    if len(value) != n_hidden:
        raise ValueError(f"{name} must be one value or a list of {n_hidden} (one per hidden layer), got {value!r}")
    return [check(v, f"{name}[{i}]") for i, v in enumerate(value)]


def _check_l2(value: object) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"l2 must be a number (the coefficient alpha of the L2 penalty), got {value!r}")
    if not (np.isfinite(value) and value >= 0):
        raise ValueError(f"l2 must be a finite number >= 0, got {value!r}")
    return float(value)


def _asarray(M: object, name: str) -> Array:
    try:
        arr = np.asarray(M)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{name} must be a rectangular array of numbers (rows of equal length): {err}") from None
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    return arr


def _as_matrix(arr: Array, name: str, n_cols: int, dtype: np.dtype, n_rows: int | None = None,
               hint: str = "") -> Array:
    """``arr`` as a 2-D array of ``dtype`` with ``n_cols`` columns, or an error naming the fault."""
    if arr.ndim != 2:
        if arr.ndim == 1:
            hint = hint or f"; for one column use {name}.reshape(-1, 1)"
        else:
            hint = ""
        raise ValueError(f"{name} must be 2-D (samples, {n_cols}), got shape {arr.shape}{hint}")
    if arr.shape[1] != n_cols:
        raise ValueError(f"{name} has {arr.shape[1]} columns but the network needs {n_cols}: shape {arr.shape}")
    if n_rows is not None and arr.shape[0] != n_rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows but X has {n_rows}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no rows (shape {arr.shape})")
    with np.errstate(over="ignore"):
        out = arr.astype(dtype, copy=False)
    if not all_finite(out):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(out))[0])
        if np.isfinite(arr[bad]):
            raise ValueError(f"{name}[{bad[0]}, {bad[1]}] = {arr[bad].item()!r} overflows {dtype} (its largest finite "
                             f"value is {np.finfo(dtype).max:.4g})")
        raise ValueError(f"{name} contains {out[bad]} at row {bad[0]}, column {bad[1]}")
    return out


class MLP:
    """A fully connected network trained by backpropagation.

    Parameters
    ----------
    sizes
        Layer sizes [n₀, n₁, …, n_L]: inputs, hidden layers, outputs (a list,
        tuple or 1-D integer array).
    hidden
        Hidden activation: a name of [ACTIVATIONS][backprop.ACTIVATIONS]
        (``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"identity"``), an
        [Activation][backprop.Activation] record, or a list with one per hidden layer.
    output
        Output activation; by default the one the loss pairs with (mse →
        identity, bce → sigmoid, cross_entropy → softmax).  A pair that makes no
        sense is refused: predictions outside the loss's range (relu with bce),
        or cross-entropy without an output that is a probability distribution.
    loss
        ``"mse"`` (half squared error), ``"bce"``, ``"cross_entropy"`` or a
        [Loss][backprop.Loss] record.
    seed
        Seed of the weight initialisation and of mini-batch shuffling: ``None``
        (fresh randomness) or a non-negative integer.
    dtype
        ``np.float64`` (default) or ``np.float32``; inputs are converted to it,
        so a float32 network runs in float32 end to end.
    init
        How the weights are drawn (biases start at zero).  ``None`` (default):
        each layer as its activation asks (``Activation.init``: He normal
        before ReLU, Glorot uniform otherwise).  ``"he"`` or ``"glorot"``: that
        scheme for every layer.  A positive number s: every weight from
        N(0, s²), whatever the layer's size (``init=0.001`` is the small
        Gaussian of one of the book's sources).  A function
        ``init(n_in, n_out, rng)`` returning W of shape (n_in, n_out).  The
        table is in [backprop.initialisation][backprop.get_initialisation].
    dropout
        The probability of dropping a hidden unit in training (inverted
        dropout: kept units are scaled by 1/(1 − rate)), in [0, 1): one number
        for every hidden layer or a list with one per hidden layer.  Prediction
        never drops units.  See [backprop.regularisation][backprop.dropout_mask].
    batch_norm
        Batch-normalise the hidden layers (``True``), or a list of one ``bool``
        per hidden layer.  Such a layer has ``gamma{l}`` and ``beta{l}`` instead
        of ``b{l}``, and running statistics for prediction (``running_stats``).
        See [backprop.normalisation][backprop.batch_norm].
    l2
        α ≥ 0: training minimises 𝓛 + (α/2) Σ_l Σ_jk (w⁽ˡ⁾_jk)² (L2 penalty, weight
        decay on the weights W, not on biases).  [MLP.loss][backprop.MLP.loss]
        reports 𝓛 without it, unless ``train=True``.

    Attributes
    ----------
    params : dict of str to ndarray
        The parameters: ``"W1"``, ``"b1"``, …, ``"WL"``, ``"bL"``, with
        ``W{l}`` of shape (n_{l−1}, n_l) (entry ``W{l}[j-1, k-1]`` is the book's
        w⁽ˡ⁾_jk, from unit j of layer l−1 to unit k of layer l) and ``b{l}`` of
        shape (n_l,); a batch-normalised layer has ``gamma{l}`` (γ, starting at
        1) and ``beta{l}`` (β, starting at 0), of shape (n_l,), instead of
        ``b{l}``.  Plain arrays: read them, change them in place, or replace
        them with arrays of the same shape and dtype (checked at every call).
        [fit][backprop.MLP.fit] updates them *in place*: take a copy first,
        ``{k: v.copy() for k, v in net.params.items()}``, to keep the old values.
    running_stats : dict of str to ndarray
        For each batch-normalised layer l, ``"mean{l}"`` and ``"var{l}"``: the
        running mean (starting at 0) and variance (starting at 1) of Z̃⁽ˡ⁾ = A⁽ˡ⁻¹⁾ W⁽ˡ⁾
        that prediction uses; ``fit`` updates them after each step
        ([update_running_stats][backprop.MLP.update_running_stats]).  Empty
        without batch normalisation.
    dropout : list of float
        The dropout rate of each hidden layer (0: none).
    batch_norm : list of bool
        For each hidden layer, whether it is batch-normalised.
    l2 : float
        α of the L2 penalty.
    sizes : list of int
        [n₀, n₁, …, n_L].
    activations : list of Activation
        f₁, …, f_L: the records of the hidden layers, then the output layer.
    loss_fn : Loss
        The loss record.
    dtype : numpy.dtype
        float64 or float32.
    rng : numpy.random.Generator
        The generator seeded by ``seed``; [fit][backprop.MLP.fit] draws the
        mini-batch order from it.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce", seed=0)
    >>> {k: v.shape for k, v in net.params.items()}
    {'W1': (3, 2), 'b1': (2,), 'W2': (2, 1), 'b2': (1,)}
    >>> net.predict(np.zeros((4, 3))).shape
    (4, 1)
    >>> bn = bp.MLP([3, 5, 1], batch_norm=True, dropout=0.2, seed=0)
    >>> list(bn.params), list(bn.running_stats)
    (['W1', 'gamma1', 'beta1', 'W2', 'b2'], ['mean1', 'var1'])
    """

    def __init__(
        self,
        sizes: Sequence[int],
        hidden: str | Activation | Sequence[str | Activation] = "relu",
        output: str | Activation | None = None,
        loss: str | Loss = "mse",
        seed: int | None = None,
        dtype: type | np.dtype = np.float64,
        init: str | float | Initialisation | None = None,
        dropout: float | Sequence[float] = 0.0,
        batch_norm: bool | Sequence[bool] = False,
        l2: float = 0.0,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        try:
            self.dtype = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"dtype must be float32 or float64, not {dtype!r}") from None
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, not {self.dtype}")
        seed = _check_seed(seed)
        self.loss_fn = get_loss(loss)
        n_hidden = len(self.sizes) - 2
        if isinstance(hidden, (str, Activation)):
            hidden = [hidden] * n_hidden
        elif isinstance(hidden, (bytes, Mapping)) or not isinstance(hidden, Sequence) or len(hidden) != n_hidden:
            raise ValueError(
                f"hidden must be one activation or a list of {n_hidden} (one per hidden layer), got {hidden!r}")
        out = self.loss_fn.output if output is None else get_activation(output, what="output activation")
        self.activations: list[Activation] = [get_activation(h, what="hidden activation") for h in hidden] + [out]
        self._check_pairing()
        # Fused (loss from the logits, delta (Yhat - Y)/N) only with the very record the loss pairs with.
        self._fused = self.loss_fn.from_logits is not None and out is self.loss_fn.output
        self.dropout = _per_hidden_layer(dropout, n_hidden, "dropout", _check_rate)
        self.batch_norm = _per_hidden_layer(batch_norm, n_hidden, "batch_norm", _check_flag)
        self.l2 = _check_l2(l2)
        if n_hidden == 0 and ((not isinstance(dropout, (Sequence, np.ndarray)) and dropout) or batch_norm is True):
            raise ValueError(f"dropout and batch_norm act on hidden layers, and sizes={self.sizes} has none")
        self._shapes: dict[str, tuple[int, ...]] = {}
        for l in range(1, len(self.sizes)):
            self._shapes[f"W{l}"] = (self.sizes[l - 1], self.sizes[l])
            if self._normalised(l):
                self._shapes[f"gamma{l}"] = self._shapes[f"beta{l}"] = (self.sizes[l],)
            else:
                self._shapes[f"b{l}"] = (self.sizes[l],)
        scheme = None if init is None else get_initialisation(init)
        self.rng = np.random.default_rng(seed)
        self.params: dict[str, Array] = {}
        for l, act in enumerate(self.activations, 1):
            if scheme is not None:
                draw, who = scheme, f"init={init!r}"
            else:
                draw, who = INITIALISATIONS[act.init] if isinstance(act.init, str) else act.init, \
                    f"activation {act.name!r}: its init"
            self.params[f"W{l}"] = self._initial_weights(draw, l, who)
            if self._normalised(l):
                self.params[f"gamma{l}"] = np.ones(self.sizes[l], dtype=self.dtype)
                self.params[f"beta{l}"] = np.zeros(self.sizes[l], dtype=self.dtype)
            else:
                self.params[f"b{l}"] = np.zeros(self.sizes[l], dtype=self.dtype)
        self._stat_shapes = {f"{kind}{l}": (self.sizes[l],) for l in range(1, len(self.sizes)) if self._normalised(l)
                             for kind in ("mean", "var")}
        self.running_stats: dict[str, Array] = {
            key: (np.zeros if key.startswith("mean") else np.ones)(shape, dtype=self.dtype)
            for key, shape in self._stat_shapes.items()}

    def _normalised(self, l: int) -> bool:
        """Whether layer l (1, …, L) is batch-normalised (the output layer L never is)."""
        return l < len(self.sizes) - 1 and self.batch_norm[l - 1]

    def _dropped(self, l: int) -> float:
        """The dropout rate of layer l (0 for the input and output layers)."""
        return self.dropout[l - 1] if 1 <= l < len(self.sizes) - 1 else 0.0

    def _initial_weights(self, draw: Initialisation, l: int, who: str) -> Array:
        shape = self._shapes[f"W{l}"]
        W = _asarray(draw(shape[0], shape[1], self.rng), f"W{l} from {who}")
        if W.shape != shape:
            raise ValueError(f"{who} gave W{l} of shape {W.shape}; expected {shape}")
        if not (np.issubdtype(W.dtype, np.floating) or np.issubdtype(W.dtype, np.integer)):
            raise TypeError(f"{who} gave W{l} of dtype {W.dtype}; expected real numbers")
        with np.errstate(over="ignore"):
            W = W.astype(self.dtype)
        if not np.all(np.isfinite(W)):
            raise ValueError(f"{who} gave W{l} with entries that are not finite in {self.dtype}")
        return W

    def _check_pairing(self) -> None:
        loss, out = self.loss_fn, self.activations[-1]
        for act in self.activations[:-1]:
            if act.distribution:
                raise ValueError(f"{act.name} is an output activation; use it as output=, not hidden=")
        suggest = f"use output={loss.output.name!r}"
        lo, hi = loss.needs
        if out.bounds[0] < lo or out.bounds[1] > hi:
            raise ValueError(
                f"loss {loss.name!r} needs predictions in [{lo}, {hi}] but output activation {out.name!r} "
                f"gives values in [{out.bounds[0]}, {out.bounds[1]}]; {suggest}")
        if loss.needs_distribution and not out.distribution:
            raise ValueError(
                f"loss {loss.name!r} needs each row of predictions to be a probability distribution, but output "
                f"activation {out.name!r} does not make one; {suggest}")
        if out.distribution and self.sizes[-1] == 1:
            raise ValueError(
                f"output activation {out.name!r} over a single output unit always gives 1; for two classes use "
                f"one output with output='sigmoid' and loss='bce', or two outputs")

    @property
    def n_layers(self) -> int:
        """L, the number of layers with weights (the index of the output layer)."""
        return len(self.sizes) - 1

    @property
    def fused(self) -> bool:
        """True when the loss is computed from the logits and δ⁽ᴸ⁾ = (Ŷ − Y)/N.

        That is the case for the library's sigmoid with BCE and softmax with
        cross-entropy (a [Loss][backprop.Loss] with ``from_logits``, and its own
        ``output`` record as the output activation).
        """
        return self._fused

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        extra = ""
        if any(self.dropout):
            extra += f", dropout={self.dropout}"
        if any(self.batch_norm):
            extra += f", batch_norm={self.batch_norm}"
        if self.l2:
            extra += f", l2={self.l2}"
        return (f"MLP(sizes={self.sizes}, activations=[{acts}], loss={self.loss_fn.name!r}, "
                f"dtype={self.dtype.name}{extra})")

    # -- input checks -------------------------------------------------------------------------
    def _check_params(self, finite: bool) -> None:
        params = self.params
        if type(params) is not dict and not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict of arrays, not {type(params).__name__}")
        if params.keys() != self._shapes.keys():
            missing = [k for k in self._shapes if k not in params]
            extra = [k for k in params if k not in self._shapes]
            parts = ([f"is missing {', '.join(map(repr, missing))}"] if missing else []) + (
                [f"has unexpected {', '.join(map(repr, extra))}"] if extra else [])
            raise ValueError(f"params {' and '.join(parts)}: a network of sizes {self.sizes} has exactly "
                             f"{', '.join(self._shapes)}")
        if finite:
            for key in self._shapes:
                p = self._param(key)
                if not all_finite(p):
                    bad = tuple(int(i) for i in np.argwhere(~np.isfinite(p))[0])
                    raise ValueError(f"params[{key!r}] contains {p[bad]} at index {bad}")
            stats = self.running_stats
            expected = list(self._stat_shapes)
            if not isinstance(stats, Mapping) or list(stats) != expected:
                raise ValueError(f"running_stats must hold exactly {expected or 'nothing'} for this network, got "
                                 f"{list(stats) if isinstance(stats, Mapping) else type(stats).__name__}")
            for key in expected:
                r = self._running(key)
                if not np.all(np.isfinite(r)) or (key.startswith("var") and np.any(r < 0)):
                    raise ValueError(f"running_stats[{key!r}] must be finite (and a variance >= 0), got {r}")

    def _running(self, key: str) -> Array:
        """``running_stats[key]``, checked like a parameter."""
        r = self.running_stats[key]
        shape = self._stat_shapes[key]
        if not isinstance(r, np.ndarray) or r.shape != shape or r.dtype != self.dtype:
            raise ValueError(f"running_stats[{key!r}] must be an array of shape {shape} and dtype {self.dtype}, "
                             f"got {type(r).__name__} {np.shape(r)}")
        return r

    def _param(self, key: str) -> Array:
        """``params[key]``, checked where it is used (a parameter may be replaced at any time)."""
        p = self.params[key]
        shape = self._shapes[key]
        if type(p) is not np.ndarray or p.shape != shape or p.dtype != self.dtype:
            if not isinstance(p, np.ndarray):
                raise TypeError(f"params[{key!r}] must be an ndarray of shape {shape}, got {type(p).__name__}")
            if p.shape != shape:
                raise ValueError(f"params[{key!r}] has shape {p.shape}, expected {shape}")
            if p.dtype != self.dtype:
                raise TypeError(f"params[{key!r}] has dtype {p.dtype}, the network uses {self.dtype}")
        return p

    def check_inputs(self, X: object, Y: object | None = None) -> tuple[Array, Array | None]:
        """Validate the parameters, and convert X (and Y) to 2-D arrays of the network's dtype.

        Targets may be class labels when the loss reads them (``Loss.labels``):
        for cross-entropy a 1-D integer array of class indices becomes one-hot
        rows; for BCE with one output, a 1-D array of 0/1 becomes a column.

        Parameters
        ----------
        X
            Inputs, shape (N, n₀).
        Y
            Targets, shape (N, n_L) (or labels, shape (N,)), or ``None``.

        Returns
        -------
        tuple of ndarray
            X and Y (``None`` if no Y was given), as arrays of ``dtype``.

        Raises
        ------
        ValueError or TypeError
            Naming the fault: wrong number of columns or rows, NaN or inf, a
            value that overflows float32, a ragged list, labels out of range,
            targets the loss is not defined for, parameters of the wrong shape
            or dtype, missing or extra keys in ``params``.

        Examples
        --------
        >>> import backprop as bp
        >>> net = bp.MLP([2, 3], loss="cross_entropy", seed=0)
        >>> X, Y = net.check_inputs([[1, 2], [3, 4]], [2, 0])
        >>> Y
        array([[0., 0., 1.],
               [1., 0., 0.]])
        """
        self._check_params(finite=True)
        X = _as_matrix(_asarray(X, "X"), "X", self.sizes[0], self.dtype)
        if Y is None:
            return X, None
        return X, self._as_targets(_asarray(Y, "Y"), len(X))

    def _as_targets(self, Y: Array, n: int) -> Array:
        labels, k = self.loss_fn.labels, self.sizes[-1]
        is_int = np.issubdtype(Y.dtype, np.integer) or np.issubdtype(Y.dtype, np.bool_)
        if Y.ndim == 1 and labels is not None and is_int:
            if len(Y) != n:
                raise ValueError(f"Y has {len(Y)} labels but X has {n} rows")
            if labels == "classes":
                bad = (Y < 0) | (Y >= k)
                if np.issubdtype(Y.dtype, np.bool_) or np.any(bad):
                    first = (Y[bad][0] if np.any(bad) else Y[0]).item()
                    raise ValueError(f"Y holds the class label {first!r}, but the network has {k} outputs: "
                                     f"labels must be integers 0 to {k - 1}")
                Y = one_hot(Y, k, self.dtype)
            else:
                if k != 1:
                    raise ValueError(f"1-D labels for {self.loss_fn.name} need a network with one output; this one "
                                     f"has {k}: give Y as rows of 0 and 1, shape ({n}, {k})")
                if np.any((Y != 0) & (Y != 1)):
                    raise ValueError(f"binary labels must be 0 or 1; Y holds {Y[(Y != 0) & (Y != 1)][0].item()!r}")
                Y = Y.reshape(-1, 1).astype(self.dtype)
        else:
            hint = ""
            if Y.ndim == 1 and labels == "classes":
                hint = f"; or give class labels as a 1-D integer array (got dtype {Y.dtype})"
            Y = _as_matrix(Y, "Y", k, self.dtype, n_rows=n, hint=hint)
        if self.loss_fn.check_targets is not None:
            self.loss_fn.check_targets(Y)
        return Y

    # -- forward ------------------------------------------------------------------------------
    def dropout_masks(self, n: int, rng: np.random.Generator | None = None) -> list[Array | None]:
        """Draw the dropout masks of a training pass over ``n`` samples, one per layer (``None`` where no dropout).

        ``forward(..., train=True)`` draws them from the network's ``rng``; to
        hold them fixed (for a gradient check), draw them once and pass them as
        ``masks=``.

        Parameters
        ----------
        n
            N, the number of samples.
        rng
            The generator to draw from (default: the network's ``rng``).

        Returns
        -------
        list
            ``masks[l]`` for l = 0, …, L: an (N, n_l) array of 0 and 1/(1 − rate)
            for a hidden layer with dropout, else ``None``.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> net = bp.MLP([2, 4, 1], dropout=0.5, seed=0)
        >>> masks = net.dropout_masks(3, np.random.default_rng(0))
        >>> [None if m is None else m.shape for m in masks]
        [None, (3, 4), None]
        """
        rng = self.rng if rng is None else rng
        return [dropout_mask((n, self.sizes[l]), self._dropped(l), rng, self.dtype) if self._dropped(l) else None
                for l in range(len(self.sizes))]

    def _check_masks(self, masks: object, n: int) -> list[Array | None]:
        if not isinstance(masks, (list, tuple)) or len(masks) != len(self.sizes):
            raise ValueError(f"masks must be a list of {len(self.sizes)} entries (one per layer, as from "
                             f"dropout_masks), got {type(masks).__name__}")
        for l, m in enumerate(masks):
            if m is None:
                continue
            if not self._dropped(l):
                raise ValueError(f"masks[{l}] must be None: layer {l} has no dropout")
            if not isinstance(m, np.ndarray) or m.shape != (n, self.sizes[l]):
                raise ValueError(f"masks[{l}] must have shape {(n, self.sizes[l])}, got {np.shape(m)}")
        return list(masks)

    def _forward(self, X: Array, train: bool = False, masks: list | None = None,
                 work: Workspace | None = None) -> ForwardPass:
        L = self.n_layers
        fp = ForwardPass([None], [X], train=train, masks=[None] * (L + 1), unmasked=[None] * (L + 1),
                         norms=[None] * (L + 1), work=work)
        if train and any(self.dropout):
            masks = self.dropout_masks(len(X)) if masks is None else self._check_masks(masks, len(X))
        for l, act in enumerate(self.activations, 1):
            if self._normalised(l):  # Z = Z-hat diag(gamma) + 1 beta, Z-hat normalised from Z-tilde = A W
                Z_tilde = fp.a[-1] @ self._param(f"W{l}")
                if train:
                    Z, fp.norms[l] = batch_norm(Z_tilde, self._param(f"gamma{l}"), self._param(f"beta{l}"))
                else:
                    Z, fp.norms[l] = batch_norm(Z_tilde, self._param(f"gamma{l}"), self._param(f"beta{l}"),
                                                self._running(f"mean{l}"), self._running(f"var{l}"))
            else:  # Z = A W + 1 b
                Z = affine(fp.a[-1], self._param(f"W{l}"), self._param(f"b{l}"), work, l)
            A = relu(Z, work, l) if work is not None and act is _RELU else act.function(Z)
            if type(A) is not np.ndarray or A.shape != Z.shape or A.dtype != Z.dtype:
                A = self._activation_output(act, Z, A)
            if train and masks is not None and masks[l] is not None:  # dropout: A times the mask
                fp.masks[l], fp.unmasked[l] = masks[l], A
                A = A * masks[l]
            fp.z.append(Z)
            fp.a.append(A)
        return fp

    @staticmethod
    def _activation_output(act: Activation, Z: Array, A: object) -> Array:
        if np.shape(A) != Z.shape:
            raise ValueError(f"activation {act.name!r} returned shape {np.shape(A)} for z of shape {Z.shape}; "
                             f"it must return one value per entry of z")
        return np.asarray(A, dtype=Z.dtype)

    def _weights(self) -> list[Array]:
        return [self._param(f"W{l}") for l in range(1, len(self.sizes))]

    def _loss(self, fp: ForwardPass, Y: Array) -> float:
        if self._fused:
            value = self.loss_fn.from_logits(fp.z[-1], Y)
        else:
            value = self.loss_fn.value(fp.output, Y)
        if type(value) is not float:
            if np.ndim(value) != 0 or not isinstance(value, (numbers.Real, np.floating, np.integer)):
                raise TypeError(f"loss {self.loss_fn.name!r} returned {type(value).__name__} of shape "
                                f"{np.shape(value)}; it must return one number, the mean over the N samples")
            value = float(value)
        if fp.train and self.l2:
            fp.penalty = l2_penalty(self._weights(), self.l2)
            value += fp.penalty
        return value

    def forward(self, X: object, Y: object | None = None, *, train: bool = False, masks: list | None = None,
                checked: bool = False) -> ForwardPass:
        """Run the forward pass and keep every Z⁽ˡ⁾ and A⁽ˡ⁾ (and the loss, if Y is given).

        Parameters
        ----------
        X
            Inputs, shape (N, n₀).
        Y
            Targets (optional): the pass then computes the loss too.
        train
            ``False`` (default): the network as it predicts.  ``True``: the
            training pass: dropout masks, batch statistics in batch-normalised
            layers, and the L2 penalty in the loss (for a network without
            these, the two are the same).
        masks
            With ``train=True``: the dropout masks to use (from
            [dropout_masks][backprop.MLP.dropout_masks]); by default new ones
            are drawn from the network's ``rng``.
        checked
            True if X and Y come from [check_inputs][backprop.MLP.check_inputs]
            (they are used as they are; only the parameters' shapes are checked).

        Returns
        -------
        ForwardPass
            ``z``, ``a``, ``output`` and ``loss`` (and what training needs:
            ``masks``, ``norms``, ``penalty``).

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> fp = bp.MLP([2, 3, 1], seed=0).forward(np.ones((5, 2)))
        >>> [a.shape for a in fp.a], fp.z[0] is None, fp.loss is None
        ([(5, 2), (5, 3), (5, 1)], True, True)
        """
        return self._pass(X, Y, train, masks, checked)[0]

    def _pass(self, X: object, Y: object, train: object, masks: object, checked: bool,
              work: Workspace | None = None) -> tuple[ForwardPass, Array]:
        """The forward pass (with the loss if Y is given) and the targets as arrays; ``work``: fit's kept arrays."""
        if not isinstance(train, (bool, np.bool_)):
            raise TypeError(f"train must be True or False, got {train!r}")
        if masks is not None and not train:
            raise ValueError("masks are for the training pass: give train=True with them")
        if checked:
            self._check_params(finite=False)
        else:
            X, Y = self.check_inputs(X, Y)
        fp = self._forward(X, bool(train), masks, work)
        if Y is not None:
            fp.loss = self._loss(fp, Y)
        return fp, Y

    def predict(self, X: object) -> Array:
        """The prediction Ŷ = A⁽ᴸ⁾ for inputs X of shape (N, n₀).

        For a classifier Ŷ holds probabilities: a softmax network's row i is the
        distribution over the classes of sample i, a sigmoid network's entry is
        the probability of class 1.  [predict_labels][backprop.MLP.predict_labels]
        turns them into labels.  No dropout; batch normalisation uses the
        running statistics, so each sample's prediction is its own.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> p = bp.MLP([2, 3], loss="cross_entropy", seed=0).predict(np.ones((1, 2)))
        >>> p.shape, round(float(p.sum()), 12)
        ((1, 3), 1.0)
        """
        return self.forward(X).output

    def predict_labels(self, X: object) -> Array:
        """Predicted class labels for a classifier: the most probable class, or ŷ > 0.5 for BCE.

        Returns
        -------
        ndarray of int
            Shape (N,) for cross-entropy (class indices) and for BCE with one
            output (0 or 1); shape (N, n_L) of 0/1 for BCE with several outputs.

        Raises
        ------
        ValueError
            If the loss has no labels (``Loss.labels`` is ``None``, as for mse).

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> net = bp.MLP([1, 3], loss="cross_entropy", seed=0)
        >>> net.params["b1"][:] = [0.0, 5.0, 1.0]
        >>> net.predict_labels(np.zeros((2, 1)))
        array([1, 1])
        """
        labels = self.loss_fn.labels
        if labels is None:
            raise ValueError(f"predict_labels needs a classification loss (bce or cross_entropy); this network's "
                             f"loss {self.loss_fn.name!r} predicts numbers: use predict")
        yhat = self.predict(X)
        if labels == "classes":
            return yhat.argmax(axis=1)
        out = (yhat > 0.5).astype(np.int64)
        return out[:, 0] if out.shape[1] == 1 else out

    # -- loss and gradients ---------------------------------------------------------------------
    def loss(self, X: object, Y: object, *, train: bool = False, masks: list | None = None,
             checked: bool = False) -> float:
        """The loss 𝓛 on (X, Y): summed over the outputs, averaged over the N samples.

        With ``train=True`` (and ``masks``) it is the training loss instead, as
        in [forward][backprop.MLP.forward]: dropout, batch statistics, and the
        L2 penalty added.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> net = bp.MLP([2, 1], loss="mse", seed=0)
        >>> net.loss(np.zeros((3, 2)), np.ones((3, 1)))
        0.5
        """
        return self.forward(X, Y, train=train, masks=masks, checked=checked).loss

    def _output_delta(self, fp: ForwardPass, Y: Array) -> Array:
        yhat = fp.output
        if self._fused:  # (Yhat - Y)/N
            return output_delta(yhat, Y, fp.work, self.n_layers)
        grad_a = self.loss_fn.gradient(yhat, Y)
        if np.shape(grad_a) != yhat.shape:
            raise ValueError(f"loss {self.loss_fn.name!r}: gradient returned shape {np.shape(grad_a)} for "
                             f"predictions of shape {yhat.shape}; it must return dL/dYhat, one entry per prediction")
        return self.activations[-1].backward(fp.z[-1], yhat, np.asarray(grad_a, dtype=yhat.dtype))

    def backward(self, fp: ForwardPass, Y: Array, deltas: list | None = None) -> dict[str, Array]:
        """The backward pass: ∂𝓛/∂p for every parameter, from a forward pass ``fp`` with targets Y.

        The delta recursion of the module's description, layer by layer from
        the output; a dropout mask multiplies the gradient where it multiplied
        the activation, and a batch-normalised layer passes δ⁽ˡ⁾ through its
        normalisation ([batch_norm_backward][backprop.batch_norm_backward])
        before the weights.

        Parameters
        ----------
        fp
            A forward pass of this network (``forward(X, Y, ...)``; its
            ``train`` decides whether the L2 penalty's gradient is added).
        Y
            The targets, as from [check_inputs][backprop.MLP.check_inputs].
        deltas
            Optional list of L + 1 entries; ``deltas[l]`` is set to δ⁽ˡ⁾.

        Returns
        -------
        dict of str to ndarray
            Keyed and shaped like ``params``: fresh arrays.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> net = bp.MLP([2, 3, 1], hidden="tanh", seed=0)
        >>> X, Y = net.check_inputs(np.ones((4, 2)), np.zeros((4, 1)))
        >>> fp = net.forward(X, Y, checked=True)
        >>> all(np.array_equal(g, net.gradients(X, Y)[k]) for k, g in net.backward(fp, Y).items())
        True
        """
        grads: dict[str, Array] = {}
        work = fp.work
        delta = self._output_delta(fp, Y)
        for l in range(self.n_layers, 0, -1):
            if deltas is not None:
                deltas[l] = delta
            if fp.norms[l] is not None:  # back through the normalisation: g becomes dL/dZ-tilde, Z-tilde = A W
                gamma = self._param(f"gamma{l}")
                grads[f"gamma{l}"], grads[f"beta{l}"], g = batch_norm_backward(fp.norms[l], gamma, delta)
            else:
                g = delta
                grads[f"b{l}"] = bias_gradient(delta, work, l)  # 1_N^T delta
            W = self._param(f"W{l}")
            grads[f"W{l}"] = weight_gradient(fp.a[l - 1], g, work, l)  # A(l-1)^T delta
            if fp.train and self.l2:
                grads[f"W{l}"] += self.l2 * W
            if l > 1:  # the first layer's input gradient dL/dX is never needed
                grad_a = input_gradient(g, W, work, l - 1)  # delta W^T
                a = fp.a[l - 1]
                if fp.masks[l - 1] is not None:  # dropout: A = f(Z) * mask
                    grad_a *= fp.masks[l - 1]
                    a = fp.unmasked[l - 1]
                delta = self.activations[l - 2].backward(fp.z[l - 1], a, grad_a)
        return {k: grads[k] for k in self._shapes}

    def value_and_grad(self, X: object, Y: object, *, train: bool = False, masks: list | None = None,
                       checked: bool = False) -> tuple[float, dict[str, Array]]:
        """The loss and its gradient in one forward and one backward pass: the step of training.

        [fit][backprop.MLP.fit], [check_gradients][backprop.check_gradients] and
        the benchmarks all call this (or its two halves,
        [forward][backprop.MLP.forward] and [backward][backprop.MLP.backward]).

        Parameters
        ----------
        X, Y
            A batch: inputs (N, n₀) and targets (N, n_L) (or labels).
        train
            The training loss (dropout, batch statistics, L2 penalty) instead
            of the loss as the network predicts; see [forward][backprop.MLP.forward].
        masks
            With ``train=True``, the dropout masks to hold fixed.
        checked
            True if X and Y come from [check_inputs][backprop.MLP.check_inputs]:
            they are used as they are, and of the parameters only the shapes and
            dtypes are checked (a training loop converts its data once).

        Returns
        -------
        loss : float
            𝓛 at the current parameters.
        grads : dict of str to ndarray
            ∂𝓛/∂W⁽ˡ⁾ and ∂𝓛/∂b⁽ˡ⁾ (and ∂𝓛/∂γ⁽ˡ⁾, ∂𝓛/∂β⁽ˡ⁾), keyed and shaped
            like ``params``: fresh arrays, the caller's to keep or overwrite.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> net = bp.MLP([2, 3, 1], hidden="tanh", seed=0)
        >>> loss, grads = net.value_and_grad(np.ones((4, 2)), np.zeros((4, 1)))
        >>> loss == net.loss(np.ones((4, 2)), np.zeros((4, 1))), sorted(grads)
        (True, ['W1', 'W2', 'b1', 'b2'])
        """
        if Y is None:
            raise ValueError("value_and_grad needs targets Y")
        fp, Y = self._pass(X, Y, train, masks, checked)
        return fp.loss, self.backward(fp, Y)

    def gradients(self, X: object, Y: object, *, train: bool = False, masks: list | None = None) -> dict[str, Array]:
        """∂𝓛/∂p for every parameter, keyed and shaped like ``params`` (``train``, ``masks``: as for value_and_grad).

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> g = bp.MLP([2, 3, 1], seed=0).gradients(np.ones((4, 2)), np.zeros((4, 1)))
        >>> {k: v.shape for k, v in g.items()}
        {'W1': (2, 3), 'b1': (3,), 'W2': (3, 1), 'b2': (1,)}
        """
        return self.value_and_grad(X, Y, train=train, masks=masks)[1]

    def deltas(self, X: object, Y: object, *, train: bool = False, masks: list | None = None) -> list[Array | None]:
        """δ⁽ˡ⁾ = ∂𝓛/∂Z⁽ˡ⁾ for l = 1, …, L (``deltas[0]`` is ``None``), each of shape (N, n_l).

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> d = bp.MLP([2, 3, 1], seed=0).deltas(np.ones((5, 2)), np.zeros((5, 1)))
        >>> [None if x is None else x.shape for x in d]
        [None, (5, 3), (5, 1)]
        """
        fp, Y = self._pass(X, Y, train, masks, False)
        out: list[Array | None] = [None] * (self.n_layers + 1)
        self.backward(fp, Y, deltas=out)
        return out

    def update_running_stats(self, fp: ForwardPass) -> None:
        """Fold a training pass's batch statistics into the running ones prediction uses.

        running mean ← (1 − m) running mean + m z̄, running variance ←
        (1 − m) running variance + m N/(N − 1) (batch variance), with
        m = [BATCH_NORM_MOMENTUM][backprop.BATCH_NORM_MOMENTUM] = 0.1.  ``fit`` calls it
        after each update; it does nothing for a network without batch
        normalisation.  New arrays are computed first, then copied in.

        Parameters
        ----------
        fp
            A forward pass with ``train=True``.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> net = bp.MLP([1, 1, 1], batch_norm=True, seed=0)
        >>> net.params["W1"][:] = 1.0
        >>> net.update_running_stats(net.forward(np.array([[0.0], [2.0]]), train=True))
        >>> net.running_stats
        {'mean1': array([0.1]), 'var1': array([1.1])}
        """
        if not fp.train:
            raise ValueError("update_running_stats needs a training pass (forward(..., train=True))")
        new = {}
        for l, bn in enumerate(fp.norms):
            if bn is not None:
                new[f"mean{l}"], new[f"var{l}"] = running_averages(
                    self._running(f"mean{l}"), self._running(f"var{l}"), bn, len(fp.a[0]))
        for key, value in new.items():
            np.copyto(self.running_stats[key], value)

    # -- training and saving --------------------------------------------------------------------
    def fit(
        self,
        X: object,
        Y: object,
        epochs: int = 100,
        lr: float | Callable[[int], float] = 0.1,
        *,
        batch_size: int | None = None,
        shuffle: bool = True,
        validation: tuple[object, object] | None = None,
        patience: int | None = None,
        optimiser: str | Optimiser = "sgd",
        clip_norm: float | None = None,
        progress: bool | TextIO = False,
    ) -> History:
        """Train the network in place by gradient descent and return what happened, epoch by epoch.

        Each update is the optimiser's step for every parameter p; for the
        default, plain gradient descent, p ← p − η ∂𝓛/∂p with η = ``lr``.  The
        gradient is that of the training loss (``value_and_grad(...,
        train=True)``: dropout, batch statistics, L2 penalty).  The arrays in
        ``params`` are updated in place (copy them first to keep the old values).

        Parameters
        ----------
        X, Y
            Training inputs (N, n₀) and targets (N, n_L), or class labels (N,)
            for a classification loss.
        epochs
            Passes over the data.
        lr
            The learning rate η, a positive finite number, or a schedule: a
            function of the epoch (0, 1, …) that returns η for that epoch's
            updates, e.g. ``lambda epoch: 0.1 * 0.5 ** (epoch // 20)``.
        batch_size
            ``None``: full-batch gradient descent, one update per epoch.  An
            integer: mini-batches of that size (the last may be smaller).
        shuffle
            Shuffle the samples every epoch (mini-batches only), drawing from the
            network's ``rng``.
        validation
            ``(X_val, Y_val)``: the loss on these is recorded after every epoch
            (``History.val_loss``).
        patience
            Early stopping (needs ``validation``): stop when the validation loss
            has not improved for this many epochs, and restore the parameters of
            the epoch with the lowest validation loss.
        optimiser
            ``"sgd"`` (default), ``"momentum"``, ``"nesterov"``, ``"rmsprop"``,
            ``"adam"``, ``"adamw"`` (a new one with default settings), or an
            [Optimiser][backprop.Optimiser] object such as ``bp.Adam(beta2=0.99)``,
            whose state carries over to the next ``fit``.  What each one updates
            and how: [backprop.optimisers][backprop.Optimiser].
        clip_norm
            Gradient clipping by global norm: when the norm of the whole gradient
            (all parameters together) exceeds this, every gradient is scaled by
            ``clip_norm / norm`` before the update (the direction is kept).
            ``History.grad_norm`` records the norm before clipping.
        progress
            ``True`` (to stderr) or a text stream: a progress bar with the epoch,
            the loss, the time elapsed and an estimate of the time left.

        Returns
        -------
        History
            The losses and gradient norms per epoch, the validation losses, how
            training stopped and, with ``patience``, the epoch kept.

        Raises
        ------
        TrainingDiverged
            (a ``FloatingPointError``) if the loss, the gradient or an update
            becomes inf or NaN.  The parameters, running statistics and
            optimiser state are rolled back to the last ones whose loss was
            finite, and the history of the completed epochs is on the exception.
        ValueError or TypeError
            For a bad option or bad data, before any update.

        Notes
        -----
        Interrupting (Ctrl-C, ``KeyboardInterrupt``) stops training with a
        warning and returns the history so far: the parameters are those after
        the last completed update (an interrupt that arrives in the middle of an
        update takes effect once the update is complete), or with ``patience``
        the best ones so far.  Any other exception leaves the parameters after
        the last completed update too, and says so in a note on the exception.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> X, y, _ = bp.datasets.load_iris()
        >>> X = (X - X.mean(axis=0)) / X.std(axis=0)
        >>> net = bp.MLP([4, 8, 3], hidden="tanh", loss="cross_entropy", seed=0)
        >>> history = net.fit(X[::2], y[::2], epochs=500, lr=0.5, validation=(X[1::2], y[1::2]), patience=20)
        >>> history.stopped, bool(history.val_loss[history.best_epoch] == history.val_loss.min())
        ('early stopping', True)
        >>> float(np.mean(net.predict_labels(X[1::2]) == y[1::2])) > 0.9
        True
        """
        return _fit(self, X, Y, epochs, lr, batch_size=batch_size, shuffle=shuffle, validation=validation,
                    patience=patience, optimiser=optimiser, clip_norm=clip_norm, progress=progress)

    def save(self, path: str | Path) -> Path:
        """Save the architecture and parameters to an ``.npz`` file; see [save][backprop.save].

        Examples
        --------
        >>> import tempfile, pathlib, numpy as np, backprop as bp
        >>> net = bp.MLP([2, 3, 1], hidden="tanh", seed=0)
        >>> path = net.save(pathlib.Path(tempfile.mkdtemp()) / "net.npz")
        >>> bool(np.array_equal(bp.load(path).params["W1"], net.params["W1"]))
        True
        """
        from .saving import save

        return save(self, path)
