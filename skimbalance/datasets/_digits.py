"""scikit-learn's bundled 8x8 digits, shaped like the MNIST loader's output."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import Bunch

__all__ = ["load_digit_images"]

_IMAGE_SHAPE = (1, 8, 8)
_MAX_INTENSITY = 16  # pixels of the bundled digits are counts 0-16


def load_digit_images(*, return_X_y=False):
    """Load scikit-learn's 8x8 digits as float32 features in [0, 1].

    A small stand-in for MNIST that needs no download: the 1797 images of
    :func:`sklearn.datasets.load_digits`, with pixel values divided by 16.

    Parameters
    ----------
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with attributes:

        data : ndarray of shape (1797, 64), dtype float32
            Pixel intensities in [0, 1], each image flattened row by row.
        target : ndarray of shape (1797,), dtype int64
            Digit labels 0-9.
        image_shape : tuple of int
            ``(1, 8, 8)``: channels, height, width of one image.
        target_names : ndarray of shape (10,)
            The class labels, ``0`` to ``9``.
        DESCR : str
            Description of the data set, from scikit-learn.

    (data, target) : tuple if ``return_X_y`` is True
        The two arrays described above.

    See Also
    --------
    load_mnist : The 28x28 MNIST digits.
    sklearn.datasets.load_digits : The same data with 0-16 float64 pixels.

    Examples
    --------
    >>> from skimbalance.datasets import load_digit_images
    >>> digits = load_digit_images()
    >>> digits.data.shape, digits.data.dtype, digits.image_shape
    ((1797, 64), dtype('float32'), (1, 8, 8))
    >>> float(digits.data.max())
    1.0
    """
    digits = load_digits()
    X = np.divide(digits.data, _MAX_INTENSITY, dtype=np.float32)
    y = digits.target.astype(np.int64)
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        image_shape=_IMAGE_SHAPE,
        target_names=np.asarray(digits.target_names),
        DESCR=digits.DESCR,
    )
