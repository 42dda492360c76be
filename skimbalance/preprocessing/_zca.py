"""ZCA whitening: decorrelate the features, changing the data as little as possible."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ._base import CHUNK, check_rows, transform_rows


class ZCAWhitener(TransformerMixin, BaseEstimator):
    r"""Whiten the features with the symmetric (ZCA) transform of their covariance.

    :meth:`fit` learns the mean :math:`\mu` and the covariance
    :math:`\Sigma = V \Lambda V^\top` of the training examples; :meth:`transform`
    returns :math:`(x - \mu)\, W` with :math:`W = V (\Lambda + \epsilon I)^{-1/2}
    V^\top`. Of all whitening transforms ZCA changes the data least, so
    whitened images still look like images (edges enhanced), which is why
    Goodfellow et al. (2013), Springenberg et al. (2015) and Buda et al. (2018)
    used it on CIFAR-10, with ``epsilon`` 0.1 after global contrast
    normalisation. The covariance is accumulated in float64 chunks.

    Parameters
    ----------
    epsilon : float, default=0.1
        Added to the eigenvalues: how much the small-variance directions are
        boosted at most.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
        Mean of each feature.
    whitening_ : ndarray of shape (n_features, n_features)
        The matrix :math:`W`.
    n_features_in_ : int
        Values per example seen in :meth:`fit`.

    See Also
    --------
    GlobalContrastNormalizer : What precedes it in the paper's pipeline.
    sklearn.decomposition.PCA : PCA whitening (``whiten=True``), which rotates.

    Examples
    --------
    >>> import numpy as np
    >>> from skimbalance.preprocessing import ZCAWhitener
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(2000, 3)) @ [[2, 1, 0], [0, 1, 0], [0, 0, 0.5]]
    >>> Xw = ZCAWhitener(epsilon=0).fit_transform(X)
    >>> bool(np.allclose(np.cov(Xw, rowvar=False), np.eye(3), atol=1e-3))
    True
    >>> Xw.dtype, ZCAWhitener().fit(X).whitening_.shape
    (dtype('float32'), (3, 3))
    """

    _parameter_constraints: dict = {"epsilon": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, *, epsilon=0.1):
        self.epsilon = epsilon

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the mean and the whitening matrix of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Training examples, an ImageArray included; at least 2.
        y : None
            Ignored.

        Returns
        -------
        self : ZCAWhitener
        """
        n, chunk, _ = check_rows(self, X, reset=True)
        if n < 2:
            raise ValueError(
                f"ZCAWhitener needs at least 2 samples to estimate a covariance; "
                f"got n_samples={n}."
            )
        total = gram = None
        for start in range(0, n, CHUNK):
            rows = chunk(start, min(n, start + CHUNK))
            total = rows.sum(0) if total is None else total + rows.sum(0)
            gram = rows.T @ rows if gram is None else gram + rows.T @ rows
        mean = total / n
        covariance = (gram - n * np.outer(mean, mean)) / (n - 1)
        values, vectors = np.linalg.eigh(covariance)
        values = np.clip(values, 0, None) + self.epsilon
        with np.errstate(divide="ignore"):
            scale = np.where(values > 0, 1 / np.sqrt(values), 0.0)
        self.mean_ = mean
        self.whitening_ = (vectors * scale) @ vectors.T
        return self

    def transform(self, X):
        """Whiten ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples, as in :meth:`fit`.

        Returns
        -------
        X_whitened : ndarray of the shape of ``X``, float32
        """
        check_is_fitted(self)
        n, chunk, shape = check_rows(self, X, reset=False)
        return transform_rows(n, chunk, shape, self._whiten)

    def _whiten(self, rows):
        return (rows - self.mean_) @ self.whitening_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]  # float32 out, always
        return tags
