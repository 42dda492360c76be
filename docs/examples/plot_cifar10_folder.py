"""
==================================================
CIFAR-10 from a folder of JPEG files, imbalanced
==================================================

Real image data is a folder of files per class. This example trains on a
subset of CIFAR-10's JPEG folder (``<data home>/cifar10-jpg``) without ever
loading it into memory: :func:`~skimbalance.datasets.load_cifar10` returns a
lazy :class:`~skimbalance.datasets.ImageArray`, the samplers return lazy views
of it, and the network decodes each batch as it trains.

Three classes, one of them rare (rho 20), a LeNet-5 of 250 updates: the
baseline, random over-sampling (ROS) and ROS followed by thresholding by the
class priors, scored on the balanced test folder of the same classes.
Without ``SKIMBALANCE_DATA`` pointing at a folder holding ``cifar10-jpg/``,
:func:`~skimbalance.datasets.load_cifar10` downloads the official archive
once (170 MB).
"""

# %%
# A lazy, imbalanced subset
# -------------------------
# ``load_cifar10`` lists the 50 000 files and decodes nothing. Indexing picks
# rows without reading pixels; :class:`~skimbalance.sampling.StepImbalanceSampler`
# keeps 1 500 images of two classes and 75 of the third, still lazily.
import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import balanced_accuracy_score, recall_score

from skimbalance import PriorThresholdClassifier
from skimbalance.cnn import LeNet5Classifier
from skimbalance.datasets import load_cifar10
from skimbalance.metrics import multiclass_roc_auc_score
from skimbalance.sampling import RatioOverSampler, StepImbalanceSampler

train, test = load_cifar10(), load_cifar10(subset="test")
classes = [0, 3, 8]  # airplane, cat, ship
names = train.target_names[classes]
rows = np.flatnonzero(np.isin(train.target, classes))
rows = np.random.RandomState(0).permutation(rows)[:4500]
sampler = StepImbalanceSampler(rho=20, mu=1 / 3, minority_classes=[3], random_state=0)
X, y = sampler.fit_resample(train.data[rows], train.target[rows])
test_rows = np.flatnonzero(np.isin(test.target, classes))
X_test, y_test = test.data[test_rows], test.target[test_rows]
print(X, "\nper class:", dict(zip(names.tolist(), np.bincount(y)[classes].tolist())))

fig, axes = plt.subplots(1, 6, figsize=(9, 1.8))
for ax, i in zip(axes, np.r_[np.flatnonzero(y == 3)[:3], np.flatnonzero(y != 3)[:3]]):
    ax.imshow(X[i].transpose(1, 2, 0))  # one image decoded, channels last for imshow
    ax.set_title(train.target_names[y[i]], fontsize=9)
    ax.axis("off")
fig.tight_layout()

# %%
# Three methods on the lazy array
# -------------------------------
# The uint8 pixels are scaled to [0, 1] per batch. ROS returns a lazy view
# (its ``sample_indices_`` of the same files), so over-sampling the cats 20
# times over costs an index array. Thresholding wraps the ROS network as it
# is (``FrozenEstimator``) with the priors of the imbalanced training labels.
network = LeNet5Classifier(max_iter=250, random_state=0)
baseline = network.fit(X, y)
ros = make_pipeline(RatioOverSampler(random_state=0), LeNet5Classifier(
    max_iter=250, random_state=0)).fit(X, y)  # fmt: skip
ros_thresholded = PriorThresholdClassifier(FrozenEstimator(ros)).fit(X, y)

results = {}
for method, model in (
    ("baseline", baseline), ("ROS", ros), ("ROS + thresholding", ros_thresholded),
):  # fmt: skip
    proba = model.predict_proba(X_test)  # streamed from the test folder too
    pred = model.classes_[proba.argmax(axis=1)]
    results[method] = recall_score(y_test, pred, labels=classes, average=None)
    print(
        f"{method:<20} ROC AUC {multiclass_roc_auc_score(y_test, proba):.3f}  "
        f"balanced accuracy {balanced_accuracy_score(y_test, pred):.3f}  "
        f"cat recall {results[method][1]:.3f}"
    )

# %%
# Recall per class
# ----------------
# The baseline rarely predicts the rare class; over-sampling recovers part of
# it, and thresholding moves the decisions further towards it.
fig, ax = plt.subplots(figsize=(6, 3.2))
width = 0.27
for k, (method, recall) in enumerate(results.items()):
    ax.bar(np.arange(3) + (k - 1) * width, recall, width, label=method)
ax.set_xticks(
    np.arange(3), [f"{n}\n({c} train)" for n, c in zip(names, np.bincount(y)[classes])]
)
ax.set_ylabel("recall on the test folder")
ax.set_ylim(0, 1)
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
