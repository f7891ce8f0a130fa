"""The hostile-input checklist is complete, names real tests, and matches the README."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.hostile_cases import CASES, PENDING

TESTS = Path(__file__).resolve().parent
README = TESTS.parent / "README.md"


def defined_tests(module: str) -> set[str]:
    tree = ast.parse((TESTS / module).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_case_is_covered_or_named_as_pending():
    assert sorted(set(CASES) | set(PENDING)) == list(range(1, 44))
    assert not set(CASES) & set(PENDING)


def test_every_named_test_exists():
    for case, tests in CASES.items():
        for test in tests:
            module, name = test.split("::")
            assert name in defined_tests(module), f"case {case}: {test} does not exist"


def test_readme_table_matches():
    table = README.read_text(encoding="utf-8").split("## Hostile inputs covered")[1]
    rows = dict(re.findall(r"^\| (\d+) \| ([^|]+) \|", table, flags=re.MULTILINE))
    assert {int(k) for k in rows} == set(range(1, 44))
    for case in CASES:
        assert rows[str(case)].strip() == "tested", case
    for case in PENDING:
        assert rows[str(case)].strip().startswith("pending"), case
