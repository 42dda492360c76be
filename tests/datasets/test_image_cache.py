"""The decoded-image cache: built once, reused, rebuilt when files change,
refused for other settings, never trusted half-built, shared safely."""

import os
import pickle
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image
from sklearn.model_selection import StratifiedKFold

from skimbalance.datasets import _image_cache, load_image_folder
from skimbalance.datasets._image_files import FileRows


def _folder(root, counts=(("a", 30), ("b", 10)), size=(10, 8)):
    rng = np.random.default_rng(0)
    for name, n in counts:
        (root / name).mkdir(parents=True)
        for i in range(n):
            pixels = rng.integers(0, 255, (*size[::-1], 3), np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i:03d}.png")
    return root


def test_built_once_then_read_from_memory(tmp_path, decoded_rows):
    root = _folder(tmp_path / "images")
    plain = np.asarray(load_image_folder(root, image_size=6).data)
    decoded_rows.clear()
    first = load_image_folder(root, image_size=6, cache=tmp_path / "cache")
    assert len(decoded_rows) == 40 and first.cache == str(tmp_path / "cache")
    decoded_rows.clear()
    again = load_image_folder(root, image_size=6, cache=tmp_path / "cache")
    assert decoded_rows == []  # no file decoded, no header read
    assert isinstance(np.asarray(again.data), np.ndarray)
    np.testing.assert_array_equal(np.asarray(again.data), plain)
    assert again.target.tolist() == [0] * 30 + [1] * 10
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [
        ".lock", "images.npy", "index.npz",
    ]  # fmt: skip
    # a plain NumPy file: usable without skimbalance
    assert np.load(tmp_path / "cache" / "images.npy").shape == (40, 3, 6, 6)


def test_lazy_views_pickle_as_paths_and_split(tmp_path):
    root = _folder(tmp_path / "images")
    data = load_image_folder(root, cache=tmp_path / "cache")
    X, y = data.data, data.target
    blob = pickle.dumps(X[np.arange(0, 40, 2)])
    assert len(blob) < 2000  # the file's name and 20 row numbers, no pixels
    np.testing.assert_array_equal(np.asarray(pickle.loads(blob)), np.asarray(X)[::2])
    for train, test in StratifiedKFold(4).split(X, y):
        assert X[train].shape == (30, 3, 8, 10) and len(X[test]) == 10


def test_a_changed_file_rebuilds_it(tmp_path):
    root = _folder(tmp_path / "images")
    load_image_folder(root, cache=tmp_path / "cache")
    Image.new("RGB", (10, 8), (1, 2, 3)).save(root / "a" / "005.png")
    os.utime(root / "a" / "005.png", ns=(1, 1))  # a changed time, whatever the clock
    with pytest.warns(
        UserWarning, match=r"out of date \(1 files changed\); rebuilding"
    ):
        data = load_image_folder(root, cache=tmp_path / "cache")
    assert data.data[5][:, 0, 0].tolist() == [1, 2, 3]
    (root / "b" / "009.png").unlink()
    with pytest.warns(UserWarning, match=r"39 files now, 40 when it was built"):
        assert len(load_image_folder(root, cache=tmp_path / "cache").data) == 39


def test_other_settings_are_refused(tmp_path):
    root = _folder(tmp_path / "images")
    load_image_folder(root, image_size=6, cache=tmp_path / "cache")
    before = (tmp_path / "cache" / "images.npy").read_bytes()
    for other in ({"image_size": 5}, {"image_size": 6, "mode": "L"},
                  {"image_size": 6, "resize": "pad"}):  # fmt: skip
        with pytest.raises(ValueError, match=r"built with other settings .*one cache"):
            load_image_folder(root, cache=tmp_path / "cache", **other)
    assert (tmp_path / "cache" / "images.npy").read_bytes() == before


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_build_leaves_nothing_trusted(tmp_path, monkeypatch, error):
    root = _folder(tmp_path / "images")
    original = FileRows.read
    calls = []

    def failing(self, rows):
        calls.append(1)
        if len(calls) == 1:
            raise error("stopped mid-build")
        return original(self, rows)

    monkeypatch.setattr(FileRows, "read", failing)
    with pytest.raises(error):
        load_image_folder(root, cache=tmp_path / "cache")
    left = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert left == [".lock"]  # no index, no part files
    data = load_image_folder(root, cache=tmp_path / "cache")
    np.testing.assert_array_equal(
        np.asarray(data.data), np.asarray(load_image_folder(root).data)
    )


def test_a_killed_build_is_rebuilt(tmp_path):
    root = _folder(tmp_path / "images", counts=(("a", 400), ("b", 100)), size=(64, 64))
    cache = tmp_path / "cache"
    code = (
        "import sys, time\n"
        "from skimbalance.datasets import _image_cache, load_image_folder\n"
        "_image_cache._CHUNK = 8\n"
        "original = _image_cache._decoded_chunks\n"
        "def slow(images):\n"
        "    for chunk in original(images):\n"
        "        time.sleep(0.05)\n"
        "        yield chunk\n"
        "_image_cache._decoded_chunks = slow\n"
        f"load_image_folder({str(root)!r}, cache={str(cache)!r})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    part = cache / "images.npy.part"
    deadline = time.time() + 60
    while time.time() < deadline and not (part.exists() and part.stat().st_size > 0):
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert not (cache / "index.npz").exists()
    data = load_image_folder(root, cache=cache)
    assert not list(cache.glob("*.part"))
    np.testing.assert_array_equal(
        np.asarray(data.data[::50]), np.asarray(load_image_folder(root).data[::50])
    )


def test_two_processes_building_at_once_share_one_cache(tmp_path):
    root = _folder(tmp_path / "images", counts=(("a", 200), ("b", 50)), size=(32, 32))
    cache = tmp_path / "cache"
    code = (
        "from skimbalance.datasets import load_image_folder\n"
        f"b = load_image_folder({str(root)!r}, cache={str(cache)!r})\n"
        "print(int(b.data[249].sum()))\n"
    )
    runs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                             text=True) for _ in range(2)]  # fmt: skip
    outputs = [r.communicate(timeout=120)[0].strip() for r in runs]
    assert all(r.returncode == 0 for r in runs)
    expected = str(int(np.asarray(load_image_folder(root).data[249]).sum()))
    assert outputs == [expected, expected]


def test_an_unwritable_cache_warns_once_and_reads_the_files(tmp_path, monkeypatch):
    root = _folder(tmp_path / "images")

    def read_only(self, *args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(type(tmp_path), "mkdir", read_only)
    with pytest.warns(UserWarning) as caught:
        data = load_image_folder(root, cache=tmp_path / "cache")
    messages = [str(w.message) for w in caught]
    assert messages == [
        f"Cannot write the image cache at '{tmp_path / 'cache'}' (Read-only file "
        "system); the images are read from their files instead."
    ]
    assert data.cache is None and len(data.data) == 40


def test_a_full_disk_mid_build_warns_and_leaves_no_part(tmp_path, monkeypatch):
    root = _folder(tmp_path / "images")
    real_open = open

    class Full:
        def __init__(self, file):
            self.file = file

        def write(self, data):
            raise OSError(28, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.file, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

    def opening(path, mode="r", *args, **kwargs):
        file = real_open(path, mode, *args, **kwargs)
        return Full(file) if str(path).endswith("images.npy.part") else file

    monkeypatch.setattr(_image_cache, "open", opening, raising=False)
    with pytest.warns(UserWarning, match=r"No space left on device"):
        data = load_image_folder(root, cache=tmp_path / "cache")
    assert data.cache is None
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == [".lock"]


def test_a_damaged_image_fails_the_build_naming_it(tmp_path):
    root = _folder(tmp_path / "images")
    path = root / "a" / "007.png"
    path.write_bytes(path.read_bytes()[:80])  # header kept, pixels cut
    with pytest.raises(OSError, match=r"Cannot decode image '.*007\.png'"):
        load_image_folder(root, cache=tmp_path / "cache")
    assert not (tmp_path / "cache" / "index.npz").exists()
