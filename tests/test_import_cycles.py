"""No import cycle among our modules, counting imports inside functions (grimp sees those too).

import-linter's layer contracts (pyproject.toml) keep each app's stack pointing down; this test keeps
the rest honest: a module that imports another that (through any chain) imports it back fails here,
naming both, however the import is hidden.
"""

import grimp
import pytest

PACKAGES = ("axiomatic", "practice", "billing", "reports")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES)


def cycles(graph) -> set[tuple[str, str]]:
    pairs = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if graph.chain_exists(importer=imported, imported=module):
                pairs.add(tuple(sorted((module, imported))))
    return pairs


def test_our_modules_import_each_other_in_no_cycle(graph):
    assert cycles(graph) == set()


def test_the_check_sees_an_import_hidden_inside_a_function(tmp_path, monkeypatch):
    """The check must be able to fail: two modules importing each other, one inside a function."""
    package = tmp_path / "cyclic_probe"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "low.py").write_text("def later():\n    from cyclic_probe import high\n")
    (package / "high.py").write_text("from cyclic_probe import low\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert cycles(grimp.build_graph("cyclic_probe")) == {("cyclic_probe.high", "cyclic_probe.low")}
