"""What the meta-estimators share: one clone of ``estimator`` fitted on checked
inputs, and the prediction methods it has, delegated to it.

Like scikit-learn's ``FixedThresholdClassifier``, each prediction method exists
only when the inner estimator has it (``available_if``): a meta-estimator
around ``LinearSVC`` has ``decision_function`` and no ``predict_proba``. An
already-fitted estimator is wrapped as ``sklearn.frozen.FrozenEstimator(
fitted)``: its ``fit`` does nothing, so the meta-estimator only learns its own
part.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_sample_weight,
    _estimator_has,
    check_is_fitted,
)

from .utils._validation import check_same_length, check_single_target


class BaseMetaClassifier(ClassifierMixin, MetaEstimatorMixin, BaseEstimator):
    """A classifier that fits a clone of ``estimator`` and predicts with it."""

    def _check_fit_inputs(self, X, y, sample_weight=None):
        """``y`` as 1-D labels and ``sample_weight`` as finite weights >= 0,
        both the length of ``X`` (errors name what is wrong)."""
        y = check_single_target(y)
        check_same_length(X, y)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, np.empty((len(y), 0)), ensure_non_negative=True
            )
        return y, sample_weight

    def _fit_estimator(self, X, y, **fit_params):
        """Fit a clone of ``estimator`` as ``estimator_``; take its ``classes_``,
        ``n_features_in_`` and ``feature_names_in_``."""
        self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        self.classes_ = np.asarray(self.estimator_.classes_)
        for name in ("n_features_in_", "feature_names_in_"):
            if hasattr(self.estimator_, name):
                setattr(self, name, getattr(self.estimator_, name))
        return self.estimator_

    @available_if(_estimator_has("predict_proba"))
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

    @available_if(_estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Logarithm of the class probabilities of the fitted inner estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Examples to classify, as accepted by the fitted ``estimator_``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self.estimator_.predict_log_proba(X)

    @available_if(_estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision scores of the fitted inner estimator.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Examples to classify, as accepted by the fitted ``estimator_``.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            As the inner estimator returns them.
        """
        check_is_fitted(self)
        return self.estimator_.decision_function(X)

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
