"""Tests of PriorThresholdClassifier."""

import pickle
import warnings

import numpy as np
import pytest
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn import config_context
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, balanced_accuracy_score, recall_score
from sklearn.svm import LinearSVC

from skimbalance._prior_threshold import PriorThresholdClassifier

SEED = 0

# Three unit-variance Gaussian classes in 2-D, overlapping a little: logistic
# regression is well specified here, so its probabilities are calibrated.
MEANS = np.array([[0.0, 0.0], [2.5, 0.0], [1.25, 2.2]])
TRAIN_PRIORS = np.array([0.6, 0.3, 0.1])
TEST_PRIORS = np.array([0.1, 0.3, 0.6])


def _gaussian_classes(n_samples, priors, rng):
    counts = np.round(n_samples * np.asarray(priors)).astype(int)
    y = np.repeat(np.arange(len(counts)), counts)
    X = MEANS[y] + rng.standard_normal((y.size, 2))
    order = rng.permutation(y.size)
    return X[order], y[order]


@pytest.fixture(scope="module")
def gaussian_shift():
    """Train set with TRAIN_PRIORS, test set of 6000 with TEST_PRIORS."""
    rng = np.random.default_rng(SEED)
    X_train, y_train = _gaussian_classes(3000, TRAIN_PRIORS, rng)
    X_test, y_test = _gaussian_classes(6000, TEST_PRIORS, rng)
    return X_train, y_train, X_test, y_test


@pytest.fixture(scope="module")
def binary_imbalanced():
    """Imbalanced binary problem (95 : 5), split into train and test halves."""
    X, y = make_classification(
        n_samples=2000,
        n_features=5,
        n_informative=2,
        n_redundant=0,
        weights=[0.95],
        flip_y=0,
        class_sep=0.5,
        random_state=SEED,
    )
    return X[:1000], y[:1000], X[1000:], y[1000:]


@pytest.fixture(scope="module")
def multiclass_fitted(gaussian_shift):
    X_train, y_train, X_test, _ = gaussian_shift
    return PriorThresholdClassifier(LogisticRegression()).fit(X_train, y_train), X_test


def _expected(proba, target, priors, tau):
    scaled = proba * target / priors**tau
    return scaled / scaled.sum(axis=1, keepdims=True)


# -- formula ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "tau, target", [(1.0, "uniform"), (0.5, [0.2, 0.3, 0.5]), (2.0, [0.5, 0.25, 0.25])]
)
def test_formula_multiclass(gaussian_shift, tau, target):
    X_train, y_train, X_test, _ = gaussian_shift
    clf = PriorThresholdClassifier(
        LogisticRegression(), tau=tau, target_priors=target
    ).fit(X_train, y_train)
    np.testing.assert_allclose(clf.priors_, TRAIN_PRIORS)
    target = np.full(3, 1 / 3) if target == "uniform" else np.asarray(target)
    expected = _expected(
        clf.estimator_.predict_proba(X_test), target, TRAIN_PRIORS, tau
    )
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X_test), np.argmax(expected, axis=1))
    np.testing.assert_allclose(clf.predict_log_proba(X_test), np.log(proba))


def test_formula_binary(binary_imbalanced):
    X_train, y_train, X_test, _ = binary_imbalanced
    clf = PriorThresholdClassifier(LogisticRegression()).fit(X_train, y_train)
    priors = np.bincount(y_train) / y_train.size
    np.testing.assert_array_equal(clf.priors_, priors)
    expected = _expected(clf.estimator_.predict_proba(X_test), 0.5, priors, 1.0)
    np.testing.assert_allclose(clf.predict_proba(X_test), expected, rtol=1e-12)
    # Binary thresholding is a threshold of prior(1) on the inner p(1|x).
    p1 = clf.estimator_.predict_proba(X_test)[:, 1]
    np.testing.assert_array_equal(clf.predict(X_test), (p1 > priors[1]).astype(int))


@pytest.mark.parametrize("data", ["gaussian_shift", "binary_imbalanced"])
def test_tau_zero_returns_inner_probabilities_exactly(request, data):
    X_train, y_train, X_test, _ = request.getfixturevalue(data)
    clf = PriorThresholdClassifier(LogisticRegression(), tau=0).fit(X_train, y_train)
    inner = clf.estimator_.predict_proba(X_test)
    np.testing.assert_array_equal(clf.predict_proba(X_test), inner)
    np.testing.assert_array_equal(clf.predict(X_test), clf.estimator_.predict(X_test))


def test_given_priors_and_balanced_data(binary_imbalanced):
    X_train, y_train, X_test, _ = binary_imbalanced
    clf = PriorThresholdClassifier(LogisticRegression(), priors=[0.5, 0.5])
    clf.fit(X_train, y_train)
    np.testing.assert_array_equal(clf.priors_, [0.5, 0.5])
    # Equal weights for every class: the inner probabilities, bit for bit.
    inner = clf.estimator_.predict_proba(X_test)
    np.testing.assert_array_equal(clf.predict_proba(X_test), inner)


# -- priors before sampling, fit params, labels ----------------------------------


def test_priors_learned_before_sampling(binary_imbalanced):
    X_train, y_train, X_test, _ = binary_imbalanced
    pipe = make_pipeline(RandomOverSampler(random_state=SEED), LogisticRegression())
    clf = PriorThresholdClassifier(pipe).fit(X_train, y_train)
    original = np.bincount(y_train) / y_train.size
    assert original[1] < 0.1
    np.testing.assert_array_equal(clf.priors_, original)
    expected = _expected(clf.estimator_.predict_proba(X_test), 0.5, original, 1.0)
    np.testing.assert_allclose(clf.predict_proba(X_test), expected, rtol=1e-12)


def test_fit_params_go_to_the_estimator(binary_imbalanced):
    X_train, y_train, X_test, _ = binary_imbalanced
    weights = np.where(y_train == 1, 10.0, 1.0)
    clf = PriorThresholdClassifier(LogisticRegression(), tau=0)
    clf.fit(X_train, y_train, sample_weight=weights)
    reference = LogisticRegression().fit(X_train, y_train, sample_weight=weights)
    np.testing.assert_allclose(
        clf.predict_proba(X_test), reference.predict_proba(X_test)
    )
    weighted = np.bincount(y_train, weights=weights)
    np.testing.assert_allclose(clf.priors_, weighted / weighted.sum())


def test_weighted_priors_balance_once(binary_imbalanced):
    """Weights that balance the classes give uniform priors: the correction is not
    applied twice (weights count as repetitions)."""
    X_train, y_train, X_test, _ = binary_imbalanced
    counts = np.bincount(y_train)
    balancing = (len(y_train) / (2 * counts))[y_train]
    clf = PriorThresholdClassifier(LogisticRegression()).fit(
        X_train, y_train, sample_weight=balancing
    )
    np.testing.assert_allclose(clf.priors_, [0.5, 0.5])
    np.testing.assert_allclose(
        clf.predict_proba(X_test), clf.estimator_.predict_proba(X_test)
    )
    repeated = np.repeat(np.arange(len(y_train)), np.where(y_train == 1, 3, 1))
    weights = np.where(y_train == 1, 3.0, 1.0)
    a = PriorThresholdClassifier(LogisticRegression()).fit(
        X_train, y_train, sample_weight=weights
    )
    b = PriorThresholdClassifier(LogisticRegression()).fit(
        X_train[repeated], y_train[repeated]
    )
    np.testing.assert_allclose(a.priors_, b.priors_)


def test_fit_params_with_metadata_routing(binary_imbalanced):
    X_train, y_train, X_test, _ = binary_imbalanced
    weights = np.where(y_train == 1, 10.0, 1.0)
    reference = LogisticRegression().fit(X_train, y_train, sample_weight=weights)
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        clf = PriorThresholdClassifier(inner, tau=0)
        clf.fit(X_train, y_train, sample_weight=weights)
    np.testing.assert_allclose(
        clf.predict_proba(X_test), reference.predict_proba(X_test)
    )


@pytest.mark.parametrize("data", ["gaussian_shift", "binary_imbalanced"])
def test_string_labels(request, data):
    X_train, y_train, X_test, _ = request.getfixturevalue(data)
    names = np.array(["zebra", "cat", "mouse"])  # not in sorted order
    clf = PriorThresholdClassifier(LogisticRegression()).fit(X_train, names[y_train])
    np.testing.assert_array_equal(clf.classes_, np.unique(names[y_train]))
    numeric = PriorThresholdClassifier(LogisticRegression()).fit(X_train, y_train)
    np.testing.assert_array_equal(clf.predict(X_test), names[numeric.predict(X_test)])
    _, counts = np.unique(names[y_train], return_counts=True)
    np.testing.assert_allclose(clf.priors_, counts / counts.sum())


def test_thresholding_helps_the_minority(binary_imbalanced, gaussian_shift):
    X_train, y_train, X_test, y_test = binary_imbalanced
    inner = LogisticRegression().fit(X_train, y_train)
    clf = PriorThresholdClassifier(LogisticRegression()).fit(X_train, y_train)
    assert recall_score(y_test, clf.predict(X_test)) > 0.15 + recall_score(
        y_test, inner.predict(X_test)
    )
    assert balanced_accuracy_score(
        y_test, clf.predict(X_test)
    ) > 0.05 + balanced_accuracy_score(y_test, inner.predict(X_test))

    # Multiclass, minority class 2 (10 % of training).
    X_train, y_train, _, _ = gaussian_shift
    X_eval, y_eval = _gaussian_classes(3000, [1 / 3] * 3, np.random.default_rng(1))
    inner = LogisticRegression().fit(X_train, y_train)
    clf = PriorThresholdClassifier(LogisticRegression()).fit(X_train, y_train)
    assert balanced_accuracy_score(y_eval, clf.predict(X_eval)) > 0.02 + (
        balanced_accuracy_score(y_eval, inner.predict(X_eval))
    )


# -- EM ---------------------------------------------------------------------------


def test_em_recovers_known_test_priors(gaussian_shift):
    X_train, y_train, X_test, y_test = gaussian_shift
    clf = PriorThresholdClassifier(LogisticRegression(), target_priors="em")
    clf.fit(X_train, y_train)
    estimate = clf.estimate_test_priors(X_test)
    assert not hasattr(clf, "test_priors_")  # estimate_test_priors stores nothing
    np.testing.assert_allclose(estimate, TEST_PRIORS, atol=0.02)
    # The plain inner estimate (mean of p(i|x)) is far off, for contrast.
    inner_mean = clf.estimator_.predict_proba(X_test).mean(axis=0)
    assert np.max(np.abs(inner_mean - TEST_PRIORS)) > 0.1

    before = dict(vars(clf))
    y_pred = clf.predict(X_test)
    assert vars(clf).keys() == before.keys()  # prediction changes nothing
    expected = clf.estimator_.predict_proba(X_test) * (estimate / clf.priors_)
    np.testing.assert_allclose(
        clf.predict_proba(X_test), expected / expected.sum(1, keepdims=True)
    )
    unadapted = clone(clf).set_params(tau=0, target_priors="uniform")
    unadapted.fit(X_train, y_train)
    assert accuracy_score(y_test, y_pred) > 0.02 + accuracy_score(
        y_test, unadapted.predict(X_test)
    )
    # Adapted posteriors, as in Saerens et al.: p(i|x) * t(i) / prior(i).
    expected = _expected(
        clf.estimator_.predict_proba(X_test), estimate, clf.priors_, 1.0
    )
    np.testing.assert_allclose(clf.predict_proba(X_test), expected, rtol=1e-12)


def test_em_uses_prior_to_the_power_tau_after_estimating(gaussian_shift):
    X_train, y_train, X_test, _ = gaussian_shift
    clf = PriorThresholdClassifier(LogisticRegression(), target_priors="em", tau=0.5)
    clf.fit(X_train, y_train)
    estimate = clf.estimate_test_priors(X_test)  # independent of tau
    np.testing.assert_array_equal(
        estimate,
        clone(clf).set_params(tau=2).fit(X_train, y_train).estimate_test_priors(X_test),
    )
    expected = _expected(
        clf.estimator_.predict_proba(X_test), estimate, clf.priors_, 0.5
    )
    np.testing.assert_allclose(clf.predict_proba(X_test), expected, rtol=1e-12)


def test_em_convergence_warning(multiclass_fitted):
    clf, X_test = multiclass_fitted
    clf = pickle.loads(pickle.dumps(clf)).set_params(em_max_iter=1, em_tol=0)
    with pytest.warns(ConvergenceWarning, match="em_max_iter=1"):
        clf.estimate_test_priors(X_test)


def test_em_on_the_training_distribution_stays_near_the_priors(multiclass_fitted):
    clf, _ = multiclass_fitted
    X, _ = _gaussian_classes(6000, TRAIN_PRIORS, np.random.default_rng(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        np.testing.assert_allclose(clf.estimate_test_priors(X), TRAIN_PRIORS, atol=0.02)


# -- sklearn API ------------------------------------------------------------------


def test_clone_and_nested_params(binary_imbalanced):
    X_train, y_train, X_test, _ = binary_imbalanced
    clf = PriorThresholdClassifier(LogisticRegression(C=1.0), tau=0.5)
    assert clf.get_params()["estimator__C"] == 1.0
    clf.set_params(estimator__C=0.01, target_priors="em")
    assert clf.estimator.C == 0.01
    cloned = clone(clf)
    assert cloned.get_params()["estimator__C"] == 0.01
    assert cloned.get_params()["tau"] == 0.5
    assert cloned.target_priors == "em" and cloned.estimator is not clf.estimator
    cloned.fit(X_train, y_train)
    assert cloned.estimator_.C == 0.01 and not hasattr(clf, "estimator_")


def test_not_fitted_raises(gaussian_shift):
    from sklearn.exceptions import NotFittedError

    clf = PriorThresholdClassifier(LogisticRegression(), target_priors="em")
    for method in ("predict", "predict_proba", "estimate_test_priors"):
        with pytest.raises(NotFittedError):
            getattr(clf, method)(gaussian_shift[2])


# -- errors -----------------------------------------------------------------------


class _MustNotFit(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        raise AssertionError("the inner estimator was fitted before validation")

    def predict_proba(self, X):
        raise AssertionError


class _ShiftedLabels(ClassifierMixin, BaseEstimator):
    """Learns the labels y + 1: its classes differ from those of y."""

    def fit(self, X, y):
        self.model_ = LogisticRegression().fit(X, np.asarray(y) + 1)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"priors": [0.2, 0.3, 0.5]}, r"`priors` must have one value per class \(2 "),
        ({"priors": [[0.5, 0.5]]}, r"`priors` must have one value per class"),
        ({"priors": [0.0, 1.0]}, r"`priors` must be finite and > 0 .*\[0, 1\]"),
        ({"priors": [-0.5, 1.5]}, r"`priors` must be finite and > 0"),
        ({"priors": [0.3, 0.3]}, r"`priors` must sum to 1 .*sums to 0.6"),
        ({"priors": ["a", "b"]}, r"`priors` must be an array of numbers"),
        ({"priors": "balanced"}, r"The 'priors' parameter of PriorThresholdClassifier"),
        ({"tau": -1.0}, r"The 'tau' parameter of PriorThresholdClassifier must be"),
        ({"target_priors": [0.2, 0.3]}, r"`target_priors` must sum to 1 .*0.5"),
        ({"target_priors": [0.5, 0.3, 0.2]}, r"`target_priors` must have one value"),
        ({"target_priors": [1.0, 0.0]}, r"`target_priors` must be finite and > 0"),
        ({"target_priors": "known"}, r"The 'target_priors' parameter"),
        ({"em_tol": -1e-3}, r"The 'em_tol' parameter"),
        ({"em_max_iter": 0}, r"The 'em_max_iter' parameter"),
    ],
)
def test_bad_parameters_raise_before_fitting(binary_imbalanced, params, match):
    X_train, y_train, _, _ = binary_imbalanced
    clf = PriorThresholdClassifier(_MustNotFit(), **params)
    with pytest.raises(ValueError, match=match):
        clf.fit(X_train, y_train)
    assert not hasattr(clf, "estimator_")


def test_estimator_without_predict_proba(binary_imbalanced):
    X_train, y_train, _, _ = binary_imbalanced
    with pytest.raises(
        ValueError,
        match=r"The 'estimator' parameter of PriorThresholdClassifier must be an "
        r"object implementing 'fit' and 'predict_proba'. Got LinearSVC\(\)",
    ):
        PriorThresholdClassifier(LinearSVC()).fit(X_train, y_train)


def test_inner_classes_must_match_y(binary_imbalanced):
    X_train, y_train, _, _ = binary_imbalanced
    with pytest.raises(ValueError, match=r"classes of the fitted estimator, \[1, 2\]"):
        PriorThresholdClassifier(_ShiftedLabels()).fit(X_train, y_train)


def test_bad_targets(binary_imbalanced):
    X_train, _, _, _ = binary_imbalanced
    clf = PriorThresholdClassifier(LogisticRegression())
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X_train, np.linspace(0, 1, len(X_train)))
    with pytest.raises(ValueError, match="requires y to be passed"):
        clf.fit(X_train, None)
    with pytest.raises(ValueError, match="Multilabel and multioutput targets"):
        clf.fit(X_train, np.eye(2, dtype=int)[np.arange(len(X_train)) % 2])
