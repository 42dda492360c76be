"""Prediction methods of meta-estimators that predict with ``estimator_``."""

from sklearn.utils.validation import check_is_fitted


class PredictWithInnerEstimatorMixin:
    """``predict_proba`` and ``predict`` answered by ``self.estimator_``."""

    def predict_proba(self, X):
        """Class probabilities of the fitted inner estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Examples to classify, as accepted by the fitted ``estimator_``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        """Labels predicted by the fitted inner estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Examples to classify, as accepted by the fitted ``estimator_``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.estimator_.predict(X)
