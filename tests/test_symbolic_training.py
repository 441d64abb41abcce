"""The SymPy derivations of batch normalisation, dropout and the L2 penalty: proved, compared with the library,
and a wrong matrix form or a wrong library formula caught."""

import numpy as np
import pytest
import sympy as sp

import backprop as bp
import backprop.symbolic as bs


@pytest.mark.parametrize("n_samples, n_units", [(2, 1), (3, 2), (4, 1)])
def test_batch_norm_backward_is_proved_for_small_batches(n_samples, n_units):
    d = bs.derive_batch_norm(n_samples, n_units)
    assert d.proved and d.proofs() == []
    d.check()


def test_a_matrix_form_without_the_variance_term_is_not_proved():
    d = bs.derive_batch_norm(3, 1)
    N, s = 3, d.s[0]
    D = d.delta * d.gamma[0]
    wrong = (D - sp.ones(N, N) * D / N) / s  # forgets the path through the variance
    diff = (d.elementwise["Z_tilde"] - wrong).applyfunc(lambda e: sp.cancel(sp.together(e)))
    assert not diff.is_zero_matrix
    right = d.elementwise["Z_tilde"] - d.matrix_form["Z_tilde"]
    assert right.applyfunc(lambda e: sp.cancel(sp.together(e))).is_zero_matrix


def test_the_comparison_catches_a_wrong_library_backward(monkeypatch):
    d = bs.derive_batch_norm(3, 2)
    right = bs.training.batch_norm_backward

    def wrong(bn, gamma, delta):
        d_gamma, d_beta, d_Z_tilde = right(bn, gamma, delta)
        return d_gamma, d_beta, d_Z_tilde * 1.001

    monkeypatch.setattr(bs.training, "batch_norm_backward", wrong)
    bad = [c for c in d.compare() if not c.ok]
    assert [c.label for c in bad] == ["dL/dZ_tilde"] and bad[0].against == "library"


def test_dropout_and_weight_decay_rules_are_proved_and_match_the_library():
    for d in (bs.derive_dropout(), bs.derive_weight_decay(), bs.derive_dropout((1, 3, 2), 3)):
        assert d.proved
        d.check()


def test_the_l2_gradient_is_alpha_w_and_a_missing_term_is_caught():
    d = bs.derive_weight_decay()
    for key, M in d.symbols.items():
        extra = d.alpha * M if key.startswith("W") else sp.zeros(*M.shape)
        without = d.matrix_form[key] - extra
        assert ((d.elementwise[key] - without).applyfunc(sp.expand) == extra.applyfunc(sp.expand))


def test_the_items_are_verified():
    report = bs.verify(only=["training:"])
    assert [r.name for r in report.results] == ["training:batch-norm", "training:dropout", "training:l2"]
    assert report.ok, report.table()
    assert all(r.library_error <= bs.LIBRARY_TOLERANCE and r.fd_error <= bs.FD_TOLERANCE for r in report.results)


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError, match="n_samples >= 2"):
        bs.derive_batch_norm(1, 2)
    with pytest.raises(ValueError, match="three positive integers"):
        bs.derive_dropout((2, 2))
    assert np.isfinite(bp.BATCH_NORM_EPSILON)
