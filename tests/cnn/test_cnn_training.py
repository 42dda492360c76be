"""The training machinery of the CNN estimators (``skimbalance.cnn._training``)."""

import math
import pickle
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from skimbalance.cnn._training import (
    Budget,
    LRMultiplier,
    ReportProgress,
    StopOnNonFiniteLoss,
    TensorBatches,
    TrainingData,
    WeightedLossNet,
    schedule_callback,
    stratified_holdout,
)


def indexed_data(n, labels=None, weighted=False):
    """Data whose row i is [i, i] with target labels[i] (default i % 3)."""
    X = torch.arange(n, dtype=torch.float32)[:, None].repeat(1, 2)
    y = torch.as_tensor(np.arange(n) % 3 if labels is None else labels)
    w = torch.arange(n, dtype=torch.float32) if weighted else None
    return TrainingData(X, y, w)


def rows(batch):
    X, _ = batch
    return X[:, 0].long().numpy()


# --------------------------------------------------------------------- budget
def test_budget():
    budget = Budget(10, start=5)
    assert (budget.left, budget.step) == (10, 5)
    budget.done = 4
    assert (budget.left, budget.step) == (6, 9)


# -------------------------------------------------------------- TensorBatches
class TestTensorBatches:
    def test_sequential(self):
        data = indexed_data(10)
        batches = list(TensorBatches(data, 4))
        assert len(TensorBatches(data, 4)) == 3
        assert [len(rows(b)) for b in batches] == [4, 4, 2]
        np.testing.assert_array_equal(
            np.concatenate([rows(b) for b in batches]), np.arange(10)
        )
        for X, y in batches:  # targets stay with their rows
            np.testing.assert_array_equal(y.numpy(), X[:, 0].long().numpy() % 3)

    def test_one_sequential_batch_is_the_data_itself(self):
        data = indexed_data(5)
        ((X, y),) = list(TensorBatches(data, 8))
        assert X is data.X and y is data.y

    def test_weights_follow_their_rows(self):
        data = indexed_data(10, weighted=True)
        for order in ("sequential", "shuffle"):
            batches = TensorBatches(
                data, 3, order=order, random_state=np.random.RandomState(0)
            )
            for X, (y, w) in batches:
                np.testing.assert_array_equal(w.numpy(), X[:, 0].numpy())
                np.testing.assert_array_equal(y.numpy(), X[:, 0].long().numpy() % 3)

    def test_shuffle_is_a_permutation_per_epoch(self):
        data = indexed_data(23)
        batches = TensorBatches(
            data, 5, order="shuffle", random_state=np.random.RandomState(0)
        )
        epochs = [np.concatenate([rows(b) for b in batches]) for _ in range(3)]
        for epoch in epochs:
            np.testing.assert_array_equal(np.sort(epoch), np.arange(23))
        assert not np.array_equal(epochs[0], epochs[1])
        again = TensorBatches(
            data, 5, order="shuffle", random_state=np.random.RandomState(0)
        )
        np.testing.assert_array_equal(
            np.concatenate([rows(b) for b in again]), epochs[0]
        )

    def test_budget_cuts_the_last_epoch(self):
        data = indexed_data(10)
        budget = Budget(7)
        batches = TensorBatches(
            data,
            3,
            order="shuffle",
            random_state=np.random.RandomState(0),
            budget=budget,
        )
        assert len(batches) == 4
        assert len(list(batches)) == 4 and budget.done == 4
        assert len(batches) == 3
        assert len(list(batches)) == 3 and budget.done == 7
        assert len(batches) == 0 and list(batches) == []
        assert budget.done == 7

    def test_class_aware_batches_are_balanced(self):
        labels = np.repeat([0, 1, 2], [90, 9, 1])
        data = indexed_data(100, labels=labels)
        batches = TensorBatches(
            data,
            10,
            order="class_aware",
            random_state=np.random.RandomState(0),
            labels=labels,
        )
        per_batch = np.array(
            [np.bincount(y.numpy(), minlength=3) for _ in range(30) for _, y in batches]
        )
        assert per_batch.shape == (300, 3)
        assert (per_batch.sum(axis=1) == 10).all()
        # Each class is a third of every batch on average (not 90:9:1).
        np.testing.assert_allclose(per_batch.mean(axis=0), 10 / 3, atol=0.3)
        # The single example of class 2 is drawn again and again.
        assert per_batch[:, 2].sum() > 900

    def test_class_aware_shuffle_keeps_frequencies(self):
        labels = np.repeat([0, 1, 2], [90, 9, 1])
        data = indexed_data(100, labels=labels)
        batches = TensorBatches(
            data, 10, order="shuffle", random_state=np.random.RandomState(0)
        )
        counts = sum(np.bincount(y.numpy(), minlength=3) for _, y in batches)
        np.testing.assert_array_equal(counts, [90, 9, 1])

    def test_class_aware_indices_are_of_the_given_labels(self):
        # Targets and sampler labels agree: a batch's targets are balanced.
        labels = np.array([2] * 50 + [0] * 5 + [1])
        data = indexed_data(56, labels=labels)
        batches = TensorBatches(
            data,
            8,
            order="class_aware",
            random_state=np.random.RandomState(1),
            labels=labels,
        )
        for _ in range(5):
            for X, y in batches:
                np.testing.assert_array_equal(labels[rows((X, y))], y.numpy())
                assert rows((X, y)).max() < 56

    def test_class_aware_is_repeatable(self):
        labels = np.repeat([0, 1], [20, 2])
        data = indexed_data(22, labels=labels)

        def draw(seed):
            batches = TensorBatches(
                data,
                4,
                order="class_aware",
                random_state=np.random.RandomState(seed),
                labels=labels,
            )
            return np.concatenate([rows(b) for _ in range(3) for b in batches])

        np.testing.assert_array_equal(draw(0), draw(0))
        assert not np.array_equal(draw(0), draw(1))

    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 40),
        batch_size=st.integers(1, 12),
        total=st.integers(0, 30),
        order=st.sampled_from(["shuffle", "class_aware"]),
        seed=st.integers(0, 2**31 - 2),
    )
    def test_budget_is_exact(self, n, batch_size, total, order, seed):
        labels = np.arange(n) % 3
        data = indexed_data(n, labels=labels)
        budget = Budget(total)
        batches = TensorBatches(
            data,
            batch_size,
            order=order,
            random_state=np.random.RandomState(seed),
            budget=budget,
            labels=labels,
        )
        n_batches = math.ceil(n / batch_size)
        seen = 0
        for _ in range(math.ceil(total / n_batches) + 2):
            epoch = [rows(b) for b in batches]
            assert len(epoch) == min(n_batches, total - seen)
            assert all(1 <= len(r) <= batch_size for r in epoch)
            if order == "shuffle" and len(epoch) == n_batches:
                np.testing.assert_array_equal(
                    np.sort(np.concatenate(epoch)), np.arange(n)
                )
            seen += len(epoch)
        assert seen == budget.done == total


# --------------------------------------------------------------- LR schedules
class TestLRMultiplier:
    def test_inv(self):
        m = LRMultiplier("inv", max_iter=10_000)
        assert m(0) == 1.0
        assert m(100) == pytest.approx((1 + 1e-4 * 100) ** -0.75, abs=1e-15)
        assert m(10_000) == pytest.approx(0.5946035575013605, abs=1e-15)
        assert LRMultiplier("inv", 10, gamma=1e-2, power=0.5)(100) == pytest.approx(
            2**-0.5
        )

    @pytest.mark.parametrize(
        "t, expected",
        [
            (0, 1),
            (39_999, 1),
            (40_000, 0.1),
            (49_999, 0.1),
            (50_000, 0.01),
            (59_999, 0.01),
            (60_000, 0.001),
            (69_999, 0.001),
            (70_000, 0.001),
        ],
    )
    def test_step_all_cnn_milestones(self, t, expected):
        # All-CNN: x0.1 at 40k, 50k and 60k of 70k iterations.
        assert LRMultiplier("step", max_iter=70_000)(t) == pytest.approx(
            expected, rel=1e-12
        )

    def test_step_small_budget(self):
        m = LRMultiplier("step", max_iter=14)  # milestones 8, 10, 12
        values = [m(t) for t in range(15)]
        np.testing.assert_allclose(
            values, [1] * 8 + [0.1] * 2 + [0.01] * 2 + [0.001] * 3, rtol=1e-12
        )

    @pytest.mark.parametrize(
        "t, expected",
        [(0, 1.0), (80_000, 0.75), (160_000, 0.5), (320_000, 0.0), (400_000, 0.0)],
    )
    def test_linear(self, t, expected):
        assert LRMultiplier("linear", max_iter=320_000)(t) == pytest.approx(expected)

    def test_constant(self):
        m = LRMultiplier("constant", max_iter=10)
        assert [m(t) for t in (0, 5, 10, 100)] == [1.0] * 4

    @pytest.mark.parametrize("schedule", ["inv", "step", "linear", "constant"])
    def test_start_continues_the_schedule(self, schedule):
        whole = LRMultiplier(schedule, max_iter=70)
        later = LRMultiplier(schedule, max_iter=70, start=30)
        for t in range(0, 45, 3):
            assert later(t) == whole(30 + t)

    @pytest.mark.parametrize("schedule", ["inv", "step", "linear"])
    def test_picklable(self, schedule):
        m = LRMultiplier(schedule, max_iter=70, start=3)
        loaded = pickle.loads(pickle.dumps(m))
        assert [loaded(t) for t in range(70)] == [m(t) for t in range(70)]

    def test_schedule_callback_steps_every_batch(self):
        callback = schedule_callback("step", 14, 0)
        assert callback.step_every == "batch"
        assert isinstance(callback.lr_lambda, LRMultiplier)
        assert callback.lr_lambda.max_iter == 14


# ------------------------------------------------------------ holdout
class TestStratifiedHoldout:
    def test_fraction_of_each_class(self):
        y = np.repeat([0, 1, 2, 3], [40, 10, 3, 1])
        train, valid = stratified_holdout(y, 0.5, np.random.RandomState(0))
        np.testing.assert_array_equal(np.bincount(y[valid], minlength=4), [20, 5, 1, 0])
        np.testing.assert_array_equal(np.bincount(y[train], minlength=4), [20, 5, 2, 1])
        assert np.all(np.diff(train) > 0) and np.all(np.diff(valid) > 0)

    def test_repeatable(self):
        y = np.arange(50) % 4
        a = stratified_holdout(y, 0.3, np.random.RandomState(1))
        b = stratified_holdout(y, 0.3, np.random.RandomState(1))
        c = stratified_holdout(y, 0.3, np.random.RandomState(2))
        for x, z in zip(a, b):
            np.testing.assert_array_equal(x, z)
        assert not np.array_equal(a[1], c[1])

    @settings(max_examples=80, deadline=None)
    @given(
        counts=st.lists(st.integers(1, 30), min_size=1, max_size=6),
        fraction=st.floats(0.01, 0.99),
        seed=st.integers(0, 1000),
    )
    def test_partition_keeps_every_class(self, counts, fraction, seed):
        y = np.random.RandomState(seed).permutation(
            np.repeat(np.arange(len(counts)), counts)
        )
        train, valid = stratified_holdout(y, fraction, np.random.RandomState(seed))
        np.testing.assert_array_equal(
            np.sort(np.concatenate([train, valid])), np.arange(len(y))
        )
        n_train = np.bincount(y[train], minlength=len(counts))
        n_valid = np.bincount(y[valid], minlength=len(counts))
        assert (n_train >= 1).all()
        expected = [min(int(fraction * c), c - 1) for c in counts]
        np.testing.assert_array_equal(n_valid, expected)


# ------------------------------------------------------------ loss and hooks
@pytest.fixture(scope="module")
def loss_net():
    return WeightedLossNet(
        module=torch.nn.Linear(2, 3),
        criterion=torch.nn.CrossEntropyLoss(reduction="none"),
        device="cpu",
    ).initialize()


class TestWeightedLossNet:
    def test_weights(self, loss_net):
        net = loss_net
        gen = torch.Generator().manual_seed(0)
        y_pred = torch.randn(7, 3, generator=gen)
        y = torch.tensor([0, 1, 2, 0, 1, 2, 0])
        plain = net.get_loss(y_pred, y)
        per_example = torch.nn.functional.cross_entropy(y_pred, y, reduction="none")
        assert torch.equal(plain, per_example.mean())
        assert torch.equal(net.get_loss(y_pred, (y, torch.ones(7))), plain)
        w = torch.linspace(0, 2, 7)
        assert torch.equal(net.get_loss(y_pred, (y, w)), (per_example * w).mean())
        assert net.get_loss(y_pred, [y, torch.zeros(7)]).item() == 0.0


class TestCallbacks:
    def test_stop_on_nan_or_inf(self):
        budget = Budget(10, start=3)
        budget.done = 2
        stop = StopOnNonFiniteLoss(budget, lr=0.5)
        stop.on_batch_end(None, training=True, loss=torch.tensor(1.0))
        stop.on_batch_end(None, training=False, loss=torch.tensor(float("nan")))
        for bad in (float("nan"), float("inf")):
            with pytest.raises(
                FloatingPointError,
                match=r"iteration 5.*lower learning rate.*lr=0.5.*0.05",
            ):
                stop.on_batch_end(None, training=True, loss=torch.tensor(bad))

    def test_report_progress(self):
        seen = []
        net = SimpleNamespace(criterion_=SimpleNamespace(set_progress=seen.append))
        budget = Budget(10, start=10)
        report = ReportProgress(budget, total=20)
        budget.done = 5
        report.on_batch_end(net, training=True)
        report.on_batch_end(net, training=False)
        budget.done = 10
        report.on_batch_end(net, training=True)
        assert seen == [0.75, 1.0]
        # A criterion without set_progress is left alone.
        report.on_batch_end(
            SimpleNamespace(criterion_=torch.nn.CrossEntropyLoss()), training=True
        )
