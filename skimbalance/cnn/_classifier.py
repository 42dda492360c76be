"""``CNNClassifier``: a skorch ``NeuralNetClassifier`` that is also a
scikit-learn classifier with the paper's training.

This module is the estimator's surface: its parameters and their checks, the
training calls (``fit``, ``partial_fit``, ``fine_tune``, each all or
nothing), prediction and pickling. The rest is mixed in: how its parts are
built (:mod:`._build`), the loop (:mod:`._loop`), the files of
``save_params`` / ``load_params`` (:mod:`._files`).
"""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch import NeuralNetClassifier
from skorch.utils import params_for

from ..losses import LOSSES
from ..nets import NETWORKS
from ..nets._adapt import head_parameters
from ..utils._docstrings import fill_docstring
from ..utils._validation import check_parameter
from ._augment import AUGMENTATIONS
from ._batches import BatchLoader
from ._build import OPTIMIZERS, NetBuilding
from ._data import image_dataset
from ._devices import check_precision, cuda_devices, resolve_device
from ._files import ParamsFiles
from ._guard import all_or_nothing
from ._loop import Diverged, TrainingCall, TrainingLoop
from ._nested import check_callbacks, check_nested_params
from ._params import parameters_section
from ._schedule import SCHEDULES
from ._targets import (
    check_labels,
    class_positions,
    example_weights,
    known_classes,
    new_classes,
)


def _is_nested(name):
    """Whether ``name`` is a nested parameter, ``<prefix>__<name>``."""
    return "__" in name[1:-1] and not name.startswith("_") and not name.endswith("_")


#: Nested parameters set by :meth:`CNNClassifier.set_params` itself.
_OWN_NESTED = ("iterator_train__", "iterator_valid__", "criterion__")


class CNNClassifier(TrainingLoop, NetBuilding, ParamsFiles, NeuralNetClassifier):
    """Convolutional (or any PyTorch) network as a skorch net and a scikit-learn
    classifier.

    A :class:`skorch.NeuralNetClassifier`: ``callbacks``, ``history``,
    ``train_split``, nested ``module__`` / ``criterion__`` / ``optimizer__``
    / ``iterator_train__`` / ``iterator_valid__`` parameters,
    ``initialize``, ``save_params`` / ``load_params``, ``forward_iter`` and
    skorch's ``AccelerateMixin`` work as in skorch. What it adds: training
    for a fixed number of weight updates (``max_iter``, the paper's protocol)
    under a per-update learning-rate schedule, ``predict`` returning the
    labels of ``y`` (strings too), and imbalance handled inside training
    without copying data: ``class_weight``, ``sample_weight``,
    imbalance-aware ``criterion`` losses and class-aware batches.

    ``X`` may be 2-D ``(n, n_features)``, images ``(n, C, H, W)``,
    ``(n, H, W, C)`` or ``(n, H, W)``, a memory map, a CPU tensor, or a lazy
    :class:`~skimbalance.datasets.ImageArray` over image files (decoded batch
    by batch, in ``iterator_train__num_workers`` processes). Nothing is
    copied or converted as a whole: each batch is gathered from ``X`` (on
    the GPU when it fits there) and turned into float32 on the device. uint8
    and uint16 images are scaled to [0, 1] per batch, by 255 and 65535
    (torchvision's ``ToDtype(torch.float32, scale=True)``); float input is
    used as given.

    {parameters}

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; ``predict_proba`` columns follow them.
    n_features_in_ : int
        Number of values (pixels) per example.
    input_shape_ : tuple of int
        The shape the network takes one example in, e.g. ``(1, 8, 8)``.
    module_, criterion_, optimizer_ : torch objects
        The network, the loss (per example) and the optimizer.
    history : skorch.history.History
        Per epoch ``train_loss``, ``valid_loss``, ``valid_acc``, ``dur``,
        ``train_batch_count``; per batch ``train_loss``,
        ``train_batch_size``, ``event_lr``.
    callbacks_ : list of (str, Callback)
        skorch's default callbacks, ``lr_schedule`` (an
        :class:`~skimbalance.cnn.UpdateSchedule`) and ``callbacks``.
    n_iter_ : int
        Weight updates in the history (since the network was built).
    schedule_ : Schedule
        The learning-rate schedule of the last training call.
    class_counts_ : ndarray of shape (n_classes,)
        Number of training examples per class in the last training call.
    normalize_mean_, normalize_std_ : ndarray of shape (C,) or None
        The per-channel normalisation applied (``None`` without
        ``normalize``).
    grad_scaler_ : torch.amp.GradScaler or None
        The scale of float16 gradients (``precision="16"``).

    See Also
    --------
    LeNet5Classifier, AllCNNClassifier, ResNet10Classifier : The paper's
        networks with the paper's training as defaults.
    skimbalance.datasets.load_image_folder : A folder of images as a lazy array.

    Notes
    -----
    A training call either completes or changes nothing: an exception or
    Ctrl-C leaves the estimator as it was before the call (unfitted, or its
    previous state: weights, optimizer, history), and propagates. A callback
    that stops the training (skorch's ``EarlyStopping``) ends the call
    normally.

    Examples
    --------
    >>> from skimbalance.cnn import CNNClassifier
    >>> from skimbalance.datasets import load_digit_images
    >>> X, y = load_digit_images(return_X_y=True)
    >>> clf = CNNClassifier("lenet5", max_iter=60, random_state=0).fit(X, y)
    >>> clf.input_shape_, clf.predict_proba(X[:2]).shape, clf.n_iter_
    ((1, 8, 8), (2, 10), 60)
    """

    _parameter_constraints: dict = {
        "module": [StrOptions(set(NETWORKS)), callable, torch.nn.Module],
        "criterion": [StrOptions(set(LOSSES)), torch.nn.Module, type],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr_schedule": [StrOptions(set(SCHEDULES)), None],
        "schedule_length": [Interval(Integral, 1, None, closed="left"), None],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "batch_sampling": [StrOptions({"shuffle", "class_aware"})],
        "augment": [StrOptions(set(AUGMENTATIONS)), callable, None],
        "normalize": [StrOptions({"auto", "imagenet"}), tuple, list, None],
        "input_shape": ["array-like", None],
        "data_format": [StrOptions({"auto", "channels_first", "channels_last"})],
        "precision": [StrOptions({"32", "bf16", "16"})],
        "train_split": [Interval(Real, 0, 1, closed="neither"), callable, None],
        "callbacks": [list, tuple, StrOptions({"disable"}), None],
        "iterator_train": [callable],
        "iterator_valid": [callable],
        "classes": ["array-like", None],
        "warm_start": ["boolean"],
        "device": [str, torch.device, None],
        "compile": ["boolean"],
        "use_caching": [StrOptions({"auto"}), "boolean"],
        "torch_load_kwargs": [dict, None],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        module="lenet5",
        *,
        criterion="cross_entropy",
        optimizer="sgd",
        lr=0.01,
        momentum=0.9,
        weight_decay=5e-4,
        max_iter=10_000,
        max_epochs=None,
        batch_size=64,
        lr_schedule="inv",
        schedule_length=None,
        class_weight=None,
        batch_sampling="shuffle",
        augment=None,
        normalize=None,
        input_shape=None,
        data_format="auto",
        precision="32",
        train_split=None,
        callbacks=None,
        iterator_train=BatchLoader,
        iterator_valid=BatchLoader,
        classes=None,
        warm_start=False,
        device="auto",
        compile=False,
        use_caching="auto",
        torch_load_kwargs=None,
        random_state=None,
        verbose=0,
        **kwargs,
    ):
        self.module = module
        self.criterion = criterion
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr_schedule = lr_schedule
        self.schedule_length = schedule_length
        self.class_weight = class_weight
        self.batch_sampling = batch_sampling
        self.augment = augment
        self.normalize = normalize
        self.input_shape = input_shape
        self.data_format = data_format
        self.precision = precision
        self.train_split = train_split
        self.callbacks = callbacks
        self.iterator_train = iterator_train
        self.iterator_valid = iterator_valid
        self.classes = classes
        self.warm_start = warm_start
        self.device = device
        self.compile = compile
        self.use_caching = use_caching
        self.torch_load_kwargs = torch_load_kwargs
        self.random_state = random_state
        self.verbose = verbose
        # skorch's own: a history to use (e.g. DistributedHistory), and the
        # nested parameters (see __setattr__)
        self.history_ = kwargs.pop("history", None)
        self._params_to_validate = set(kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)
        self.virtual_params_ = {}
        self.initialized_ = False

    # ------------------------------------------------------ nested parameters
    # skorch keeps ``module__x`` and the like as attributes; here they live in
    # one private dict, so that the attributes of an estimator are its
    # parameters (as scikit-learn requires), and are read and written as
    # attributes all the same.
    def __setattr__(self, name, value):
        if _is_nested(name):
            self.__dict__.setdefault("_nested", {})[name] = value
        else:
            super().__setattr__(name, value)

    def __getattr__(self, name):
        nested = self.__dict__.get("_nested", {})
        if name in nested:
            return nested[name]
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def __delattr__(self, name):
        if _is_nested(name) and name in self.__dict__.get("_nested", {}):
            del self.__dict__["_nested"][name]
        else:
            super().__delattr__(name)

    def _get_params_for(self, prefix):
        return params_for(prefix, {**self.__dict__, **self.__dict__.get("_nested", {})})

    # ------------------------------------------- skorch's state, as private
    # skorch sets history_, initialized_ and virtual_params_ in __init__;
    # scikit-learn allows only parameters there, so they live under private
    # names. classes_ is an attribute (skorch's is a property).
    history_ = property(
        lambda self: self.__dict__.get("_history"),
        lambda self, value: self.__dict__.__setitem__("_history", value),
    )
    virtual_params_ = property(
        lambda self: self.__dict__.get("_virtual_params", {}),
        lambda self, value: self.__dict__.__setitem__("_virtual_params", value),
    )

    @property
    def initialized_(self):
        try:
            return self.__dict__["_initialized"]
        except KeyError:  # during __init__: skorch's __setattr__ asks
            raise AttributeError("initialized_") from None

    @initialized_.setter
    def initialized_(self, value):
        self.__dict__["_initialized"] = value

    @property
    def classes_(self):
        try:
            return self.__dict__["classes_"]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__} has no classes_ before fit or initialize."
            ) from None

    @classes_.setter
    def classes_(self, value):
        self.__dict__["classes_"] = value

    @property
    def n_iter_(self):
        """Weight updates in the history."""
        history = self.history_
        if history is None:
            raise AttributeError(f"{type(self).__name__} has no n_iter_ before fit.")
        try:
            return int(sum(history[:, "train_batch_count"]))
        except KeyError:  # no epoch yet
            return 0

    def _get_param_names(self):
        """The parameters: every public attribute not ending in ``_`` (the
        explicit ones and those of mixins such as skorch's ``AccelerateMixin``),
        then the nested ``prefix__name`` ones."""
        public = [
            k for k in self.__dict__ if not k.startswith("_") and not k.endswith("_")
        ]
        return public + list(self.__dict__.get("_nested", {}))

    __repr__ = BaseEstimator.__repr__

    def get_params(self, deep=True):
        """Get the parameters, as skorch does.

        Parameters
        ----------
        deep : bool, default=True
            Also return the parameters of the callbacks
            (``callbacks__<name>__<param>``).

        Returns
        -------
        params : dict
            Parameter names mapped to their values, nested ones included.
        """
        return super().get_params(deep=deep)

    def set_params(self, **params):
        """Set parameters, as skorch does (nested ones included).

        ``callbacks`` is checked when the callbacks are built: at once on an
        initialised net (as in skorch), else at the next ``fit``. On an
        initialised net, ``lr``, ``momentum``, ``weight_decay`` and
        ``optimizer__*`` change the optimizer in place, and module or
        criterion parameters rebuild what they configure.

        Parameters
        ----------
        **params : dict
            Parameter names (``lr``, ``module__hidden_layer_sizes``, ...)
            mapped to their new values.

        Returns
        -------
        self : CNNClassifier
        """
        if "callbacks" in params:
            BaseEstimator.set_params(self, callbacks=params.pop("callbacks"))
            if self.initialized_:
                self._initialize_callbacks()
        # skorch 1.x refuses these on an initialised net ("Something went
        # wrong"): DataLoader parameters need nothing rebuilt, and a criterion
        # without parameters (ours) is not one skorch knows to rebuild.
        nested = [k for k in params if k.startswith(_OWN_NESTED) or k == "criterion"]
        rebuild = self.initialized_ and any(k.startswith("criterion") for k in nested)
        for key in nested:
            setattr(self, key, params.pop(key))
            if "__" in key:
                self._params_to_validate.add(key)
        if rebuild:
            self._validate_params()
            learnable = bool(self._criteria)
            self._initialize_criterion()
            if learnable or self._criteria:
                self._initialize_optimizer()
        return super().set_params(**params) if params else self

    def initialize(self):
        """Build the network, criterion, optimizer, callbacks and history.

        ``fit`` does this from the data; without data the network is sized
        from the ``input_shape`` and ``classes`` parameters. A call on an
        initialised estimator starts over with a new network.

        Returns
        -------
        self : CNNClassifier
        """
        return super().initialize()

    # ----------------------------------------------------------- checking
    def _validate_params(self):
        """scikit-learn's constraints, skorch's names, then the nested values."""
        BaseEstimator._validate_params(self)
        super()._validate_params()
        check_callbacks(self.callbacks)
        if isinstance(self.criterion, type) and not issubclass(
            self.criterion, torch.nn.Module
        ):
            raise ValueError(
                f"criterion={self.criterion!r} is not a torch.nn.Module class."
            )
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        if not (
            isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)
        ):
            raise ValueError(
                "optimizer must be 'sgd', 'adam', 'adamw' or a torch.optim."
                f"Optimizer subclass; got optimizer={self.optimizer!r}."
            )
        check_nested_params(self, optimizer)

    def _training_data(self, X, y, sample_weight, *, continuing, classes=None):
        """Check ``X``, ``y`` and the weights: ``(the call's ImageDataset,
        its classes)``."""
        dataset = image_dataset(self, X, reset=not continuing)
        labels = check_labels(X, y)
        if continuing:
            known = known_classes(self.classes_, classes)
        else:
            given = self.classes if classes is None else classes
            known = new_classes(labels, given, self)
        dataset.labels = labels
        dataset.targets = class_positions(labels, known, continuing)
        dataset.weights = example_weights(
            sample_weight, self.class_weight, known, dataset.labels, dataset.targets
        )
        return dataset, known

    def get_dataset(self, X, y=None):
        """``X`` as a torch Dataset: itself if it is one, else the checked
        examples (and labels) as an :class:`ImageDataset`."""
        if isinstance(X, torch.utils.data.Dataset):
            return X
        return self._image_dataset(X, y)

    def _image_dataset(self, X, y=None):
        """An :class:`ImageDataset` of examples to predict (or validate on)."""
        labels = targets = None
        if y is not None:
            labels = check_labels(X, y)
            targets = class_positions(labels, self.classes_, continuing=True)
        dataset = image_dataset(self, X, reset=False, labels=labels, targets=targets)
        return dataset.place(self._device(), workers=self._workers())

    # ------------------------------------------------------------ training
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X, y`` for ``max_iter`` updates.

        A new network, unless ``warm_start`` and the estimator is initialised
        (then the current one continues, its schedule too). A checkpoint
        loaded when training begins (skorch's ``LoadInitState``) counts
        towards the ``max_iter`` updates of a new fit: a resumed training
        ends where an uninterrupted one would.

        Parameters
        ----------
        {X_y}
        {sample_weight}

        Returns
        -------
        self : CNNClassifier
        """
        continuing = bool(self.warm_start) and self.initialized_
        return self._train(X, y, sample_weight, kind="fit", continuing=continuing)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one pass over ``X, y`` (``max_epochs`` passes when set),
        continuing the current network.

        Parameters
        ----------
        {X_y}
        classes : array-like of shape (n_classes,) or None
            All classes, required on the first call if ``y`` lacks some; on
            later calls it must be the same (or None).
        {sample_weight}

        Returns
        -------
        self : CNNClassifier
        """
        return self._train(
            X, y, sample_weight, kind="epoch", continuing=self.initialized_,
            classes=classes,
        )  # fmt: skip

    def fine_tune(self, X, y, sample_weight=None, *, lr_factor=0.1, max_iter=None):
        """Train only the head of the network on new data.

        The head is ``head_names`` of this package's networks, or the last
        classifier layer found under ``fc``, ``classifier``, ``head`` or
        ``heads`` (torchvision, timm). The rest of the network is frozen; the
        learning rate is ``lr * lr_factor`` and the schedule restarts, as in
        the second phase of the paper's two-phase training (§3.2).

        Parameters
        ----------
        {X_y}
        {sample_weight}
        lr_factor : float, default=0.1
            The learning rate of this phase as a fraction of ``lr``.
        max_iter : int or None, default=None
            Updates to make; ``None`` uses ``self.max_iter``.

        Returns
        -------
        self : CNNClassifier
        """
        check_is_fitted(self)
        check_parameter(
            lr_factor, "lr_factor", [Interval(Real, 0, None, closed="neither")],
            "fine_tune",
        )  # fmt: skip
        check_parameter(
            max_iter, "max_iter", [Interval(Integral, 1, None, closed="left"), None],
            "fine_tune",
        )  # fmt: skip
        module = getattr(self.module_, "_orig_mod", self.module_)  # compiled
        head = {id(p) for p in head_parameters(module)}
        frozen = [
            p for p in module.parameters() if id(p) not in head and p.requires_grad
        ]
        for p in frozen:
            p.requires_grad_(False)
        try:
            self._train(
                X, y, sample_weight, kind="fine_tune", continuing=True,
                lr_factor=float(lr_factor), updates=max_iter or self.max_iter,
            )  # fmt: skip
        finally:
            for p in frozen:
                p.requires_grad_(True)
        return self

    def _train(
        self, X, y, sample_weight, *, kind, continuing, classes=None, lr_factor=1.0,
        updates=0,
    ):  # fmt: skip
        """Check everything, then one training call; all or nothing."""
        with all_or_nothing(self, continuing=continuing):
            if not continuing:
                self._validate_params()
            check_precision(self.precision, self._device())
            dataset, classes_ = self._training_data(
                X, y, sample_weight, continuing=continuing, classes=classes
            )
            rng = check_random_state(self.random_state)
            n_before = self.n_iter_ if continuing else 0
            seeds = np.random.RandomState(rng.randint(2**31 - 1) + n_before)
            torch_seed = int(seeds.randint(2**31 - 1))
            if not continuing:
                self.classes_, self.input_shape_ = classes_, dataset.input_shape
                self.initialize()
            dataset.place(self._device(), workers=self._workers())
            device = self._device()
            call = TrainingCall(
                kind, n_before, device, seeds,
                torch.Generator(device=device).manual_seed(torch_seed),
                updates=updates, lr_factor=lr_factor,
            )  # fmt: skip
            with torch.random.fork_rng(devices=cuda_devices(device)):
                torch.manual_seed(torch_seed)
                try:
                    self._run_call(dataset, call)
                except Diverged as exc:
                    raise FloatingPointError(
                        self._divergence_message(exc, dataset)
                    ) from None
        return self

    def _divergence_message(self, exc, dataset):
        causes = []
        largest = _largest_value(dataset.source)
        if largest is not None and largest > 10:
            causes.append(
                f"unscaled inputs: the largest value of X is {largest:g} (scale "
                "pixels to [0, 1], or pass the uint8 images, which are scaled "
                "per batch)"
            )
        if dataset.weights is not None:
            positive = dataset.weights[dataset.weights > 0]
            if positive.size and positive.max() / positive.min() > 100:
                causes.append(
                    f"class_weight or sample_weight, ranging from {positive.min():g} "
                    f"to {positive.max():g}"
                )
        lr = self.optimizer_.param_groups[0]["base_lr"] * self.schedule_.factor
        causes.append(f"the learning rate (lr={lr:g} now; try lr={lr / 10:g})")
        return (
            f"Training loss became {exc.value} at update {exc.update}; the model "
            f"diverged. Likely causes: {'; '.join(causes)}."
        )

    # ------------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities (softmax of the logits), rows summing to 1.

        The network runs in float32 (or ``precision``); the softmax is taken
        in float64, so rows sum to 1 to float64 precision (as scikit-learn's
        metrics expect). ``X`` is read batch by batch, never copied whole.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as given to :meth:`fit` (any of the layouts
            it accepts, an ImageArray, a CPU tensor), or a torch ``Dataset``
            of ``(image, target)`` pairs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return softmax(self._logits(X).astype(np.float64), axis=1)

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed from the logits in float64.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as for :meth:`predict_proba`.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        return log_softmax(self._logits(X).astype(np.float64), axis=1)

    def predict(self, X):
        """Most probable class label for each example.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as for :meth:`predict_proba`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        logits = self._logits(X)
        return self.classes_[np.argmax(logits, axis=1)]

    def _logits(self, X):
        """float32 logits of ``X``, through ``forward_iter`` (so that skorch's
        scoring callbacks can serve cached ones)."""
        check_is_fitted(self)
        outputs = [
            out.float() for out in self.forward_iter(X, training=False, device="cpu")
        ]
        if not outputs:
            return np.empty((0, len(self.classes_)), dtype=np.float32)
        return torch.cat(outputs).numpy()

    # -------------------------------------------------------------- pickle
    def __setstate__(self, state):
        device = state.get("device")
        if isinstance(device, str) and device == "auto":
            state["device"] = str(resolve_device("auto"))
        super().__setstate__(state)
        self.__dict__["device"] = device if device in ("auto", None) else self.device

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


fill_docstring(CNNClassifier, {"{parameters}": parameters_section(CNNClassifier)})

#: Docstring fragments of the training methods.
_TRAINING_DOCS = {
    "{X_y}": """X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Training examples: flattened, images (channels first or last),
            a memory map, a CPU tensor or a lazy ImageArray.
        y : array-like of shape (n_samples,)
            Class labels of any type.""",
    "{sample_weight}": """sample_weight : array-like of shape (n_samples,) or None
            Per-example loss weights (the loss is ``mean(w * loss)``).""",
}
for _method in (CNNClassifier.fit, CNNClassifier.partial_fit, CNNClassifier.fine_tune):
    fill_docstring(_method, _TRAINING_DOCS)
del _method


# ------------------------------------------------------------------ helpers
def _largest_value(source, limit=100_000):
    """Largest value of (up to ``limit`` rows of) a float source, for messages."""
    if isinstance(source, torch.Tensor):
        if not source.is_floating_point() or not len(source):
            return None
        return float(source[:limit].max())
    if isinstance(source, np.ndarray) and source.dtype.kind == "f" and len(source):
        return float(np.max(source[:limit]))
    return None
