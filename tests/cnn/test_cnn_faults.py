"""A failed or interrupted call leaves the estimator (and its files) as they were;
bad input gets an error naming the parameter and the value, before any training."""

import math
import os
import pickle
import signal

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError
from skorch.callbacks import Callback

from skimbalance.cnn import CNNClassifier, LeNet5Classifier


class StopAt(torch.nn.Module):
    """An MLP whose forward raises ``error`` on its ``at``-th training call."""

    calls = 0

    def __init__(self, *, input_shape, n_classes, at=3, error=KeyboardInterrupt):
        super().__init__()
        self.linear = torch.nn.Linear(math.prod(input_shape), n_classes)
        self.head_names = ("linear",)
        self.at, self.error = at, error

    def forward(self, x):
        if self.training:
            StopAt.calls += 1
            if StopAt.calls == self.at:
                raise self.error("stopped")
        return self.linear(torch.flatten(x, 1))


class CtrlCAt(Callback):
    """Sends this process a real SIGINT after ``at`` training batches of a call."""

    def __init__(self, at=5):
        self.at = at

    def on_train_begin(self, net, **kwargs):
        self.seen_ = 0

    def on_batch_end(self, net, training=False, **kwargs):
        self.seen_ += training
        if self.seen_ == self.at:
            os.kill(os.getpid(), signal.SIGINT)


def snapshot(clf):
    """Everything a call can change: attributes, weights, optimizer, history."""
    state = dict(vars(clf))
    if hasattr(clf, "module_"):
        state["weights"] = {k: v.clone() for k, v in clf.module_.state_dict().items()}
        optimizer = clf.optimizer_.state_dict()
        state["optimizer"] = (
            repr(optimizer["param_groups"]),
            {
                (k, n): v.clone()
                for k, s in optimizer["state"].items()
                for n, v in s.items()
            },
        )
        state["history"] = pickle.dumps(list(clf.history))
    return state


def assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if key == "weights":
            assert all(torch.equal(a[key][k], b[key][k]) for k in a[key])
        elif key == "optimizer":
            assert a[key][0] == b[key][0]
            assert a[key][1].keys() == b[key][1].keys()
            assert all(torch.equal(v, b[key][1][k]) for k, v in a[key][1].items())
        elif isinstance(a[key], np.ndarray):
            np.testing.assert_array_equal(a[key], b[key])
        else:
            assert a[key] is b[key] or a[key] == b[key], key


@pytest.fixture
def stopper(fast_params):
    StopAt.calls = 0
    params = {k: v for k, v in fast_params.items() if not k.startswith("module")}

    def make(**module_params):
        module_params = {f"module__{k}": v for k, v in module_params.items()}
        return CNNClassifier(StopAt, **params, **module_params, random_state=0)

    return make


# --------------------------------------------------------- all or nothing
class TestAllOrNothing:
    def test_ctrl_c_during_the_first_fit_propagates_and_leaves_it_unfitted(
        self, stopper, digits
    ):
        clf = stopper(at=4)
        with pytest.raises(KeyboardInterrupt):
            clf.fit(*digits)
        assert vars(clf) == vars(stopper(at=4))  # only the parameters
        with pytest.raises(NotFittedError):
            clf.predict(digits[0])

    @pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
    @pytest.mark.parametrize(
        "call", ["warm_start", "partial_fit", "fine_tune", "refit"]
    )
    def test_a_failed_call_restores_the_previous_fit(
        self, stopper, digits, call, error
    ):
        X, y = digits
        clf = stopper(at=25, error=error)  # the first fit makes 20 updates
        clf.fit(X, y)
        expected = clf.predict_proba(X)
        before = snapshot(clf)
        with pytest.raises(error):
            if call == "warm_start":
                clf.set_params(warm_start=True).fit(X, y)
            elif call == "partial_fit":
                clf.partial_fit(X, y)
            elif call == "fine_tune":
                clf.fine_tune(X, y, max_iter=10)
            else:
                clf.fit(X, y)  # a new network: StopAt raises on its 5th update
        after = snapshot(clf)
        before.pop("warm_start", None), after.pop("warm_start", None)
        assert_same(before, after)
        np.testing.assert_array_equal(clf.predict_proba(X), expected)
        assert all(p.requires_grad for p in clf.module_.parameters())

    @pytest.fixture
    def python_sigint(self):
        """Python's own SIGINT handler, also where this process inherited
        SIGINT ignored (a background job, nohup), put back afterwards."""
        saved = signal.signal(signal.SIGINT, signal.default_int_handler)
        yield
        signal.signal(signal.SIGINT, saved)

    @pytest.mark.parametrize("warm", [False, True])
    def test_a_real_ctrl_c_is_not_a_callback_stop(
        self, warm, digits, fast_params, python_sigint
    ):
        X, y = digits
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        before = snapshot(clf)
        clf.set_params(callbacks=[CtrlCAt(at=5)], warm_start=warm)
        before["callbacks"] = clf.callbacks
        before["warm_start"] = warm
        before["callbacks_"] = clf.callbacks_
        with pytest.raises(KeyboardInterrupt):
            clf.fit(X, y)
        assert_same(before, snapshot(clf))

    def test_divergence_leaves_no_nan_model(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params, random_state=0).fit(X, y)
        expected = clf.predict_proba(X)
        with pytest.raises(FloatingPointError, match="diverged"):
            clf.set_params(lr=1e7).fit(X * 1e3, y)
        np.testing.assert_array_equal(clf.predict_proba(X), expected)
        unfitted = CNNClassifier(**{**fast_params, "lr": 1e7}, random_state=0)
        with pytest.raises(FloatingPointError):
            unfitted.fit(X * 1e3, y)
        assert not hasattr(unfitted, "module_")


# ---------------------------------------------------- save_params / load_params
FILES = ("f_params", "f_optimizer", "f_criterion", "f_history")


@pytest.fixture(scope="module")
def saved(tmp_path_factory, digits):
    X, y = digits
    folder = tmp_path_factory.mktemp("params")
    params = {"module": "mlp", "max_iter": 5, "device": "cpu", "random_state": 0,
              "module__hidden_layer_sizes": (16,)}  # fmt: skip
    clf = CNNClassifier(**params, normalize="auto").fit(X, y)
    files = {key: folder / f"{key[2:]}.bin" for key in FILES}
    clf.save_params(**files)
    return files, params, clf


class TestLoadParams:
    def test_round_trip_predicts_the_same(self, saved, digits):
        files, params, clf = saved
        loaded = CNNClassifier(**params, normalize="auto").load_params(**files)
        np.testing.assert_array_equal(
            loaded.predict_proba(digits[0]), clf.predict_proba(digits[0])
        )
        assert loaded.n_iter_ == clf.n_iter_
        np.testing.assert_array_equal(loaded.normalize_mean_, clf.normalize_mean_)

    @pytest.mark.parametrize(
        "damage, match",
        [
            (lambda p: p.write_bytes(p.read_bytes()[:200]), "Cannot read"),
            (lambda p: p.write_text("hello"), "Cannot read"),
            (lambda p: torch.save({"fc.weight": torch.zeros(2)}, p), "does not fit"),
        ],
        ids=["truncated", "text", "other-dict"],
    )  # fmt: skip
    def test_bad_file_changes_nothing(self, saved, digits, damage, match, tmp_path):
        files, params, _ = saved
        bad = tmp_path / "bad.pt"
        bad.write_bytes(files["f_params"].read_bytes())
        damage(bad)
        target = CNNClassifier(**params).fit(*digits)
        before = snapshot(target)
        with pytest.raises(ValueError, match=f"{match}.*|'{bad}'.*{match}"):
            target.load_params(**{**files, "f_params": bad})
        assert_same(before, snapshot(target))

    def test_other_architecture_changes_nothing(self, saved, digits):
        files, _, _ = saved
        other = LeNet5Classifier(device="cpu", max_iter=2).fit(*digits)
        before = snapshot(other)
        with pytest.raises(ValueError, match=r"params\.bin' does not fit .* module"):
            other.load_params(f_params=files["f_params"])
        assert_same(before, snapshot(other))
        fresh = LeNet5Classifier(device="cpu")
        with pytest.raises(ValueError, match="does not fit"):
            fresh.load_params(f_params=files["f_params"])
        assert vars(fresh) == vars(LeNet5Classifier(device="cpu"))

    def test_other_classes_are_refused(self, saved, digits):
        files, params, _ = saved
        X, y = digits
        letters = CNNClassifier(**params).fit(X, np.array(list("abcdefghij"))[y])
        before = snapshot(letters)
        with pytest.raises(
            ValueError, match=r"for the classes \[0, 1, .*has the classes \['a'"
        ):
            letters.load_params(f_params=files["f_params"])
        assert_same(before, snapshot(letters))

    def test_conflicting_input_shape(self, saved):
        files, params, _ = saved
        with pytest.raises(
            ValueError, match=r"inputs of shape \(1, 8, 8\).*input_shape=\(1, 1, 64\)"
        ):
            CNNClassifier(**params, input_shape=(1, 1, 64)).load_params(
                f_params=files["f_params"]
            )

    def test_files_of_different_updates_are_refused(self, saved, digits, tmp_path):
        files, params, clf = saved
        later = pickle.loads(pickle.dumps(clf)).partial_fit(*digits)
        later.save_params(f_history=tmp_path / "later.json")
        target = CNNClassifier(**params)
        with pytest.raises(
            ValueError, match=r"different updates: .*at update 5, .*at update 10"
        ):
            target.load_params(**{**files, "f_history": tmp_path / "later.json"})
        assert vars(target) == vars(CNNClassifier(**params))

    def test_missing_file(self, saved, tmp_path):
        files, params, clf = saved
        target = pickle.loads(pickle.dumps(clf))
        before = snapshot(target)
        with pytest.raises(FileNotFoundError):
            target.load_params(**{**files, "f_criterion": tmp_path / "nope.pt"})
        assert_same(before, snapshot(target))

    def test_a_failed_save_keeps_the_old_file(self, saved, tmp_path, monkeypatch):
        files, _, clf = saved
        target = tmp_path / "params.pt"
        target.write_bytes(files["f_params"].read_bytes())
        os.chmod(target, 0o640)
        original = target.read_bytes()

        def disk_full(obj, f, *args, **kwargs):
            with open(f, "wb") as out:
                out.write(b"half")
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(torch, "save", disk_full)
        with pytest.raises(OSError, match="No space left"):
            clf.save_params(f_params=target)
        assert target.read_bytes() == original
        assert sorted(p.name for p in tmp_path.iterdir()) == ["params.pt"]
        monkeypatch.undo()
        clf.save_params(f_params=target)  # a save that works keeps the mode
        assert target.read_bytes() != original
        assert os.stat(target).st_mode & 0o777 == 0o640


# ---------------------------------------------------------------- bad input
class TestBadInput:
    @pytest.mark.parametrize(
        "class_weight, match",
        [
            (
                {0: 1.0, 42: 2.0},
                r"weight for class 42, which is not one of the classes",
            ),
            ({0: -1.0}, r"class_weight\[0\]=-1\.0: class weights must be finite"),
            ({1: float("nan")}, r"class_weight\[1\]=nan"),
            ({2: float("inf")}, r"class_weight\[2\]=inf"),
        ],
    )
    def test_class_weight(self, class_weight, match, digits, fast_params):
        clf = CNNClassifier(**fast_params, class_weight=class_weight)
        with pytest.raises(ValueError, match=match):
            clf.fit(*digits)
        assert not hasattr(clf, "n_features_in_")

    def test_nll_loss_gets_log_probabilities(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **{**fast_params, "max_iter": 40}, criterion=torch.nn.NLLLoss()
        )
        clf.fit(X, y)
        losses = clf.history[:, "train_loss"]
        assert all(0 < v < 3 for v in losses) and losses[-1] < losses[0]

    def test_partial_fit_with_other_classes(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**fast_params).partial_fit(X, y, classes=np.arange(10))
        with pytest.raises(
            ValueError, match=r"classes=\[0, 1\] is not the same .*was: \[0, 1"
        ):
            clf.partial_fit(X, y, classes=[0, 1])
        clf.partial_fit(X, y, classes=np.arange(10))  # the same is fine

    @pytest.mark.parametrize("n", [1, 5])
    def test_one_class_or_one_sample(self, n, digits, fast_params):
        X, y = digits
        with pytest.raises(ValueError, match=rf"at least 2 classes; got {n} sample"):
            CNNClassifier(**fast_params).fit(X[:n], np.zeros(n))

    def test_y_holding_none_is_refused_naming_it(self, digits, fast_params):
        X, y = digits
        labels = y.astype(object)
        labels[7] = None
        clf = CNNClassifier(**fast_params)
        with pytest.raises(ValueError, match=r"y\[7\] is None"):
            clf.fit(X, labels)
        assert not hasattr(clf, "n_features_in_")

    def test_divergence_names_class_weight(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**{**fast_params, "lr": 1e4}, class_weight={0: 1e4})
        with pytest.raises(
            FloatingPointError,
            match=r"class_weight or sample_weight, ranging from 1 to 10000",
        ):
            clf.fit(X, y)

    @pytest.mark.parametrize(
        "params, match",
        [
            ({"device": "banana"}, r"device='banana' is not a torch device"),
            ({"input_shape": (1, 0, 64)}, r"got input_shape=\(1, 0, 64\)"),
            ({"input_shape": (-1, 64)}, r"input_shape must be"),
            ({"precision": "64"}, r"'precision' parameter"),
            ({"augment": "cutmix"}, r"'augment' parameter"),
            ({"data_format": "NHWC"}, r"'data_format' parameter"),
            ({"callbacks": [print]}, r"callbacks\[0\]=<built-in function print> is "
                                     r"not a skorch callback"),
            ({"callbacks": [("x", 3)]}, r"callbacks\[0\]=3 is not a skorch callback"),
            ({"optimizer__momentm": 0.5}, r"optimizer__momentm=0\.5: optimizer="
                                          r"'sgd' \(SGD\) takes no parameter "
                                          r"'momentm'; it takes \["),
            ({"module__widht": 4}, r"module__widht=4: module='mlp' \(MLP\) takes no"),
            ({"criterion__gama": 2}, r"criterion__gama=2: criterion='cross_entropy' "
                                        r"\(CrossEntropyLoss\) takes no"),
            ({"criterion__reduction": "sum"}, r"criterion__reduction='sum' cannot "
                                              r"be set: the estimator takes the"),
            ({"iterator_train__shuffle": True}, r"iterator_train__shuffle=True "
                                                r"cannot be set: batch_sampling"),
            ({"iterator_train__num_wokers": 2}, r"iterator_train__num_wokers=2: "
                                                r"BatchLoader takes no parameter"),
            ({"modul__x": 1}, r"unexpected argument\(s\) modul__x"),
            ({"train_split": 1.5}, r"'train_split' parameter"),
        ],
    )  # fmt: skip
    def test_parameters(self, params, match, digits, fast_params):
        X = digits[0].copy()
        clf = CNNClassifier(**{**fast_params, **params})
        expected = vars(CNNClassifier(**{**fast_params, **params}))
        with pytest.raises(ValueError, match=match):
            clf.fit(X, digits[1])
        np.testing.assert_array_equal(X, digits[0])
        assert vars(clf).keys() == expected.keys()

    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"lr_factor": float("nan")}, r"'lr_factor' parameter of fine_tune.*nan"),
            ({"lr_factor": 0}, r"'lr_factor' parameter of fine_tune"),
            ({"max_iter": 0}, r"'max_iter' parameter of fine_tune"),
        ],
    )  # fmt: skip
    def test_fine_tune_arguments(self, kwargs, match, fitted_mlp, digits):
        clf = pickle.loads(pickle.dumps(fitted_mlp))
        before = snapshot(clf)
        with pytest.raises(ValueError, match=match):
            clf.fine_tune(*digits, **kwargs)
        assert_same(before, snapshot(clf))
