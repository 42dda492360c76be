"""The weights-only file of a CNN estimator: what it holds, and loading it so that
a failure changes nothing.

The file holds only tensors, strings and numbers (``torch.load(weights_only=True)``
never runs code from it): the state dict, the classes, the input shape, the
update count, the class counts and the normalisation. :func:`load_into` builds a
new network, loads it, and only then swaps it into the estimator.
"""

import contextlib
import math

import numpy as np
import torch

from ._devices import resolve_device
from ._inputs import check_input_shape

#: The keys a file must have to be one of ours.
REQUIRED = {"format", "state_dict", "classes", "input_shape", "n_iter"}


def weights_state(estimator):
    """The content of a weights file for a fitted estimator."""
    state = {
        "format": "skimbalance.cnn weights",
        "state_dict": estimator.net_.module_.state_dict(),
        "classes": estimator.classes_.tolist(),
        "input_shape": list(estimator.input_shape_),
        "n_iter": int(estimator.n_iter_),
        "class_counts": estimator.class_counts_.tolist(),
    }
    for name in ("normalize_mean_", "normalize_std_"):
        value = getattr(estimator, name)
        state[name] = None if value is None else value.tolist()
    return state


def load_into(estimator, path):
    """Load the file at ``path`` into ``estimator``; all or nothing."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(
            f"'{path}' is not a file written by save_weights "
            f"({type(exc).__name__}: {exc})."
        ) from exc
    if not isinstance(state, dict) or not REQUIRED <= state.keys():
        lacking = sorted(REQUIRED - set(state) if isinstance(state, dict) else REQUIRED)
        raise ValueError(
            f"'{path}' is not a file written by save_weights: it lacks {lacking}."
        )
    input_shape = tuple(state["input_shape"])
    given = estimator.input_shape
    if given is not None and check_input_shape(given) != input_shape:
        raise ValueError(
            f"input_shape={tuple(given)} conflicts with the input shape "
            f"{input_shape} saved in '{path}'; set input_shape=None."
        )
    classes = np.asarray(state["classes"])
    net = estimator._build_net(resolve_device(estimator.device), classes, input_shape)
    try:
        net.module_.load_state_dict(state["state_dict"])
    except (RuntimeError, KeyError, TypeError) as exc:
        raise ValueError(
            f"The weights in '{path}' do not fit the network of module="
            f"{estimator.module!r}: {exc}"
        ) from exc
    net.module_.eval()
    estimator.classes_, estimator.input_shape_, estimator.net_ = (
        classes,
        input_shape,
        net,
    )
    estimator.n_features_in_ = math.prod(input_shape)
    estimator.n_iter_ = int(state["n_iter"])
    counts = state.get("class_counts")
    estimator.class_counts_ = np.asarray(counts or np.ones(len(classes)), int)
    for name in ("normalize_mean_", "normalize_std_"):
        value = state.get(name)
        setattr(estimator, name, None if value is None else np.asarray(value))
    with contextlib.suppress(AttributeError):
        del estimator.feature_names_in_
    return estimator
