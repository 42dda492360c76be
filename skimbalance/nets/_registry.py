"""Look up and build the networks of :mod:`skimbalance.nets` by name."""

import copy

from torch import nn

from ._adapt import construct, fit_head
from ._allcnn import AllCNN
from ._lenet import LeNet5
from ._mlp import MLP
from ._resnet import ResNet10

__all__ = ["NETWORKS", "build_network"]

#: The networks known by name, as accepted by :func:`build_network`.
NETWORKS = {"lenet5": LeNet5, "allcnn": AllCNN, "resnet10": ResNet10, "mlp": MLP}


def build_network(name, *, input_shape, n_classes, **options):
    """Build a network from its name, a module class or factory, or an instance.

    Parameters
    ----------
    name : str, callable or torch.nn.Module
        A key of :data:`NETWORKS` (``"allcnn"``, ``"lenet5"``, ``"mlp"``,
        ``"resnet10"``); a module class or factory, called with the number of
        classes under its own keyword: ``input_shape=`` and ``n_classes=``
        for networks in the style of this package, ``num_classes=`` for
        torchvision and timm ones (e.g. ``torchvision.models.resnet18``),
        plus ``options``; or a module instance, of which a deep copy is used
        (the caller's module and its weights are left untouched).
    input_shape : tuple of int
        Shape of one input example, ``(C, H, W)`` for the image networks.
    n_classes : int
        Number of output logits.
    **options
        Keyword arguments of the constructor, e.g. ``padding`` for
        :class:`LeNet5`, or ``weights="DEFAULT"`` for a pretrained torchvision
        model (whose ImageNet head is then replaced). Not allowed with an
        instance.

    Returns
    -------
    net : torch.nn.Module
        The network, freshly initialised with torch's global random number
        generator (seed it around the call, e.g. inside
        ``torch.random.fork_rng()``, for repeatable weights). A module that is
        not one of :data:`NETWORKS` is checked with one forward pass on
        zeros: when its output size differs from ``n_classes``, its last
        layer under ``fc``, ``classifier``, ``head`` or ``heads`` is
        replaced by a new one with ``n_classes`` outputs.

    Raises
    ------
    ValueError
        If ``name`` is an unknown string or not a module, ``options`` are
        given with an instance, the module cannot run on ``input_shape``, or
        its output size differs from ``n_classes`` and no head can be
        replaced (the message gives both numbers).

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from skimbalance.nets import build_network
    >>> net = build_network("mlp", input_shape=(4,), n_classes=3)
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    >>> class Backbone(nn.Module):  # torchvision's conventions
    ...     def __init__(self, num_classes=1000):
    ...         super().__init__()
    ...         self.features = nn.Flatten()
    ...         self.fc = nn.Linear(4, num_classes)
    ...     def forward(self, x):
    ...         return self.fc(self.features(x))
    >>> build_network(Backbone, input_shape=(4,), n_classes=3).fc
    Linear(in_features=4, out_features=3, bias=True)
    >>> build_network(Backbone(), input_shape=(4,), n_classes=3).fc  # head replaced
    Linear(in_features=4, out_features=3, bias=True)
    >>> build_network("foo", input_shape=(1, 8, 8), n_classes=2)
    Traceback (most recent call last):
    ...
    ValueError: Unknown module 'foo'; expected one of ['allcnn', 'lenet5', \
'mlp', 'resnet10'], a torch.nn.Module class or factory, or an instance.
    """
    if isinstance(name, str) and name in NETWORKS:
        return NETWORKS[name](input_shape=input_shape, n_classes=n_classes, **options)
    if isinstance(name, nn.Module):
        if options:
            raise ValueError(
                "Options cannot be applied to a torch.nn.Module instance; got "
                f"{sorted(options)}. Pass the module class instead."
            )
        module = copy.deepcopy(name)
    elif callable(name) and not isinstance(name, str):
        module = construct(
            name, input_shape=input_shape, n_classes=n_classes, options=options
        )
        if not isinstance(module, nn.Module):
            raise ValueError(
                f"module={name!r} returned a {type(module).__name__}, not a "
                "torch.nn.Module."
            )
    else:
        raise ValueError(
            f"Unknown module {name!r}; expected one of {sorted(NETWORKS)}, a "
            "torch.nn.Module class or factory, or an instance."
        )
    return fit_head(module, tuple(input_shape), n_classes)
