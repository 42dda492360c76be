"""
========================================================
Adapting to unknown test priors with EM
========================================================

Thresholding (Buda et al. 2018) assumes that the test data is balanced. When
the class frequencies at deployment differ from those of training but are
unknown (*label shift*), they can be estimated from the unlabelled test data
itself by the EM procedure of Saerens, Latinne & Decaestecker (2002): starting
from the training priors, re-weight the predicted probabilities by the current
estimate and average them to get the next estimate.
:class:`~skimbalance.PriorThresholdClassifier` does this with
``target_priors="em"``; its ``estimate_test_priors`` method returns the
estimate, which every prediction computes afresh from the samples it is given.
"""

# %%
# Training and test sets with different priors
# --------------------------------------------
# The training set is mildly step-imbalanced (``rho=2``): five classes have
# half as many images as the other five. The test set is imbalanced the other
# way round (``rho=5``): the training majority classes become rare.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from skimbalance import PriorThresholdClassifier
from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_digit_images
from skimbalance.sampling import StepImbalanceSampler

X, y = load_digit_images(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1 / 3, stratify=y, random_state=0
)
sampler = StepImbalanceSampler(rho=2, mu=0.5, random_state=0)
X_imb, y_imb = sampler.fit_resample(X_train, y_train)
test_minority = np.setdiff1d(np.unique(y), sampler.minority_classes_)
X_shift, y_shift = StepImbalanceSampler(
    rho=5, minority_classes=test_minority, random_state=0
).fit_resample(X_test, y_test)
train_priors = np.bincount(y_imb) / len(y_imb)
true_priors = np.bincount(y_shift) / len(y_shift)


def adjust(model, X_fit, y_fit):
    """Test accuracy of ``model`` under four choices of target priors."""
    targets = {"none": None, "uniform": "uniform", "EM": "em", "known": true_priors}
    accuracy, em_priors = {}, None
    for name, target in targets.items():
        if target is None:
            wrapped = model
        else:
            wrapped = PriorThresholdClassifier(
                FrozenEstimator(model), target_priors=target
            ).fit(X_fit, y_fit)
        accuracy[name] = accuracy_score(y_shift, wrapped.predict(X_shift))
        if name == "EM":
            em_priors = wrapped.estimate_test_priors(X_shift)
    return accuracy, em_priors


def plot(priors, accuracy, title):
    """Bar charts of the priors (one group per class) and of the accuracies."""
    fig, (ax_priors, ax_acc) = plt.subplots(
        1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]}
    )
    classes = np.arange(len(priors))
    for offset, column in zip([-0.27, 0, 0.27], priors.columns):
        ax_priors.bar(classes + offset, priors[column], 0.27, label=column)
    ax_priors.set_xticks(classes)
    ax_priors.set_xlabel("digit class")
    ax_priors.set_ylabel("class prior")
    ax_priors.set_ylim(0, 1.25 * priors.to_numpy().max())
    ax_priors.set_title(f"Class priors, {title}")
    ax_priors.legend(loc="upper center", ncols=3)
    bars = ax_acc.bar(list(accuracy), list(accuracy.values()), color="tab:gray")
    ax_acc.bar_label(bars, fmt="%.3f")
    ax_acc.set_ylim(0, 1.1)
    ax_acc.set_xlabel("target priors of the adjustment")
    ax_acc.set_ylabel("accuracy on the shifted test set")
    ax_acc.set_title("Effect of the adjustment")
    for ax in (ax_priors, ax_acc):
        ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()


clf = LeNet5Classifier(max_iter=300, random_state=0).fit(X_imb, y_imb)
accuracy, em_priors = adjust(clf, X_imb, y_imb)
priors = pd.DataFrame(
    {"train": train_priors, "test (true)": true_priors, "test (EM)": em_priors}
)
print(priors.round(3).T.to_string())
print(pd.Series(accuracy, name="test accuracy").round(3).to_string())

# %%
# The EM estimate
# ---------------
# From the network's probabilities alone, EM finds which classes are frequent
# in the test set, within about three points of the true prior per class.
# Plugging the estimate in as the target raises the accuracy on the shifted
# test set above both the unadjusted network and thresholding to uniform
# priors, close to what the true test priors give ("known", which is not
# available in practice).
plot(priors, accuracy, "network trained at rho = 2")
plt.show()

# %%
# When EM goes wrong
# ------------------
# EM assumes that the network's probabilities are calibrated for the training
# priors. A network trained briefly on strongly imbalanced data is not: with
# ``rho=10`` (the same five minority classes, as the sampler draws them with
# the same seed) and the same 300 updates, its probabilities for the rare
# training classes are unreliable, and EM, which divides them by small
# training priors, amplifies the errors. Here it gives one class about half of
# the test set, and the EM-adjusted predictions are worse than no adjustment
# at all, while the known priors would still help. Calibrating the network on
# held-out data first is the usual remedy; without it, thresholding to uniform
# priors, which needs no estimate, is the safer choice.
X_imb10, y_imb10 = StepImbalanceSampler(rho=10, mu=0.5, random_state=0).fit_resample(
    X_train, y_train
)
clf10 = LeNet5Classifier(max_iter=300, random_state=0).fit(X_imb10, y_imb10)
accuracy10, em_priors10 = adjust(clf10, X_imb10, y_imb10)
priors10 = pd.DataFrame(
    {
        "train": np.bincount(y_imb10) / len(y_imb10),
        "test (true)": true_priors,
        "test (EM)": em_priors10,
    }
)
print(priors10.round(3).T.to_string())
print(pd.Series(accuracy10, name="test accuracy").round(3).to_string())
plot(priors10, accuracy10, "network trained at rho = 10")
plt.show()
