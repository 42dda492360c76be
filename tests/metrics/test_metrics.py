"""skimbalance.metrics: equality with sklearn, class alignment, errors, scorers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.metrics import geometric_mean_score
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, get_scorer, roc_auc_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.preprocessing import label_binarize

from skimbalance.metrics import (
    imbalance_scorers,
    macro_average_precision_score,
    multiclass_roc_auc_score,
)

METRICS = [multiclass_roc_auc_score, macro_average_precision_score]
SCORER_KEYS = {
    "roc_auc",
    "mcc",
    "pr_auc",
    "balanced_accuracy",
    "gmean",
    "f1_macro",
    "accuracy",
}


def _multiclass(seed, n_classes=4, n_samples=40, proba=True):
    """Labels with every class present and random scores or probabilities."""
    rng = np.random.default_rng(seed)
    y = np.concatenate(
        [np.arange(n_classes), rng.integers(0, n_classes, n_samples - n_classes)]
    )
    if proba:
        scores = rng.dirichlet(np.ones(n_classes), size=n_samples)
    else:
        scores = rng.normal(scale=3.0, size=(n_samples, n_classes))
    # Make the scores informative so the AUCs are not all near 0.5.
    scores[np.arange(n_samples), y] += rng.uniform(0, 0.5, n_samples)
    if proba:
        scores /= scores.sum(axis=1, keepdims=True)
    return y, scores


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:360] / 16.0, y[:360]


# --------------------------------------------------------------------------
# Equality with sklearn
# --------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_classes=st.integers(3, 7),
    n_samples=st.integers(10, 60),
)
def test_roc_auc_equals_sklearn_ovr_macro(seed, n_classes, n_samples):
    y, proba = _multiclass(seed, n_classes, max(n_samples, n_classes + 1))
    expected = roc_auc_score(y, proba, multi_class="ovr", average="macro")
    assert multiclass_roc_auc_score(y, proba) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_roc_auc_any_finite_scores_is_mean_of_one_vs_rest(seed):
    y, scores = _multiclass(seed, n_classes=5, proba=False)
    expected = roc_auc_score(label_binarize(y, classes=range(5)), scores)
    assert multiclass_roc_auc_score(y, scores) == pytest.approx(expected)


def test_roc_auc_string_labels_equal_sklearn():
    y, proba = _multiclass(1, n_classes=3, n_samples=30)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    expected = roc_auc_score(names, proba, multi_class="ovr", average="macro")
    assert multiclass_roc_auc_score(names, proba) == pytest.approx(expected)
    assert multiclass_roc_auc_score(names.tolist(), proba.tolist()) == pytest.approx(
        expected
    )


def test_labels_give_the_column_order():
    y, proba = _multiclass(2, n_classes=4)
    order = [2, 0, 3, 1]
    for metric in METRICS:
        assert metric(y, proba[:, order], labels=order) == pytest.approx(
            metric(y, proba)
        )


@pytest.mark.parametrize("labels", [[0, 1], ["neg", "pos"]])
def test_binary_is_positive_class_auc(labels):
    rng = np.random.default_rng(3)
    y = np.array(labels)[np.r_[0, 1, rng.integers(0, 2, 38)]]
    p1 = rng.uniform(size=40)
    p1[y == labels[1]] += 0.3
    p1 = p1 / p1.max()
    proba = np.column_stack([1 - p1, p1])
    expected = roc_auc_score(y == labels[1], p1)
    assert multiclass_roc_auc_score(y, p1) == pytest.approx(expected)
    assert multiclass_roc_auc_score(y, proba) == pytest.approx(expected)
    assert multiclass_roc_auc_score(y, proba, require_proba=True) == pytest.approx(
        roc_auc_score(y, proba[:, 1])
    )
    # sklearn's ovr option on a binary problem also uses the positive column.
    assert multiclass_roc_auc_score(y, proba) == pytest.approx(
        roc_auc_score(y, proba[:, 1], multi_class="ovr")
    )
    expected_ap = average_precision_score(label_binarize(y, classes=labels).ravel(), p1)
    assert macro_average_precision_score(y, p1) == pytest.approx(expected_ap)
    assert macro_average_precision_score(y, proba) == pytest.approx(expected_ap)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("proba", [True, False])
def test_average_precision_equals_sklearn_on_binarised_labels(seed, proba):
    y, scores = _multiclass(seed, n_classes=5, proba=proba)
    expected = average_precision_score(
        label_binarize(y, classes=range(5)), scores, average="macro"
    )
    assert macro_average_precision_score(y, scores) == pytest.approx(expected)
    names = np.array(list("abcde"))[y]
    assert macro_average_precision_score(names, scores) == pytest.approx(expected)


@pytest.mark.parametrize("metric", METRICS)
def test_inputs_are_not_modified(metric):
    y, proba = _multiclass(4)
    y_copy, proba_copy = y.copy(), proba.copy()
    metric(y, proba, labels=np.arange(4), require_proba=True)
    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(proba, proba_copy)


# --------------------------------------------------------------------------
# Classes missing from y_true
# --------------------------------------------------------------------------


@pytest.mark.parametrize("metric", METRICS)
def test_class_missing_from_y_true_is_left_out(metric):
    y, proba = _multiclass(5, n_classes=4, n_samples=50)
    keep = y != 2
    y_fold, proba_fold = y[keep], proba[keep]
    present = [0, 1, 3]
    result = metric(y_fold, proba_fold, labels=[0, 1, 2, 3])
    # The same as scoring the present classes with their own columns.
    assert result == pytest.approx(metric(y_fold, proba_fold[:, present]))
    binary_metric = (
        roc_auc_score if metric is multiclass_roc_auc_score else average_precision_score
    )
    expected = np.mean([binary_metric(y_fold == c, proba_fold[:, c]) for c in present])
    assert result == pytest.approx(expected)


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric, name",
    [(multiclass_roc_auc_score, "ROC AUC"), (macro_average_precision_score, "Aver")],
)
def test_single_class_error(metric, name):
    with pytest.raises(
        ValueError,
        match=rf"{name}.* needs at least 2 classes in y_true; got 1 \(\['cat'\]\)",
    ):
        metric(["cat"] * 4, [[0.2, 0.8]] * 4, labels=["cat", "dog"])
    with pytest.raises(
        ValueError, match=r"at least 2 classes in y_true; got 1 \(\[3\]\)"
    ):
        metric([3, 3, 3], [0.1, 0.5, 0.9], labels=[2, 3])
    with pytest.raises(ValueError, match=r"got 1 \(\[0\]\)"):
        metric([0, 0], [[0.9, 0.1], [0.8, 0.2]])


@pytest.mark.parametrize("metric", METRICS)
def test_wrong_number_of_columns_error(metric):
    y, proba = _multiclass(0, n_classes=4)
    with pytest.raises(
        ValueError, match=r"y_score has 3 columns but there are 4 classes \(labels=None"
    ):
        metric(y, proba[:, :3])
    with pytest.raises(
        ValueError,
        match=r"y_score has 4 columns but there are 5 classes "
        r"\(labels=\[0, 1, 2, 3, 4\]",
    ):
        metric(y, proba, labels=range(5))


@pytest.mark.parametrize("metric", METRICS)
def test_one_dimensional_scores_need_a_binary_problem(metric):
    with pytest.raises(ValueError, match=r"1-D y_score .* there are 3 classes"):
        metric([0, 1, 2, 1], [0.1, 0.2, 0.3, 0.4])


@pytest.mark.parametrize("metric", METRICS)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_scores_error(metric, bad):
    y, proba = _multiclass(0)
    proba = proba.copy()
    proba[3, 1] = bad
    with pytest.raises(ValueError, match=r"y_score must be finite; got 1 NaN or inf"):
        metric(y, proba)


@pytest.mark.parametrize("metric", METRICS)
def test_class_without_column_error(metric):
    with pytest.raises(
        ValueError,
        match=r"y_true has classes with no column in y_score: \['fish'\]; "
        r"labels=\['cat', 'dog'\]",
    ):
        metric(["cat", "dog", "fish"], [[0.5, 0.5]] * 3, labels=["cat", "dog"])


@pytest.mark.parametrize("metric", METRICS)
def test_other_input_errors(metric):
    with pytest.raises(ValueError, match=r"labels must be unique; got \[0, 1, 1\]"):
        metric([0, 1], [[0.5, 0.5, 0.0]] * 2, labels=[0, 1, 1])
    with pytest.raises(
        ValueError, match=r"y_true has 3 samples but y_score has 2 rows"
    ):
        metric([0, 1, 0], [0.2, 0.7])


@pytest.mark.parametrize("metric", METRICS)
def test_require_proba(metric):
    y, proba = _multiclass(6, n_classes=3)
    logits = np.log(proba) + 2.0
    # Rank-based: any finite scores are accepted by default, and a monotone
    # transform of each column leaves the value unchanged.
    assert metric(y, logits) == pytest.approx(metric(y, proba))
    assert metric(y, proba, require_proba=True) == pytest.approx(metric(y, proba))
    with pytest.raises(
        ValueError,
        match=r"y_score must hold probabilities \(rows in \[0, 1\] summing to 1\); "
        r"got row sums in \[",
    ):
        metric(y, logits, require_proba=True)
    unnormalised = proba * 0.5
    with pytest.raises(ValueError, match=r"got row sums in \[0\.5, 0\.5\]"):
        metric(y, unnormalised, require_proba=True)
    outside = proba.copy()
    outside[:, 0] += 1.0
    outside[:, 1] -= 1.0
    with pytest.raises(ValueError, match=r"row sums in \[1, 1\] and values in \[-"):
        metric(y, outside, require_proba=True)
    with pytest.raises(
        ValueError, match=r"probabilities \(values in \[0, 1\]\); got values in \[-1,"
    ):
        metric([0, 1, 1], [-1.0, 0.5, 2.0], require_proba=True)


# --------------------------------------------------------------------------
# Scorers
# --------------------------------------------------------------------------


class _ScoresNotProba(ClassifierMixin, BaseEstimator):
    """Classifier whose predict_proba returns unnormalised scores."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return self.classes_[np.argmax(X[:, : len(self.classes_)], axis=1)]

    def predict_proba(self, X):
        return X[:, : len(self.classes_)] * 10.0


class _NoProba(_ScoresNotProba):
    predict_proba = None

    def __getattribute__(self, name):
        if name == "predict_proba":
            raise AttributeError(name)
        return super().__getattribute__(name)


def test_imbalance_scorers_keys_and_fresh_dict():
    scorers = imbalance_scorers()
    assert set(scorers) == SCORER_KEYS
    assert scorers is not imbalance_scorers()
    assert "multiclass_roc_auc_score" in repr(scorers["roc_auc"])


def test_scorers_align_columns_with_classes_in_a_fold_missing_a_class(digits):
    X, y = digits
    names = np.array([f"digit {d}" for d in range(10)])[y]
    clf = LogisticRegression(max_iter=500).fit(X, names)
    fold = names != "digit 7"
    X_fold, y_fold = X[fold], names[fold]
    scorers = imbalance_scorers()
    proba = clf.predict_proba(X_fold)
    assert scorers["roc_auc"](clf, X_fold, y_fold) == pytest.approx(
        multiclass_roc_auc_score(y_fold, proba, labels=clf.classes_)
    )
    assert scorers["pr_auc"](clf, X_fold, y_fold) == pytest.approx(
        macro_average_precision_score(y_fold, proba, labels=clf.classes_)
    )
    expected = np.mean(
        [
            roc_auc_score(y_fold == c, proba[:, k])
            for k, c in enumerate(clf.classes_)
            if c != "digit 7"
        ]
    )
    assert scorers["roc_auc"](clf, X_fold, y_fold) == pytest.approx(expected)
    # Why the scorer passes classes_: sklearn's own scorer cannot align columns.
    with pytest.raises(ValueError, match="Number of classes in y_true"):
        get_scorer("roc_auc_ovr")(clf, X_fold, y_fold)


def test_roc_scorer_binary_matches_sklearn():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] + rng.normal(size=80) > 0).astype(int)
    clf = LogisticRegression().fit(X, y)
    expected = get_scorer("roc_auc")(clf, X, y)
    assert imbalance_scorers()["roc_auc"](clf, X, y) == pytest.approx(expected)
    assert get_scorer("roc_auc_ovr")(clf, X, y) == pytest.approx(expected)
    assert imbalance_scorers()["pr_auc"](clf, X, y) == pytest.approx(
        get_scorer("average_precision")(clf, X, y)
    )
    # String labels, where sklearn's "roc_auc" scorer needs a pos_label.
    names = np.array(["no", "yes"])[y]
    clf = LogisticRegression().fit(X, names)
    assert imbalance_scorers()["roc_auc"](clf, X, names) == pytest.approx(expected)


def test_proba_scorers_require_probabilities():
    rng = np.random.default_rng(8)
    X = rng.uniform(size=(30, 3))
    y = np.arange(30) % 3
    est = _ScoresNotProba().fit(X, y)
    for key in ("roc_auc", "pr_auc"):
        with pytest.raises(ValueError, match=r"must hold probabilities .*row sums"):
            imbalance_scorers()[key](est, X, y)
    assert np.isfinite(imbalance_scorers()["mcc"](est, X, y))
    with pytest.raises(AttributeError, match="needs predict_proba"):
        imbalance_scorers()["roc_auc"](_NoProba().fit(X, y), X, y)


def test_gmean_scorer_counts_only_classes_of_y_true():
    est = _ScoresNotProba().fit(np.zeros((3, 3)), [0, 1, 2])
    # True classes 0 and 1; one sample predicted as 2, which y_true lacks.
    X = np.array([[1, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 0]], dtype=float)
    y = np.array([0, 0, 1, 1])
    with pytest.warns(UserWarning, match="ill-defined"):
        assert geometric_mean_score(y, est.predict(X)) == 0.0
    score = imbalance_scorers()["gmean"](est, X, y)
    assert score == pytest.approx(np.sqrt(0.5))
    assert type(score) is float  # like scikit-learn's scorers, not np.float64


def _check_cv_result(result):
    for key in SCORER_KEYS:
        values = result[f"test_{key}"]
        assert values.shape == (3,)
        assert np.all(np.isfinite(values)), key


@pytest.mark.parametrize("binary", [False, True], ids=["multiclass", "binary"])
def test_cross_validate(digits, binary):
    X, y = digits
    if binary:
        y = np.where(y == 3, "three", "other")
    result = cross_validate(
        LogisticRegression(max_iter=500), X, y, cv=StratifiedKFold(3),
        scoring=imbalance_scorers(), error_score="raise",
    )  # fmt: skip
    _check_cv_result(result)
    assert result["test_roc_auc"].min() > 0.9


def test_grid_search_refits_on_roc_auc(digits):
    X, y = digits
    search = GridSearchCV(
        LogisticRegression(max_iter=500),
        {"C": [0.01, 1.0]},
        cv=StratifiedKFold(3),
        scoring=imbalance_scorers(),
        refit="roc_auc",
        error_score="raise",
    ).fit(X[:180], np.where(y[:180] == 3, "three", "other"))
    assert search.best_params_["C"] in (0.01, 1.0)
    for key in SCORER_KEYS:
        assert np.isfinite(search.cv_results_[f"mean_test_{key}"]).all()


class _Counting(LogisticRegression):
    """Counts predict_proba and predict calls (class attributes: clones share them)."""

    calls = {"predict_proba": 0, "predict": 0}

    def predict_proba(self, X):
        _Counting.calls["predict_proba"] += 1
        return super().predict_proba(X)

    def predict(self, X):
        _Counting.calls["predict"] += 1
        return super().predict(X)


@pytest.mark.parametrize("binary", [False, True])
def test_one_predict_proba_per_fold_for_every_scorer(digits, binary):
    X, y = digits
    if binary:
        y = np.where(y == 3, "three", "other")
    _Counting.calls.update(predict_proba=0, predict=0)
    result = cross_validate(
        _Counting(max_iter=300), X, y, cv=StratifiedKFold(3),
        scoring=imbalance_scorers(), error_score="raise",
    )  # fmt: skip
    assert _Counting.calls == {"predict_proba": 3, "predict": 0}
    reference = cross_validate(
        LogisticRegression(max_iter=300), X, y, cv=StratifiedKFold(3),
        scoring={"mcc": "matthews_corrcoef", "accuracy": "accuracy"},
    )  # fmt: skip
    for key in ("mcc", "accuracy"):  # labels from the arg max = predict's
        np.testing.assert_allclose(result[f"test_{key}"], reference[f"test_{key}"])


@pytest.mark.parametrize("key", SCORER_KEYS)
def test_every_scorer_takes_sample_weight_as_repetitions(digits, key):
    X, y = digits
    est = LogisticRegression(max_iter=300).fit(X[:150], y[:150])
    X_eval, y_eval = X[150:300], y[150:300]
    weight = np.random.default_rng(0).integers(1, 4, size=len(y_eval))
    repeated = np.repeat(np.arange(len(y_eval)), weight)
    scorer = imbalance_scorers()[key]
    weighted = scorer(est, X_eval, y_eval, sample_weight=weight)
    assert weighted == pytest.approx(scorer(est, X_eval[repeated], y_eval[repeated]))
    assert weighted != pytest.approx(scorer(est, X_eval, y_eval))
