"""SymPy derivations of every gradient the library computes, with checks that the library agrees.

This is the only module of `backprop` that imports SymPy; `import backprop` does not load it.
Every result is a small object with the derived SymPy expressions, `latex` / `_repr_latex_` (a
notebook shows it typeset), `text` (one line of plain text), `proofs()` (what SymPy could not
prove), `compare()` (against the library's code and against finite differences) and `check()`,
which raises `AssertionError` naming the mismatch when the library disagrees.

Activations and losses (`backprop.symbolic.elementary`)
: `derive_activation`, `derive_loss`, `derive_fused_delta`; the tables `ACTIVATION_TABLE` and
  `LOSS_TABLE` hold the SymPy definitions (one row per name of `backprop.ACTIVATIONS` / `LOSSES`).

Whole networks (`backprop.symbolic.networks`)
: `parameter_symbols`, `derive_network`, `chain_rule`; `worked_example` (the book's 1-1-1 and 3-2-1).

The general rule (`backprop.symbolic.rule`)
: `prove_backprop_rule`, for an elementwise or a softmax output layer (and softmax with
  cross-entropy, whose delta reduces to `(Yhat - Y)/N`); its equations in LaTeX: `RULE_LATEX`,
  `SOFTMAX_RULE_LATEX` and their parts `OUTPUT_DELTA_LATEX`, `SOFTMAX_DELTA_LATEX`,
  `HIDDEN_RULE_LATEX`, `FUSED_DELTA_LATEX`.

What training adds (`backprop.symbolic.training`)
: `derive_batch_norm` (the backward pass of batch normalisation, proved equal to the library's
  matrix form), `derive_dropout`, `derive_weight_decay`; their LaTeX: `BATCH_NORM_LATEX`,
  `DROPOUT_LATEX`, `WEIGHT_DECAY_LATEX`.

Everything at once (`backprop.symbolic.verification`)
: `verify()` and the command `python -m backprop.symbolic` (installed as `backprop-verify`).

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

from backprop.symbolic._base import (
    FD_STEP,
    FD_TOLERANCE,
    LIBRARY_TOLERANCE,
    Comparison,
    Derivation,
    exact,
    exact_matrix,
    is_zero,
)
from backprop.symbolic.elementary import (
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
from backprop.symbolic.networks import (
    ChainFactor,
    ChainRule,
    NetworkDerivation,
    chain_rule,
    derive_network,
    parameter_symbols,
    worked_example,
)
from backprop.symbolic.rule import (
    FUSED_DELTA_LATEX,
    HIDDEN_RULE_LATEX,
    OUTPUT_DELTA_LATEX,
    RULE_LATEX,
    SOFTMAX_DELTA_LATEX,
    SOFTMAX_RULE_LATEX,
    RuleProof,
    prove_backprop_rule,
)
from backprop.symbolic.training import (
    BATCH_NORM_LATEX,
    DROPOUT_LATEX,
    WEIGHT_DECAY_LATEX,
    BatchNormDerivation,
    TrainingRuleProof,
    derive_batch_norm,
    derive_dropout,
    derive_weight_decay,
)
from backprop.symbolic.verification import Report, Result, items, verify

__all__ = [
    "ACTIVATION_TABLE", "BATCH_NORM_LATEX", "DROPOUT_LATEX", "FD_STEP", "FD_TOLERANCE", "FUSED_DELTA_LATEX",
    "HIDDEN_RULE_LATEX", "LIBRARY_TOLERANCE", "LOSS_TABLE", "OUTPUT_DELTA_LATEX", "RULE_LATEX",
    "SOFTMAX_DELTA_LATEX", "SOFTMAX_RULE_LATEX", "WEIGHT_DECAY_LATEX", "ActivationDerivation", "BatchNormDerivation",
    "ChainFactor", "ChainRule", "Comparison", "Derivation", "FusedDelta", "JacobianDerivation", "LossDerivation",
    "NetworkDerivation", "Report", "Result", "RuleProof", "SymbolicActivation", "SymbolicLoss", "TrainingRuleProof",
    "chain_rule", "derive_activation", "derive_batch_norm", "derive_dropout", "derive_fused_delta", "derive_loss",
    "derive_network", "derive_weight_decay", "exact", "exact_matrix", "is_zero", "items", "parameter_symbols",
    "prove_backprop_rule", "verify", "worked_example",
]
