"""Sphinx configuration of the skimbalance documentation.

Build from the repository root with warnings as errors, as ``.ci/run`` does::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The gallery in ``docs/examples`` is executed at build time on scikit-learn's digits.
"""

import os
import re
import sys
from pathlib import Path

import torch

import skimbalance

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "sphinxext"))

project = "skimbalance"
author = "The skimbalance developers"
copyright = "2026, The skimbalance developers"
release = skimbalance.__version__
version = release.split(".dev")[0]

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
    "sphinx_design",
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
    "external_refs",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = [
    "_build",
    "examples",  # the gallery's sources; sphinx-gallery writes auto_examples
    "**/sg_execution_times.rst",
]
templates_path = ["_templates"]
default_role = "literal"

# -- API reference -------------------------------------------------------------
autosummary_generate = True
# members are listed by the templates in _templates/autosummary (with every
# method inherited from scikit-learn, none of torch.nn.Module's)
autodoc_typehints = "none"
# the page's table of contents lists methods as "fit()", not "Class.fit()"
toc_object_entries_show_parents = "hide"
# numpydoc lists methods from the autodoc members; its own tables would repeat them
numpydoc_show_class_members = False
# every public object has a docstring that documents each parameter and return value
numpydoc_validation_checks = {"GL08", "PR01", "PR02", "PR07", "RT01"}
numpydoc_validation_exclude = {
    r"\.set_\w+_request$",
    r"\.__init__$",
    r"\.extra_repr$",  # torch's repr hook
    r"\.nets\.\w+\.forward$",  # documented once, in HeadedNetwork.forward
}

# -- Markdown pages (user guide, changelog) ------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- Gallery -------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": "/plot_",
    "doc_module": ("skimbalance",),
    "reference_url": {"skimbalance": None},
    "backreferences_dir": "generated/backreferences",
    "inspect_global_variables": False,
    "remove_config_comments": True,
    "show_memory": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    # an example that raises fails the build instead of rendering its traceback
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "expected_failing_examples": [],
    "write_computation_times": True,
    # SKIMBALANCE_DOCS_FAST=1 skips executing the examples (for editing prose)
    "plot_gallery": "False" if os.environ.get("SKIMBALANCE_DOCS_FAST") else "True",
    # from the imbalance itself to the methods that correct it
    "within_subsection_order": "gallery_order.GalleryOrder",
}
# The examples run in this process. One torch thread is the fastest setting for
# their small networks on a 2-core machine (two threads contend with Sphinx).
torch.set_num_threads(1)

# -- HTML ----------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skimbalance {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_show_sourcelink = False
html_theme_options = {
    "github_url": None,
    "navbar_align": "left",
    "header_links_before_dropdown": 6,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "navigation_with_keys": False,
    "logo": {"text": "skimbalance"},
}
html_context = {"default_mode": "light"}
# MathJax from a local copy when previewing offline, e.g.
# SKIMBALANCE_DOCS_MATHJAX=file:///usr/share/javascript/mathjax/MathJax.js
if os.environ.get("SKIMBALANCE_DOCS_MATHJAX"):
    mathjax_path = os.environ["SKIMBALANCE_DOCS_MATHJAX"]


# -- Docstrings inherited from scikit-learn ------------------------------------
# They cross-reference labels of scikit-learn's own documentation (its user guide,
# its gallery), which do not exist here: name them in plain words instead.
_SKLEARN_REF = re.compile(r":ref:`(?:([^<`]+?)\s*<[^>`]+>|[^`]+)`")


def _plain_sklearn_refs(app, what, name, obj, options, lines):
    if not getattr(obj, "__module__", "").startswith(("sklearn", "skorch")):
        return
    for i, line in enumerate(lines):
        lines[i] = _SKLEARN_REF.sub(
            lambda m: f"the scikit-learn {m.group(1) or 'documentation'}", line
        )


# -- skorch's hooks -------------------------------------------------------------
# The CNN estimators are skorch nets and UpdateSchedule a skorch callback: the
# pages list the estimator's own API and leave skorch's hooks (infer, get_loss,
# notify, on_batch_begin, ...), overridden or not, to skorch's documentation.
def _skorch_hooks():
    from skorch import NeuralNetClassifier
    from skorch.callbacks import Callback

    names = set(dir(NeuralNetClassifier)) | set(dir(Callback))
    return names - {
        "fit", "partial_fit", "predict", "predict_proba", "score", "initialize",
        "save_params", "load_params", "forward_iter", "get_params", "set_params",
    }  # fmt: skip


_SKORCH_HOOKS = _skorch_hooks()


def _skip_skorch_hooks(app, what, name, obj, skip, options):
    if getattr(obj, "__qualname__", "").startswith("Callback."):
        return True  # UpdateSchedule: its docstring says what it does
    module = getattr(obj, "__module__", None) or ""
    if name in _SKORCH_HOOKS and module.startswith(("skorch", "skimbalance.cnn")):
        return True
    return None


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_refs)
    app.connect("autodoc-skip-member", _skip_skorch_hooks)
