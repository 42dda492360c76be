"""How a CNN estimator's parts are built: skorch's ``initialize_*`` steps.

:class:`NetBuilding` is mixed into :class:`~skimbalance.cnn.CNNClassifier`.
Compared with skorch: the module is sized from ``input_shape_`` and
``classes_`` (known from ``fit``, or from the ``input_shape`` and
``classes`` parameters) and seeded from ``random_state``; names are accepted
for the module, criterion and optimizer; ``lr``, ``momentum`` and
``weight_decay`` are virtual parameters (changed in place on an initialised
net, as skorch does for ``lr``); the device may be ``"auto"``; and the
default callbacks add the ``lr_schedule`` of the paper.
"""

import inspect
import math

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state
from skorch.callbacks import EpochScoring, EpochTimer, PassthroughScoring, PrintLog
from skorch.history import History as SkorchHistory

from ..losses import build_loss
from ..nets import build_network
from ._data import check_input_shape
from ._devices import cuda_devices, resolve_device
from ._history import History
from ._nested import check_callbacks
from ._schedule import UpdateSchedule

#: ``optimizer=`` names.
OPTIMIZERS = {
    "sgd": torch.optim.SGD,
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
}
#: Per-channel mean and std of ImageNet (``normalize="imagenet"``).
IMAGENET_STATS = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


class _PrintLog(PrintLog):
    """skorch's PrintLog, formatting no table that it would not print: at
    ``verbose=0`` with ``print`` (or accelerate's ``Accelerator.print``, which
    skorch's ``AccelerateMixin`` sets) as the sink."""

    def on_epoch_end(self, net, **kwargs):
        if not net.verbose and getattr(self.sink, "__name__", None) == "print":
            return
        super().on_epoch_end(net, **kwargs)


class NetBuilding:
    """skorch's ``initialize_*`` steps for the CNN estimators."""

    # skorch registers these when it builds them; ours are known from the start
    # (so that an instance can be set as a parameter before initialisation).
    prefixes_ = [
        "module", "criterion", "optimizer", "iterator_train", "iterator_valid",
        "callbacks", "compile",
    ]  # fmt: skip
    cuda_dependent_attributes_ = ["module_", "criterion_", "optimizer_"]
    _modules = ["module"]
    _optimizers = ["optimizer"]

    @property
    def _criteria(self):
        # skorch trains, moves and (with AccelerateMixin) wraps the criteria
        # listed here. A criterion without parameters has nothing to train;
        # listing it would make accelerate wrap it in DistributedDataParallel,
        # which refuses modules without parameters (on CPU processes).
        criterion = self.__dict__.get("criterion_")
        if criterion is None or not any(
            p.requires_grad for p in criterion.parameters()
        ):
            return []
        return ["criterion"]

    @property
    def _default_callbacks(self):
        return [
            ("epoch_timer", EpochTimer()),
            ("train_loss", PassthroughScoring(name="train_loss", on_train=True)),
            ("valid_loss", PassthroughScoring(name="valid_loss")),
            (
                "valid_acc",
                EpochScoring("accuracy", name="valid_acc", lower_is_better=False),
            ),
            ("lr_schedule", UpdateSchedule()),
            ("print_log", _PrintLog()),
        ]

    def initialize_callbacks(self):
        check_callbacks(self.callbacks)
        return super().initialize_callbacks()

    def initialize_module(self):
        """Build the network for ``input_shape_`` and ``classes_`` (from the
        parameters ``input_shape`` and ``classes``, or the data of ``fit``)."""
        if self.classes is not None:
            self.classes_ = np.unique(np.asarray(self.classes))
        if self.input_shape is not None:
            self.input_shape_ = check_input_shape(self.input_shape)
        if "classes_" not in self.__dict__ or not hasattr(self, "input_shape_"):
            raise ValueError(
                f"{type(self).__name__}.initialize() needs the input shape and the "
                "classes to size the network: set input_shape= and classes=, or "
                "call fit(X, y)."
            )
        self.n_features_in_ = math.prod(self.input_shape_)
        device = self._device()
        seed = check_random_state(self.random_state).randint(2**31 - 1)
        with torch.random.fork_rng(devices=cuda_devices(device)):
            torch.manual_seed(seed)
            module = build_network(
                self.module, input_shape=self.input_shape_,
                n_classes=len(self.classes_), **self.get_params_for("module"),
            )  # fmt: skip
        module = module.to(device)
        if device.type == "cuda" and len(self.input_shape_) == 3:
            module = module.to(memory_format=torch.channels_last)
        self.module_ = module
        self.normalize_mean_, self.normalize_std_ = self._given_normalization()
        self.class_counts_ = np.zeros(len(self.classes_), dtype=np.int64)
        return self

    def _initialize_module(self, reason=None):
        # skorch's, with our device: it moves the module to ``self.device``,
        # which may be "auto" here
        with self._current_init_context("module"):
            kwargs = self.get_params_for("module")
            if self.initialized_ and self.verbose and (kwargs or reason):
                print(reason or self._format_reinit_msg("module", kwargs))
            self.initialize_module()
            self.module_ = self.torch_compile(self.module_, name="module")
        return self

    def initialize_criterion(self):
        criterion = build_loss(self.criterion, **self.get_params_for("criterion"))
        device = self._device()
        self.criterion_ = criterion.to(device)
        return self

    def _initialize_criterion(self, reason=None):
        with self._current_init_context("criterion"):
            self.initialize_criterion()
        return self

    def initialize_optimizer(self, triggered_directly=None):
        """The optimizer over the module's parameters: ``lr``, and
        ``momentum`` and ``weight_decay`` where it takes them, unless
        ``optimizer__*`` says otherwise."""
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        args, kwargs = self.get_params_for_optimizer(
            "optimizer", self.get_all_learnable_params()
        )
        accepted = inspect.signature(optimizer).parameters
        for name in ("momentum", "weight_decay"):
            if name in accepted:
                kwargs.setdefault(name, getattr(self, name))
        self.optimizer_ = optimizer(*args, **kwargs)
        for group in self.optimizer_.param_groups:
            group["base_lr"] = group["lr"]
        device = self._device()
        self.grad_scaler_ = None  # float16 gradients are scaled (CUDA)
        if self.precision == "16":
            self.grad_scaler_ = torch.amp.GradScaler(device.type)
        return self

    def _initialize_optimizer(self, reason=None):
        super()._initialize_optimizer(reason=reason)
        # skorch's setter changes only the live optimizer: ours also keeps the
        # value as the parameter, so get_params and the next fit see it
        self._register_virtual_param(
            ["optimizer__*", "lr", "momentum", "weight_decay"],
            NetBuilding._set_optimizer_value,
        )
        return self

    def _set_optimizer_value(self, param, value):
        """A parameter of the optimizer set on an initialised net: ``lr``,
        ``momentum``, ``weight_decay`` or ``optimizer__<name>``. It is kept as the
        parameter and set on every parameter group that has it; ``lr`` also becomes
        each group's base rate for the schedule. (``optimizer__param_groups__*``
        is skorch's own.)"""
        if "param_groups" in param:
            return
        if "__" in param:
            setattr(self, param, value)
            self._params_to_validate.add(param)
        else:
            BaseEstimator.set_params(self, **{param: value})
        name = param.rpartition("__")[2]
        for group in self.optimizer_.param_groups:
            if name in group:
                group[name] = value
            if name == "lr":
                group["base_lr"] = value

    def initialize_history(self):
        if self.history_ is None or isinstance(self.history_, SkorchHistory):
            self.history_ = History()  # a new one: a failed fit keeps the old
        else:
            self.history_.clear()  # e.g. skorch's DistributedHistory
        return self

    def _given_normalization(self):
        """``(mean, std)`` of ``normalize`` when given, else ``(None, None)``."""
        if self.normalize is None or self.normalize == "auto":
            return None, None
        given = IMAGENET_STATS if self.normalize == "imagenet" else self.normalize
        channels = self.input_shape_[0]
        try:
            mean, std = (
                np.broadcast_to(np.asarray(v, float), (channels,)) for v in given
            )
        except (ValueError, TypeError):
            mean = std = None
        if mean is None or not (np.isfinite(mean).all() and (std > 0).all()):
            raise ValueError(
                "normalize must be 'auto', 'imagenet' or (mean, std) with one finite "
                f"mean and one positive std per channel ({channels} channels); got "
                f"normalize={self.normalize!r}."
            )
        return mean.copy(), std.copy()

    def _device(self):
        """The torch device of the network: ``device`` resolved ("auto": CUDA
        when available), or, with ``device=None`` (accelerate places it),
        where the module is (the CPU before it is built)."""
        if self.device is not None:
            return resolve_device(self.device)
        module = self.__dict__.get("module_")
        parameter = (
            next(iter(module.parameters()), None) if module is not None else None
        )
        return torch.device("cpu") if parameter is None else parameter.device

    def _workers(self):
        return max(
            self.get_params_for(name).get("num_workers", 0)
            for name in ("iterator_train", "iterator_valid")
        )
