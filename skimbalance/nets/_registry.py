"""Look up and build the networks of :mod:`skimbalance.nets` by name."""

import copy

from torch import nn

from ._allcnn import AllCNN
from ._lenet import LeNet5
from ._mlp import MLP
from ._resnet import ResNet10

__all__ = ["NETWORKS", "build_network"]

#: The networks known by name, as accepted by :func:`build_network`.
NETWORKS = {"lenet5": LeNet5, "allcnn": AllCNN, "resnet10": ResNet10, "mlp": MLP}


def build_network(name, *, input_shape, n_classes, **options):
    """Build a network from its name, its class or a ready instance.

    Parameters
    ----------
    name : str, subclass of torch.nn.Module or torch.nn.Module
        A key of :data:`NETWORKS` (``"allcnn"``, ``"lenet5"``, ``"mlp"``,
        ``"resnet10"``); a module class, called as
        ``name(input_shape=input_shape, n_classes=n_classes, **options)``; or a
        module instance, of which a deep copy is returned (the caller's module
        and its weights are left untouched).
    input_shape : tuple of int
        Shape of one input example, ``(C, H, W)`` for the image networks.
        Ignored for an instance.
    n_classes : int
        Number of output logits. Ignored for an instance.
    **options
        Architecture options passed to the network's constructor, e.g.
        ``padding`` for :class:`LeNet5` or ``hidden_layer_sizes`` for
        :class:`MLP`. Not allowed with an instance.

    Returns
    -------
    net : torch.nn.Module
        The network, freshly initialised with torch's global random number
        generator (seed it around the call, e.g. inside
        ``torch.random.fork_rng()``, for repeatable weights).

    Raises
    ------
    ValueError
        If ``name`` is an unknown string or not a module class or instance,
        or if ``options`` are given with an instance.

    Examples
    --------
    >>> import torch
    >>> from skimbalance.nets import build_network
    >>> net = build_network("mlp", input_shape=(4,), n_classes=3)
    >>> net(torch.zeros(5, 4)).shape
    torch.Size([5, 3])
    >>> build_network("foo", input_shape=(1, 8, 8), n_classes=2)
    Traceback (most recent call last):
    ...
    ValueError: Unknown module 'foo'; expected one of ['allcnn', 'lenet5', \
'mlp', 'resnet10'] or a torch.nn.Module class or instance.
    """
    if isinstance(name, str) and name in NETWORKS:
        return NETWORKS[name](input_shape=input_shape, n_classes=n_classes, **options)
    if isinstance(name, type) and issubclass(name, nn.Module):
        return name(input_shape=input_shape, n_classes=n_classes, **options)
    if isinstance(name, nn.Module):
        if options:
            raise ValueError(
                "Options cannot be applied to a torch.nn.Module instance; got "
                f"{sorted(options)}. Pass the module class instead."
            )
        return copy.deepcopy(name)
    raise ValueError(
        f"Unknown module {name!r}; expected one of {sorted(NETWORKS)} or a "
        "torch.nn.Module class or instance."
    )
