"""
=================================
Thresholding by the class priors
=================================

A network trained on imbalanced data learns the class priors along with
everything else: its probabilities ``p(i | x)`` favour the majority classes.
Buda et al. (2018) correct this at prediction time by dividing each
probability by the prior ``pi_i`` of its class in the training set, which is
Bayes' rule moved to balanced classes. One of their conclusions is that this
*thresholding* should be applied whenever the overall number of correctly
classified cases matters.

:class:`~skimbalance.PriorThresholdClassifier` does this around any
classifier. Because it only rescales probabilities, one trained network can be
wrapped in several ways: sklearn's ``FrozenEstimator`` keeps the wrapper from
refitting it.
"""

# %%
# Baseline and over-sampled networks for several ``rho``
# ------------------------------------------------------
# For each ``rho`` (at ``mu=0.5``) we train two networks of 200 updates: the
# baseline on the imbalanced data and one on the data over-sampled to balance
# by :class:`~skimbalance.sampling.RatioOverSampler`. Each is then wrapped by
# :class:`~skimbalance.PriorThresholdClassifier` fitted on the imbalanced
# labels, so that the priors are those *before* sampling, as the paper
# prescribes.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from imblearn.pipeline import make_pipeline
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from skimbalance import PriorThresholdClassifier
from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_digit_images, make_step_imbalance
from skimbalance.metrics import multiclass_roc_auc_score
from skimbalance.sampling import RatioOverSampler

X, y = load_digit_images(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1 / 3, stratify=y, random_state=0
)


def scores(model, method, rho):
    """Accuracy and ROC AUC of ``model`` on the balanced test split."""
    proba = model.predict_proba(X_test)
    return {
        "rho": rho,
        "method": method,
        "accuracy": accuracy_score(y_test, model.classes_[proba.argmax(axis=1)]),
        "roc_auc": multiclass_roc_auc_score(y_test, proba, labels=model.classes_),
    }


rows, models = [], {}
for rho in [5, 20, 50]:
    X_imb, y_imb = make_step_imbalance(
        X_train, y_train, rho=rho, mu=0.5, random_state=0
    )
    baseline = LeNet5Classifier(max_iter=200, random_state=0).fit(X_imb, y_imb)
    ros = make_pipeline(
        RatioOverSampler(random_state=0),
        LeNet5Classifier(max_iter=200, random_state=0),
    ).fit(X_imb, y_imb)
    for name, model in [("baseline", baseline), ("ROS", ros)]:
        thresholded = PriorThresholdClassifier(FrozenEstimator(model))
        thresholded.fit(X_imb, y_imb)
        rows.append(scores(model, name, rho))
        rows.append(scores(thresholded, f"{name} + thresholding", rho))
    models[rho] = (baseline, X_imb, y_imb)

results = pd.DataFrame(rows)
table = results.pivot(index="method", columns="rho").loc[results["method"].unique()]
print(table.round(3).to_string())

# %%
# Accuracy and ROC AUC against ``rho``
# ------------------------------------
# On the balanced test set, thresholding the baseline recovers a good part of
# the accuracy lost to imbalance, and the gain grows with ``rho`` (compare the
# paper's Figure 6). Over-sampling alone is better still, and thresholding on
# top of it helps at the larger ``rho`` only. With a budget five times larger,
# this package's MNIST run (see the user guide on the study) found ROS +
# thresholding the most accurate method in 8 of 9 configurations.
#
# The ROC AUC moves too, although dividing a column by a constant does not
# change the ranking within it: the wrapper renormalises each row to sum to
# one, and that changes the one-vs-rest scores of a multi-class problem. The
# paper's remark that thresholding leaves the AUC unchanged holds for the
# unnormalised scores only.
fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharex=True)
for ax, metric in zip(axes, ["accuracy", "roc_auc"]):
    for method, group in results.groupby("method", sort=False):
        dashed = "thresholding" in method
        ax.plot(group["rho"], group[metric], "s--" if dashed else "o-", label=method)
    ax.set_xscale("log")
    ax.set_xticks([5, 20, 50], labels=["5", "20", "50"])
    ax.minorticks_off()
    ax.set_xlabel("imbalance ratio rho")
    ax.grid(alpha=0.3)
axes[0].set_ylabel("accuracy (balanced test set)")
axes[0].set_title("Accuracy")
axes[1].set_ylabel("multi-class ROC AUC")
axes[1].set_title("ROC AUC")
axes[0].legend()
fig.tight_layout()
plt.show()

# %%
# The strength of the correction
# ------------------------------
# ``tau`` is the power of the training priors in the denominator: ``tau=0``
# returns the network's own predictions, ``tau=1`` is the paper's
# thresholding, and values in between or above are the post-hoc logit
# adjustment of Menon et al. (2021). On the baseline trained at ``rho=50``,
# accuracy on the balanced test set peaks near ``tau=1``, where Bayes' rule
# says it should for a well-calibrated network.
baseline, X_imb, y_imb = models[50]
taus = np.linspace(0, 2, 9)
tau_acc = [
    accuracy_score(
        y_test,
        PriorThresholdClassifier(FrozenEstimator(baseline), tau=tau)
        .fit(X_imb, y_imb)
        .predict(X_test),
    )
    for tau in taus
]
print(pd.DataFrame({"tau": taus, "accuracy": tau_acc}).round(3).to_string(index=False))
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(taus, tau_acc, "o-")
ax.axvline(1, color="grey", linestyle=":", label="tau = 1 (thresholding)")
ax.set_xlabel("tau (power of the training priors)")
ax.set_ylabel("accuracy (balanced test set)")
ax.set_title("Baseline at rho = 50, rescaled by priors ** -tau")
ax.grid(alpha=0.3)
ax.legend()
fig.tight_layout()
plt.show()
