# %% [markdown]
# # Playground
#
# A small network to take apart by hand. **Forward** runs one sample through it unit by unit:
# each unit's pre-activation $z$ appears, then its activation $a$. **Backward** runs the deltas
# $\delta = \partial\mathcal L/\partial z$ back layer by layer and writes each weight's gradient
# $\partial\mathcal L/\partial w$ under the weight. **Step** takes one step of gradient descent,
# $p \leftarrow p - \eta\,\partial\mathcal L/\partial p$, with the learning rate $\eta$ in the box,
# and **Train** keeps stepping while the curve below the network records the loss. Every weight,
# bias, input and target is a number you can change: click it (or reach it with Tab and press
# Enter), type, and press Enter; Escape leaves it as it was. The controls above the buttons change
# the layer sizes (up to four layers of up to four units), the activations, the loss and the target
# class. The symbols are those of the [notation table](symbols.py); the worked examples,
# [the 1-1-1 network](worked-example-111.py) and [the 3-2-1 network](worked-example-321.py), go
# through the same computations number by number, and each carries an explorer preset to its numbers.
#
# The explorer starts from this network, a classifier of two inputs into two classes with one
# hidden layer of three tanh units, a softmax output and the cross-entropy loss:

# %%
import numpy as np

import backprop as bp

net = bp.MLP([2, 3, 2], hidden="tanh", output="softmax",
             loss="cross_entropy", seed=4)
# the weights to two decimals, easier to read (the biases start at 0)
net.params.update({k: np.round(v, 2) for k, v in net.params.items()})
X = np.array([[0.5, -1.0]])  # one sample
Y = np.array([[0.0, 1.0]])  # it belongs to class 2
lr = 0.5

fp = net.forward(X)  # every z and a
deltas = net.deltas(X, Y)  # every delta
grads = net.gradients(X, Y)  # every dL/dW and dL/db
print("prediction", fp.output.round(4), " loss", round(net.loss(X, Y), 4))
print("output delta", deltas[2].round(4))

# %% tags=["hide-input"]
from backprop.book import md, tex
from backprop.book.explorer import MAX_LAYERS, MAX_UNITS, explorer, random_cases, reference_case

assert MAX_LAYERS == 4 and MAX_UNITS == 4   # the introduction: "up to four layers of up to four units"

# The worked examples' networks, so that the explorer's arithmetic is checked on them too (the
# numbers are those of docs/worked-example-111.py and docs/worked-example-321.py).
net111 = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
net111.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
net321 = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
net321.params.update(W1=np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]]).T.copy(), b1=np.array([0.1, -0.2]),
                     W2=np.array([[0.5, -1.0]]).T.copy(), b2=np.array([0.2]))
cases = [reference_case(net111, [[0.5]], [[0.6]], 0.1),
         reference_case(net321, [[1.0, 0.5, -1.5]], [[1.0]], 0.1), *random_cases()]

explorer(net, X, Y, lr, controls=True, cases=cases)

# %% [markdown]
# ## Things to try

# %% tags=["hide-input"]
yhat, L0 = fp.output[0], net.loss(X, Y)
d_out = deltas[2][0]
# softmax + cross-entropy: the output delta is y-hat minus y (N = 1), and it sums to 0
assert np.array_equal(d_out, yhat - Y[0]), (d_out, yhat - Y[0])
assert abs(L0 + np.log(yhat[1])) <= 1e-14 * L0, (L0, yhat)  # the loss is -log of class 2's probability
ulp = np.spacing(abs(d_out).max())  # one unit in the last place of the deltas
assert abs(d_out.sum()) <= ulp, (d_out.sum(), ulp)
md(f"""
**The output delta.** Press Forward, then Backward. The network gives class 2 a probability of only
${tex(yhat[1])}$, and the loss is $\\mathcal L = -\\log {tex(yhat[1])} = {tex(L0)}$. The two output
deltas are ${tex(d_out[0])}$ and ${tex(d_out[1])}$: exactly $\\hat y - y$, what softmax and
cross-entropy leave after the chain rule (see [loss functions](loss-functions.py)). Because
$\\hat y$ and $y$ both sum to 1, the two deltas sum to 0 (in floating point to within one unit in
the last place, ${tex(ulp, 2)}$), so one output is pushed up exactly as much as the other is pushed down.
""")


# %% tags=["hide-input"]
def trained(eta: float, steps: int) -> tuple[np.ndarray, bp.MLP]:
    """The loss before each of `steps` steps of gradient descent from the starting network and after
    the last one, and the network after them."""
    twin = bp.MLP([2, 3, 2], hidden="tanh", output="softmax", loss="cross_entropy")
    twin.params.update({k: v.copy() for k, v in net.params.items()})
    history = twin.fit(X, Y, epochs=steps, lr=eta)
    return np.append(history.loss, twin.loss(X, Y)), twin


small, _ = trained(lr, 20)
big, after_two = trained(10.0, 2)
assert np.all(np.diff(small) < 0), small  # eta = 0.5: the loss falls at each of the first 20 steps
assert big[1] > big[0], big  # eta = 10: the first step overshoots
assert big[2] == 0 and after_two.predict(X)[0, 1] == 1.0, (big, after_two.predict(X))  # 0 to the last bit
md(f"""
**The learning rate.** With $\\eta = {tex(lr)}$ each of the first 20 Steps lowers the loss, from
${tex(small[0])}$ to ${tex(small[-1])}$. Reset, type $10$ into the $\\eta$ box and Step once: the loss
*rises*, from ${tex(big[0])}$ to ${tex(big[1])}$. The step points downhill, so along it the loss first falls;
a step this long went past the lowest point on its way. One more Step
and the loss is $0$ to the last bit: class 2's probability rounds to exactly $1$. With a single
sample the cross-entropy keeps falling as the two outputs' $z$ move apart, and a long step moves
them far apart at once; [gradient descent](gradient-descent.py) shows what too long a step does
when the loss has a bottom.
""")

# %% tags=["hide-input"]
relu_net = bp.MLP([2, 3, 2], hidden="relu", output="softmax", loss="cross_entropy")
relu_net.params.update({k: v.copy() for k, v in net.params.items()})
z1 = relu_net.forward(X).z[1][0]
off = [k for k in range(3) if z1[k] < 0]
assert len(off) == 1, z1
k_off, others = off[0], [k for k in range(3) if k != off[0]]
relu_grads, relu_deltas = relu_net.gradients(X, Y), relu_net.deltas(X, Y)
assert relu_net.forward(X).a[1][0, k_off] == 0 and relu_deltas[1][0, k_off] == 0
assert np.all(relu_grads["W1"][:, k_off] == 0) and relu_grads["b1"][k_off] == 0  # its incoming weights, bias
assert np.all(relu_grads["W2"][k_off, :] == 0)  # and its outgoing weights
assert np.all(relu_grads["W1"][:, others] != 0) and np.all(relu_grads["W2"][others, :] != 0)  # the others learn
frozen = {k: v.copy() for k, v in relu_net.params.items()}
relu_net.fit(X, Y, epochs=200, lr=lr)  # the silent unit's numbers do not move, however long it trains
assert np.array_equal(relu_net.params["W1"][:, k_off], frozen["W1"][:, k_off])
assert relu_net.params["b1"][k_off] == frozen["b1"][k_off]
assert np.array_equal(relu_net.params["W2"][k_off], frozen["W2"][k_off])
assert relu_net.forward(X).z[1][0, k_off] == z1[k_off]
u = k_off + 1
md(f"""
**A silent ReLU unit.** Reset, then set Hidden to relu (the numbers stay). Hidden unit {u} has
$z^{{(1)}}_{u} = {tex(z1[k_off])} < 0$, so its activation is $0$; after Backward its $\\delta$ is $0$
too, and so are the gradients of its bias, of its incoming weights (they are
$x_j\\,\\delta^{{(1)}}_{u}$) and of its outgoing weights (they are $a^{{(1)}}_{u}\\,\\delta^{{(2)}}_k$),
while every weight of the other two hidden units has a non-zero gradient. Train as long as you like:
the silent unit's weights and bias never move, so its $z$ stays at ${tex(z1[k_off])}$. With one
sample nothing else feeds that $z$; only editing $x$, the unit's bias or one of its incoming
weights wakes it. The [activation functions](activation-functions.py) chapter says when a unit
that is silent on every sample of a data set can come back.
""")

# %% tags=["hide-input"]
md(f"""
## How the explorer is checked

The explorer does its arithmetic in the browser, in JavaScript. So that it cannot drift from the
library, the page carries the values `backprop` computes (every $z$, $a$, $\\delta$, gradient, the
loss, the parameters after one step and after {len(cases[0]["reference"]["train"]["loss"])} steps)
for the network above, for the two worked examples and for {len(cases) - 2} random networks that
cover every activation and loss the controls offer. The book's browser tests run the explorer's own
functions on each of them and require every value to agree with the library's to a relative
$10^{{-12}}$ (or an absolute $10^{{-13}}$, for values near 0 that come from terms that cancel), then press the
buttons and check what the page shows.
""")
