"""The order of the gallery: from the imbalance itself to the methods that correct it.

sphinx-gallery calls ``GalleryOrder(src_dir)`` and sorts the example files of a
folder by ``key(filename)``. Files not listed come last, by name.
"""

ORDER = [
    "plot_step_imbalance.py",
    "plot_grid_search_ratio.py",
    "plot_imbalance_losses.py",
    "plot_thresholding.py",
    "plot_em_prior_shift.py",
    "plot_two_phase.py",
    "plot_downsample_upweight.py",
]


class GalleryOrder:
    """Sort key of sphinx-gallery's ``within_subsection_order``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        name = filename.rsplit("/", 1)[-1]
        return (ORDER.index(name) if name in ORDER else len(ORDER), name)

    def __repr__(self):
        return f"{type(self).__name__}()"
