"""A failed or interrupted training call leaves the estimator as it was; bad
input gets an error naming the parameter and the value, before any training."""

import math
import pickle

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError

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


def snapshot(clf):
    """Everything a fit can change: attributes, weights, optimizer, history."""
    state = {k: v for k, v in vars(clf).items() if k != "net_"}
    if hasattr(clf, "net_"):
        net = clf.net_
        state["weights"] = {k: v.clone() for k, v in net.module_.state_dict().items()}
        optimizer = net.optimizer_.state_dict()
        state["optimizer"] = (
            repr(optimizer["param_groups"]),
            {
                (k, n): v.clone()
                for k, s in optimizer["state"].items()
                for n, v in s.items()
            },
        )
        state["history"] = pickle.dumps(net.history)
        state["net"] = id(net)
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
            assert a[key] == b[key], key


@pytest.fixture
def stopper(fast_params):
    StopAt.calls = 0

    def make(**module_params):
        return CNNClassifier(
            **{**fast_params, "module": StopAt, "module_params": module_params},
            random_state=0,
        )

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
        assert all(p.requires_grad for p in clf.net_.module_.parameters())

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
        assert not hasattr(unfitted, "net_")


# ------------------------------------------------------------- load_weights
@pytest.fixture(scope="module")
def saved(tmp_path_factory, digits):
    X, y = digits
    path = tmp_path_factory.mktemp("weights") / "mlp.pt"
    params = {"module": "mlp", "max_iter": 5, "device": "cpu", "random_state": 0,
              "module_params": {"hidden_layer_sizes": (16,)}}  # fmt: skip
    clf = CNNClassifier(**params, normalize="auto").fit(X, y)
    clf.save_weights(path)
    return path, params, clf


class TestLoadWeights:
    def test_round_trip_predicts_the_same(self, saved, digits):
        path, params, clf = saved
        loaded = CNNClassifier(**params, normalize="auto").load_weights(path)
        np.testing.assert_array_equal(
            loaded.predict_proba(digits[0]), clf.predict_proba(digits[0])
        )

    @pytest.mark.parametrize(
        "damage, match",
        [
            (lambda p: p.write_bytes(p.read_bytes()[:200]), "not a file written by"),
            (lambda p: p.write_text("hello"), "not a file written by save_weights"),
            (lambda p: torch.save({"state_dict": {}}, p), r"lacks \['classes'"),
        ],
        ids=["truncated", "text", "other-dict"],
    )  # fmt: skip
    def test_bad_file_changes_nothing(self, saved, digits, damage, match, tmp_path):
        path, params, clf = saved
        bad = tmp_path / "bad.pt"
        bad.write_bytes(path.read_bytes())
        damage(bad)
        target = CNNClassifier(**params).fit(*digits)
        before = snapshot(target)
        with pytest.raises(ValueError, match=match):
            target.load_weights(bad)
        assert_same(before, snapshot(target))

    def test_other_architecture_changes_nothing(self, saved):
        path, params, _ = saved
        other = LeNet5Classifier(device="cpu")
        with pytest.raises(
            ValueError, match=r"do not fit the network of module='lenet5'"
        ):
            other.load_weights(path)
        assert not hasattr(other, "net_") and not hasattr(other, "classes_")

    def test_conflicting_input_shape(self, saved):
        path, params, _ = saved
        with pytest.raises(
            ValueError, match=r"input_shape=\(1, 1, 64\) conflicts .*\(1, 8, 8\)"
        ):
            CNNClassifier(**params, input_shape=(1, 1, 64)).load_weights(path)

    def test_missing_file(self, tmp_path):
        with pytest.raises(FileNotFoundError):
            CNNClassifier().load_weights(tmp_path / "nope.pt")


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
        clf = CNNClassifier(**{**fast_params, "max_iter": 40}, loss=torch.nn.NLLLoss())
        clf.fit(X, y)
        losses = clf.net_.history[:, "train_loss"]
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
            ({"num_workers": -1}, r"'num_workers' parameter .* range \[0, inf\)"),
            ({"precision": "64"}, r"'precision' parameter"),
            ({"augment": "cutmix"}, r"'augment' parameter"),
            ({"data_format": "NHWC"}, r"'data_format' parameter"),
        ],
    )  # fmt: skip
    def test_parameters(self, params, match, digits, fast_params):
        X = digits[0].copy()
        clf = CNNClassifier(**{**fast_params, **params})
        with pytest.raises(ValueError, match=match):
            clf.fit(X, digits[1])
        np.testing.assert_array_equal(X, digits[0])
        assert not hasattr(clf, "n_features_in_")
