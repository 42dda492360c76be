"""The training core of the CNN estimators: the schedule, the batch order, the
loop, the inputs and their batches."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from skimbalance.cnn import CNNClassifier, PadCropFlip
from skimbalance.cnn._batches import (
    BatchLoader,
    BudgetBatchSampler,
    SequentialBatchSampler,
    stratified_holdout,
)
from skimbalance.cnn._data import image_dataset, scale_images
from skimbalance.cnn._loop import Diverged, _check_finite
from skimbalance.cnn._schedule import Schedule, lr_multiplier
from skimbalance.datasets import ImageArray


def event_lrs(clf, epochs=slice(None)):
    """The learning rate of every update recorded in the history, in order."""
    return [lr for epoch in clf.history[epochs] for lr in
            (b["event_lr"] for b in epoch["batches"])]  # fmt: skip


def closed_form(lr, schedule, ts, length):
    return [lr * lr_multiplier(schedule, t, length) for t in ts]


# ------------------------------------------------------------------ schedule
class TestMultiplier:
    def test_inv(self):
        assert lr_multiplier("inv", 0, 10) == 1.0
        assert lr_multiplier("inv", 100, 10) == pytest.approx((1 + 1e-2) ** -0.75)
        assert lr_multiplier("inv", 100, 10, gamma=1e-2, power=0.5) == 2**-0.5

    @pytest.mark.parametrize(
        "t, expected",
        [(0, 1), (39_999, 1), (40_000, 0.1), (49_999, 0.1), (50_000, 0.01),
         (59_999, 0.01), (60_000, 0.001), (70_000, 0.001), (90_000, 0.001)],
    )  # fmt: skip
    def test_step_all_cnn_milestones(self, t, expected):
        assert lr_multiplier("step", t, 70_000) == pytest.approx(expected, rel=1e-12)

    @pytest.mark.parametrize(
        "t, expected", [(0, 1.0), (80_000, 0.75), (320_000, 0.0), (400_000, 0.0)]
    )
    def test_linear(self, t, expected):
        assert lr_multiplier("linear", t, 320_000) == pytest.approx(expected)

    def test_constant_and_unknown(self):
        assert {lr_multiplier("constant", t, 10) for t in (0, 10, 99)} == {1.0}
        with pytest.raises(ValueError, match="Unknown lr_schedule 'cosine'"):
            lr_multiplier("cosine", 0, 10)

    def test_schedule_of_a_call(self):
        schedule = Schedule("step", start=10, length=14, factor=0.5)
        assert [schedule.multiplier(k) for k in range(5)] == pytest.approx(
            [0.005, 0.005, 0.0005, 0.0005, 0.0005]
        )
        assert schedule.progress(3) == 13 / 14 and schedule.progress(9) == 1.0
        assert not schedule.ended() and Schedule("linear", 20, 20).ended()
        assert not Schedule(None, 20, 20).ended()


# ----------------------------- every schedule, every entry point, closed form
SCHEDULE_NAMES = ["inv", "step", "linear", "constant"]


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
class TestScheduleClosedForm:
    """The lr of every update equals lr * multiplier(t, length): ``t`` counts
    from 0 for a new network and continues at ``n_iter_``; ``length`` is the
    ``max_iter`` budget; fine_tune restarts over its own budget."""

    def clf(self, fast_params, schedule, **params):
        return CNNClassifier(
            **{**fast_params, "lr": 0.05, "max_iter": 14, **params},
            lr_schedule=schedule, random_state=0,
        )  # fmt: skip

    def test_fit(self, schedule, digits, fast_params):
        clf = self.clf(fast_params, schedule).fit(*digits)
        assert event_lrs(clf) == pytest.approx(
            closed_form(0.05, schedule, range(14), 14), abs=1e-15
        )
        next_lr = clf.optimizer_.param_groups[0]["lr"]
        assert next_lr == pytest.approx(0.05 * lr_multiplier(schedule, 14, 14))

    def test_warm_start_continues_without_jumping_back(
        self, schedule, digits, fast_params
    ):
        clf = self.clf(fast_params, schedule, warm_start=True, max_iter=10)
        clf.fit(*digits)
        if schedule == "linear":
            with pytest.warns(UserWarning, match="train at learning rate 0"):
                clf.fit(*digits)
        else:
            clf.fit(*digits)
        lrs = event_lrs(clf)
        assert lrs == pytest.approx(
            closed_form(0.05, schedule, range(20), 10), abs=1e-15
        )
        assert all(b <= a + 1e-15 for a, b in zip(lrs, lrs[1:]))  # never back up

    def test_warm_start_equals_one_long_fit_for_inv(
        self, schedule, digits, fast_params
    ):
        if schedule not in ("inv", "constant"):
            pytest.skip("a schedule with an end depends on its length")
        long = self.clf(fast_params, schedule, max_iter=20).fit(*digits)
        warm = self.clf(fast_params, schedule, max_iter=10, warm_start=True)
        warm.fit(*digits)
        warm.fit(*digits)
        assert event_lrs(warm) == pytest.approx(event_lrs(long), abs=1e-15)

    def test_partial_fit(self, schedule, digits, fast_params):
        clf = self.clf(fast_params, schedule, max_iter=25)  # 10 updates a pass
        for _ in range(3):
            clf.partial_fit(*digits)
        assert clf.n_iter_ == 30
        assert event_lrs(clf) == pytest.approx(
            closed_form(0.05, schedule, range(30), 25), abs=1e-15
        )

    def test_fine_tune_restarts_at_lr_times_factor(self, schedule, digits, fast_params):
        clf = self.clf(fast_params, schedule).fit(*digits)
        n_epochs = len(clf.history)
        clf.fine_tune(*digits, lr_factor=0.1, max_iter=7)
        assert event_lrs(clf, slice(n_epochs, None)) == pytest.approx(
            closed_form(0.005, schedule, range(7), 7), abs=1e-15
        )
        assert clf.n_iter_ == 21


# -------------------------------------------------------------- batch order
def draw(n, batch_size, order, n_updates, seed=0, labels=None):
    """Every batch the budget serves, epoch after epoch."""
    labels = np.arange(n) % 3 if labels is None else labels
    sampler = BudgetBatchSampler(
        labels, batch_size=batch_size, n_updates=n_updates, order=order,
        random_state=np.random.RandomState(seed),
    )  # fmt: skip
    batches = []
    while sampler.remaining:
        assert len(sampler) == min(math.ceil(n / batch_size), sampler.remaining)
        batches.extend(np.array(b) for b in sampler)
    return batches


class TestBatchOrder:
    def test_shuffle_is_a_permutation_per_epoch(self):
        batches = draw(23, 5, "shuffle", 15)  # 5 batches an epoch
        epochs = [np.concatenate(batches[i : i + 5]) for i in (0, 5, 10)]
        for epoch in epochs:
            np.testing.assert_array_equal(np.sort(epoch), np.arange(23))
        assert not np.array_equal(epochs[0], epochs[1])
        np.testing.assert_array_equal(
            np.concatenate(draw(23, 5, "shuffle", 5)), epochs[0]
        )

    def test_sequential_batches_are_in_order(self):
        sampler = SequentialBatchSampler(7, batch_size=3)
        assert len(sampler) == 3
        assert list(sampler) == [[0, 1, 2], [3, 4, 5], [6]]

    def test_class_aware_batches_are_balanced(self):
        labels = np.repeat([0, 1, 2], [90, 9, 1])
        batches = draw(100, 10, "class_aware", 300, labels=labels)
        per_batch = np.array([np.bincount(labels[b], minlength=3) for b in batches])
        np.testing.assert_allclose(per_batch.mean(axis=0), 10 / 3, atol=0.3)
        assert (
            per_batch[:, 2].sum() > 900
        )  # the one example of class 2, again and again

    def test_repeatable(self):
        for order in ("shuffle", "class_aware"):
            a, b, c = (
                draw(22, 4, order, 9),
                draw(22, 4, order, 9),
                draw(22, 4, order, 9, 1),
            )
            assert all(np.array_equal(x, y) for x, y in zip(a, b))
            assert not all(np.array_equal(x, y) for x, y in zip(a, c))

    @settings(max_examples=60, deadline=None)
    @given(
        n=st.integers(1, 40), batch_size=st.integers(1, 12), total=st.integers(0, 30),
        order=st.sampled_from(["shuffle", "class_aware"]), seed=st.integers(0, 1000),
    )  # fmt: skip
    def test_budget_is_exact(self, n, batch_size, total, order, seed):
        batches = draw(n, batch_size, order, total, seed)
        assert len(batches) == total
        assert all(1 <= len(b) <= batch_size for b in batches)
        per_epoch = math.ceil(n / batch_size)
        if order == "shuffle" and total >= per_epoch:
            first = np.concatenate(batches[:per_epoch])
            np.testing.assert_array_equal(np.sort(first), np.arange(n))


class TestStratifiedHoldout:
    def test_fraction_of_each_class(self):
        y = np.repeat([0, 1, 2, 3], [40, 10, 3, 1])
        train, valid = stratified_holdout(y, 0.5, np.random.RandomState(0))
        np.testing.assert_array_equal(np.bincount(y[valid], minlength=4), [20, 5, 1, 0])
        np.testing.assert_array_equal(np.bincount(y[train], minlength=4), [20, 5, 2, 1])
        assert np.all(np.diff(train) > 0) and np.all(np.diff(valid) > 0)

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
        assert (np.bincount(y[train], minlength=len(counts)) >= 1).all()
        expected = [min(int(fraction * c), c - 1) for c in counts]
        np.testing.assert_array_equal(
            np.bincount(y[valid], minlength=len(counts)), expected
        )


# -------------------------------------------------------------------- loop
class TestLoop:
    def test_first_non_finite_update_is_named(self):
        _check_finite([({}, torch.tensor(1.0))] * 3, 7)
        losses = [
            ({}, torch.tensor(1.0)),
            ({}, torch.tensor(float("inf"))),
            ({}, torch.tensor(float("nan"))),
        ]
        with pytest.raises(Diverged, match="became inf at update 8") as info:
            _check_finite(losses, 7)
        assert info.value.update == 8

    def test_the_diverging_update_is_named_on_the_cpu(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(**{**fast_params, "lr": 1e6}, random_state=0)
        with pytest.raises(FloatingPointError, match=r"became nan at update \d+;"):
            clf.fit(X * 1e3, y)

    def test_progress_reaches_the_criterion(self, digits, fast_params, monkeypatch):
        seen = []
        from skimbalance.losses import LDAMLoss

        monkeypatch.setattr(LDAMLoss, "set_progress", lambda self, f: seen.append(f))
        CNNClassifier(
            **{**fast_params, "max_iter": 5}, criterion="ldam", random_state=0
        ).fit(*digits)
        assert seen == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8])  # done before each

    def test_history_layout(self, digits, fast_params):
        clf = CNNClassifier(
            **{**fast_params, "max_iter": 15}, train_split=0.2, random_state=0
        ).fit(*digits)
        history = clf.history
        assert history[:, "train_batch_count"] == [8, 7]  # 240 training rows / 32
        assert history[0, "batches", 0, "train_batch_size"] == 32
        assert all(np.isfinite(history[:, "valid_loss"]))
        sizes = history[0, "batches", :, "train_batch_size"]
        losses = history[0, "batches", :, "train_loss"]
        assert history[0, "train_loss"] == pytest.approx(
            np.average(losses, weights=sizes)
        )


# ------------------------------------------------------------------ inputs
def dataset(X, **kwargs):
    return image_dataset(CNNClassifier(), X, reset=True, **kwargs)


class TestInputs:
    @pytest.mark.parametrize(
        "dtype, top", [(np.uint8, 255), (np.uint16, 65535), (np.float32, None)]
    )
    def test_scaling(self, dtype, top):
        X = np.full((2, 1, 2, 2), 51, dtype=dtype)
        x = scale_images(torch.from_numpy(X))
        assert x.dtype == torch.float32
        assert float(x[0, 0, 0, 0]) == pytest.approx(51 / top if top else 51.0)

    def test_float_batches_are_not_written(self, digits, fast_params):
        X, y = digits
        clf = CNNClassifier(
            **fast_params, normalize=([0.5], [2.0]), augment="pad_crop_flip",
            input_shape=(1, 8, 8), random_state=0,
        ).fit(X, y)  # fmt: skip
        batch = X[:5].reshape(5, 1, 8, 8).copy()
        clf.module_.train()
        clf.infer(torch.from_numpy(batch))
        np.testing.assert_array_equal(batch, X[:5].reshape(5, 1, 8, 8))

    def test_channels_last_is_transposed_per_batch(self):
        X = np.arange(2 * 6 * 5 * 3, dtype=np.uint8).reshape(2, 6, 5, 3)
        data = dataset(X)
        assert data.input_shape == (3, 6, 5) and data.channels_last
        images, labels = data.__getitems__([1, 0])
        np.testing.assert_array_equal(images.numpy(), X[[1, 0]].transpose(0, 3, 1, 2))
        assert labels is None

    def test_array_is_shared_not_copied(self):
        X = np.arange(40, dtype=np.uint8).reshape(10, 4)
        data = dataset(X, labels=np.arange(10) % 2).place(
            torch.device("cpu"), workers=0
        )
        assert data.source.data_ptr() == X.ctypes.data
        images, labels = data.__getitems__([7, 2])
        np.testing.assert_array_equal(images.reshape(2, 4).numpy(), X[[7, 2]])
        assert images.dtype == torch.uint8 and labels.tolist() == [1, 0]

    def test_weights_come_with_the_batch(self):
        X = np.zeros((4, 1, 2, 2), np.float32)
        data = dataset(X, labels=np.array(list("abab")), weights=np.arange(4.0))
        batch, labels = data.__getitems__([3, 0])
        assert labels.tolist() == ["b", "a"]
        assert batch["X"].shape == (2, 1, 2, 2)
        assert batch["sample_weight"].tolist() == [3.0, 0.0]

    def test_rows_of_a_lazy_view_and_a_subset(self):
        X = np.arange(40, dtype=np.uint8).reshape(10, 1, 2, 2)
        data = dataset(ImageArray(X)[[9, 9, 0, 4]], labels=np.arange(4))
        assert data.source is X and len(data) == 4
        images, _ = data.__getitems__([0, 1, 2])
        np.testing.assert_array_equal(images.numpy(), X[[9, 9, 0]])
        part = data.subset([3, 1])
        images, labels = part.__getitems__([0, 1])
        np.testing.assert_array_equal(images.numpy(), X[[4, 9]])
        assert labels.tolist() == [3, 1] and part.y.tolist() == [3, 1]

    @pytest.mark.parametrize("num_workers", [0, 2])
    def test_decoded_batches_equal_the_array(self, tmp_path, num_workers):
        from PIL import Image

        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (7, 3, 4, 5), dtype=np.uint8)
        paths = []
        for i, image in enumerate(images):
            paths.append(tmp_path / f"{i}.png")
            Image.fromarray(image.transpose(1, 2, 0)).save(paths[-1])
        data = dataset(ImageArray.from_files(paths), labels=np.arange(7))
        order = [[6, 0, 0], [3], [1, 2, 4, 5]]
        loader = BatchLoader(
            data, batch_sampler=order, collate_fn=lambda b: b, num_workers=num_workers
        )
        for (raw, labels), index in zip(loader, order):
            np.testing.assert_array_equal(raw.numpy(), images[index])
            assert labels.tolist() == index


def test_pad_crop_flip_moves_and_mirrors_each_image_on_its_own():
    images = torch.arange(6 * 8 * 8, dtype=torch.uint8).reshape(6, 1, 8, 8)
    out = PadCropFlip(padding=2)(images, torch.Generator().manual_seed(3))
    assert out.shape == images.shape and out.dtype == torch.uint8
    for original, augmented in zip(images[:, 0], out[:, 0]):
        found = False
        for image in (original, original.flip(1)):
            padded = torch.nn.functional.pad(image, (2, 2, 2, 2))
            found |= any(
                torch.equal(padded[dy : dy + 8, dx : dx + 8], augmented)
                for dy in range(5) for dx in range(5)
            )  # fmt: skip
        assert found
    assert len({bytes(o.flatten().tolist()) for o in out}) > 1  # not one shared draw
    again = PadCropFlip(padding=2)(images, torch.Generator().manual_seed(3))
    assert torch.equal(out, again)


@pytest.mark.parametrize("schedule", SCHEDULE_NAMES)
def test_chunks_under_one_schedule_length(schedule, digits, fast_params):
    """Warm-start fits of 5 updates with schedule_length=20 get the rates of
    one fit of 20 (what the study does to record learning curves)."""
    params = {**fast_params, "lr": 0.05, "lr_schedule": schedule, "random_state": 0}
    chunked = CNNClassifier(
        **{**params, "max_iter": 5}, schedule_length=20, warm_start=True
    )
    for _ in range(4):
        chunked.fit(*digits)
    whole = CNNClassifier(**{**params, "max_iter": 20}).fit(*digits)
    assert event_lrs(chunked) == pytest.approx(event_lrs(whole), abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    epochs=st.lists(
        st.lists(
            st.fixed_dictionaries(
                {}, optional={"a": st.integers(), "b": st.integers()}
            ),
            max_size=4,
        ),
        min_size=1, max_size=4,
    ),
    epoch=st.integers(-4, 3),
    key=st.sampled_from(["a", "b", ["a", "b"], ("b",)]),
    batch=st.sampled_from([0, -1, slice(None), slice(1, None)]),
    level=st.sampled_from(["epoch", "batches"]),
)  # fmt: skip
def test_history_answers_as_skorchs(epochs, epoch, key, batch, level):
    """The fast History gives skorch's answer, or skorch's error, for any index."""
    from skorch.history import History as SkorchHistory

    from skimbalance.cnn._history import History

    rows = [{"batches": b, **({"a": len(b)} if len(b) % 2 else {})} for b in epochs]
    index = (epoch, key) if level == "epoch" else (epoch, "batches", batch, key)

    def answer(history):
        try:
            return ("value", history[index])
        except (KeyError, IndexError, TypeError) as exc:
            return ("error", type(exc))

    assert answer(History(rows)) == answer(SkorchHistory(rows))
