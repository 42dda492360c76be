"""Any classifier module as a network of this package: built with the number of
classes under its own keyword, its head found, resized and checked.

torchvision's and timm's classifiers take ``num_classes=`` (ours take
``input_shape=`` and ``n_classes=``) and end in a layer named ``fc``,
``classifier``, ``head`` or ``heads`` (a linear layer, or a sequence ending in
one). A pretrained instance keeps its 1000-way ImageNet head until it is
replaced: :func:`fit_head` swaps that last layer for a fresh one with the
right number of outputs, so a backbone trains on any class count, and
:func:`head_names` finds it for fine-tuning only the head.
"""

import inspect

import torch
from torch import nn

#: Attributes where torchvision and timm classifiers keep their head.
HEAD_ATTRIBUTES = ("fc", "classifier", "head", "heads")


def construct(factory, *, input_shape, n_classes, options):
    """Call a module class or factory with the number of classes as it wants it.

    Ours (``input_shape=`` and ``n_classes=`` in the signature) get both;
    torchvision/timm-style ones (``num_classes=`` or ``**kwargs``) get
    ``num_classes``, except with pretrained torchvision ``weights=``, which
    fix the class count (the head is replaced afterwards); others get only
    ``options``.
    """
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # builtins without a signature
        parameters = {}
    accepts_kwargs = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    if "input_shape" in parameters and "n_classes" in parameters:
        return factory(input_shape=input_shape, n_classes=n_classes, **options)
    if "n_classes" in parameters:
        return factory(n_classes=n_classes, **options)
    if options.get("weights") is None and (
        "num_classes" in parameters or accepts_kwargs
    ):
        return factory(num_classes=n_classes, **options)
    return factory(**options)


def head_names(module):
    """Dotted names of the head's modules, or ``()`` when none is found.

    ``module.head_names`` when it says; timm's ``pretrained_cfg["classifier"]``;
    else the last linear (or convolution) layer under ``fc``, ``classifier``,
    ``head`` or ``heads``.

    Examples
    --------
    >>> from torch import nn
    >>> from skimbalance.nets._adapt import head_names
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.features = nn.Linear(4, 8)
    ...         self.classifier = nn.Sequential(nn.ReLU(), nn.Linear(8, 3))
    >>> head_names(Net())
    ('classifier.1',)
    """
    names = getattr(module, "head_names", None)
    if names:
        return tuple(names)
    config = getattr(module, "pretrained_cfg", None)
    name = config.get("classifier") if isinstance(config, dict) else None
    if isinstance(name, str) and _has_submodule(module, name):
        return (name,)
    for attribute in HEAD_ATTRIBUTES:
        child = getattr(module, attribute, None)
        if isinstance(child, nn.Module):
            layers = [
                name
                for name, layer in child.named_modules()
                if isinstance(layer, (nn.Linear, nn.Conv2d))
            ]
            if layers:
                return (f"{attribute}.{layers[-1]}" if layers[-1] else attribute,)
    return ()


def head_parameters(module):
    """The parameters of :func:`head_names`; a clear error when there is none."""
    names = head_names(module)
    if not names:
        raise ValueError(
            f"{type(module).__name__} has no head this package can find: set a "
            "`head_names` tuple of submodule names (e.g. ('fc',)) on it to "
            "fine-tune only the head."
        )
    return [p for name in names for p in module.get_submodule(name).parameters()]


def fit_head(module, input_shape, n_classes):
    """Make ``module`` output ``n_classes`` logits, replacing its last layer if needed.

    Runs one forward pass on zeros (in eval mode, without gradients) to read
    the output size. If it differs, the last classifier layer (see
    :func:`head_names`; timm's ``reset_classifier`` when there is one) is
    replaced by a freshly initialised layer of the same kind. Raises a
    ValueError naming both sizes when that is not possible, and one naming
    the input shape when the forward pass fails.
    """
    size = output_size(module, input_shape)
    if size == n_classes:
        return module
    if hasattr(module, "reset_classifier") and not hasattr(module, "head_names"):
        module.reset_classifier(n_classes)
    else:
        names = head_names(module)
        layer = module.get_submodule(names[-1]) if names else None
        if not _replace_layer(module, names[-1] if names else "", layer, n_classes):
            raise ValueError(
                f"The module {type(module).__name__} outputs {size} values per "
                f"example but y has {n_classes} classes, and it has no last "
                "linear layer under fc, classifier, head or heads to replace. Give "
                f"it {n_classes} outputs (e.g. num_classes={n_classes})."
            )
    size = output_size(module, input_shape)
    if size != n_classes:
        raise ValueError(
            f"The module {type(module).__name__} outputs {size} values per example "
            f"after its head was replaced, but y has {n_classes} classes."
        )
    return module


def output_size(module, input_shape):
    """Number of logits the module gives for one example of ``input_shape``."""
    parameter = next(iter(module.parameters()), None)
    device = parameter.device if parameter is not None else "cpu"
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            out = first_output(module(torch.zeros(2, *input_shape, device=device)))
    except Exception as exc:  # the module's own error, with our context
        raise ValueError(
            f"The module {type(module).__name__} cannot run on inputs of shape "
            f"(batch, {', '.join(map(str, input_shape))}): {type(exc).__name__}: "
            f"{exc}. Check input_shape, or the channels and size of the images."
        ) from exc
    finally:
        module.train(was_training)
    if out.ndim != 2:
        raise ValueError(
            f"The module {type(module).__name__} returns shape "
            f"{tuple(out.shape)} for a batch of 2; classifiers return "
            "(batch, n_classes) logits."
        )
    return int(out.shape[1])


def first_output(out):
    """The logits of a module's output: the first element of a tuple (skorch's
    convention, e.g. torchvision Inception's ``(logits, aux_logits)``)."""
    return out[0] if isinstance(out, (tuple, list)) else out


def _replace_layer(module, name, layer, n_classes):
    if isinstance(layer, nn.Linear):
        new = nn.Linear(layer.in_features, n_classes, bias=layer.bias is not None)
    elif isinstance(layer, nn.Conv2d) and layer.kernel_size == (1, 1):
        new = nn.Conv2d(layer.in_channels, n_classes, 1, bias=layer.bias is not None)
    else:
        return False
    new.to(device=layer.weight.device, dtype=layer.weight.dtype)
    parent_name, _, child = name.rpartition(".")
    setattr(module.get_submodule(parent_name), child, new)
    return True


def _has_submodule(module, name):
    try:
        module.get_submodule(name)
    except AttributeError:
        return False
    return True
