"""The paper's networks as estimators: LeNet-5, All-CNN and ResNet-10 classifiers."""

import inspect

import numpy as np
import pytest
from sklearn.base import clone

from skimbalance.cnn import (
    AllCNNClassifier,
    CNNClassifier,
    LeNet5Classifier,
    ResNet10Classifier,
)
from skimbalance.nets import AllCNN, LeNet5, ResNet10

PAPER_DEFAULTS = {
    # Table 2: SGD, momentum 0.9, "inv" schedule, 10k iterations.
    LeNet5Classifier: {
        "lr": 0.01,
        "batch_size": 64,
        "weight_decay": 5e-4,
        "max_iter": 10_000,
        "lr_schedule": "inv",
        "momentum": 0.9,
    },
    # Table 3: x0.1 at 40k/50k/60k of 70k, batch 256, weight decay 1e-3.
    AllCNNClassifier: {
        "lr": 0.05,
        "batch_size": 256,
        "weight_decay": 1e-3,
        "max_iter": 70_000,
        "lr_schedule": "step",
        "momentum": 0.9,
    },
    # ImageNet: lr 0.1 decaying linearly over 320k iterations.
    ResNet10Classifier: {
        "lr": 0.1,
        "batch_size": 256,
        "weight_decay": 1e-4,
        "max_iter": 320_000,
        "lr_schedule": "linear",
        "momentum": 0.9,
    },
}
NETS = {
    LeNet5Classifier: LeNet5,
    AllCNNClassifier: AllCNN,
    ResNet10Classifier: ResNet10,
}
FIT = {
    LeNet5Classifier: {},
    AllCNNClassifier: {"lr": 0.01},
    ResNet10Classifier: {"lr": 0.01, "module__base_width": 4},
}
CLASSES = list(PAPER_DEFAULTS)


@pytest.mark.parametrize("cls", CLASSES)
class TestPaperClassifiers:
    def test_no_module_parameter(self, cls):
        params = cls().get_params()
        assert "module" not in params
        assert set(params) == set(CNNClassifier().get_params()) - {"module"}

    def test_paper_defaults(self, cls):
        params = cls().get_params(deep=False)
        for name, value in PAPER_DEFAULTS[cls].items():
            assert params[name] == value, name
        # The rest are CNNClassifier's.
        base = CNNClassifier().get_params(deep=False)
        for name, value in params.items():
            if name not in PAPER_DEFAULTS[cls]:
                assert value == base[name], name

    def test_signature_is_keyword_only(self, cls):
        signature = inspect.signature(cls)
        assert "module" not in signature.parameters
        kinds = [p.kind for p in signature.parameters.values()]
        # the parameters, then skorch's nested ones (module__*, ...)
        assert kinds[-1] is inspect.Parameter.VAR_KEYWORD
        assert set(kinds[:-1]) == {inspect.Parameter.KEYWORD_ONLY}
        assert set(signature.parameters) - {"kwargs"} == set(
            inspect.signature(CNNClassifier).parameters
        ) - {"module", "kwargs"}
        with pytest.raises(TypeError):
            cls(0.01)
        with pytest.raises(TypeError, match="module"):
            cls(module="mlp")

    def test_set_params_and_clone(self, cls):
        clf = cls(max_iter=3, lr=0.5)
        assert clf.get_params()["max_iter"] == 3
        clf.set_params(batch_size=8, lr_schedule="constant")
        cloned = clone(clf)
        assert type(cloned) is cls
        assert cloned.get_params(deep=False) == clf.get_params(deep=False)
        assert cloned.batch_size == 8 and cloned.lr == 0.5
        with pytest.raises(ValueError, match="Invalid parameter 'module'"):
            clf.set_params(module="mlp")
        assert repr(cls(max_iter=3)) == f"{cls.__name__}(max_iter=3)"

    def test_is_a_cnn_classifier(self, cls):
        assert issubclass(cls, CNNClassifier)
        assert cls().module == NETS[cls].__name__.lower()

    def test_fits_digits(self, cls, digits):
        X, y = digits
        clf = cls(
            max_iter=3, batch_size=32, device="cpu", random_state=0, **FIT[cls]
        ).fit(X, y)
        assert type(clf.module_) is NETS[cls]
        assert clf.n_iter_ == 3
        proba = clf.predict_proba(X[:20])
        assert proba.shape == (20, 10) and np.isfinite(proba).all()
        np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
        assert set(clf.predict(X[:20])) <= set(range(10))
        optimizer = clf.optimizer_
        assert optimizer.param_groups[0]["momentum"] == 0.9
        assert (
            optimizer.param_groups[0]["weight_decay"]
            == PAPER_DEFAULTS[cls]["weight_decay"]
        )
