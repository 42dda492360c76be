"""Global contrast normalisation and ZCA whitening (CIFAR-10 preprocessing)."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline

from skimbalance.cnn import CNNClassifier
from skimbalance.datasets import ImageArray
from skimbalance.preprocessing import GlobalContrastNormalizer, ZCAWhitener, _base
from skimbalance.sampling import RatioOverSampler


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(300, 3, 4, 4), dtype=np.uint8)


def test_contrast_normalisation_per_image(images):
    out = GlobalContrastNormalizer(scale=2.0, sqrt_bias=0.0).fit_transform(images)
    assert out.shape == images.shape and out.dtype == np.float32
    flat = out.reshape(len(out), -1)
    np.testing.assert_allclose(flat.mean(1), 0, atol=1e-5)
    np.testing.assert_allclose(flat.std(1), 2.0, rtol=1e-5)
    x = images[7].astype(float).ravel()
    expected = 55 * (x - x.mean()) / np.sqrt(10 + x.var())
    np.testing.assert_allclose(
        GlobalContrastNormalizer().fit_transform(images)[7].ravel(), expected, rtol=1e-5
    )


def test_zca_whitens_and_matches_the_formula(images):
    X = images.reshape(300, -1)[:, :10].astype(float)
    zca = ZCAWhitener(epsilon=1e-3).fit(X)
    cov = np.cov(X, rowvar=False)
    values, vectors = np.linalg.eigh(cov)
    W = vectors @ np.diag(1 / np.sqrt(values + 1e-3)) @ vectors.T
    np.testing.assert_allclose(zca.whitening_, W, rtol=1e-6, atol=1e-9)
    whitened = zca.transform(X)
    np.testing.assert_allclose(np.cov(whitened, rowvar=False), np.eye(10), atol=0.01)
    np.testing.assert_allclose(whitened, (X - X.mean(0)) @ W, rtol=1e-4, atol=1e-4)


def test_chunks_give_the_whole_result(images, monkeypatch):
    whole_gcn = GlobalContrastNormalizer().fit_transform(images)
    whole_zca = ZCAWhitener().fit(images).transform(images)
    monkeypatch.setattr(_base, "CHUNK", 7)
    np.testing.assert_allclose(
        GlobalContrastNormalizer().fit_transform(images), whole_gcn
    )
    np.testing.assert_allclose(ZCAWhitener().fit(images).transform(images), whole_zca,
                               rtol=1e-4, atol=1e-4)  # fmt: skip


def test_lazy_arrays_and_a_pipeline(images):
    lazy = ImageArray(images)[::2]
    out = GlobalContrastNormalizer().fit_transform(lazy)
    np.testing.assert_allclose(
        out, GlobalContrastNormalizer().fit_transform(images[::2])
    )
    y = np.arange(150) % 3
    model = make_pipeline(
        GlobalContrastNormalizer(), ZCAWhitener(), RatioOverSampler(random_state=0),
        CNNClassifier("mlp", max_iter=3, device="cpu", random_state=0),
    ).fit(lazy, y)  # fmt: skip
    assert model.predict_proba(lazy).shape == (150, 3)
    assert model[-1].input_shape_ == (3, 4, 4)


def test_errors(images):
    with pytest.raises(ValueError, match=r"at least 2 samples .*n_samples=1"):
        ZCAWhitener().fit(images[:1])
    zca = ZCAWhitener().fit(images)
    with pytest.raises(
        ValueError, match=r"X has 18 features, but ZCAWhitener is expecting 48"
    ):
        zca.transform(images[:, :, :2, :3])
    with pytest.raises(ValueError, match=r"'epsilon' parameter .*Got -1"):
        ZCAWhitener(epsilon=-1).fit(images)
