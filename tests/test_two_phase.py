"""Tests of TwoPhaseClassifier: pre-train on resampled data, fine-tune the head."""

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import InvalidParameterError

from skimbalance import TwoPhaseClassifier
from skimbalance.cnn import CNNClassifier, LeNet5Classifier
from skimbalance.datasets import load_digit_images, make_step_imbalance
from skimbalance.sampling import RatioOverSampler, RatioUnderSampler

SEED = 0
MAX_ITER = 40


@pytest.fixture(scope="module")
def data():
    """Step-imbalanced digits: 5 classes of 174 examples, 5 of 17."""
    X, y = load_digit_images(return_X_y=True)
    return make_step_imbalance(X, y, rho=10, mu=0.5, random_state=SEED)


@pytest.fixture(scope="module")
def fitted(data):
    """TwoPhaseClassifier with LeNet-5 and random over-sampling (do not modify)."""
    X, y = data
    return TwoPhaseClassifier(
        LeNet5Classifier(max_iter=MAX_ITER, random_state=SEED),
        RatioOverSampler(random_state=SEED),
    ).fit(X, y)


@pytest.fixture(scope="module")
def phase1(data):
    """Phase 1 alone, reproduced by hand."""
    X, y = data
    X_res, y_res = RatioOverSampler(random_state=SEED).fit_resample(X, y)
    return clone(LeNet5Classifier(max_iter=MAX_ITER, random_state=SEED)).fit(
        X_res, y_res
    )


def _params(estimator):
    module = estimator.module_
    return {name: p.detach().cpu().numpy() for name, p in module.named_parameters()}


def _is_head(name, head_names):
    return name.split(".")[0] in head_names


class _RecordingMLP(CNNClassifier):
    """CNNClassifier that records the sample weights of each training call."""

    def fit(self, X, y, sample_weight=None):
        self.fit_weight_ = None if sample_weight is None else np.array(sample_weight)
        return super().fit(X, y, sample_weight=sample_weight)

    def fine_tune(self, X, y, sample_weight=None, *, lr_factor=0.1, max_iter=None):
        self.fine_tune_weight_ = (
            None if sample_weight is None else np.array(sample_weight)
        )
        self.fine_tune_lr_factor_ = lr_factor
        self.fine_tune_max_iter_ = max_iter
        return super().fine_tune(
            X, y, sample_weight, lr_factor=lr_factor, max_iter=max_iter
        )


def _mlp(cls=CNNClassifier, **params):
    """A fast MLP (20 updates of batches of 32)."""
    return cls(
        "mlp", max_iter=20, batch_size=32, device="cpu", random_state=SEED, **params
    )


# -- phase 2 trains the head only ----------------------------------------------------


def test_phase1_is_reproducible(phase1, data):
    """Precondition of the comparisons below: phase 1 repeats bit for bit."""
    X, y = data
    X_res, y_res = RatioOverSampler(random_state=SEED).fit_resample(X, y)
    again = LeNet5Classifier(max_iter=MAX_ITER, random_state=SEED).fit(X_res, y_res)
    for name, value in _params(phase1).items():
        np.testing.assert_array_equal(_params(again)[name], value, err_msg=name)


def test_phase2_changes_only_head_parameters(fitted, phase1):
    head_names = fitted.estimator_.module_.head_names
    assert head_names == ("fc2",)
    before, after = _params(phase1), _params(fitted.estimator_)
    assert before.keys() == after.keys()
    body = [name for name in before if not _is_head(name, head_names)]
    head = [name for name in before if _is_head(name, head_names)]
    assert body and head
    for name in body:
        np.testing.assert_array_equal(after[name], before[name], err_msg=name)
    for name in head:
        assert not np.array_equal(after[name], before[name]), name


def test_frozen_parameters_are_trainable_again(fitted):
    module = fitted.estimator_.module_
    assert all(p.requires_grad for p in module.parameters())


def test_phase2_changes_predictions(fitted, phase1, data):
    X, _ = data
    assert not np.array_equal(fitted.predict_proba(X), phase1.predict_proba(X))


def test_fitted_attributes(fitted, data):
    X, y = data
    np.testing.assert_array_equal(fitted.classes_, np.arange(10))
    assert fitted.n_features_in_ == X.shape[1]
    assert isinstance(fitted.sampler_, RatioOverSampler)
    assert fitted.sampler_ is not fitted.sampler
    assert not hasattr(fitted.sampler, "sample_indices_")  # the clone was fitted
    assert not hasattr(fitted.estimator, "net_")
    proba = fitted.predict_proba(X)
    assert proba.shape == (len(X), 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_array_equal(
        fitted.predict(X), fitted.classes_[proba.argmax(axis=1)]
    )


# -- budget and learning rate --------------------------------------------------------


def test_phase2_budget_defaults_to_phase1(fitted):
    assert fitted.estimator_.n_iter_ == 2 * MAX_ITER


def test_finetune_max_iter_overrides_budget(data):
    X, y = data
    model = TwoPhaseClassifier(
        _mlp(_RecordingMLP), RatioOverSampler(random_state=SEED), finetune_max_iter=7
    ).fit(X, y)
    assert model.estimator_.fine_tune_max_iter_ == 7
    assert model.estimator_.n_iter_ == 20 + 7


@pytest.mark.parametrize("factor", [0.1, 0.5])
def test_finetune_lr_factor_reaches_optimizer(data, factor):
    X, y = data
    lr = 0.05
    model = TwoPhaseClassifier(
        _mlp(lr=lr, lr_schedule="constant"),
        RatioOverSampler(random_state=SEED),
        finetune_lr_factor=factor,
    ).fit(X, y)
    history = model.estimator_.history
    assert history[-1, "batches", 0, "event_lr"] == pytest.approx(lr * factor)
    group = model.estimator_.optimizer_.param_groups[0]
    assert group["lr"] == pytest.approx(lr * factor)  # constant schedule


def test_phase2_equals_manual_fine_tune(data):
    """fit == phase 1 on the resampled data + fine_tune(X, y) with the defaults."""
    X, y = data
    model = TwoPhaseClassifier(_mlp(), RatioOverSampler(random_state=SEED)).fit(X, y)
    manual = _mlp().fit(*RatioOverSampler(random_state=SEED).fit_resample(X, y))
    manual.fine_tune(X, y, lr_factor=0.1, max_iter=20)
    for name, value in _params(manual).items():
        np.testing.assert_array_equal(_params(model.estimator_)[name], value, name)


# -- samplers, labels, weights -------------------------------------------------------


def test_under_sampler(data):
    X, y = data
    model = TwoPhaseClassifier(_mlp(), RatioUnderSampler(random_state=SEED)).fit(X, y)
    counts = np.bincount(y[model.sampler_.sample_indices_])
    assert counts.tolist() == [17] * 10
    assert model.estimator_.n_iter_ == 40
    # phase 2 saw the original (imbalanced) data
    np.testing.assert_array_equal(model.estimator_.class_counts_, np.bincount(y))
    assert model.predict_proba(X).shape == (len(X), 10)


def test_string_labels(data):
    X, y = data
    names = np.array(["zero", "one", "two", "three", "four"] + ["x5", "x6", "x7"])
    y_str = np.where(y < 5, names[np.minimum(y, 4)], "rest")
    model = TwoPhaseClassifier(_mlp(), RatioOverSampler(random_state=SEED)).fit(
        X, y_str
    )
    np.testing.assert_array_equal(model.classes_, np.unique(y_str))
    pred = model.predict(X)
    assert pred.dtype.kind == "U"
    assert set(pred) <= set(model.classes_)


def test_sample_weight_follows_sample_indices(data):
    X, y = data
    weight = np.random.RandomState(SEED).uniform(0.5, 2.0, size=len(y))
    weight_copy = weight.copy()
    model = TwoPhaseClassifier(
        _mlp(_RecordingMLP), RatioOverSampler(random_state=SEED)
    ).fit(X, y, sample_weight=weight)
    np.testing.assert_array_equal(weight, weight_copy)
    indices = model.sampler_.sample_indices_
    assert len(indices) > len(y)  # over-sampling repeats rows
    np.testing.assert_array_equal(model.estimator_.fit_weight_, weight[indices])
    np.testing.assert_array_equal(model.estimator_.fine_tune_weight_, weight)


def test_sample_weight_changes_the_model(data):
    X, y = data
    unit = TwoPhaseClassifier(_mlp(), RatioOverSampler(random_state=SEED)).fit(
        X, y, sample_weight=np.ones(len(y))
    )
    plain = TwoPhaseClassifier(_mlp(), RatioOverSampler(random_state=SEED)).fit(X, y)
    np.testing.assert_allclose(unit.predict_proba(X), plain.predict_proba(X))
    weight = np.where(y == 0, 0.0, 1.0)
    weighted = TwoPhaseClassifier(_mlp(), RatioOverSampler(random_state=SEED)).fit(
        X, y, sample_weight=weight
    )
    assert not np.allclose(weighted.predict_proba(X), plain.predict_proba(X))


# -- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [
        ({"sampler": LogisticRegression()}, r"'sampler' .* 'fit_resample'"),
        ({"estimator": LogisticRegression()}, r"'estimator' .* and 'fine_tune'"),
        ({"finetune_lr_factor": 0}, r"'finetune_lr_factor' .* range \(0\.0, inf\)"),
        ({"finetune_lr_factor": -0.1}, r"'finetune_lr_factor' .*Got -0\.1"),
        ({"finetune_max_iter": 0}, r"'finetune_max_iter' .* \[1, inf\) or None"),
        ({"finetune_layers": "all"}, r"'finetune_layers' .* among \{'head'\}"),
    ],
)
def test_invalid_parameters(data, params, match):
    X, y = data
    model = TwoPhaseClassifier(_mlp(), RatioOverSampler()).set_params(**params)
    with pytest.raises(InvalidParameterError, match=match):
        model.fit(X, y)


def test_sample_weight_needs_sample_indices(data):
    X, y = data
    model = TwoPhaseClassifier(_mlp(), SMOTE(random_state=SEED))
    with pytest.raises(ValueError, match="sample_weight needs a sampler with sample_"):
        model.fit(X, y, sample_weight=np.ones(len(y)))


class _MustNotFit(CNNClassifier):
    """Fails if phase 1 starts: the inputs should have been rejected before."""

    def fit(self, X, y, sample_weight=None):
        raise AssertionError("phase 1 started before sample_weight was checked")


@pytest.mark.parametrize("delta", [-1, 5])
def test_sample_weight_length_checked_before_training(data, delta):
    X, y = data
    model = TwoPhaseClassifier(_mlp(_MustNotFit), RatioOverSampler(random_state=SEED))
    with pytest.raises(ValueError, match="sample_weight"):
        model.fit(X, y, sample_weight=np.ones(len(y) + delta))


# -- sklearn API ---------------------------------------------------------------------


def test_get_params_set_params_clone_nested():
    model = TwoPhaseClassifier(
        LeNet5Classifier(max_iter=MAX_ITER, random_state=SEED),
        RatioOverSampler(imbalance_ratio=2, random_state=SEED),
        finetune_lr_factor=0.5,
    )
    params = model.get_params()
    assert params["estimator__max_iter"] == MAX_ITER
    assert params["sampler__imbalance_ratio"] == 2
    assert params["finetune_lr_factor"] == 0.5
    model.set_params(estimator__max_iter=5, sampler__imbalance_ratio=4)
    assert model.estimator.max_iter == 5
    assert model.sampler.imbalance_ratio == 4
    copy = clone(model)
    assert copy.estimator is not model.estimator
    assert copy.sampler is not model.sampler
    assert copy.get_params()["estimator__max_iter"] == 5
    assert copy.get_params()["sampler__imbalance_ratio"] == 4
    assert copy.get_params()["finetune_lr_factor"] == 0.5
