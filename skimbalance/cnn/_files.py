"""The files of ``save_params`` / ``load_params``: skorch's, written atomically,
checked when read.

skorch's files hold state dicts only. A CNN estimator also needs its classes,
input shape and normalisation to predict, so ``f_params`` holds the module's
state dict plus one entry, ``"_skimbalance"`` (:data:`META_KEY`), with those
and the update count; ``f_optimizer`` carries the update count too, so that
files written at different updates (a checkpoint cut between two files) are
refused instead of mixed. Every file is written to a temporary name in its
folder and renamed, so a failed save never destroys the file it replaces.
"""

import contextlib
import json
import os
import tempfile

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._devices import resolve_device
from ._guard import all_or_nothing
from ._history import History

#: The entry of ``f_params`` (and of ``f_optimizer``) holding our metadata.
META_KEY = "_skimbalance"


class ParamsFiles:
    """skorch's ``save_params`` and ``load_params`` for the CNN estimators."""

    def save_params(
        self,
        f_params=None,
        f_optimizer=None,
        f_criterion=None,
        f_history=None,
        use_safetensors=False,
        **kwargs,
    ):
        """Save the weights, optimizer, criterion and history (skorch's files).

        Each file is written to a temporary name and renamed: a failed save
        leaves the previous file whole. ``f_params`` also records the
        classes, input shape and normalisation (under ``"_skimbalance"``),
        so that :meth:`load_params` can rebuild the network from it alone.

        Parameters
        ----------
        f_params, f_optimizer, f_criterion : str, path-like, file or None
            Where to write the state dicts (``torch.save``, or safetensors
            for the params and criterion).
        f_history : str, path-like, file or None
            Where to write the history (JSON).
        use_safetensors : bool, default=False
            Write the params and criterion with safetensors.
        **kwargs
            ``f_<name>`` for other modules of a subclass, as in skorch.
        """
        check_is_fitted(self)
        f_params = _module_file(f_params, kwargs, "save_params")
        if f_optimizer is not None and use_safetensors:
            raise ValueError(
                "use_safetensors=True cannot store the optimizer state (it is not "
                "only tensors); save f_optimizer without safetensors."
            )
        n_iter = self.n_iter_
        if f_params is not None:
            meta = {
                "classes": np.asarray(self.classes_).tolist(),
                "input_shape": list(self.input_shape_),
                "normalize_mean": _listed(self.normalize_mean_),
                "normalize_std": _listed(self.normalize_std_),
                "n_iter": n_iter,
            }
            state = _unwrapped(self.module_).state_dict()
            save_state(state, f_params, meta=meta, use_safetensors=use_safetensors)
        if f_optimizer is not None:
            state = {**self.optimizer_.state_dict(), META_KEY: {"n_iter": n_iter}}
            save_state(state, f_optimizer)
        if f_criterion is not None:
            state = self.criterion_.state_dict()
            save_state(state, f_criterion, use_safetensors=use_safetensors)
        if f_history is not None:
            with atomic_target(f_history) as target:
                self.history.to_file(target)
        if kwargs:
            super().save_params(use_safetensors=use_safetensors, **kwargs)

    def load_params(
        self,
        f_params=None,
        f_optimizer=None,
        f_criterion=None,
        f_history=None,
        checkpoint=None,
        use_safetensors=False,
        **kwargs,
    ):
        """Load what :meth:`save_params` (or a skorch ``Checkpoint``) wrote.

        All or nothing: if any file is missing, unreadable or does not fit,
        the estimator is left as it was. An uninitialised estimator is built
        from ``f_params`` (its classes and input shape). A file for other
        classes, another input shape or another architecture, or files
        written at different updates, are refused with a ValueError naming
        the file.

        Parameters
        ----------
        f_params, f_optimizer, f_criterion, f_history : str, path-like, file or None
            The files to load.
        checkpoint : skorch.callbacks.Checkpoint or None
            Load its files (explicit ``f_*`` arguments take precedence), as
            skorch's ``LoadInitState`` does at the start of training.
        use_safetensors : bool, default=False
            The params and criterion were written with safetensors.
        **kwargs
            ``f_<name>`` for other modules of a subclass, as in skorch.

        Returns
        -------
        self : CNNClassifier
        """
        given = {
            "f_params": _module_file(f_params, kwargs, "load_params"),
            "f_optimizer": f_optimizer,
            "f_criterion": f_criterion,
            "f_history": f_history,
        }
        files = {k: v for k, v in given.items() if v is not None}
        if checkpoint is not None and checkpoint.f_history is not None:
            files.setdefault("f_history", checkpoint.f_history_)
        history = None
        if "f_history" in files:
            history = History.from_file(files["f_history"])
        if checkpoint is not None:  # its names may follow the history's epochs
            named = checkpoint.get_formatted_files(_WithHistory(self, history))
            for key, f in named.items():
                if f is not None and key in given:
                    files.setdefault(key, f)
        device = self._device() if self.initialized_ else _load_device(self.device)
        read = dict(map_location=device, load_kwargs=self.torch_load_kwargs)
        params = meta = None
        if "f_params" in files:
            params, meta = load_state(files["f_params"], **read, safe=use_safetensors)
        with all_or_nothing(self, continuing=self.initialized_):
            if not self.initialized_:
                self._initialize_from(meta)
            if params is not None:
                check_metadata(self, meta, files["f_params"])
                load_into(_unwrapped(self.module_), params, files["f_params"], "module")
                if meta is not None:
                    self.normalize_mean_ = _array(meta["normalize_mean"])
                    self.normalize_std_ = _array(meta["normalize_std"])
            if "f_optimizer" in files:
                state, _ = load_state(files["f_optimizer"], **read)
                stamp = state.pop(META_KEY, None) or {}
                _check_same_update(files, meta, "f_optimizer", stamp.get("n_iter"))
                load_into(self.optimizer_, state, files["f_optimizer"], "optimizer")
            if "f_criterion" in files:
                state, _ = load_state(
                    files["f_criterion"], **read, safe=use_safetensors
                )
                load_into(self.criterion_, state, files["f_criterion"], "criterion")
            if history is not None:
                self.history_ = history
                _check_same_update(files, meta, "f_history", self.n_iter_)
            if kwargs:
                super().load_params(use_safetensors=use_safetensors, **kwargs)
        return self

    def _initialize_from(self, meta):
        """Initialise an estimator for the classes and input shape of ``meta``."""
        if meta is None:
            raise ValueError(
                "Cannot load into an uninitialised estimator without its classes "
                "and input shape: call initialize() first (with classes= and "
                "input_shape=), or load an f_params written by save_params."
            )
        self.classes_ = np.asarray(meta["classes"])
        self.input_shape_ = tuple(meta["input_shape"])
        self.initialize()


class _WithHistory:
    """The net, seen with another history (for a checkpoint's file names)."""

    def __init__(self, net, history):
        self._net, self.history = net, history if history is not None else net.history

    def __getattr__(self, name):
        return getattr(self._net, name)


def _module_file(f_params, kwargs, caller):
    """``f_params``, or skorch's other name for it, ``f_module`` (which a
    ``Checkpoint`` uses)."""
    f_module = kwargs.pop("f_module", None)
    if f_params is not None and f_module is not None:
        raise TypeError(f"{caller} called with both f_params and f_module, choose one.")
    return f_module if f_params is None else f_params


def _load_device(device):
    return torch.device("cpu") if device is None else resolve_device(device)


def _unwrapped(module):
    """The module under ``torch.compile``'s wrapper."""
    return getattr(module, "_orig_mod", module)


def _listed(value):
    return None if value is None else np.asarray(value).tolist()


def _array(value):
    return None if value is None else np.asarray(value)


def _check_same_update(files, meta, key, n_iter):
    if meta is None or n_iter is None or meta.get("n_iter") in (None, n_iter):
        return
    raise ValueError(
        f"The files were written at different updates: {_name(files['f_params'])} "
        f"at update {meta['n_iter']}, {_name(files[key])} at update {n_iter} (a "
        "save was interrupted); load a complete checkpoint."
    )


@contextlib.contextmanager
def atomic_target(f):
    """Yield where to write ``f``: a temporary file renamed to ``f`` on success
    (keeping the mode of the file it replaces). A file object is written as is.
    """
    if not isinstance(f, (str, os.PathLike)):
        yield f
        return
    path = os.fspath(f)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        yield tmp
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_state(state, f, *, meta=None, use_safetensors=False):
    """Write a state dict (with ``meta`` under :data:`META_KEY`) atomically."""
    with atomic_target(f) as target:
        if use_safetensors:
            from safetensors.torch import save, save_file

            tensors = {k: v.contiguous() for k, v in state.items()}
            header = None if meta is None else {META_KEY: json.dumps(meta)}
            if isinstance(target, str):
                save_file(tensors, target, metadata=header)
            else:
                target.write(save(tensors, metadata=header))
        else:
            torch.save(state if meta is None else {**state, META_KEY: meta}, target)


def load_state(f, *, safe=False, map_location="cpu", load_kwargs=None):
    """``(state dict, metadata or None)`` of a file; errors name the file."""
    try:
        if safe:
            from safetensors import safe_open
            from safetensors.torch import load

            if isinstance(f, (str, os.PathLike)):
                with safe_open(os.fspath(f), framework="pt", device="cpu") as handle:
                    state = {k: handle.get_tensor(k) for k in handle.keys()}
                    header = handle.metadata() or {}
            else:
                state, header = load(f.read()), {}
            meta = json.loads(header[META_KEY]) if META_KEY in header else None
        else:
            kwargs = {"weights_only": True, **(load_kwargs or {})}
            state = torch.load(f, map_location=map_location, **kwargs)
            meta = state.pop(META_KEY, None) if isinstance(state, dict) else None
    except FileNotFoundError:
        raise
    except Exception as exc:
        raise ValueError(
            f"Cannot read {_name(f)} ({type(exc).__name__}: {exc})."
        ) from exc
    if not isinstance(state, dict):
        raise ValueError(
            f"{_name(f)} holds a {type(state).__name__}, not a state dict."
        )
    return state, meta


def check_metadata(net, meta, f):
    """Refuse ``f_params`` written for other classes or another input shape."""
    if meta is None:
        return
    classes = np.asarray(meta["classes"])
    if len(classes) != len(net.classes_) or not np.array_equal(classes, net.classes_):
        raise ValueError(
            f"{_name(f)} holds a network for the classes {classes.tolist()}; this "
            f"estimator has the classes {np.asarray(net.classes_).tolist()} (set "
            "classes= to those of the file, or load it into a new estimator)."
        )
    if tuple(meta["input_shape"]) != tuple(net.input_shape_):
        raise ValueError(
            f"{_name(f)} holds a network for inputs of shape "
            f"{tuple(meta['input_shape'])}; this estimator takes "
            f"input_shape={tuple(net.input_shape_)}."
        )


def load_into(component, state, f, what):
    """``component.load_state_dict(state)``; a mismatch names the file."""
    try:
        component.load_state_dict(state)
    except (RuntimeError, KeyError, ValueError, TypeError) as exc:
        raise ValueError(
            f"{_name(f)} does not fit this estimator's {what}: {exc}"
        ) from exc


def _name(f):
    return f"'{os.fspath(f)}'" if isinstance(f, (str, os.PathLike)) else repr(f)
