"""Tests of DownsampleUpweightClassifier."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.utils._param_validation import InvalidParameterError

from skimbalance import DownsampleUpweightClassifier

SEED = 0


class _RecordingLogisticRegression(LogisticRegression):
    """LogisticRegression that records the data and weights given to ``fit``."""

    def fit(self, X, y, sample_weight=None):
        self.fit_y_ = np.array(y)
        self.fit_weight_ = None if sample_weight is None else np.array(sample_weight)
        return super().fit(X, y, sample_weight=sample_weight)


def _lr():
    return LogisticRegression(max_iter=1000)


@pytest.fixture(scope="module")
def rare_positives():
    """Binary problem with 1 % positives, split 75/25 stratified."""
    X, y = make_classification(
        n_samples=20000, weights=[0.99], flip_y=0, class_sep=1.0, random_state=SEED
    )
    return train_test_split(X, y, stratify=y, random_state=SEED)


@pytest.fixture(scope="module")
def baseline(rare_positives):
    X_train, _, y_train, _ = rare_positives
    return _lr().fit(X_train, y_train)


@pytest.fixture(scope="module")
def models(rare_positives):
    """``{factor: model}`` fitted on the training part (do not modify)."""
    X_train, _, y_train, _ = rare_positives
    return {
        factor: DownsampleUpweightClassifier(
            _lr(), factor=factor, random_state=SEED
        ).fit(X_train, y_train)
        for factor in ("auto", 3, 10)
    }


@pytest.fixture(scope="module", params=["auto", 10])
def fitted(request, models):
    """``(factor, model)`` (do not modify)."""
    return request.param, models[request.param]


# -- what the model sees -------------------------------------------------------------


def test_training_set_is_more_balanced(fitted, rare_positives):
    factor, model = fitted
    _, _, y_train, _ = rare_positives
    counts = np.bincount(y_train)
    kept = np.bincount(y_train[model.sample_indices_])
    assert kept[1] == counts[1]  # the minority is kept whole
    assert len(np.unique(model.sample_indices_)) == len(model.sample_indices_)
    if factor == "auto":  # sqrt(n_c / n_min): halfway to balance on a log scale
        assert kept[0] == np.ceil(counts[0] / np.sqrt(counts[0] / counts[1]))
    else:
        assert kept[0] == np.ceil(counts[0] / factor)
    assert kept[0] / kept[1] < counts[0] / counts[1]


def test_class_weights(fitted, rare_positives):
    _, model = fitted
    _, _, y_train, _ = rare_positives
    counts = np.bincount(y_train)
    kept = np.bincount(y_train[model.sample_indices_])
    assert model.class_weights_.keys() == {0, 1}
    np.testing.assert_allclose(
        [model.class_weights_[0], model.class_weights_[1]], counts / kept
    )
    assert model.class_weights_[1] == 1.0


def test_weighted_training_loss_is_unbiased(fitted, rare_positives):
    """The weighted kept set has the full set's class totals: logistic regression
    (with intercept, lightly regularised) then matches the true positive rate on
    what it was fitted on."""
    _, model = fitted
    X_train, _, y_train, _ = rare_positives
    index = model.sample_indices_
    weight = np.array([model.class_weights_[c] for c in y_train[index]])
    for c in (0, 1):
        assert weight[y_train[index] == c].sum() == pytest.approx(np.sum(y_train == c))
    proba = model.predict_proba(X_train[index])[:, 1]
    assert np.average(proba, weights=weight) == pytest.approx(y_train.mean(), rel=0.02)


# -- calibration and ranking on the test set -----------------------------------------


def _test_calibration(model, rare_positives):
    _, X_test, _, y_test = rare_positives
    return model.predict_proba(X_test)[:, 1].mean() / y_test.mean()


def _test_auc_gap(model, baseline, rare_positives):
    _, X_test, _, y_test = rare_positives
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    return auc - roc_auc_score(y_test, baseline.predict_proba(X_test)[:, 1])


@pytest.mark.parametrize("factor", [3, 10, "auto"])
def test_calibration_kept(models, rare_positives, factor):
    _, X_test, _, y_test = rare_positives
    ratio = models[factor].predict_proba(X_test)[:, 1].mean() / y_test.mean()
    assert abs(ratio - 1) < 0.2


def test_calibration_kept_auto_when_minority_not_tiny():
    """With 10 % positives "auto" keeps 1500 negatives and stays calibrated."""
    X, y = make_classification(
        n_samples=20000, weights=[0.9], flip_y=0, class_sep=1.0, random_state=SEED
    )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=SEED
    )
    model = DownsampleUpweightClassifier(_lr(), random_state=SEED).fit(X_train, y_train)
    ratio = model.predict_proba(X_test)[:, 1].mean() / y_test.mean()
    assert abs(ratio - 1) < 0.2


@pytest.mark.parametrize("factor", [3, 10, "auto"])
def test_roc_auc_not_worse_than_baseline(models, baseline, rare_positives, factor):
    _, X_test, _, y_test = rare_positives
    auc = roc_auc_score(y_test, models[factor].predict_proba(X_test)[:, 1])
    auc_baseline = roc_auc_score(y_test, baseline.predict_proba(X_test)[:, 1])
    assert auc > auc_baseline - 0.005


def test_predict_matches_inner(fitted, rare_positives):
    _, model = fitted
    _, X_test, _, _ = rare_positives
    np.testing.assert_array_equal(model.classes_, [0, 1])
    assert model.n_features_in_ == X_test.shape[1]
    np.testing.assert_array_equal(
        model.predict_proba(X_test), model.estimator_.predict_proba(X_test)
    )
    np.testing.assert_array_equal(
        model.predict(X_test), model.estimator_.predict(X_test)
    )


# -- multiclass, labels, weights -----------------------------------------------------


@pytest.fixture(scope="module")
def three_classes():
    X, y = make_classification(
        n_samples=6000,
        n_classes=3,
        n_informative=4,
        weights=[0.8, 0.15, 0.05],
        flip_y=0,
        random_state=SEED,
    )
    return train_test_split(X, y, stratify=y, random_state=SEED)


@pytest.mark.parametrize("factor", ["auto", 4])
def test_multiclass(three_classes, factor):
    X_train, X_test, y_train, y_test = three_classes
    counts = np.bincount(y_train)  # [3600, 675, 225]
    model = DownsampleUpweightClassifier(_lr(), factor=factor, random_state=SEED)
    model.fit(X_train, y_train)
    kept = np.bincount(y_train[model.sample_indices_])
    if factor == "auto":  # ceil(n_c / sqrt(n_c / 225))
        assert kept.tolist() == [900, 390, 225]
    else:  # 1/4 of each class, never fewer than the smallest class
        assert kept.tolist() == [900, 225, 225]
    np.testing.assert_allclose(
        [model.class_weights_[c] for c in range(3)], counts / kept
    )
    proba = model.predict_proba(X_test)
    assert proba.shape == (len(y_test), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    ratio = proba.mean(axis=0) / (np.bincount(y_test) / len(y_test))
    np.testing.assert_allclose(ratio, 1, atol=0.2)
    assert model.score(X_test, y_test) > 0.8


def test_string_labels(three_classes):
    X_train, X_test, y_train, _ = three_classes
    names = np.array(["common", "middle", "rare"])
    model = DownsampleUpweightClassifier(_lr(), random_state=SEED)
    model.fit(X_train, names[y_train])
    np.testing.assert_array_equal(model.classes_, names)
    assert set(model.class_weights_) == set(names)
    assert model.class_weights_["rare"] == 1.0
    assert set(model.predict(X_test)) <= set(names)


def test_sample_weight_multiplies_in(rare_positives):
    X_train, _, y_train, _ = rare_positives
    weight = np.random.RandomState(SEED).uniform(0.5, 2.0, size=len(y_train))
    weight_copy = weight.copy()
    model = DownsampleUpweightClassifier(
        _RecordingLogisticRegression(max_iter=1000), factor=10, random_state=SEED
    ).fit(X_train, y_train, sample_weight=weight)
    np.testing.assert_array_equal(weight, weight_copy)
    index = model.sample_indices_
    inner = model.estimator_
    np.testing.assert_array_equal(inner.fit_y_, y_train[index])
    upweight = np.array([model.class_weights_[c] for c in y_train[index]])
    np.testing.assert_allclose(inner.fit_weight_, upweight * weight[index])


def test_without_sample_weight_inner_gets_upweighting(rare_positives):
    X_train, _, y_train, _ = rare_positives
    model = DownsampleUpweightClassifier(
        _RecordingLogisticRegression(max_iter=1000), factor=10, random_state=SEED
    ).fit(X_train, y_train)
    expected = np.where(y_train[model.sample_indices_] == 0, 10.0, 1.0)
    np.testing.assert_allclose(model.estimator_.fit_weight_, expected)


def test_same_draw_for_same_random_state(rare_positives):
    X_train, _, y_train, _ = rare_positives
    first, second, other = (
        DownsampleUpweightClassifier(_lr(), factor=10, random_state=rs).fit(
            X_train, y_train
        )
        for rs in (SEED, SEED, SEED + 1)
    )
    np.testing.assert_array_equal(first.sample_indices_, second.sample_indices_)
    assert not np.array_equal(first.sample_indices_, other.sample_indices_)


def test_factor_one_keeps_everything(rare_positives):
    X_train, _, y_train, _ = rare_positives
    model = DownsampleUpweightClassifier(_lr(), factor=1, random_state=SEED)
    model.fit(X_train, y_train)
    np.testing.assert_array_equal(model.sample_indices_, np.arange(len(y_train)))
    assert model.class_weights_ == {0: 1.0, 1: 1.0}


def test_caller_arrays_unchanged(rare_positives):
    X_train, _, y_train, _ = rare_positives
    X_copy, y_copy = X_train.copy(), y_train.copy()
    weight = np.ones(len(y_train))
    DownsampleUpweightClassifier(_lr(), factor=10, random_state=SEED).fit(
        X_train, y_train, sample_weight=weight
    )
    np.testing.assert_array_equal(X_train, X_copy)
    np.testing.assert_array_equal(y_train, y_copy)
    np.testing.assert_array_equal(weight, np.ones(len(y_train)))


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize("factor", [0.5, 0, "balanced"])
def test_invalid_factor(rare_positives, factor):
    X_train, _, y_train, _ = rare_positives
    model = DownsampleUpweightClassifier(_lr(), factor=factor)
    msg = (
        r"The 'factor' parameter of DownsampleUpweightClassifier must be a float in "
        r"the range \[1\.0, inf\) or a str among \{'auto'\}"
    )
    with pytest.raises(InvalidParameterError, match=msg):
        model.fit(X_train, y_train)


def test_estimator_without_sample_weight(rare_positives):
    X_train, _, y_train, _ = rare_positives
    model = DownsampleUpweightClassifier(KNeighborsClassifier())
    msg = r"KNeighborsClassifier\(\) does not accept sample_weight in fit"
    with pytest.raises(ValueError, match=msg):
        model.fit(X_train, y_train)


def test_mismatched_lengths(rare_positives):
    X_train, _, y_train, _ = rare_positives
    with pytest.raises(ValueError, match="same number of samples"):
        DownsampleUpweightClassifier(_lr()).fit(X_train[:-1], y_train)


# -- sklearn API ---------------------------------------------------------------------


def test_clone_and_nested_params():
    model = DownsampleUpweightClassifier(_lr(), factor=10, random_state=SEED)
    assert model.get_params()["estimator__max_iter"] == 1000
    model.set_params(estimator__C=0.5, factor=4)
    copy = clone(model)
    assert copy.estimator is not model.estimator
    assert copy.get_params()["estimator__C"] == 0.5
    assert copy.factor == 4
