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

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
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


ESTIMATORS = [
    obj
    for _, _, obj in DOCUMENTED
    if inspect.isclass(obj) and hasattr(obj, "get_params")
]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=[c.__name__ for c in ESTIMATORS])
def test_docstring_documents_every_parameter_with_its_default(cls):
    doc = inspect.getdoc(cls)
    for name, param in inspect.signature(cls).parameters.items():
        if param.kind is param.VAR_KEYWORD:  # skorch's nested parameters
            assert re.search(rf"^\*\*{name}$", doc, re.MULTILINE), name
            continue
        entry = re.search(rf"^{name} : (.*)$", doc, re.MULTILINE)
        assert entry, f"{cls.__name__} does not document {name!r}"
        if param.default is inspect.Parameter.empty:
            continue
        default = param.default
        shown = f'"{default}"' if isinstance(default, str) else repr(default)
        if isinstance(default, type):
            shown = default.__name__
        documented = re.search(r"default=(.*)$", entry.group(1))
        assert documented, f"{cls.__name__}.{name}: no default documented"
        assert documented.group(1) in {shown, shown.replace("'", '"')} or (
            isinstance(default, (int, float))
            and float(documented.group(1).replace("_", "")) == default
        ), f"{cls.__name__}.{name}: documented {documented.group(1)}, is {shown}"


# ------------------------------------------------------- the user guide runs
GUIDE = sorted((DOCS / "user_guide").glob("*.md"))
_PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def test_the_guide_has_code_to_run():
    assert sum(len(_PYTHON_BLOCK.findall(p.read_text())) for p in GUIDE) >= 10


@pytest.mark.parametrize("page", GUIDE, ids=[p.stem for p in GUIDE])
def test_every_python_block_of_the_guide_runs_as_written(page, monkeypatch):
    """The ```python blocks of a page run in order in one namespace, from the
    repository root, offline (``{code-block}`` fences are shown, not run)."""
    monkeypatch.chdir(REPO)
    namespace = {"__name__": "__main__"}
    for i, block in enumerate(_PYTHON_BLOCK.findall(page.read_text())):
        exec(compile(block, f"{page.name}, block {i + 1}", "exec"), namespace)
