"""backprop.symbolic: SymPy derivations against the library, and the derivations' own checks.

Tolerances (backprop.symbolic._base): the library agrees with every derivation to 1e-12 relative to
the largest derived entry (both float64: they differ by rounding, about 1e-16); centred finite
differences (h = 1e-6) to 1e-7 (their truncation and rounding errors stay below 1e-8).
"""

import dataclasses
import re
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


def test_every_comparison_of_a_derivation_is_within_tolerance_at_random_points():
    rng = np.random.default_rng(7)
    results = [bs.derive_activation(n) for n in bp.ACTIVATIONS] + [bs.derive_loss(n) for n in bp.LOSSES]
    for d in results:
        comparisons = d.compare(rng)
        assert {c.against for c in comparisons} == {"library", "finite differences"}, d.what
        assert all(c.ok for c in comparisons), [str(c) for c in comparisons if not c.ok]


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


def test_wrong_derivative_is_caught_by_finite_differences_alone():
    # A record whose function is not the one derived: its derivative and backward are sigmoid's,
    # so the library comparisons pass and only the finite differences of its function disagree.
    shifted = bp.Activation("sigmoid", lambda z: bp.sigmoid(z) + 0.1 * z, bp.sigmoid_grad)
    failing = [c for c in bs.derive_activation(shifted).compare() if not c.ok]
    assert [c.against for c in failing] == ["finite differences"]


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
    with pytest.raises(AssertionError, match=r"gradients vs library: .*dL/d[wb]\^\(1\)_"):
        d.check()


# ---------------------------------------------------------------- the worked examples


def net_111() -> bp.MLP:
    return bs.worked_example("1-1-1")[0]


def net_321() -> bp.MLP:
    return bs.worked_example("3-2-1")[0]


X_111, Y_111 = [[0.5]], [[0.6]]
X_321, Y_321 = [[1.0, 0.5, -1.5]], [[1.0]]


def test_worked_examples_are_the_books():
    net, X, Y = bs.worked_example("1-1-1")
    assert (X.tolist(), Y.tolist()) == (X_111, Y_111)
    assert {k: v.ravel().tolist() for k, v in net.params.items()} == {"W1": [0.4], "b1": [0.1], "W2": [0.3],
                                                                       "b2": [0.2]}
    assert [a.name for a in net.activations] == ["sigmoid", "identity"] and net.loss_fn.name == "mse"
    net, X, Y = bs.worked_example("3-2-1")
    assert (X.tolist(), Y.tolist()) == (X_321, Y_321)
    # the page gives W(1) one row per hidden unit (column layout); the library's W1 is its transpose
    assert net.params["W1"].T.tolist() == [[0.2, -0.4, 0.1], [0.7, 0.3, -0.5]]
    assert net.params["W2"].ravel().tolist() == [0.5, -1.0] and net.params["b1"].tolist() == [0.1, -0.2]
    with pytest.raises(ValueError, match="unknown worked example '2-2-2'"):
        bs.worked_example("2-2-2")


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
    assert "\\frac{\\partial \\mathcal{L}}{\\partial w^{(1)}_{12}}" in d.gradient_latex("W1", (0, 1))
    assert sp.latex(bs.parameter_symbols([12, 1])["W1"][10, 0]) == "w^{(1)}_{11,1}"
    # one unit per layer (the 1-1-1 example): w^{(l)} and b^{(l)}, no subscripts
    assert [sp.latex(M[0, 0]) for M in bs.parameter_symbols([1, 1, 1]).values()] == [
        "w^{(1)}", "b^{(1)}", "w^{(2)}", "b^{(2)}"]


@pytest.mark.parametrize("key", ["W1", "b1", "W2", "b2"])
def test_111_chain_rule_factors(key):
    c = bs.chain_rule(net_111(), X_111, Y_111, key)
    c.check()
    assert c.latex.startswith("\\frac{\\partial \\mathcal{L}}{\\partial ")
    assert c.factors[0].label == "\\frac{\\partial \\mathcal{L}}{\\partial \\hat{y}}"
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


def test_a_derivation_checks_the_parameters_it_was_made_at_after_training():
    net = net_321()
    d = bs.derive_network(net, X_321, Y_321)
    net.fit(X_321, Y_321, epochs=5, lr=0.5)  # moves net.params in place
    assert not np.allclose(net.params["b2"], 0.2)
    d.check()  # finite differences at the derivation's parameters, not the trained ones
    assert net.params["b2"][0] != 0.2


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
    assert "\\odot" in proof.latex and proof.jacobians == [] and proof.fused_delta is None


def test_backprop_rule_without_the_activation_derivative_is_refuted():
    proof = bs.prove_backprop_rule([2, 3, 2], n_samples=2)
    P = bs.parameter_symbols([2, 3, 2])
    wrong_dW1 = proof.X.T * (proof.deltas[2] * P["W2"].T)  # forgot the "(.) f'(Z(1))"
    assert wrong_dW1.shape == proof.matrix_form["W1"].shape
    difference = (proof.elementwise["W1"] - wrong_dW1).applyfunc(sp.expand)
    assert not difference.is_zero_matrix
    broken = dataclasses.replace(proof, differences={**proof.differences, "W1": difference})
    assert not broken.proved
    with pytest.raises(AssertionError, match="W1"):
        broken.check()


def test_softmax_output_rule_is_a_vector_jacobian_product_per_sample():
    proof = bs.prove_backprop_rule([2, 2, 3], n_samples=2, output="softmax")
    assert proof.proved, proof.proofs()[:3]
    assert len(proof.jacobians) == 2
    for i, J in enumerate(proof.jacobians):  # J_i = diag(a_i) - a_i^T a_i, a_i row i of A(L)
        a_i = proof.outputs.row(i)
        assert (J - (sp.diag(*a_i) - a_i.T * a_i)).applyfunc(lambda e: sp.expand(e, power_exp=False)).is_zero_matrix
        assert proof.deltas[2].row(i) == proof.loss_gradient.row(i) * J
    assert "J_i" in proof.latex and proof.latex.startswith(bs.SOFTMAX_RULE_LATEX)
    proof.check()  # and the library's softmax backward agrees with the proved form


def test_softmax_rule_with_an_elementwise_derivative_is_refuted():
    # Treating softmax as elementwise, delta = dL/dA (.) a (1 - a), drops the off-diagonal terms
    # of the Jacobian: the gradient of b(2) it gives is not the derivative of the loss.
    proof = bs.prove_backprop_rule([1, 1, 3], n_samples=1, output="softmax")
    diagonal = sp.Matrix([[J[k, k] for k in range(3)] for J in proof.jacobians])
    wrong_db2 = sp.ones(1, 1) * proof.loss_gradient.multiply_elementwise(diagonal)
    assert not (proof.elementwise["b2"] - wrong_db2).applyfunc(sp.expand).is_zero_matrix
    assert proof.differences["b2"].is_zero_matrix  # while the Jacobian form holds


def test_fused_softmax_cross_entropy_delta_is_yhat_minus_y_over_n():
    proof = bs.prove_backprop_rule([2, 2, 3], n_samples=2, output="softmax", loss="cross_entropy")
    assert proof.proved, proof.proofs()[:3]
    assert set(proof.fused_differences) == {"delta", "W1", "b1", "W2", "b2"}
    assert (proof.fused_delta - (proof.outputs - proof.Y) / 2).is_zero_matrix  # (Yhat - Y) / N, N = 2
    assert proof.latex.startswith(bs.SOFTMAX_RULE_LATEX) and bs.FUSED_DELTA_LATEX in proof.latex
    proof.check()
    comparisons = proof.compare(np.random.default_rng(3))
    assert {c.label for c in comparisons} == {"matrix form", "matrix form from (Yhat - Y)/N"}


def test_fused_delta_needs_targets_that_sum_to_one():
    proof = bs.prove_backprop_rule([1, 1, 2], n_samples=1, output="softmax", loss="cross_entropy")
    # Without y_2 = 1 - y_1 the rule's delta is not (Yhat - Y)/N.
    without = (proof.deltas[2] - proof.fused_delta).applyfunc(lambda e: sp.simplify(e))
    assert not without.is_zero_matrix
    assert proof.fused_differences["delta"].is_zero_matrix


@pytest.mark.parametrize("kwargs, message", [
    ({"output": "sigmoid"}, "elementwise: leave output=None"),
    ({"output": "swish"}, "no derivation for activation 'swish'"),
    ({"loss": "hinge"}, "no derivation for loss 'hinge'"),
    ({"n_samples": 0}, "n_samples must be a positive integer"),
])
def test_prove_backprop_rule_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        bs.prove_backprop_rule([2, 2, 2], **kwargs)
    with pytest.raises(ValueError, match="at least 2 units"):
        bs.prove_backprop_rule([2, 1], output="softmax")


# ---------------------------------------------------------------- display and packaging


def every_kind_of_result() -> list:
    return [bs.derive_activation("relu"), bs.derive_activation("sigmoid"), bs.derive_activation("softmax"),
            bs.derive_loss("bce"), bs.derive_fused_delta("sigmoid", "bce"),
            bs.derive_fused_delta("softmax", "cross_entropy"), bs.derive_network(net_111(), X_111, Y_111),
            bs.derive_network(net_321(), X_321, Y_321), bs.chain_rule(net_111(), X_111, Y_111, "W1"),
            bs.prove_backprop_rule([1, 1, 1], n_samples=1),
            bs.prove_backprop_rule([1, 1, 2], n_samples=1, output="softmax", loss="cross_entropy")]


def test_every_result_renders_as_latex_and_text():
    for r in every_kind_of_result():
        assert isinstance(r, bs.Derivation)
        assert r._repr_latex_() == f"$\\displaystyle {r.latex}$"
        assert r.latex.count("{") == r.latex.count("}"), type(r).__name__
        assert r.text and "\n" not in r.text and "{" not in r.text, r.text


def test_emitted_latex_follows_the_books_notation():
    """The loss is \\mathcal{L} (plain L is the output layer's index), the batch size N, transposes ^\\top,
    biases rows (their gradient 1_N^T delta), and delta means only a layer's delta."""
    for r in every_kind_of_result():
        latex = r.latex
        assert not re.search(r"\\partial L(?![a-zA-Z])", latex), latex  # no "dL" with a plain L
        assert not re.search(r"\\frac\{1\}\{n\}|[,(]\\ n = |_\{i=1\}\^\{n\}", latex), latex
        assert "\\mathsf" not in latex and "KroneckerDelta" not in latex and "\\delta_{" not in latex, latex
    rule = bs.prove_backprop_rule([1, 1, 1], n_samples=1).latex
    assert "\\mathbf{1}_N^\\top \\delta^{(l)}" in rule and "N = 1" in rule
    assert "Z^{(L)}" in rule and "{A^{(l-1)}}^\\top" in rule  # batch matrices are capitals
    assert bs.derive_loss("mse").latex.startswith("\\mathcal{L} = \\frac{1}{N}\\sum_{i=1}^{N}\\sum_{k} \\ell(")


def test_import_backprop_does_not_import_sympy():
    code = "import backprop, sys; assert 'sympy' not in sys.modules; backprop.MLP([1, 1])"
    subprocess.run([sys.executable, "-c", code], check=True)
