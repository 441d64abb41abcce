"""The multilayer perceptron: parameters, forward pass and backward pass.

Samples are rows.  Layer ``l`` (1..L) has ``W{l}`` of shape ``(n_{l-1}, n_l)``
and ``b{l}`` of shape ``(n_l,)``::

    z(l) = a(l-1) @ W{l} + b{l}        a(l) = f_l(z(l))        a(0) = X

and backpropagation runs the delta recursion::

    delta(L) = dL/da(L) * f_L'(z(L))           (fused: (yhat - Y) / n)
    delta(l) = (delta(l+1) @ W{l+1}.T) * f_l'(z(l))
    dL/dW{l} = a(l-1).T @ delta(l)             dL/db{l} = delta(l).sum(axis=0)

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
>>> {k: round(float(g[0]) if g.ndim == 1 else float(g[0, 0]), 5)
...  for k, g in net.gradients(X, Y).items()}
{'W1': -0.00835, 'b1': -0.0167, 'W2': -0.13078, 'b2': -0.22767}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .activations import _BUILTIN, Activation, get_activation
from .losses import DEFAULT_OUTPUT, LOSSES, Loss, fused_loss, get_loss

Array = np.ndarray


@dataclass
class ForwardPass:
    """Every pre-activation and activation of one forward pass.

    ``z[l]`` and ``a[l]`` are the values of layer ``l`` as in the book
    (``a[0]`` is the input ``X``; ``z[0]`` is ``None``).  ``output`` is ``a[L]``.
    """

    z: list[Array | None]
    a: list[Array]

    @property
    def output(self) -> Array:
        return self.a[-1]


def _check_sizes(sizes: Sequence[int]) -> list[int]:
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, Sequence):
        raise TypeError(f"sizes must be a list of layer sizes like [3, 2, 1], not {sizes!r}")
    if len(sizes) < 2:
        raise ValueError(f"sizes needs at least an input and an output size, got {list(sizes)}")
    out = []
    for i, s in enumerate(sizes):
        if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or s < 1:
            raise ValueError(f"layer sizes must be positive integers; sizes[{i}] is {s!r}")
        out.append(int(s))
    return out


def _as_matrix(M: object, name: str, n_cols: int, dtype: np.dtype, n_rows: int | None = None) -> Array:
    """Convert X or Y to a 2-D float array of the network's dtype, or raise naming the fault."""
    arr = np.asarray(M)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise TypeError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        raise TypeError(f"{name} must be real, got dtype {arr.dtype}")
    if arr.ndim != 2:
        hint = f"; for one column use {name}.reshape(-1, 1)" if arr.ndim == 1 else ""
        raise ValueError(f"{name} must be 2-D (samples, {n_cols}), got shape {arr.shape}{hint}")
    if arr.shape[1] != n_cols:
        raise ValueError(
            f"{name} has {arr.shape[1]} columns but the network needs {n_cols}: shape {arr.shape}"
        )
    if n_rows is not None and arr.shape[0] != n_rows:
        raise ValueError(f"{name} has {arr.shape[0]} rows but X has {n_rows}")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} has no rows (shape {arr.shape})")
    arr = arr.astype(dtype, copy=False)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))[0]
        raise ValueError(f"{name} contains {arr[tuple(bad)]} at row {bad[0]}, column {bad[1]}")
    return arr


class MLP:
    """A fully connected network trained by backpropagation.

    Parameters
    ----------
    sizes
        Layer sizes ``[n_0, n_1, ..., n_L]``: inputs, hidden layers, outputs.
    hidden
        Hidden activation: one name (``"relu"``, ``"tanh"``, ``"sigmoid"``,
        ``"identity"``), an :class:`~backprop.Activation`, or a list with one
        per hidden layer.
    output
        Output activation; by default the one the loss is usually paired with
        (mse -> identity, bce -> sigmoid, cross_entropy -> softmax).
    loss
        ``"mse"``, ``"bce"``, ``"cross_entropy"`` or a :class:`~backprop.Loss`.
    seed
        Seed of the weight initialisation (He normal before ReLU, Glorot
        uniform otherwise; biases start at zero) and of mini-batch shuffling.
    dtype
        ``np.float64`` (default) or ``np.float32``; inputs are converted to it,
        so a float32 network runs in float32 end to end.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce", seed=0)
    >>> {k: v.shape for k, v in net.params.items()}
    {'W1': (3, 2), 'b1': (2,), 'W2': (2, 1), 'b2': (1,)}
    >>> net.predict(np.zeros((4, 3))).shape
    (4, 1)
    """

    def __init__(
        self,
        sizes: Sequence[int],
        hidden: str | Activation | Sequence[str | Activation] = "relu",
        output: str | Activation | None = None,
        loss: str | Loss = "mse",
        seed: int | None = None,
        dtype: type | np.dtype = np.float64,
    ) -> None:
        self.sizes = _check_sizes(sizes)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise TypeError(f"dtype must be float32 or float64, not {self.dtype}")
        self.loss_fn = get_loss(loss)
        n_hidden = len(self.sizes) - 2
        if isinstance(hidden, (str, Activation)):
            hidden = [hidden] * n_hidden
        elif not isinstance(hidden, Sequence) or len(hidden) != n_hidden:
            raise ValueError(
                f"hidden must be one activation or a list of {n_hidden} (one per hidden layer), "
                f"got {hidden!r}"
            )
        if output is None:
            output = DEFAULT_OUTPUT.get(self.loss_fn.name, "identity")
        self.activations: list[Activation] = [
            get_activation(h, what="hidden activation") for h in hidden
        ] + [get_activation(output, what="output activation")]
        for act in self.activations[:-1]:
            if act is _BUILTIN["softmax"]:
                raise ValueError("softmax is an output activation; use it as output=, not hidden=")
        out, lo, hi = self.activations[-1], *self.loss_fn.needs
        if out.bounds[0] < lo or out.bounds[1] > hi:
            raise ValueError(
                f"loss {self.loss_fn.name!r} needs predictions in [{lo}, {hi}] but output "
                f"activation {out.name!r} gives values in [{out.bounds[0]}, {out.bounds[1]}]; "
                f"use output={DEFAULT_OUTPUT[self.loss_fn.name]!r}"
            )
        # Fuse only the library's own sigmoid/softmax with its own bce/cross_entropy.
        builtin = out is _BUILTIN.get(out.name) and self.loss_fn is LOSSES.get(self.loss_fn.name)
        self._fused = fused_loss(out.name, self.loss_fn.name) if builtin else None
        self.rng = np.random.default_rng(seed)
        self.params: dict[str, Array] = {}
        for l, (n_in, n_out) in enumerate(zip(self.sizes[:-1], self.sizes[1:], strict=True), 1):
            if self.activations[l - 1].name == "relu":
                W = self.rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))
            else:
                limit = np.sqrt(6.0 / (n_in + n_out))
                W = self.rng.uniform(-limit, limit, size=(n_in, n_out))
            self.params[f"W{l}"] = W.astype(self.dtype)
            self.params[f"b{l}"] = np.zeros(n_out, dtype=self.dtype)

    @property
    def n_layers(self) -> int:
        """L, the number of layers with weights."""
        return len(self.sizes) - 1

    @property
    def fused(self) -> bool:
        """True when the loss is computed from the logits and delta(L) = (yhat - Y) / n."""
        return self._fused is not None

    def __repr__(self) -> str:
        acts = ", ".join(a.name for a in self.activations)
        return (f"MLP(sizes={self.sizes}, activations=[{acts}], loss={self.loss_fn.name!r}, "
                f"dtype={self.dtype.name})")

    # -- input checks -------------------------------------------------------------------------
    def _check_params(self) -> None:
        for l in range(1, self.n_layers + 1):
            for key, shape in ((f"W{l}", (self.sizes[l - 1], self.sizes[l])), (f"b{l}", (self.sizes[l],))):
                p = self.params.get(key)
                if not isinstance(p, np.ndarray):
                    raise TypeError(f"params[{key!r}] must be an ndarray of shape {shape}, got {type(p).__name__}")
                if p.shape != shape:
                    raise ValueError(f"params[{key!r}] has shape {p.shape}, expected {shape}")
                if p.dtype != self.dtype:
                    raise TypeError(f"params[{key!r}] has dtype {p.dtype}, the network uses {self.dtype}")

    def check_inputs(self, X: object, Y: object | None = None) -> tuple[Array, Array | None]:
        """Validate and convert ``X`` (and ``Y``) to 2-D arrays of the network's dtype.

        Raises ``ValueError``/``TypeError`` naming the fault: wrong number of
        columns, wrong number of rows, NaN or inf, targets the loss is not
        defined for.
        """
        self._check_params()
        X = _as_matrix(X, "X", self.sizes[0], self.dtype)
        if Y is None:
            return X, None
        Y = _as_matrix(Y, "Y", self.sizes[-1], self.dtype, n_rows=X.shape[0])
        if self.loss_fn.check_targets is not None:
            self.loss_fn.check_targets(Y)
        return X, Y

    # -- forward ------------------------------------------------------------------------------
    def _forward(self, X: Array) -> ForwardPass:
        z: list[Array | None] = [None]
        a: list[Array] = [X]
        for l, act in enumerate(self.activations, 1):
            Z = a[-1] @ self.params[f"W{l}"]
            Z += self.params[f"b{l}"]
            z.append(Z)
            a.append(act.function(Z))
        return ForwardPass(z, a)

    def forward(self, X: object) -> ForwardPass:
        """Run the forward pass and keep every ``z[l]`` and ``a[l]``.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> fp = bp.MLP([2, 3, 1], seed=0).forward(np.ones((5, 2)))
        >>> [a.shape for a in fp.a], fp.z[0] is None
        ([(5, 2), (5, 3), (5, 1)], True)
        """
        X, _ = self.check_inputs(X)
        return self._forward(X)

    def predict(self, X: object) -> Array:
        """The network's output ``a[L]`` for inputs ``X`` of shape (n, n_0)."""
        return self.forward(X).output

    # -- loss ---------------------------------------------------------------------------------
    def _loss(self, fp: ForwardPass, Y: Array) -> float:
        if self._fused is not None:
            return self._fused(fp.z[-1], Y)
        return self.loss_fn.value(fp.output, Y)

    def loss(self, X: object, Y: object) -> float:
        """The loss on ``(X, Y)``: summed over outputs, averaged over samples."""
        X, Y = self.check_inputs(X, Y)
        return self._loss(self._forward(X), Y)

    # -- backward -----------------------------------------------------------------------------
    def _output_delta(self, fp: ForwardPass, Y: Array) -> Array:
        yhat = fp.output
        if self._fused is not None:
            return (yhat - Y) / len(Y)
        grad_a = self.loss_fn.gradient(yhat, Y)
        return self.activations[-1].backward(fp.z[-1], yhat, grad_a)

    def _backprop(self, fp: ForwardPass, Y: Array, deltas: list | None = None) -> dict[str, Array]:
        grads: dict[str, Array] = {}
        delta = self._output_delta(fp, Y)
        for l in range(self.n_layers, 0, -1):
            if deltas is not None:
                deltas[l] = delta
            grads[f"W{l}"] = fp.a[l - 1].T @ delta
            grads[f"b{l}"] = delta.sum(axis=0)
            if l > 1:  # the first layer's input gradient dL/dX is never needed
                grad_a = delta @ self.params[f"W{l}"].T
                delta = self.activations[l - 2].backward(fp.z[l - 1], fp.a[l - 1], grad_a)
        return {k: grads[k] for k in self.params}

    def gradients(self, X: object, Y: object) -> dict[str, Array]:
        """``dL/dW{l}`` and ``dL/db{l}`` for every layer, keyed and shaped like ``params``."""
        X, Y = self.check_inputs(X, Y)
        return self._backprop(self._forward(X), Y)

    def deltas(self, X: object, Y: object) -> list[Array | None]:
        """``delta[l] = dL/dz[l]`` for l = 1..L (``delta[0]`` is ``None``), batched over samples.

        Examples
        --------
        >>> import numpy as np, backprop as bp
        >>> d = bp.MLP([2, 3, 1], seed=0).deltas(np.ones((5, 2)), np.zeros((5, 1)))
        >>> [None if x is None else x.shape for x in d]
        [None, (5, 3), (5, 1)]
        """
        X, Y = self.check_inputs(X, Y)
        out: list[Array | None] = [None] * (self.n_layers + 1)
        self._backprop(self._forward(X), Y, deltas=out)
        return out

    def fit(self, X: object, Y: object, epochs: int = 100, lr: float = 0.1, **options):
        """Train by gradient descent; see :func:`backprop.fit` for the options."""
        from .training import fit

        return fit(self, X, Y, epochs=epochs, lr=lr, **options)
