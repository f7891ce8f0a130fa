"""Issue 18: text from visitors, files and the registry never reaches Markdown unescaped.

Streamlit reads Markdown (links, images, ``:red[…]``, ``$…$``) in ``st.markdown``, in the
message elements and in titles. This test walks every such call site in ``atlas_app/ui``
and accepts what it shows only when it is built from constants, translated constants,
numbers and ``md_escape(…)``; anything else must say on its line why it is safe
(``# markdown: <why>``). The hostile-text tests in test_app.py check the same thing in
the rendered pages.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

UI = Path(__file__).resolve().parent.parent / "atlas_app" / "ui"
RENDERERS = {"markdown", "caption", "error", "warning", "info", "success", "toast", "title",
             "header", "subheader", "write"}
NUMERIC_NAME = re.compile(r"(^|_)(id|ids|count|number|total|shown|written)$")


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else \
        func.attr if isinstance(func, ast.Attribute) else ""


def safe_value(node: ast.expr) -> bool:
    """A value interpolated into shown text: a constant, escaped, translated or a number."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Call):
        return _name(node.func) in {"md_escape", "number", "_", "int", "len"}
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        return bool(NUMERIC_NAME.search(str(node.slice.value)))
    if isinstance(node, (ast.Name, ast.Attribute)):
        return bool(NUMERIC_NAME.search(_name(node)))
    return False


def safe_text(node: ast.expr) -> bool:
    """Text handed to a Markdown-reading element."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.IfExp):
        return safe_text(node.body) and safe_text(node.orelse)
    if isinstance(node, ast.BinOp):
        return safe_text(node.left) and safe_text(node.right)
    if isinstance(node, ast.JoinedStr):
        return all(safe_value(v.value) for v in node.values
                   if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.Call) and _name(node.func) == "md_escape":
        return True
    if isinstance(node, ast.Call) and _name(node.func) == "_":
        return (all(isinstance(a, ast.Constant) for a in node.args)
                and all(k.arg is not None and safe_value(k.value) for k in node.keywords))
    if isinstance(node, ast.Call) and _name(node.func) == "ngettext":
        # The two forms are constants; the count only chooses one (it is shown only
        # through a keyword, checked like any other).
        return (len(node.args) == 3 and all(isinstance(a, ast.Constant) for a in node.args[:2])
                and all(k.arg is not None and safe_value(k.value) for k in node.keywords))
    return False


def call_sites():
    for path in sorted(UI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.walk(ast.parse(source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in RENDERERS and node.args):
                span = lines[node.lineno - 1:node.end_lineno]
                yield (f"{path.relative_to(UI)}:{node.lineno}", node,
                       any("# markdown:" in line for line in span))


def test_the_walk_finds_the_call_sites():
    sites = list(call_sites())
    assert len(sites) > 50, "the walk no longer sees the pages"


@pytest.mark.parametrize("where, node, explained", list(call_sites()),
                         ids=[s[0] for s in call_sites()])
def test_every_markdown_call_site_shows_only_escaped_text(where, node, explained):
    assert explained or safe_text(node.args[0]), (
        f"{where}: {ast.unparse(node)[:120]} — pass text from visitors, files or the "
        "registry through md_escape(), or say on the line why it is safe (# markdown: …)")


@pytest.mark.parametrize("text, safe", [
    ('st.markdown(org["name"])', False), ("st.markdown(md_escape(org['name']))", True),
    ('st.info(_("No match for {q}.", q=q))', False),
    ('st.info(_("No match for {q}.", q=md_escape(q)))', True),
    ('st.caption(f"#{org_id} {name}")', False), ('st.caption(f"#{org_id}")', True),
    ("st.error(str(exc))", False), ('st.success(_("{n} written", count=_.number(n)))', True),
    ('st.success(_.ngettext("{n} row", "{n} rows", n, n=_.number(n)))', True),
    ('st.success(_.ngettext("{v} row", "{v} rows", n, v=value))', False),
    ('st.success(_.ngettext(singular, "{n} rows", n, n=_.number(n)))', False),
])
def test_the_rule_itself(text, safe):
    """The check would catch the mistakes it exists for (and only those)."""
    node = ast.parse(text).body[0].value
    assert safe_text(node.args[0]) is safe
