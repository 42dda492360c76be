"""Resolve the references that inherited docstrings make into other projects' docs.

Docstrings inherited from scikit-learn (``get_params``, ``set_fit_request``,
``score``, ...) point at scikit-learn's glossary and user guide with ``:term:``
and ``:ref:``. Without intersphinx (the docs build offline) Sphinx cannot
resolve them; this extension links the ones listed here to scikit-learn's site.
Any other unresolved reference still warns, so a broken link of our own fails the
build.
"""

from docutils import nodes

SKLEARN = "https://scikit-learn.org/stable/"

#: ``:term:`` targets: scikit-learn's glossary has an entry for each.
GLOSSARY_TERMS = {"fit", "meta-estimator"}

#: ``:ref:`` labels of scikit-learn's user guide, and their pages.
LABELS = {
    "metadata_routing": "metadata_routing.html",
    "accuracy_score": "modules/model_evaluation.html#accuracy-score",
}


def _resolve(app, env, node, contnode):
    if node.get("refdomain") != "std":
        return None
    target = node.get("reftarget", "")
    if node["reftype"] == "term" and target in GLOSSARY_TERMS:
        uri = f"{SKLEARN}glossary.html#term-{target}"
    elif node["reftype"] == "ref" and target in LABELS:
        uri = SKLEARN + LABELS[target]
    else:
        return None
    reference = nodes.reference("", "", internal=False, refuri=uri)
    reference += contnode
    return reference


def setup(app):
    app.connect("missing-reference", _resolve)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
