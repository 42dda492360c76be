"""Input handling shared by the preprocessing transformers: any shape in, the
same shape out, rows processed in chunks (an ImageArray is decoded chunk by chunk)."""

import numpy as np
from sklearn.utils.validation import check_array, validate_data

from ..datasets._image_array import ImageArray
from ..utils._validation import check_n_features

#: Rows per chunk: bounds the float64 working memory (about 25 MB for
#: CIFAR-10's 3072 values an image).
CHUNK = 1024


def check_rows(estimator, X, *, reset):
    """``(rows, shape)``: a callable giving float64 2-D chunks of ``X``, and the
    shape one example has (to give the output back in the input's shape)."""
    if isinstance(X, ImageArray):
        shape = X.shape[1:]
        check_n_features(estimator, int(np.prod(shape)), reset=reset)

        def chunk(start, stop):
            return np.asarray(X[start:stop], dtype=np.float64).reshape(stop - start, -1)

        return len(X), chunk, shape
    array = X if hasattr(X, "iloc") else np.asarray(X) if not hasattr(X, "shape") else X
    shape = tuple(array.shape[1:]) if getattr(array, "ndim", 2) > 2 else None
    flat = array.reshape(len(array), -1) if shape is not None else array
    flat = validate_data(estimator, flat, reset=reset, dtype="numeric")
    shape = shape or flat.shape[1:]

    def chunk(start, stop):
        return check_array(flat[start:stop], dtype=np.float64)

    return len(flat), chunk, shape


def transform_rows(n, chunk, shape, function):
    """``function`` applied to every chunk, into a float32 array of ``shape`` rows."""
    out = np.empty((n, int(np.prod(shape))), dtype=np.float32)
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        out[start:stop] = function(chunk(start, stop))
    return out.reshape(n, *shape)
