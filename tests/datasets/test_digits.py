"""Tests for skimbalance.datasets.load_digit_images."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from skimbalance.datasets import load_digit_images

COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


@pytest.fixture(scope="module")
def digits():
    return load_digit_images()


def test_bunch(digits):
    X, y = digits.data, digits.target
    assert X.shape == (1797, 64) and X.dtype == np.float32
    assert X.flags.c_contiguous
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.shape == (1797,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == COUNTS
    assert digits.image_shape == (1, 8, 8)
    assert int(np.prod(digits.image_shape)) == X.shape[1]
    np.testing.assert_array_equal(digits.target_names, np.arange(10))
    assert "digits" in digits.DESCR.lower()


def test_same_images_as_sklearn(digits):
    original = load_digits()
    np.testing.assert_array_equal(digits.data * 16, original.data)
    np.testing.assert_array_equal(digits.target, original.target)
    first = digits.data[0].reshape(digits.image_shape)[0]
    np.testing.assert_array_equal(first * 16, original.images[0])


def test_return_X_y(digits):
    X, y = load_digit_images(return_X_y=True)
    np.testing.assert_array_equal(X, digits.data)
    np.testing.assert_array_equal(y, digits.target)
    assert X.dtype == np.float32 and y.dtype == np.int64


def test_calls_return_independent_arrays(digits):
    X, _ = load_digit_images(return_X_y=True)
    X[:] = -1
    assert digits.data.min() == 0.0
