"""What the three meta-estimators share (skimbalance._meta): methods only when the
inner estimator has them, one fit of a clone, fitted models wrapped frozen,
failed fits that change nothing."""

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC

from skimbalance import (
    DownsampleUpweightClassifier,
    PriorThresholdClassifier,
    TwoPhaseClassifier,
)
from skimbalance.cnn import CNNClassifier
from skimbalance.sampling import RatioOverSampler

METHODS = ("predict_proba", "predict_log_proba", "decision_function")


@pytest.fixture(scope="module")
def data():
    return make_classification(300, n_classes=3, n_informative=4, weights=[0.7, 0.2],
                               random_state=0)  # fmt: skip


def _cnn():
    return CNNClassifier(
        "mlp", max_iter=10, batch_size=32, device="cpu", random_state=0
    )


@pytest.mark.parametrize(
    "inner, has",
    [
        (LogisticRegression(), set(METHODS)),
        (LinearSVC(), {"decision_function"}),
        (_cnn(), {"predict_proba", "predict_log_proba"}),
    ],
    ids=["logistic", "linear-svc", "cnn"],
)
def test_downsample_upweight_has_what_its_estimator_has(data, inner, has):
    X, y = data
    model = DownsampleUpweightClassifier(inner, random_state=0)
    assert {m for m in METHODS if hasattr(model, m)} == has  # before fit, too
    model.fit(X, y)
    assert {m for m in METHODS if hasattr(model, m)} == has
    for method in has:
        np.testing.assert_array_equal(
            getattr(model, method)(X), getattr(model.estimator_, method)(X)
        )
    if "predict_proba" not in has:
        with pytest.raises(AttributeError, match="predict_proba"):
            model.predict_proba(X)


def test_two_phase_delegates(data):
    X, y = data
    model = TwoPhaseClassifier(_cnn(), RatioOverSampler(random_state=0)).fit(X, y)
    assert not hasattr(model, "decision_function")
    np.testing.assert_allclose(
        np.exp(model.predict_log_proba(X)), model.predict_proba(X), atol=1e-12
    )


class TestPriorThreshold:
    def test_decision_function_is_the_adjusted_log_scores(self, data):
        X, y = data
        model = PriorThresholdClassifier(LogisticRegression()).fit(X, y)
        scores = model.decision_function(X)
        expected = np.log(model.estimator_.predict_proba(X)) - np.log(model.priors_)
        np.testing.assert_allclose(scores, expected)
        np.testing.assert_array_equal(
            model.classes_[scores.argmax(1)], model.predict(X)
        )
        np.testing.assert_allclose(
            model.predict_log_proba(X), np.log(model.predict_proba(X))
        )

    def test_binary_decision_function_is_one_column(self):
        X, y = make_classification(200, weights=[0.9], random_state=0)
        model = PriorThresholdClassifier(LogisticRegression()).fit(X, y)
        scores = model.decision_function(X)
        assert scores.shape == (200,)
        np.testing.assert_array_equal(model.classes_[(scores > 0).astype(int)],
                                      model.predict(X))  # fmt: skip

    def test_a_fitted_model_wrapped_frozen_is_not_refitted(self, data):
        X, y = data
        fitted = LogisticRegression().fit(X[:100], y[:100])
        model = PriorThresholdClassifier(FrozenEstimator(fitted)).fit(X, y)
        np.testing.assert_array_equal(
            model.estimator_.predict_proba(X), fitted.predict_proba(X)
        )
        np.testing.assert_allclose(model.priors_, np.bincount(y) / len(y))


@pytest.mark.parametrize(
    "make",
    [
        lambda: PriorThresholdClassifier(LogisticRegression()),
        lambda: DownsampleUpweightClassifier(LogisticRegression(), random_state=0),
        lambda: TwoPhaseClassifier(_cnn(), RatioOverSampler(random_state=0)),
    ],
    ids=["prior-threshold", "downsample-upweight", "two-phase"],
)
def test_a_failed_fit_changes_nothing(data, make):
    X, y = data
    model = make().fit(X, y)
    before = dict(vars(model))
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, y, sample_weight=-np.ones(len(y)))
    assert vars(model).keys() == before.keys()
    assert all(vars(model)[k] is v for k, v in before.items())
