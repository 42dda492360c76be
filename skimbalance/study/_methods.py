"""The methods the study compares, as estimators built for one training budget.

The paper's eight methods cost five trainings: thresholding variants reuse the
model they wrap (``PriorThresholdClassifier`` around a ``FrozenEstimator``),
with the class priors of the imbalanced training set, before any sampling.
"""

from sklearn.frozen import FrozenEstimator

from .._downsample_upweight import DownsampleUpweightClassifier
from .._prior_threshold import PriorThresholdClassifier
from .._two_phase import TwoPhaseClassifier
from ..cnn import LeNet5Classifier
from ..sampling import RatioOverSampler, RatioUnderSampler

#: The eight methods of Buda et al. (2018), Section 3.2.
PAPER_METHODS = (
    "baseline",
    "ros",
    "rus",
    "two_phase_ros",
    "two_phase_rus",
    "thresholding",
    "ros_thresholding",
    "rus_thresholding",
)
#: Methods from later work on long-tailed data, compared under the same protocol.
ADDED_METHODS = (
    "class_aware",
    "focal",
    "class_balanced",
    "logit_adjusted",
    "ldam",
    "downsample_upweight",
    "thresholding_em",
)
#: Every named method; ``ros_ratio_<r>`` and ``rus_ratio_<r>`` are also accepted.
ALL_METHODS = PAPER_METHODS + ADDED_METHODS

#: Methods that post-process a trained model: name -> (trained method, target).
THRESHOLDED = {
    "thresholding": ("baseline", "uniform"),
    "ros_thresholding": ("ros", "uniform"),
    "rus_thresholding": ("rus", "uniform"),
    "thresholding_em": ("baseline", "em"),
}


def ratio_method(name):
    """``("ros" | "rus", r)`` for a partial-ratio name such as ``ros_ratio_10``."""
    kind, _, ratio = name.partition("_ratio_")
    if kind in ("ros", "rus") and ratio:
        try:
            value = float(ratio)
        except ValueError:
            return None
        if value >= 1:
            return kind, value
    return None


def is_known_method(name):
    """One of ``ALL_METHODS``, or ``ros_ratio_<r>`` / ``rus_ratio_<r>``."""
    return name in ALL_METHODS or ratio_method(name) is not None


def trained_methods(methods):
    """The trainings needed for ``methods``, in a stable order."""
    needed = {THRESHOLDED.get(m, (m,))[0] for m in methods}
    return [m for m in ALL_METHODS if m in needed] + sorted(
        m for m in needed if m not in ALL_METHODS
    )


def build_method(name, *, max_iter, random_state, device="cpu", lr=0.01):
    """An unfitted estimator for a trained method, with ``max_iter`` updates in all.

    ``ros_ratio_<r>`` / ``rus_ratio_<r>`` over- or under-sample to the
    imbalance ratio ``r`` only (paper §4.5, Figure 7). Two-phase methods split
    the budget: ``max_iter - max_iter // 2`` updates on
    the resampled data, ``max_iter // 2`` to fine-tune the head, so every
    method makes the same number of weight updates (the paper's rule).
    """
    cnn = LeNet5Classifier(
        max_iter=max_iter, random_state=random_state, device=device, lr=lr
    )
    ros = RatioOverSampler(random_state=random_state)
    rus = RatioUnderSampler(random_state=random_state)
    if name == "baseline":
        return cnn
    if name in ("ros", "rus") or ratio_method(name):
        from imblearn.pipeline import make_pipeline

        kind, ratio = ratio_method(name) or (name, 1.0)
        sampler = ros if kind == "ros" else rus
        return make_pipeline(sampler.set_params(imbalance_ratio=ratio), cnn)
    if name in ("two_phase_ros", "two_phase_rus"):
        phase_2 = max_iter // 2
        return TwoPhaseClassifier(
            cnn.set_params(max_iter=max_iter - phase_2),
            ros if name == "two_phase_ros" else rus,
            finetune_max_iter=max(phase_2, 1),
        )
    if name == "class_aware":
        return cnn.set_params(batch_sampling="class_aware")
    if name in ("focal", "class_balanced", "logit_adjusted", "ldam"):
        return cnn.set_params(loss=name)
    if name == "downsample_upweight":
        return DownsampleUpweightClassifier(cnn, random_state=random_state)
    raise ValueError(f"Unknown method {name!r}; expected one of {list(ALL_METHODS)}.")


def threshold(fitted, X, y, target):
    """Thresholding by the priors of ``y`` around an already fitted model."""
    return PriorThresholdClassifier(FrozenEstimator(fitted), target_priors=target).fit(
        X, y
    )
