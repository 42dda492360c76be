"""The methods the study compares: their names, their order, and the estimators.

This module is the one place that knows method names: the paper's eight, the
additions, the partial ratios ``ros_ratio_<r>`` / ``rus_ratio_<r>`` (``r`` with
a point or an underscore: ``ros_ratio_2.5`` is ``ros_ratio_2_5``), which of
them thresholding derives from another, and how each is built around a
network. The paper's eight methods cost five trainings: thresholding variants
reuse the model they wrap (``PriorThresholdClassifier`` around a
``FrozenEstimator``), with the class priors of the imbalanced training set.
"""

import math
import re

from sklearn.frozen import FrozenEstimator

from .._downsample_upweight import DownsampleUpweightClassifier
from .._prior_threshold import PriorThresholdClassifier
from .._two_phase import TwoPhaseClassifier
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
#: Methods whose learning curves are recorded (the paper's Figure 8).
CURVE_METHODS = ("baseline", "ros", "rus")

_RATIO = re.compile(r"^(ros|rus)_ratio_(\d+(?:[._]\d+)?)$")


def ratio_method(name):
    """``("ros" | "rus", r)`` for a partial-ratio name, else None.

    >>> ratio_method("ros_ratio_10"), ratio_method("rus_ratio_2_5")
    (('ros', 10.0), ('rus', 2.5))
    >>> ratio_method("ros_ratio_2.5") == ratio_method("ros_ratio_2_5")
    True
    >>> ratio_method("ros"), ratio_method("ros_ratio_0.5")
    (None, None)
    """
    match = _RATIO.match(str(name))
    if match is None:
        return None
    value = float(match.group(2).replace("_", "."))
    return (match.group(1), value) if math.isfinite(value) and value >= 1 else None


def is_known_method(name):
    """One of ``ALL_METHODS``, or ``ros_ratio_<r>`` / ``rus_ratio_<r>`` (r >= 1)."""
    return name in ALL_METHODS or ratio_method(name) is not None


def resolve_methods(methods):
    """``"paper"``, ``"all"``, one name or a sequence of names as a list of names.

    Raises a ValueError listing the unknown names and every accepted one.
    """
    if isinstance(methods, str):
        if methods == "paper":
            return list(PAPER_METHODS)
        if methods == "all":
            return list(ALL_METHODS)
        methods = [methods]
    methods = list(methods)
    unknown = [m for m in methods if not is_known_method(m)]
    if unknown or not methods:
        raise ValueError(
            f"Unknown methods {unknown}; expected 'paper', 'all' or names among "
            f"{list(PAPER_METHODS)}, the additions {list(ADDED_METHODS)} and "
            "partial ratios ros_ratio_<r> / rus_ratio_<r> (r >= 1)."
            if unknown
            else "methods is empty; give at least one method."
        )
    return list(dict.fromkeys(methods))


def trained_methods(methods):
    """The trainings needed for ``methods``, in a stable order."""
    needed = {THRESHOLDED.get(m, (m,))[0] for m in methods}
    return method_order(needed)


def method_order(methods):
    """``methods`` sorted as the paper's eight, the additions, then by ratio.

    >>> method_order(["ros_ratio_4", "ros", "baseline", "rus_ratio_2"])
    ['baseline', 'ros', 'rus_ratio_2', 'ros_ratio_4']
    """
    known = {m: i for i, m in enumerate(ALL_METHODS)}

    def key(m):
        if m in known:
            return (0, known[m], 0.0, "")
        ratio = ratio_method(m)
        if ratio is not None:
            return (1, 0, ratio[1], ratio[0])
        return (2, 0, 0.0, str(m))

    return sorted(set(methods), key=key)


def build_method(name, network, *, random_state):
    """An unfitted estimator for a trained method around ``network``.

    ``network`` is an unfitted CNN estimator with the study's budget
    (``max_iter``). ``ros_ratio_<r>`` / ``rus_ratio_<r>`` over- or
    under-sample to the ratio ``r`` only (paper §4.5, Figure 7). Two-phase
    methods split the budget: ``max_iter - max_iter // 2`` updates on the
    resampled data, ``max_iter // 2`` to fine-tune the head, so that every
    method makes the same number of weight updates (the paper's rule).
    """
    ros = RatioOverSampler(random_state=random_state)
    rus = RatioUnderSampler(random_state=random_state)
    if name == "baseline":
        return network
    if name in ("ros", "rus") or ratio_method(name):
        from imblearn.pipeline import make_pipeline

        kind, ratio = ratio_method(name) or (name, 1.0)
        sampler = ros if kind == "ros" else rus
        return make_pipeline(sampler.set_params(imbalance_ratio=ratio), network)
    if name in ("two_phase_ros", "two_phase_rus"):
        max_iter = network.max_iter
        phase_2 = max_iter // 2
        return TwoPhaseClassifier(
            network.set_params(max_iter=max_iter - phase_2),
            ros if name == "two_phase_ros" else rus,
            finetune_max_iter=max(phase_2, 1),
        )
    if name == "class_aware":
        return network.set_params(batch_sampling="class_aware")
    if name in ("focal", "class_balanced", "logit_adjusted", "ldam"):
        return network.set_params(criterion=name)
    if name == "downsample_upweight":
        return DownsampleUpweightClassifier(network, random_state=random_state)
    raise ValueError(f"Unknown method {name!r}; expected one of {list(ALL_METHODS)}.")


def network_of(model):
    """The CNN estimator inside a built method (the last step of a pipeline)."""
    return model.steps[-1][1] if hasattr(model, "steps") else model


def threshold(fitted, X, y, target):
    """Thresholding by the priors of ``y`` around an already fitted model."""
    return PriorThresholdClassifier(FrozenEstimator(fitted), target_priors=target).fit(
        X, y
    )
