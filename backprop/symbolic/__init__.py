"""SymPy derivations of every gradient the library computes, with checks that the library agrees.

This is the only module of :mod:`backprop` that imports SymPy; ``import
backprop`` does not load it.  Every result is a small object with the derived
SymPy expressions, ``latex`` / ``_repr_latex_`` (a notebook shows it typeset)
and ``check()``, which raises ``AssertionError`` naming the mismatch when the
library disagrees.

Activations and losses (:mod:`.elementary`)
    :func:`derive_activation`, :func:`derive_loss`, :func:`derive_fused_delta`;
    the tables :data:`ACTIVATION_TABLE` and :data:`LOSS_TABLE` hold the SymPy
    definitions (one row per name of ``backprop.ACTIVATIONS`` / ``LOSSES``).
Whole networks (:mod:`.networks`)
    :func:`parameter_symbols`, :func:`derive_network`, :func:`chain_rule`.
The general rule (:mod:`.rule`)
    :func:`prove_backprop_rule`.

Examples
--------
>>> import backprop.symbolic as bs
>>> d = bs.derive_activation("sigmoid")
>>> d.in_terms_of_a                       # sigma'(z) = sigma(z) (1 - sigma(z)), derived
a*(1 - a)
>>> d.check()                             # proved, and the library's sigmoid_grad agrees
>>> bs.derive_fused_delta("sigmoid", "bce").delta
[-y + yhat]
>>> print(d._repr_latex_()[:35])
$\\displaystyle \\sigma(z) = \\frac{1}
"""

from ._base import Derivation, exact, exact_matrix, is_zero
from .elementary import (
    ACTIVATION_TABLE,
    LOSS_TABLE,
    ActivationDerivation,
    FusedDelta,
    JacobianDerivation,
    LossDerivation,
    SymbolicActivation,
    SymbolicLoss,
    derive_activation,
    derive_fused_delta,
    derive_loss,
)
from .networks import ChainFactor, ChainRule, NetworkDerivation, chain_rule, derive_network, parameter_symbols
from .rule import RULE_LATEX, RuleProof, prove_backprop_rule

__all__ = [
    "ACTIVATION_TABLE", "LOSS_TABLE", "RULE_LATEX", "ActivationDerivation", "ChainFactor", "ChainRule",
    "Derivation", "FusedDelta", "JacobianDerivation", "LossDerivation", "NetworkDerivation", "RuleProof",
    "SymbolicActivation", "SymbolicLoss", "chain_rule", "derive_activation", "derive_fused_delta", "derive_loss",
    "derive_network", "exact", "exact_matrix", "is_zero", "parameter_symbols", "prove_backprop_rule",
]
