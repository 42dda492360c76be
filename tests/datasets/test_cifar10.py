"""load_cifar10: the JPEG folder, and the official batches downloaded from a local
server on 127.0.0.1 (a small synthetic archive with the official layout)."""

import hashlib
import io
import os
import pickle
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from skimbalance.datasets import ImageArray, _cifar10, load_cifar10

SHARED = Path(
    os.environ.get("SKIMBALANCE_DATA")
    or Path(__file__).resolve().parents[3] / "shared" / "datasets"
)
REAL_JPG = SHARED / "cifar10-jpg"
N_PER_BATCH = 4


def synthetic_archive(corrupt_batch=None, extra=None):
    """The official layout with 4 images per batch: image i of batch b is all
    ``10 * b + i``, with label ``(b + i) % 10``."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for b, member in enumerate(
            _cifar10._BATCHES["train"] + _cifar10._BATCHES["test"]
        ):
            values = 10 * b + np.arange(N_PER_BATCH)
            batch = {
                b"batch_label": b"synthetic",
                b"labels": [int((b + i) % 10) for i in range(N_PER_BATCH)],
                b"data": np.repeat(values.astype(np.uint8)[:, None], 3072, axis=1),
                b"filenames": [b"x.png"] * N_PER_BATCH,
            }
            if extra is not None and b == 0:
                batch[b"extra"] = extra
            raw = pickle.dumps(batch, protocol=2)
            if b == corrupt_batch:
                raw = b"not a pickle"
            info = tarfile.TarInfo(member)
            info.size = len(raw)
            tar.addfile(info, io.BytesIO(raw))
    return buffer.getvalue()


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, serve_directory):
    root = tmp_path_factory.mktemp("cifar-mirror")
    archives = {
        "good": synthetic_archive(),
        "bad-batch": synthetic_archive(corrupt_batch=2),
        "evil": synthetic_archive(extra=Evil()),
    }
    for name, data in archives.items():
        (root / name).mkdir()
        (root / name / "cifar-10-python.tar.gz").write_bytes(data)
    server = serve_directory(root)
    server.sha = {k: hashlib.sha256(v).hexdigest() for k, v in archives.items()}
    return server


@pytest.fixture
def use_mirror(mirror, monkeypatch):
    def use(name, sha=None):
        mirror.requests.clear()
        url = mirror.url(name) + "cifar-10-python.tar.gz"
        monkeypatch.setattr(_cifar10, "CIFAR10_URL", url)
        monkeypatch.setattr(_cifar10, "_SHA256", sha or mirror.sha[name])
        return mirror

    return use


@pytest.fixture(autouse=True)
def no_internet(monkeypatch, tmp_path):
    """A test that forgets to set the mirror fails fast; a private user cache."""
    monkeypatch.setattr(_cifar10, "CIFAR10_URL", "http://127.0.0.1:9/x.tar.gz")
    monkeypatch.setenv("SKIMBALANCE_CACHE", str(tmp_path / "user-cache"))


# --------------------------------------------------------------- downloads
def test_download_verify_unpack_and_reuse(tmp_path, use_mirror):
    server = use_mirror("good")
    train = load_cifar10(data_home=tmp_path)
    assert server.requests == ["/good/cifar-10-python.tar.gz"]
    assert train.source == "cifar-10-python.tar.gz"
    assert isinstance(train.data, ImageArray) and "memmap" in repr(train.data)
    assert train.data.shape == (5 * N_PER_BATCH, 3, 32, 32)
    assert train.target.dtype == np.int64 and train.target[:4].tolist() == [0, 1, 2, 3]
    assert int(train.data[5][0, 0, 0]) == 11  # batch 1, image 1
    assert train.target_names.tolist()[0] == "airplane"
    test = load_cifar10(subset="test", data_home=tmp_path)
    assert int(test.data[0][0, 0, 0]) == 50 and len(test.data) == N_PER_BATCH
    X_all, y_all = load_cifar10(subset="all", data_home=tmp_path, return_X_y=True)
    assert len(X_all) == 24 and y_all[-4:].tolist() == test.target.tolist()
    assert server.requests == ["/good/cifar-10-python.tar.gz"]  # cached
    assert len(pickle.dumps(train.data)) < 1000  # a memmap travels by file name


def test_checksum_mismatch_leaves_nothing(tmp_path, use_mirror):
    use_mirror("good", sha="0" * 64)
    with pytest.raises(OSError, match=r"(?s)every mirror failed.*SHA-256 mismatch"):
        load_cifar10(data_home=tmp_path / "home")
    assert not (tmp_path / "home").exists()


def test_malformed_batch(tmp_path, use_mirror):
    use_mirror("bad-batch")
    with pytest.raises(ValueError, match="data_batch_3' in the CIFAR-10 archive"):
        load_cifar10(data_home=tmp_path)


def test_pickled_code_is_refused(tmp_path, use_mirror, capfd):
    use_mirror("evil")
    with pytest.raises(ValueError, match=r"posix\.system; only NumPy arrays"):
        load_cifar10(data_home=tmp_path)
    assert "pwned" not in capfd.readouterr().out


def test_damaged_cache_is_rebuilt_from_the_archive(tmp_path, use_mirror):
    use_mirror("good")
    load_cifar10(data_home=tmp_path)
    images = tmp_path / "cifar10" / "cifar10-images.npy"
    data = bytearray(images.read_bytes())
    data[-1] ^= 0xFF
    images.write_bytes(bytes(data))
    X = load_cifar10(data_home=tmp_path).data
    assert int(X[3][2, 31, 31]) == 3  # the flipped byte is restored


def test_offline_without_download_names_both_ways(tmp_path, monkeypatch):
    monkeypatch.setenv("SKIMBALANCE_DATA", str(tmp_path))
    with pytest.raises(
        FileNotFoundError,
        match=r"cifar10-jpg.*cifar-10-python\.tar\.gz.*\$SKIMBALANCE_DATA.*data_home=",
    ):
        load_cifar10(download=False)


@pytest.mark.parametrize("subset", ["valid", None])
def test_invalid_subset(subset):
    with pytest.raises(ValueError, match="'subset' parameter"):
        load_cifar10(subset=subset)


# ------------------------------------------------------------- JPEG folder
def test_synthetic_jpeg_folder(tmp_path):
    for part, n in (("train", 2), ("test", 1)):
        for name in _cifar10.CIFAR10_CLASSES:
            folder = tmp_path / "cifar10-jpg" / part / name
            folder.mkdir(parents=True)
            for i in range(n):
                Image.new("RGB", (32, 32), (i, 1, 2)).save(folder / f"{i:04d}.jpg")
    train = load_cifar10(data_home=tmp_path)
    assert train.source == "cifar10-jpg" and train.data.shape == (20, 3, 32, 32)
    assert train.target.tolist() == np.repeat(np.arange(10), 2).tolist()
    assert len(load_cifar10(subset="all", data_home=tmp_path).data) == 30


def test_jpeg_folder_with_other_classes(tmp_path):
    (tmp_path / "cifar10-jpg" / "train" / "cat").mkdir(parents=True)
    with pytest.raises(ValueError, match="must hold the 10 CIFAR-10 class folders"):
        load_cifar10(data_home=tmp_path)


@pytest.mark.skipif(not REAL_JPG.is_dir(), reason=f"no CIFAR-10 folder at {REAL_JPG}")
def test_real_jpeg_folder():
    train = load_cifar10(data_home=SHARED)
    assert train.data.shape == (50000, 3, 32, 32) and train.source == "cifar10-jpg"
    assert np.bincount(train.target).tolist() == [5000] * 10
    first = train.data[0]
    assert first.dtype == np.uint8 and first.std() > 10  # a real photograph
    test = load_cifar10(subset="test", data_home=SHARED)
    assert np.bincount(test.target).tolist() == [1000] * 10
