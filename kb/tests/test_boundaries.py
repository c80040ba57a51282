"""Personal data lives in triage alone: kb never imports it."""

import ast
from pathlib import Path

KB = Path(__file__).resolve().parents[1]


def test_kb_never_imports_triage():
    offenders = []
    for path in KB.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(KB)}: {n}" for n in names
                          if n == "triage" or n.startswith("triage.")]
    assert offenders == []
