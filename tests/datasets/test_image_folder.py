"""load_image_folder: classes from subfolders, files found lazily, errors early."""

import numpy as np
import pytest
from PIL import Image

from skimbalance.datasets import ImageArray, load_image_folder


def make_folder(root, counts, size=(6, 4), mode="RGB"):
    """``root/<class>/<i>.png`` with pixel value ``i`` for each class."""
    for name, n in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(n):
            Image.new(mode, size, (i, 0, 0) if mode == "RGB" else i).save(
                root / name / f"{i}.png"
            )
    return root


def test_classes_targets_and_files(tmp_path):
    root = make_folder(tmp_path / "data", {"ok": 3, "defect": 2})
    bunch = load_image_folder(root)
    assert isinstance(bunch.data, ImageArray)
    assert bunch.data.shape == (5, 3, 4, 6) and bunch.image_shape == (3, 4, 6)
    assert bunch.target_names.tolist() == ["defect", "ok"]
    assert bunch.target.tolist() == [0, 0, 1, 1, 1] and bunch.target.dtype == np.int64
    assert [p.split("/")[-2:] for p in bunch.filenames] == [
        ["defect", "0.png"], ["defect", "1.png"],
        ["ok", "0.png"], ["ok", "1.png"], ["ok", "2.png"],
    ]  # fmt: skip
    assert [int(image[0, 0, 0]) for image in bunch.data] == [0, 1, 0, 1, 2]


def test_return_X_y_and_explicit_classes(tmp_path):
    root = make_folder(tmp_path, {"a": 1, "b": 2, "c": 1})
    X, y = load_image_folder(root, classes=["c", "a"], return_X_y=True)
    assert len(X) == 2 and y.tolist() == [0, 1]


def test_nested_hidden_and_other_files(tmp_path):
    root = make_folder(tmp_path, {"a": 2})
    (root / "a" / "deeper").mkdir()
    Image.new("RGB", (6, 4)).save(root / "a" / "deeper" / "x.JPG")
    Image.new("RGB", (6, 4)).save(root / "a" / ".hidden.png")
    (root / "a" / "labels.csv").write_text("no image")
    (root / ".cache").mkdir()  # a hidden folder is not a class
    assert len(load_image_folder(root).data) == 3


def test_resize_and_grey_scale(tmp_path):
    root = make_folder(tmp_path, {"a": 2}, size=(40, 30), mode="L")
    X = load_image_folder(root, image_size=(8, 10), mode="L").data
    assert np.asarray(X).shape == (2, 1, 8, 10)


@pytest.mark.parametrize(
    "modes, expected",
    [(["L", "L"], "L"), (["L", "1"], "L"), (["L", "RGB"], "RGB"),
     (["RGB", "RGB"], "RGB"), (["I;16", "I;16"], "I;16")],
)  # fmt: skip
def test_mode_auto_keeps_what_the_files_hold(tmp_path, modes, expected):
    (tmp_path / "a").mkdir()
    for i, mode in enumerate(modes):
        Image.new(mode, (6, 4)).save(tmp_path / "a" / f"{i}.png")
    images = load_image_folder(tmp_path, mode="auto")
    assert images.mode == expected and images.data.mode == expected
    channels = 3 if expected == "RGB" else 1
    assert images.image_shape == (channels, 4, 6)


def _wide(tmp_path):
    """One 40x20 (width x height) image: a white 20x20 left half, black right."""
    (tmp_path / "a").mkdir()
    pixels = np.zeros((20, 40), np.uint8)
    pixels[:, :20] = 255
    Image.fromarray(pixels).save(tmp_path / "a" / "wide.png")
    return tmp_path


def test_resize_policies(tmp_path):
    root = _wide(tmp_path)

    def read(resize):
        return np.asarray(
            load_image_folder(root, image_size=10, mode="L", resize=resize).data
        )[0, 0]

    squash = read("squash")  # stretched: left half white, right half black
    assert (squash[:, :4] == 255).all() and (squash[:, 6:] == 0).all()
    pad = read("pad")  # the whole image in 5 rows at the centre, black around
    assert (pad[:2] == 0).all() and (pad[-2:] == 0).all()
    assert (pad[3, :4] == 255).all() and (pad[3, 6:] == 0).all()
    crop = read("crop")  # the centre 20x20: 10 white, 10 black columns
    assert (crop[:, :4] == 255).all() and (crop[:, 6:] == 0).all()
    assert (crop[0] == crop[9]).all()  # no padding rows
    with pytest.raises(ValueError, match=r"resize must be one of \['squash'"):
        load_image_folder(root, image_size=10, resize="stretch")


@pytest.mark.parametrize(
    "setup, error, match",
    [
        (lambda root: None, FileNotFoundError, "does not exist"),
        (lambda root: root.mkdir(), FileNotFoundError, "has no subfolders"),
        (
            lambda root: make_folder(root, {"a": 1, "empty": 0}),
            FileNotFoundError,
            r"Class folder '.*empty' holds no image file",
        ),
    ],
    ids=["missing", "no-classes", "empty-class"],
)
def test_folder_errors(tmp_path, setup, error, match):
    root = tmp_path / "data"
    setup(root)
    with pytest.raises(error, match=match):
        load_image_folder(root)


def test_unknown_class(tmp_path):
    root = make_folder(tmp_path, {"a": 1})
    with pytest.raises(FileNotFoundError, match=r"\['b'\] not found.*\['a'\]"):
        load_image_folder(root, classes=["a", "b"])


def test_parameters_checked_before_the_folder_is_read(tmp_path):
    with pytest.raises(ValueError, match="image_size"):
        load_image_folder(tmp_path / "does-not-exist", image_size=-1)
    with pytest.raises(ValueError, match="mode"):
        load_image_folder(tmp_path / "does-not-exist", mode="P")


def test_mixed_sizes_fail_early(tmp_path):
    root = make_folder(tmp_path, {"a": 2})
    Image.new("RGB", (7, 7)).save(root / "a" / "big.png")
    with pytest.raises(ValueError, match=r"big\.png' is 7x7.*image_size"):
        load_image_folder(root)


def test_files_are_not_modified(tmp_path):
    root = make_folder(tmp_path, {"a": 2, "b": 1})
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*.png")}
    np.asarray(load_image_folder(root).data)
    assert before == {
        p: (p.stat().st_mtime_ns, p.read_bytes()) for p in root.rglob("*.png")
    }
