"""Checks of skorch's nested parameters (``module__*``, ``criterion__*``, ...) and
of ``callbacks``, so that a typo fails before any work, naming the parameter
and its value, instead of deep inside ``initialize``."""

import inspect

import torch
from skorch.callbacks import Callback

from ..losses._registry import loss_class
from ..nets import NETWORKS

#: DataLoader arguments that the estimator sets itself (the budget's batch
#: sampler, whole-batch collate): giving them would silently change nothing.
_ITERATOR_OWNED = {
    "dataset": "the estimator passes its own data",
    "shuffle": "batch_sampling orders the training batches; predictions keep "
    "the order of X",
    "sampler": "batch_sampling orders the training batches",
    "batch_sampler": "batch_sampling orders the training batches",
    "drop_last": "max_iter counts the updates; the last epoch is cut short",
    "collate_fn": "batches are gathered whole, not collated",
}


def check_callbacks(callbacks):
    """``callbacks`` is None, "disable", or a list of skorch callbacks (instances
    or classes), each possibly as a ``(name, callback)`` pair."""
    if callbacks is None or (isinstance(callbacks, str) and callbacks == "disable"):
        return
    for i, item in enumerate(callbacks):
        named = isinstance(item, (tuple, list))
        if named and (len(item) != 2 or not isinstance(item[0], str)):
            raise ValueError(
                f"callbacks[{i}]={item!r} is not a callback nor a (name, callback) "
                "pair."
            )
        cb = item[1] if named else item
        is_callback = isinstance(cb, Callback) or (
            isinstance(cb, type) and issubclass(cb, Callback)
        )
        if not is_callback and not (named and cb is None):
            raise ValueError(
                f"callbacks[{i}]={cb!r} is not a skorch callback: give an instance "
                "(or subclass) of skorch.callbacks.Callback."
            )


def check_nested_params(net, optimizer_class):
    """Each ``<prefix>__<name>`` parameter names an argument of what it configures."""
    targets = {
        "module": lambda: NETWORKS.get(net.module, net.module),
        "criterion": lambda: loss_class(net.criterion),
        "optimizer": lambda: optimizer_class,
        "iterator_train": lambda: net.iterator_train,
        "iterator_valid": lambda: net.iterator_valid,
    }
    for key in sorted(net.get_params(deep=False)):
        prefix, _, name = key.partition("__")
        if not name or prefix not in targets:
            continue
        value = getattr(net, key)
        given = getattr(net, prefix)
        if prefix in ("module", "criterion") and isinstance(given, torch.nn.Module):
            raise ValueError(
                f"{key}={value!r}: {prefix} is an instance, which takes no "
                f"parameters; pass its class (or name) to use {prefix}__ parameters."
            )
        if prefix.startswith("iterator") and name in _ITERATOR_OWNED:
            raise ValueError(f"{key}={value!r} cannot be set: {_ITERATOR_OWNED[name]}.")
        if prefix == "criterion" and name == "reduction":
            raise ValueError(
                f"{key}={value!r} cannot be set: the estimator takes the per-example "
                "losses and averages them itself (with sample weights)."
            )
        if prefix == "optimizer" and (name == "param_groups" or "__" in name):
            continue  # skorch's param_groups, checked by skorch
        target = targets[prefix]()
        accepted = _parameters(target, exclude={"input_shape", "n_classes", "params"})
        if accepted is not None and name.split("__")[0] not in accepted:
            owner = getattr(target, "__name__", type(target).__name__)
            if isinstance(given, str):
                owner = f"{prefix}={given!r} ({owner})"
            raise ValueError(
                f"{key}={value!r}: {owner} takes no parameter {name!r}; it takes "
                f"{sorted(accepted)}."
            )


def _parameters(target, exclude=()):
    """Keyword names ``target`` accepts, or None when it takes ``**kwargs`` (or
    is not something with a signature, e.g. an instance)."""
    if isinstance(target, torch.nn.Module):
        return None
    try:
        parameters = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
        return None
    return {
        name
        for name, p in parameters.items()
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY) and name not in exclude
    }
