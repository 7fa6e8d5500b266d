"""Imports point one way (DESIGN §3): ``accounts → plans`` and ``tasks → plans``.
``plans`` sits at the bottom and imports neither, so it can be read and tested alone."""

import ast
import pathlib

import plans

FORBIDDEN = {"accounts", "tasks"}


def imported_top_level_packages(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_plans_imports_neither_accounts_nor_tasks():
    root = pathlib.Path(plans.__file__).parent
    offenders = {
        str(path.relative_to(root)): sorted(imported_top_level_packages(path) & FORBIDDEN)
        for path in root.rglob("*.py")
        if "tests" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}
