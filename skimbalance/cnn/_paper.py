"""The paper's networks with the paper's optimisation as defaults (Buda et al. 2018).

Each class is :class:`CNNClassifier` with ``module`` fixed and other defaults
(§3.3): LeNet-5 for MNIST, All-CNN for CIFAR-10, ResNet-10 for ImageNet. The
:func:`paper_network` decorator generates their ``__init__`` from
``CNNClassifier.__init__`` (scikit-learn reads it from ``__signature__``) and
their Parameters and Attributes sections from ``CNNClassifier``'s docstring,
so both are written once.
"""

import inspect
import re

from ..utils._docstrings import fill_docstring
from ._classifier import CNNClassifier


def _paper_init(defaults):
    """``__init__`` of CNNClassifier without ``module``, with new defaults."""
    base = inspect.signature(CNNClassifier.__init__)
    params = [
        p.replace(default=defaults.get(name, p.default), kind=p.KEYWORD_ONLY)
        if name != "self"
        else p
        for name, p in base.parameters.items()
        if name != "module"
    ]
    names = [p.name for p in params[1:]]

    def __init__(self, **kwargs):
        unknown = set(kwargs) - set(names)
        if unknown:
            raise TypeError(
                f"{type(self).__name__}.__init__() got unexpected keyword "
                f"arguments {sorted(unknown)}"
            )
        for name in names:
            setattr(
                self,
                name,
                kwargs.get(name, defaults.get(name, base.parameters[name].default)),
            )

    __init__.__signature__ = base.replace(parameters=params)
    return __init__


def _paper_sections(defaults):
    """CNNClassifier's Parameters and Attributes, without ``module``, new defaults."""
    doc = CNNClassifier.__doc__
    start = doc.index("    Parameters\n    ----------\n")
    sections = doc[start : doc.index("    Examples\n    --------\n")].rstrip()
    # the ``module`` entry: its line and the more indented lines under it
    sections = re.sub(r"\n    module : .*\n(?:        .*\n)+", "\n", sections)
    for name, value in defaults.items():
        shown = f'"{value}"' if isinstance(value, str) else repr(value)
        sections, found = re.subn(
            rf"(\n    {name} : .*default=)\S+\n", rf"\g<1>{shown}\n", sections
        )
        if found != 1:
            raise RuntimeError(f"CNNClassifier documents no default for {name!r}")
    return sections.strip()


def paper_network(module, **defaults):
    """Class decorator: a CNNClassifier subclass for ``module`` with ``defaults``.

    Sets ``module``, the generated ``__init__`` and, in the class docstring,
    replaces ``{parameters}`` with the Parameters and Attributes sections.
    """

    def decorate(cls):
        cls.module = module
        cls.__init__ = _paper_init(defaults)
        if CNNClassifier.__doc__:  # None under python -OO
            fill_docstring(cls, {"{parameters}": _paper_sections(defaults)})
        return cls

    return decorate


class _PaperNetClassifier(CNNClassifier):
    """CNNClassifier whose ``module`` is a class attribute, not a parameter."""

    _parameter_constraints: dict = {
        k: v for k, v in CNNClassifier._parameter_constraints.items() if k != "module"
    }


@paper_network("lenet5")
class LeNet5Classifier(_PaperNetClassifier):
    """LeNet-5 (paper Table 2) trained as in the paper's MNIST experiments.

    SGD, momentum 0.9, base lr 0.01 with Caffe's "inv" schedule (gamma 1e-4,
    power 0.75), batch 64, weight decay 5e-4, 10 000 iterations, Xavier
    initialisation. The parameters are those of :class:`CNNClassifier` but
    ``module``.

    {parameters}

    See Also
    --------
    CNNClassifier : Any network, the same training.
    skimbalance.nets.LeNet5 : The network itself.

    Examples
    --------
    >>> from skimbalance.cnn import LeNet5Classifier
    >>> from skimbalance.datasets import load_digit_images
    >>> X, y = load_digit_images(return_X_y=True)
    >>> clf = LeNet5Classifier(max_iter=300, random_state=0).fit(X[:1000], y[:1000])
    >>> bool(clf.score(X[1000:], y[1000:]) > 0.8)
    True
    """


@paper_network(
    "allcnn",
    max_iter=70_000,
    batch_size=256,
    lr=0.05,
    weight_decay=1e-3,
    lr_schedule="step",
)
class AllCNNClassifier(_PaperNetClassifier):
    """All-CNN-C (paper Table 3) trained as in the paper's CIFAR-10 experiments.

    SGD, momentum 0.9, lr 0.05 multiplied by 0.1 at 4/7, 5/7 and 6/7 of the
    budget (40k/50k/60k of 70 000 iterations), batch 256, weight decay 1e-3.
    The paper searched lr in 0.05, 0.005, 0.0005 and 0.00005 per dataset. The
    parameters are those of :class:`CNNClassifier` but ``module``.

    {parameters}

    See Also
    --------
    CNNClassifier : Any network, the same training.
    skimbalance.nets.AllCNN : The network itself.

    Examples
    --------
    >>> from skimbalance.cnn import AllCNNClassifier
    >>> AllCNNClassifier().get_params()["lr_schedule"]
    'step'
    """


@paper_network(
    "resnet10",
    max_iter=320_000,
    batch_size=256,
    lr=0.1,
    weight_decay=1e-4,
    lr_schedule="linear",
)
class ResNet10Classifier(_PaperNetClassifier):
    """ResNet-10 trained as in the paper's ImageNet experiments.

    SGD, momentum 0.9, lr 0.1 decaying linearly to 0 over 320 000
    iterations, batch 256, weight decay 1e-4, Kaiming initialisation. The
    parameters are those of :class:`CNNClassifier` but ``module``.

    {parameters}

    See Also
    --------
    CNNClassifier : Any network, the same training.
    skimbalance.nets.ResNet10 : The network itself.

    Examples
    --------
    >>> from skimbalance.cnn import ResNet10Classifier
    >>> ResNet10Classifier().get_params()["max_iter"]
    320000
    """
