"""Samplers for class-imbalanced data.

imbalanced-learn samplers (``fit_resample``, ``sample_indices_``) that accept
2-D and N-D arrays, and :class:`ClassAwareSampler`, a PyTorch batch sampler.
``ClassAwareSampler`` is imported on first use, so ``import
skimbalance.sampling`` does not import torch.
"""

from ._linear_imbalance import LinearImbalanceSampler
from ._ratio_over_sampler import RatioOverSampler
from ._ratio_under_sampler import RatioUnderSampler
from ._step_imbalance import StepImbalanceSampler

__all__ = [
    "ClassAwareSampler",
    "LinearImbalanceSampler",
    "RatioOverSampler",
    "RatioUnderSampler",
    "StepImbalanceSampler",
]


def __getattr__(name):
    if name == "ClassAwareSampler":
        from ._class_aware_sampler import ClassAwareSampler

        return ClassAwareSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
