"""scikit-learn's and imbalanced-learn's common checks on every public estimator.

Estimators are found by crawling the package (every ``__all__`` of every
subpackage), so whatever is added later is checked without being listed here.
``FAST_PARAMS`` only makes the checks quick; ``EXPECTED_FAILED_CHECKS`` lists
each known failure with its reason.
"""

import inspect

import pytest
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imblearn_parametrize_with_checks,
)
from sklearn.base import BaseEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import (
    parametrize_with_checks as sklearn_parametrize_with_checks,
)

from skimbalance import DownsampleUpweightClassifier, PriorThresholdClassifier
from skimbalance.cnn import CNNClassifier
from skimbalance.sampling import RatioOverSampler
from skimbalance.utils._public import public_objects

#: Parameters that make an estimator fast enough for the common checks.
_FAST_NET = {"max_iter": 100, "batch_size": 32}
# All-CNN and ResNet-10 share every line of training code with CNNClassifier;
# they get a tiny budget here (a few updates cost seconds on CPU) and so cannot
# meet the accuracy thresholds of the learning checks listed below.
_TINY_NET = {"max_iter": 3, "batch_size": 16, "lr": 0.01}
FAST_PARAMS = {
    "PriorThresholdClassifier": {"estimator": LogisticRegression()},
    "DownsampleUpweightClassifier": {"estimator": LogisticRegression()},
    "TwoPhaseClassifier": {
        "estimator": CNNClassifier(max_iter=100, batch_size=32, random_state=0),
        "sampler": RatioOverSampler(random_state=0),
    },
    "CNNClassifier": _FAST_NET,
    "LeNet5Classifier": _FAST_NET,
    "AllCNNClassifier": _TINY_NET,
    "ResNet10Classifier": {**_TINY_NET, "module__base_width": 4},
}

#: Non-default configurations that take other code paths, checked as well.
EXTRA_INSTANCES = [
    PriorThresholdClassifier(LogisticRegression(), target_priors="em"),
    PriorThresholdClassifier(LogisticRegression(), tau=0.5),
    DownsampleUpweightClassifier(LogisticRegression(), factor=3, random_state=0),
    CNNClassifier(
        "mlp", **_FAST_NET, batch_sampling="class_aware", train_split=0.2,
        class_weight="balanced", criterion="focal", normalize="auto", optimizer="adam",
        lr=0.01, random_state=0,
    ),
]  # fmt: skip

_SAMPLE_WEIGHT_EQUIVALENCE = {
    "check_sample_weight_equivalence_on_dense_data": (
        "minibatch SGD: weight 2 on a row is not the same as repeating the row, "
        "which changes the batches (sklearn's SGDClassifier is listed alike)"
    ),
}
_MINIBATCH_SGD = {
    **_SAMPLE_WEIGHT_EQUIVALENCE,
    "check_class_weight_classifiers": (
        "class_weight={0: 1000, ...} scales the gradient by 1000: SGD at lr 0.01 "
        "diverges and fit stops with FloatingPointError, as designed"
    ),
}
_TINY_BUDGET = "3 updates of a large network cannot reach the check's accuracy"
_LEARNING_CHECKS = {
    name: _TINY_BUDGET
    for name in [
        "check_classifiers_train",
        "check_classifiers_train(readonly_memmap=True)",
        "check_classifiers_train(readonly_memmap=True,X_dtype=float32)",
        "check_classifiers_with_encoded_labels",
    ]
}

#: {class name: {check name: reason}}.
EXPECTED_FAILED_CHECKS = {
    "CNNClassifier": _MINIBATCH_SGD,
    "TwoPhaseClassifier": _MINIBATCH_SGD,
    "DownsampleUpweightClassifier": {
        f"check_sample_weight_equivalence_on_{kind}_data": (
            "the random downsampling keeps other rows when rows are repeated"
        )
        for kind in ("dense", "sparse")
    },
    "LeNet5Classifier": _MINIBATCH_SGD,
    # 3 updates are too few to diverge on the class-weight check, or to learn.
    "AllCNNClassifier": {**_SAMPLE_WEIGHT_EQUIVALENCE, **_LEARNING_CHECKS},
    "ResNet10Classifier": {**_SAMPLE_WEIGHT_EQUIVALENCE, **_LEARNING_CHECKS},
}


#: {(class name, check name): reason} for checks skipped for their cost alone.
TOO_SLOW = {
    (cls, "check_class_weight_classifiers"): (
        "scikit-learn sets max_iter=1000: a thousand updates of this network cost "
        "more than all its other checks, and class_weight is CNNClassifier's code, "
        "checked on CNNClassifier, LeNet5Classifier and the class-aware configuration"
    )
    for cls in ("AllCNNClassifier", "ResNet10Classifier")
}


def all_public_estimators():
    """Every public, concrete estimator class of the package, sorted by name."""
    found = {
        obj.__name__: obj
        for _, _, obj in public_objects()
        if inspect.isclass(obj)
        and issubclass(obj, BaseEstimator)
        and not inspect.isabstract(obj)
    }
    return [found[name] for name in sorted(found)]


def _instances():
    for cls in all_public_estimators():
        estimator = cls(**FAST_PARAMS.get(cls.__name__, {}))
        if "random_state" in estimator.get_params():
            # Checks compare two fits: make them draw the same rows.
            estimator.set_params(random_state=0)
        yield estimator
    yield from EXTRA_INSTANCES


def _expected_failed_checks(estimator):
    expected = dict(EXPECTED_FAILED_CHECKS.get(type(estimator).__name__, {}))
    if getattr(estimator, "target_priors", None) == "em":
        expected["check_methods_subset_invariance"] = (
            "EM estimates the test priors from the batch being predicted, so by "
            "design a sample's prediction depends on the other samples"
        )
    return expected


def test_crawl_finds_the_samplers():
    names = {cls.__name__ for cls in all_public_estimators()}
    assert {
        "StepImbalanceSampler",
        "LinearImbalanceSampler",
        "RatioOverSampler",
        "RatioUnderSampler",
    } <= names


@sklearn_parametrize_with_checks(
    list(_instances()), expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    name = getattr(check, "func", check).__name__
    reason = TOO_SLOW.get((type(estimator).__name__, name))
    if reason:
        pytest.skip(reason)
    check(estimator)


@imblearn_parametrize_with_checks(
    list(_instances()), expected_failed_checks=_expected_failed_checks
)
def test_imblearn_compatible_estimator(estimator, check):
    check(estimator)
