"""CNNClassifier on a CUDA device (skipped where there is none)."""

import pickle

import numpy as np
import pytest
import torch

from skimbalance.cnn import CNNClassifier, LeNet5Classifier
from skimbalance.losses import LDAMLoss


@pytest.fixture(scope="module")
def fitted(digits):
    """LeNet-5 fitted on the GPU, with string labels."""
    X, y = digits
    names = np.array(list("abcdefghij"))[y]
    return CNNClassifier(
        "lenet5", max_iter=20, batch_size=32, device="cuda", random_state=0
    ).fit(X, names)


@pytest.mark.gpu
class TestCUDA:
    pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

    def test_fit_predict(self, fitted, digits):
        X, _ = digits
        assert all(p.is_cuda for p in fitted.module_.parameters())
        proba = fitted.predict_proba(X)
        assert isinstance(proba, np.ndarray)
        assert proba.shape == (len(X), 10) and np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
        pred = fitted.predict(X)
        assert pred.shape == (len(X),)
        assert set(pred) <= set(fitted.classes_)
        np.testing.assert_array_equal(fitted.classes_, list("abcdefghij"))
        assert fitted.n_iter_ == 20

    def test_predicts_like_on_cpu(self, fitted, digits):
        # The same weights on the CPU give (nearly) the same probabilities.
        X, _ = digits
        on_cpu = pickle.loads(pickle.dumps(fitted))
        on_cpu.module_.to("cpu")
        np.testing.assert_allclose(
            on_cpu.predict_proba(X), fitted.predict_proba(X), atol=1e-4
        )

    def test_class_aware_with_validation(self, digits):
        X, y = digits
        clf = CNNClassifier(
            "lenet5",
            max_iter=20,
            batch_size=32,
            device="cuda",
            batch_sampling="class_aware",
            train_split=0.25,
            criterion=LDAMLoss(s=1.0),  # "ldam" (s=30) diverges with LeNet-5
            class_weight="balanced",
            random_state=0,
        ).fit(X, y)
        assert all(p.is_cuda for p in clf.module_.parameters())
        assert clf.criterion_.margins.is_cuda
        assert np.isfinite(clf.history[:, "valid_loss"]).all()
        assert clf.criterion_.progress == pytest.approx(19 / 20)
        proba = clf.predict_proba(X)
        assert proba.shape == (len(X), 10) and np.isfinite(proba).all()

    @pytest.mark.parametrize("loss", ["focal", "class_balanced", "logit_adjusted"])
    def test_losses(self, loss, digits):
        X, y = digits
        clf = CNNClassifier(
            "mlp",
            max_iter=10,
            batch_size=32,
            device="cuda",
            criterion=loss,
            random_state=0,
        ).fit(X, y, sample_weight=np.linspace(0.5, 1.5, len(y)))
        assert np.isfinite(clf.predict_proba(X)).all()

    def test_auto_is_cuda(self, digits):
        X, y = digits
        clf = CNNClassifier("mlp", max_iter=2, device="auto", random_state=0).fit(X, y)
        assert next(clf.module_.parameters()).is_cuda

    def test_global_rng_untouched(self, digits):
        X, y = digits
        cpu_state = torch.get_rng_state()
        cuda_state = torch.cuda.get_rng_state()
        CNNClassifier(
            "mlp",
            module__dropout=0.5,
            max_iter=5,
            device="cuda",
            random_state=0,
        ).fit(X, y)
        assert torch.equal(torch.get_rng_state(), cpu_state)
        assert torch.equal(torch.cuda.get_rng_state(), cuda_state)

    def test_fine_tune_and_continue(self, digits):
        X, y = digits
        clf = LeNet5Classifier(
            max_iter=10, batch_size=32, device="cuda", random_state=0
        ).fit(X, y)
        before = {n: p.detach().clone() for n, p in clf.module_.named_parameters()}
        clf.fine_tune(X, y, max_iter=5)
        for name, p in clf.module_.named_parameters():
            assert torch.equal(p, before[name]) != name.startswith("fc2")
        clf.partial_fit(X, y)
        assert clf.n_iter_ == 10 + 5 + 10

    def test_pickle(self, fitted, digits):
        X, _ = digits
        loaded = pickle.loads(pickle.dumps(fitted))
        np.testing.assert_array_equal(loaded.predict_proba(X), fitted.predict_proba(X))


@pytest.mark.gpu
class TestCUDAImages:
    """Issue 10's paths on a GPU: uint8 uploaded once, mixed precision,
    channels-last memory, files streamed with pinned memory, torchvision/timm."""

    pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

    @pytest.fixture(scope="class")
    def images(self):
        rng = np.random.default_rng(0)
        y = np.arange(256) % 4
        X = rng.integers(0, 100, size=(256, 32, 32, 3), dtype=np.uint8)  # NHWC
        X[np.arange(256), :, :, y % 3] += 120
        return X, y

    def test_uint8_channels_last_on_the_gpu(self, images, monkeypatch):
        from skimbalance.cnn import _data

        placed = []
        original = _data.ImageDataset.place

        def record(self, device, *, workers):
            placed.append(original(self, device, workers=workers))
            return placed[-1]

        monkeypatch.setattr(_data.ImageDataset, "place", record)
        X, y = images
        clf = CNNClassifier("allcnn", max_iter=10, batch_size=64, device="cuda",
                            random_state=0).fit(X, y)  # fmt: skip
        source = placed[0].source
        assert source.is_cuda and source.dtype == torch.uint8
        weight = clf.module_.conv1.weight
        assert weight.is_contiguous(memory_format=torch.channels_last)
        assert np.isfinite(clf.predict_proba(X)).all()

    @pytest.mark.parametrize("precision", ["bf16", "16"])
    def test_mixed_precision(self, images, precision):
        X, y = images
        clf = CNNClassifier("lenet5", max_iter=30, batch_size=64, device="cuda",
                            precision=precision, random_state=0).fit(X, y)  # fmt: skip
        assert np.isfinite(clf.history[:, "train_loss"]).all()
        assert (clf.predict(X) == y).mean() > 0.5

    def test_streamed_files_with_workers(self, images, tmp_path):
        from PIL import Image

        from skimbalance.datasets import ImageArray

        X, y = images
        paths = []
        for i, image in enumerate(X):
            paths.append(tmp_path / f"{i}.png")
            Image.fromarray(image).save(paths[-1])
        lazy = ImageArray.from_files(paths)
        params = {"max_iter": 8, "batch_size": 32, "device": "cuda", "random_state": 0}
        streamed = CNNClassifier("lenet5", iterator_train__num_workers=2, **params).fit(
            lazy, y
        )
        memory = CNNClassifier("lenet5", **params).fit(X, y)
        np.testing.assert_allclose(
            streamed.predict_proba(lazy), memory.predict_proba(X), atol=1e-4
        )

    def test_torchvision_resnet18(self, images):
        torchvision = pytest.importorskip("torchvision")
        X, y = images
        clf = CNNClassifier(
            torchvision.models.resnet18(), normalize="imagenet", max_iter=10,
            batch_size=64, lr=1e-3, optimizer="adamw", device="cuda",
            precision="bf16", random_state=0,
        )  # fmt: skip
        clf.fit(X, y)
        assert clf.module_.fc.out_features == 4
        clf.fine_tune(X, y, max_iter=3)
        assert np.isfinite(clf.predict_proba(X)).all()

    def test_timm_model(self, images):
        timm = pytest.importorskip("timm")
        X, y = images
        clf = CNNClassifier(timm.create_model("resnet18", pretrained=False),
                            max_iter=5, batch_size=64, device="cuda",
                            random_state=0).fit(X, y)  # fmt: skip
        assert clf.predict_proba(X).shape == (256, 4)
