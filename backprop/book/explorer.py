"""The network explorer: an interactive diagram of a small network, embedded in a page by one call.

A hidden cell of a page calls :func:`explorer` with a :class:`backprop.MLP`, one sample and a
learning rate::

    from backprop.book.explorer import explorer
    explorer(net, X, Y, lr=0.1)

The page then shows the network drawn as inline SVG by the site's ``explorer.js``: *Forward* fills
in every pre-activation and activation unit by unit, *Backward* every delta and weight gradient,
*Step* applies one update of gradient descent, *Train* keeps stepping with a live loss curve, and
every weight, bias, input and target can be edited. The widget starts from the network's own
numbers (read off ``net.params``, never typed twice), and the values the library computes for them
(:func:`reference_values`) travel with it in the page, so that a browser test can check that the
widget's arithmetic agrees with the library's.

The explorer handles one sample (N = 1), layers of at most :data:`MAX_UNITS` units, at most
:data:`MAX_LAYERS` layers, float64 networks built from the library's own activations and losses,
and the (output activation, loss) pairs of :data:`OUTPUTS`.

Examples
--------
>>> import numpy as np, backprop as bp
>>> net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
>>> net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
>>> spec = network_spec(net, [[0.5]], [[0.6]], lr=0.1)
>>> spec["sizes"], spec["activations"], spec["W"], spec["x"]
([1, 1, 1], ['sigmoid', 'identity'], [[[0.4]], [[0.3]]], [0.5])
>>> round(reference_values(net, [[0.5]], [[0.6]], lr=0.1)["loss"], 5)
0.02592
"""

from __future__ import annotations

import copy
import html
import json
import math
from typing import Any

import numpy as np

from ..activations import get_activation
from ..losses import LOSSES
from ..network import MLP

__all__ = ["HIDDEN", "MAX_LAYERS", "MAX_UNITS", "OUTPUTS", "TRAIN_STEPS", "explorer", "explorer_html",
           "network_spec", "random_cases", "reference_case", "reference_values"]

MAX_UNITS = 4
"""Most units in one layer the explorer draws (a 4-4-4-2 network fits a page column)."""
MAX_LAYERS = 4
"""Most layers, input and output included (two hidden layers)."""
HIDDEN = ("identity", "sigmoid", "tanh", "relu")
"""Hidden activations the explorer offers."""
OUTPUTS = {
    "mse": ("identity", "sigmoid", "tanh", "relu", "softmax"),
    "bce": ("sigmoid",),
    "cross_entropy": ("softmax",),
}
"""Loss -> the output activations the explorer offers with it (``explorer.js`` has the same table).

All are pairs the library accepts; sigmoid + bce and softmax + cross_entropy are the fused pairs
(loss from the logits, output delta ŷ − y)."""
TRAIN_STEPS = 12
"""Steps of gradient descent in the reference, to check the widget's *Train*."""


def _check(net: MLP, X: object, Y: object, lr: float) -> tuple[np.ndarray, np.ndarray, float]:
    if not isinstance(net, MLP):
        raise TypeError(f"net must be a backprop.MLP, got {type(net).__name__}")
    if net.dtype != np.float64:
        raise TypeError(f"the explorer computes in float64; this network is {net.dtype.name}")
    sizes = net.sizes
    if len(sizes) > MAX_LAYERS or max(sizes) > MAX_UNITS:
        raise ValueError(f"the explorer draws at most {MAX_LAYERS} layers of at most {MAX_UNITS} units; "
                         f"this network has sizes {sizes}")
    names = [a.name for a in net.activations]
    for l, (name, act) in enumerate(zip(names, net.activations, strict=True), 1):
        allowed = HIDDEN if l < net.n_layers else OUTPUTS.get(net.loss_fn.name, ())
        builtin = name in HIDDEN + ("softmax",) and act is get_activation(name)
        if not builtin or name not in allowed:
            what = "hidden activation" if l < net.n_layers else f"output activation with loss {net.loss_fn.name!r}"
            raise ValueError(f"layer {l}: {what} {name!r} is not one the explorer offers "
                             f"(it offers {', '.join(allowed) or 'none for this loss'})")
    if net.loss_fn is not LOSSES.get(net.loss_fn.name):
        raise ValueError(f"loss {net.loss_fn.name!r} is not one of the library's own ({', '.join(OUTPUTS)})")
    X = np.asarray(X, dtype=float) if not isinstance(X, np.ndarray) else X
    Y = np.asarray(Y, dtype=float) if not isinstance(Y, np.ndarray) else Y
    if X.ndim == 1:
        X = X[None, :]
    if Y.ndim == 1:
        Y = Y[None, :]
    X, Y = net.check_inputs(X, Y)
    if len(X) != 1:
        raise ValueError(f"the explorer follows one sample; X has {len(X)} rows (shape {X.shape})")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not (math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive finite number, got {lr!r}")
    return X, Y, float(lr)


def _floats(a: Any) -> Any:
    """Nested lists of Python floats (JSON writes each as its shortest round-trip decimal)."""
    out = np.asarray(a, dtype=float).tolist()
    flat = np.asarray(a, dtype=float)
    if not np.all(np.isfinite(flat)):
        bad = flat[~np.isfinite(flat)].flat[0]
        raise ValueError(f"a value is not finite ({bad}): the explorer shows finite numbers only")
    return out


def network_spec(net: MLP, X: object, Y: object, lr: float = 0.1, controls: bool = False) -> dict:
    """The widget's starting point: sizes, activations, loss, parameters, the sample and ``lr``.

    ``W[l-1][j][k]`` is ``net.params[f"W{l}"][j, k]`` (from unit j+1 of layer l−1 to unit k+1 of
    layer l) and ``b[l-1][k]`` is ``net.params[f"b{l}"][k]``. ``controls`` adds the playground's
    controls (layer sizes, activations, loss, target class, new weights).

    Examples
    --------
    >>> import backprop as bp
    >>> spec = network_spec(bp.MLP([2, 3, 1], hidden="tanh", seed=0), [0.5, -1.0], [0.2], lr=0.05)
    >>> [len(W) for W in spec["W"]], [len(W[0]) for W in spec["W"]], spec["loss"], spec["y"]
    ([2, 3], [3, 1], 'mse', [0.2])
    """
    X, Y, lr = _check(net, X, Y, lr)
    L = net.n_layers
    return {
        "sizes": list(net.sizes),
        "activations": [a.name for a in net.activations],
        "loss": net.loss_fn.name,
        "W": [_floats(net.params[f"W{l}"]) for l in range(1, L + 1)],
        "b": [_floats(net.params[f"b{l}"]) for l in range(1, L + 1)],
        "x": _floats(X[0]),
        "y": _floats(Y[0]),
        "lr": lr,
        "controls": bool(controls),
    }


def _copy(net: MLP) -> MLP:
    # A shallow copy keeps the activation and loss objects (the fused pairs are recognised by
    # identity); the parameters are copied so the caller's network never moves.
    twin = copy.copy(net)
    twin.params = {k: v.copy() for k, v in net.params.items()}
    twin.rng = np.random.default_rng(0)
    return twin


def reference_values(net: MLP, X: object, Y: object, lr: float = 0.1, steps: int = TRAIN_STEPS) -> dict:
    """What the library computes for the widget's starting point, for the test to compare with.

    ``z[l]``, ``a[l]`` and ``delta[l]`` for l = 0..L (``z[0]`` and ``delta[0]`` are ``None``),
    the gradients ``gW[l-1]``, ``gb[l-1]``, the loss; ``step``: the parameters and the loss after
    one update with ``lr``; ``train``: the loss before each of ``steps`` updates, the parameters
    after them and the loss there (``net.fit`` with full-batch gradient descent). ``net`` is not changed.
    """
    X, Y, lr = _check(net, X, Y, lr)
    L = net.n_layers
    fp, deltas, grads = net.forward(X), net.deltas(X, Y), net.gradients(X, Y)
    one = _copy(net)
    one.fit(X, Y, epochs=1, lr=lr)
    many = _copy(net)
    history = many.fit(X, Y, epochs=steps, lr=lr)

    def params(m: MLP) -> dict:
        return {"W": [_floats(m.params[f"W{l}"]) for l in range(1, L + 1)],
                "b": [_floats(m.params[f"b{l}"]) for l in range(1, L + 1)]}

    return {
        "z": [None] + [_floats(fp.z[l][0]) for l in range(1, L + 1)],
        "a": [_floats(fp.a[l][0]) for l in range(L + 1)],
        "delta": [None] + [_floats(deltas[l][0]) for l in range(1, L + 1)],
        "gW": [_floats(grads[f"W{l}"]) for l in range(1, L + 1)],
        "gb": [_floats(grads[f"b{l}"]) for l in range(1, L + 1)],
        "loss": float(net.loss(X, Y)),
        "step": {**params(one), "loss": float(one.loss(X, Y))},
        "train": {"loss": _floats(history.loss), **params(many), "final": float(many.loss(X, Y))},
    }


def _json_data(cls: str, data: object) -> str:
    """JSON in an inert ``<template>`` (read with ``template.content.textContent``).

    Not a ``<script type="application/json">``: Material's instant navigation re-creates every inline
    script of the new page as JavaScript without its type, so JSON there would be run and fail.
    """
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    # Nothing in the text may end the element or start markup or an entity.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<template class="{cls}">{text}</template>'


_LEGEND = (
    "Each unit shows its bias b, its pre-activation z, its activation a (ŷ at the output, next to "
    "the target y) and, after Backward, its delta δ = ∂𝓛/∂z; for one sample the bias gradient "
    "∂𝓛/∂b equals δ. In front of each unit, one row per incoming weight w⁽ˡ⁾ⱼₖ with its gradient "
    "∂𝓛/∂w⁽ˡ⁾ⱼₖ (marked ∂) below it. Edges: blue for a positive weight, orange for a negative one, "
    "thicker for a larger one. Click a boxed number, or Tab to it and press Enter, to change it "
    "(Enter applies, Escape cancels)."
)


def explorer_html(net: MLP, X: object, Y: object, lr: float = 0.1, *, controls: bool = False,
                  cases: list[dict] | None = None) -> str:
    """The explorer's HTML: its starting point and the library's values for it as JSON, a legend,
    and a line for readers without JavaScript. ``cases`` (from :func:`random_cases`) adds more
    networks with their library values, for the browser test only (nothing is drawn for them).

    Examples
    --------
    >>> import backprop as bp
    >>> html = explorer_html(bp.MLP([2, 2, 1], hidden="tanh", seed=0), [[0.5, -1.0]], [[0.2]])
    >>> html.count("<template"), 'class="bpx"' in html
    (2, True)
    """
    spec = network_spec(net, X, Y, lr, controls)
    ref = reference_values(net, X, Y, lr)
    sizes = "-".join(map(str, spec["sizes"]))
    parts = [
        f'<div class="bpx" data-sizes="{sizes}">',
        _json_data("bpx-spec", spec),
        _json_data("bpx-reference", ref),
        '<p class="bpx-fallback">The interactive explorer of this network runs on the book’s web site '
        "(it needs JavaScript).</p>",
        f'<p class="bpx-legend">{html.escape(_LEGEND)}</p>',
        "</div>",
    ]
    if cases:
        parts.append(_json_data("bpx-cases", cases))
    return "\n".join(parts)


def explorer(net: MLP, X: object, Y: object, lr: float = 0.1, *, controls: bool = False,
             cases: list[dict] | None = None) -> None:
    """Show the explorer for ``net`` on the sample ``(X, Y)`` (one row each) with learning rate ``lr``.

    Raises ``TypeError``/``ValueError`` naming the problem for a network the explorer cannot draw
    (see the module docstring) or bad data (the library's own checks).
    """
    from IPython.display import HTML, display

    display(HTML(explorer_html(net, X, Y, lr, controls=controls, cases=cases)))


def random_cases(seed: int = 0) -> list[dict]:
    """Random networks and samples for every hidden activation and (output, loss) pair the explorer
    offers, each with the library's values: ``[{"spec": ..., "reference": ...}, ...]``.

    Sizes run from 1-1 up to 4-4-4-2, weights are drawn with standard deviation 1 (so the
    activations leave their linear range), inputs lie in [−2, 2]; targets are what the loss
    accepts: any number for mse, 0 or 1 or a value between for bce, a distribution for cross-entropy.

    Examples
    --------
    >>> cases = random_cases()
    >>> len(cases), sorted({c["spec"]["loss"] for c in cases})
    (29, ['bce', 'cross_entropy', 'mse'])
    """
    rng = np.random.default_rng(seed)
    sizes_pool = [[1, 1], [2, 1], [3, 2], [1, 1, 1], [3, 2, 1], [2, 3, 2], [4, 4, 2], [1, 2, 2, 1],
                  [2, 4, 3, 2], [4, 4, 4, 2]]
    cases = []
    index = 0
    for loss, outputs in OUTPUTS.items():
        for output in outputs:
            for hidden in HIDDEN:
                sizes = sizes_pool[index % len(sizes_pool)]
                if len(sizes) == 2 and hidden != HIDDEN[0]:
                    sizes = [2, 3, 2]  # give this hidden activation a hidden layer
                if output == "softmax" and sizes[-1] < 2:
                    sizes = [*sizes[:-1], 2]  # softmax over one unit is always 1: the library refuses it
                index += 1
                net = MLP(sizes, hidden=hidden, output=output, loss=loss, seed=int(rng.integers(1 << 31)))
                for key, value in net.params.items():
                    net.params[key] = rng.normal(0.0, 1.0, size=value.shape)
                x = rng.uniform(-2.0, 2.0, size=(1, sizes[0]))
                n = sizes[-1]
                if loss == "mse":
                    y = rng.uniform(-1.0, 2.0, size=(1, n))
                elif loss == "bce":
                    y = rng.choice([0.0, 0.3, 1.0], size=(1, n))
                else:
                    y = rng.dirichlet(np.ones(n), size=1) if index % 2 else np.eye(n)[[rng.integers(n)]]
                lr = float(rng.choice([0.05, 0.1, 0.5]))
                cases.append(reference_case(net, x, y, lr))
    # An extreme: a ReLU unit exactly at its kink (z = 0) and a saturated sigmoid + bce output (logit 41).
    net = MLP([2, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    net.params.update(W1=np.array([[1.0, -1.0], [1.0, 1.0]]), b1=np.array([0.0, 0.0]),
                      W2=np.array([[10.0], [5.0]]), b2=np.array([1.0]))
    x, y = np.array([[2.0, 2.0]]), np.array([[0.0]])
    cases.append(reference_case(net, x, y, 0.1))
    return cases


def reference_case(net: MLP, X: object, Y: object, lr: float = 0.1) -> dict:
    """``{"spec": network_spec(...), "reference": reference_values(...)}`` for one network and sample.

    Examples
    --------
    >>> import backprop as bp
    >>> case = reference_case(bp.MLP([1, 2, 1], hidden="relu", seed=1), [[1.0]], [[0.5]])
    >>> sorted(case), len(case["reference"]["train"]["loss"]) == TRAIN_STEPS
    (['reference', 'spec'], True)
    """
    return {"spec": network_spec(net, X, Y, lr), "reference": reference_values(net, X, Y, lr)}
