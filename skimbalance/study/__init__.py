"""The study of Buda, Maki & Mazurowski (2018), end to end: ``run_study`` and the
``skimbalance study`` command."""

from ._methods import ADDED_METHODS, ALL_METHODS, PAPER_METHODS
from ._plots import plot_study
from ._report import check_conclusions, write_report
from ._run import RESULT_COLUMNS, run_configuration, run_study, write_outputs

__all__ = [
    "ADDED_METHODS",
    "ALL_METHODS",
    "PAPER_METHODS",
    "RESULT_COLUMNS",
    "check_conclusions",
    "plot_study",
    "run_configuration",
    "run_study",
    "write_outputs",
    "write_report",
]
