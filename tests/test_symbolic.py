"""backprop.symbolic: SymPy derivations against the library, and the derivations' own checks.

Tolerances: activations and losses agree with the NumPy code to rtol 1e-10 /
atol 1e-14 on |z| <= 10; network gradients to 1e-12 relative to the network's
largest gradient entry (exact values taken to 30 digits).
"""

import dataclasses
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp

import backprop as bp
import backprop.symbolic as bs

# ---------------------------------------------------------------- every table entry has a derivation


def missing_derivations() -> list[str]:
    """Names in the library's tables with no row in the symbolic tables."""
    missing = [f"activation {n}" for n in bp.ACTIVATIONS if n not in bs.ACTIVATION_TABLE]
    missing += [f"derivative {n}" for n in bp.DERIVATIVES if n not in bs.ACTIVATION_TABLE]
    missing += [f"loss {n}" for n in bp.LOSSES if n not in bs.LOSS_TABLE]
    missing += [f"fused {o}+{l}" for o, l in bp.FUSED if o not in bs.ACTIVATION_TABLE or l not in bs.LOSS_TABLE]
    return missing


def test_every_library_activation_and_loss_has_a_derivation():
    assert missing_derivations() == []


def test_an_activation_added_without_a_derivation_is_reported(monkeypatch):
    monkeypatch.setitem(bp.ACTIVATIONS, "swish", lambda z: z / (1 + np.exp(-z)))
    monkeypatch.setitem(bp.LOSSES, "hinge", bp.Loss("hinge", bp.mse, bp.mse_grad))
    assert missing_derivations() == ["activation swish", "loss hinge"]
    with pytest.raises(ValueError, match="no derivation for activation 'swish'"):
        bs.derive_activation("swish")


# ---------------------------------------------------------------- activations


@pytest.mark.parametrize("name", list(bp.ACTIVATIONS))
def test_activation_derivative_is_proved_and_library_agrees(name):
    d = bs.derive_activation(name)
    d.check()
    assert d.latex and d._repr_latex_().startswith("$\\displaystyle ")


def test_sigmoid_and_tanh_derivatives_in_terms_of_their_outputs():
    a = bs.elementary.a
    assert bs.derive_activation("sigmoid").in_terms_of_a == a * (1 - a)
    assert bs.derive_activation("tanh").in_terms_of_a == 1 - a**2
    assert bs.derive_activation("identity").derivative == 1


def test_relu_is_honest_about_its_kink():
    d = bs.derive_activation("relu")
    assert d.derivative == sp.Heaviside(bs.elementary.z)  # SymPy's own derivative of max(0, z)
    assert d.one_sided == {0: (0, 1)}
    assert d.proofs() == []  # equal to the library's formula on both sides of the kink
    assert float(bp.relu_grad(np.array(0.0))) == 0.0  # the library's choice, a subgradient in [0, 1]


@pytest.mark.parametrize("k", [2, 3, 4])
def test_softmax_jacobian(k):
    d = bs.derive_activation("softmax", k=k)
    assert isinstance(d, bs.JacobianDerivation) and d.jacobian.shape == (k, k)
    d.check()


# ---------------------------------------------------------------- losses and fused deltas


@pytest.mark.parametrize("name", list(bp.LOSSES))
def test_loss_gradient_is_proved_and_library_agrees(name):
    d = bs.derive_loss(name)
    d.check()
    assert "\\frac{\\partial \\ell}{\\partial \\hat{y}}" in d.latex


@pytest.mark.parametrize("output, loss", list(bp.FUSED))
def test_fused_output_delta_reduces_to_yhat_minus_y(output, loss):
    d = bs.derive_fused_delta(output, loss)
    assert d.proofs() == []
    assert d.delta == [p - t for p, t in zip(d.yhats, d.ys, strict=True)]
    d.check()


def test_fused_softmax_delta_needs_targets_that_sum_to_one():
    d = bs.derive_fused_delta("softmax", "cross_entropy", k=2)
    # Without sum(y) = 1 the chain rule gives yhat_j * sum(y) - y_j, not yhat_j - y_j.
    residual = sp.simplify(d.chain[0] - (d.yhats[0] - d.ys[0]))
    assert residual != 0
    assert sp.simplify(residual - d.yhats[0] * (sum(d.ys) - 1)) == 0


# ---------------------------------------------------------------- test doubles: wrong derivatives are caught


def test_wrong_activation_derivative_is_caught():
    wrong = bp.Activation("tanh", bp.tanh, lambda z: 1 - z**2)  # forgot the tanh inside
    with pytest.raises(AssertionError, match=r"tanh'"):
        bs.derive_activation(wrong).check()


def test_wrong_backward_is_caught():
    wrong = bp.Activation("sigmoid", bp.sigmoid, bp.sigmoid_grad, vjp=lambda z, a, g: g * a)
    with pytest.raises(AssertionError, match=r"sigmoid.backward"):
        bs.derive_activation(wrong).check()


def test_wrong_formula_in_the_table_is_caught(monkeypatch):
    row = bs.ACTIVATION_TABLE["sigmoid"]
    monkeypatch.setitem(bs.ACTIVATION_TABLE, "sigmoid", dataclasses.replace(row, formula=lambda x: row.function(x)))
    with pytest.raises(AssertionError, match="formula"):
        bs.derive_activation("sigmoid").check()


def test_wrong_loss_gradient_is_caught():
    wrong = bp.Loss("mse", bp.mse, lambda p, t: p - t)  # forgot the 1/n
    with pytest.raises(AssertionError, match="mse gradient"):
        bs.derive_loss(wrong).check()


def test_wrong_derivative_inside_a_network_is_caught():
    wrong = bp.Activation("tanh", bp.tanh, lambda z: 1 - z**2)
    net = bp.MLP([2, 3, 1], hidden=wrong, output="identity", loss="mse", seed=0)
    d = bs.derive_network(net, [[0.5, -1.0], [2.0, 0.3]], [[1.0], [0.0]])
    with pytest.raises(AssertionError, match=r"dL/dw\^\{\(1\)\}"):
        d.check()


# ---------------------------------------------------------------- the seed's worked examples


def net_111() -> bp.MLP:
    net = bp.MLP([1, 1, 1], hidden="sigmoid", output="identity", loss="mse")
    net.params.update(W1=np.array([[0.4]]), b1=np.array([0.1]), W2=np.array([[0.3]]), b2=np.array([0.2]))
    return net


def net_321() -> bp.MLP:
    net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce")
    w1_seed = np.array([[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]])  # seed layout: rows are hidden units
    net.params.update(W1=w1_seed.T.copy(), b1=np.array([0.1, -0.2]), W2=np.array([[0.5], [-1.0]]),
                      b2=np.array([0.2]))
    return net


X_111, Y_111 = [[0.5]], [[0.6]]
X_321, Y_321 = [[1.0, 0.5, -1.5]], [[1.0]]


def test_111_all_gradients_equal_the_library():
    d = bs.derive_network(net_111(), X_111, Y_111)
    d.check()
    assert d.max_error < 1e-12
    z1 = sp.Rational(3, 10)
    yhat = sp.Rational(3, 10) / (1 + sp.exp(-z1)) + sp.Rational(1, 5)
    assert sp.simplify(d.exact["b2"][0, 0] - (yhat - sp.Rational(3, 5))) == 0


def test_321_all_gradients_equal_the_library():
    # Its speed (issue: well under 2 s) is measured by benchmarks/bench_symbolic.py, not asserted here.
    d = bs.derive_network(net_321(), X_321, Y_321)
    d.check()
    assert len(d.rows()) == 11 and d.kinks == []
    # z(2) = -1.0 * relu(1.4) + 0.5 * relu(-0.05) + 0.2 = -6/5, and dL/db2 = sigmoid(z(2)) - 1 exactly.
    assert sp.simplify(d.exact["b2"][0, 0] - (1 / (1 + sp.exp(sp.Rational(6, 5))) - 1)) == 0
    # The first hidden unit is off (z = -0.05): nothing flows through it.
    assert all(d.exact["W1"][j, 0] == 0 for j in range(3)) and d.exact["W2"][0, 0] == 0


def test_parameter_symbols_use_the_books_notation():
    d = bs.derive_network(net_321(), X_321, Y_321)
    assert sp.latex(d.symbols["W1"][0, 1]) == "w^{(1)}_{12}"  # W1[0, 1]: input unit 1 -> hidden unit 2
    assert sp.latex(d.symbols["b1"][0, 1]) == "b^{(1)}_{2}"
    assert {s.name for s in d.loss.free_symbols} == {"w^{(1)}_{12}", "w^{(1)}_{22}", "w^{(1)}_{32}",
                                                      "b^{(1)}_{2}", "w^{(2)}_{21}", "b^{(2)}_{1}"}
    assert "\\frac{\\partial L}{\\partial w^{(1)}_{12}}" in d.gradient_latex("W1", (0, 1))
    assert sp.latex(bs.parameter_symbols([12, 1])["W1"][10, 0]) == "w^{(1)}_{11,1}"


@pytest.mark.parametrize("key", ["W1", "b1", "W2", "b2"])
def test_111_chain_rule_factors(key):
    c = bs.chain_rule(net_111(), X_111, Y_111, key)
    c.check()
    assert c.latex.startswith("\\frac{\\partial L}{\\partial ")
    assert c.factors[0].label == "\\frac{\\partial L}{\\partial \\hat{y}}"
    assert len(c.factors) == {"W1": 5, "b1": 5, "W2": 3, "b2": 3}[key]


def test_chain_rule_is_for_one_unit_per_layer():
    with pytest.raises(ValueError, match="one unit per layer"):
        bs.chain_rule(net_321(), X_321, Y_321, "W1")


def test_chain_rule_wrong_library_value_is_caught():
    c = bs.chain_rule(net_111(), X_111, Y_111, "W2")
    with pytest.raises(AssertionError, match="library"):
        dataclasses.replace(c, library=c.library * (1 + 1e-9)).check()


# ---------------------------------------------------------------- other small networks


NETWORKS = [  # (sizes, hidden, output, loss, seed)
    ([2, 3, 1], "tanh", "identity", "mse", 0),
    ([2, 3, 2], "sigmoid", "sigmoid", "bce", 1),
    ([3, 4, 3], "tanh", "softmax", "cross_entropy", 2),
    ([2, 3, 3, 2], ["relu", "tanh"], "identity", "mse", 3),
    ([3, 2, 2, 1], "identity", "sigmoid", "bce", 4),
    ([4, 5, 3, 2], ["sigmoid", "relu"], "softmax", "cross_entropy", 5),  # 51 parameters
]


@pytest.mark.parametrize("sizes, hidden, output, loss, seed", NETWORKS)
def test_small_networks_agree_with_the_library(sizes, hidden, output, loss, seed):
    rng = np.random.default_rng(seed)
    net = bp.MLP(sizes, hidden=hidden, output=output, loss=loss, seed=seed)
    for key in net.params:  # nonzero biases, rounded so the exact decimals are short
        net.params[key] = np.round(rng.normal(scale=0.8, size=net.params[key].shape), 3)
    X = np.round(rng.normal(size=(2, sizes[0])), 2)
    Y = rng.uniform(size=(2, sizes[-1]))
    Y = Y / Y.sum(axis=1, keepdims=True) if output == "softmax" else np.round(Y, 2)
    d = bs.derive_network(net, X, Y)
    d.check()
    assert d.max_error < 1e-12


def test_relu_exactly_at_its_kink_uses_the_library_convention():
    net = bp.MLP([2, 2, 1], hidden="relu", output="identity", loss="mse")
    net.params.update(W1=np.array([[1.0, 0.5], [1.0, -0.5]]), b1=np.array([0.0, 0.25]),
                      W2=np.array([[2.0], [-1.0]]), b2=np.array([0.1]))
    d = bs.derive_network(net, [[0.5, -0.5]], [[1.0]])  # unit 1: z = 0.5 - 0.5 + 0 = 0 exactly
    assert d.kinks == [(1, 0, 0)]
    d.check()
    assert d.exact["W1"][0, 0] == 0 and d.exact["b1"][0, 0] == 0  # relu'(0) = 0, as the library


def test_exact_reads_floats_as_their_decimals():
    assert bs.exact(0.1) == sp.Rational(1, 10) and bs.exact(-1.5) == sp.Rational(-3, 2) and bs.exact(2) == 2


# ---------------------------------------------------------------- the general rule


@pytest.mark.parametrize("sizes", [[2, 3, 2], [2, 2, 2, 1]])
def test_backprop_rule_equals_elementwise_differentiation(sizes):
    proof = bs.prove_backprop_rule(sizes, n_samples=2)
    assert proof.proved
    proof.check()
    assert set(proof.differences) == set(bs.parameter_symbols(sizes))
    assert "\\odot" in proof.latex


def test_backprop_rule_without_the_activation_derivative_is_refuted():
    proof = bs.prove_backprop_rule([2, 3, 2], n_samples=2)
    P = bs.parameter_symbols([2, 3, 2])
    X = proof.matrix_form["W1"]  # placeholder for the shape
    a0 = sp.Matrix(2, 2, lambda i, j: sp.Symbol(f"x_{{{i + 1}{j + 1}}}"))
    wrong_dW1 = a0.T * (proof.deltas[2] * P["W2"].T)  # forgot the "(.) f'(z(1))"
    assert wrong_dW1.shape == X.shape
    difference = (proof.elementwise["W1"] - wrong_dW1).applyfunc(sp.expand)
    assert not difference.is_zero_matrix
    broken = dataclasses.replace(proof, differences={**proof.differences, "W1": difference})
    assert not broken.proved
    with pytest.raises(AssertionError, match="W1"):
        broken.check()


# ---------------------------------------------------------------- display and packaging


def test_every_result_renders_as_latex():
    results = [bs.derive_activation("relu"), bs.derive_activation("softmax"), bs.derive_loss("bce"),
               bs.derive_fused_delta("softmax", "cross_entropy"), bs.derive_network(net_111(), X_111, Y_111),
               bs.chain_rule(net_111(), X_111, Y_111, "W1"), bs.prove_backprop_rule([1, 1, 1], n_samples=1)]
    for r in results:
        assert isinstance(r, bs.Derivation)
        assert r._repr_latex_() == f"$\\displaystyle {r.latex}$"
        assert r.latex.count("{") == r.latex.count("}"), type(r).__name__


def test_import_backprop_does_not_import_sympy():
    code = "import backprop, sys; assert 'sympy' not in sys.modules; backprop.MLP([1, 1])"
    subprocess.run([sys.executable, "-c", code], check=True)
