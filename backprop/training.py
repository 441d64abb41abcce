"""Gradient descent: full-batch by default, mini-batches as an option.

Examples
--------
>>> import numpy as np, backprop as bp
>>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
>>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]),
...                   W2=np.array([[0.3]]), b2=np.array([0.2]))
>>> history = net.fit(np.array([[0.5]]), np.array([[0.6]]), epochs=60, lr=0.1)
>>> len(history.loss), bool(history.loss[-1] < history.loss[0])
(60, True)
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

import numpy as np

if TYPE_CHECKING:
    from .network import MLP


@dataclass
class History:
    """What :func:`fit` recorded, one entry per epoch.

    ``loss[e]`` and ``grad_norm[e]`` are measured *before* epoch ``e``'s
    updates for full-batch training (the loss the step started from and the
    Euclidean norm of its full gradient).  With mini-batches they are the
    sample-weighted means over the epoch's batches.
    """

    loss: np.ndarray = field(default_factory=lambda: np.empty(0))
    grad_norm: np.ndarray = field(default_factory=lambda: np.empty(0))
    epochs: int = 0
    seconds: float = 0.0


class TrainingDiverged(FloatingPointError):
    """The loss became inf or NaN; ``history`` holds the epochs before that."""

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def _grad_norm(grads: dict[str, np.ndarray]) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


def _sgd_update(params: dict[str, np.ndarray], grads: dict[str, np.ndarray], lr: float) -> None:
    # p -= lr * g without a temporary the size of p: the gradient arrays are ours to scale.
    for key, g in grads.items():
        g *= lr
        params[key] -= g


def fit(
    net: MLP,
    X: object,
    Y: object,
    epochs: int = 100,
    lr: float = 0.1,
    batch_size: int | None = None,
    shuffle: bool = True,
    progress: bool | TextIO = False,
) -> History:
    """Train ``net`` in place by gradient descent and return its :class:`History`.

    Parameters
    ----------
    epochs
        Passes over the data.
    lr
        Learning rate (step size), a positive finite number.
    batch_size
        ``None`` (default): full-batch gradient descent, one update per epoch.
        An integer: mini-batches of that size (the last may be smaller).
    shuffle
        Shuffle the samples each epoch (mini-batch only), with the network's seed.
    progress
        ``True`` (stderr) or a text stream: a progress bar with the epoch, the loss,
        the time elapsed and an estimate of the time left, redrawn at most 5 times a second.

    Raises
    ------
    TrainingDiverged
        A ``FloatingPointError``, if the loss becomes inf or NaN; the history up
        to that epoch is on the exception.
    ValueError
        For a bad option or bad data (see :meth:`MLP.check_inputs <backprop.network.MLP.check_inputs>`).
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (
        math.isfinite(lr) and lr > 0
    ):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    X, Y = net.check_inputs(X, Y)
    n = len(X)
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1
    ):
        raise ValueError(f"batch_size must be a positive integer or None, got {batch_size!r}")
    full_batch = batch_size is None or batch_size >= n
    stream = sys.stderr if progress is True else (progress or None)
    losses = np.empty(epochs)
    norms = np.empty(epochs)
    start = last_print = time.perf_counter()
    lr = float(lr)

    for epoch in range(epochs):
        if full_batch:
            fp = net._forward(X)
            losses[epoch] = net._loss(fp, Y)
            grads = net._backprop(fp, Y)
            norms[epoch] = _grad_norm(grads)
            _sgd_update(net.params, grads, lr)
        else:
            order = net.rng.permutation(n) if shuffle else np.arange(n)
            total_loss = total_norm = 0.0
            for lo in range(0, n, batch_size):
                idx = order[lo:lo + batch_size]
                Xb, Yb = X[idx], Y[idx]
                fp = net._forward(Xb)
                total_loss += net._loss(fp, Yb) * len(idx)
                grads = net._backprop(fp, Yb)
                total_norm += _grad_norm(grads) * len(idx)
                _sgd_update(net.params, grads, lr)
            losses[epoch], norms[epoch] = total_loss / n, total_norm / n
        if not math.isfinite(losses[epoch]):
            history = History(losses[:epoch].copy(), norms[:epoch].copy(), epoch,
                              time.perf_counter() - start)
            raise TrainingDiverged(
                f"loss became {losses[epoch]} at epoch {epoch} with lr={lr}; try a smaller "
                f"learning rate (the epochs before are in .history)", history)
        if stream is not None:
            now = time.perf_counter()
            if now - last_print > 0.2 or epoch == epochs - 1:
                last_print = now
                done = (epoch + 1) / epochs
                eta = (now - start) * (1 - done) / done
                bar = "#" * round(20 * done)
                stream.write(f"\r[{bar:<20}] epoch {epoch + 1}/{epochs}  loss {losses[epoch]:.6g}  "
                             f"{now - start:.1f}s elapsed, {eta:.1f}s left")
                if epoch == epochs - 1:
                    stream.write("\n")
                stream.flush()
    return History(losses, norms, epochs, time.perf_counter() - start)
