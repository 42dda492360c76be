"""skimbalance: deep learning on class-imbalanced data, the scikit-learn way.

Subpackages
-----------
datasets
    MNIST and digits loaders, step and linear imbalance generators.
sampling
    imbalanced-learn samplers (step / linear imbalance, ratio over- and
    under-sampling) and a class-aware batch sampler for PyTorch.
"""

__version__ = "0.1.0.dev0"

__all__ = ["__version__"]
