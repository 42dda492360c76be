"""CNNClassifier as an estimator: inputs, labels, budget, reliability, errors.

The imbalance options (weights, losses, batch sampling, validation, fine-tuning)
are in ``test_cnn_imbalance.py``; the training machinery in
``test_cnn_training.py``.
"""

import math
import pickle
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import torch

from skimbalance.cnn import CNNClassifier, _batches
from skimbalance.nets import MLP

BATCH = 32  # the batch size of the fast parameters (conftest.FAST)


def weights(clf):
    """A detached copy of every parameter of the fitted network, by name."""
    return {name: p.detach().clone() for name, p in clf.module_.named_parameters()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def batch_count(clf):
    return sum(clf.history[:, "train_batch_count"])


def current_lr(clf):
    return clf.optimizer_.param_groups[0]["lr"]


# --------------------------------------------------------------------- inputs
class TestInputs:
    def test_2d_and_4d_X_give_the_same_model(self, digits, seed):
        X, y = digits
        params = {"max_iter": 5, "batch_size": 32, "device": "cpu"}
        flat = CNNClassifier("lenet5", **params, random_state=seed).fit(X, y)
        images = CNNClassifier("lenet5", **params, random_state=seed).fit(
            X.reshape(-1, 1, 8, 8), y
        )
        assert flat.input_shape_ == images.input_shape_ == (1, 8, 8)
        assert flat.n_features_in_ == images.n_features_in_ == 64
        expected = flat.predict_proba(X)
        np.testing.assert_array_equal(images.predict_proba(X), expected)
        # Either form predicts with either model.
        np.testing.assert_array_equal(
            flat.predict_proba(X.reshape(-1, 1, 8, 8)), expected
        )

    @pytest.mark.parametrize(
        "shape, expected",
        [
            ((64,), (1, 8, 8)),  # a square count: one-channel square images
            ((49,), (1, 7, 7)),
            ((10,), (1, 1, 10)),  # any other count
            ((3, 4, 4), (3, 4, 4)),  # N-D: X.shape[1:]
            ((2, 5), (1, 2, 5)),  # (n, H, W): one-channel images
        ],
    )
    def test_input_shape_inferred(self, shape, expected, fast_params):
        rng = np.random.RandomState(0)
        X = rng.rand(12, *shape).astype(np.float32)
        y = np.arange(12) % 3
        clf = CNNClassifier(**{**fast_params, "max_iter": 1}, random_state=0)
        clf.fit(X, y)
        assert clf.input_shape_ == expected
        assert clf.n_features_in_ == math.prod(shape)
        assert clf.module_.input_shape == expected
        assert clf.predict(X).shape == (12,)

    @pytest.mark.parametrize("input_shape", [(4, 4, 4), [1, 4, 16], (64,)])
    def test_input_shape_reshapes(self, input_shape, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **{**fast_params, "max_iter": 2}, input_shape=input_shape, random_state=0
        ).fit(X, y)
        assert clf.input_shape_ == tuple(input_shape)
        assert clf.module_.input_shape == tuple(input_shape)
        assert clf.predict_proba(X).shape == (len(X), 10)

    def test_input_shape_reshapes_a_convnet(self, digits):
        X, y = digits
        clf = CNNClassifier(
            "lenet5", input_shape=(1, 8, 8), max_iter=2, device="cpu", random_state=0
        ).fit(X, y)
        assert clf.input_shape_ == (1, 8, 8)
        assert clf.predict_proba(X).shape == (len(X), 10)

    def test_nd_X_with_input_shape_predicts_on_the_same_X(self, digits):
        # Grayscale images (n, 8, 8) and input_shape=(1, 8, 8): fit accepts
        # them (same number of values), so predict must accept them too.
        X, y = digits
        X3 = X.reshape(-1, 8, 8)
        clf = CNNClassifier(
            "lenet5", input_shape=(1, 8, 8), max_iter=2, device="cpu", random_state=0
        ).fit(X3, y)
        assert clf.input_shape_ == (1, 8, 8)
        np.testing.assert_array_equal(clf.predict_proba(X3), clf.predict_proba(X))

    def test_nd_X_of_another_shape_at_predict_raises(self, digits):
        X, y = digits
        clf = CNNClassifier("lenet5", max_iter=1, device="cpu", random_state=0)
        clf.fit(X.reshape(-1, 1, 8, 8), y)
        with pytest.raises(ValueError, match=r"shape \(2, 4, 8\).*\(1, 8, 8\)"):
            clf.predict(X.reshape(-1, 2, 4, 8))

    def test_dataframe_and_series(self, digits, fast_params):
        X, y = digits
        names = np.array(["zero", "one", "two", "three", "four"] * 2)
        df = pd.DataFrame(X, columns=[f"px{i}" for i in range(64)])
        labels = pd.Series(names[y], name="digit")
        clf = CNNClassifier(**fast_params, random_state=0).fit(df, labels)
        assert clf.n_features_in_ == 64
        assert list(clf.feature_names_in_) == list(df.columns)
        np.testing.assert_array_equal(clf.classes_, np.unique(names))
        pred = clf.predict(df)
        assert set(pred) <= set(clf.classes_)
        np.testing.assert_array_equal(
            clf.predict_proba(df),
            CNNClassifier(**fast_params, random_state=0)
            .fit(X, names[y])
            .predict_proba(X),
        )

    def test_list_input(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**{**fast_params, "max_iter": 2}, random_state=0)
        clf.fit(X[:40].tolist(), y[:40].tolist())
        assert clf.predict(X[:3].tolist()).shape == (3,)

    @pytest.mark.parametrize("dtype", [np.float64, np.int64, np.uint8])
    def test_other_dtypes(self, dtype, digits, fast_params):
        X, y = digits
        Xd = (X * 16).astype(dtype)
        clf = CNNClassifier(**{**fast_params, "max_iter": 2}, random_state=0)
        proba = clf.fit(Xd, y).predict_proba(Xd)
        assert np.isfinite(proba).all()


# --------------------------------------------------------------------- labels
class TestLabels:
    def test_predict_returns_labels_of_classes(self, digits, fast_params):
        X, y = digits
        # Sorted string order differs from the digits' numeric order.
        names = np.array(
            [
                "zero",
                "one",
                "two",
                "three",
                "four",
                "five",
                "six",
                "seven",
                "eight",
                "nine",
            ]
        )
        clf = CNNClassifier(**{**fast_params, "max_iter": 100}, random_state=0)
        clf.fit(X, names[y])
        np.testing.assert_array_equal(clf.classes_, np.sort(names))
        proba = clf.predict_proba(X)
        pred = clf.predict(X)
        assert pred.dtype.kind == "U"
        np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
        # Columns follow classes_: the true class's column is the most probable
        # on average over the training examples of each class.
        true_col = np.searchsorted(clf.classes_, names[y])
        for c in range(10):
            rows = proba[true_col == c]
            assert rows.mean(axis=0).argmax() == c
        assert clf.score(X, names[y]) > 0.8

    def test_negative_and_sparse_int_labels(self, digits, fast_params):
        X, y = digits
        labels = np.array([-7, 3, 100])[y % 3]
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, labels)
        np.testing.assert_array_equal(clf.classes_, [-7, 3, 100])
        assert set(np.unique(clf.predict(X))) <= {-7, 3, 100}

    def test_binary(self, digits, fast_params):
        X, y = digits
        labels = np.where(y < 5, "low", "high")
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, labels)
        assert clf.predict_proba(X).shape == (len(X), 2)
        assert clf.score(X, labels) > 0.6

    def test_column_vector_y(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**{**fast_params, "max_iter": 2}, random_state=0)
        clf.fit(X, y[:, None])
        assert clf.classes_.shape == (10,)

    def test_proba_rows_sum_to_one(self, fitted_mlp, digits):
        X, _ = digits
        proba = fitted_mlp.predict_proba(X)
        assert proba.shape == (len(X), 10)
        assert proba.dtype == np.float64
        assert (proba >= 0).all()
        # float64 precision, so sklearn.metrics.log_loss does not warn
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)

    def test_predict_batch_size_does_not_change_predictions(self, fitted_mlp, digits):
        X, _ = digits
        small = pickle.loads(pickle.dumps(fitted_mlp))
        small.set_params(iterator_valid__batch_size=7)
        np.testing.assert_allclose(
            small.predict_proba(X), fitted_mlp.predict_proba(X), rtol=0, atol=1e-6
        )

    def test_methods_return_self(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            "lenet5", max_iter=2, batch_size=32, device="cpu", random_state=0
        )
        assert clf.fit(X, y) is clf
        assert clf.partial_fit(X, y) is clf
        assert clf.fine_tune(X, y, max_iter=1) is clf

    def test_verbose_prints_the_log(self, digits, fast_params, capsys):
        X, y = digits
        CNNClassifier(**fast_params, verbose=1, train_split=0.2, random_state=0).fit(
            X, y
        )
        out = capsys.readouterr().out
        assert "train_loss" in out and "valid_loss" in out
        CNNClassifier(**fast_params, random_state=0).fit(X, y)
        assert capsys.readouterr().out == ""


# --------------------------------------------------------------------- budget
class TestBudget:
    @pytest.mark.parametrize("max_iter", [1, 7, 10, 23])
    def test_max_iter_is_exact(self, max_iter, digits, fast_params):
        X, y = digits  # 10 batches per epoch
        clf = CNNClassifier(
            **{**fast_params, "max_iter": max_iter}, random_state=0
        ).fit(X, y)
        assert clf.n_iter_ == max_iter
        assert batch_count(clf) == max_iter
        assert len(clf.history) == math.ceil(max_iter / 10)

    def test_max_epochs(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, max_epochs=3, random_state=0).fit(X, y)
        assert len(clf.history) == 3
        assert clf.n_iter_ == batch_count(clf) == 3 * math.ceil(len(X) / BATCH)

    def test_max_epochs_counts_training_part_only(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **fast_params, max_epochs=2, train_split=0.5, random_state=0
        ).fit(X, y)
        n_train = len(X) - sum(min(c // 2, c - 1) for c in np.bincount(y))
        assert n_train < len(X)
        assert clf.n_iter_ == batch_count(clf) == 2 * math.ceil(n_train / BATCH)

    def test_partial_fit_is_one_pass_and_continues(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, random_state=0)
        clf.partial_fit(X, y)
        assert clf.n_iter_ == batch_count(clf) == 10
        module, before = clf.module_, weights(clf)
        clf.partial_fit(X[:100], y[:100])
        assert clf.module_ is module
        assert clf.n_iter_ == batch_count(clf) == 10 + 4
        assert not same_weights(before, weights(clf))

    def test_partial_fit_after_fit_continues(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        clf.partial_fit(X, y)
        assert clf.n_iter_ == batch_count(clf) == fast_params["max_iter"] + 10

    def test_partial_fit_classes(self, digits, fast_params):
        X, y = digits
        few = y < 3
        clf = CNNClassifier(**fast_params, random_state=0)
        clf.partial_fit(X[few], y[few], classes=np.arange(10))
        np.testing.assert_array_equal(clf.classes_, np.arange(10))
        assert clf.predict_proba(X).shape == (len(X), 10)
        clf.partial_fit(X, y)  # the other classes may come later
        assert clf.predict_proba(X).shape == (len(X), 10)

    def test_warm_start_continues_from_current_weights(self, digits, fast_params):
        X, y = digits
        n = fast_params["max_iter"]
        clf = CNNClassifier(**fast_params, warm_start=True, random_state=0).fit(X, y)
        fresh = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        first = weights(clf)
        assert same_weights(first, weights(fresh))
        module = clf.module_

        clf.fit(X, y)
        assert clf.module_ is module  # not rebuilt
        assert clf.n_iter_ == batch_count(clf) == 2 * n
        second = weights(clf)
        assert not same_weights(first, second)

        # With a vanishing lr a further warm fit barely moves the weights:
        # training starts from where it was, not from a new initialisation.
        clf.set_params(lr=1e-12, max_iter=5).fit(X, y)
        assert clf.n_iter_ == 2 * n + 5
        after = weights(clf)
        for name in second:
            torch.testing.assert_close(after[name], second[name], rtol=0, atol=1e-6)
        init = weights(
            CNNClassifier(
                **{**fast_params, "lr": 1e-12, "max_iter": 1}, random_state=0
            ).fit(X, y)
        )
        assert max((after[k] - init[k]).abs().max().item() for k in after) > 1e-3

    @pytest.mark.parametrize("first, second", [(300, 32), (32, 300)])
    def test_warm_start_with_new_batch_size(self, first, second, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **{**fast_params, "batch_size": first}, warm_start=True, random_state=0
        ).fit(X, y)
        clf.set_params(batch_size=second).fit(X, y)
        assert clf.n_iter_ == batch_count(clf) == 2 * fast_params["max_iter"]
        last = clf.history[-1, "train_batch_count"]
        assert last == min(math.ceil(len(X) / second), fast_params["max_iter"])
        assert 0 not in clf.history[:, "train_batch_count"]

    def test_warm_start_uses_new_training_parameters(
        self, digits, fast_params, monkeypatch
    ):
        X, y = digits
        clf = CNNClassifier(**fast_params, warm_start=True, random_state=0).fit(X, y)
        clf.set_params(batch_sampling="class_aware", momentum=0.5, weight_decay=0.01)
        orders = []
        original = _batches.BudgetBatchSampler.__init__

        def recording(sampler, targets, **kwargs):
            orders.append((kwargs["order"], kwargs["batch_size"]))
            original(sampler, targets, **kwargs)

        monkeypatch.setattr(_batches.BudgetBatchSampler, "__init__", recording)
        clf.fit(X, y)
        group = clf.optimizer_.param_groups[0]
        assert (group["momentum"], group["weight_decay"]) == (0.5, 0.01)
        assert orders == [("class_aware", fast_params["batch_size"])]

    def test_fit_without_warm_start_starts_over(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        expected = clf.predict_proba(X)
        clf.fit(X, y)
        assert clf.n_iter_ == batch_count(clf) == fast_params["max_iter"]
        np.testing.assert_array_equal(clf.predict_proba(X), expected)


# --------------------------------------------------------------- LR schedule
class TestSchedule:
    def test_inv_schedule_after_100_updates(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **{**fast_params, "max_iter": 100, "lr": 0.01}, random_state=0
        ).fit(X, y)
        assert clf.get_params()["lr_schedule"] == "inv"
        assert abs(current_lr(clf) - 0.01 * (1 + 1e-4 * 100) ** -0.75) < 1e-12

    @pytest.mark.parametrize(
        "schedule, multiplier", [("step", 1e-3), ("linear", 0.0), ("constant", 1.0)]
    )
    def test_schedule_at_the_end(self, schedule, multiplier, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **{**fast_params, "max_iter": 14, "lr": 0.05},
            lr_schedule=schedule,
            random_state=0,
        ).fit(X, y)
        assert abs(current_lr(clf) - 0.05 * multiplier) < 1e-12

    def test_warm_start_continues_the_schedule(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **{**fast_params, "max_iter": 50, "lr": 0.01},
            warm_start=True,
            random_state=0,
        )
        clf.fit(X, y).fit(X, y)
        assert clf.n_iter_ == 100
        assert abs(current_lr(clf) - 0.01 * (1 + 1e-4 * 100) ** -0.75) < 1e-12

    def test_partial_fit_continues_the_schedule(self, digits, fast_params):
        X, y = digits  # 10 updates per pass
        clf = CNNClassifier(**{**fast_params, "lr": 0.01}, random_state=0)
        for _ in range(3):
            clf.partial_fit(X, y)
        assert clf.n_iter_ == 30
        lrs = clf.history[-1, "batches", :, "event_lr"]
        expected = [0.01 * (1 + 1e-4 * t) ** -0.75 for t in range(20, 30)]
        np.testing.assert_allclose(lrs, expected, rtol=0, atol=1e-12)


# ---------------------------------------------------------------- reliability
class TestReliability:
    @pytest.mark.parametrize(
        "options",
        [
            {},
            {"batch_sampling": "class_aware", "train_split": 0.2},
            {"module__hidden_layer_sizes": (16,), "module__dropout": 0.3},
        ],
        ids=["shuffle", "class_aware+validation", "dropout"],
    )
    def test_same_seed_is_bit_identical(self, options, digits, fast_params):
        X, y = digits
        params = {**fast_params, **options}
        a = CNNClassifier(**params, random_state=3).fit(X, y).predict_proba(X)
        b = CNNClassifier(**params, random_state=3).fit(X, y).predict_proba(X)
        np.testing.assert_array_equal(a, b)
        c = CNNClassifier(**params, random_state=4).fit(X, y).predict_proba(X)
        assert not np.array_equal(a, c)

    def test_random_state_instance(self, digits, fast_params):
        X, y = digits
        a = CNNClassifier(**fast_params, random_state=np.random.RandomState(5))
        b = CNNClassifier(**fast_params, random_state=np.random.RandomState(5))
        np.testing.assert_array_equal(
            a.fit(X, y).predict_proba(X), b.fit(X, y).predict_proba(X)
        )

    @pytest.mark.parametrize("random_state", [0, None])
    def test_global_random_state_untouched(self, random_state, digits, fast_params):
        X, y = digits
        torch_state = torch.get_rng_state()
        numpy_state = np.random.get_state()  # noqa: NPY002 (the global state)
        clf = CNNClassifier(
            **fast_params, batch_sampling="class_aware", random_state=random_state
        )
        clf.fit(X, y).partial_fit(X, y)
        clf.predict_proba(X)
        assert torch.equal(torch.get_rng_state(), torch_state)
        if random_state is not None:  # None draws its seed from numpy, as sklearn
            now = np.random.get_state()  # noqa: NPY002
            np.testing.assert_array_equal(now[1], numpy_state[1])

    def test_pickled_estimator_continues_identically(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        loaded = pickle.loads(pickle.dumps(clf))
        clf.partial_fit(X, y)
        loaded.partial_fit(X, y)
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))

    def test_joblib_round_trip(self, fitted_mlp, digits, tmp_path):
        X, _ = digits
        path = tmp_path / "clf.joblib"
        joblib.dump(fitted_mlp, path)
        loaded = joblib.load(path)
        np.testing.assert_array_equal(
            loaded.predict_proba(X), fitted_mlp.predict_proba(X)
        )

    @pytest.mark.parametrize("labels", ["int", "str"])
    def test_save_and_load_params(self, labels, digits, fast_params, tmp_path):
        X, y = digits
        y = y if labels == "int" else np.array(list("abcdefghij"))[y]
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        files = {
            "f_params": tmp_path / "params.pt",
            "f_optimizer": tmp_path / "optimizer.pt",
            "f_history": tmp_path / "history.json",
        }
        clf.save_params(**files)
        loaded = CNNClassifier(**fast_params).load_params(**files)
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
        np.testing.assert_array_equal(loaded.classes_, clf.classes_)
        assert loaded.classes_.dtype.kind == clf.classes_.dtype.kind
        assert loaded.input_shape_ == clf.input_shape_
        assert (loaded.n_features_in_, loaded.n_iter_) == (64, clf.n_iter_)
        loaded.partial_fit(X, y)  # continues from the loaded weights
        assert loaded.n_iter_ == clf.n_iter_ + 10

    @pytest.mark.parametrize("layout", ["float32", "float64", "nd"])
    def test_caller_data_not_modified(self, layout, digits, fast_params):
        X, y = digits
        X = {
            "float32": X.copy(),
            "float64": X.astype(np.float64),
            "nd": X.reshape(-1, 1, 8, 8).copy(),
        }[layout]
        labels = np.array(list("abcdefghij"))[y]
        sample_weight = np.linspace(0.5, 1.5, len(y))
        copies = X.copy(), labels.copy(), sample_weight.copy()
        clf = CNNClassifier(
            **fast_params,
            class_weight="balanced",
            train_split=0.2,
            random_state=0,
        )
        clf.fit(X, labels, sample_weight=sample_weight)
        clf.partial_fit(X, labels, sample_weight=sample_weight)
        clf.predict_proba(X)
        clf.predict(X)
        for now, before in zip((X, labels, sample_weight), copies):
            np.testing.assert_array_equal(now, before)
            assert now.dtype == before.dtype

    def test_read_only_inputs(self, digits, fast_params):
        X, y = digits
        X, y = X.copy(), y.copy()
        sample_weight = np.ones(len(y))
        for a in (X, y, sample_weight):
            a.setflags(write=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            clf = CNNClassifier(**fast_params, random_state=0)
            clf.fit(X, y, sample_weight=sample_weight)
            proba = clf.predict_proba(X)
        assert not [w for w in caught if "not writable" in str(w.message)]
        np.testing.assert_array_equal(
            proba,
            CNNClassifier(**fast_params, random_state=0).fit(X, y).predict_proba(X),
        )

    def test_module_instance_is_copied_not_trained(self, digits, fast_params):
        X, y = digits
        module = MLP(input_shape=(1, 8, 8), n_classes=10, hidden_layer_sizes=(16,))
        before = {k: v.clone() for k, v in module.state_dict().items()}
        params = {**fast_params, "module": module}
        del params["module__hidden_layer_sizes"]
        clf = CNNClassifier(**params, random_state=0).fit(X, y)
        assert clf.module_ is not module
        for k, v in module.state_dict().items():
            assert torch.equal(v, before[k])
        assert not same_weights(weights(clf), dict(module.named_parameters()))

    def test_module_class(self, digits, fast_params):
        X, y = digits
        params = {**fast_params, "module": MLP}
        clf = CNNClassifier(**params, random_state=0).fit(X, y)
        assert type(clf.module_) is MLP
        assert clf.module_.hidden_layer_sizes == (32,)


# --------------------------------------------------------------------- errors
class TestErrors:
    @pytest.mark.parametrize("bad, match", [(np.nan, "NaN"), (np.inf, "infinity")])
    def test_non_finite_X(self, bad, match, digits, fast_params, fitted_mlp):
        X, y = digits
        X = X.copy()
        X[3, 5] = bad
        with pytest.raises(ValueError, match=match):
            CNNClassifier(**fast_params).fit(X, y)
        with pytest.raises(ValueError, match=match):
            fitted_mlp.predict(X)
        with pytest.raises(ValueError, match=match):
            CNNClassifier(**fast_params).partial_fit(X, y)

    def test_input_shape_inconsistent_with_n_features(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, input_shape=(1, 9, 9))
        with pytest.raises(
            ValueError, match=r"input_shape=\(1, 9, 9\).*81.*n_features=64"
        ):
            clf.fit(X, y)
        with pytest.raises(ValueError, match=r"input_shape=\(2, 8, 8\).*n_features"):
            clf.set_params(input_shape=(2, 8, 8)).fit(X.reshape(-1, 1, 8, 8), y)

    def test_other_n_features_at_predict(self, fitted_mlp, digits):
        X, _ = digits
        with pytest.raises(ValueError, match="X has 10 features.*expecting 64"):
            fitted_mlp.predict(X[:, :10])
        with pytest.raises(ValueError, match="X has 10 features.*expecting 64"):
            fitted_mlp.predict_proba(X[:, :10])

    def test_other_n_features_at_partial_fit(self, fitted_mlp, digits):
        X, y = digits
        clf = pickle.loads(pickle.dumps(fitted_mlp))
        with pytest.raises(ValueError, match="X has 10 features.*expecting 64"):
            clf.partial_fit(X[:, :10], y)

    @pytest.mark.skipif(torch.cuda.is_available(), reason="a CUDA device exists")
    def test_cuda_without_gpu(self, digits, fast_params):
        X, y = digits
        params = {**fast_params, "device": "cuda"}
        with pytest.raises(ValueError, match="device='cuda'.*no CUDA device"):
            CNNClassifier(**params).fit(X, y)
        with pytest.raises(ValueError, match="no CUDA device"):
            CNNClassifier(**{**params, "device": "cuda:0"}).fit(X, y)

    def test_auto_device(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**{**fast_params, "device": "auto", "max_iter": 2})
        clf.fit(X, y)
        expected = "cuda" if torch.cuda.is_available() else "cpu"
        assert next(clf.module_.parameters()).device.type == expected
        assert clf.predict(X).shape == (len(X),)

    def test_torch_device_object(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**{**fast_params, "device": torch.device("cpu")})
        assert clf.fit(X, y).predict(X).shape == (len(X),)

    def test_unknown_module(self, digits, fast_params):
        X, y = digits
        with pytest.raises(
            ValueError, match="'module' parameter.*must be a str among"
        ) as info:
            CNNClassifier(**{**fast_params, "module": "vgg"}).fit(X, y)
        for name in ("lenet5", "allcnn", "resnet10", "mlp"):
            assert repr(name) in str(info.value)
        assert "'vgg'" in str(info.value)

    def test_unknown_criterion(self, digits, fast_params):
        X, y = digits
        with pytest.raises(
            ValueError, match="'criterion' parameter.*must be a str among"
        ) as info:
            CNNClassifier(**fast_params, criterion="hinge").fit(X, y)
        for name in (
            "cross_entropy",
            "focal",
            "class_balanced",
            "logit_adjusted",
            "ldam",
        ):
            assert repr(name) in str(info.value)

    def test_lr_message(self, digits, fast_params):
        X, y = digits
        with pytest.raises(ValueError, match=r"'lr'.*range \(0.0, inf\).*Got 0"):
            CNNClassifier(**{**fast_params, "lr": 0}).fit(X, y)

    def test_huge_lr_stops_with_floating_point_error(self, digits, fast_params):
        X, y = digits
        torch_state = torch.get_rng_state()
        clf = CNNClassifier(**{**fast_params, "lr": 1e6}, random_state=0)
        with pytest.raises(
            FloatingPointError,
            match=r"diverged\. Likely causes: unscaled inputs: the largest value of "
            r"X is 1000 .*the learning rate \(lr=1e\+06 now; try lr=100000\)",
        ):
            clf.fit(X * 1e3, y)
        assert torch.equal(torch.get_rng_state(), torch_state)

    def test_X_y_lengths_differ(self, digits, fast_params):
        X, y = digits
        with pytest.raises(ValueError, match="same number of samples"):
            CNNClassifier(**fast_params).fit(X, y[:-1])

    def test_sample_weight_length(self, digits, fast_params):
        X, y = digits
        with pytest.raises(ValueError, match="sample_weight"):
            CNNClassifier(**fast_params).fit(X, y, sample_weight=np.ones(3))

    def test_continuous_y(self, digits, fast_params):
        X, _ = digits
        with pytest.raises(ValueError, match="Unknown label type"):
            CNNClassifier(**fast_params).fit(X, np.linspace(0, 1, len(X)))

    def test_unseen_class_when_continuing(self, digits, fast_params):
        X, y = digits
        few = y < 3
        clf = CNNClassifier(**fast_params, random_state=0).fit(X[few], y[few])
        with pytest.raises(ValueError, match=r"classes not seen.*\[3, 4"):
            clf.partial_fit(X, y)
        with pytest.raises(ValueError, match="classes not seen"):
            clf.set_params(warm_start=True).fit(X, y)
        with pytest.raises(ValueError, match="classes not seen"):
            clf.fine_tune(X, y, max_iter=1)
