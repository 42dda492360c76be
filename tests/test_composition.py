"""The users' jobs: skimbalance estimators inside scikit-learn and imbalanced-learn
tools (grid search, cross-validation, bagging, calibration, metadata routing).

All on step-imbalanced digits (5 classes of 174 examples, 5 of 17) with a few
dozen weight updates: the point is that everything composes, not accuracy.
"""

import pickle

import numpy as np
import pytest
import sklearn
from imblearn.ensemble import BalancedBaggingClassifier
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline

from skimbalance import (
    DownsampleUpweightClassifier,
    PriorThresholdClassifier,
    TwoPhaseClassifier,
)
from skimbalance.cnn import CNNClassifier, LeNet5Classifier
from skimbalance.datasets import load_digit_images, make_step_imbalance
from skimbalance.metrics import imbalance_scorers
from skimbalance.sampling import RatioOverSampler, RatioUnderSampler

SEED = 0
SCORERS = (
    "roc_auc",
    "mcc",
    "pr_auc",
    "balanced_accuracy",
    "gmean",
    "f1_macro",
    "accuracy",
)


@pytest.fixture(scope="module")
def data():
    X, y = load_digit_images(return_X_y=True)
    return make_step_imbalance(X, y, rho=10, mu=0.5, random_state=SEED)


def _cv(n_splits):
    return StratifiedKFold(n_splits, shuffle=True, random_state=SEED)


def _mlp(cls=CNNClassifier, **params):
    """A fast MLP, where the architecture does not matter."""
    return cls("mlp", max_iter=params.pop("max_iter", 30), random_state=SEED, **params)


class RecordingCNN(CNNClassifier):
    """CNNClassifier that records the sample weights ``fit`` received."""

    def fit(self, X, y, sample_weight=None):
        self.fit_weight_ = None if sample_weight is None else np.array(sample_weight)
        return super().fit(X, y, sample_weight=sample_weight)


# -- a. grid search of the over-sampling ratio under thresholding ------------------


@pytest.fixture(scope="module")
def prior_search(data):
    X, y = data
    model = PriorThresholdClassifier(
        make_imblearn_pipeline(
            RatioOverSampler(random_state=SEED),
            LeNet5Classifier(max_iter=60, random_state=SEED),
        )
    )
    search = GridSearchCV(
        model,
        {"estimator__ratiooversampler__imbalance_ratio": [1, 4, 16]},
        scoring=imbalance_scorers(),
        refit="roc_auc",
        cv=_cv(3),
    )
    return search.fit(X, y)


def test_grid_search_scores_every_candidate(prior_search):
    results = prior_search.cv_results_
    assert len(results["params"]) == 3
    for name in SCORERS:
        for key in [f"mean_test_{name}", f"std_test_{name}", f"rank_test_{name}"]:
            assert key in results, key
        for split in range(3):
            values = results[f"split{split}_test_{name}"]
            assert values.shape == (3,)
            assert np.all(np.isfinite(values)), (name, split, values)
    assert prior_search.best_index_ == np.argmax(results["mean_test_roc_auc"])
    assert prior_search.best_score_ == results["mean_test_roc_auc"].max()
    assert 0.5 < prior_search.best_score_ <= 1


def test_grid_search_best_estimator(prior_search, data):
    X, y = data
    best = prior_search.best_estimator_
    assert isinstance(best, PriorThresholdClassifier)
    np.testing.assert_array_equal(best.classes_, np.unique(y))
    pred = best.predict(X)
    assert pred.dtype == y.dtype
    assert set(pred) <= set(best.classes_)
    proba = best.predict_proba(X)
    assert proba.shape == (len(y), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_grid_search_priors_are_before_sampling(prior_search, data):
    _, y = data
    best = prior_search.best_estimator_
    np.testing.assert_allclose(best.priors_, np.bincount(y) / len(y))
    # the network itself saw the over-sampled data
    ratio = prior_search.best_params_["estimator__ratiooversampler__imbalance_ratio"]
    counts = np.bincount(y)
    expected = np.maximum(counts, np.ceil(counts.max() / ratio))
    np.testing.assert_array_equal(best.estimator_[-1].class_counts_, expected)


# -- b. cross-validation with every imbalance scorer --------------------------------


def test_cross_validate_every_scorer(data):
    X, y = data
    scores = cross_validate(
        LeNet5Classifier(max_iter=60, random_state=SEED),
        X,
        y,
        cv=_cv(5),
        scoring=imbalance_scorers(),
    )
    for name in SCORERS:
        values = scores[f"test_{name}"]
        assert values.shape == (5,)
        assert np.all(np.isfinite(values)), (name, values)
        assert np.all((values >= -1) & (values <= 1)), (name, values)
    assert scores["test_roc_auc"].mean() > 0.6


def test_cross_validate_string_labels(data):
    X, y = data
    names = np.array([f"digit {d}" for d in range(10)])
    scores = cross_validate(_mlp(), X, names[y], cv=_cv(3), scoring=imbalance_scorers())
    for name in SCORERS:
        assert np.all(np.isfinite(scores[f"test_{name}"])), name


# -- c. two-phase training in a grid search -----------------------------------------


@pytest.fixture(scope="module")
def two_phase_search(data):
    X, y = data
    search = GridSearchCV(
        TwoPhaseClassifier(
            LeNet5Classifier(max_iter=40, random_state=SEED),
            RatioUnderSampler(random_state=SEED),
        ),
        {"finetune_lr_factor": [0.1, 0.5]},
        scoring=imbalance_scorers(),
        refit="roc_auc",
        cv=_cv(2),
    )
    return search.fit(X, y)


def test_two_phase_grid_search(two_phase_search, data):
    X, y = data
    results = two_phase_search.cv_results_
    assert [p["finetune_lr_factor"] for p in results["params"]] == [0.1, 0.5]
    for name in SCORERS:
        assert np.all(np.isfinite(results[f"mean_test_{name}"])), name
    best = two_phase_search.best_estimator_
    assert (
        best.finetune_lr_factor == two_phase_search.best_params_["finetune_lr_factor"]
    )
    assert best.estimator_.n_iter_ == 80
    history = best.estimator_.history
    lrs = [batch["event_lr"] for epoch in history for batch in epoch["batches"]]
    assert lrs[40] == pytest.approx(0.01 * best.finetune_lr_factor)  # phase 2 starts
    assert set(best.predict(X)) <= set(np.unique(y))


# -- d. imbalanced-learn's balanced bagging -----------------------------------------


def test_balanced_bagging(data):
    X, y = data
    bagging = BalancedBaggingClassifier(
        estimator=_mlp(max_iter=50), n_estimators=2, random_state=SEED
    ).fit(X, y)
    np.testing.assert_array_equal(bagging.classes_, np.unique(y))
    proba = bagging.predict_proba(X)
    assert proba.shape == (len(y), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert set(bagging.predict(X)) <= set(bagging.classes_)
    # each member is trained on a balanced subset (of a bootstrap sample)
    for member in bagging.estimators_:
        counts = member[-1].class_counts_
        assert len(counts) == 10
        assert np.all(counts == counts[0]) and counts[0] > 0


# -- e. probability calibration ------------------------------------------------------


def test_calibrated_classifier_cv(data):
    X, y = data
    calibrated = CalibratedClassifierCV(
        LeNet5Classifier(max_iter=50, random_state=SEED), cv=2
    ).fit(X, y)
    assert len(calibrated.calibrated_classifiers_) == 2
    np.testing.assert_array_equal(calibrated.classes_, np.unique(y))
    proba = calibrated.predict_proba(X)
    assert proba.shape == (len(y), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1)


def test_calibrated_frozen_estimator(data):
    X, y = data
    fitted = LeNet5Classifier(max_iter=50, random_state=SEED).fit(X, y)
    before = fitted.predict_proba(X)
    calibrated = CalibratedClassifierCV(FrozenEstimator(fitted)).fit(X, y)
    assert len(calibrated.calibrated_classifiers_) == 1
    assert calibrated.calibrated_classifiers_[0].estimator.estimator is fitted
    np.testing.assert_array_equal(fitted.predict_proba(X), before)  # not refitted
    assert fitted.n_iter_ == 50
    proba = calibrated.predict_proba(X)
    assert proba.shape == (len(y), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1)


# -- f. clone, nested parameters, pickling of every meta-estimator -----------------


def _meta_estimators():
    return {
        "prior": PriorThresholdClassifier(
            make_imblearn_pipeline(
                RatioOverSampler(imbalance_ratio=4, random_state=SEED),
                LeNet5Classifier(max_iter=30, random_state=SEED),
            ),
            tau=0.5,
        ),
        "two_phase": TwoPhaseClassifier(
            LeNet5Classifier(max_iter=20, random_state=SEED),
            RatioOverSampler(random_state=SEED),
            finetune_max_iter=10,
        ),
        "downsample": DownsampleUpweightClassifier(
            LeNet5Classifier(max_iter=30, random_state=SEED),
            factor=4,
            random_state=SEED,
        ),
    }


@pytest.fixture(scope="module")
def fitted_meta(data):
    X, y = data
    return {name: est.fit(X, y) for name, est in _meta_estimators().items()}


@pytest.mark.parametrize("name", ["prior", "two_phase", "downsample"])
def test_clone_refit_gives_identical_predictions(fitted_meta, data, name):
    X, y = data
    fitted = fitted_meta[name]
    copy = clone(fitted)
    assert not hasattr(copy, "estimator_")
    np.testing.assert_array_equal(
        copy.fit(X, y).predict_proba(X), fitted.predict_proba(X)
    )


@pytest.mark.parametrize("name", ["prior", "two_phase", "downsample"])
def test_pickle_gives_identical_predictions(fitted_meta, data, name):
    X, _ = data
    fitted = fitted_meta[name]
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
    np.testing.assert_array_equal(restored.classes_, fitted.classes_)


def test_pickle_grid_searches(prior_search, two_phase_search, data):
    X, _ = data
    for search in (prior_search, two_phase_search):
        restored = pickle.loads(pickle.dumps(search))
        np.testing.assert_array_equal(
            restored.predict_proba(X), search.predict_proba(X)
        )


def test_nested_params():
    models = _meta_estimators()
    prior = models["prior"]
    params = prior.get_params(deep=True)
    assert params["estimator__ratiooversampler__imbalance_ratio"] == 4
    assert params["estimator__lenet5classifier__max_iter"] == 30
    prior.set_params(
        estimator__ratiooversampler__imbalance_ratio=2,
        estimator__lenet5classifier__lr=0.05,
        tau=1.0,
    )
    copy = clone(prior)
    assert copy.get_params()["estimator__ratiooversampler__imbalance_ratio"] == 2
    assert copy.get_params()["estimator__lenet5classifier__lr"] == 0.05
    assert copy.tau == 1.0
    assert copy.estimator is not prior.estimator

    two_phase = models["two_phase"].set_params(
        estimator__batch_size=32, sampler__imbalance_ratio=3
    )
    copy = clone(two_phase)
    assert copy.get_params()["estimator__batch_size"] == 32
    assert copy.get_params()["sampler__imbalance_ratio"] == 3
    assert copy.get_params()["finetune_max_iter"] == 10

    downsample = models["downsample"].set_params(estimator__lr=0.02, factor=2)
    copy = clone(downsample)
    assert copy.get_params()["estimator__lr"] == 0.02
    assert copy.factor == 2


@pytest.mark.parametrize("name", ["prior", "two_phase", "downsample"])
def test_meta_estimators_take_image_arrays(data, name):
    X, y = data
    images = X.reshape(-1, 1, 8, 8)
    model = _meta_estimators()[name]
    key = "estimator__lenet5classifier__max_iter" if name == "prior" else None
    model.set_params(**{key or "estimator__max_iter": 5})
    proba = model.fit(images, y).predict_proba(images)
    assert proba.shape == (len(y), 10)
    # the pipeline reports its sampler's n_features_in_, X.shape[1] (1 channel)
    assert model.n_features_in_ == (1 if name == "prior" else 64)
    np.testing.assert_array_equal(model.predict(X), model.predict(images))
    np.testing.assert_array_equal(images.reshape(len(y), -1), X)  # not modified


# -- g. sample_weight routed through a Pipeline and GridSearchCV --------------------


def test_cnn_has_set_fit_request():
    assert hasattr(LeNet5Classifier(), "set_fit_request")
    assert hasattr(CNNClassifier(), "set_fit_request")


def test_routing_sample_weight_through_pipeline(data):
    X, y = data
    ones, zero_class0 = np.ones(len(y)), np.where(y == 0, 0.0, 1.0)
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(
            LeNet5Classifier(max_iter=40, random_state=SEED).set_fit_request(
                sample_weight=True
            )
        )
        with_ones = clone(pipe).fit(X, y, sample_weight=ones).predict_proba(X)
        without = clone(pipe).fit(X, y).predict_proba(X)
        zeroed = clone(pipe).fit(X, y, sample_weight=zero_class0).predict_proba(X)
    np.testing.assert_allclose(with_ones, without, rtol=1e-5, atol=1e-6)
    assert not np.allclose(zeroed, with_ones)
    # class 0 got no weight: its probability drops
    assert zeroed[y == 0, 0].mean() < with_ones[y == 0, 0].mean()


def test_routing_sample_weight_through_grid_search(data):
    X, y = data
    weight = np.linspace(0.5, 1.5, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        cnn = _mlp(RecordingCNN).set_fit_request(sample_weight=True)
        cnn.set_score_request(sample_weight=True)
        search = GridSearchCV(
            make_pipeline(cnn), {"recordingcnn__lr": [0.01, 0.02]}, cv=_cv(2)
        ).fit(X, y, sample_weight=weight)
        assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
        np.testing.assert_array_equal(
            search.best_estimator_[-1].fit_weight_, weight.astype(np.float64)
        )
        folds = cross_validate(
            make_pipeline(cnn),
            X,
            y,
            cv=_cv(2),
            params={"sample_weight": weight},
            return_estimator=True,
            return_indices=True,
        )
    for est, train in zip(folds["estimator"], folds["indices"]["train"]):
        np.testing.assert_array_equal(est[-1].fit_weight_, weight[train])


def test_routing_sample_weight_through_prior_threshold(data):
    X, y = data
    weight = np.linspace(0.5, 1.5, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        cnn = _mlp(RecordingCNN).set_fit_request(sample_weight=True)
        model = PriorThresholdClassifier(make_pipeline(cnn))
        search = GridSearchCV(model, {"tau": [0.5, 1.0]}, cv=_cv(2))
        search.fit(X, y, sample_weight=weight)
        best = search.best_estimator_
    np.testing.assert_array_equal(best.estimator_[-1].fit_weight_, weight)
    # the priors are the weighted class frequencies (weights are repetitions)
    weighted = np.bincount(y, weights=weight)
    np.testing.assert_allclose(best.priors_, weighted / weighted.sum())


@pytest.mark.parametrize("meta", ["two_phase", "downsample"])
def test_routing_sample_weight_through_meta_estimators(data, meta):
    X, y = data
    weight = np.linspace(0.5, 1.5, len(y))
    if meta == "two_phase":
        model = TwoPhaseClassifier(
            _mlp(RecordingCNN), RatioOverSampler(random_state=SEED)
        )
    else:
        model = DownsampleUpweightClassifier(
            _mlp(RecordingCNN), factor=4, random_state=SEED
        )
    with sklearn.config_context(enable_metadata_routing=True):
        model.set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
        search = GridSearchCV(model, {"estimator__lr": [0.01]}, cv=_cv(2))
        search.fit(X, y, sample_weight=weight)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    best = search.best_estimator_
    if meta == "two_phase":
        expected = weight[best.sampler_.sample_indices_]
    else:
        index = best.sample_indices_
        expected = weight[index] * np.array([best.class_weights_[c] for c in y[index]])
    np.testing.assert_allclose(best.estimator_.fit_weight_, expected)


def _routed_scores(data, request):
    """cross_validate scores with sample weights sent to fit, and to the scorers
    when ``request``; the fits (and so the models) are the same either way."""
    X, y = data
    weight = np.where(np.arange(len(y)) % 3 == 0, 3.0, 0.5)
    with sklearn.config_context(enable_metadata_routing=True):
        scoring = {
            name: scorer.set_score_request(sample_weight=request)
            for name, scorer in imbalance_scorers().items()
        }
        return cross_validate(
            _mlp(max_iter=300).set_fit_request(sample_weight=True), X, y, cv=_cv(2),
            scoring=scoring, params={"sample_weight": weight}, error_score="raise",
        )  # fmt: skip


def test_routing_sample_weight_to_scorers(data):
    ignored, used = _routed_scores(data, False), _routed_scores(data, True)
    unweighted = cross_validate(
        _mlp(max_iter=300),
        *data,
        cv=_cv(2),
        scoring=imbalance_scorers(),
        error_score="raise",
    )
    for name in SCORERS:
        key = f"test_{name}"
        assert np.all(np.isfinite(used[key])), name
        assert not np.allclose(used[key], ignored[key]), name  # the weights count
    # without the request the scorers see no weights: fit weights change the model
    assert not np.allclose(ignored["test_roc_auc"], unweighted["test_roc_auc"])


def test_routing_disabled_after_context():
    assert not sklearn.get_config()["enable_metadata_routing"]
