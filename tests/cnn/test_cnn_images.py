"""CNNClassifier on real images: integer dtypes, channels-last, lazy arrays and
files, augmentation, normalisation, optimizers, precision."""

import numpy as np
import pytest
import torch
from PIL import Image

from skimbalance.cnn import CNNClassifier, PadCropFlip, _data
from skimbalance.datasets import ImageArray, load_image_folder
from skimbalance.metrics import multiclass_roc_auc_score

FAST_CONV = {"module": "lenet5", "max_iter": 30, "batch_size": 32, "lr": 0.01,
             "device": "cpu", "random_state": 0}  # fmt: skip


@pytest.fixture(scope="module")
def rgb_images():
    """300 uint8 RGB images 16x16 of 3 classes told apart by their colour."""
    rng = np.random.default_rng(0)
    y = np.arange(300) % 3
    X = rng.integers(0, 120, size=(300, 3, 16, 16), dtype=np.uint8)
    X[np.arange(300), y] += 120  # the class's channel is brighter
    return X, y


def weights(clf):
    return [p.detach().clone() for p in clf.module_.parameters()]


def same(a, b):
    return all(torch.equal(x, y) for x, y in zip(a, b))


class TestIntegerImages:
    def test_uint8_pixels_are_scaled_and_learn(self, rgb_images):
        X, y = rgb_images
        clf = CNNClassifier(**FAST_CONV).fit(X, y)
        assert multiclass_roc_auc_score(y, clf.predict_proba(X)) > 0.95
        scaled = CNNClassifier(**FAST_CONV).fit(X.astype(np.float32) / 255, y)
        np.testing.assert_allclose(
            clf.predict_proba(X), scaled.predict_proba(X / 255), atol=1e-5
        )

    def test_uint8_is_not_copied_or_converted(self, rgb_images, monkeypatch):
        X, y = rgb_images
        shared = []
        original = _data.ImageDataset.place

        def record(self, device, *, workers):
            original(self, device, workers=workers)
            shared.append(self.source.data_ptr() == X.ctypes.data)
            return self

        monkeypatch.setattr(_data.ImageDataset, "place", record)
        CNNClassifier(**{**FAST_CONV, "max_iter": 2}).fit(X, y).predict_proba(X)
        assert shared == [True, True]  # fit and predict read X itself

    def test_uint16(self, rgb_images):
        X, y = rgb_images
        clf = CNNClassifier(**FAST_CONV).fit(X.astype(np.uint16) * 257, y)
        reference = CNNClassifier(**FAST_CONV).fit(X, y)
        np.testing.assert_allclose(
            clf.predict_proba(X.astype(np.uint16) * 257), reference.predict_proba(X),
            atol=1e-5,
        )  # fmt: skip

    def test_caller_arrays_and_memmaps_untouched(self, rgb_images, tmp_path):
        X, y = rgb_images
        np.save(tmp_path / "X.npy", X)
        before = (tmp_path / "X.npy").read_bytes()
        mm = np.load(tmp_path / "X.npy", mmap_mode="r")
        clf = CNNClassifier(**{**FAST_CONV, "max_iter": 3}, augment="pad_crop_flip")
        clf.set_params(normalize="auto").fit(mm, y).predict(mm)
        assert (tmp_path / "X.npy").read_bytes() == before
        np.testing.assert_array_equal(mm, X)


class TestChannelsLast:
    def test_recognised_and_gives_the_same_model(self, rgb_images):
        X, y = rgb_images
        nhwc = np.ascontiguousarray(X.transpose(0, 2, 3, 1))
        a = CNNClassifier(**FAST_CONV).fit(X, y)
        b = CNNClassifier(**FAST_CONV).fit(nhwc, y)
        assert b.input_shape_ == (3, 16, 16) and b.module_.conv1.in_channels == 3
        np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(nhwc), atol=1e-5)
        np.testing.assert_allclose(b.predict_proba(X), b.predict_proba(nhwc), atol=1e-6)

    def test_stated_layout(self, rgb_images):
        X, y = rgb_images
        flat_hwc = X.transpose(0, 2, 3, 1).reshape(300, -1)
        clf = CNNClassifier(
            **{**FAST_CONV, "max_iter": 2}, input_shape=(3, 16, 16),
            data_format="channels_last",
        ).fit(flat_hwc, y)  # fmt: skip
        reference = CNNClassifier(**{**FAST_CONV, "max_iter": 2}).fit(X, y)
        np.testing.assert_allclose(
            clf.predict_proba(flat_hwc), reference.predict_proba(X), atol=1e-5
        )

    def test_ambiguous_is_refused_not_misread(self):
        X = np.zeros((6, 4, 9, 3), np.uint8)
        with pytest.raises(ValueError, match=r"\(4, 9, 3\).*data_format="):
            CNNClassifier(**FAST_CONV).fit(X, np.arange(6) % 2)

    def test_other_layout_at_predict(self, rgb_images):
        X, y = rgb_images
        clf = CNNClassifier(**{**FAST_CONV, "max_iter": 1}).fit(X, y)
        with pytest.raises(ValueError, match=r"shape \(3, 8, 32\).*\(3, 16, 16\)"):
            clf.predict(X.reshape(300, 3, 8, 32))


@pytest.fixture(scope="module")
def image_files(tmp_path_factory, rgb_images):
    X, y = rgb_images
    root = tmp_path_factory.mktemp("folder")
    for i, (image, label) in enumerate(zip(X, y)):
        (root / f"c{label}").mkdir(exist_ok=True)
        Image.fromarray(image.transpose(1, 2, 0)).save(
            root / f"c{label}" / f"{i:03d}.png"
        )
    return load_image_folder(root)


class TestLazyImages:
    def test_files_stream_and_equal_the_array(self, image_files):
        bunch = image_files
        X_mem = np.asarray(bunch.data)
        for workers in (0, 2):
            streamed = CNNClassifier(
                **FAST_CONV,
                iterator_train__num_workers=workers,
                iterator_valid__num_workers=workers,
            )
            streamed.fit(bunch.data, bunch.target)
            memory = CNNClassifier(**FAST_CONV).fit(X_mem, bunch.target)
            assert same(weights(streamed), weights(memory))  # same batches, same order
            np.testing.assert_array_equal(
                streamed.predict_proba(bunch.data), memory.predict_proba(X_mem)
            )

    def test_workers_read_whole_batches(self, image_files, tmp_path, monkeypatch):
        """A DataLoader worker reads a batch in one call (``__getitems__`` down
        to the file source), not image by image."""
        from skimbalance.datasets._image_files import FileRows

        log = tmp_path / "reads.txt"
        original = FileRows.read

        def logged(self, rows):
            with open(log, "a") as f:  # the workers are other processes
                f.write(f"{len(rows)}\n")
            return original(self, rows)

        monkeypatch.setattr(FileRows, "read", logged)
        CNNClassifier(**FAST_CONV, iterator_train__num_workers=2).fit(
            image_files.data, image_files.target
        )
        sizes = [int(n) for n in log.read_text().split()]
        assert len(sizes) == 30  # one read a batch: 30 updates
        assert max(sizes) == 32 and min(sizes) > 1

    def test_class_aware_and_validation_stream(self, image_files):
        bunch = image_files
        options = {
            **FAST_CONV,
            "batch_sampling": "class_aware",
            "train_split": 0.2,
        }
        streamed = CNNClassifier(**options).fit(bunch.data, bunch.target)
        memory = CNNClassifier(**options).fit(np.asarray(bunch.data), bunch.target)
        assert same(weights(streamed), weights(memory))
        assert streamed.history[:, "valid_loss"] == pytest.approx(
            memory.history[:, "valid_loss"]
        )

    def test_sample_weight_with_files_and_narrowed_pixels(self, image_files):
        bunch = image_files
        weight = np.where(bunch.target == 0, 3.0, 1.0)
        X_mem = np.asarray(bunch.data)
        memory = CNNClassifier(**FAST_CONV).fit(X_mem, bunch.target, weight)
        streamed = CNNClassifier(**FAST_CONV).fit(bunch.data, bunch.target, weight)
        narrowed = CNNClassifier(**FAST_CONV).fit(
            X_mem.astype(np.int64), bunch.target, weight
        )
        assert same(weights(streamed), weights(memory))
        assert same(weights(narrowed), weights(memory))

    def test_lazy_view_of_an_array(self, rgb_images):
        X, y = rgb_images
        view = ImageArray(X)[::2]
        a = CNNClassifier(**FAST_CONV).fit(view, y[::2])
        b = CNNClassifier(**FAST_CONV).fit(X[::2], y[::2])
        assert same(weights(a), weights(b))

    def test_damaged_file_during_training_names_it(self, tmp_path, rgb_images):
        X, y = rgb_images
        paths = []
        for i in range(40):
            paths.append(tmp_path / f"{i}.png")
            Image.fromarray(X[i].transpose(1, 2, 0)).save(paths[-1])
        lazy = ImageArray.from_files(paths)
        paths[7].write_bytes(paths[7].read_bytes()[:60])
        clf = CNNClassifier(**FAST_CONV)
        with pytest.raises(OSError, match=r"Cannot decode image '.*7\.png'"):
            clf.fit(lazy, y[:40])
        assert not hasattr(clf, "module_")


class TestAugmentNormalize:
    def test_augment_changes_training_only(self, rgb_images):
        X, y = rgb_images
        plain = CNNClassifier(**FAST_CONV).fit(X, y)
        augmented = CNNClassifier(**FAST_CONV, augment="pad_crop_flip").fit(X, y)
        assert not same(weights(plain), weights(augmented))
        np.testing.assert_array_equal(
            augmented.predict_proba(X), augmented.predict_proba(X)
        )  # prediction is not augmented
        again = CNNClassifier(**FAST_CONV, augment=PadCropFlip()).fit(X, y)
        assert same(weights(augmented), weights(again))  # seeded

    def test_per_image_callable(self, rgb_images):
        X, y = rgb_images
        seen = []

        def flip(image):
            seen.append((tuple(image.shape), image.dtype))
            return image.flip(-1)

        CNNClassifier(**{**FAST_CONV, "max_iter": 2}, augment=flip).fit(X, y)
        assert seen == [((3, 16, 16), torch.uint8)] * 64

    def test_normalize_auto_is_the_training_statistics(self, rgb_images):
        X, y = rgb_images
        clf = CNNClassifier(**{**FAST_CONV, "max_iter": 1}, normalize="auto").fit(X, y)
        scaled = X / 255.0
        np.testing.assert_allclose(clf.normalize_mean_, scaled.mean(axis=(0, 2, 3)))
        np.testing.assert_allclose(clf.normalize_std_, scaled.std(axis=(0, 2, 3)))

    def test_normalize_given_and_imagenet(self, rgb_images):
        X, y = rgb_images
        params = {**FAST_CONV, "max_iter": 1}
        clf = CNNClassifier(**params, normalize=([0.5] * 3, 0.25)).fit(X, y)
        assert clf.normalize_std_.tolist() == [0.25] * 3
        clf = CNNClassifier(**params, normalize="imagenet").fit(X, y)
        assert clf.normalize_mean_.tolist() == [0.485, 0.456, 0.406]

    @pytest.mark.parametrize("bad", [([0.5] * 2, [1] * 2), (0.5, 0.0), (np.nan, 1)])
    def test_bad_normalize(self, rgb_images, bad):
        X, y = rgb_images
        with pytest.raises(ValueError, match=r"normalize must be .*3 channels"):
            CNNClassifier(**FAST_CONV, normalize=bad).fit(X, y)


class TestOptimizerPrecision:
    @pytest.mark.parametrize("optimizer", ["adam", "adamw", torch.optim.RMSprop])
    def test_optimizers(self, rgb_images, optimizer):
        X, y = rgb_images
        clf = CNNClassifier(**{**FAST_CONV, "lr": 1e-3}, optimizer=optimizer).fit(X, y)
        expected = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW}
        assert type(clf.optimizer_) is expected.get(optimizer, optimizer)
        assert clf.optimizer_.param_groups[0]["weight_decay"] == 5e-4
        assert multiclass_roc_auc_score(y, clf.predict_proba(X)) > 0.9

    def test_not_an_optimizer(self, rgb_images):
        X, y = rgb_images
        with pytest.raises(
            ValueError, match=r"optimizer must be .*got optimizer=<class 'int'>"
        ):
            CNNClassifier(**FAST_CONV, optimizer=int).fit(X, y)

    def test_bf16_on_cpu(self, rgb_images):
        X, y = rgb_images
        clf = CNNClassifier(**FAST_CONV, precision="bf16").fit(X, y)
        assert multiclass_roc_auc_score(y, clf.predict_proba(X)) > 0.9

    def test_float16_needs_cuda(self, rgb_images):
        X, y = rgb_images
        clf = CNNClassifier(**FAST_CONV, precision="16")
        with pytest.raises(ValueError, match="precision='16' .*needs a CUDA device"):
            clf.fit(X, y)
        assert not hasattr(clf, "n_features_in_")
