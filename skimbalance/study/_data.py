"""The data of a study and the network trained on it.

The paper's datasets (scikit-learn's digits as a stand-in, MNIST, CIFAR-10) come
with their protocol: examples per class before imbalance, which classes become
minority (random for MNIST, the lowest labels for CIFAR-10), the network, and
for CIFAR-10 global contrast normalisation and ZCA whitening (fitted once on
the training pool). A user's own data is a folder of images per class or an
``.npz`` holding ``X`` and ``y``, scored with stratified k-fold
cross-validation or on the user's own test folder.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold, train_test_split

from ..cnn import AllCNNClassifier, CNNClassifier, LeNet5Classifier, ResNet10Classifier
from ..datasets import load_cifar10, load_digit_images, load_image_folder, load_mnist
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

    Examples
    --------
    >>> from skimbalance.study import load_study_data
    >>> data = load_study_data("digits")
    >>> X_train, y_train, X_test, y_test = data.splits(repeat=0, seed=0)
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

    def splits(self, repeat, seed):
        """The training and test examples of one repeat (or fold).

        Parameters
        ----------
        repeat : int
            The repeat, or the fold of the cross-validation.
        seed : int
            The study's seed (shuffles the folds).

        Returns
        -------
        X_train, y_train, X_test, y_test : array-like
        """
        if self.X_test is not None:
            return self.X, self.y, self.X_test, self.y_test
        folds = StratifiedKFold(self.folds, shuffle=True, random_state=seed)
        train, test = list(folds.split(np.zeros(len(self.y)), self.y))[repeat]
        return self.X[train], self.y[train], self.X[test], self.y[test]

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


def load_study_data(dataset, *, test=None, folds=3, image_size=None, n_per_class=None):
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
    X, y, names = _own(dataset, image_size)
    data = StudyData(
        Path(dataset).name,
        X,
        y,
        folds=None if test else folds,
        n_per_class=n_per_class,
        class_names=names,
    )
    if test is not None:
        data.X_test, data.y_test, test_names = _own(test, image_size)
        if test_names != names:
            raise ValueError(
                f"The test data has the classes {test_names}, the training data "
                f"{names}; they must be the same."
            )
    return data


def _cifar10(n_per_class):
    """CIFAR-10 with the paper's preprocessing, fitted once on the training pool."""
    from ..preprocessing import GlobalContrastNormalizer, ZCAWhitener
    from ..sampling import StepImbalanceSampler

    train, test = load_cifar10(), load_cifar10(subset="test")
    X, y = train.data, train.target
    if n_per_class < np.bincount(y).min():  # the pool: n_per_class of each class
        keep = StepImbalanceSampler(
            rho=1, mu=1, n_majority=n_per_class, random_state=0
        ).fit(y[:, None], y)
        X, y = X[keep.sample_indices_], y[keep.sample_indices_]
    gcn = GlobalContrastNormalizer()
    zca = ZCAWhitener().fit(gcn.fit_transform(X))
    return StudyData(
        "cifar10",
        zca.transform(gcn.transform(X)),
        y,
        zca.transform(gcn.transform(test.data)),
        test.target,
        n_per_class=None,
        minority="lowest",
        net="allcnn",
        preprocessing="global contrast normalisation (scale 55, sqrt_bias 10) and "
        "ZCA whitening (epsilon 0.1), fitted on the training pool",
        class_names=train.target_names.tolist(),
    )


def _own(path, image_size):
    path = Path(path)
    if path.is_dir():
        bunch = load_image_folder(path, image_size=image_size)
        return bunch.data, bunch.target, bunch.target_names.tolist()
    with np.load(path, allow_pickle=False) as archive:
        if not {"X", "y"} <= set(archive.files):
            raise ValueError(
                f"'{path}' must hold the arrays X and y; it holds {archive.files}."
            )
        X, y = archive["X"], archive["y"]
    names = [str(c) for c in np.unique(y)]
    return X, y, names


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
    """The seed of one configuration, from the study's seed (NaN rho/mu allowed)."""
    rho_code = 0 if missing(rho) else round(rho * 1e6)  # rho >= 1: no clash
    mu_code = -1 if missing(mu) else round(mu * 1e6)
    entropy = [seed, repeat, rho_code, mu_code + 1]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0] >> 1)
