"""Global contrast normalisation: each example centred and scaled by its own norm."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import check_rows, transform_rows


class GlobalContrastNormalizer(TransformerMixin, BaseEstimator):
    r"""Centre each example and divide it by its own standard deviation.

    For each example (an image or a row) :math:`x` with :math:`d` values,

    .. math::

        x' = s \, \frac{x - \bar x}
                      {\max\left(\epsilon, \sqrt{\lambda + \frac1d \sum_j
                      (x_j - \bar x)^2}\right)},

    the global contrast normalisation of Goodfellow et al. (2013), with their
    CIFAR-10 values as defaults (``scale`` :math:`s = 55`, ``sqrt_bias``
    :math:`\lambda = 10`). Per example, so nothing is learned in :meth:`fit`.

    Parameters
    ----------
    scale : float, default=55.0
        The norm every example is given.
    sqrt_bias : float, default=10.0
        Added under the square root; keeps near-constant images from being
        blown up.
    min_divisor : float, default=1e-8
        Smallest divisor.

    Attributes
    ----------
    n_features_in_ : int
        Values per example seen in :meth:`fit`.

    See Also
    --------
    ZCAWhitener : The whitening that follows it in the paper's pipeline.

    References
    ----------
    .. [1] I. Goodfellow, D. Warde-Farley, M. Mirza, A. Courville and Y. Bengio,
       "Maxout Networks", ICML 2013.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.preprocessing import GlobalContrastNormalizer
    >>> X = np.arange(24, dtype=np.uint8).reshape(2, 3, 2, 2)   # two RGB images
    >>> Xt = GlobalContrastNormalizer(sqrt_bias=0).fit_transform(X)
    >>> Xt.shape, Xt.dtype, bool(np.allclose(Xt.reshape(2, -1).std(1), 55))
    ((2, 3, 2, 2), dtype('float32'), True)
    """

    _parameter_constraints: dict = {
        "scale": [Interval(Real, 0, None, closed="neither")],
        "sqrt_bias": [Interval(Real, 0, None, closed="left")],
        "min_divisor": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, *, scale=55.0, sqrt_bias=10.0, min_divisor=1e-8):
        self.scale = scale
        self.sqrt_bias = sqrt_bias
        self.min_divisor = min_divisor

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check ``X`` (nothing to learn).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples, an ImageArray included.
        y : None
            Ignored.

        Returns
        -------
        self : GlobalContrastNormalizer
        """
        check_rows(self, X, reset=True)
        return self

    def transform(self, X):
        """Normalise every example.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples, as in :meth:`fit`.

        Returns
        -------
        X_normalized : ndarray of the shape of ``X``, float32
        """
        check_is_fitted(self)
        n, chunk, shape = check_rows(self, X, reset=False)
        return transform_rows(n, chunk, shape, self._normalize)

    def _normalize(self, rows):
        rows = rows - rows.mean(axis=1, keepdims=True)
        norm = np.sqrt(self.sqrt_bias + (rows * rows).mean(axis=1, keepdims=True))
        return self.scale * rows / np.maximum(norm, self.min_divisor)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]  # float32 out, always
        tags.requires_fit = False
        return tags
