"""Thresholding by class priors, post-hoc logit adjustment and EM prior shift."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import get_tags, indexable
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted

from ._meta import BaseMetaClassifier
from .utils._atomic import restore_on_error

#: Tolerance on the sum of a user-given prior vector.
_SUM_TOL = 1e-6


def _check_priors(value, name, classes):
    """``value`` as a float vector of class priors, one per class in ``classes``.

    Raises a ValueError naming the parameter ``name``, the value and the classes
    unless ``value`` has one finite, positive entry per class summing to 1.
    """
    try:
        priors = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"`{name}` must be an array of numbers, one per class {classes.tolist()};"
            f" got {value!r}."
        ) from exc
    if priors.ndim != 1 or priors.shape[0] != classes.shape[0]:
        raise ValueError(
            f"`{name}` must have one value per class ({classes.shape[0]} for the"
            f" classes {classes.tolist()}); got {value!r} of shape {priors.shape}."
        )
    if not np.all(np.isfinite(priors)) or np.any(priors <= 0):
        raise ValueError(
            f"`{name}` must be finite and > 0 for every class {classes.tolist()};"
            f" got {value!r}."
        )
    if abs(priors.sum() - 1.0) > _SUM_TOL:
        raise ValueError(
            f"`{name}` must sum to 1 (within {_SUM_TOL:g}) over the classes"
            f" {classes.tolist()}; got {value!r}, which sums to {priors.sum():.10g}."
        )
    return priors


def _normalise_rows(a):
    """Rows of ``a`` divided by their sums; rows summing to 0 become uniform."""
    sums = a.sum(axis=1, keepdims=True)
    out = np.full_like(a, 1.0 / a.shape[1])
    np.divide(a, sums, out=out, where=sums > 0)
    return out


def _em_test_priors(proba, train_priors, tol, max_iter):
    """EM estimate of the test priors (Saerens, Latinne & Decaestecker 2002).

    Returns the estimate and the number of iterations run.
    """
    pi = train_priors / train_priors.sum()
    for n_iter in range(1, max_iter + 1):
        adapted = _normalise_rows(proba * (pi / train_priors))
        pi_new = adapted.mean(axis=0)
        pi_new /= pi_new.sum()
        change = np.max(np.abs(pi_new - pi))
        pi = pi_new
        if change < tol:
            return pi, n_iter
    warnings.warn(
        f"The EM estimate of the test priors did not converge in em_max_iter="
        f"{max_iter} iterations (last change {change:.3g} >= em_tol={tol:g}).",
        ConvergenceWarning,
    )
    return pi, max_iter


class PriorThresholdClassifier(BaseMetaClassifier):
    r"""Classifier whose probabilities are divided by the training class priors.

    Fits a clone of ``estimator`` and rescales its class probabilities
    :math:`p(i \mid x)` to

    .. math::

        \tilde p(i \mid x) = \frac{p(i \mid x)\, t_i / \pi_i^{\tau}}
                                  {\sum_j p(j \mid x)\, t_j / \pi_j^{\tau}},

    where :math:`\pi` are the training class priors (``priors_``), :math:`t` the
    target priors and :math:`\tau` the strength ``tau``. ``predict`` takes the
    arg max of :math:`\tilde p`.

    - ``tau=1`` and a uniform target is the thresholding of Buda et al. (2018):
      the arg max of :math:`p(i \mid x) / \pi_i`, as if the classes had been
      balanced in training.
    - Other values of ``tau`` are the post-hoc logit adjustment of Menon et al.
      (2021): with logits :math:`f_i(x)`, the scores are
      :math:`f_i(x) - \tau \log \pi_i`.
    - A target ``t`` given as an array moves the predictions to a known
      deployment prior (Bayes' rule when ``tau=1``).
    - ``target_priors="em"`` estimates an unknown deployment prior from the
      samples being predicted, by the EM procedure of Saerens et al. (2002);
      see :meth:`estimate_test_priors`.

    Parameters
    ----------
    estimator : estimator instance
        The classifier, with ``fit`` and ``predict_proba``, whose probabilities
        are rescaled. It may be an imbalanced-learn pipeline with a sampler: the
        priors are still learned from the ``y`` given to :meth:`fit`, before
        sampling, as the paper prescribes.

    priors : "fit" or array-like of shape (n_classes,), default="fit"
        The training priors :math:`\pi`. ``"fit"``: the class frequencies of the
        ``y`` given to :meth:`fit`, weighted by its ``sample_weight`` when one is
        passed (weights count as repetitions, scikit-learn's convention, so
        weights that balance the classes give uniform priors and the correction
        is not applied twice); samplers inside ``estimator`` do not change them.
        An array: one positive value per class
        of ``np.unique(y)``, in that order, summing to 1 (within 1e-6); give the
        priors that the posteriors of ``estimator`` really reflect, for instance
        uniform ones for a model trained on balanced batches, when the target is
        a known or estimated deployment prior.

    tau : float, default=1.0
        The power of the training priors in the denominator, >= 0. ``tau=0``
        leaves the priors out; with ``target_priors="uniform"``,
        :meth:`predict_proba` then returns the probabilities of ``estimator_``
        unchanged, bit for bit.

    target_priors : {"uniform", "em"} or array-like, default="uniform"
        The target priors :math:`t`. ``"uniform"``: equal for every class. An
        array: one positive value per class, in the order of ``classes_``,
        summing to 1 (within 1e-6). ``"em"``: the test priors estimated from the
        ``X`` passed to each prediction method (:meth:`estimate_test_priors`); the
        predictions of a sample then depend on the other samples of the batch.

    em_tol : float, default=1e-6
        EM stops when no component of the estimated test priors changes by
        ``em_tol`` or more in one iteration.

    em_max_iter : int, default=100
        The most EM iterations; a ``ConvergenceWarning`` is raised when they are
        not enough.

    Attributes
    ----------
    estimator_ : estimator instance
        The fitted clone of ``estimator``.

    classes_ : ndarray of shape (n_classes,)
        The class labels, those of ``estimator_``.

    priors_ : ndarray of shape (n_classes,)
        The training priors :math:`\pi`, in the order of ``classes_``.

    n_features_in_ : int
        Number of features seen during :term:`fit`, when ``estimator_`` has it.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`, when ``estimator_`` has them.

    See Also
    --------
    sklearn.model_selection.FixedThresholdClassifier : Binary classifier with a
        decision threshold set by hand.
    sklearn.model_selection.TunedThresholdClassifierCV : Binary classifier with a
        decision threshold tuned by cross-validation.

    Notes
    -----
    Renormalising the rows changes one-vs-rest ROC AUC in the multiclass case,
    by several points under extreme imbalance: the paper's remark that
    thresholding leaves AUC unchanged holds for the unnormalised scores
    :math:`p(i \mid x) / \pi_i` only.

    With ``target_priors="em"`` the EM iteration is, from
    :math:`\hat t^{(0)} = \pi`,

    .. math::

        p^{(s)}(i \mid x) \propto p(i \mid x)\, \hat t^{(s)}_i / \pi_i, \qquad
        \hat t^{(s+1)}_i = \frac{1}{n} \sum_{x} p^{(s)}(i \mid x),

    always with :math:`\pi_i` to the power 1 (the estimate does not depend on
    ``tau``). It assumes that the probabilities of ``estimator_`` are calibrated
    for the training priors :math:`\pi` and that only the priors differ
    between training and test (label shift). The last estimate :math:`\hat t`
    is then the target in the formula above: with ``tau=1`` the adapted
    probabilities are those of Saerens et al., :math:`\tilde p(i \mid x) \propto
    p(i \mid x)\, \hat t_i / \pi_i`.

    If every class gets the same weight :math:`t_i / \pi_i^{\tau}` the
    probabilities of ``estimator_`` are returned as they are. Rows whose
    rescaled probabilities all vanish become uniform. Prediction never
    changes the estimator: with ``"em"`` the estimate is recomputed for each
    call (:meth:`estimate_test_priors` returns it).

    To threshold an already-fitted model without refitting it, wrap it as
    ``sklearn.frozen.FrozenEstimator(model)``: :meth:`fit` then only learns
    the priors.

    References
    ----------
    .. [1] M. Buda, A. Maki and M. A. Mazurowski, "A systematic study of the
       class imbalance problem in convolutional neural networks", Neural
       Networks 106, 249-259, 2018.
    .. [2] M. Saerens, P. Latinne and C. Decaestecker, "Adjusting the outputs of
       a classifier to new a priori probabilities: a simple procedure", Neural
       Computation 14(1), 21-41, 2002.
    .. [3] A. K. Menon, S. Jayasumana, A. S. Rawat, H. Jain, A. Veit and
       S. Kumar, "Long-tail learning via logit adjustment", ICLR 2021.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.metrics import recall_score
    >>> from skimbalance import PriorThresholdClassifier
    >>> X, y = make_classification(
    ...     n_samples=1000, weights=[0.95], flip_y=0, class_sep=0.5, random_state=0
    ... )
    >>> inner = LogisticRegression().fit(X, y)
    >>> clf = PriorThresholdClassifier(LogisticRegression()).fit(X, y)
    >>> clf.priors_.tolist()
    [0.95, 0.05]
    >>> recall_score(y, inner.predict(X)), recall_score(y, clf.predict(X))
    (0.4, 0.76)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "priors": [StrOptions({"fit"}), "array-like"],
        "tau": [Interval(Real, 0, None, closed="left")],
        "target_priors": [StrOptions({"uniform", "em"}), "array-like"],
        "em_tol": [Interval(Real, 0, None, closed="left")],
        "em_max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        estimator,
        *,
        priors="fit",
        tau=1.0,
        target_priors="uniform",
        em_tol=1e-6,
        em_max_iter=100,
    ):
        self.estimator = estimator
        self.priors = priors
        self.tau = tau
        self.target_priors = target_priors
        self.em_tol = em_tol
        self.em_max_iter = em_max_iter

    @_fit_context(
        # PriorThresholdClassifier.estimator is not validated yet
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y, **fit_params):
        """Learn the class priors and fit a clone of the estimator.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data, as accepted by ``estimator.fit``.

        y : array-like of shape (n_samples,)
            Target values.

        **fit_params : dict
            Parameters passed to ``estimator.fit``; when metadata routing is
            enabled (``sklearn.set_config(enable_metadata_routing=True)``), only
            those that ``estimator`` requests.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )
        with restore_on_error(self):
            X, y = indexable(X, y)
            y, weight = self._check_fit_inputs(X, y, fit_params.get("sample_weight"))
            classes, y_pos = np.unique(y, return_inverse=True)
            # Every check on the priors comes before the (costly) inner fit.
            if isinstance(self.priors, str):  # "fit": weights count as repetitions
                counts = np.bincount(y_pos, weights=weight, minlength=len(classes))
                if (counts <= 0).any():
                    empty = classes[counts <= 0].tolist()
                    raise ValueError(
                        f"sample_weight gives the class(es) {empty} a total weight "
                        "of 0: their prior would be 0 and thresholding divides by "
                        "it. Give them weight, or pass priors= explicitly."
                    )
                priors = counts / counts.sum()
            else:
                priors = _check_priors(self.priors, "priors", classes)
            if not isinstance(self.target_priors, str):
                _check_priors(self.target_priors, "target_priors", classes)

            if _routing_enabled():
                routed = process_routing(self, "fit", **fit_params).estimator.fit
            else:
                routed = fit_params
            self._fit_estimator(X, y, **routed)
            if not np.array_equal(self.classes_, classes):
                raise ValueError(
                    f"The classes of the fitted estimator, {self.classes_.tolist()}, "
                    f"differ from those of y, {classes.tolist()}: the priors cannot "
                    "be matched to its probabilities."
                )
            self.priors_ = priors
        return self

    def _inner_proba(self, X):
        proba = np.asarray(self.estimator_.predict_proba(X), dtype=np.float64)
        if proba.ndim != 2 or proba.shape[1] != self.classes_.shape[0]:
            raise ValueError(
                f"estimator.predict_proba returned shape {proba.shape}; expected one "
                f"column per class {self.classes_.tolist()}."
            )
        return proba

    def estimate_test_priors(self, X):
        r"""Estimate the class priors of the samples ``X`` by EM.

        The procedure of Saerens et al. (2002), from the training priors
        ``priors_``: :math:`p^{(s)}(i \mid x) \propto p(i \mid x)\,
        \hat t^{(s)}_i / \pi_i` and :math:`\hat t^{(s+1)}_i` the mean of
        :math:`p^{(s)}(i \mid x)` over ``X``, until no component changes by
        ``em_tol`` or more, or ``em_max_iter`` iterations. ``tau`` and
        ``target_priors`` play no role, and nothing is stored.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples from the deployment distribution, as accepted by
            ``estimator.predict_proba``.

        Returns
        -------
        test_priors : ndarray of shape (n_classes,)
            The estimated class priors, in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self._estimate_test_priors(self._inner_proba(X))[0]

    def _estimate_test_priors(self, proba):
        return _em_test_priors(proba, self.priors_, self.em_tol, self.em_max_iter)

    def _log_weights(self, proba):
        """``log t - tau log pi`` per class (for "em", ``t`` estimated from proba)."""
        if isinstance(self.target_priors, str) and self.target_priors == "uniform":
            log_target = np.zeros(self.classes_.shape[0])
        elif isinstance(self.target_priors, str):  # "em", recomputed for each call
            with np.errstate(divide="ignore"):
                log_target = np.log(self._estimate_test_priors(proba)[0])
        else:
            log_target = np.log(
                _check_priors(self.target_priors, "target_priors", self.classes_)
            )
        return log_target - self.tau * np.log(self.priors_)

    def _adjusted_log_scores(self, X):
        proba = self._inner_proba(X)
        log_weights = self._log_weights(proba)
        with np.errstate(divide="ignore"):
            return proba, log_weights, np.log(proba) + log_weights

    def predict_proba(self, X):
        """Class probabilities rescaled by the training and target priors.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples, as accepted by ``estimator.predict_proba``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            The rescaled probabilities, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        proba, log_weights, scores = self._adjusted_log_scores(X)
        if np.all(log_weights == log_weights[0]):
            return proba  # equal weights: nothing to rescale
        top = scores.max(axis=1, keepdims=True)
        top[~np.isfinite(top)] = 0.0  # all-zero rows: uniform after normalising
        return _normalise_rows(np.exp(scores - top))

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples, as accepted by ``estimator.predict_proba``.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The logarithm of the rescaled probabilities.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def decision_function(self, X):
        r"""Adjusted log-scores, :math:`\log p(i|x) + \log t_i - \tau \log \pi_i`.

        Unnormalised (no log-sum-exp over the classes), so each class's score
        is the inner estimator's log-probability shifted by a constant: the
        thresholding leaves the ranking of the samples for a class, and so
        one-vs-rest ROC AUC, unchanged. Their arg max is :meth:`predict`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples, as accepted by ``estimator.predict_proba``.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            For two classes, the score of ``classes_[1]`` minus that of
            ``classes_[0]`` (positive means ``classes_[1]``), as scikit-learn's
            binary classifiers return it; else one column per class.
        """
        check_is_fitted(self)
        scores = self._adjusted_log_scores(X)[2]
        if scores.shape[1] == 2:
            return scores[:, 1] - scores[:, 0]
        return scores

    def predict(self, X):
        """Predict the class of largest rescaled probability.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The samples, as accepted by ``estimator.predict_proba``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predicted class labels.
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Returns
        -------
        routing : MetadataRouter
            Routes the parameters of :meth:`fit` to ``estimator.fit``.
        """
        return MetadataRouter(owner=self).add(
            estimator=self.estimator,
            method_mapping=MethodMapping().add(callee="fit", caller="fit"),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = get_tags(self.estimator).input_tags.sparse
        return tags
