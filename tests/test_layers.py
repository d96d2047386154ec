"""The service never imports the offline pipelines (issue 15, item 4).

The offline packages (the region build and its consensus centreline, the walking-model
calibration and its ETA evaluation, the locate evaluation) sit beside what they feed, but only
the CLI's offline commands and the tests import them: a module the web app, ``geodata``,
``rescue`` or ``routes`` runs must not, not even inside a function.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the offline subpackages; nothing outside them and the CLI may import them
OFFLINE = ("geodata.build", "routes.calibration", "rescue.locate_eval")
#: the packages the service runs (``sandtable`` holds the CLI, which runs both)
RUNTIME = ("geodata", "routes", "rescue", "web")


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_offline(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in OFFLINE)


def _imports(tree: ast.AST, module: str) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the module's package
                base = module.split(".")[: -node.level]
                names.append(".".join([*base, *([node.module] if node.module else [])]))
            elif node.module:
                names.append(node.module)
            names += [f"{names[-1]}.{a.name}" for a in node.names]
    return names


def test_no_runtime_module_imports_an_offline_one_anywhere_in_its_code():
    offenders = []
    for pkg in RUNTIME:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            module = _module(path)
            if _is_offline(module):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            offenders += [f"{module}: {n}" for n in _imports(tree, module) if _is_offline(n)]
    assert offenders == []


def test_the_checker_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from routes.calibration import calibrate\n")
    assert [n for n in _imports(tree, "routes.x") if _is_offline(n)]
    tree = ast.parse("def f():\n    from .calibration import pipeline\n")
    assert [n for n in _imports(tree, "routes.network") if _is_offline(n)]


def test_importing_the_service_loads_no_offline_module():
    """The web app factory and every runtime module of ``geodata``, ``routes`` and ``rescue``,
    imported in a fresh interpreter: no offline module ends up in ``sys.modules``."""
    modules = [
        _module(path)
        for pkg in ("geodata", "routes", "rescue")
        for path in sorted((ROOT / pkg).rglob("*.py"))
        if not _is_offline(_module(path)) and ".migrations" not in _module(path)  # Alembic's
    ]
    code = "\n".join(
        [
            "import importlib, sys",
            "from web import create_app",
            f"for name in {modules!r}:",
            "    importlib.import_module(name)",
            f"print(sorted(n for n in sys.modules if n.startswith({OFFLINE!r})))",
            "print(len([n for n in sys.modules if n.startswith(('routes.', 'rescue.'))]))",
            "print(len([n for n in sys.modules if n.startswith('geodata.')]))",
        ]
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0] == "[]"
    assert int(out[1]) > 20 and int(out[2]) > 10  # the walk did import the runtime modules
