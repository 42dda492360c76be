"""Calibration of downsample-and-upweight against plain downsampling.

Binary data with 1 % positives (20 000 samples, 75/25 split), logistic
regression. Prints a Markdown table: the mean predicted probability over the
true positive rate of the test set (1.00 is calibrated in the large), ROC AUC
and log loss, for the full data, balanced downsampling without weights, and
``DownsampleUpweightClassifier`` at several factors (the last is full balance).

    python benchmarks/calibration_downsample_upweight.py
"""

import numpy as np
from imblearn.under_sampling import RandomUnderSampler
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import train_test_split

from skimbalance import DownsampleUpweightClassifier

X, y = make_classification(
    n_samples=20000, weights=[0.99], flip_y=0, class_sep=1.0, random_state=0
)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, stratify=y, random_state=0)


def report(name, model):
    p = model.predict_proba(X_te)[:, 1]
    ratio, auc, loss = p.mean() / y_te.mean(), roc_auc_score(y_te, p), log_loss(y_te, p)
    print(f"| {name} | {ratio:.2f} | {auc:.4f} | {loss:.4f} |")


print("| model | mean predicted / true positive rate | ROC AUC | log loss |")
print("|---|--:|--:|--:|")
report("all data", LogisticRegression(max_iter=1000).fit(X_tr, y_tr))
X_down, y_down = RandomUnderSampler(random_state=0).fit_resample(X_tr, y_tr)
report(
    "downsampled to balance, no weights",
    LogisticRegression(max_iter=1000).fit(X_down, y_down),
)
n_neg, n_pos = np.bincount(y_tr)
for factor in [3, 10, "auto", n_neg / n_pos]:
    model = DownsampleUpweightClassifier(
        LogisticRegression(max_iter=1000), factor=factor, random_state=0
    ).fit(X_tr, y_tr)
    kept = np.bincount(y_tr[model.sample_indices_])[0]
    label = factor if isinstance(factor, (int, str)) else f"{factor:.0f} (balance)"
    report(f"factor={label}, keeps {kept} of {n_neg} negatives", model)
