"""The CNN classifiers are skorch nets: each skorch feature, one by one, on the
paper's LeNet-5 and on a torchvision-style module (``conftest.STANDINS``)."""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone, is_classifier
from sklearn.metrics import balanced_accuracy_score
from skorch import NeuralNetClassifier
from skorch.callbacks import (
    Callback,
    Checkpoint,
    EarlyStopping,
    EpochScoring,
    LRScheduler,
    ProgressBar,
)
from skorch.dataset import Dataset, ValidSplit
from skorch.helper import predefined_split

from skimbalance.cnn import CNNClassifier, LeNet5Classifier
from skimbalance.datasets import ImageArray

LETTERS = np.array(list("abcdefghij"))


@pytest.fixture(scope="module", params=["lenet5", "torchvision"])
def case(request, digits, standins):
    """``(make, X, y)``: an estimator factory and string-labelled data for it."""
    X, y = digits
    if request.param == "lenet5":
        X = X.reshape(-1, 1, 8, 8)

        def make(**params):
            base = {"max_iter": 20, "batch_size": 32, "device": "cpu"}
            return LeNet5Classifier(**{**base, "random_state": 0, **params})

    else:
        X = np.repeat((X * 255).astype(np.uint8).reshape(-1, 1, 8, 8), 3, axis=1)

        def make(**params):
            base = {"max_iter": 20, "batch_size": 32, "lr": 0.05, "device": "cpu"}
            return CNNClassifier(
                standins["TinyResNet"], **{**base, "random_state": 0, **params}
            )

    return make, X, LETTERS[y]


class Recorder(Callback):
    """Counts every call skorch makes to a callback."""

    def initialize(self):
        self.calls_ = {}
        return self

    def _count(self, name):
        self.calls_[name] = self.calls_.get(name, 0) + 1

    def on_train_begin(self, net, **kwargs):
        self._count("train_begin")

    def on_epoch_begin(self, net, **kwargs):
        self._count("epoch_begin")

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        self._count("train_batch_begin" if training else "valid_batch_begin")

    def on_grad_computed(self, net, named_parameters, **kwargs):
        self._count("grad")
        assert all(p.grad is not None for _, p in named_parameters)

    def on_batch_end(self, net, batch=None, training=False, **kwargs):
        self._count("train_batch_end" if training else "valid_batch_end")
        assert kwargs["loss"].ndim == 0 and kwargs["y_pred"].ndim == 2

    def on_epoch_end(self, net, **kwargs):
        self._count("epoch_end")

    def on_train_end(self, net, **kwargs):
        self._count("train_end")


def test_is_a_skorch_net_and_a_scikit_learn_classifier(case):
    make, X, y = case
    clf = make()
    assert isinstance(clf, NeuralNetClassifier) and is_classifier(clf)
    params = clone(clf.set_params(module__foo=1)).get_params(deep=False)
    assert params["module__foo"] == 1 and "criterion" in params


def test_a_custom_callback_sees_every_step(case):
    make, X, y = case
    recorder = Recorder()
    clf = make(max_iter=25, train_split=0.2, callbacks=[recorder]).fit(X, y)
    calls = recorder.calls_
    n_epochs = len(clf.history)
    n_valid = sum(clf.history[:, "valid_batch_count"])
    assert calls["train_batch_begin"] == calls["train_batch_end"] == 25
    assert calls["grad"] == 25
    assert calls["valid_batch_begin"] == calls["valid_batch_end"] == n_valid > 0
    assert calls["epoch_begin"] == calls["epoch_end"] == n_epochs
    assert calls["train_begin"] == calls["train_end"] == 1


def test_history_has_skorch_layout_and_best_keys(case):
    make, X, y = case
    clf = make(train_split=0.2).fit(X, y)
    epoch = clf.history[-1]
    for key in ("epoch", "dur", "train_loss", "valid_loss", "valid_acc",
                "train_batch_count", "valid_batch_count"):  # fmt: skip
        assert key in epoch, key
    assert {"train_loss_best", "valid_loss_best", "valid_acc_best"} <= set(
        clf.history[0]
    )
    batch = clf.history[-1, "batches", 0]
    assert {"train_loss", "train_batch_size", "event_lr"} <= set(batch)
    assert all(
        isinstance(v, float) for v in clf.history[:, "batches", :, "train_loss"][0]
    )
    assert clf.n_iter_ == sum(clf.history[:, "train_batch_count"]) == 20


def test_early_stopping_stops_and_keeps_the_model(case):
    make, X, y = case
    stop = EarlyStopping(patience=1, threshold=10.0, threshold_mode="abs")
    clf = make(max_iter=400, train_split=0.2, callbacks=[stop]).fit(X, y)
    assert len(clf.history) == 2  # no epoch improves by 10: stop after two
    assert 0 < clf.n_iter_ < 400
    assert clf.predict(X).shape == (len(X),)  # fitted, not rolled back


def test_checkpoint_and_load_from_it(case, tmp_path):
    make, X, y = case
    checkpoint = Checkpoint(dirname=tmp_path, monitor="valid_loss_best")
    clf = make(train_split=0.2, callbacks=[checkpoint]).fit(X, y)
    best = int(np.argmin(clf.history[:, "valid_loss"]))
    assert clf.history[best, "event_cp"] is True
    loaded = make().load_params(checkpoint=checkpoint)
    assert loaded.n_iter_ == clf.n_iter_  # the history is the last saved one
    # ...and the weights are those of the best epoch: training again to that
    # epoch gives the same network.
    again = make(max_iter=sum(clf.history[: best + 1, "train_batch_count"]))
    again.set_params(train_split=0.2, schedule_length=20).fit(X, y)
    np.testing.assert_allclose(
        loaded.predict_proba(X), again.predict_proba(X), rtol=0, atol=1e-5
    )


def test_lr_scheduler_instead_of_the_paper_schedule(case):
    make, X, y = case
    halve = LRScheduler(torch.optim.lr_scheduler.StepLR, step_size=1, gamma=0.5)
    clf = make(lr=0.04, lr_schedule=None, callbacks=[halve])
    clf.fit(X, y)  # 20 updates: 2 epochs of 10
    assert clf.optimizer_.param_groups[0]["lr"] == pytest.approx(0.01)
    assert "event_lr" not in clf.history[0, "batches", 0]


def test_epoch_scoring_compares_labels_not_positions(case):
    make, X, y = case
    X_valid, y_valid = X[:100], y[:100]
    scores = [
        EpochScoring("balanced_accuracy", lower_is_better=False, name="cached"),
        EpochScoring(
            "balanced_accuracy", lower_is_better=False, name="fresh", use_caching=False
        ),  # fmt: skip
    ]
    clf = make(
        train_split=predefined_split(Dataset(X_valid, y_valid)), callbacks=scores
    ).fit(X[100:], y[100:])
    expected = balanced_accuracy_score(y_valid, clf.predict(X_valid))
    assert clf.history[-1, "cached"] == pytest.approx(expected)
    assert clf.history[-1, "fresh"] == pytest.approx(expected)
    assert clf.history[-1, "valid_acc"] == pytest.approx(clf.score(X_valid, y_valid))


def test_progress_bar(case, capsys):
    make, X, y = case
    make(max_iter=12, callbacks=[ProgressBar()]).fit(X, y)
    assert "it/s" in capsys.readouterr().err


@pytest.mark.parametrize(
    "split", [0.2, ValidSplit(0.2, stratified=True, random_state=0)],
    ids=["fraction", "ValidSplit"],
)  # fmt: skip
def test_train_split(case, split):
    make, X, y = case
    clf = make(max_iter=3, train_split=split).fit(X, y)
    sizes = clf.history[-1, "batches", :, "valid_batch_size"]
    per_class = [int(0.2 * c) for c in np.unique(y, return_counts=True)[1]]
    n_valid = sum(per_class) if split == 0.2 else 60  # ValidSplit rounds overall
    assert sum(sizes) == n_valid
    counts = clf.class_counts_
    assert counts.sum() == len(X) - n_valid and (counts > 0).all()


def test_nested_parameters_through_set_params(case):
    make, X, y = case
    clf = make(max_iter=4).fit(X, y)
    module = clf.module_
    clf.set_params(optimizer__momentum=0.5, iterator_valid__batch_size=7)
    assert clf.module_ is module  # only the optimizer's value changes
    assert {g["momentum"] for g in clf.optimizer_.param_groups} == {0.5}
    assert clf.get_params()["iterator_valid__batch_size"] == 7
    assert clf.get_iterator(clf.get_dataset(X[:20])).batch_sampler.batch_size == 7
    clf.set_params(criterion="focal", criterion__gamma=1.0)  # re-initialised
    assert clf.criterion_.gamma == 1.0
    clf.set_params(lr=0.3)  # skorch's shorthand, on the live optimizer
    assert {g["lr"] for g in clf.optimizer_.param_groups} == {0.3}
    clf.fit(X, y)
    assert clf.optimizer_.param_groups[0]["momentum"] == 0.5


def test_initialize_without_data(case):
    make, X, y = case
    clf = make(classes=LETTERS, input_shape=X.shape[1:]).initialize()
    assert clf.n_iter_ == 0 and clf.predict(X).shape == (len(X),)
    assert set(clf.predict(X)) <= set(LETTERS)
    clf.partial_fit(X, y)  # trains the initialised network
    assert clf.n_iter_ == 10
    with pytest.raises(ValueError, match=r"initialize\(\) needs the input shape"):
        make().initialize()


def test_save_and_load_params_continue_like_the_original(case, tmp_path):
    make, X, y = case
    clf = make().fit(X, y)
    files = {k: tmp_path / k for k in ("f_params", "f_optimizer", "f_history")}
    clf.save_params(**files)
    loaded = make().load_params(**files)
    assert loaded.history == clf.history
    state = loaded.optimizer_.state_dict()["state"]
    assert state and all("momentum_buffer" in s for s in state.values())
    clf.partial_fit(X, y)
    loaded.partial_fit(X, y)  # the momentum goes on: the same updates
    np.testing.assert_allclose(
        loaded.predict_proba(X), clf.predict_proba(X), rtol=0, atol=1e-6
    )


def test_forward_iter_and_predict_on_every_input(case):
    make, X, y = case
    clf = make(max_iter=4).fit(X, y)
    logits = torch.cat(list(clf.forward_iter(X))).numpy()
    expected = clf.predict_proba(X)
    np.testing.assert_allclose(
        np.exp(logits) / np.exp(logits).sum(1, keepdims=True), expected, atol=1e-6
    )
    for other in (torch.from_numpy(X), ImageArray(X), Dataset(X, y)):
        np.testing.assert_allclose(clf.predict_proba(other), expected, atol=1e-6)
    assert list(clf.predict(Dataset(X, y))) == list(clf.predict(X))


def test_compile(case):
    make, X, y = case
    # aot_eager runs dynamo and AOT autograd without compiling kernels (the
    # default backend takes ~20 s on a CPU).
    compiled = make(max_iter=4, compile=True, compile__backend="aot_eager")
    compiled.fit(X, y)
    assert type(compiled.module_).__name__ == "OptimizedModule"
    plain = make(max_iter=4).fit(X, y)
    np.testing.assert_allclose(
        compiled.predict_proba(X), plain.predict_proba(X), atol=1e-4
    )


def test_pickle_holds_the_weights_once(case):
    make, X, y = case
    clf = make().fit(X, y)
    weights = sum(p.numel() * p.element_size() for p in clf.module_.parameters())
    size = len(pickle.dumps(clf))
    # the weights and SGD's momentum buffers, the same size, plus little else
    assert 2 * weights < size < 2 * weights + 150_000
    loaded = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
