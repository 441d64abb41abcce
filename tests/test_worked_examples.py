"""The seed tutorials' two worked examples, recomputed independently with plain `math`.

Every expected value here is computed inside the test, step by step, with
scalar Python arithmetic that shares no code with the library.  The seeds'
*published* numbers are rounded (4 or 3 decimals); they are compared with a
tolerance of half a unit in their last published digit, and only where they
are right (the Errata page lists where they are not).
"""

import math

import numpy as np
import pytest

import backprop as bp

# Gradients computed by two float64 code paths agree to rounding: 1e-12 relative
# leaves room for a few dozen roundings of values of order 1.
RTOL = 1e-12


def sig(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# ---------------------------------------------------------------- 1-1-1 network
X1, W1, B1, W2, B2, T = 0.5, 0.4, 0.1, 0.3, 0.2, 0.6


def net_111() -> bp.MLP:
    net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    net.params.update(W1=np.array([[W1]]), b1=np.array([B1]), W2=np.array([[W2]]), b2=np.array([B2]))
    return net


def manual_111(w1, b1, w2, b2):
    """Loss and (dw1, db1, dw2, db2) by the chain rule, scalar by scalar."""
    z1 = w1 * X1 + b1
    h = sig(z1)
    y = w2 * h + b2
    loss = 0.5 * (y - T) ** 2
    dy = y - T
    dz1 = dy * w2 * h * (1 - h)
    return loss, (dz1 * X1, dz1, dy * h, dy), y


def test_111_forward_loss_and_gradients():
    net = net_111()
    X, Y = np.array([[X1]]), np.array([[T]])
    loss, (dw1, db1, dw2, db2), y = manual_111(W1, B1, W2, B2)
    assert net.predict(X)[0, 0] == pytest.approx(y, rel=RTOL)
    assert net.loss(X, Y) == pytest.approx(loss, rel=RTOL)
    g = net.gradients(X, Y)
    assert g["W1"][0, 0] == pytest.approx(dw1, rel=RTOL)
    assert g["b1"][0] == pytest.approx(db1, rel=RTOL)
    assert g["W2"][0, 0] == pytest.approx(dw2, rel=RTOL)
    assert g["b2"][0] == pytest.approx(db2, rel=RTOL)


def test_111_sixty_epochs_match_manual_loop_and_published_parameters():
    net = net_111()
    history = net.fit(np.array([[X1]]), np.array([[T]]), epochs=60, lr=0.1)
    w1, b1, w2, b2 = W1, B1, W2, B2
    losses, norms = [], []
    for _ in range(60):
        loss, grads, _ = manual_111(w1, b1, w2, b2)
        losses.append(loss)
        norms.append(math.sqrt(sum(g * g for g in grads)))
        w1, b1, w2, b2 = (p - 0.1 * g for p, g in zip((w1, b1, w2, b2), grads, strict=True))
    np.testing.assert_allclose(history.loss, losses, rtol=1e-10)
    np.testing.assert_allclose(history.grad_norm, norms, rtol=1e-10)
    got = (net.params["W1"][0, 0], net.params["b1"][0], net.params["W2"][0, 0], net.params["b2"][0])
    np.testing.assert_allclose(got, (w1, b1, w2, b2), rtol=1e-12)
    # Published after 60 epochs (4 decimals): w1 = 0.4072, b1 = 0.1143, w2 = 0.3978, b2 = 0.3697.
    np.testing.assert_allclose(got, (0.4072, 0.1143, 0.3978, 0.3697), atol=0.5e-4)


# ---------------------------------------------------------------- 3-2-1 network
XS = [1.0, 0.5, -1.5]
W1_SEED = [[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]]  # seed layout: W x, rows = hidden units
B1_SEED = [0.1, -0.2]
W2_SEED = [0.5, -1.0]
B2_SEED = 0.2
LR = 0.1


def net_321() -> bp.MLP:
    net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    net.params.update(
        W1=np.array(W1_SEED).T.copy(), b1=np.array(B1_SEED), W2=np.array(W2_SEED).reshape(2, 1), b2=np.array([B2_SEED])
    )
    return net


def manual_321(W1s, b1s, W2s, b2s, y=1.0):
    z1 = [sum(W1s[j][i] * XS[i] for i in range(3)) + b1s[j] for j in range(2)]
    h = [max(0.0, z) for z in z1]
    z2 = sum(W2s[j] * h[j] for j in range(2)) + b2s
    yhat = sig(z2)
    loss = -(y * math.log(yhat) + (1 - y) * math.log(1 - yhat))
    d2 = (-y / yhat + (1 - y) / (1 - yhat)) * yhat * (1 - yhat)  # dL/dyhat * dyhat/dz2, unsimplified
    d1 = [W2s[j] * d2 * (1.0 if z1[j] > 0 else 0.0) for j in range(2)]
    dW1 = [[d1[j] * XS[i] for i in range(3)] for j in range(2)]
    dW2 = [d2 * h[j] for j in range(2)]
    return dict(z1=z1, h=h, z2=z2, yhat=yhat, loss=loss, d2=d2, d1=d1, dW1=dW1, db1=d1, dW2=dW2, db2=d2)


def test_321_forward_deltas_gradients():
    net, m = net_321(), manual_321(W1_SEED, B1_SEED, W2_SEED, B2_SEED)
    X, Y = np.array([XS]), np.array([[1.0]])
    fp = net.forward(X)
    np.testing.assert_allclose(fp.z[1][0], m["z1"], rtol=RTOL)
    np.testing.assert_allclose(fp.a[1][0], m["h"], rtol=RTOL)
    assert fp.z[2][0, 0] == pytest.approx(m["z2"], rel=RTOL)
    assert fp.a[2][0, 0] == pytest.approx(m["yhat"], rel=RTOL)
    assert net.loss(X, Y) == pytest.approx(m["loss"], rel=RTOL)
    d = net.deltas(X, Y)
    np.testing.assert_allclose(d[2][0], [m["d2"]], rtol=RTOL)
    np.testing.assert_allclose(d[1][0], m["d1"], rtol=RTOL, atol=0)
    g = net.gradients(X, Y)
    np.testing.assert_allclose(g["W1"], np.array(m["dW1"]).T, rtol=RTOL)  # library layout is the transpose
    np.testing.assert_allclose(g["b1"], m["db1"], rtol=RTOL)
    np.testing.assert_allclose(g["W2"][:, 0], m["dW2"], rtol=RTOL)
    np.testing.assert_allclose(g["b2"], [m["db2"]], rtol=RTOL)


def test_321_one_step_matches_manual_update_and_published_table():
    net, m = net_321(), manual_321(W1_SEED, B1_SEED, W2_SEED, B2_SEED)
    X, Y = np.array([XS]), np.array([[1.0]])
    history = net.fit(X, Y, epochs=1, lr=LR)
    assert history.loss[0] == pytest.approx(m["loss"], rel=RTOL)
    W1n = [[W1_SEED[j][i] - LR * m["dW1"][j][i] for i in range(3)] for j in range(2)]
    b1n = [B1_SEED[j] - LR * m["db1"][j] for j in range(2)]
    W2n = [W2_SEED[j] - LR * m["dW2"][j] for j in range(2)]
    b2n = B2_SEED - LR * m["db2"]
    np.testing.assert_allclose(net.params["W1"], np.array(W1n).T, rtol=RTOL)
    np.testing.assert_allclose(net.params["b1"], b1n, rtol=RTOL)
    np.testing.assert_allclose(net.params["W2"][:, 0], W2n, rtol=RTOL)
    np.testing.assert_allclose(net.params["b2"], [b2n], rtol=RTOL)
    # The seed's published table (3 decimals, seed layout W x):
    np.testing.assert_allclose(net.params["W1"].T, [[0.2, -0.4, 0.1], [0.623, 0.262, -0.385]], atol=0.5e-3)
    np.testing.assert_allclose(net.params["b1"], [0.1, -0.277], atol=0.5e-3)
    np.testing.assert_allclose(net.params["W2"][:, 0], [0.5, -0.892], atol=0.5e-3)
    np.testing.assert_allclose(net.params["b2"], [0.277], atol=0.5e-3)
    # The table's "Loss ~ 1.463" is the loss *before* the step (see the Errata page).
    assert round(m["loss"], 3) == 1.463
    after = manual_321([r for r in W1n], b1n, W2n, b2n)["loss"]
    assert net.loss(X, Y) == pytest.approx(after, rel=RTOL)
    assert after < m["loss"]
