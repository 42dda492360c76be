"""Tests for skimbalance.datasets.load_mnist.

The real MNIST files come from ``$SKIMBALANCE_DATA`` or ``../shared/datasets``
beside the checkout; the module is skipped when neither holds them. Downloads
are served by a local HTTP server on 127.0.0.1 (no internet needed) and use
only the small test split (about 1.6 MB).
"""

import gzip
import hashlib
import os
import re
import shutil
import socket
from pathlib import Path

import numpy as np
import pytest

from skimbalance.datasets import _mnist, load_mnist

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_FILES = ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
LABELS_SHA = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"


def _real_data_home():
    env = os.environ.get("SKIMBALANCE_DATA")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[3] / "shared" / "datasets"


REAL_HOME = _real_data_home()
REAL_DIR = REAL_HOME / "mnist"

pytestmark = pytest.mark.skipif(
    not REAL_DIR.is_dir(),
    reason=f"set SKIMBALANCE_DATA to a folder holding mnist/ (not found: {REAL_DIR})",
)


@pytest.fixture(scope="module")
def module_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("user_cache")


@pytest.fixture(scope="module", autouse=True)
def module_env(module_cache):
    """Point the loader at the real data and a per-module user cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SKIMBALANCE_DATA", str(REAL_HOME))
        mp.setenv("SKIMBALANCE_CACHE", str(module_cache))
        for var in ("no_proxy", "NO_PROXY"):  # never send 127.0.0.1 to a proxy
            mp.setenv(var, "*")
        # Unreachable, so a test that forgets to set mirrors fails fast.
        mp.setattr(_mnist, "MNIST_MIRRORS", ("http://127.0.0.1:9/",))
        yield


@pytest.fixture(scope="module")
def train(module_env):
    return load_mnist()


@pytest.fixture
def split_home(tmp_path):
    """A writable data home holding copies of the test-split files."""
    mnist_dir = tmp_path / "home" / "mnist"
    mnist_dir.mkdir(parents=True)
    for name in TEST_FILES:
        shutil.copyfile(REAL_DIR / f"{name}.gz", mnist_dir / f"{name}.gz")
    yield tmp_path / "home"
    mnist_dir.chmod(0o755)  # let tmp_path cleanup delete it


@pytest.fixture(scope="module")
def real_test(module_env):
    return load_mnist(subset="test", data_home=REAL_HOME, return_X_y=True)


def _gunzipped(name):
    return gzip.decompress((REAL_DIR / f"{name}.gz").read_bytes())


def _count_decodes(monkeypatch):
    calls = []
    original = _mnist._decode

    def counting(*args, **kwargs):
        calls.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(_mnist, "_decode", counting)
    return calls


# --------------------------------------------------------------- real data
def test_train_bunch(train):
    X, y = train.data, train.target
    assert X.shape == (60000, 784) and X.dtype == np.float32
    assert X.flags.c_contiguous and X.flags.writeable
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.shape == (60000,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == TRAIN_COUNTS
    assert train.image_shape == (1, 28, 28)
    np.testing.assert_array_equal(train.target_names, np.arange(10))
    assert "MNIST" in train.DESCR
    pixels = X[:200] * 255  # exactly the original 0-255 intensities
    np.testing.assert_allclose(pixels, np.rint(pixels), atol=1e-4)
    assert y[:5].tolist() == [5, 0, 4, 1, 9]


def test_return_X_y_matches_bunch(train, monkeypatch):
    calls = _count_decodes(monkeypatch)
    X, y = load_mnist(return_X_y=True)
    assert calls == list(_mnist._SUBSETS["train"][:2])  # verified at every load
    np.testing.assert_array_equal(X, train.data)
    np.testing.assert_array_equal(y, train.target)


def test_test_split_and_all(train, real_test):
    X_test, y_test = real_test
    assert X_test.shape == (10000, 784) and y_test.shape == (10000,)
    assert np.bincount(y_test, minlength=10).sum() == 10000
    X_all, y_all = load_mnist(subset="all", return_X_y=True)
    assert X_all.shape == (70000, 784) and X_all.dtype == np.float32
    np.testing.assert_array_equal(y_all, np.concatenate([train.target, y_test]))
    np.testing.assert_array_equal(X_all[60000:], X_test)
    np.testing.assert_array_equal(X_all[:100], train.data[:100])


@pytest.mark.parametrize("subset", ["validation", "Train", "", None, 1])
def test_invalid_subset(subset):
    with pytest.raises(ValueError, match=r"'subset' parameter of load_mnist.*Got"):
        load_mnist(subset=subset)


def test_nothing_is_written_beside_the_files(split_home):
    before = sorted(p.name for p in (split_home / "mnist").iterdir())
    load_mnist(subset="test", data_home=split_home)
    assert sorted(p.name for p in (split_home / "mnist").iterdir()) == before


def test_a_changed_file_is_never_served(split_home):
    load_mnist(subset="test", data_home=split_home)
    raw = bytearray(_gunzipped(TEST_FILES[1]))
    raw[100] = (raw[100] + 1) % 10
    labels = split_home / "mnist" / f"{TEST_FILES[1]}.gz"
    labels.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(ValueError, match=f"SHA-256 mismatch.*expected {LABELS_SHA}"):
        load_mnist(subset="test", data_home=split_home)


# ----------------------------------------------------------- local files
def test_uncompressed_files_accepted(tmp_path, real_test):
    (tmp_path / "mnist").mkdir()
    for name in TEST_FILES:
        (tmp_path / "mnist" / name).write_bytes(_gunzipped(name))
    X, y = load_mnist(
        subset="test", data_home=tmp_path, download=False, return_X_y=True
    )
    np.testing.assert_array_equal(X, real_test[0])
    np.testing.assert_array_equal(y, real_test[1])


@pytest.mark.parametrize(
    "filename, content, message",
    [
        (
            "t10k-labels-idx1-ubyte.gz",
            lambda: (REAL_DIR / f"{TEST_FILES[1]}.gz").read_bytes()[:2000],
            r"t10k-labels-idx1-ubyte\.gz' is truncated: the gzip stream ends early",
        ),
        (
            "t10k-labels-idx1-ubyte",
            lambda: _gunzipped(TEST_FILES[1])[:5000],
            r"is truncated: its header announces 10000 items \(10008 bytes\) "
            r"but it holds only 5000 bytes\. Delete it",
        ),
        (
            "t10k-labels-idx1-ubyte",
            lambda: _gunzipped(TEST_FILES[1])[:6],
            r"is truncated: 6 bytes, fewer than the 8-byte IDX header",
        ),
        (
            "t10k-labels-idx1-ubyte",
            lambda: _gunzipped(TEST_FILES[1]) + b"\0",
            r"1 unexpected bytes after the 10008",
        ),
        (
            "t10k-labels-idx1-ubyte.gz",
            lambda: b"<html>not found</html>",
            r"is not a valid gzip file.*Delete it and call load_mnist\(\) again",
        ),
        (
            "t10k-labels-idx1-ubyte",
            lambda: _gunzipped(TEST_FILES[0]),
            r"not an MNIST labels file: its IDX magic number is 2051, expected 2049",
        ),
    ],
)
def test_damaged_local_file(split_home, filename, content, message):
    (split_home / "mnist" / f"{TEST_FILES[1]}.gz").unlink()
    (split_home / "mnist" / filename).write_bytes(content())
    with pytest.raises(ValueError, match=message):
        load_mnist(subset="test", data_home=split_home)


def test_missing_files_without_download(tmp_path):
    (tmp_path / "mnist").mkdir()
    expected = (
        r"MNIST file\(s\) 't10k-images-idx3-ubyte\.gz' not found .* in '"
        + re.escape(str(tmp_path / "mnist"))
        + r"' \(data home from the data_home argument\) and download=False\. "
        r".*SKIMBALANCE_DATA.*download=True"
    )
    shutil.copyfile(
        REAL_DIR / f"{TEST_FILES[1]}.gz", tmp_path / "mnist" / f"{TEST_FILES[1]}.gz"
    )
    with pytest.raises(FileNotFoundError, match=expected):
        load_mnist(subset="test", data_home=tmp_path, download=False)


def test_missing_files_message_names_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SKIMBALANCE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"data home from \$SKIMBALANCE_DATA"):
        load_mnist(subset="all", download=False)


# --------------------------------------------------------------- download
@pytest.fixture(scope="module")
def server(tmp_path_factory, serve_directory):
    """Local mirrors: good/, corrupt/ (bad checksum), trunc/, html/, missing/."""
    root = tmp_path_factory.mktemp("mirrors")
    for sub in ("good", "corrupt", "trunc", "html"):
        (root / sub).mkdir()
    for name in TEST_FILES:
        gz = (REAL_DIR / f"{name}.gz").read_bytes()
        raw = bytearray(gzip.decompress(gz))
        raw[-1] ^= 0x01
        (root / "good" / f"{name}.gz").write_bytes(gz)
        (root / "corrupt" / f"{name}.gz").write_bytes(gzip.compress(bytes(raw), 1))
        (root / "trunc" / f"{name}.gz").write_bytes(gz[: len(gz) // 2])
        (root / "html" / f"{name}.gz").write_bytes(b"<html>Access denied</html>")
    return serve_directory(root)


@pytest.fixture
def mirrors(server, monkeypatch):
    """Set the mirror list to the named local mirrors; clears the request log."""
    server.requests.clear()

    def use(*subs):
        urls = tuple(server.url(sub) for sub in subs)
        monkeypatch.setattr(_mnist, "MNIST_MIRRORS", urls)
        return urls

    return use


def _sha_of_gz(path):
    return hashlib.sha256(gzip.decompress(Path(path).read_bytes())).hexdigest()


@pytest.mark.parametrize("slash", [True, False])
def test_download_into_empty_home(
    tmp_path, mirrors, server, real_test, slash, monkeypatch
):
    (url,) = mirrors("good")
    if not slash:
        monkeypatch.setattr(_mnist, "MNIST_MIRRORS", (url.rstrip("/"),))
    home = tmp_path / "new" / "home"  # created on demand
    X, y = load_mnist(subset="test", data_home=home, return_X_y=True)
    np.testing.assert_array_equal(X, real_test[0])
    np.testing.assert_array_equal(y, real_test[1])
    assert sorted(server.requests) == sorted(f"/good/{n}.gz" for n in TEST_FILES)
    files = sorted(p.name for p in (home / "mnist").iterdir())
    assert [f for f in files if not f.endswith(".npz")] == sorted(
        f"{n}.gz" for n in TEST_FILES
    )
    server.requests.clear()
    load_mnist(subset="test", data_home=home, download=False)
    assert server.requests == []


def test_download_falls_back_to_next_mirror(tmp_path, mirrors, server):
    mirrors("corrupt", "trunc", "good")
    bunch = load_mnist(subset="test", data_home=tmp_path)
    assert bunch.data.shape == (10000, 784)
    assert len(server.requests) == 6  # 3 mirrors x 2 files
    files = sorted(p.name for p in (tmp_path / "mnist").iterdir())
    assert [f for f in files if not f.endswith(".npz")] == sorted(
        f"{n}.gz" for n in TEST_FILES
    )  # no partial or corrupt leftovers
    assert _sha_of_gz(tmp_path / "mnist" / f"{TEST_FILES[1]}.gz") == LABELS_SHA


def test_offline_download_names_every_missing_file_and_both_ways(tmp_path, mirrors):
    mirrors("missing")
    with pytest.raises(
        OSError,
        match=r"(?s)missing MNIST file\(s\) 't10k-images-idx3-ubyte\.gz', "
        r"'t10k-labels-idx1-ubyte\.gz' into .*pass data_home= or set "
        r"\$SKIMBALANCE_DATA .*t10k-images.*404.*t10k-labels.*404",
    ):
        load_mnist(subset="test", data_home=tmp_path / "home")
    assert not (tmp_path / "home").exists()


def test_download_all_mirrors_fail(tmp_path, mirrors):
    urls = mirrors("corrupt", "trunc", "html", "missing")
    with pytest.raises(
        OSError,
        match=r"(?s)Could not download MNIST file 't10k-images-idx3-ubyte\.gz'.*"
        r"every mirror failed:\n.*SHA-256 mismatch.*truncated.*"
        r"not a valid gzip file.*HTTP Error 404",
    ) as excinfo:
        load_mnist(subset="test", data_home=tmp_path)
    for url in urls:
        assert f"{url}t10k-images-idx3-ubyte.gz: " in str(excinfo.value)
    assert not (tmp_path / "mnist").exists()  # nothing half-written


def test_download_404(tmp_path, mirrors):
    mirrors("missing")
    with pytest.raises(
        OSError, match=r"missing/t10k-images-idx3-ubyte\.gz: HTTPError: HTTP Error 404"
    ):
        load_mnist(subset="test", data_home=tmp_path / "a" / "b")
    assert list(tmp_path.iterdir()) == []  # directories made for it are removed


def test_failed_download_keeps_existing_directory(tmp_path, mirrors):
    mirrors("missing")
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "notes.txt").write_text("mine")
    with pytest.raises(OSError, match=r"every mirror failed"):
        load_mnist(subset="test", data_home=tmp_path)
    assert [p.name for p in (tmp_path / "mnist").iterdir()] == ["notes.txt"]


def test_download_timeout(tmp_path, monkeypatch):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(4)
        port = silent.getsockname()[1]
        monkeypatch.setattr(_mnist, "MNIST_MIRRORS", (f"http://127.0.0.1:{port}/",))
        monkeypatch.setattr(_mnist, "_TIMEOUT", 0.2)
        with pytest.raises(
            OSError, match=r"(?s)every mirror failed:.*TimeoutError: timed out"
        ):
            load_mnist(subset="test", data_home=tmp_path)
    assert not (tmp_path / "mnist").exists()  # created for the download, removed


def test_download_only_missing_files(tmp_path, mirrors, server):
    mirrors("good")
    (tmp_path / "mnist").mkdir()
    name = TEST_FILES[1]
    shutil.copyfile(REAL_DIR / f"{name}.gz", tmp_path / "mnist" / f"{name}.gz")
    load_mnist(subset="test", data_home=tmp_path)
    assert server.requests == [f"/good/{TEST_FILES[0]}.gz"]


def test_unwritable_home_under_a_file(tmp_path, mirrors, server):
    mirrors("good")
    (tmp_path / "afile").write_text("not a directory")
    home = tmp_path / "afile" / "sub"
    with pytest.raises(
        PermissionError,
        match=r"Cannot write to the directory '.*afile/sub/mnist' \('.*afile' is "
        r"not a directory\)\. MNIST file\(s\) .* must be downloaded there .*"
        r"Pass data_home= or set \$SKIMBALANCE_DATA to a writable directory",
    ):
        load_mnist(subset="test", data_home=home)
    assert server.requests == []  # checked before downloading anything


@pytest.mark.parametrize("existing", [True, False])
def test_unwritable_read_only_home(tmp_path, mirrors, server, existing):
    mirrors("good")
    home = tmp_path / "home"
    target = home / "mnist" if existing else home
    target.mkdir(parents=True)
    target.chmod(0o555)  # root ignores the bits; the loader respects them
    try:
        with pytest.raises(PermissionError, match=r"home(/mnist)?' is not writable"):
            load_mnist(subset="all", data_home=home)
    finally:
        target.chmod(0o755)
    assert server.requests == []
    assert not (home / "mnist").exists() or not any((home / "mnist").iterdir())
