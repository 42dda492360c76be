"""CNNClassifier's imbalance options: weights, losses, batches, validation, tuning."""

import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from sklearn.utils.class_weight import compute_sample_weight

import skimbalance.sampling
from skimbalance.cnn import CNNClassifier, LeNet5Classifier
from skimbalance.cnn._loop import stratified_holdout
from skimbalance.losses import (
    ClassBalancedLoss,
    FocalLoss,
    LDAMLoss,
    LogitAdjustedLoss,
)
from skimbalance.nets import MLP


def proba(params, X, y, **fit_params):
    return CNNClassifier(**params).fit(X, y, **fit_params).predict_proba(X)


def weights(clf):
    return {name: p.detach().clone() for name, p in clf.module_.named_parameters()}


def n_train_after_holdout(y, fraction):
    """Training examples left by stratified_holdout (every class keeps one)."""
    counts = np.unique(y, return_counts=True)[1]
    return int(sum(c - min(int(fraction * c), c - 1) for c in counts))


# ------------------------------------------------------------- sample weights
class TestWeights:
    @pytest.mark.parametrize(
        "options",
        [{}, {"batch_sampling": "class_aware", "train_split": 0.2}],
        ids=["shuffle", "class_aware+validation"],
    )
    def test_unit_weights_are_the_unweighted_fit(self, options, digits, fast_params):
        X, y = digits
        params = {**fast_params, **options, "random_state": 0}
        expected = proba(params, X, y)
        np.testing.assert_array_equal(
            proba(params, X, y, sample_weight=np.ones(len(y))), expected
        )
        np.testing.assert_array_equal(
            proba(params, X, y, sample_weight=np.ones(len(y), dtype=int)), expected
        )
        np.testing.assert_array_equal(
            proba({**params, "class_weight": {c: 1 for c in range(10)}}, X, y),
            expected,
        )

    def test_zero_weights_on_a_class(self, digits, fast_params):
        X, y = digits
        params = {**fast_params, "random_state": 0}
        unweighted = proba(params, X, y)
        weighted = proba(params, X, y, sample_weight=np.where(y == 0, 0.0, 1.0))
        assert not np.array_equal(weighted, unweighted)
        # The class no longer pulls its logit up: it becomes less probable.
        assert weighted[:, 0].mean() < unweighted[:, 0].mean()

    def test_class_weight_balanced_and_dict(self, imbalanced_digits, fast_params):
        X, y = imbalanced_digits
        params = {**fast_params, "random_state": 0}
        none = proba(params, X, y)
        balanced = proba({**params, "class_weight": "balanced"}, X, y)
        manual = proba({**params, "class_weight": {0: 1.0, 1: 1.5, 2: 7.5}}, X, y)
        assert not np.array_equal(balanced, none)
        assert not np.array_equal(manual, none)
        assert not np.array_equal(manual, balanced)
        for p in (balanced, manual):
            np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-5)

    def test_class_weight_balanced_is_balanced_sample_weight(
        self, imbalanced_digits, fast_params
    ):
        X, y = imbalanced_digits
        params = {**fast_params, "random_state": 0}
        np.testing.assert_array_equal(
            proba({**params, "class_weight": "balanced"}, X, y),
            proba(params, X, y, sample_weight=compute_sample_weight("balanced", y)),
        )

    def test_class_and_sample_weights_multiply(self, imbalanced_digits, fast_params):
        X, y = imbalanced_digits
        params = {**fast_params, "random_state": 0}
        sample_weight = np.where(np.arange(len(y)) % 2, 0.5, 1.0)
        class_weight = {0: 1.0, 1: 2.0, 2: 4.0}
        per_example = np.array([class_weight[c] for c in y]) * sample_weight
        np.testing.assert_array_equal(
            proba(
                {**params, "class_weight": class_weight},
                X,
                y,
                sample_weight=sample_weight,
            ),
            proba(params, X, y, sample_weight=per_example),
        )

    def test_string_labels_with_class_weight_dict(self, imbalanced_digits, fast_params):
        X, y = imbalanced_digits
        names = np.array(["a", "b", "c"])[y]
        params = {**fast_params, "random_state": 0}
        np.testing.assert_array_equal(
            proba({**params, "class_weight": {"a": 1.0, "b": 2.0, "c": 4.0}}, X, names),
            proba({**params, "class_weight": {0: 1.0, 1: 2.0, 2: 4.0}}, X, y),
        )


# --------------------------------------------------------------------- losses
LOSS_CLASSES = {
    "cross_entropy": torch.nn.CrossEntropyLoss,
    "focal": FocalLoss,
    "class_balanced": ClassBalancedLoss,
    "logit_adjusted": LogitAdjustedLoss,
    "ldam": LDAMLoss,
}


class RecordingLDAM(LDAMLoss):
    """LDAMLoss that remembers every progress it is told."""

    def set_progress(self, fraction):
        self.__dict__.setdefault("seen", []).append(fraction)
        return super().set_progress(fraction)


class TestLosses:
    @pytest.mark.parametrize("loss", sorted(LOSS_CLASSES))
    def test_loss_by_name(self, loss, imbalanced_digits, fast_params):
        X, y = imbalanced_digits
        clf = CNNClassifier(
            **fast_params, criterion=loss, train_split=0.25, random_state=0
        ).fit(X, y)
        criterion = clf.criterion_
        assert type(criterion) is LOSS_CLASSES[loss]
        assert criterion.reduction == "none"
        p = clf.predict_proba(X)
        assert np.isfinite(p).all()
        np.testing.assert_allclose(p.sum(axis=1), 1, atol=1e-5)
        assert np.isfinite(clf.history[:, "train_loss"]).all()
        assert np.isfinite(clf.history[:, "valid_loss"]).all()
        if loss != "cross_entropy":
            # Counts of the training part only, ordered by class position.
            expected = [30 - 7, 20 - 5, 4 - 1]  # int(0.25 * n) held out
            np.testing.assert_array_equal(
                criterion.class_counts.cpu().numpy(), expected
            )

    @pytest.mark.parametrize(
        "loss",
        [
            "cross_entropy",
            "focal",
            "class_balanced",
            "logit_adjusted",
            "ldam",
        ],
    )
    def test_loss_by_name_with_the_paper_network(self, loss, digits):
        X, y = digits
        clf = LeNet5Classifier(
            max_iter=30, criterion=loss, device="cpu", random_state=0
        ).fit(X, y)
        assert np.isfinite(clf.predict_proba(X)).all()
        assert clf.score(X, y) > 0.5

    def test_criterion_instance_is_copied(self, imbalanced_digits, fast_params):
        X, y = imbalanced_digits
        mine = FocalLoss(gamma=1.0)
        clf = CNNClassifier(**fast_params, criterion=mine, random_state=0).fit(X, y)
        # The user's instance is not touched...
        assert mine.class_counts is None
        assert mine.reduction == "mean"
        assert mine.gamma == 1.0
        # ...the net trains a copy of it, given the counts.
        criterion = clf.criterion_
        assert criterion is not mine
        assert type(criterion) is FocalLoss and criterion.gamma == 1.0
        np.testing.assert_array_equal(criterion.class_counts.numpy(), [30, 20, 4])
        assert np.isfinite(clf.predict_proba(X)).all()
        # gamma is used: the default gamma=2 trains another model.
        assert not np.array_equal(
            clf.predict_proba(X),
            proba({**fast_params, "criterion": "focal", "random_state": 0}, X, y),
        )

    def test_torch_criterion_instance_is_the_named_loss(self, digits, fast_params):
        X, y = digits
        params = {**fast_params, "random_state": 0}
        mine = torch.nn.CrossEntropyLoss()
        np.testing.assert_array_equal(
            proba({**params, "criterion": mine}, X, y),
            proba({**params, "criterion": "cross_entropy"}, X, y),
        )
        assert mine.reduction == "mean"

    def test_ldam_drw_progress_reaches_the_criterion(
        self, imbalanced_digits, fast_params
    ):
        X, y = imbalanced_digits
        clf = CNNClassifier(**fast_params, criterion="ldam", random_state=0).fit(X, y)
        n = fast_params["max_iter"]
        assert clf.criterion_.progress == pytest.approx((n - 1) / n)
        assert clf.criterion_.reweighting

    def test_ldam_progress_every_update(self, imbalanced_digits, fast_params):
        X, y = imbalanced_digits
        n = fast_params["max_iter"]
        clf = CNNClassifier(
            **fast_params,
            criterion=RecordingLDAM(s=1.0),
            train_split=0.25,
            random_state=0,
        ).fit(X, y)
        seen = clf.criterion_.seen  # before each update, the fraction done
        np.testing.assert_allclose(seen, np.arange(n) / n)
        # Continuing training: progress counts against the schedule's horizon.
        clf.partial_fit(X, y)
        assert clf.criterion_.progress == pytest.approx(1.0)

    def test_partial_fit_class_missing_from_y(self, digits, fast_params):
        X, y = digits
        few = y < 3
        clf = CNNClassifier(**fast_params, criterion="logit_adjusted", random_state=0)
        clf.partial_fit(X[few], y[few], classes=np.arange(10))
        counts = clf.criterion_.class_counts.numpy()
        assert counts.shape == (10,) and (counts > 0).all()
        assert np.isfinite(clf.predict_proba(X)).all()


# ------------------------------------------------------------ batch sampling
class RecordingSampler(skimbalance.sampling.ClassAwareSampler):
    """ClassAwareSampler that records what it is built with and draws."""

    built = []

    def __init__(self, labels, **kwargs):
        super().__init__(labels, **kwargs)
        self.drawn = []
        RecordingSampler.built.append(self)

    def sample_indices(self, n):
        indices = super().sample_indices(n)
        self.drawn.append(indices)
        return indices


@pytest.fixture
def recording_sampler(monkeypatch):
    RecordingSampler.built = []
    monkeypatch.setattr(skimbalance.sampling, "ClassAwareSampler", RecordingSampler)
    return RecordingSampler


class TestClassAware:
    def test_class_aware_trains(self, imbalanced_digits, fast_params):
        X, y = imbalanced_digits
        clf = CNNClassifier(
            **fast_params, batch_sampling="class_aware", random_state=0
        ).fit(X, y)
        assert clf.n_iter_ == fast_params["max_iter"]
        p = clf.predict_proba(X)
        assert np.isfinite(p).all() and p.shape == (len(X), 3)
        assert not np.array_equal(p, proba({**fast_params, "random_state": 0}, X, y))

    def test_batches_are_class_balanced(
        self, imbalanced_digits, fast_params, recording_sampler
    ):
        X, y = imbalanced_digits  # 30:20:4
        clf = CNNClassifier(
            **{**fast_params, "max_iter": 60, "batch_size": 16},
            batch_sampling="class_aware",
            random_state=0,
        ).fit(X, y)
        assert clf.n_iter_ == 60
        assert recording_sampler.built
        drawn = np.concatenate([i for s in recording_sampler.built for i in s.drawn])
        assert len(drawn) == 15 * len(y)  # 4 batches (16, 16, 16, 6) per epoch
        freq = np.bincount(y[drawn], minlength=3) / len(drawn)
        np.testing.assert_allclose(freq, 1 / 3, atol=0.05)

    def test_sampler_sees_only_the_training_part(
        self, imbalanced_digits, fast_params, recording_sampler
    ):
        X, y = imbalanced_digits
        clf = CNNClassifier(
            **fast_params,
            batch_sampling="class_aware",
            train_split=0.5,
            random_state=0,
        ).fit(X, y)
        n_train = n_train_after_holdout(y, 0.5)
        assert n_train < len(y)
        assert n_train == (30 - 15) + (20 - 10) + (4 - 2)
        assert recording_sampler.built
        for sampler in recording_sampler.built:
            assert sampler.num_samples == n_train
            np.testing.assert_array_equal(sampler.class_counts_, [15, 10, 2])
            for indices in sampler.drawn:
                assert indices.max() < n_train
        assert np.isfinite(clf.history[:, "valid_loss"]).all()

    def test_single_example_class(self, digits, fast_params, recording_sampler):
        X, y = digits
        lone = np.flatnonzero(y == 9)[0]
        keep = (y != 9) | (np.arange(len(y)) == lone)
        for options in (
            {"batch_sampling": "class_aware", "train_split": 0.5},
            {"train_split": 0.5},
            {"batch_sampling": "class_aware", "class_weight": "balanced"},
        ):
            recording_sampler.built.clear()
            clf = CNNClassifier(**fast_params, **options, random_state=0)
            clf.fit(X[keep], y[keep])
            np.testing.assert_array_equal(clf.classes_, np.arange(10))
            for sampler in recording_sampler.built:  # it stays in training
                assert len(sampler.class_counts_) == 10
                assert sampler.class_counts_[9] == 1
            p = clf.predict_proba(X)
            assert p.shape == (len(X), 10) and np.isfinite(p).all()
            assert set(clf.predict(X)) <= set(range(10))


# ----------------------------------------------------------------- validation
class TestValidation:
    def test_valid_loss_every_epoch(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, train_split=0.25, random_state=0).fit(X, y)
        valid = clf.history[:, "valid_loss"]
        assert len(valid) == len(clf.history) >= 2
        assert np.isfinite(valid).all()
        # Epochs are passes over the training part only.
        n_train = n_train_after_holdout(y, 0.25)
        assert clf.history[0, "train_batch_count"] == math.ceil(n_train / 32) < 10
        assert clf.n_iter_ == fast_params["max_iter"]

    def test_fitted_estimator_does_not_keep_the_data(self, digits, fast_params):
        X, y = digits
        without = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        held = CNNClassifier(**fast_params, train_split=0.5, random_state=0).fit(X, y)
        assert len(pickle.dumps(held)) < len(pickle.dumps(without)) + 0.1 * X.nbytes

    def test_holdout_matches_stratified_holdout(self, digits):
        _, y = digits
        train, valid = stratified_holdout(y, 0.25, np.random.RandomState(0))
        assert len(train) == n_train_after_holdout(y, 0.25)
        assert len(train) + len(valid) == len(y)

    def test_validation_fraction_too_small_for_the_data(self, digits, fast_params):
        X, y = digits
        small = np.concatenate([np.flatnonzero(y == c)[:2] for c in range(10)])
        clf = CNNClassifier(**fast_params, train_split=0.1, random_state=0)
        try:
            clf.fit(X[small], y[small])
        except ValueError as exc:
            assert "train_split" in str(exc)
        else:
            assert np.isfinite(clf.history[:, "valid_loss"]).all()


# ------------------------------------------------------------------ fine-tune
@pytest.fixture(scope="module")
def lenet(digits):
    X, y = digits
    return CNNClassifier(
        "lenet5", max_iter=10, batch_size=32, device="cpu", random_state=0
    ).fit(X, y)


class TestFineTune:
    @pytest.mark.parametrize("module", ["lenet5", "mlp"])
    def test_only_the_head_changes(self, module, digits, imbalanced_digits):
        X, y = digits
        clf = CNNClassifier(
            module, max_iter=10, batch_size=32, device="cpu", random_state=0
        ).fit(X, y)
        head = set(clf.module_.head_names)
        before = weights(clf)
        Xi, yi = imbalanced_digits
        clf.fine_tune(Xi, yi, lr_factor=0.1, max_iter=5)
        assert clf.n_iter_ == 15
        after = weights(clf)
        changed = {
            name for name in before if not torch.equal(before[name], after[name])
        }
        assert changed == {name for name in before if name.split(".")[0] in head}
        assert changed
        assert all(p.requires_grad for p in clf.module_.parameters())
        np.testing.assert_array_equal(clf.classes_, np.arange(10))
        assert clf.predict_proba(X).shape == (len(X), 10)

    def test_default_max_iter(self, lenet, digits):
        X, y = digits
        clf = pickle.loads(pickle.dumps(lenet))
        clf.fine_tune(X, y)
        assert clf.n_iter_ == 2 * lenet.max_iter

    def test_lr_is_scaled_and_schedule_restarts(self, lenet, digits):
        X, y = digits
        clf = pickle.loads(pickle.dumps(lenet))
        clf.fine_tune(X, y, lr_factor=0.1, max_iter=10)
        lr = clf.optimizer_.param_groups[0]["lr"]
        assert abs(lr - 0.01 * 0.1 * (1 + 1e-4 * 10) ** -0.75) < 1e-12

    def test_unfitted(self, digits):
        X, y = digits
        with pytest.raises(NotFittedError):
            CNNClassifier().fine_tune(X, y)

    @pytest.mark.parametrize(
        "kwargs, error, match",
        [
            ({"lr_factor": 0}, ValueError, "'lr_factor' parameter.*Got 0"),
            ({"lr_factor": -1.0}, ValueError, "'lr_factor' parameter.*Got -1.0"),
            ({"max_iter": 0}, ValueError, "'max_iter' parameter.*Got 0"),
            ({"max_iter": 2.5}, ValueError, "'max_iter' parameter.*Got 2.5"),
        ],
    )
    def test_invalid_arguments(self, kwargs, error, match, lenet, digits):
        X, y = digits
        before = weights(lenet)
        with pytest.raises(error, match=match):
            lenet.fine_tune(X, y, **kwargs)
        assert all(torch.equal(before[k], v) for k, v in weights(lenet).items())

    def test_module_without_head(self, digits, fast_params):
        class Headless(torch.nn.Module):
            def __init__(self, *, input_shape, n_classes):
                super().__init__()
                self.linear = torch.nn.Linear(math.prod(input_shape), n_classes)

            def forward(self, x):
                return self.linear(torch.flatten(x, 1))

        X, y = digits
        params = {**fast_params, "module": Headless}
        del params["module__hidden_layer_sizes"]
        clf = CNNClassifier(**params, random_state=0).fit(X, y)
        with pytest.raises(ValueError, match="Headless has no head.*head_names"):
            clf.fine_tune(X, y, max_iter=1)
        assert all(p.requires_grad for p in clf.module_.parameters())

    def test_requires_grad_restored_when_training_fails(self, digits):
        X, y = digits
        clf = CNNClassifier(
            MLP,
            module__hidden_layer_sizes=(16,),
            max_iter=5,
            batch_size=32,
            lr=0.1,
            device="cpu",
            random_state=0,
        ).fit(X, y)
        with pytest.raises(FloatingPointError, match="diverged.*learning rate"):
            clf.fine_tune(X * 1e3, y, lr_factor=1e7, max_iter=20)
        assert all(p.requires_grad for p in clf.module_.parameters())
