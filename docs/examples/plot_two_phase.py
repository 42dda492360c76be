"""
==================
Two-phase training
==================

Two-phase training (Buda et al. 2018, §3.2) first trains the whole network on
resampled, balanced data, then fine-tunes only its last layer on the original,
imbalanced data with a ten times smaller learning rate. The idea is to learn
features from balanced data while letting the output layer see the true class
frequencies. :class:`~skimbalance.TwoPhaseClassifier` wraps a CNN estimator and
a sampler such as :class:`~skimbalance.sampling.RatioOverSampler` (ROS) or
:class:`~skimbalance.sampling.RatioUnderSampler` (RUS).

This example compares it with training on the imbalanced data (baseline) and
with plain over- and under-sampling, all with the same number of weight
updates, the paper's rule: two-phase models split their budget between the
phases.
"""

# %%
# Five methods on one imbalanced training set
# -------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.pipeline import make_pipeline
from sklearn.metrics import accuracy_score, recall_score
from sklearn.model_selection import train_test_split

from skimbalance import TwoPhaseClassifier
from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_digit_images
from skimbalance.metrics import multiclass_roc_auc_score
from skimbalance.sampling import (
    RatioOverSampler,
    RatioUnderSampler,
    StepImbalanceSampler,
)

X, y = load_digit_images(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1 / 3, stratify=y, random_state=0
)
sampler = StepImbalanceSampler(rho=20, mu=0.5, random_state=0)
X_imb, y_imb = sampler.fit_resample(X_train, y_train)

budget = 300  # weight updates per method
half = budget // 2  # two-phase: half on resampled data, half to fine-tune


def cnn(max_iter):
    return LeNet5Classifier(max_iter=max_iter, random_state=0)


models = {
    "baseline": cnn(budget),
    "ROS": make_pipeline(RatioOverSampler(random_state=0), cnn(budget)),
    "RUS": make_pipeline(RatioUnderSampler(random_state=0), cnn(budget)),
    "two-phase ROS": TwoPhaseClassifier(
        cnn(half), RatioOverSampler(random_state=0), finetune_max_iter=half
    ),
    "two-phase RUS": TwoPhaseClassifier(
        cnn(half), RatioUnderSampler(random_state=0), finetune_max_iter=half
    ),
}
is_minority = np.isin(np.unique(y), sampler.minority_classes_)
rows = []
for name, model in models.items():
    model.fit(X_imb, y_imb)
    proba = model.predict_proba(X_test)
    y_pred = model.classes_[proba.argmax(axis=1)]
    recall = recall_score(y_test, y_pred, average=None, labels=model.classes_)
    rows.append(
        {
            "method": name,
            "roc_auc": multiclass_roc_auc_score(y_test, proba),
            "accuracy": accuracy_score(y_test, y_pred),
            "minority_recall": recall[is_minority].mean(),
            "majority_recall": recall[~is_minority].mean(),
        }
    )
results = pd.DataFrame(rows).set_index("method")
print(results.round(3).to_string())
print("updates of two-phase ROS:", models["two-phase ROS"].estimator_.n_iter_)

# %%
# What the second phase does
# --------------------------
# Pre-training on balanced data gives the two-phase models a better ROC AUC
# than the baseline: the features learned from balanced data rank minority
# examples well. But fine-tuning the last layer on the imbalanced data teaches
# it the class priors again, so the accuracy on a balanced test set and the
# recall of the minority classes fall back to about the baseline's (two-phase
# RUS even a little below it). Over- or under-sampling throughout is better on
# both counts here, in line with the paper, where the two-phase methods
# generally fell between the baseline and the sampling method they started
# from. RUS, which trains on only six images per class here, does as well as
# ROS on this easy dataset at this tiny budget (better in accuracy, slightly
# worse in ROC AUC); on MNIST the paper found over-sampling the better of the
# two almost everywhere.
fig, (ax_score, ax_recall) = plt.subplots(1, 2, figsize=(10, 4))
positions = np.arange(len(results))
ax_score.bar(positions - 0.2, results["roc_auc"], 0.4, label="ROC AUC")
ax_score.bar(positions + 0.2, results["accuracy"], 0.4, label="accuracy")
ax_score.set_title("Balanced test set, rho = 20, mu = 0.5")
ax_score.set_ylabel("score")
ax_recall.bar(positions - 0.2, results["majority_recall"], 0.4, label="majority")
ax_recall.bar(positions + 0.2, results["minority_recall"], 0.4, label="minority")
ax_recall.set_title("Mean recall per group of classes")
ax_recall.set_ylabel("recall")
for ax in (ax_score, ax_recall):
    ax.set_xticks(positions, labels=results.index, rotation=20, ha="right")
    ax.set_ylim(0, 1.2)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper center", ncols=2)
fig.tight_layout()
plt.show()
