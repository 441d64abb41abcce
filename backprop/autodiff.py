"""A tiny reverse-mode automatic differentiation engine on scalars.

A `Value` is a number that remembers how it was made: its `parents` are
pairs `(parent, local derivative)`, the partial derivative of this value
with respect to that parent, computed during the forward pass.
`Value.backward` visits the graph in reverse `topological_order` and adds
`local * grad` into each parent's `grad`: reverse accumulation, the chain
rule summed over every path. `mlp_loss` writes the loss of a
`backprop.MLP` with Values, so that the engine's gradients can be compared
with the library's.

Plain numbers (`2 * v`, `v + 1.0`) are constants: they enter the graph as
local derivatives, not as nodes. Only the standard library is imported.

Examples
--------
>>> from backprop.autodiff import Value
>>> a, b = Value(2.0), Value(-3.0)
>>> f = a * b + a            # a is used twice: df/da = b + 1
>>> f.backward()
>>> f.data, a.grad, b.grad
(-4.0, -2.0, 2.0)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

__all__ = ["Value", "mlp_loss", "sigmoid", "topological_order"]


class Value:
    """A number that records how it was computed, for reverse-mode AD.

    Parameters
    ----------
    data
        The number (a finite real).
    parents
        Pairs `(parent, local derivative)`: the Values this one was
        computed from, each with the partial derivative of this value with
        respect to it. Empty for an input (a leaf).
    op
        Name of the operation, for printing and drawing.

    Attributes
    ----------
    grad : float
        After `out.backward()`: the derivative of `out` with respect to
        this value, summed over every path from this value to `out`.

    Examples
    --------
    >>> x = Value(0.5)
    >>> y = (2 * x).tanh()
    >>> round(y.parents[0][1], 6)           # tanh'(1) = 1 - tanh(1)**2
    0.419974
    >>> y.backward(); round(x.grad, 6)      # times d(2x)/dx = 2
    0.839949
    """

    __slots__ = ("data", "grad", "parents", "op")

    def __init__(self, data: float, parents: Any = (), op: str = "") -> None:
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"a Value holds a real number, not "
                            f"{type(data).__name__}: {data!r}")
        data = float(data)
        if not math.isfinite(data):
            inputs = ", ".join(repr(p.data) for p, _ in parents)
            raise ValueError(f"{op or 'Value'}({inputs}) gave {data}: "
                             f"a Value must be finite")
        self.data = data
        self.grad = 0.0
        self.parents = tuple(parents)
        self.op = op

    def __repr__(self) -> str:
        return f"Value(data={self.data!r}, grad={self.grad!r})"

    # -- arithmetic: each operation stores its local derivatives ----------
    def __add__(self, other: Value | float) -> Value:
        if isinstance(other, Value):  # d(a + b)/da = 1, d(a + b)/db = 1
            return Value(self.data + other.data,
                         ((self, 1.0), (other, 1.0)), "+")
        c = _constant(other)
        if c is None:
            return NotImplemented
        return Value(self.data + c, ((self, 1.0),), "+")

    __radd__ = __add__

    def __mul__(self, other: Value | float) -> Value:
        if isinstance(other, Value):  # d(a b)/da = b, d(a b)/db = a
            return Value(self.data * other.data,
                         ((self, other.data), (other, self.data)), "*")
        c = _constant(other)
        if c is None:
            return NotImplemented
        return Value(self.data * c, ((self, c),), "*")

    __rmul__ = __mul__

    def __neg__(self) -> Value:
        return Value(-self.data, ((self, -1.0),), "neg")

    def __sub__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return Value(self.data - other.data,
                         ((self, 1.0), (other, -1.0)), "-")
        c = _constant(other)
        if c is None:
            return NotImplemented
        return Value(self.data - c, ((self, 1.0),), "-")

    def __rsub__(self, other: float) -> Value:
        c = _constant(other)
        if c is None:
            return NotImplemented
        return Value(c - self.data, ((self, -1.0),), "-")

    def __truediv__(self, other: Value | float) -> Value:
        if isinstance(other, Value):  # d(a/b)/da = 1/b, d(a/b)/db = -a/b^2
            if other.data == 0.0:
                raise ZeroDivisionError(f"{self.data!r} / Value(0.0)")
            q = self.data / other.data
            return Value(q, ((self, 1.0 / other.data),
                             (other, -q / other.data)), "/")
        c = _constant(other)
        if c is None:
            return NotImplemented
        if c == 0.0:
            raise ZeroDivisionError(f"Value({self.data!r}) / 0")
        return Value(self.data / c, ((self, 1.0 / c),), "/")

    def __rtruediv__(self, other: float) -> Value:
        c = _constant(other)
        if c is None:
            return NotImplemented
        if self.data == 0.0:
            raise ZeroDivisionError(f"{c!r} / Value(0.0)")
        q = c / self.data
        return Value(q, ((self, -q / self.data),), "/")

    def __pow__(self, p: float) -> Value:
        c = _constant(p)
        if c is None:  # a Value exponent: write (p * x.log()).exp()
            return NotImplemented
        x = self.data
        if x < 0 and not c.is_integer():
            raise ValueError(f"Value({x!r}) ** {c!r}: a negative base "
                             f"needs an integer power")
        if x == 0 and c < 1 and c != 0:
            raise ValueError(f"Value(0.0) ** {c!r}: the derivative is "
                             f"infinite at 0")
        local = c * x ** (c - 1) if c != 0 else 0.0  # d x^c/dx = c x^(c-1)
        return Value(x**c, ((self, local),), f"**{c:g}")

    # -- functions ----------------------------------------------------------
    def exp(self) -> Value:
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data!r}) is larger than the "
                                f"largest float") from None
        return Value(e, ((self, e),), "exp")  # d e^x/dx = e^x

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log({self.data!r}): the logarithm needs a "
                             f"positive number")
        return Value(math.log(self.data), ((self, 1.0 / self.data),), "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, ((self, 1.0 - t * t),), "tanh")

    def relu(self) -> Value:
        # derivative 0 at the kink x = 0, as the library's relu_grad
        local = 1.0 if self.data > 0 else 0.0
        return Value(max(self.data, 0.0), ((self, local),), "relu")

    def max(self, other: Value | float) -> Value:
        """The larger of the two: the gradient goes to it (to `other`
        on a tie)."""
        if isinstance(other, Value):
            first = float(self.data > other.data)
            return Value(max(self.data, other.data),
                         ((self, first), (other, 1.0 - first)), "max")
        c = _constant(other)
        if c is None:
            raise TypeError(f"max needs a Value or a number, not "
                            f"{type(other).__name__}")
        return Value(max(self.data, c), ((self, float(self.data > c)),),
                     "max")

    # -- the backward pass --------------------------------------------------
    def backward(self) -> None:
        """Set `v.grad` to d(self)/dv for every `v` this value depends on.

        Every `grad` of the graph is reset to 0 first, so a second call
        gives the same result. Then, from this value (`grad = 1`) back to
        the inputs, each value passes `local derivative * grad` to each of
        its parents, which *add* it to what they have: a value used twice
        receives from both uses.
        """
        order = topological_order(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            for parent, local in v.parents:
                parent.grad += local * v.grad


def _constant(x: Any) -> float | None:
    """`x` as a float if it is a real number, else None (the operator
    then returns NotImplemented, and Python raises a TypeError)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return None
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"a constant in a Value expression must be "
                         f"finite, got {x}")
    return x


def topological_order(*outputs: Value) -> list[Value]:
    """Every Value the outputs depend on, each after all of its parents.

    A depth-first search that keeps its own stack: a recursive one would
    stop at Python's recursion limit on a long chain of operations.

    Examples
    --------
    >>> a = Value(1.0); b = a * 2; c = a + b
    >>> [v.op or "input" for v in topological_order(c)]
    ['input', '*', '+']
    """
    order: list[Value] = []
    seen: set[int] = set()
    for out in outputs:
        if not isinstance(out, Value):
            raise TypeError(f"topological_order needs Values, got "
                            f"{type(out).__name__}")
        if id(out) in seen:
            continue
        seen.add(id(out))
        stack = [(out, iter(out.parents))]
        while stack:
            node, parents = stack[-1]
            for parent, _ in parents:
                if id(parent) not in seen:  # visit it first
                    seen.add(id(parent))
                    stack.append((parent, iter(parent.parents)))
                    break
            else:  # every parent is placed: so is this node
                stack.pop()
                order.append(node)
    return order


def sigmoid(z: Value) -> Value:
    """The sigmoid from `exp`, `+` and `/`, in a form that cannot overflow.

    Examples
    --------
    >>> s = sigmoid(Value(0.0)); s.backward(); s.data
    0.5
    >>> z = Value(-800.0); s = sigmoid(z); s.backward(); s.data, z.grad
    (0.0, 0.0)
    """
    if z.data >= 0:
        return 1 / (1 + (-z).exp())
    e = z.exp()
    return e / (1 + e)


def _softplus(z: Value) -> Value:
    """log(1 + e^z) without overflow: z + log(1 + e^(-z)) for z >= 0."""
    if z.data >= 0:
        return z + (1 + (-z).exp()).log()
    return (1 + z.exp()).log()


def _activation(name: str, z: list[Value]) -> list[Value]:
    if name == "identity":
        return z
    if name == "relu":
        return [v.relu() for v in z]
    if name == "tanh":
        return [v.tanh() for v in z]
    if name == "sigmoid":
        return [sigmoid(v) for v in z]
    if name == "softmax":
        # a constant shift: softmax is the same when every z moves alike
        shift = max(v.data for v in z)
        e = [(v - shift).exp() for v in z]
        total = sum(e[1:], e[0])
        return [v / total for v in e]
    raise ValueError(f"mlp_loss knows the activations identity, relu, "
                     f"tanh, sigmoid and softmax, not {name!r}")


def _sample_loss(loss: str, output: str, z: list[Value], a: list[Value],
                 y: list[float]) -> Value:
    """The loss of one sample, summed over the output units."""
    pairs = list(zip(z, a, y, strict=True))
    if loss == "mse":
        terms = [0.5 * (ak - yk) ** 2 for _, ak, yk in pairs]
    elif loss == "bce" and output == "sigmoid":
        # from the logit, as the library: log(1 + e^z) - y z
        terms = [_softplus(zk) - yk * zk for zk, _, yk in pairs]
    elif loss == "bce":  # 0 log 0 = 0
        terms = [-(yk * ak.log() if yk else 0.0)
                 - ((1 - yk) * (1 - ak).log() if yk != 1 else 0.0)
                 for _, ak, yk in pairs]
    elif loss == "cross_entropy":  # the library pairs it with softmax only
        # from the logits: log(sum_k e^z_k) - sum_k y_k z_k
        shift = max(v.data for v in z)
        exps = [(v - shift).exp() for v in z]
        lse = sum(exps[1:], exps[0]).log() + shift
        terms = [yk * (lse - zk) for zk, _, yk in pairs if yk]
    else:
        raise ValueError(f"mlp_loss knows the losses mse, bce and "
                         f"cross_entropy, not {loss!r}")
    return sum(terms[1:], terms[0]) if terms else Value(0.0)


def _library_record(lookup: Any, name: str) -> Any:
    try:
        return lookup(name)
    except ValueError:  # not a name the library knows
        return None


def mlp_loss(net: Any, X: Any, Y: Any) -> tuple[Value, dict[str, list]]:
    """The loss of `net` (a `backprop.MLP`) on `(X, Y)`, built of Values.

    Every weight and bias becomes a leaf Value; inputs and targets stay
    constants. The loss is the library's: summed over the output units and
    averaged over the N samples (sigmoid with `bce` and softmax with
    `cross_entropy` computed from the logits). Only the library's own
    activations and losses are known; others raise a `ValueError`.

    Returns
    -------
    loss : Value
        `loss.backward()` fills in the `grad` of every parameter.
    params : dict
        `params["W1"]` is a list of rows of Values, shaped like
        `net.params["W1"]`; `params["b1"]` a list of Values.

    Examples
    --------
    >>> import numpy as np, backprop as bp
    >>> net = bp.MLP([2, 3, 1], hidden="tanh", loss="mse", seed=0)
    >>> X, Y = np.array([[0.5, -1.0]]), np.array([[0.25]])
    >>> loss, params = mlp_loss(net, X, Y)
    >>> loss.backward()
    >>> dW1 = np.array([[v.grad for v in row] for row in params["W1"]])
    >>> bool(np.allclose(dW1, net.gradients(X, Y)["W1"], rtol=1e-12))
    True
    """
    from .activations import get_activation
    from .losses import get_loss

    # the engine knows the library's own records only: a user's activation
    # that borrows a name would be differentiated as the wrong function
    for act in net.activations:
        if act is not _library_record(get_activation, act.name):
            raise ValueError(f"mlp_loss knows the library's activations "
                             f"only, not the user-defined {act.name!r}")
    if net.loss_fn is not _library_record(get_loss, net.loss_fn.name):
        raise ValueError(f"mlp_loss knows the library's losses only, not "
                         f"the user-defined {net.loss_fn.name!r}")
    X, Y = net.check_inputs(X, Y)
    names = [act.name for act in net.activations]
    params: dict[str, list] = {}
    for key, array in net.params.items():
        if array.ndim == 2:
            params[key] = [[Value(w, op=f"{key}[{j},{k}]")
                            for k, w in enumerate(row)]
                           for j, row in enumerate(array.tolist())]
        else:
            params[key] = [Value(b, op=f"{key}[{k}]")
                           for k, b in enumerate(array.tolist())]
    total: Value | None = None
    for x_row, y_row in zip(X.tolist(), Y.tolist(), strict=True):
        a: list = x_row  # layer 0: the inputs, constants
        z: list[Value] = []
        for l, name in enumerate(names, 1):
            W, b = params[f"W{l}"], params[f"b{l}"]
            # z_k = b_k + a_1 w_1k + a_2 w_2k + ..., one unit at a time
            z = [sum((a[j] * W[j][k] for j in range(len(a))), b[k])
                 for k in range(len(b))]
            a = _activation(name, z)
        sample = _sample_loss(net.loss_fn.name, names[-1], z, a, y_row)
        total = sample if total is None else total + sample
    assert total is not None  # check_inputs refuses an empty X
    return total / len(X), params
