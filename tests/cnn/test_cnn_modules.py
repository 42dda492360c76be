"""Any torchvision/timm-style classifier as ``module=``: built with ``num_classes``,
head found, replaced when its size differs, fine-tuned, refused when it cannot fit.

The stand-ins (``conftest.STANDINS``) copy torchvision's constructor signatures
and attribute names: torchvision beside CI's CPU torch would pull a CUDA build.
"""

import numpy as np
import pytest
import torch
from torch import nn

from skimbalance import TwoPhaseClassifier
from skimbalance.cnn import CNNClassifier
from skimbalance.sampling import RatioOverSampler


@pytest.fixture(scope="module")
def images():
    rng = np.random.default_rng(0)
    y = np.arange(120) % 3
    X = rng.integers(0, 100, size=(120, 3, 12, 12), dtype=np.uint8)
    X[np.arange(120), y] += 150
    return X, y


FAST = {
    "max_iter": 30,
    "batch_size": 24,
    "lr": 0.05,
    "device": "cpu",
    "random_state": 0,
}


@pytest.mark.parametrize(
    "name, instance, head",
    [
        ("TinyResNet", False, "fc"),
        ("tiny_resnet", False, "fc"),
        ("TinyVGG", False, "classifier.4"),
        ("TinyResNet", True, "fc"),
        ("TinyVGG", True, "classifier.4"),
        ("Inception", False, "fc"),
    ],
    ids=[
        "class",
        "factory",
        "sequential-head",
        "instance-1000",
        "instance-seq",
        "tuple",
    ],
)
def test_torchvision_style_modules_train(images, standins, name, instance, head):
    X, y = images
    torch.manual_seed(0)  # an instance's weights come from the global generator
    module = standins[name]() if instance else standins[name]
    clf = CNNClassifier(module, **FAST).fit(X, y)
    layer = clf.module_.get_submodule(head)
    assert layer.out_features == 3
    assert clf.predict_proba(X).shape == (120, 3)
    assert (clf.predict(X) == y).mean() > 0.8


def test_instance_is_copied_and_keeps_its_weights(images, standins):
    X, y = images
    backbone = standins["tiny_resnet"](weights="DEFAULT")
    conv = backbone.conv1.weight.detach().clone()
    clf = CNNClassifier(backbone, **{**FAST, "max_iter": 2}).fit(X, y)
    assert backbone.fc.out_features == 1000 and torch.equal(backbone.conv1.weight, conv)
    assert clf.module_ is not backbone


def test_pretrained_factory_gets_no_num_classes_and_a_new_head(images, standins):
    X, y = images
    clf = CNNClassifier(
        standins["tiny_resnet"], module__weights="DEFAULT",
        **{**FAST, "max_iter": 1, "lr": 1e-9},
    ).fit(X, y)  # fmt: skip
    module = clf.module_
    assert module.fc.out_features == 3
    assert torch.allclose(
        module.conv1.weight, torch.full_like(module.conv1.weight, 0.01)
    )


def test_fine_tune_and_two_phase_find_the_head(images, standins):
    X, y = images
    clf = CNNClassifier(standins["TinyResNet"], **FAST).fit(X, y)
    body = clf.module_.conv1.weight.detach().clone()
    head = clf.module_.fc.weight.detach().clone()
    clf.fine_tune(X, y, max_iter=5)
    assert torch.equal(clf.module_.conv1.weight, body)
    assert not torch.equal(clf.module_.fc.weight, head)
    model = TwoPhaseClassifier(
        CNNClassifier(standins["TinyVGG"], **FAST), RatioOverSampler(random_state=0),
        finetune_max_iter=5,
    ).fit(X[:70], y[:70])  # fmt: skip
    assert model.estimator_.n_iter_ == 35


def test_timm_style_reset_classifier(images, standins):
    class TimmLike(standins["TinyResNet"]):
        pretrained_cfg = {"classifier": "fc"}

        def reset_classifier(self, num_classes):
            self.fc = nn.Linear(self.fc.in_features, num_classes)

    X, y = images
    clf = CNNClassifier(TimmLike(num_classes=7), **{**FAST, "max_iter": 2}).fit(X, y)
    assert clf.module_.fc.out_features == 3


def test_wrong_output_size_without_a_head_is_refused_before_training(images):
    class Odd(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Flatten(), nn.Linear(432, 5))

        def forward(self, x):
            return self.body(x)

    X, y = images
    clf = CNNClassifier(Odd(), **FAST)
    with pytest.raises(ValueError, match=r"outputs 5 values per example but y has 3"):
        clf.fit(X, y)
    assert not hasattr(clf, "module_") and not hasattr(clf, "n_features_in_")


def test_module_that_cannot_take_the_input(images, standins):
    X, y = images
    with pytest.raises(
        ValueError, match=r"cannot run on inputs of shape \(batch, 1, 12, 12\)"
    ):
        CNNClassifier(standins["TinyResNet"], **FAST).fit(X[:, :1], y)


def test_factory_returning_something_else(images):
    X, y = images
    with pytest.raises(ValueError, match="returned a str, not a torch.nn.Module"):
        CNNClassifier(lambda **kw: "resnet", **FAST).fit(X, y)
