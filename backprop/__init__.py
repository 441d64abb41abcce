"""backprop: multilayer perceptrons and backpropagation in NumPy.

The library of the *backprop* book.  NumPy is its only dependency;
``backprop.symbolic`` (SymPy) and ``backprop.book`` (matplotlib, IPython) are
imported only when used.

Examples
--------
>>> import numpy as np, backprop as bp
>>> net = bp.MLP([3, 2, 1], hidden="relu", output="sigmoid", loss="bce", seed=0)
>>> X = np.array([[1.0, 0.5, -1.5]]); Y = np.array([[1.0]])
>>> history = net.fit(X, Y, epochs=20, lr=0.1)
>>> bool(net.loss(X, Y) < history.loss[0])
True
>>> bp.check_gradients(net, X, Y).ok
True
"""

from . import datasets
from .activations import (
    ACTIVATIONS,
    DERIVATIVES,
    Activation,
    get_activation,
    identity,
    identity_grad,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_grad,
)
from .gradcheck import NOISE_SAFETY, GradientCheck, ParameterCheck, check_gradients
from .initialisation import INITIALISATIONS, gaussian, get_initialisation, glorot_uniform, he_normal
from .losses import (
    FUSED,
    LOSSES,
    Loss,
    bce,
    bce_from_logits,
    bce_grad,
    cross_entropy,
    cross_entropy_from_logits,
    cross_entropy_grad,
    get_loss,
    mse,
    mse_grad,
    one_hot,
)
from .network import MLP, ForwardPass
from .normalisation import (
    BATCH_NORM_EPSILON,
    BATCH_NORM_MOMENTUM,
    BatchNormPass,
    batch_norm,
    batch_norm_backward,
    running_averages,
)
from .optimisers import OPTIMISERS, SGD, Adam, AdamW, Momentum, Optimiser, RMSProp, get_optimiser
from .regularisation import dropout_mask, l2_penalty
from .saving import load, save
from .training import History, TrainingDiverged, fit

__version__ = "0.1.0"
"""The version of the library (the distribution is called ``backprop-book``)."""

__all__ = [
    "ACTIVATIONS", "BATCH_NORM_EPSILON", "BATCH_NORM_MOMENTUM", "DERIVATIVES", "FUSED", "INITIALISATIONS", "LOSSES",
    "MLP", "NOISE_SAFETY", "OPTIMISERS", "SGD", "Activation", "Adam", "AdamW", "BatchNormPass", "ForwardPass",
    "GradientCheck", "History", "Loss", "Momentum", "Optimiser", "ParameterCheck", "RMSProp", "TrainingDiverged",
    "batch_norm", "batch_norm_backward", "bce", "bce_from_logits", "bce_grad", "check_gradients", "cross_entropy",
    "cross_entropy_from_logits", "cross_entropy_grad", "datasets", "dropout_mask", "fit", "gaussian",
    "get_activation", "get_initialisation", "get_loss", "get_optimiser", "glorot_uniform", "he_normal", "identity",
    "identity_grad", "l2_penalty", "load", "mse", "mse_grad", "one_hot", "relu", "relu_grad", "running_averages",
    "save", "sigmoid", "sigmoid_grad", "softmax", "softmax_jacobian", "tanh", "tanh_grad",
]
