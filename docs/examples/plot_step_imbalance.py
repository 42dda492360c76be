"""
=================================
How step imbalance hurts a CNN
=================================

Buda et al. (2018, §3.1) describe *step imbalance* with two numbers: a fraction
``mu`` of the classes are minority classes, and each of them has ``rho`` times
fewer examples than a majority class. Their first conclusion is that imbalance
hurts a CNN, and more so as ``rho`` grows.

This example trains :class:`~skimbalance.cnn.LeNet5Classifier` on digits made
step-imbalanced by :class:`~skimbalance.sampling.StepImbalanceSampler` for
several values of ``rho`` at ``mu=0.5``, and scores it on a balanced held-out
split.
"""

# %%
# Data and models
# ---------------
# The test split stays balanced; only the training split is made imbalanced.
# With the same ``random_state`` the sampler picks the same five minority
# classes for every ``rho``, so the curves below compare like with like (at
# ``rho=1`` those classes are just as large as the others). Every network gets
# the same budget of 300 weight updates, following the paper's rule of a fixed
# number of updates whatever the size of the training set.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, recall_score
from sklearn.model_selection import train_test_split

from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_digit_images
from skimbalance.metrics import multiclass_roc_auc_score
from skimbalance.sampling import StepImbalanceSampler

X, y = load_digit_images(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1 / 3, stratify=y, random_state=0
)

rows = []
for rho in [1, 5, 10, 20, 50]:
    sampler = StepImbalanceSampler(rho=rho, mu=0.5, random_state=0)
    X_imb, y_imb = sampler.fit_resample(X_train, y_train)
    clf = LeNet5Classifier(max_iter=300, random_state=0).fit(X_imb, y_imb)
    proba = clf.predict_proba(X_test)
    y_pred = clf.classes_[proba.argmax(axis=1)]
    recall = recall_score(y_test, y_pred, average=None, labels=clf.classes_)
    is_minority = np.isin(clf.classes_, sampler.minority_classes_)
    rows.append(
        {
            "rho": rho,
            "n_train": len(y_imb),
            "roc_auc": multiclass_roc_auc_score(y_test, proba),
            "accuracy": accuracy_score(y_test, y_pred),
            "recall_minority": recall[is_minority].mean(),
            "recall_majority": recall[~is_minority].mean(),
        }
    )

results = pd.DataFrame(rows)
print("Minority classes:", sampler.minority_classes_.tolist())
print(results.round(3).to_string(index=False))

# %%
# Ranking quality and accuracy against ``rho``
# ---------------------------------------------
# The left panel is the shape of the paper's Figures 3 and 6: the
# multi-class ROC AUC (:func:`~skimbalance.metrics.multiclass_roc_auc_score`,
# the paper's metric) and the accuracy both fall as ``rho`` grows. Accuracy
# falls much faster: the network still *ranks* minority examples fairly well,
# but its arg max rarely picks a class it has seen a handful of times. The
# right panel shows where the errors go: recall of the minority classes
# collapses while that of the majority classes stays high.
fig, (ax_left, ax_right) = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
ax_left.plot(results["rho"], results["roc_auc"], "o-", label="ROC AUC")
ax_left.plot(results["rho"], results["accuracy"], "s--", label="accuracy")
ax_left.set_title("Balanced test set, mu = 0.5")
ax_left.set_ylabel("score")
ax_right.plot(results["rho"], results["recall_majority"], "o-", label="majority")
ax_right.plot(results["rho"], results["recall_minority"], "s--", label="minority")
ax_right.set_title("Mean recall per group of classes")
ax_right.set_ylabel("recall")
for ax in (ax_left, ax_right):
    ax.set_xscale("log")
    ax.set_xticks(results["rho"], labels=results["rho"].astype(str))
    ax.set_xlabel("imbalance ratio rho (majority / minority size)")
    ax.set_ylim(0, 1.02)
    ax.minorticks_off()
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left")
fig.tight_layout()
plt.show()

# %%
# With a budget 30 times smaller than the paper's and a single repeat, the
# numbers are noisy, but the trend is the paper's: the more imbalanced the
# training data, the worse the network on balanced test data, and the loss is
# concentrated on the minority classes. The other examples in this gallery
# try to win it back.
