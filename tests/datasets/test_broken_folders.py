"""Folders as users break them: each case is refused naming the file, or
handled as documented; never silent loss, duplication, wrong pixels or a hang."""

import io
import os
import pickle
import threading

import numpy as np
import pytest
from PIL import Image

from skimbalance.datasets import ImageArray, _decode, load_image_folder


def _png(path, value=7, size=(6, 4), mode="L"):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)
    return path


@pytest.fixture(params=["simplejpeg", "pillow"])
def decoder(request, monkeypatch):
    """Run a test with each JPEG decoder."""
    if request.param == "pillow":
        monkeypatch.setattr(_decode, "simplejpeg", None)
    elif _decode.simplejpeg is None:
        pytest.skip("simplejpeg is not installed")
    return request.param


def test_a_loop_of_links_lists_each_image_once(tmp_path):
    for i in range(3):
        _png(tmp_path / "a" / "sub" / f"{i}.png")
    _png(tmp_path / "b" / "0.png")
    os.symlink(tmp_path / "a", tmp_path / "a" / "sub" / "back")  # a loop
    os.symlink(tmp_path / "a" / "sub", tmp_path / "a" / "again")  # a second way in
    images = load_image_folder(tmp_path, mode="L")
    assert np.bincount(images.target).tolist() == [3, 1]
    assert len(set(images.filenames)) == 4


def test_a_fifo_with_an_image_name_is_refused_not_waited_on(tmp_path):
    _png(tmp_path / "a" / "0.png")
    os.mkfifo(tmp_path / "a" / "pipe.png")
    outcome = []

    def load():
        try:
            load_image_folder(tmp_path)
        except OSError as exc:
            outcome.append(str(exc))

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the loader hangs on a FIFO"
    assert outcome and "pipe.png' is not a regular file" in outcome[0]


def test_a_broken_link_is_named(tmp_path):
    _png(tmp_path / "a" / "0.png")
    os.symlink(tmp_path / "gone.png", tmp_path / "a" / "1.png")
    with pytest.raises(OSError, match=r"1\.png' is a symbolic link that leads to no"):
        load_image_folder(tmp_path)


def test_an_unreadable_subfolder_is_an_error_not_a_loss(tmp_path, monkeypatch):
    _png(tmp_path / "a" / "0.png")
    _png(tmp_path / "a" / "locked" / "1.png")
    locked = str(tmp_path / "a" / "locked")
    scandir = os.scandir

    def denied(path="."):  # chmod 000 does not stop root: deny it here
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", locked)
        return scandir(path)

    monkeypatch.setattr(os, "scandir", denied)
    with pytest.raises(OSError, match=r"Cannot read the folder '.*locked'"):
        load_image_folder(tmp_path)


def test_gif_and_other_pillow_formats_are_read(tmp_path):
    _png(tmp_path / "a" / "0.png", value=10)
    Image.new("L", (6, 4), 20).save(tmp_path / "a" / "1.gif")
    Image.new("RGB", (6, 4), (30, 30, 30)).save(tmp_path / "a" / "2.tga")
    images = load_image_folder(tmp_path, mode="L")
    assert [os.path.basename(f) for f in images.filenames] == [
        "0.png",
        "1.gif",
        "2.tga",
    ]
    assert np.asarray(images.data)[:, 0, 0, 0].tolist() == [10, 20, 30]


def test_16_bit_files_are_scaled_not_clipped(tmp_path):
    ramp = (np.arange(24, dtype=np.uint16).reshape(4, 6) * 2700).astype(np.uint16)
    (tmp_path / "a").mkdir()
    Image.fromarray(ramp).save(tmp_path / "a" / "deep.png")  # 16-bit grey PNG
    eight = load_image_folder(tmp_path, mode="L").data[0][0]
    np.testing.assert_array_equal(eight, (ramp >> 8).astype(np.uint8))
    rgb = load_image_folder(tmp_path).data[0]
    np.testing.assert_array_equal(rgb[1], (ramp >> 8).astype(np.uint8))
    assert (eight == 255).mean() < 0.1  # it used to clip 92 % of the pixels


def test_8_and_16_bit_files_share_one_scale_under_i16(tmp_path):
    ramp8 = (np.arange(24).reshape(4, 6) * 10).astype(np.uint8)
    (tmp_path / "a").mkdir()
    Image.fromarray(ramp8).save(tmp_path / "a" / "0_eight.png")
    Image.fromarray(ramp8.astype(np.uint16) * 257).save(tmp_path / "a" / "1_deep.png")
    pixels = np.asarray(load_image_folder(tmp_path, mode="I;16").data)
    assert pixels.dtype == np.uint16
    np.testing.assert_array_equal(pixels[0], pixels[1])


def _rotated_jpeg(path, orientation):
    """A 6x4 (width x height) JPEG, bright left column, stored with an EXIF
    orientation tag: 6 means "rotate 90 degrees clockwise to show"."""
    pixels = np.zeros((4, 6), np.uint8)
    pixels[:, 0] = 250
    image = Image.fromarray(pixels)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, exif=exif, quality=95)
    return path


def test_exif_orientation_is_applied(tmp_path, decoder):
    _rotated_jpeg(tmp_path / "a" / "phone.jpg", orientation=6)
    images = load_image_folder(tmp_path, mode="L")
    assert images.image_shape == (1, 6, 4)  # upright: 6 high, 4 wide
    pixels = images.data[0][0]
    assert pixels[0].mean() > 200 and pixels[-1].mean() < 50  # left column on top


def test_a_png_header_is_read_without_its_pixels(tmp_path, monkeypatch):
    """Pillow decodes a whole PNG to look for a late EXIF chunk: a header read
    (every file, with check_files) must not ask for it."""
    from PIL import PngImagePlugin

    _png(tmp_path / "a" / "0.png", size=(5, 3))

    def no_decoding(self):
        raise AssertionError("the pixels were decoded")

    monkeypatch.setattr(PngImagePlugin.PngImageFile, "load", no_decoding)
    assert _decode.read_header(str(tmp_path / "a" / "0.png")) == (3, 5, "L")


def test_the_fast_decoder_gives_pillows_pixels(tmp_path):
    if _decode.simplejpeg is None:
        pytest.skip("simplejpeg is not installed")
    rng = np.random.default_rng(0)
    (tmp_path / "a").mkdir()
    for i in range(3):
        Image.fromarray(rng.integers(0, 255, (32, 32, 3), np.uint8)).save(
            tmp_path / "a" / f"{i}.jpg", quality=90
        )
    fast = np.asarray(load_image_folder(tmp_path).data)
    _decode_simplejpeg, _decode.simplejpeg = _decode.simplejpeg, None
    try:
        slow = np.asarray(load_image_folder(tmp_path).data)
    finally:
        _decode.simplejpeg = _decode_simplejpeg
    np.testing.assert_array_equal(fast, slow)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("shape", [(95, 87), (64, 200), (130, 70)])
def test_the_fast_squash_is_pillows_filter(shape, channels):
    """The squash after a fast decode (torch's uint8 kernel) gives Pillow's
    antialiased bilinear pixels, within 1 of 255."""
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (*shape, channels), np.uint8)
    ours = _decode._squash(pixels, (64, 48))
    image = Image.fromarray(pixels[:, :, 0] if channels == 1 else pixels)
    pillow = np.asarray(image.resize((48, 64), Image.Resampling.BILINEAR))
    pillow = pillow.reshape(64, 48, channels)
    assert ours.shape == pillow.shape and ours.dtype == np.uint8
    assert np.abs(ours.astype(int) - pillow).max() <= 1


@pytest.mark.parametrize("side, gap", [(256, 1), (300, 3)])
def test_a_resized_photo_is_close_by_both_decoders(tmp_path, side, gap):
    """To 64x64: at 256 pixels both decoders decode at 1/4 and agree; at 300
    libjpeg-turbo decodes at 3/8 (Pillow's draft mode at 1/2), a few of 255
    apart on average (documented in ``_decode``)."""
    if _decode.simplejpeg is None:
        pytest.skip("simplejpeg is not installed")
    rng = np.random.default_rng(0)
    smooth = rng.integers(0, 255, (12, 10, 3), np.uint8)
    photo = Image.fromarray(smooth).resize((side, side), Image.Resampling.BICUBIC)
    photo.save(tmp_path / "photo.jpg", quality=90)
    path = str(tmp_path / "photo.jpg")
    fast = _decode.decode_image(path, mode="RGB", size=(64, 64), resize="squash")
    _decode_simplejpeg, _decode.simplejpeg = _decode.simplejpeg, None
    try:
        slow = _decode.decode_image(path, mode="RGB", size=(64, 64), resize="squash")
    finally:
        _decode.simplejpeg = _decode_simplejpeg
    assert fast.shape == slow.shape == (3, 64, 64)
    assert np.abs(fast.astype(int) - slow).mean() < gap


def test_a_file_that_grew_since_its_stat_is_read_whole(tmp_path, monkeypatch):
    path = tmp_path / "grown.jpg"
    path.write_bytes(bytes(range(256)) * 20)
    real_fstat = os.fstat

    def stale_fstat(fd):  # the size it had before it grew
        info = list(real_fstat(fd))
        info[6] = 100  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", stale_fstat)
    assert _decode._read_regular(str(path)) == path.read_bytes()


def test_a_decompression_bomb_names_its_file(tmp_path, monkeypatch):
    _png(tmp_path / "a" / "0.png")
    _png(tmp_path / "a" / "huge.png", size=(400, 300))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 2x of it is a bomb
    with pytest.raises(OSError, match=r"Cannot read image '.*huge\.png'"):
        load_image_folder(tmp_path, image_size=4)
    images = load_image_folder(tmp_path, image_size=4, check_files=False)
    with pytest.raises(OSError, match=r"Cannot decode image '.*huge\.png'"):
        np.asarray(images.data)


@pytest.mark.parametrize("name", ["new\nline.png", "not-utf8-\udcff.png"])
def test_odd_file_names_survive_pickling(tmp_path, name):
    (tmp_path / "a").mkdir()
    _png(tmp_path / "a" / "plain.png", value=1)
    Image.new("L", (6, 4), 200).save(os.path.join(tmp_path, "a", name))
    images = load_image_folder(tmp_path, mode="L")
    again = pickle.loads(pickle.dumps(images.data))
    np.testing.assert_array_equal(np.asarray(again), np.asarray(images.data))
    assert sorted(np.asarray(again)[:, 0, 0, 0].tolist()) == [1, 200]
    assert list(again.filenames) == list(images.filenames)


def test_image_array_copy(tmp_path):
    X = ImageArray(np.arange(2 * 4 * 4, dtype=np.uint8).reshape(2, 1, 4, 4))
    view = X[[1, 0]]
    copied = view.copy()
    assert copied is not view and copied.indices.tolist() == [1, 0]
    np.testing.assert_array_equal(np.asarray(copied), np.asarray(view))


def test_read_header_is_the_upright_size(tmp_path):
    path = _rotated_jpeg(tmp_path / "r.jpg", orientation=8)
    assert _decode.read_header(str(path))[:2] == (6, 4)
    assert _decode._jpeg_orientation(path.read_bytes()) == 8
    plain = io.BytesIO()
    Image.new("RGB", (5, 5)).save(plain, format="JPEG")
    assert _decode._jpeg_orientation(plain.getvalue()) == 1
