"""Small data sets shipped with the package (nothing is downloaded).

Examples
--------
>>> X, y, species = load_iris()
>>> X.shape, y.shape, species
((150, 4), (150,), ('setosa', 'versicolor', 'virginica'))
>>> [int((y == k).sum()) for k in range(3)]
[50, 50, 50]
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np

IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")


def load_iris() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Fisher's Iris data: ``X`` (150, 4) float64, ``y`` (150,) class indices, and the species names.

    The columns of ``X`` are :data:`IRIS_FEATURES`; ``y[i]`` indexes the species tuple.
    """
    with resources.files("backprop").joinpath("data/iris.csv").open(newline="") as f:
        rows = list(csv.reader(f))[1:]
    species = tuple(dict.fromkeys(r[4] for r in rows))
    X = np.array([[float(v) for v in r[:4]] for r in rows])
    y = np.array([species.index(r[4]) for r in rows])
    return X, y, species


def one_hot(y: np.ndarray, n_classes: int | None = None) -> np.ndarray:
    """Rows of the identity: class index ``k`` becomes a row with a 1 in column ``k``.

    Examples
    --------
    >>> one_hot(np.array([0, 2, 1]))
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer) or (y.size and y.min() < 0):
        raise ValueError(f"y must be a 1-D array of non-negative class indices, got {y.dtype} shape {y.shape}")
    k = int(y.max()) + 1 if n_classes is None else n_classes
    if y.size and y.max() >= k:
        raise ValueError(f"class index {int(y.max())} does not fit n_classes={k}")
    return np.eye(k)[y]
