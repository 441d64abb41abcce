"""Gradient descent: full batch or mini-batches, with validation, early stopping, and safe stops.

[fit][backprop.fit] repeats one step, [MLP.value_and_grad][backprop.MLP.value_and_grad]
then p ← p − η ∂𝓛/∂p for every parameter p, and records a [History][backprop.History].
Whatever stops it (the last epoch, early stopping, a diverging loss, Ctrl-C,
an exception), the network is left with a consistent set of parameters:
those after a completed update, the best ones (early stopping), or the last
ones whose loss was finite (divergence).

Examples
--------
>>> import numpy as np, backprop as bp
>>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
>>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]),
...                   W2=np.array([[0.3]]), b2=np.array([0.2]))
>>> history = net.fit(np.array([[0.5]]), np.array([[0.6]]), epochs=60, lr=0.1)
>>> len(history.loss), bool(history.loss[-1] < history.loss[0]), history.stopped
(60, True, 'completed')
"""

from __future__ import annotations

import math
import numbers
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

import numpy as np

if TYPE_CHECKING:
    from .network import MLP

Array = np.ndarray


@dataclass
class History:
    """What [fit][backprop.fit] recorded, one entry per completed epoch.

    Attributes
    ----------
    loss : ndarray
        The training loss of each epoch.  Full batch: ``loss[e]`` is 𝓛 at the
        parameters epoch e started from (before its update).  Mini-batches: the
        mean over the epoch's batches, each measured before its own update,
        weighted by batch size.
    grad_norm : ndarray
        The Euclidean norm of the full gradient (all parameters together),
        measured like ``loss``.
    epochs : int
        The number of completed epochs (the length of ``loss``).
    seconds : float
        Wall-clock time of training.
    val_loss : ndarray
        With ``validation``: the validation loss *after* each epoch's updates
        (empty otherwise).
    best_epoch : int or None
        With ``validation``: the epoch after which the validation loss was
        lowest; with ``patience``, its parameters are the ones kept.
    step_loss : ndarray
        The loss of every update, in order, each measured before its update
        (on its mini-batch); it includes the updates of an epoch that did not
        complete (interrupted, or diverged).  Full batch: the same as ``loss``.
    stopped : str
        Why training ended: ``"completed"`` (all epochs), ``"early stopping"``,
        ``"interrupted"`` (KeyboardInterrupt) or ``"diverged"`` (on the
        history of a [TrainingDiverged][backprop.TrainingDiverged]).
    """

    loss: Array = field(default_factory=lambda: np.empty(0))
    grad_norm: Array = field(default_factory=lambda: np.empty(0))
    epochs: int = 0
    seconds: float = 0.0
    val_loss: Array = field(default_factory=lambda: np.empty(0))
    best_epoch: int | None = None
    step_loss: Array = field(default_factory=lambda: np.empty(0))
    stopped: str = "completed"


class TrainingDiverged(FloatingPointError):
    """The loss became inf or NaN during [fit][backprop.fit].

    The network's parameters have been rolled back to the last ones whose loss
    was finite (they were never left at the failing values).

    Attributes
    ----------
    history : History
        The completed epochs before the divergence (``stopped == "diverged"``).
    """

    def __init__(self, message: str, history: History) -> None:
        super().__init__(message)
        self.history = history


def _positive_int(value: object, name: str, extra: str = "") -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)) or value < 1:
        raise ValueError(f"{name} must be a positive integer{extra}, got {value!r}")
    return int(value)


def _progress_stream(progress: object) -> TextIO | None:
    if isinstance(progress, (bool, np.bool_)) or progress is None:
        return sys.stderr if progress else None
    if callable(getattr(progress, "write", None)) and callable(getattr(progress, "flush", None)):
        return progress
    raise TypeError(f"progress must be True, False or a text stream with write() and flush(), got {progress!r}")


def _grad_norm(grads: dict[str, Array]) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


class _UpdateGuard:
    """Keeps Ctrl-C from landing in the middle of a parameter update.

    Between ``hold()`` and ``release()``, a SIGINT is held and raised as
    ``KeyboardInterrupt`` by ``release()``.  It works in the main thread when
    Python's own SIGINT handler is installed; elsewhere it changes nothing.
    """

    def __enter__(self) -> _UpdateGuard:
        self.busy = self.pending = self.installed = False
        if (threading.current_thread() is threading.main_thread()
                and signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            signal.signal(signal.SIGINT, self._handler)
            self.installed = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, signal.default_int_handler)

    def _handler(self, signum: int, frame: object) -> None:
        if self.busy:
            self.pending = True
        else:
            raise KeyboardInterrupt

    def hold(self) -> None:
        self.busy = True

    def release(self) -> None:
        self.busy = False
        if self.pending:
            self.pending = False
            raise KeyboardInterrupt


def _sgd_update(params: dict[str, Array], grads: dict[str, Array], lr: float) -> None:
    """p -= lr * g for every parameter, all or none (the gradient arrays are scaled in place)."""
    for key, p in params.items():
        if not p.flags.writeable:
            raise ValueError(f"params[{key!r}] is read-only (a broadcast or a view of read-only memory): "
                             f"fit updates the parameters in place; give it a writable copy, p.copy()")
    for key, g in grads.items():
        g *= lr  # p -= lr * g without a temporary the size of p
        params[key] -= g


def _copy_into(dst: dict[str, Array], src: dict[str, Array]) -> None:
    for key, value in src.items():
        np.copyto(dst[key], value)


def fit(
    net: MLP,
    X: object,
    Y: object,
    epochs: int = 100,
    lr: float = 0.1,
    *,
    batch_size: int | None = None,
    shuffle: bool = True,
    validation: tuple[object, object] | None = None,
    patience: int | None = None,
    progress: bool | TextIO = False,
) -> History:
    """Train ``net`` in place by gradient descent: ``fit(net, X, Y, ...)`` is ``net.fit(X, Y, ...)``.

    The options, what is returned and raised, and how training stops are
    documented on [MLP.fit][backprop.MLP.fit].

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([2, 4, 1], hidden="tanh", seed=0)
    >>> bp.fit(net, np.ones((3, 2)), np.zeros((3, 1)), epochs=5).epochs
    5
    """
    epochs = _positive_int(epochs, "epochs")
    if not isinstance(lr, numbers.Real) or isinstance(lr, (bool, np.bool_)) or not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    lr = float(lr)
    if batch_size is not None:
        batch_size = _positive_int(batch_size, "batch_size", " or None")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if patience is not None:
        patience = _positive_int(patience, "patience", " or None")
        if validation is None:
            raise ValueError("patience (early stopping) needs validation=(X_val, Y_val)")
    stream = _progress_stream(progress)
    X, Y = net.check_inputs(X, Y)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, Y_val), got {type(validation).__name__}")
        try:
            Xv, Yv = net.check_inputs(*validation)
        except (ValueError, TypeError) as err:
            raise type(err)(f"validation: {err}") from None

    n = len(X)
    step = n if batch_size is None else min(batch_size, n)
    losses, norms = np.empty(epochs), np.empty(epochs)
    step_losses = np.empty(epochs * -(-n // step))
    val_losses = np.empty(epochs if validation is not None else 0)
    last_good = {k: np.empty_like(v) for k, v in net.params.items()}  # the last parameters with a finite loss
    have_good = False
    best, best_epoch, best_val = None, None, math.inf
    stopped, done, steps = "completed", 0, 0
    start = last_print = time.perf_counter()

    def history(status: str) -> History:
        return History(losses[:done].copy(), norms[:done].copy(), done, time.perf_counter() - start,
                       val_losses[:done].copy(), best_epoch, step_losses[:steps].copy(), status)

    def restore(saved: dict[str, Array]) -> None:
        guard.hold()
        _copy_into(net.params, saved)
        guard.release()

    def diverged(value: float, where: str) -> TrainingDiverged:
        if have_good:
            restore(last_good)
        return TrainingDiverged(
            f"loss became {value} {where} with lr={lr}; the parameters were rolled back to the last ones with a "
            f"finite loss. Try a smaller learning rate (the {done} completed epochs are in .history)",
            history("diverged"))

    with _UpdateGuard() as guard:
        try:
            for epoch in range(epochs):
                order = net.rng.permutation(n) if step < n and shuffle else None
                total_loss = total_norm = 0.0
                for lo in range(0, n, step):
                    if step == n:
                        Xb, Yb = X, Y
                    else:
                        idx = order[lo:lo + step] if order is not None else slice(lo, lo + step)
                        Xb, Yb = X[idx], Y[idx]
                    loss, grads = net.value_and_grad(Xb, Yb, checked=True)
                    if not math.isfinite(loss):
                        where = f"at epoch {epoch}" + ("" if step == n else f", batch {lo // step}")
                        raise diverged(loss, where)
                    step_losses[steps] = loss
                    norm = _grad_norm(grads)
                    for key, p in net.params.items():
                        np.copyto(last_good[key], p)
                    have_good = True
                    guard.hold()
                    _sgd_update(net.params, grads, lr)
                    steps += 1
                    guard.release()
                    total_loss += loss * len(Xb)
                    total_norm += norm * len(Xb)
                losses[epoch], norms[epoch] = total_loss / n, total_norm / n
                if validation is not None:
                    value = net.loss(Xv, Yv, checked=True)
                    if not math.isfinite(value):
                        raise diverged(value, f"on the validation data after epoch {epoch}")
                    val_losses[epoch] = value
                done = epoch + 1
                if validation is not None:
                    if value < best_val:
                        best_val, best_epoch = value, epoch
                        if patience is not None:
                            best = {k: v.copy() for k, v in net.params.items()}
                    elif patience is not None and epoch - best_epoch >= patience:
                        stopped = "early stopping"
                        break
                if stream is not None:
                    now = time.perf_counter()
                    if now - last_print > 0.2 or done == epochs:
                        last_print = now
                        _draw_progress(stream, done, epochs, losses[epoch],
                                       val_losses[epoch] if validation is not None else None, now - start)
            if best is None:  # the last update was never evaluated: check it did not blow up
                value = net.loss(X, Y, checked=True)
                if not math.isfinite(value):
                    raise diverged(value, f"after the last update (epoch {done - 1})")
            else:
                restore(best)
        except KeyboardInterrupt:
            stopped = "interrupted"
            if best is not None:
                restore(best)
            kept = "the best parameters so far" if best is not None else "the parameters after the last update"
            warnings.warn(f"fit interrupted (KeyboardInterrupt) after {done} complete epochs; the network keeps "
                          f"{kept} and the history of those epochs is returned", stacklevel=3)
        except TrainingDiverged:
            raise
        except Exception as err:
            err.add_note(f"backprop.fit: stopped after {done} complete epochs; the network keeps the parameters "
                         f"after the last completed update")
            raise
    if stream is not None and done < epochs:
        stream.write("\n")
    return history(stopped)


def _draw_progress(stream: TextIO, done: int, epochs: int, loss: float, val_loss: float | None,
                   elapsed: float) -> None:
    eta = elapsed * (epochs - done) / done
    bar = "#" * round(20 * done / epochs)
    val = "" if val_loss is None else f"  val {val_loss:.6g}"
    stream.write(f"\r[{bar:<20}] epoch {done}/{epochs}  loss {loss:.6g}{val}  "
                 f"{elapsed:.1f}s elapsed, {eta:.1f}s left")
    if done == epochs:
        stream.write("\n")
    stream.flush()
