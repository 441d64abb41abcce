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

from .losses import one_hot

__all__ = ["IRIS_FEATURES", "load_iris", "one_hot"]

IRIS_FEATURES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
"""The names of the four columns of the Iris ``X``, in order (lengths and widths in centimetres)."""


def load_iris() -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Fisher's Iris data: 150 flowers of three species, four measurements each.

    Returns
    -------
    X : ndarray
        Shape (150, 4), float64: the measurements, columns as in
        [IRIS_FEATURES][backprop.datasets.IRIS_FEATURES].
    y : ndarray
        Shape (150,), int: the species of each flower, an index into ``species``
        (usable directly as labels: ``net.fit(X, y)`` with cross-entropy).
    species : tuple of str
        ``("setosa", "versicolor", "virginica")``.

    Examples
    --------
    >>> X, y, species = load_iris()
    >>> species[y[0]], X[0].tolist()
    ('setosa', [5.1, 3.5, 1.4, 0.2])
    """
    with resources.files("backprop").joinpath("data/iris.csv").open(newline="") as f:
        rows = list(csv.reader(f))[1:]
    species = tuple(dict.fromkeys(r[4] for r in rows))
    X = np.array([[float(v) for v in r[:4]] for r in rows])
    y = np.array([species.index(r[4]) for r in rows])
    return X, y, species
