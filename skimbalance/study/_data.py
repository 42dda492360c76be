"""The data of a study and the network trained on it.

The paper's datasets (scikit-learn's digits as a stand-in, MNIST, CIFAR-10) come
with their protocol: examples per class before imbalance, which classes become
minority (random for MNIST, the lowest labels for CIFAR-10), the network, and
for CIFAR-10 global contrast normalisation (per image) and ZCA whitening
(fitted on each configuration's training set, never on test images). A user's
own data is a folder of images per class or an ``.npz`` holding ``X`` and
``y``, scored with repeated stratified k-fold cross-validation or on the
user's own test folder. A folder's images are decoded and resized once per
study, into memory, when they fit the memory budget.
"""

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold, train_test_split

from ..cnn import AllCNNClassifier, CNNClassifier, LeNet5Classifier, ResNet10Classifier
from ..datasets import (
    ImageArray,
    load_cifar10,
    load_digit_images,
    load_image_folder,
    load_mnist,
)
from ._results import missing

#: The datasets of the paper (digits stands in for MNIST, with no download).
PAPER_DATASETS = ("digits", "mnist", "cifar10")
#: Networks by name; any other name is looked up in ``torchvision.models``.
NETWORKS = {
    "lenet5": LeNet5Classifier,
    "allcnn": AllCNNClassifier,
    "resnet10": ResNet10Classifier,
}
#: The paper's base-lr grid for CIFAR-10 (§3.3.2).
LR_GRID = (0.05, 0.005, 0.0005, 0.00005)


@dataclass
class StudyData:
    """The examples of a study and how it treats them.

    Made by :func:`load_study_data`; :func:`run_configuration` takes it.

    Parameters
    ----------
    name : str
        The dataset's name in ``results.csv``.
    X, y : array-like
        The training pool (arrays, or a lazy ImageArray).
    X_test, y_test : array-like or None
        The test set; None when the methods are scored by ``folds``-fold
        cross-validation of ``X`` (a user's data without a test folder).
    folds : int or None
        Cross-validation folds, when there is no test set.
    n_per_class : int or None
        Examples per class before imbalance (None: the smallest class).
    minority : {"random", "lowest"}
        Which classes the imbalance makes minority (MNIST's protocol, or
        CIFAR-10's: the lowest labels).
    net : str
        The dataset's network.
    preprocessing : str or None
        What was done to the examples, for the report.
    class_names : list of str
        The class names, in label order.
    whitener : callable or None
        Makes an unfitted transformer that each configuration fits on its own
        training set and applies to its training and test examples (CIFAR-10's
        ZCA whitening); None for none.
    images : dict
        How a folder's images were read (``image_size``, ``mode``,
        ``channels``, ``resize``, ``decoded``), for ``study.json``; empty for
        arrays.

    Examples
    --------
    >>> from skimbalance.study import load_study_data
    >>> data = load_study_data("digits")
    >>> X_train, y_train, X_test, y_test = data.splits(repeat=0, fold=0, seed=0)
    >>> X_train.shape, X_test.shape, data.net
    ((1198, 64), (599, 64), 'lenet5')
    """

    name: str
    X: object
    y: np.ndarray
    X_test: object = None
    y_test: np.ndarray = None
    folds: int = None
    n_per_class: int = None
    minority: str = "random"
    net: str = "lenet5"
    preprocessing: str = None
    class_names: list = field(default_factory=list)
    whitener: object = None
    images: dict = field(default_factory=dict)

    def units(self, repeats):
        """``(repeat, fold)`` of every training.

        Parameters
        ----------
        repeats : int
            Repeats of the cross-validation (or draws with a test set).

        Returns
        -------
        list of tuple
            The folds of each repeat of the cross-validation, or fold 0 of
            each repeat with a test set.
        """
        return [(r, f) for r in range(repeats) for f in range(self.folds or 1)]

    def splits(self, repeat, fold, seed):
        """The training and test examples of one repeat and fold.

        Cross-validation is scikit-learn's ``RepeatedStratifiedKFold`` seeded
        with ``seed``: repeat 0 is ``StratifiedKFold(shuffle=True,
        random_state=seed)``, each further repeat reshuffles.

        Parameters
        ----------
        repeat : int
            The repeat (with a test set: a new draw and seed only).
        fold : int
            The fold of that repeat's cross-validation (0 with a test set).
        seed : int
            The study's seed (shuffles the folds).

        Returns
        -------
        X_train, y_train, X_test, y_test : array-like
        """
        if self.X_test is not None:
            return self.X, self.y, self.X_test, self.y_test
        train, test = self._folds(repeat + 1, seed)[repeat * self.folds + fold]
        return self.X[train], self.y[train], self.X[test], self.y[test]

    def _folds(self, repeats, seed):
        cached = getattr(self, "_split_cache", None)
        if cached is None or cached[0] < repeats or cached[1] != seed:
            splitter = RepeatedStratifiedKFold(
                n_splits=self.folds, n_repeats=repeats, random_state=seed
            )
            found = list(splitter.split(np.zeros(len(self.y)), self.y))
            self._split_cache = cached = (repeats, seed, found)
        return cached[2]

    def test_class_counts(self, seed):
        """How thin each class's evidence is.

        Parameters
        ----------
        seed : int
            Seed of the cross-validation splits.

        Returns
        -------
        dict
            The fewest test examples of each class in any fold (or the test
            set's counts), by class name.
        """
        names = self.class_names or [str(c) for c in np.unique(self.y)]
        classes = np.unique(self.y)
        if self.X_test is not None:
            tests = [np.asarray(self.y_test)]
        else:
            tests = [self.y[test] for _, test in self._folds(1, seed)]
        fewest = np.min(
            [[np.count_nonzero(t == c) for c in classes] for t in tests], axis=0
        )
        return dict(zip(names, fewest.tolist()))

    def class_counts(self):
        """Examples of each class in ``X``, by class name.

        Returns
        -------
        counts : dict of str to int
        """
        labels = self.class_names or [str(c) for c in np.unique(self.y)]
        return dict(
            zip(
                labels, np.bincount(np.searchsorted(np.unique(self.y), self.y)).tolist()
            )
        )


def is_paper_dataset(dataset):
    return dataset in PAPER_DATASETS


def check_dataset(dataset, test=None):
    """A ValueError before any work unless ``dataset`` names one of the paper's
    datasets or an existing folder or ``.npz`` file (and ``test`` likewise)."""
    if is_paper_dataset(dataset):
        if test is not None:
            raise ValueError(
                f"test={test!r} is for a dataset of your own; {dataset} has its own "
                "test set."
            )
        return
    for name, value in (("dataset", dataset), ("test", test)):
        if value is None:
            continue
        path = Path(value)
        if not (path.is_dir() or (path.is_file() and path.suffix == ".npz")):
            expected = f"one of {list(PAPER_DATASETS)} or " if name == "dataset" else ""
            raise ValueError(
                f"{name}={str(value)!r} is neither {expected}a folder of images per "
                "class nor an .npz file holding X and y."
            )


def load_study_data(
    dataset,
    *,
    test=None,
    folds=3,
    image_size=None,
    n_per_class=None,
    mode="auto",
    resize="squash",
    memory_budget=None,
    cache=None,
    quiet=True,
):
    """Load the data of a study (may download; raises OSError when it cannot).

    Parameters
    ----------
    dataset : str
        ``"digits"``, ``"mnist"``, ``"cifar10"``, or a path: a folder of images
        per class, or an ``.npz`` with arrays ``X`` and ``y``.
    test : str or None
        The user's own test data (same form), instead of cross-validation.
    folds : int
        Cross-validation folds of a user's data without ``test``.
    image_size : int or None
        Resize the images of a folder to this size.
    n_per_class : int or None
        Examples per class before imbalance; ``None`` is the protocol's (MNIST
        and CIFAR-10: 5000 as in the paper; digits: its smallest class).
    mode : {"auto", "L", "RGB"}
        How a folder's images are read: grey-scale, colour, or what the files
        hold (``"auto"``).
    resize : {"squash", "pad", "crop"}
        How a folder's images of another aspect ratio reach ``image_size``
        (see :func:`~skimbalance.datasets.load_image_folder`).
    memory_budget : int or None
        Bytes a folder's decoded images may take in memory: within it they are
        decoded once, here; beyond it they are decoded at every batch (with a
        warning). None is a quarter of the machine's memory.
    cache : path-like or None
        Keep a folder's decoded images in this cache folder (a memory map;
        ``<cache>/test`` for a test folder) instead of memory.
    quiet : bool
        No progress bar while decoding.

    Returns
    -------
    data : StudyData

    Examples
    --------
    >>> from skimbalance.study import load_study_data
    >>> data = load_study_data("digits")
    >>> data.name, data.minority, len(data.y), len(data.y_test)
    ('digits', 'random', 1198, 599)
    """
    if dataset == "digits":
        X, y = load_digit_images(return_X_y=True)
        X, X_test, y, y_test = train_test_split(
            X, y, test_size=1 / 3, stratify=y, random_state=0
        )
        return StudyData("digits", X, y, X_test, y_test, n_per_class=n_per_class)
    if dataset == "mnist":
        X, y = load_mnist(return_X_y=True)
        X_test, y_test = load_mnist(subset="test", return_X_y=True)
        return StudyData("mnist", X, y, X_test, y_test, n_per_class=n_per_class or 5000)
    if dataset == "cifar10":
        return _cifar10(n_per_class or 5000)
    read = dict(image_size=image_size, mode=mode, resize=resize)
    X, y, names, images = _own(dataset, **read, cache=cache)
    data = StudyData(
        Path(dataset).name,
        X,
        y,
        folds=None if test else folds,
        n_per_class=n_per_class,
        class_names=names,
        images=images,
    )
    if test is not None:
        test_cache = None if cache is None else Path(cache) / "test"
        data.X_test, data.y_test, test_names, _ = _own(test, **read, cache=test_cache)
        if test_names != names:
            raise ValueError(
                f"The test data has the classes {test_names}, the training data "
                f"{names}; they must be the same."
            )
    if images and cache is None:
        budget = default_memory_budget() if memory_budget is None else memory_budget
        _decode_once(data, budget, quiet)
    return data


def default_memory_budget():
    """A quarter of the machine's physical memory, in bytes."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 4
    except (ValueError, OSError, AttributeError):
        return 2 * 1024**3


def _decode_once(data, budget, quiet):
    """Decode a folder's images (and its test folder's) into uint8 arrays in
    memory when they fit ``budget``, so that no model decodes them again."""
    arrays = [a for a in (data.X, data.X_test) if isinstance(a, ImageArray)]
    needed = sum(a.nbytes for a in arrays)
    if needed > budget:
        import warnings

        warnings.warn(
            f"The decoded images need {needed / 2**20:.0f} MiB, more than the "
            f"memory budget of {budget / 2**20:.0f} MiB: they are decoded again "
            "at every batch, which is slow. Use a smaller --image-size or a "
            "larger --memory-budget.",
            stacklevel=3,
        )
        data.images["decoded"] = "at every batch (over the memory budget)"
        return
    decoded = [_decoded(a, quiet) for a in arrays]
    if isinstance(data.X, ImageArray):
        data.X = decoded.pop(0)
    if isinstance(data.X_test, ImageArray):
        data.X_test = decoded.pop(0)
    data.images["decoded"] = f"once, into memory ({needed / 2**20:.1f} MiB)"


def _decoded(images, quiet, chunk=512):
    from tqdm.auto import tqdm

    out = np.empty(images.shape, dtype=images.dtype)
    with tqdm(total=len(images), disable=quiet, unit="image", desc="decoding",
              file=sys.stderr) as bar:  # fmt: skip
        for start in range(0, len(images), chunk):
            rows = np.arange(start, min(start + chunk, len(images)))
            out[rows] = images.read(rows)
            bar.update(len(rows))
    return out


def _cifar10(n_per_class):
    """CIFAR-10 with the paper's preprocessing: global contrast normalisation
    per image, ZCA whitening fitted by each configuration on its training set."""
    from ..preprocessing import GlobalContrastNormalizer
    from ..sampling import StepImbalanceSampler

    train, test = load_cifar10(), load_cifar10(subset="test")
    X, y = train.data, train.target
    if n_per_class < np.bincount(y).min():  # the pool: n_per_class of each class
        keep = StepImbalanceSampler(
            rho=1, mu=1, n_majority=n_per_class, random_state=0
        ).fit(y[:, None], y)
        X, y = X[keep.sample_indices_], y[keep.sample_indices_]
    gcn = GlobalContrastNormalizer()  # per image: nothing is learned
    return StudyData(
        "cifar10",
        gcn.fit_transform(X).astype(np.float32, copy=False),
        y,
        gcn.transform(test.data).astype(np.float32, copy=False),
        test.target,
        n_per_class=None,
        minority="lowest",
        net="allcnn",
        preprocessing="global contrast normalisation (scale 55, sqrt_bias 10) of "
        "each image, then ZCA whitening (epsilon 0.1) fitted on each "
        "configuration's training set",
        class_names=train.target_names.tolist(),
        whitener=_zca,
    )


def _zca():
    from ..preprocessing import ZCAWhitener

    return ZCAWhitener()


def _own(path, *, image_size, mode, resize, cache=None):
    """``(X, y, class names, how images were read)`` of a folder or ``.npz``."""
    path = Path(path)
    if path.is_dir():
        bunch = load_image_folder(
            path, image_size=image_size, mode=mode, resize=resize, cache=cache
        )
        channels, height, width = bunch.image_shape
        images = {
            "image_size": [int(height), int(width)],
            "mode": bunch.mode,
            "channels": int(channels),
            "resize": resize if image_size is not None else "none",
        }
        if bunch.cache:
            images["decoded"] = f"once, into the cache {bunch.cache}"
        return bunch.data, bunch.target, bunch.target_names.tolist(), images
    with np.load(path, allow_pickle=False) as archive:
        if not {"X", "y"} <= set(archive.files):
            raise ValueError(
                f"'{path}' must hold the arrays X and y; it holds {archive.files}."
            )
        X, y = archive["X"], archive["y"]
    if len(X) != len(y):
        raise ValueError(
            f"'{path}' holds {len(X)} examples in X but {len(y)} labels in y; "
            "they must be as many."
        )
    names = [str(c) for c in np.unique(y)]
    return X, y, names, {}


def check_net(net):
    """A ValueError unless ``net`` is one of :data:`NETWORKS` or a model of an
    installed torchvision."""
    if net is None or net in NETWORKS:
        return
    try:
        import torchvision
    except ImportError:
        raise ValueError(
            f"net={net!r} is not one of {sorted(NETWORKS)}, and torchvision (for "
            "its models) is not installed."
        ) from None
    if not callable(getattr(torchvision.models, net, None)):
        raise ValueError(
            f"net={net!r} is neither one of {sorted(NETWORKS)} nor a model of "
            "torchvision.models."
        )


def default_lr(net):
    if net in NETWORKS:
        return NETWORKS[net]().lr
    return 0.01


def make_network(net, *, max_iter, random_state, device, lr, precision="32"):
    """The study's network: a paper classifier with the paper's training, or a
    torchvision model with ImageNet normalisation."""
    options = dict(
        max_iter=max_iter,
        random_state=random_state,
        device=device,
        lr=lr,
        precision=precision,
    )
    if net in NETWORKS:
        return NETWORKS[net](**options)
    import torchvision

    return CNNClassifier(
        getattr(torchvision.models, net), normalize="imagenet", **options
    )


def config_seed(seed, rho, mu, repeat):
    """The seed of one configuration, from the study's seed (NaN rho/mu allowed).

    ``repeat`` numbers the training units of a configuration: the repeat of
    the protocol, or ``repeat * folds + fold`` in cross-validation (so the
    folds of the first repeat keep the seeds they had before folds repeated).
    """
    rho_code = 0 if missing(rho) else round(rho * 1e6)  # rho >= 1: no clash
    mu_code = -1 if missing(mu) else round(mu * 1e6)
    entropy = [seed, repeat, rho_code, mu_code + 1]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0] >> 1)
