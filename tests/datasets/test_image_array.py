"""ImageArray: lazy views, materialising, pickling by reference, sklearn/imblearn."""

import pickle

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from PIL import Image
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import (
    GridSearchCV,
    StratifiedKFold,
    cross_validate,
    train_test_split,
)

from skimbalance.datasets import ImageArray
from skimbalance.sampling import RatioOverSampler, StepImbalanceSampler


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(12, 3, 5, 6), dtype=np.uint8)


@pytest.fixture
def png_files(tmp_path, images):
    paths = []
    for i, image in enumerate(images):
        path = tmp_path / f"{i:02d}.png"
        Image.fromarray(image.transpose(1, 2, 0)).save(path)
        paths.append(path)
    return paths


class RecordingClassifier(ClassifierMixin, BaseEstimator):
    """Predicts the majority class; records the type of every X it sees."""

    seen = []

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def fit(self, X, y):
        self.seen.append(type(X))
        self.classes_, counts = np.unique(y, return_counts=True)
        self.majority_ = self.classes_[np.argmax(counts)]
        return self

    def predict(self, X):
        self.seen.append(type(X))
        return np.full(len(X), self.majority_)


# ------------------------------------------------------------------ arrays
class TestWrappedArray:
    def test_shape_dtype_and_values(self, images):
        X = ImageArray(images)
        assert (X.shape, X.dtype, X.ndim, len(X)) == (images.shape, np.uint8, 4, 12)
        np.testing.assert_array_equal(np.asarray(X), images)
        assert X.nbytes == images.nbytes

    def test_channels_last_is_seen_channels_first(self, images):
        X = ImageArray(np.ascontiguousarray(images.transpose(0, 2, 3, 1)))
        assert X.shape == (12, 3, 5, 6)
        np.testing.assert_array_equal(np.asarray(X), images)

    def test_ambiguous_layout_needs_data_format(self):
        array = np.zeros((2, 3, 7, 3), np.uint8)
        with pytest.raises(ValueError, match=r"\(3, 7, 3\).*data_format="):
            ImageArray(array)
        assert ImageArray(np.zeros((2, 3, 4, 4))).shape == (2, 3, 4, 4)  # square
        assert ImageArray(np.zeros((2, 4, 4, 3))).shape == (2, 3, 4, 4)
        assert ImageArray(array, data_format="channels_last").shape == (2, 3, 3, 7)
        assert ImageArray(array, data_format="channels_first").shape == (2, 3, 7, 3)

    @pytest.mark.parametrize(
        "bad, error, match",
        [
            (np.zeros((2, 8, 8), np.uint8), ValueError, r"shape \(n, C, H, W\)"),
            ([[1, 2]], TypeError, "NumPy array"),
            (np.array([["a"]] * 2).reshape(2, 1, 1, 1), ValueError, "numeric"),
        ],
    )
    def test_bad_arrays(self, bad, error, match):
        with pytest.raises(error, match=match):
            ImageArray(bad)

    def test_bad_data_format(self, images):
        with pytest.raises(ValueError, match="data_format=.*'NHWC'"):
            ImageArray(images, data_format="NHWC")

    def test_caller_array_never_written(self, images):
        before = images.copy()
        X = ImageArray(images)
        batch = np.asarray(X[[0, 1]])
        batch[:] = 0
        X[0][:] = 0
        np.testing.assert_array_equal(images, before)


# ---------------------------------------------------------------- indexing
class TestIndexing:
    def test_views_compose(self, images):
        X = ImageArray(images)
        view = X[2:10][[5, 0, 0]][np.array([True, False, True])]
        assert isinstance(view, ImageArray)
        assert view.indices.tolist() == [7, 2]
        np.testing.assert_array_equal(np.asarray(view), images[[7, 2]])

    @pytest.mark.parametrize(
        "key",
        [
            slice(None, None, -2),
            [3, 3, 1],
            np.array([-1, 0]),
            np.arange(12) % 3 == 0,
            (slice(2, 5), Ellipsis),
            np.array([], dtype=int),
        ],
        ids=["step", "repeats", "negative", "mask", "ellipsis", "empty"],
    )
    def test_like_numpy(self, images, key):
        view = ImageArray(images)[key]
        assert isinstance(view, ImageArray)
        np.testing.assert_array_equal(np.asarray(view), images[key])

    def test_int_gives_the_image(self, images):
        X = ImageArray(images)
        np.testing.assert_array_equal(X[-1], images[-1])
        np.testing.assert_array_equal(X[np.int64(3)], images[3])
        np.testing.assert_array_equal(X[4, 1], images[4, 1])
        assert [im.shape for im in X][:2] == [(3, 5, 6)] * 2

    @pytest.mark.parametrize(
        "key, match",
        [
            (12, "index 12 is out of range for an ImageArray of 12"),
            (-13, "index -13 is out of range"),
            ([0, 40], "index 40 is out of range"),
            (np.ones(5, dtype=bool), r"boolean index of shape \(5,\)"),
            (np.array([0.5]), "int, slice, int array or bool mask"),
            (np.zeros((2, 2), int), "1-D"),
        ],
    )
    def test_bad_index(self, images, key, match):
        with pytest.raises(IndexError, match=match):
            ImageArray(images)[key]

    def test_copy_false_refused(self, images):
        with pytest.raises(ValueError, match="without a copy"):
            np.asarray(ImageArray(images), copy=False)

    def test_dtype_conversion(self, images):
        out = np.asarray(ImageArray(images)[:2], dtype=np.float32)
        assert out.dtype == np.float32
        np.testing.assert_array_equal(out, images[:2])


# ----------------------------------------------------------------- pickling
class TestPickle:
    def test_memmap_pickles_by_file_name(self, images, tmp_path):
        path = tmp_path / "images.npy"
        np.save(path, np.repeat(images, 100, axis=0))  # 108 kB of pixels
        X = ImageArray(np.load(path, mmap_mode="r"))[[5, 1000, 7]]
        data = pickle.dumps(X)
        assert len(data) < 1000
        back = pickle.loads(data)
        np.testing.assert_array_equal(np.asarray(back), np.asarray(X))
        assert "memmap" in repr(back)

    def test_view_of_a_memmap_pickles_its_pixels(self, images, tmp_path):
        path = tmp_path / "images.npy"
        np.save(path, images)
        X = ImageArray(np.load(path, mmap_mode="r")[::2])  # a view: not reopenable
        np.testing.assert_array_equal(
            np.asarray(pickle.loads(pickle.dumps(X))), images[::2]
        )

    def test_files_pickle_by_name(self, png_files, images):
        X = ImageArray.from_files(png_files)[[11, 0, 0]]
        data = pickle.dumps(X)
        assert len(data) < 600  # names and rows, no pixels (3 x 90 bytes of them)
        np.testing.assert_array_equal(
            np.asarray(pickle.loads(data)), images[[11, 0, 0]]
        )

    def test_a_view_sends_only_its_own_rows(self, png_files, images, tmp_path):
        others = [
            tmp_path / f"other-{i:05d}-{i * 7919 % 10007}.png" for i in range(6000)
        ]
        many = ImageArray.from_files(png_files + others, check_files=False)
        few = many[[11, 3, 3]]
        assert len(pickle.dumps(few)) < len(pickle.dumps(many)) / 20
        np.testing.assert_array_equal(np.asarray(pickle.loads(pickle.dumps(few))),
                                      images[[11, 3, 3]])  # fmt: skip
        big = np.repeat(images, 100, axis=0)
        view = ImageArray(big)[[7, 7, 1000]]
        assert len(pickle.dumps(view)) < 3 * images[0].nbytes + 500
        np.testing.assert_array_equal(np.asarray(pickle.loads(pickle.dumps(view))),
                                      big[[7, 7, 1000]])  # fmt: skip

    def test_in_memory_array_round_trips(self, images):
        back = pickle.loads(pickle.dumps(ImageArray(images)[3:]))
        np.testing.assert_array_equal(np.asarray(back), images[3:])


# -------------------------------------------------------------------- files
class TestFiles:
    def test_decoded_on_access(self, png_files, images):
        X = ImageArray.from_files(png_files)
        assert X.shape == images.shape and X.dtype == np.uint8
        np.testing.assert_array_equal(np.asarray(X[::3]), images[::3])
        assert X[[1, 2]].filenames.tolist() == [str(p) for p in png_files[1:3]]
        assert X.describe_row(4) == f"'{png_files[4]}'"

    @pytest.mark.parametrize(
        "mode, channels, dtype", [("L", 1, np.uint8), ("RGBA", 4, np.uint8)]
    )
    def test_modes(self, png_files, mode, channels, dtype):
        X = ImageArray.from_files(png_files, mode=mode)
        assert X.shape[1] == channels and np.asarray(X).dtype == dtype

    def test_16_bit_grey_scale(self, tmp_path):
        pixels = np.array([[0, 1000], [40000, 65535]], dtype=np.uint16)
        path = tmp_path / "scan.png"
        Image.fromarray(pixels).save(path)
        X = ImageArray.from_files([path], mode="I;16")
        assert X.dtype == np.uint16
        np.testing.assert_array_equal(X[0][0], pixels)

    def test_mixed_sizes_need_image_size(self, png_files, tmp_path):
        odd = tmp_path / "odd.png"
        Image.new("RGB", (9, 4)).save(odd)
        with pytest.raises(
            ValueError, match=r"differ in size.*odd\.png' is 4x9.*image_size="
        ):
            ImageArray.from_files([*png_files, odd])
        X = ImageArray.from_files([*png_files, odd], image_size=(5, 6))
        assert np.asarray(X).shape == (13, 3, 5, 6)

    def test_unchecked_mixed_size_fails_when_decoded(self, png_files, tmp_path):
        odd = tmp_path / "odd.png"
        Image.new("RGB", (9, 4)).save(odd)
        X = ImageArray.from_files([*png_files, odd], check_files=False)
        np.asarray(X[:12])
        with pytest.raises(ValueError, match=r"odd\.png' is 4x9.*not 5x6"):
            X[12]

    def test_image_size_int_is_square(self, png_files):
        assert ImageArray.from_files(png_files, image_size=8).shape == (12, 3, 8, 8)

    def test_not_an_image(self, png_files, tmp_path):
        bad = tmp_path / "notes.png"
        bad.write_text("not an image")
        with pytest.raises(OSError, match=r"Cannot read image '.*notes\.png'"):
            ImageArray.from_files([*png_files, bad])

    def test_damaged_pixels_fail_when_decoded_naming_the_file(self, tmp_path):
        path = tmp_path / "cut.jpg"
        noise = np.random.default_rng(0).integers(0, 256, (64, 64, 3), np.uint8)
        Image.fromarray(noise).save(path, quality=95)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])  # header intact, pixels cut
        X = ImageArray.from_files([path])
        with pytest.raises(OSError, match=r"Cannot decode image '.*cut\.jpg'"):
            np.asarray(X)

    @pytest.mark.parametrize(
        "kwargs, match",
        [
            ({"image_size": 0}, "image_size"),
            ({"image_size": (4, 4, 4)}, "image_size"),
            ({"mode": "CMYK"}, "mode must be one of"),
        ],
    )
    def test_bad_parameters(self, png_files, kwargs, match):
        with pytest.raises(ValueError, match=match):
            ImageArray.from_files(png_files, **kwargs)

    def test_no_files(self):
        with pytest.raises(ValueError, match="at least one image file"):
            ImageArray.from_files([])


# --------------------------------------------------- sklearn and imblearn
@pytest.fixture
def lazy_data(images):
    X = ImageArray(np.repeat(images, 5, axis=0))  # 60 images
    y = np.repeat([0, 1, 1, 2], 15)
    return X, y


class TestStaysLazy:
    def test_train_test_split(self, lazy_data):
        X, y = lazy_data
        X_train, X_test, _, _ = train_test_split(X, y, stratify=y, random_state=0)
        assert isinstance(X_train, ImageArray) and isinstance(X_test, ImageArray)
        assert len(X_train) + len(X_test) == 60

    def test_cross_validate_and_grid_search(self, lazy_data):
        X, y = lazy_data
        RecordingClassifier.seen = []
        cross_validate(RecordingClassifier(), X, y, cv=StratifiedKFold(3))
        GridSearchCV(RecordingClassifier(), {"alpha": [1, 2]}, cv=3).fit(X, y)
        assert set(RecordingClassifier.seen) == {ImageArray}

    def test_imblearn_pipeline_with_our_samplers(self, lazy_data):
        X, y = lazy_data
        RecordingClassifier.seen = []
        model = make_pipeline(
            StepImbalanceSampler(rho=3, mu=0.34, random_state=0),
            RatioOverSampler(random_state=0),
            RecordingClassifier(),
        )
        cross_validate(model, X, y, cv=3)
        assert set(RecordingClassifier.seen) == {ImageArray}

    def test_sampler_returns_a_view_of_sample_indices(self, lazy_data):
        X, y = lazy_data
        sampler = RatioOverSampler(random_state=0)
        X_res, y_res = sampler.fit_resample(X, y)
        assert isinstance(X_res, ImageArray)
        np.testing.assert_array_equal(X_res.indices, X.indices[sampler.sample_indices_])
        assert np.bincount(y_res).tolist() == [30, 30, 30]

    def test_numpy_input_keeps_returning_numpy(self, images):
        X_res, _ = RatioOverSampler(random_state=0).fit_resample(
            images, [0] * 10 + [1] * 2
        )
        assert type(X_res) is np.ndarray and X_res.shape == (20, 3, 5, 6)


def test_view_keeps_its_own_compact_rows(images):
    """A view copies the caller's index (changing it later cannot change the
    view) into int32 rows, half the memory of a million int64 indices."""
    X = ImageArray(images)
    index = np.array([3, 1, -1])
    view = X[index]
    index[:] = 0
    assert view.indices.tolist() == [3, 1, 11]
    assert view._rows.dtype == np.int32
    np.testing.assert_array_equal(view.read([2, 0]), images[[11, 3]])
    np.testing.assert_array_equal(np.asarray(view[[0, 2]]), images[[3, 11]])
