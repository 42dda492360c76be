"""
=========================================================
Downsampling with upweighting keeps probabilities honest
=========================================================

Under-sampling the majority classes, one of the methods compared by Buda et
al. (2018), gives the network more balanced batches, which helps it learn the
minority classes; but it also changes the class frequencies the network sees,
so its probabilities no longer match the real ones.
:class:`~skimbalance.DownsampleUpweightClassifier` keeps a fraction of each
majority class and gives every kept example a weight equal to the
downsampling factor: the batches are more balanced, yet the weighted loss
still estimates the loss on the full data, so the predicted probabilities stay
calibrated to the true class frequencies.
"""

# %%
# Three networks on one imbalanced dataset
# ----------------------------------------
# The training set is step-imbalanced (``rho=10``, ``mu=0.5``). To check
# calibration, the test set must follow the same class frequencies, so the
# held-out split is made imbalanced in the same way. We compare
#
# - the network trained on all the imbalanced data;
# - :class:`~skimbalance.DownsampleUpweightClassifier` with ``factor="auto"``,
#   which keeps about ``1 / sqrt(n_c / n_min)`` of each class ``c`` (here a
#   third of each majority class) and weights the kept images by the inverse;
# - plain downsampling: the same kept images, without the weights.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split

from skimbalance import DownsampleUpweightClassifier
from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_digit_images
from skimbalance.sampling import StepImbalanceSampler

X, y = load_digit_images(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=1 / 3, stratify=y, random_state=0
)
sampler = StepImbalanceSampler(rho=10, mu=0.5, random_state=0)
X_imb, y_imb = sampler.fit_resample(X_train, y_train)
minority = sampler.minority_classes_
X_test, y_test = StepImbalanceSampler(
    rho=10, minority_classes=minority, random_state=0
).fit_resample(X_test, y_test)

upweighted = DownsampleUpweightClassifier(
    LeNet5Classifier(max_iter=300, random_state=0), random_state=0
).fit(X_imb, y_imb)
kept = upweighted.sample_indices_
models = {
    "all data": LeNet5Classifier(max_iter=300, random_state=0).fit(X_imb, y_imb),
    "downsampled": LeNet5Classifier(max_iter=300, random_state=0).fit(
        X_imb[kept], y_imb[kept]
    ),
    "downsampled + upweighted": upweighted,
}
print("kept per class:", np.bincount(y_imb[kept]).tolist())
print(
    "minority share, all data:",
    round(np.isin(y_imb, minority).mean(), 3),
    "kept:",
    round(np.isin(y_imb[kept], minority).mean(), 3),
)
print("weights:", {c: round(w, 2) for c, w in upweighted.class_weights_.items()})

# %%
# Calibration in the large
# ------------------------
# A calibrated classifier predicts, on average, each class as often as it
# occurs: the mean over the test set of the probabilities of the five minority
# classes should equal their share of the test set. The table also gives the
# multi-class Brier score (the mean squared distance between the probability
# vector and the one-hot label; lower is better) and the balanced accuracy.
is_minority = np.isin(y_test, minority)
one_hot = (y_test[:, None] == np.unique(y)).astype(float)
rows = []
for name, model in models.items():
    proba = model.predict_proba(X_test)
    rows.append(
        {
            "model": name,
            "minority_share_predicted": proba[:, np.isin(model.classes_, minority)]
            .sum(axis=1)
            .mean(),
            "brier": ((proba - one_hot) ** 2).sum(axis=1).mean(),
            "balanced_accuracy": balanced_accuracy_score(
                y_test, model.classes_[proba.argmax(axis=1)]
            ),
        }
    )
results = pd.DataFrame(rows).set_index("model")
print("true minority share:", round(is_minority.mean(), 3))
print(results.round(3).to_string())

# %%
# The network trained on all the data under-predicts the minority classes.
# Plain downsampling over-predicts them: a quarter of its training images were
# minority images, against under a tenth of the data. Upweighting the kept
# majority images brings the predicted share back to about the true one and
# gives the lowest Brier score, with a balanced accuracy at least as good as
# plain downsampling's. The test set holds only 30 minority images and this is
# a single seed, so small differences are noise.
fig, (ax_share, ax_brier) = plt.subplots(1, 2, figsize=(10, 4))
positions = np.arange(len(results))
ax_share.bar(positions, results["minority_share_predicted"], color="tab:blue")
ax_share.axhline(is_minority.mean(), color="black", linestyle="--", label="true share")
ax_share.set_ylabel("mean predicted probability")
ax_share.set_title("Predicted share of the minority classes")
ax_share.legend(loc="upper left")
ax_brier.bar(positions, results["brier"], color="tab:orange")
ax_brier.set_ylabel("multi-class Brier score")
ax_brier.set_title("Brier score on the test set (lower is better)")
for ax in (ax_share, ax_brier):
    ax.set_xticks(positions, labels=results.index, rotation=15, ha="right")
    ax.grid(axis="y", alpha=0.3)
fig.tight_layout()
plt.show()
