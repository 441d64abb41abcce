"""Training: full batch or mini-batches, an optimiser, validation, early stopping, and safe stops.

[fit][backprop.fit] repeats one step: a training forward pass and the backward
pass ([MLP.forward][backprop.MLP.forward] with ``train=True``,
[MLP.backward][backprop.MLP.backward]), optionally clipping the gradient, then
the optimiser's update (p ← p − η ∂𝓛/∂p for plain gradient descent; the others
are in [backprop.optimisers][backprop.Optimiser]) and, with batch normalisation,
the running statistics; it records a [History][backprop.History].
Whatever stops it (the last epoch, early stopping, a diverging loss, Ctrl-C,
an exception), the network is left with a consistent set of parameters,
running statistics and optimiser state: those after a completed update, the
best ones (early stopping), or the last ones whose loss was finite (divergence).

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

from ._kernels import workspace_for
from .optimisers import SGD, Adam, AdamW, Momentum, Optimiser, RMSProp, check_lr, get_optimiser

if TYPE_CHECKING:
    from collections.abc import Callable

    from .network import MLP

Array = np.ndarray
# Optimisers whose update never keeps the gradient array it is given (each makes new arrays for its state):
# with these, fit writes every step's gradients into the same arrays.
_KEEPS_NO_GRADIENT = frozenset(cls.update for cls in (SGD, Momentum, RMSProp, Adam, AdamW))


@dataclass
class History:
    """What [fit][backprop.fit] recorded, one entry per completed epoch.

    Attributes
    ----------
    loss : ndarray
        The training loss of each epoch (with dropout, batch statistics and the
        L2 penalty, when the network has them: the loss that training
        minimises).  Full batch: ``loss[e]`` is 𝓛 at the parameters epoch e
        started from (before its update).  Mini-batches: the mean over the
        epoch's batches, each measured before its own update, weighted by
        batch size.
    grad_norm : ndarray
        The Euclidean norm of the full gradient (all parameters together),
        measured like ``loss``, before any clipping.
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
    lr : ndarray
        The learning rate of each epoch (from the schedule, if ``lr`` is one).
    clipped : ndarray
        The number of updates of each epoch whose gradient was clipped (``clip_norm``).
    """

    loss: Array = field(default_factory=lambda: np.empty(0))
    grad_norm: Array = field(default_factory=lambda: np.empty(0))
    epochs: int = 0
    seconds: float = 0.0
    val_loss: Array = field(default_factory=lambda: np.empty(0))
    best_epoch: int | None = None
    step_loss: Array = field(default_factory=lambda: np.empty(0))
    stopped: str = "completed"
    lr: Array = field(default_factory=lambda: np.empty(0))
    clipped: Array = field(default_factory=lambda: np.empty(0, dtype=np.int64))


class TrainingDiverged(FloatingPointError):
    """The loss became inf or NaN during [fit][backprop.fit].

    The network's parameters (with its running statistics and the optimiser's
    state) have been rolled back to the last ones whose loss was finite (they
    were never left at the failing values).

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


class _Snapshot:
    """The parameters, running statistics and optimiser state of a network at one moment, to go back to."""

    def __init__(self, net: MLP, optimiser: Optimiser) -> None:
        self.params = {k: np.empty_like(v) for k, v in net.params.items()}
        self.stats = {k: np.empty_like(v) for k, v in net.running_stats.items()}
        self.optimiser = optimiser.snapshot()
        self.taken = False

    def take(self, net: MLP, optimiser: Optimiser) -> None:
        for key, p in net.params.items():
            np.copyto(self.params[key], p)
        for key, r in net.running_stats.items():
            np.copyto(self.stats[key], r)
        self.optimiser = optimiser.snapshot()
        self.taken = True

    def restore(self, net: MLP, optimiser: Optimiser) -> None:
        for key, value in self.params.items():
            np.copyto(net.params[key], value)
        for key, value in self.stats.items():
            np.copyto(net.running_stats[key], value)
        optimiser.restore(self.optimiser)


def _where(epoch: int, lo: int, step: int, n: int) -> str:
    return f"at epoch {epoch}" + ("" if step == n else f", batch {lo // step}")


def _clip(grads: dict[str, Array], norm: float, clip_norm: float | None) -> bool:
    """Scale the gradients in place so their global norm is at most ``clip_norm``; True if they were scaled."""
    if clip_norm is None or norm <= clip_norm:
        return False
    scale = clip_norm / norm
    for g in grads.values():
        g *= scale
    return True


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
    optimiser: str | Optimiser = "sgd",
    clip_norm: float | None = None,
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
    schedule: Callable[[int], float] | None = None
    if callable(lr) and not isinstance(lr, numbers.Real):
        schedule = lr
    else:
        lr = check_lr(lr, " or a function of the epoch")
    opt = get_optimiser(optimiser)
    if clip_norm is not None:
        if not isinstance(clip_norm, numbers.Real) or isinstance(clip_norm, (bool, np.bool_)) or not (
                math.isfinite(clip_norm) and clip_norm > 0):
            raise ValueError(f"clip_norm must be a positive finite number or None, got {clip_norm!r}")
        clip_norm = float(clip_norm)
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
    rates, clipped = np.empty(epochs), np.zeros(epochs, dtype=np.int64)
    last_good = _Snapshot(net, opt)  # the state before the last update (whose loss was finite)
    library_step = getattr(opt.step, "__func__", None) is Optimiser.step  # not a user's own step()
    # The arrays of a step, kept for the next (None for a small network: fresh small arrays are cheaper)
    work = workspace_for(net.sizes, step, net.dtype, gradients=type(opt).update in _KEEPS_NO_GRADIENT)
    best, best_epoch, best_val = None, None, math.inf
    stopped, done, steps, rate = "completed", 0, 0, lr
    start = last_print = time.perf_counter()

    def history(status: str) -> History:
        return History(losses[:done].copy(), norms[:done].copy(), done, time.perf_counter() - start,
                       val_losses[:done].copy(), best_epoch, step_losses[:steps].copy(), status,
                       rates[:done].copy(), clipped[:done].copy())

    def restore(saved: _Snapshot) -> None:
        guard.hold()
        saved.restore(net, opt)
        guard.release()

    def diverged(what: str, where: str) -> TrainingDiverged:
        if last_good.taken:
            restore(last_good)
        return TrainingDiverged(
            f"{what} {where} with lr={rate} ({opt.name}); the parameters were rolled back to the last ones with "
            f"a finite loss. Try a smaller learning rate (the {done} completed epochs are in .history)",
            history("diverged"))

    with _UpdateGuard() as guard:
        try:
            for epoch in range(epochs):
                if schedule is not None:
                    rate = check_lr(schedule(epoch), f" (the schedule lr({epoch}) gave it)")
                rates[epoch] = rate
                order = net.rng.permutation(n) if step < n and shuffle else None
                total_loss = total_norm = 0.0
                for lo in range(0, n, step):
                    if step == n:
                        Xb, Yb = X, Y
                    else:
                        idx = order[lo:lo + step] if order is not None else slice(lo, lo + step)
                        Xb, Yb = X[idx], Y[idx]
                    fp = net._pass(Xb, Yb, True, None, True, work)[0]  # forward(Xb, Yb, train=True, checked=True)
                    if not math.isfinite(fp.loss):
                        raise diverged(f"loss became {fp.loss}", _where(epoch, lo, step, n))
                    grads = net.backward(fp, Yb)
                    step_losses[steps] = fp.loss
                    norm = _grad_norm(grads)
                    if not math.isfinite(norm):
                        raise diverged(f"gradient norm became {norm}", _where(epoch, lo, step, n))
                    clipped[epoch] += _clip(grads, norm, clip_norm)
                    last_good.take(net, opt)
                    guard.hold()
                    try:
                        if library_step:  # all or nothing; the gradients are finite (their norm is)
                            opt.step(net.params, grads, rate, grad_norm=norm)
                        else:
                            opt.step(net.params, grads, rate)
                        if net.running_stats:  # batch normalisation's running statistics
                            net.update_running_stats(fp)
                        steps += 1
                    except FloatingPointError as err:
                        raise diverged(f"the update failed ({err})", _where(epoch, lo, step, n)) from None
                    finally:
                        guard.release()
                    total_loss += fp.loss * len(Xb)
                    total_norm += norm * len(Xb)
                losses[epoch], norms[epoch] = total_loss / n, total_norm / n
                if validation is not None:
                    value = net.loss(Xv, Yv, checked=True)
                    if not math.isfinite(value):
                        raise diverged(f"loss became {value}", f"on the validation data after epoch {epoch}")
                    val_losses[epoch] = value
                done = epoch + 1
                if validation is not None:
                    if value < best_val:
                        best_val, best_epoch = value, epoch
                        if patience is not None:
                            if best is None:
                                best = _Snapshot(net, opt)
                            best.take(net, opt)
                    elif patience is not None and epoch - best_epoch >= patience:
                        stopped = "early stopping"
                        break
                if stream is not None:
                    now = time.perf_counter()
                    if now - last_print > 0.2 or done == epochs:
                        last_print = now
                        _draw_progress(stream, done, epochs, losses[epoch],
                                       val_losses[epoch] if validation is not None else None, now - start)
            if best is None:  # the last update was never evaluated: check it did not blow up (in the kept arrays)
                value = net._pass(X, Y, False, None, True, work)[0].loss  # loss(X, Y, checked=True)
                if not math.isfinite(value):
                    raise diverged(f"loss became {value}", f"after the last update (epoch {done - 1})")
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
