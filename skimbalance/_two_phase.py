"""Two-phase training (Buda et al. 2018, §3.2): pre-train on resampled data, then
fine-tune the head on the original data."""

from numbers import Integral, Real

from sklearn.base import _fit_context, clone
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from ._meta import BaseMetaClassifier
from .utils._atomic import restore_on_error


class TwoPhaseClassifier(BaseMetaClassifier):
    """Pre-train on ``sampler``-resampled data, then fine-tune the head on ``X, y``.

    Phase 1 fits a clone of ``estimator`` on ``sampler.fit_resample(X, y)``
    (e.g. balanced by over- or under-sampling). Phase 2 trains only the
    network's head (its last layers) on the original, imbalanced data with
    the learning rate multiplied by ``finetune_lr_factor`` and the same
    schedule restarted, for ``finetune_max_iter`` updates (default: as many
    as phase 1, as in the paper).

    Parameters
    ----------
    estimator : estimator with ``fine_tune``
        A :class:`~skimbalance.cnn.CNNClassifier` (or anything with
        ``fit``, ``predict_proba`` and ``fine_tune(X, y, sample_weight,
        lr_factor=, max_iter=)``).
    sampler : imbalanced-learn sampler
        Anything with ``fit_resample``, e.g.
        :class:`~skimbalance.sampling.RatioOverSampler`.
    finetune_lr_factor : float, default=0.1
        Phase-2 learning rate as a fraction of the phase-1 one.
    finetune_layers : {"head"}, default="head"
        Which parameters phase 2 trains.
    finetune_max_iter : int or None, default=None
        Phase-2 updates; ``None`` repeats the phase-1 budget.

    Attributes
    ----------
    estimator_ : estimator
        The network after both phases.
    sampler_ : sampler
        The fitted clone of ``sampler``.
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    Notes
    -----
    To run only phase 2 on an already-trained network, call its
    ``fine_tune`` directly; the prediction methods are those the fitted
    network has.

    References
    ----------
    .. [1] M. Buda, A. Maki, M. A. Mazurowski, "A systematic study of the class
       imbalance problem in convolutional neural networks", Neural Networks
       106, 2018, §3.2.

    Examples
    --------
    >>> from skimbalance import TwoPhaseClassifier
    >>> from skimbalance.cnn import LeNet5Classifier
    >>> from skimbalance.datasets import load_digit_images, make_step_imbalance
    >>> from skimbalance.sampling import RatioOverSampler
    >>> X, y = load_digit_images(return_X_y=True)
    >>> X, y = make_step_imbalance(X, y, rho=10, mu=0.5, random_state=0)
    >>> model = TwoPhaseClassifier(
    ...     LeNet5Classifier(max_iter=50, random_state=0),
    ...     RatioOverSampler(random_state=0),
    ... ).fit(X, y)
    >>> model.predict_proba(X[:2]).shape
    (2, 10)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict_proba", "fine_tune"])],
        "sampler": [HasMethods(["fit_resample"])],
        "finetune_lr_factor": [Interval(Real, 0, None, closed="neither")],
        "finetune_layers": [StrOptions({"head"})],
        "finetune_max_iter": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator,
        sampler,
        *,
        finetune_lr_factor=0.1,
        finetune_layers="head",
        finetune_max_iter=None,
    ):
        self.estimator = estimator
        self.sampler = sampler
        self.finetune_lr_factor = finetune_lr_factor
        self.finetune_layers = finetune_layers
        self.finetune_max_iter = finetune_max_iter

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None):
        """Run both phases.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Training data, as accepted by ``estimator.fit``.
        y : array-like of shape (n_samples,)
            Target labels.
        sample_weight : array-like of shape (n_samples,) or None
            Follows the rows the sampler keeps (``sample_indices_``) in phase
            1 and is used as given in phase 2.

        Returns
        -------
        self : TwoPhaseClassifier
        """
        with restore_on_error(self):
            y, sample_weight = self._check_fit_inputs(X, y, sample_weight)
            self.sampler_ = clone(self.sampler)
            X_res, y_res = self.sampler_.fit_resample(X, y)
            weight_res = None
            if sample_weight is not None:
                if not hasattr(self.sampler_, "sample_indices_"):
                    raise ValueError(
                        f"sample_weight needs a sampler with sample_indices_; "
                        f"{type(self.sampler_).__name__} has none."
                    )
                rows = self.sampler_.sample_indices_
                weight_res = _safe_indexing(sample_weight, rows)
            estimator = self._fit_estimator(X_res, y_res, sample_weight=weight_res)
            budget = self.finetune_max_iter or getattr(estimator, "n_iter_", None)
            estimator.fine_tune(
                X, y, sample_weight, lr_factor=self.finetune_lr_factor, max_iter=budget
            )
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags
