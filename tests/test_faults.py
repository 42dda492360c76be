"""A table of bad inputs and faults across the public API.

Each row calls one public entry point (estimators, samplers, metrics, loaders,
networks, losses, the CLI) with one thing wrong, and asserts the exception type
and that the message names the parameter, the value or the file. Everything
fails before any training, so the table runs in a few seconds.
"""

import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.svm import LinearSVC

from skimbalance import (
    DownsampleUpweightClassifier,
    PriorThresholdClassifier,
    TwoPhaseClassifier,
)
from skimbalance.__main__ import main as cli
from skimbalance.cnn import CNNClassifier
from skimbalance.datasets import (
    ImageArray,
    load_cifar10,
    load_image_folder,
    load_mnist,
)
from skimbalance.losses import FocalLoss, LDAMLoss
from skimbalance.metrics import (
    imbalance_scorers,
    macro_average_precision_score,
    multiclass_roc_auc_score,
)
from skimbalance.nets import build_network
from skimbalance.sampling import (
    ClassAwareSampler,
    LinearImbalanceSampler,
    RatioOverSampler,
    RatioUnderSampler,
    StepImbalanceSampler,
)

RNG = np.random.default_rng(0)
X = RNG.random((60, 16)).astype(np.float32)
Y = np.arange(60) % 3
FAST = {"module": "mlp", "max_iter": 2, "batch_size": 16, "device": "cpu"}


def cnn(**params):
    return CNNClassifier(**{**FAST, **params})


def fit(estimator, X=X, y=Y, **fit_params):
    return lambda: estimator.fit(X, y, **fit_params)


_fitted = {}


def fitted_cnn():
    if "cnn" not in _fitted:
        _fitted["cnn"] = cnn(random_state=0).fit(X, Y)
    return _fitted["cnn"]


class Odd(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.body = torch.nn.Linear(16, 5)

    def forward(self, x):
        return self.body(torch.flatten(x, 1))


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("faults")
    (root / "folder" / "a").mkdir(parents=True)
    (root / "folder" / "empty").mkdir()
    Image.new("RGB", (4, 4)).save(root / "folder" / "a" / "0.png")
    Image.new("RGB", (4, 4)).save(root / "small.png")
    Image.new("RGB", (6, 6)).save(root / "big.png")
    (root / "notes.png").write_text("not an image")
    (root / "weights.pt").write_text("not weights")
    return root


def _cases(files):
    """(id, call, exception type, message regex) for every fault."""
    p = files
    return [
        # -- CNN estimators: parameters
        ("max_iter=0", fit(cnn(max_iter=0)), ValueError, r"'max_iter' parameter.*Got 0"),
        ("batch_size<0", fit(cnn(batch_size=-1)), ValueError, r"'batch_size'.*Got -1"),
        ("lr=0", fit(cnn(lr=0)), ValueError, r"'lr' parameter.*Got 0"),
        ("momentum>1", fit(cnn(momentum=1.5)), ValueError, r"'momentum'.*Got 1.5"),
        ("lr_schedule", fit(cnn(lr_schedule="cosine")), ValueError, r"'lr_schedule'.*'cosine'"),
        ("criterion name", fit(cnn(criterion="hinge")), ValueError, r"'criterion' parameter.*'hinge'"),
        ("class_weight str", fit(cnn(class_weight="auto")), ValueError, r"'class_weight'.*'auto'"),
        ("batch_sampling", fit(cnn(batch_sampling="random")), ValueError, r"'batch_sampling'"),
        ("train_split", fit(cnn(train_split=1.5)), ValueError, r"'train_split'.*1.5"),
        ("device", fit(cnn(device="banana")), ValueError, r"device='banana' is not a torch device"),
        ("input_shape 0", fit(cnn(input_shape=(1, 0, 16))), ValueError, r"input_shape=\(1, 0, 16\)"),
        ("input_shape size", fit(cnn(input_shape=(2, 4, 4))), ValueError, r"input_shape=\(2, 4, 4\) has 32 values .*n_features=16"),
        ("precision 16 on CPU", fit(cnn(precision="16")), ValueError, r"precision='16'.*needs a CUDA device"),
        ("precision", fit(cnn(precision="64")), ValueError, r"'precision' parameter.*'64'"),
        ("nested parameter", fit(cnn(optimizer__momentm=0.9)), ValueError, r"optimizer__momentm=0.9: optimizer='sgd' \(SGD\) takes no parameter 'momentm'"),
        ("callback", fit(cnn(callbacks=[object()])), ValueError, r"callbacks\[0\]=<object object .*> is not a skorch callback"),
        ("augment", fit(cnn(augment="mixup")), ValueError, r"'augment' parameter.*'mixup'"),
        ("normalize shape", fit(cnn(normalize=(0.5,))), ValueError, r"normalize must be .*got normalize=\(0.5,\)"),
        ("normalize std 0", fit(cnn(normalize=(0.5, 0.0))), ValueError, r"positive std"),
        ("optimizer", fit(cnn(optimizer=int)), ValueError, r"optimizer must be .*<class 'int'>"),
        ("data_format", fit(cnn(data_format="NHWC")), ValueError, r"'data_format' parameter.*'NHWC'"),
        ("module name", fit(cnn(module="resnet50")), ValueError, r"'module' parameter.*'resnet50'"),
        ("module output size", fit(cnn(module=Odd())), ValueError, r"outputs 5 values per example but y has 3 classes"),
        ("class_weight unknown class", fit(cnn(class_weight={7: 2.0})), ValueError, r"class 7, which is not one of the classes"),
        ("class_weight negative", fit(cnn(class_weight={0: -1})), ValueError, r"class_weight\[0\]=-1"),
        ("class_weight nan", fit(cnn(class_weight={1: np.nan})), ValueError, r"class_weight\[1\]=nan"),
        # -- CNN estimators: data
        ("X with NaN", fit(cnn(), X=np.where(X > 0.9, np.nan, X)), ValueError, r"Input X contains NaN"),
        ("X 1-D", fit(cnn(), X=X[:, 0]), ValueError, r"Expected 2D array, got 1D array"),
        ("X complex", fit(cnn(), X=X.astype(complex)), ValueError, r"Complex data not supported"),
        ("X strings", fit(cnn(), X=np.full((60, 16), "a")), ValueError, r"dtype='numeric' is not compatible"),
        ("X ambiguous layout", fit(cnn(), X=np.zeros((60, 4, 9, 3), np.uint8)), ValueError, r"\(4, 9, 3\).*data_format="),
        ("y continuous", fit(cnn(), y=np.linspace(0, 1, 60)), ValueError, r"Unknown label type"),
        ("y one class", fit(cnn(), y=np.zeros(60)), ValueError, r"at least 2 classes; got 60 samples of 1 class \(0.0\)"),
        ("X and y lengths", fit(cnn(), y=Y[:-1]), ValueError, r"len\(X\)=60 and len\(y\)=59"),
        ("lazy X with NaN", fit(cnn(), X=ImageArray(np.where(X > 0.9, np.nan, X).reshape(60, 1, 4, 4))[np.arange(60)]), ValueError, r"Input X contains NaN"),
        ("lazy X with inf", fit(cnn(), X=ImageArray(np.where(X > 0.9, np.inf, X).reshape(60, 1, 4, 4))), ValueError, r"Input X contains infinity"),
        ("int pixels out of range", fit(cnn(), X=(X * 1e6).astype(np.int64)), ValueError, r"integer pixels of dtype int64 from \d+ to \d+: integer images must be 0..255"),
        ("negative int pixels", fit(cnn(), X=(X * 10).astype(np.int32) - 5), ValueError, r"integer pixels of dtype int32 from -5"),
        ("predict empty lazy view", lambda: fitted_cnn().predict(ImageArray(X.reshape(60, 1, 4, 4))[[]]), ValueError, r"Found array with 0 sample\(s\) \(shape=\(0, 1, 4, 4\)\) while a minimum of 1 is required by CNNClassifier"),
        ("predict empty 4-D", lambda: fitted_cnn().predict(np.zeros((0, 1, 4, 4), np.float32)), ValueError, r"Found array with 0 sample\(s\) \(shape=\(0, 1, 4, 4\)\)"),
        ("y mixes str and int", fit(cnn(), y=np.array([1, "a", 2] * 20, dtype=object)), ValueError, r"y must be all strings or all numbers; got a mix of str and int"),
        ("sample_weight < 0", fit(cnn(), sample_weight=-np.ones(60)), ValueError, r"Negative values in data passed to .sample_weight"),
        ("sample_weight length", fit(cnn(), sample_weight=np.ones(5)), ValueError, r"sample_weight.shape == \(5,\), expected \(60,\)"),
        ("predict unfitted", lambda: cnn().predict(X), NotFittedError, r"CNNClassifier instance is not fitted"),
        ("predict n_features", lambda: fitted_cnn().predict(X[:, :8]), ValueError, r"X has 8 features, but CNNClassifier is expecting 16"),
        ("partial_fit classes", lambda: cnn().partial_fit(X, Y, classes=[0, 1, 2]).partial_fit(X, Y, classes=[0, 1]), ValueError, r"classes=\[0, 1\] is not the same"),
        ("fine_tune lr_factor", lambda: fitted_cnn().fine_tune(X, Y, lr_factor=0), ValueError, r"'lr_factor' parameter of fine_tune .*Got 0"),
        ("fine_tune unfitted", lambda: cnn().fine_tune(X, Y), NotFittedError, r"not fitted"),
        ("load_params not a params file", lambda: fitted_cnn().load_params(f_params=p / "weights.pt"), ValueError, r"Cannot read '.*weights\.pt'"),
        # -- meta-estimators
        ("priors length", fit(PriorThresholdClassifier(LogisticRegression(), priors=[0.5, 0.5])), ValueError, r"`priors` must have one value per class \(3"),
        ("priors sum", fit(PriorThresholdClassifier(LogisticRegression(), priors=[0.5, 0.3, 0.3])), ValueError, r"`priors` must sum to 1"),
        ("target_priors < 0", fit(PriorThresholdClassifier(LogisticRegression(), target_priors=[1.2, -0.1, -0.1])), ValueError, r"`target_priors` must be finite and > 0"),
        ("tau < 0", fit(PriorThresholdClassifier(LogisticRegression(), tau=-1)), ValueError, r"'tau' parameter.*Got -1"),
        ("y None", lambda: PriorThresholdClassifier(LogisticRegression()).fit(X, None), ValueError, r"requires y to be passed"),
        ("class of weight 0", fit(PriorThresholdClassifier(LogisticRegression()), sample_weight=(Y != 0).astype(float)), ValueError, r"class\(es\) \[0\] a total weight of 0"),
        ("factor < 1", fit(DownsampleUpweightClassifier(LogisticRegression(), factor=0.5)), ValueError, r"'factor' parameter.*Got 0.5"),
        ("no sample_weight in fit", fit(DownsampleUpweightClassifier(make_pipeline(LogisticRegression()))), ValueError, r"does not accept sample_weight"),
        ("upweight negative weights", fit(DownsampleUpweightClassifier(LogisticRegression()), sample_weight=-np.ones(60)), ValueError, r"Negative values in data passed to .sample_weight"),
        ("no predict_proba", lambda: DownsampleUpweightClassifier(LinearSVC()).fit(X, Y).predict_proba(X), AttributeError, r"predict_proba"),
        ("finetune_lr_factor", fit(TwoPhaseClassifier(cnn(), RatioOverSampler(), finetune_lr_factor=0)), ValueError, r"'finetune_lr_factor'.*Got 0"),
        # -- samplers
        ("ratio < 1 over", fit(RatioOverSampler(imbalance_ratio=0.5)), ValueError, r"'imbalance_ratio'.*Got 0.5"),
        ("ratio nan under", fit(RatioUnderSampler(imbalance_ratio=np.nan)), ValueError, r"'imbalance_ratio'.*Got nan"),
        ("rho < 1", fit(StepImbalanceSampler(rho=0.5, mu=0.5)), ValueError, r"'rho' parameter.*Got 0.5"),
        ("mu > 1", fit(StepImbalanceSampler(rho=2, mu=1.5)), ValueError, r"'mu' parameter.*Got 1.5"),
        ("minority class unknown", fit(StepImbalanceSampler(rho=2, minority_classes=[42])), ValueError, r"classes not in y: \[42\]"),
        ("n_majority too large", fit(StepImbalanceSampler(rho=2, mu=0.5, n_majority=99)), ValueError, r"n_majority=99 is larger than the smallest class \(20"),
        ("class_order duplicates", fit(LinearImbalanceSampler(rho=2, class_order=[0, 0, 1])), ValueError, r"class_order contains duplicates"),
        ("sampler one class", fit(RatioOverSampler(), y=np.zeros(60)), ValueError, r"at least 2 classes; got 1 class"),
        ("sampler lengths", fit(RatioUnderSampler(), y=Y[:10]), ValueError, r"len\(X\)=60 and len\(y\)=10"),
        ("sampler mixed labels", fit(RatioOverSampler(), X=ImageArray(X.reshape(60, 1, 4, 4)), y=np.array([1, "a", 2] * 20, dtype=object)), ValueError, r"y must be all strings or all numbers; got a mix of str and int, e.g. 'a' at index 1 and 1 at index 0"),
        ("class-aware NaN label", lambda: ClassAwareSampler([0.0, np.nan]), ValueError, r"NaN at index 1"),
        ("class-aware mixed labels", lambda: ClassAwareSampler(np.array([1, "a"], dtype=object)), ValueError, r"all strings or all numbers"),
        ("class-aware num_samples", lambda: ClassAwareSampler([0, 1], num_samples=0), ValueError, r"'num_samples' parameter.*Got 0"),
        # -- metrics
        ("AUC one class", lambda: multiclass_roc_auc_score([1, 1], [[0.5, 0.5]] * 2), ValueError, r"ROC AUC needs at least 2 classes in y_true"),
        ("AUC columns", lambda: multiclass_roc_auc_score(Y, np.ones((60, 2)) / 2), ValueError, r"y_score has 2 columns but there are 3 classes"),
        ("AUC NaN scores", lambda: multiclass_roc_auc_score([0, 1], [np.nan, 0.5]), ValueError, r"y_score must be finite; got 1 NaN"),
        ("AP not probabilities", lambda: macro_average_precision_score(Y, np.ones((60, 3)), require_proba=True), ValueError, r"must hold probabilities .*row sums in \[3"),
        ("AUC duplicate labels", lambda: multiclass_roc_auc_score([0, 1], [0.2, 0.8], labels=[0, 0]), ValueError, r"labels must be unique; got \[0, 0\]"),
        ("AUC negative weight", lambda: multiclass_roc_auc_score([0, 1], [0.2, 0.8], sample_weight=[1, -1]), ValueError, r"Negative values in data passed to .sample_weight"),
        ("scorer without predict_proba", lambda: imbalance_scorers()["roc_auc"](LinearSVC().fit(X, Y), X, Y), AttributeError, r"needs predict_proba, which LinearSVC"),
        # -- loaders and lazy arrays
        ("mnist subset", lambda: load_mnist(subset="valid"), ValueError, r"'subset' parameter of load_mnist.*'valid'"),
        ("mnist offline", lambda: load_mnist(data_home=p / "nothing", download=False), FileNotFoundError, r"train-images-idx3-ubyte\.gz.*data_home argument.*SKIMBALANCE_DATA"),
        ("cifar subset", lambda: load_cifar10(subset="valid"), ValueError, r"'subset' parameter of load_cifar10"),
        ("cifar offline", lambda: load_cifar10(data_home=p / "nothing", download=False), FileNotFoundError, r"cifar10-jpg.*cifar-10-python\.tar\.gz.*download=False"),
        ("folder missing", lambda: load_image_folder(p / "nowhere"), FileNotFoundError, r"nowhere' does not exist"),
        ("folder empty class", lambda: load_image_folder(p / "folder"), FileNotFoundError, r"empty' holds no image file"),
        ("folder image_size", lambda: load_image_folder(p / "folder", image_size=0), ValueError, r"image_size=0"),
        ("folder mode", lambda: load_image_folder(p / "folder", mode="P"), ValueError, r"mode must be one of.*mode='P'"),
        ("image not readable", lambda: ImageArray.from_files([p / "small.png", p / "notes.png"]), OSError, r"Cannot read image '.*notes\.png'"),
        ("images of two sizes", lambda: ImageArray.from_files([p / "small.png", p / "big.png"]), ValueError, r"big\.png' is 6x6"),
        ("index out of range", lambda: ImageArray(np.zeros((3, 1, 2, 2)))[5], IndexError, r"index 5 is out of range for an ImageArray of 3"),
        ("mask of another length", lambda: ImageArray(np.zeros((3, 1, 2, 2)))[np.ones(4, bool)], IndexError, r"boolean index of shape \(4,\)"),
        # -- networks and losses
        ("network name", lambda: build_network("vgg", input_shape=(1, 8, 8), n_classes=2), ValueError, r"Unknown module 'vgg'"),
        ("focal gamma", lambda: FocalLoss(gamma=-1), ValueError, r"'gamma' parameter of FocalLoss.*Got -1 instead"),
        ("LDAM without counts", lambda: LDAMLoss()(torch.zeros(2, 3), torch.tensor([0, 1])), ValueError, r"LDAMLoss needs class counts"),
    ]  # fmt: skip


def _ids():
    """The row ids (building the rows runs none of their calls)."""
    return [case[0] for case in _cases(Path("unused"))]


@pytest.fixture(scope="module")
def cases(files):
    return {case[0]: case[1:] for case in _cases(files)}


def test_the_table_is_large_and_its_rows_distinct():
    ids = _ids()
    assert len(ids) >= 60 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", _ids())
def test_fault(case, cases):
    call, error, match = cases[case]
    before = X.copy()
    with pytest.raises(error, match=match):
        call()
    np.testing.assert_array_equal(X, before)  # the caller's data is untouched


@pytest.mark.parametrize(
    "argv, match",
    [
        (["--methods", "bogus"], r"bogus"),
        (["--rho", "0.5"], r"rho must be >= 1; got rho=0.5"),
        (["--dataset", "cifar100"], r"cifar100"),
        (["--imbalance", "random"], r"random"),
    ],
)
def test_cli_fault(argv, match, tmp_path, capsys):
    try:
        code = cli(["study", "--quiet", "--out", str(tmp_path / "out"), *argv])
    except SystemExit as exc:  # argparse's own checks (choices) exit directly
        code = exc.code
    assert code == 2
    assert re.search(match, capsys.readouterr().err)
    assert not (tmp_path / "out").exists()
