"""``CNNClassifier``: a scikit-learn classifier that trains a skorch net in ``fit``."""

import copy
import math
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)
from skorch.helper import predefined_split

from ..losses import ClassBalancedLoss, FocalLoss, LDAMLoss, LogitAdjustedLoss
from ..nets import NETWORKS, build_network
from ..utils._docstrings import fill_docstring
from ..utils._validation import check_same_length, check_single_target
from ._training import (
    Budget,
    ReportProgress,
    StopOnNonFiniteLoss,
    TensorBatches,
    TrainingData,
    WeightedLossNet,
    schedule_callback,
    stratified_holdout,
)

LOSSES = {
    "cross_entropy": lambda: torch.nn.CrossEntropyLoss(reduction="none"),
    "focal": lambda: FocalLoss(reduction="none"),
    "class_balanced": lambda: ClassBalancedLoss(reduction="none"),
    "logit_adjusted": lambda: LogitAdjustedLoss(reduction="none"),
    # s=1: the paper's networks end in a plain linear layer, not the
    # normalised one that LDAM's s=30 is meant for (s=30 diverges at lr 0.01).
    "ldam": lambda: LDAMLoss(s=1.0, reduction="none"),
}


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """Convolutional (or MLP) network as a scikit-learn classifier.

    ``fit`` builds a PyTorch module and trains it with a skorch net for a
    fixed number of weight updates (``max_iter``, the paper's protocol) by SGD
    with momentum and a per-iteration learning-rate schedule. Imbalance is
    handled inside training without copying data: ``class_weight``,
    ``sample_weight``, imbalance-aware ``loss`` functions and class-aware
    batches.

    Parameters
    ----------
    module : str, torch.nn.Module class or instance, default="lenet5"
        The network: a name in :data:`skimbalance.nets.NETWORKS` (``"lenet5"``,
        ``"allcnn"``, ``"resnet10"``, ``"mlp"``), or a module. A class is
        called with ``input_shape=``, ``n_classes=`` and ``module_params``; an
        instance is copied, never trained in place.
    input_shape : tuple of int or None, default=None
        Shape of one example, e.g. ``(1, 28, 28)``. ``None`` infers it: N-D
        ``X`` gives ``X.shape[1:]``, a square number of features ``n`` gives
        ``(1, sqrt(n), sqrt(n))``, any other ``(1, 1, n)``.
    module_params : dict or None, default=None
        Extra keyword arguments of the network (e.g. ``hidden_layer_sizes``).
    max_iter : int, default=10000
        Number of weight updates (SGD steps).
    max_epochs : int or None, default=None
        If set, train for this many passes over the data instead.
    batch_size : int, default=64
        Number of examples per weight update.
    lr : float, default=0.01
        Base learning rate.
    momentum : float, default=0.9
        SGD momentum.
    weight_decay : float, default=5e-4
        L2 penalty of SGD.
    lr_schedule : {"inv", "step", "linear", "constant"}, default="inv"
        Applied per iteration: Caffe's ``inv`` ``(1 + 1e-4 t)^-0.75``, ``step``
        (x0.1 at 4/7, 5/7, 6/7 of the budget), ``linear`` (to 0).
    loss : str or torch.nn.Module, default="cross_entropy"
        Criterion on logits: ``"cross_entropy"``, ``"focal"``,
        ``"class_balanced"``, ``"logit_adjusted"``, ``"ldam"`` or a module.
        Losses from :mod:`skimbalance.losses` get the class counts of the data
        being fitted.
    class_weight : dict, "balanced" or None, default=None
        Weights per class, multiplied into ``sample_weight``.
    batch_sampling : {"shuffle", "class_aware"}, default="shuffle"
        ``class_aware`` draws a class uniformly, then an example of it.
    validation_fraction : float or None, default=None
        Fraction of each class held out to record ``valid_loss`` per epoch in
        ``net_.history`` (every class keeps at least one training example).
    warm_start : bool, default=False
        If True, ``fit`` continues training the current network.
    device : {"auto", "cpu", "cuda"} or str, default="auto"
        ``"auto"`` is CUDA when available, else CPU.
    predict_batch_size : int, default=1024
        Number of examples per forward pass in the predict methods (memory,
        not results).
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation and batch order; CPU runs repeat bit for bit.
    verbose : int, default=0
        When > 0, skorch prints its per-epoch log.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels; ``predict_proba`` columns follow them.
    n_features_in_ : int
        Number of features (pixels) per example seen in ``fit``.
    input_shape_ : tuple of int
        The shape one example is reshaped to, e.g. ``(1, 8, 8)``.
    net_ : skorch.NeuralNet
        The trained net (``net_.module_`` is the PyTorch module).
    n_iter_ : int
        Weight updates made since the network was built.
    class_counts_ : ndarray of shape (n_classes,)
        Number of examples per class in the last training data.

    Examples
    --------
    >>> from skimbalance.cnn import CNNClassifier
    >>> from skimbalance.datasets import load_digit_images
    >>> X, y = load_digit_images(return_X_y=True)
    >>> clf = CNNClassifier("lenet5", max_iter=60, random_state=0).fit(X, y)
    >>> clf.input_shape_, clf.predict_proba(X[:2]).shape
    ((1, 8, 8), (2, 10))
    """

    _parameter_constraints: dict = {
        "module": [StrOptions(set(NETWORKS)), type, torch.nn.Module],
        "input_shape": ["array-like", None],
        "module_params": [dict, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "lr_schedule": [StrOptions({"inv", "step", "linear", "constant"})],
        "loss": [StrOptions(set(LOSSES)), torch.nn.Module],
        "class_weight": [StrOptions({"balanced"}), dict, None],
        "batch_sampling": [StrOptions({"shuffle", "class_aware"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "warm_start": ["boolean"],
        "device": [str, torch.device],
        "predict_batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        module="lenet5",
        *,
        input_shape=None,
        module_params=None,
        max_iter=10_000,
        max_epochs=None,
        batch_size=64,
        lr=0.01,
        momentum=0.9,
        weight_decay=5e-4,
        lr_schedule="inv",
        loss="cross_entropy",
        class_weight=None,
        batch_sampling="shuffle",
        validation_fraction=None,
        warm_start=False,
        device="auto",
        predict_batch_size=1024,
        random_state=None,
        verbose=0,
    ):
        self.module = module
        self.input_shape = input_shape
        self.module_params = module_params
        self.max_iter = max_iter
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_schedule = lr_schedule
        self.loss = loss
        self.class_weight = class_weight
        self.batch_sampling = batch_sampling
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.device = device
        self.predict_batch_size = predict_batch_size
        self.random_state = random_state
        self.verbose = verbose

    # ----------------------------------------------------------------- fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on ``X, y`` for ``max_iter`` updates.

        Parameters
        ----------
        {X_y}
        {sample_weight}

        Returns
        -------
        self : CNNClassifier
        """
        reset = not (self.warm_start and hasattr(self, "net_"))
        return self._train(X, y, sample_weight, reset=reset, epochs=self.max_epochs)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one pass over ``X, y``, continuing the current network.

        Parameters
        ----------
        {X_y}
        classes : array-like of shape (n_classes,) or None
            All classes, required on the first call if ``y`` lacks some.
        {sample_weight}

        Returns
        -------
        self : CNNClassifier
        """
        reset = not hasattr(self, "net_")
        return self._train(
            X,
            y,
            sample_weight,
            reset=reset,
            epochs=1,
            classes=classes,
            horizon=self.max_iter,
        )

    def fine_tune(self, X, y, sample_weight=None, *, lr_factor=0.1, max_iter=None):
        """Train only the head (``net_.module_.head_names``) on new data.

        The rest of the network is frozen; the learning rate is ``lr *
        lr_factor`` and the schedule restarts, as in the second phase of the
        paper's two-phase training (§3.2).

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
        if not (isinstance(lr_factor, Real) and lr_factor > 0):
            raise ValueError(f"lr_factor must be a positive number; got {lr_factor!r}.")
        if max_iter is not None and not (
            isinstance(max_iter, Integral) and max_iter >= 1
        ):
            raise ValueError(f"max_iter must be a positive integer; got {max_iter!r}.")
        module = self.net_.module_
        head = {id(p) for p in _head_parameters(module)}
        frozen = [
            p for p in module.parameters() if id(p) not in head and p.requires_grad
        ]
        for p in frozen:
            p.requires_grad_(False)
        try:
            self._train(
                X,
                y,
                sample_weight,
                reset=False,
                n_updates=max_iter or self.max_iter,
                lr=self.lr * lr_factor,
                restart_schedule=True,
            )
        finally:
            for p in frozen:
                p.requires_grad_(True)
        return self

    def save_weights(self, path):
        """Save the trained weights, classes and input shape (no pickled objects).

        The file holds only tensors, strings and numbers, so
        :meth:`load_weights` reads it with ``torch.load(weights_only=True)``,
        which never executes code from the file.

        Parameters
        ----------
        path : str or path-like
            The file to write (``torch.save``).
        """
        check_is_fitted(self)
        torch.save(
            {
                "state_dict": self.net_.module_.state_dict(),
                "classes": self.classes_.tolist(),
                "input_shape": list(self.input_shape_),
                "n_iter": int(self.n_iter_),
            },
            path,
        )

    def load_weights(self, path, X=None):
        """Build the network from this estimator's parameters and load weights.

        Parameters
        ----------
        path : str or path-like
            A file written by :meth:`save_weights`.
        X : None
            Not used, present for API consistency.

        Returns
        -------
        self : CNNClassifier
            Ready to predict; can also continue with ``warm_start`` or
            :meth:`partial_fit`.
        """
        state = torch.load(path, map_location="cpu", weights_only=True)
        self._validate_params()
        self.classes_ = np.asarray(state["classes"])
        self.input_shape_ = tuple(state["input_shape"])
        self.n_features_in_ = math.prod(self.input_shape_)
        self.n_iter_ = state["n_iter"]
        device = _resolve_device(self.device)
        self.net_ = self._build_net(device)
        self.net_.module_.load_state_dict(state["state_dict"])
        self.net_.module_.eval()
        return self

    # ------------------------------------------------------------ internals
    def _train(
        self,
        X,
        y,
        sample_weight,
        *,
        reset,
        epochs=None,
        classes=None,
        n_updates=None,
        lr=None,
        restart_schedule=False,
        horizon=None,
    ):
        X, y_pos, weight = self._check_training_data(
            X, y, sample_weight, reset, classes
        )
        device = _resolve_device(self.device)
        rng = check_random_state(self.random_state)
        start = 0 if reset else self.n_iter_
        seed_rng = np.random.RandomState(rng.randint(2**31 - 1) + start)
        torch_seed = int(seed_rng.randint(2**31 - 1))

        data = TrainingData(
            _as_tensor(X).view(len(X), *self.input_shape_).to(device),
            torch.from_numpy(y_pos).to(device),
            None if weight is None else torch.from_numpy(weight).to(device),
        )
        train, valid = data, None
        if self.validation_fraction is not None:
            tr, va = stratified_holdout(y_pos, self.validation_fraction, seed_rng)
            if len(va) == 0:
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} holds out no "
                    f"example of any class ({len(y_pos)} samples); use a larger "
                    "fraction or None."
                )
            train, valid = data.subset(tr), data.subset(va)
        n_batches = math.ceil(len(train) / self.batch_size)
        if n_updates is None:
            n_updates = self.max_iter if epochs is None else epochs * n_batches
        budget = Budget(n_updates, start=0 if restart_schedule else start)
        if horizon is None:
            horizon = budget.start + n_updates
        train_labels = train.y.cpu().numpy()
        self.class_counts_ = np.bincount(train_labels, minlength=len(self.classes_))

        with torch.random.fork_rng(devices=_cuda_devices(device)):
            torch.manual_seed(torch_seed)
            if reset:
                self.net_ = self._build_net(device)
            net = self.net_
            if hasattr(net.criterion_, "set_class_counts"):
                net.criterion_.set_class_counts(np.maximum(self.class_counts_, 1))
                net.criterion_.to(device)
            lr = self.lr if lr is None else lr
            _set_training_params(net, self, lr)
            # Plain attributes: skorch's set_params would re-initialise parts.
            net.iterator_train__budget = budget
            net.iterator_train__random_state = seed_rng
            net.iterator_train__labels = train_labels
            net.train_split = None if valid is None else predefined_split(valid)
            net.callbacks = [
                (
                    "lr_schedule",
                    schedule_callback(self.lr_schedule, horizon, budget.start),
                ),
                ("progress", ReportProgress(budget, horizon)),
                ("nonfinite", StopOnNonFiniteLoss(budget, lr)),
            ]
            net.initialize_callbacks()
            net.max_epochs = math.ceil(n_updates / n_batches)
            try:
                net.partial_fit(train)  # on_train_begin/end + fit_loop
            finally:
                # Keep no reference to the data in the fitted estimator.
                net.train_split = None
                for name in ("budget", "random_state", "labels"):
                    delattr(net, f"iterator_train__{name}")
                net.module_.eval()
                self.n_iter_ = start + budget.done
        return self

    def _check_training_data(self, X, y, sample_weight, reset, classes):
        X = self._check_X(X, reset=reset)
        y = check_single_target(y)
        check_same_length(X, y)
        if reset:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
        unknown = np.setdiff1d(y, self.classes_)
        if unknown.size:
            raise ValueError(
                f"y contains classes not seen in the first fit: {unknown.tolist()}; "
                f"known classes are {self.classes_.tolist()}."
            )
        y_pos = np.searchsorted(self.classes_, y).astype(np.int64)
        weight = None
        if sample_weight is not None:
            weight = _check_sample_weight(
                sample_weight, X, dtype=np.float32, ensure_non_negative=True
            )
        if self.class_weight is not None:
            class_weight = compute_class_weight(
                self.class_weight, classes=self.classes_, y=y
            ).astype(np.float32)
            weight = class_weight[y_pos] * (1 if weight is None else weight)
        return X, y_pos, weight

    def _check_X(self, X, *, reset):
        """2-D float32 C-contiguous ``X``; set or check the input shape."""
        if not hasattr(X, "iloc"):
            X = np.asarray(X) if not hasattr(X, "shape") else X
        nd_shape = tuple(X.shape[1:]) if getattr(X, "ndim", 2) > 2 else None
        if nd_shape is not None:
            X = np.asarray(X).reshape(len(X), -1)
        X = validate_data(self, X, reset=reset, dtype=np.float32, order="C")
        if reset:
            self.input_shape_ = _resolve_input_shape(
                self.input_shape, nd_shape, X.shape[1]
            )
        elif nd_shape is not None and _squeeze(nd_shape) != _squeeze(self.input_shape_):
            raise ValueError(
                f"X has examples of shape {nd_shape}, but {type(self).__name__} was "
                f"fitted on input_shape={self.input_shape_}."
            )
        return X

    def _build_net(self, device):
        module = build_network(
            self.module,
            input_shape=self.input_shape_,
            n_classes=len(self.classes_),
            **(self.module_params or {}),
        )
        net = WeightedLossNet(
            module=module,
            criterion=_build_criterion(self.loss),
            optimizer=torch.optim.SGD,
            optimizer__momentum=self.momentum,
            optimizer__weight_decay=self.weight_decay,
            lr=self.lr,
            batch_size=self.batch_size,
            iterator_train=TensorBatches,
            iterator_train__order=self.batch_sampling,
            iterator_valid=TensorBatches,
            train_split=None,
            callbacks=[],
            predict_nonlinearity=None,
            device=device,
            verbose=self.verbose,
        )
        return net.initialize()

    # ------------------------------------------------------------- predict
    def predict_proba(self, X):
        """Class probabilities (softmax of the logits), rows summing to 1.

        The network runs in float32; the softmax is taken in float64, so rows
        sum to 1 to float64 precision (as scikit-learn's metrics expect).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as given to :meth:`fit`.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns follow ``classes_``.
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        module = self.net_.module_
        device = next(module.parameters()).device
        logits = np.empty((len(X), len(self.classes_)), dtype=np.float32)
        X_t = _as_tensor(X)
        step = self.predict_batch_size
        module.eval()
        with torch.inference_mode():
            for start in range(0, len(X), step):
                xb = X_t[start : start + step].to(device).view(-1, *self.input_shape_)
                logits[start : start + step] = module(xb).cpu().numpy()
        return softmax(logits.astype(np.float64), axis=1)

    def predict(self, X):
        """Most probable class label for each example.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Examples to classify, as given to :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)  # checks fitted before classes_ is read
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = False
        return tags


#: Docstring fragments of the training methods.
_TRAINING_DOCS = {
    "{X_y}": """X : array-like of shape (n_samples, n_features) or (n_samples, C, H, W)
            Training examples: flattened, reshaped to ``input_shape``, or images.
        y : array-like of shape (n_samples,)
            Class labels of any type.""",
    "{sample_weight}": """sample_weight : array-like of shape (n_samples,) or None
            Per-example loss weights (the loss is ``mean(w * loss)``).""",
}
for _method in (CNNClassifier.fit, CNNClassifier.partial_fit, CNNClassifier.fine_tune):
    fill_docstring(_method, _TRAINING_DOCS)
del _method


def _squeeze(shape):
    return tuple(s for s in shape if s != 1)


def _set_training_params(net, estimator, lr):
    """Apply the estimator's current training parameters to a (reused) net."""
    net.batch_size = estimator.batch_size
    net.iterator_train__order = estimator.batch_sampling
    for group in net.optimizer_.param_groups:
        group["momentum"] = estimator.momentum
        group["weight_decay"] = estimator.weight_decay
        group["lr"] = group["initial_lr"] = lr  # the schedule's base lr


def _head_parameters(module):
    names = getattr(module, "head_names", None)
    if not names:
        raise ValueError(
            f"{type(module).__name__} names no head: set a `head_names` tuple of "
            "child-module names to fine-tune only the head."
        )
    children = dict(module.named_children())
    return [p for name in names for p in children[name].parameters()]


def _as_tensor(X):
    """Share ``X``'s memory (never written) even when it is read-only."""
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The given NumPy array is not writable"
        )
        return torch.from_numpy(X)


def _build_criterion(loss):
    if isinstance(loss, str):
        return LOSSES[loss]()
    criterion = copy.deepcopy(loss)
    if hasattr(criterion, "reduction"):
        criterion.reduction = "none"
    return criterion


def _resolve_device(device):
    device = str(device)
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} but no CUDA device is available; use device='cpu' "
            "or device='auto' (CUDA when available, else CPU)."
        )
    return device


def _cuda_devices(device):
    if not device.startswith("cuda"):
        return []
    index = torch.device(device).index
    return [torch.cuda.current_device() if index is None else index]


def _resolve_input_shape(input_shape, nd_shape, n_features):
    if input_shape is not None:
        shape = tuple(int(s) for s in input_shape)
        if math.prod(shape) != n_features:
            raise ValueError(
                f"input_shape={tuple(input_shape)} has {math.prod(shape)} values per "
                f"example but X has n_features={n_features}."
            )
        return shape
    if nd_shape is not None:
        return nd_shape
    side = math.isqrt(n_features)
    return (1, side, side) if side * side == n_features else (1, 1, n_features)
