"""Optimisers: how a gradient becomes a step.

What each optimiser keeps and how it updates it is stated once, in the table
of [OPTIMISERS][backprop.OPTIMISERS] at the end of this file.
[fit][backprop.MLP.fit] takes a name (a fresh optimiser with the default
settings) or an [Optimiser][backprop.Optimiser] object, whose state then lives
on across calls of ``fit``.

A step is all or nothing: [Optimiser.step][backprop.Optimiser.step] checks the
gradients, computes every parameter's update and new state without writing
anything, and only then applies them.  A bad gradient, or an exception in a
user's ``update``, leaves the parameters and the optimiser's state as they
were.  States are never modified in place (each step makes new arrays), so a
[snapshot][backprop.Optimiser.snapshot] costs nothing and ``fit`` rolls the
optimiser back with the parameters when the loss diverges.

Examples
--------
>>> import numpy as np
>>> p, g = {"W1": np.array([[1.0, -2.0]])}, {"W1": np.array([[0.5, 0.5]])}
>>> opt = Momentum(mu=0.9)
>>> opt.step(p, g, lr=0.1); opt.step(p, {"W1": np.array([[0.5, 0.5]])}, lr=0.1)
>>> opt.state["W1"]["v"], p["W1"]            # v = 0.5, then 0.9 * 0.5 + 0.5
(array([[0.95, 0.95]]), array([[ 0.855, -2.145]]))
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

from ._kernels import all_finite

Array = np.ndarray
State = dict[str, "Array | int"]


def _coefficient(value: object, name: str, low: float = 0.0, high: float = 1.0, open_low: bool = False) -> float:
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    bad = not math.isfinite(value) or value >= high or value < low or (open_low and value == low)
    if bad:
        interval = f"{'(' if open_low else '['}{low:g}, {high:g})"
        raise ValueError(f"{name} must be in {interval}, got {value!r}")
    return value


# The dtype's largest number times 2⁻²⁰: a learning rate and a bound on SGD's steps below it leave room for rounding.
_LARGEST = {np.dtype(t): float(np.finfo(t).max) * 2.0**-20 for t in (np.float16, np.float32, np.float64)}


def check_lr(lr: object, where: str = "") -> float:
    """``lr`` as a float, or a ``ValueError`` if it is not a positive finite number.

    Examples
    --------
    >>> check_lr(0.1), check_lr(np.float32(0.5))
    (0.1, 0.5)
    """
    if not isinstance(lr, numbers.Real) or isinstance(lr, (bool, np.bool_)) or not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number{where}, got {lr!r}")
    return float(lr)


class Optimiser:
    """The base of every optimiser: per-parameter state, and a step that is all or nothing.

    A new optimiser subclasses this and defines [update][backprop.Optimiser.update]
    (and [init_state][backprop.Optimiser.init_state] if it keeps state); the
    base class checks the gradients, keeps the state and applies the steps.

    Attributes
    ----------
    name : str
        A short name for reports.
    state : dict
        Parameter key (``"W1"``, …) → that parameter's state, a dict of arrays
        (and counts) such as ``{"v": velocity}``.  Each step replaces these
        dicts by new ones; it never writes into them.
    steps : int
        The number of steps taken.

    Examples
    --------
    Sign descent, p ← p − η sign(g), written as an optimiser:

    >>> import numpy as np
    >>> class SignDescent(Optimiser):
    ...     name = "sign descent"
    ...     def update(self, key, p, g, state, lr):
    ...         return lr * np.sign(g), state
    >>> params = {"b1": np.array([1.0, 1.0])}
    >>> SignDescent().step(params, {"b1": np.array([-3.0, 0.2])}, lr=0.5)
    >>> params["b1"]
    array([1.5, 0.5])
    """

    name = "optimiser"

    def __init__(self) -> None:
        self.state: dict[str, State] = {}
        self.steps = 0

    def init_state(self, p: Array) -> State:
        """The state of a parameter before its first step (default: none, ``{}``).

        Parameters
        ----------
        p
            The parameter array.

        Returns
        -------
        dict
            Name → array (or count).
        """
        return {}

    def update(self, key: str, p: Array, g: Array, state: State, lr: float) -> tuple[Array, State]:
        """One parameter's step: Δ (the step is p ← p − Δ) and the parameter's new state.

        It must not write into ``p`` or into the arrays of ``state`` (return new
        ones); it may overwrite ``g``, a temporary of the training loop.

        Parameters
        ----------
        key
            The parameter's name (``"W1"``, ``"b1"``, …).
        p
            The parameter's current value.
        g
            Its gradient ∂𝓛/∂p.
        state
            Its state after the previous step (``init_state(p)`` before the first).
        lr
            The learning rate η of this step.

        Returns
        -------
        tuple
            Δ, an array of the shape of ``p``, and the new state.
        """
        raise NotImplementedError(f"{type(self).__name__} must define update(key, p, g, state, lr)")

    def step(self, params: dict[str, Array], grads: Mapping[str, Array], lr: float, *,
             grad_norm: float | None = None) -> None:
        """Update every parameter in place, p ← p − Δ, all or nothing.

        Parameters
        ----------
        params
            The parameters (``net.params``), updated in place.
        grads
            ∂𝓛/∂p for every key of ``params``, of the same shapes; the arrays
            may be overwritten (they are the training loop's temporaries).
        lr
            The learning rate η.
        grad_norm
            The Euclidean norm of all the gradients together (or a bound on
            it), if the caller has computed it and found it finite (``fit``
            has): then every entry is finite and the gradients are not
            tested again.  Plain
            gradient descent's steps are then not tested either: every
            entry of Δ = η g is at most η ``grad_norm`` in size, so Δ is
            finite while η and η ``grad_norm`` are far below the dtype's
            largest number.

        Raises
        ------
        ValueError
            Before anything is changed: for missing or extra gradients, a wrong
            shape, a read-only parameter, or a state that belongs to other
            parameters.
        FloatingPointError
            Before anything is changed: for a gradient or a step that is not
            finite (inf or NaN).
        """
        lr = check_lr(lr)
        if grads.keys() != params.keys():
            missing = [k for k in params if k not in grads]
            extra = [k for k in grads if k not in params]
            raise ValueError(f"{self.name}: the gradients must have the keys of the parameters; missing "
                             f"{missing or 'none'}, unexpected {extra or 'none'}")
        # SGD's Δ = η g has |Δᵢ| ≤ η ‖g‖, up to rounding: if η and η ‖g‖ are both below 2⁻²⁰ times the dtype's
        # largest number (η must fit the dtype too: the step rounds it to the dtype first, and a gradient too
        # small for its square to register gives a norm of 0), the steps are finite without looking at them.
        plain_steps = grad_norm is not None and type(self).update is SGD.update
        for key, p in params.items():
            g = grads[key]
            if not isinstance(g, np.ndarray) or g.shape != p.shape:
                raise ValueError(f"{self.name}: the gradient of {key} has shape {np.shape(g)}, the parameter "
                                 f"{p.shape}")
            if grad_norm is None and not all_finite(g):
                bad = tuple(int(i) for i in np.argwhere(~np.isfinite(g))[0])
                raise FloatingPointError(f"{self.name}: the gradient of {key} is {g[bad]} at {bad}; nothing was "
                                         f"updated")
            if not p.flags.writeable:
                raise ValueError(f"params[{key!r}] is read-only (a broadcast or a view of read-only memory): "
                                 f"the parameters are updated in place; give it a writable copy, p.copy()")
            plain_steps = plain_steps and max(lr, lr * grad_norm) < _LARGEST.get(p.dtype, 0.0)
        new: dict[str, tuple[Array, State]] = {}
        for key, p in params.items():  # compute everything first: nothing is written until all steps are known
            state = self.state.get(key)
            if state is None:
                state = self.init_state(p)
            else:
                for name, value in state.items():
                    if isinstance(value, np.ndarray) and value.shape != p.shape:
                        raise ValueError(f"{self.name}: its state {name!r} of {key} has shape {value.shape}, but "
                                         f"the parameter has {p.shape}: this optimiser was used on another "
                                         f"network (use a new one, or reset() it)")
            delta, new_state = self.update(key, p, grads[key], state, lr)
            if not isinstance(delta, np.ndarray) or delta.shape != p.shape:
                raise ValueError(f"{self.name}: update gave a step of shape {np.shape(delta)} for {key} of shape "
                                 f"{p.shape}")
            if not plain_steps and not all_finite(delta):
                raise FloatingPointError(f"{self.name}: the step of {key} is not finite (too large for "
                                         f"{delta.dtype}); nothing was updated")
            new[key] = (delta, new_state)
        for key, (delta, new_state) in new.items():  # apply: in-place subtractions of checked arrays cannot fail
            params[key] -= delta
            self.state[key] = new_state
        self.steps += 1

    def snapshot(self) -> tuple[int, dict[str, State]]:
        """The optimiser's state now, to [restore][backprop.Optimiser.restore] later (no arrays are copied).

        Returns
        -------
        tuple
            The step count and the per-parameter states.
        """
        return self.steps, dict(self.state)

    def restore(self, snapshot: tuple[int, dict[str, State]]) -> None:
        """Go back to a [snapshot][backprop.Optimiser.snapshot].

        Parameters
        ----------
        snapshot
            What ``snapshot()`` returned.
        """
        self.steps, state = snapshot
        self.state = dict(state)

    def reset(self) -> None:
        """Forget all state, as if no step had been taken."""
        self.state, self.steps = {}, 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._options()})"

    def _options(self) -> str:
        return ""


class SGD(Optimiser):
    """Plain gradient descent, p ← p − η g.  No state.

    Attributes
    ----------
    name : str
        ``"sgd"``.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"W1": np.array([[1.0]])}
    >>> SGD().step(p, {"W1": np.array([[2.0]])}, lr=0.1)
    >>> p["W1"]
    array([[0.8]])
    """

    name = "sgd"

    def update(self, key: str, p: Array, g: Array, state: State, lr: float) -> tuple[Array, State]:
        """Δ = η g (computed in the gradient's array)."""
        g *= lr
        return g, state


class Momentum(Optimiser):
    """Gradient descent with momentum (heavy ball), or Nesterov's accelerated gradient.

    v ← μ v + g, then p ← p − η v (heavy ball) or p ← p − η (g + μ v)
    (Nesterov: the step looks ahead along the new velocity).  With a constant
    η the heavy ball is p ← p − η g + μ (p − p_previous).

    Parameters
    ----------
    mu
        The momentum coefficient μ, in [0, 1); 0 is plain gradient descent.
    nesterov
        Use Nesterov's form.

    Attributes
    ----------
    name : str
        ``"momentum"`` or ``"nesterov"``.
    mu : float
        μ.
    nesterov : bool
        Nesterov's form.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"b1": np.array([0.0])}
    >>> opt = Momentum(mu=0.5)
    >>> for _ in range(3):
    ...     opt.step(p, {"b1": np.array([1.0])}, lr=1.0)   # v = 1, 1.5, 1.75
    >>> p["b1"]
    array([-4.25])
    """

    name = "momentum"

    def __init__(self, mu: float = 0.9, nesterov: bool = False) -> None:
        super().__init__()
        self.mu = _coefficient(mu, "mu")
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        self.nesterov = bool(nesterov)
        self.name = "nesterov" if self.nesterov else "momentum"

    def init_state(self, p: Array) -> State:
        """v = 0."""
        return {"v": np.zeros_like(p)}

    def update(self, key: str, p: Array, g: Array, state: State, lr: float) -> tuple[Array, State]:
        """v ← μ v + g; Δ = η v, or η (g + μ v) for Nesterov."""
        v = self.mu * state["v"] + g
        step = g + self.mu * v if self.nesterov else v.copy()
        step *= lr
        return step, {"v": v}

    def _options(self) -> str:
        return f"mu={self.mu}" + (", nesterov=True" if self.nesterov else "")


class RMSProp(Optimiser):
    """RMSProp: each entry's step divided by a running root mean square of its gradients.

    r ← ρ r + (1 − ρ) g², then p ← p − η g / (√r + ϵ).  Every entry moves by
    about η whatever the size of its gradient.  r starts at 0 and is not
    bias-corrected, so the first steps are larger (the first is
    η/√(1 − ρ) in each entry): [Adam][backprop.Adam] corrects that.

    Parameters
    ----------
    rho
        The decay ρ of the running mean, in [0, 1).
    eps
        ϵ, added to √r so that a zero gradient gives a zero step.

    Attributes
    ----------
    name : str
        ``"rmsprop"``.
    rho : float
        ρ.
    eps : float
        ϵ.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"b1": np.array([0.0, 0.0])}
    >>> RMSProp(rho=0.9).step(p, {"b1": np.array([100.0, -0.01])}, lr=0.1)
    >>> np.round(p["b1"], 4)                     # the same size, about 0.1 / sqrt(0.1)
    array([-0.3162,  0.3162])
    """

    name = "rmsprop"

    def __init__(self, rho: float = 0.9, eps: float = 1e-8) -> None:
        super().__init__()
        self.rho = _coefficient(rho, "rho")
        self.eps = _coefficient(eps, "eps", 0.0, math.inf, open_low=True)

    def init_state(self, p: Array) -> State:
        """r = 0."""
        return {"r": np.zeros_like(p)}

    def update(self, key: str, p: Array, g: Array, state: State, lr: float) -> tuple[Array, State]:
        """r ← ρ r + (1 − ρ) g²; Δ = η g / (√r + ϵ)."""
        r = self.rho * state["r"] + (1.0 - self.rho) * (g * g)
        return lr * g / (np.sqrt(r) + self.eps), {"r": r}

    def _options(self) -> str:
        return f"rho={self.rho}, eps={self.eps:g}"


class Adam(Optimiser):
    """Adam: momentum on the gradient, divided by RMSProp's root mean square, both bias-corrected.

    m ← β₁ m + (1 − β₁) g and r ← β₂ r + (1 − β₂) g² are running means that
    start at 0, so after t steps they hold only (1 − β₁ᵗ) and (1 − β₂ᵗ) of the
    weight of a full mean; m̂ = m / (1 − β₁ᵗ) and r̂ = r / (1 − β₂ᵗ) undo that,
    and p ← p − η m̂ / (√r̂ + ϵ).  The first step is about η in every entry
    with a nonzero gradient.

    Parameters
    ----------
    beta1, beta2
        The decays β₁ and β₂, in [0, 1).
    eps
        ϵ, added to √r̂.

    Attributes
    ----------
    name : str
        ``"adam"``.
    beta1 : float
        β₁.
    beta2 : float
        β₂.
    eps : float
        ϵ.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"b1": np.array([0.0, 0.0])}
    >>> Adam().step(p, {"b1": np.array([100.0, -0.01])}, lr=0.1)
    >>> np.round(p["b1"], 6)                     # m-hat = g and r-hat = g^2: a step of lr
    array([-0.1,  0.1])
    """

    name = "adam"

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__()
        self.beta1 = _coefficient(beta1, "beta1")
        self.beta2 = _coefficient(beta2, "beta2")
        self.eps = _coefficient(eps, "eps", 0.0, math.inf, open_low=True)

    def init_state(self, p: Array) -> State:
        """m = 0, r = 0, t = 0."""
        return {"m": np.zeros_like(p), "r": np.zeros_like(p), "t": 0}

    def update(self, key: str, p: Array, g: Array, state: State, lr: float) -> tuple[Array, State]:
        """m, r and t as in the table; Δ = η m̂ / (√r̂ + ϵ)."""
        t = state["t"] + 1
        m = self.beta1 * state["m"] + (1.0 - self.beta1) * g
        r = self.beta2 * state["r"] + (1.0 - self.beta2) * (g * g)
        m_hat = m / (1.0 - self.beta1**t)
        r_hat = r / (1.0 - self.beta2**t)
        return lr * m_hat / (np.sqrt(r_hat) + self.eps), {"m": m, "r": r, "t": t}

    def _options(self) -> str:
        return f"beta1={self.beta1}, beta2={self.beta2}, eps={self.eps:g}"


class AdamW(Adam):
    """Adam with decoupled weight decay: Adam's step, and the weights shrink by η α p.

    The decay is applied to the weights ``W{l}`` only (not to biases or to
    batch normalisation's γ and β), like the L2 penalty ``MLP(..., l2=α)``.
    The two differ under Adam: the penalty's gradient α W goes through Adam's
    division by √r̂, so a weight with large gradients is barely decayed, while
    AdamW shrinks every weight by the same fraction η α per step.

    Parameters
    ----------
    weight_decay
        α ≥ 0.
    beta1, beta2, eps
        As for [Adam][backprop.Adam].

    Attributes
    ----------
    name : str
        ``"adamw"``.
    weight_decay : float
        α.

    Examples
    --------
    >>> import numpy as np
    >>> p = {"W1": np.array([[2.0]]), "b1": np.array([2.0])}
    >>> AdamW(weight_decay=0.5).step(p, {"W1": np.array([[0.0]]), "b1": np.array([0.0])}, lr=0.1)
    >>> p["W1"], p["b1"]                         # a zero gradient: only the weight decays, by 0.1 * 0.5 * 2
    (array([[1.9]]), array([2.]))
    """

    name = "adamw"

    def __init__(self, weight_decay: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(beta1, beta2, eps)
        self.weight_decay = _coefficient(weight_decay, "weight_decay", 0.0, math.inf)

    def update(self, key: str, p: Array, g: Array, state: State, lr: float) -> tuple[Array, State]:
        """Adam's Δ, plus η α p for a weight."""
        step, state = super().update(key, p, g, state, lr)
        if key.startswith("W") and self.weight_decay:
            step += (lr * self.weight_decay) * p
        return step, state

    def _options(self) -> str:
        return f"weight_decay={self.weight_decay}, " + super()._options()


OPTIMISERS: dict[str, type[Optimiser] | tuple[type[Optimiser], dict]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": (Momentum, {"nesterov": True}),
    "rmsprop": RMSProp,
    "adam": Adam,
    "adamw": AdamW,
}
"""Name → optimiser class (and options): what ``fit(..., optimiser=name)`` makes, with the default settings.

For every parameter array p (``W{l}``, ``b{l}``, …) with gradient g = ∂𝓛/∂p and
learning rate η, one step does (products, squares, square roots and quotients
are taken entry by entry; the state starts at zero):

| name | state per parameter | one step |
|---|---|---|
| ``"sgd"``: [SGD][backprop.SGD] | none | p ← p − η g |
| ``"momentum"``: [Momentum][backprop.Momentum] | velocity v | v ← μ v + g;  p ← p − η v |
| ``"nesterov"``: ``Momentum(nesterov=True)`` | velocity v | v ← μ v + g;  p ← p − η (g + μ v) |
| ``"rmsprop"``: [RMSProp][backprop.RMSProp] | r | r ← ρ r + (1 − ρ) g²;  p ← p − η g / (√r + ϵ) |
| ``"adam"``: [Adam][backprop.Adam] | m, r, t | t ← t + 1;  m ← β₁ m + (1 − β₁) g;  r ← β₂ r + (1 − β₂) g²; |
| | | p ← p − η m̂ / (√r̂ + ϵ), with m̂ = m / (1 − β₁ᵗ) and r̂ = r / (1 − β₂ᵗ) |
| ``"adamw"``: [AdamW][backprop.AdamW] | m, r, t | Adam's step; for a weight W also p ← p − η α p |

Defaults: μ = 0.9, ρ = 0.9, β₁ = 0.9, β₂ = 0.999, ϵ = 10⁻⁸, α = 0.01.
"""


def get_optimiser(spec: str | Optimiser) -> Optimiser:
    """A new optimiser for a name of [OPTIMISERS][backprop.OPTIMISERS], or the [Optimiser][backprop.Optimiser] given.

    Parameters
    ----------
    spec
        A name (``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"rmsprop"``,
        ``"adam"``, ``"adamw"``) or an optimiser object.

    Returns
    -------
    Optimiser
        A fresh one for a name; the object itself otherwise.

    Examples
    --------
    >>> get_optimiser("nesterov")
    Momentum(mu=0.9, nesterov=True)
    >>> get_optimiser("adagrad")
    Traceback (most recent call last):
    ...
    ValueError: unknown optimiser 'adagrad'; valid names: sgd, momentum, nesterov, rmsprop, adam, adamw
    """
    if isinstance(spec, Optimiser):
        return spec
    if isinstance(spec, str):
        if spec not in OPTIMISERS:
            raise ValueError(f"unknown optimiser {spec!r}; valid names: {', '.join(OPTIMISERS)}")
        entry = OPTIMISERS[spec]
        cls, options = entry if isinstance(entry, tuple) else (entry, {})
        return cls(**options)
    raise TypeError(f"optimiser must be a name ({', '.join(OPTIMISERS)}) or an Optimiser object (a subclass of "
                    f"backprop.Optimiser), not {type(spec).__name__}")
