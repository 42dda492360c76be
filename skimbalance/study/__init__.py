"""The study of Buda, Maki & Mazurowski (2018), end to end: ``run_study`` and the
``skimbalance study`` command.

One module a concern: :mod:`._methods` the method names, :mod:`._data` the
datasets and networks, :mod:`._results` the results folder (columns, resume,
lock), :mod:`._compare` how two methods are compared (paired differences,
intervals, Holm), :mod:`._conclusions` the rules, :mod:`._warnings` where the
evidence is thin, :mod:`._report` and :mod:`._plots` the rendering,
:mod:`._run` the protocol.
"""

from ._compare import Comparison, decide, holm, paired
from ._conclusions import check_conclusions, rank_methods
from ._data import LR_GRID, PAPER_DATASETS, StudyData, load_study_data
from ._methods import ADDED_METHODS, ALL_METHODS, PAPER_METHODS
from ._plots import plot_study
from ._report import write_report
from ._results import CURVE_COLUMNS, RESULT_COLUMNS
from ._run import StudyWarning, run_configuration, run_study, write_outputs

__all__ = [
    "ADDED_METHODS",
    "ALL_METHODS",
    "CURVE_COLUMNS",
    "Comparison",
    "LR_GRID",
    "PAPER_DATASETS",
    "PAPER_METHODS",
    "RESULT_COLUMNS",
    "StudyData",
    "StudyWarning",
    "check_conclusions",
    "decide",
    "holm",
    "load_study_data",
    "paired",
    "plot_study",
    "rank_methods",
    "run_configuration",
    "run_study",
    "write_outputs",
    "write_report",
]
