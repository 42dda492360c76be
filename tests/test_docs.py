"""The documentation covers the public API.

Every public class and function has a docstring with an ``Examples`` section
(run by ``pytest --doctest-modules``) and an entry in ``docs/api.rst``, so a
name added to an ``__all__`` without docs fails here, not on the website. The
site itself is built with warnings as errors by ``.ci/run``.
"""

import inspect
import re
from pathlib import Path

import pytest

from skimbalance.utils._public import public_objects

DOCS = Path(__file__).resolve().parents[1] / "docs"
DOCUMENTED = [
    (module, name, obj)
    for module, name, obj in public_objects()
    if inspect.isclass(obj) or inspect.isfunction(obj)
]


def test_the_crawl_finds_every_kind_of_public_name():
    names = {name for _, name, _ in DOCUMENTED}
    assert {"PriorThresholdClassifier", "LeNet5Classifier", "run_study"} <= names
    assert {"FocalLoss", "StepImbalanceSampler", "load_mnist"} <= names


@pytest.mark.parametrize(
    "obj", [obj for *_, obj in DOCUMENTED], ids=[name for _, name, _ in DOCUMENTED]
)
def test_public_docstring_has_a_runnable_example(obj):
    doc = inspect.getdoc(obj) or ""
    assert re.search(r"^Examples\n-{8}\n", doc, re.MULTILINE), (
        f"{obj.__qualname__} has no numpydoc 'Examples' section"
    )
    examples = doc.split("Examples\n--------\n", 1)[1]
    assert ">>> " in examples, f"{obj.__qualname__}'s Examples has no doctest"


def test_api_reference_lists_every_public_name():
    api = (DOCS / "api.rst").read_text()
    missing = []
    for module, name, _ in public_objects():
        if name.startswith("__"):
            continue
        section = f".. currentmodule:: {module}\n"
        if section not in api:
            missing.append(f"{module} (no section)")
            continue
        body = api.split(section, 1)[1].split(".. currentmodule::", 1)[0]
        if not re.search(rf"^\s+{name}$|^\.\. autodata:: {name}$", body, re.M):
            missing.append(f"{module}.{name}")
    assert not missing, f"not in docs/api.rst: {missing}"


def test_gallery_has_the_examples_the_guide_links_to():
    scripts = sorted(p.name for p in (DOCS / "examples").glob("plot_*.py"))
    assert len(scripts) >= 6, scripts
    guide = "\n".join(p.read_text() for p in (DOCS / "user_guide").glob("*.md"))
    for ref in re.findall(r"sphx_glr_auto_examples_(plot_\w+)_py", guide):
        assert f"{ref}.py" in scripts, f"the guide links to a missing example {ref}"
