"""The shipped Iris data against Fisher's published summary statistics."""

import numpy as np
import pytest

import backprop as bp


def test_iris_shape_classes_and_summary():
    X, y, species = bp.datasets.load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert species == ("setosa", "versicolor", "virginica")
    assert np.bincount(y).tolist() == [50, 50, 50]
    # Published summary (min, max, mean, SD; 2 decimals) of the four measurements.
    published = [(4.3, 7.9, 5.84, 0.83), (2.0, 4.4, 3.05, 0.43), (1.0, 6.9, 3.76, 1.76), (0.1, 2.5, 1.20, 0.76)]
    for j, (lo, hi, mean, sd) in enumerate(published):
        assert X[:, j].min() == lo and X[:, j].max() == hi
        assert X[:, j].mean() == pytest.approx(mean, abs=0.01)
        assert X[:, j].std(ddof=1) == pytest.approx(sd, abs=0.011)
    # Setosa is linearly separable from the others by petal length alone.
    assert X[y == 0, 2].max() < X[y != 0, 2].min()


def test_one_hot_and_its_errors():
    np.testing.assert_array_equal(bp.datasets.one_hot(np.array([1, 0]), 3), [[0, 1, 0], [1, 0, 0]])
    with pytest.raises(ValueError, match="class indices"):
        bp.datasets.one_hot(np.array([0.5]))
    with pytest.raises(ValueError, match="does not fit n_classes=2"):
        bp.datasets.one_hot(np.array([2]), 2)
