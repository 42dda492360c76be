"""Shared data and parameters of the CNN estimator tests.

Everything is tiny on purpose: 300 of scikit-learn's 8x8 digits, a one-layer
MLP (``module="mlp"``) wherever the architecture does not matter, and a few
dozen weight updates. Fitted estimators are module-scoped fixtures.
"""

import numpy as np
import pytest
import torch
from torch import nn

from skimbalance.cnn import CNNClassifier
from skimbalance.datasets import load_digit_images

#: 300 examples and batches of 32: 10 batches per epoch (the last of 12).
N_SAMPLES = 300
BATCH_SIZE = 32

#: Parameters of a fast MLP fit that still learns something in 20 updates.
FAST = {
    "module": "mlp",
    "module__hidden_layer_sizes": (32,),
    "max_iter": 20,
    "batch_size": BATCH_SIZE,
    "lr": 0.1,
    "device": "cpu",
}


@pytest.fixture(scope="session")
def seed():
    """The one seed of the suite."""
    return 0


@pytest.fixture(scope="session")
def digits():
    """``(X, y)``: 300 digits, float32 ``(300, 64)`` in [0, 1], labels 0-9."""
    X, y = load_digit_images(return_X_y=True)
    return X[:N_SAMPLES], y[:N_SAMPLES]


@pytest.fixture(scope="session")
def fast_params():
    """A copy of :data:`FAST` (so a test may change it)."""
    return dict(FAST)


@pytest.fixture(scope="module")
def fitted_mlp(digits):
    """A fast MLP fitted on :func:`digits` with random_state=0 (do not modify)."""
    X, y = digits
    return CNNClassifier(**FAST, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def imbalanced_digits(digits):
    """Digits 0, 1, 2 at 30:20:4 examples, for the imbalance-aware options."""
    X, y = digits
    keep = np.concatenate(
        [np.flatnonzero(y == c)[:n] for c, n in ((0, 30), (1, 20), (2, 4))]
    )
    return X[keep], y[keep]


# ------------------------------------------- torchvision-style stand-ins
# They copy torchvision's constructor signatures and attribute names (``fc``,
# ``classifier``; ``num_classes=1000``; factories with ``weights=`` and
# ``**kwargs``): torchvision beside CI's CPU torch would pull a CUDA build.
class TinyResNet(nn.Module):
    """torchvision ResNet's interface: ``num_classes=1000``, a last ``fc``."""

    def __init__(self, num_classes=1000, width=8):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(width)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(width, num_classes)

    def forward(self, x):
        x = self.avgpool(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(x, 1))


class TinyVGG(nn.Module):
    """torchvision VGG/MobileNet's interface: a ``classifier`` Sequential."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 4, 3), nn.AdaptiveAvgPool2d(2))
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(16, 8), nn.ReLU(), nn.Dropout(0.1),
            nn.Linear(8, num_classes),
        )  # fmt: skip

    def forward(self, x):
        return self.classifier(self.features(x))


def tiny_resnet(*, weights=None, progress=True, **kwargs):
    """A torchvision-style factory; ``weights`` fixes 1000 classes, as there."""
    if weights is not None and kwargs.get("num_classes", 1000) != 1000:
        raise ValueError("num_classes must be 1000 with pretrained weights")
    model = TinyResNet(**kwargs)
    if weights is not None:
        with torch.no_grad():
            model.conv1.weight.fill_(0.01)  # "pretrained"
    return model


class Inception(TinyResNet):
    """Returns ``(logits, aux_logits)`` in training, like torchvision Inception."""

    def forward(self, x):
        logits = super().forward(x)
        return (logits, logits.detach()) if self.training else logits


#: The stand-ins by name.
STANDINS = {
    "TinyResNet": TinyResNet,
    "TinyVGG": TinyVGG,
    "tiny_resnet": tiny_resnet,
    "Inception": Inception,
}


@pytest.fixture(scope="session")
def standins():
    """:data:`STANDINS`: torchvision-style classifier classes and a factory."""
    return STANDINS
