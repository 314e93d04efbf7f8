"""The rules the house keeps, checked on the source tree (docs/architecture.md explains them).

- imports point one way: a lower layer never imports a higher one, and there are no import
  circles among our modules, counting imports placed inside functions;
- our own modules are imported at module top, never inside a function (that is how circles hide)
  and never behind an `except ImportError` (a broken import must fail loudly);
- no Python file over 400 lines; no private module or attribute of another library;
- the core never imports Streamlit; `ui/` never imports the database layer and never edits
  `sys.path` (the app runs against the installed package).
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Layers of `responder/`, highest first. A module may import its own layer and any lower one.
#: Layers in one tuple are peers and must not import each other.
LAYERS: list[tuple[str, ...]] = [
    ("cli",),
    ("worker",),
    ("app",),
    ("channels",),
    ("triage",),
    ("followups",),
    ("drafts",),
    ("classify",),
    ("prompts", "ingest"),
    ("store",),
    ("base",),  # settings, errors, taxonomy, llm
]
RANK = {name: i for i, group in enumerate(LAYERS) for name in group}
MAX_LINES = 400
#: Private internals of other libraries seen in this codebase before (regex on the source).
PRIVATE_RE = re.compile(
    r"\bre\._parser|\bre\._constants|\bsre_parse\b|\bsre_compile\b|sparsefuncs_fast"
    r"|\._tfidf\b|_sklearn_output_config"
)
#: Known violations being removed; each entry names the rule and the file. Keep it empty.
KNOWN: set[tuple[str, str]] = set()


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    source: str
    is_package: bool
    top_imports: set[str] = field(default_factory=set)
    function_imports: list[tuple[int, str]] = field(default_factory=list)


def _python_files() -> list[Path]:
    files = []
    for base in ("responder", "ui"):
        for path in sorted((ROOT / base).rglob("*.py")):
            if "migrations" not in path.parts and "__pycache__" not in path.parts:
                files.append(path)
    return files


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_nodes(tree: ast.Module) -> set[int]:
    ids: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            ids |= {id(sub) for sub in ast.walk(node)}
    return ids


def _targets(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def _load() -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for path in _python_files():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        modules[_module_name(path)] = Module(
            _module_name(path), path, tree, source, path.name == "__init__.py"
        )
    names = set(modules)

    def owner(target: str) -> str | None:
        while target and target not in names:
            target = target.rpartition(".")[0]
        return target or None

    for mod in modules.values():
        skip = _type_checking_nodes(mod.tree)
        in_function = {
            id(sub)
            for fn in ast.walk(mod.tree)
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef)
            for sub in ast.walk(fn)
        }
        for node in ast.walk(mod.tree):
            if not isinstance(node, ast.Import | ast.ImportFrom) or id(node) in skip:
                continue
            if isinstance(node, ast.ImportFrom) and node.level:
                raise AssertionError(f"{mod.path}: use absolute imports")
            owners = {owner(t) for t in _targets(node)} - {None, mod.name}
            if id(node) in in_function:
                mod.function_imports += [(node.lineno, o) for o in sorted(owners)]  # type: ignore[misc]
            for target in owners:
                assert target is not None
                parent_child = (mod.is_package and target.startswith(mod.name + ".")) or (
                    modules[target].is_package and mod.name.startswith(target + ".")
                )
                if not parent_child:
                    mod.top_imports.add(target)
    return modules


MODULES = _load()


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _layer(name: str) -> str | None:
    parts = name.split(".")
    if parts[0] != "responder" or name == "responder" or parts[-1] == "__main__":
        return None
    return parts[1] if len(parts) > 2 or parts[1] in RANK else "base"


def test_no_import_circles() -> None:
    graph = {
        name: mod.top_imports | {o for _, o in mod.function_imports}
        for name, mod in MODULES.items()
    }
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for name in graph:
        if name not in index:
            visit(name)
    assert circles == []


def test_our_modules_are_imported_at_module_top() -> None:
    found = [
        f"{_rel(mod.path)}:{line} imports {target}"
        for mod in MODULES.values()
        for line, target in mod.function_imports
    ]
    assert found == [], "move these imports to the top of the module (or fix the circle)"


def test_no_import_error_guards_around_our_modules() -> None:
    found = []
    for mod in MODULES.values():
        for node in ast.walk(mod.tree):
            if not isinstance(node, ast.Try):
                continue
            guarded = any(
                h.type is not None and re.search(r"ImportError|ModuleNotFound", ast.unparse(h.type))
                for h in node.handlers
            )
            ours = any(
                isinstance(sub, ast.Import | ast.ImportFrom)
                and any(t.split(".")[0] in ("responder", "ui") for t in _targets(sub))
                for sub in node.body
            )
            if guarded and ours:
                found.append(f"{_rel(mod.path)}:{node.lineno}")
    assert found == []


def test_imports_point_down_the_layers() -> None:
    wrong = []
    for mod in MODULES.values():
        here = _layer(mod.name)
        if here is None:
            continue
        for target in mod.top_imports:
            there = _layer(target)
            if target.split(".")[0] == "ui":
                wrong.append(f"{mod.name} imports {target} (the core never imports ui)")
            elif there is not None and there != here and RANK[there] <= RANK[here]:
                wrong.append(f"{mod.name} ({here}) imports {target} ({there})")
    assert wrong == []


def _private_import(mod: Module) -> bool:
    for node in ast.walk(mod.tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in ("responder", "ui", "__future__"):
                continue
            if any(part.startswith("_") for part in node.module.split(".")) or any(
                a.name.startswith("_") for a in node.names
            ):
                return True
    return False


def _runtime_import_of(mod: Module, packages: set[str]) -> bool:
    """Whether the module imports one of `packages` at run time (type-only imports don't count)."""
    skip = _type_checking_nodes(mod.tree)
    return any(
        isinstance(node, ast.Import | ast.ImportFrom)
        and id(node) not in skip
        and any(t.split(".")[0] in packages for t in _targets(node))
        for node in ast.walk(mod.tree)
    )


RULES = {
    "long": lambda mod, rel: mod.source.count("\n") + 1 > MAX_LINES,
    "private": lambda mod, rel: bool(PRIVATE_RE.search(mod.source)) or _private_import(mod),
    "ui_db": lambda mod, rel: (
        rel.startswith("ui/") and _runtime_import_of(mod, {"sqlmodel", "sqlalchemy"})
    ),
    "sys_path": lambda mod, rel: bool(re.search(r"sys\.path\.(insert|append)", mod.source)),
    "streamlit_in_core": lambda mod, rel: (
        rel.startswith("responder/")
        and bool(re.search(r"^\s*(from|import) streamlit\b", mod.source, re.M))
    ),
}


def _violations(rule: str) -> list[str]:
    return sorted(_rel(m.path) for m in MODULES.values() if RULES[rule](m, _rel(m.path)))


@pytest.mark.parametrize("rule", sorted(RULES))
def test_house_rules(rule: str) -> None:
    found = _violations(rule)
    known = sorted(path for r, path in KNOWN if r == rule)
    assert [p for p in found if (rule, p) not in KNOWN] == [], f"new {rule} violations"
    assert [p for p in known if p not in found] == [], f"fixed: drop these from KNOWN ({rule})"


def test_declared_dependencies_are_the_imported_ones() -> None:
    """Every third-party package the core and the app import is declared, and every declared
    runtime dependency is imported somewhere (bench and test tools are in the `dev` extra)."""
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_dist_key(spec) for spec in meta["dependencies"]}
    #: Maintainer tools imported lazily (e.g. safetensors for distilling the encoder's table).
    extras = {
        _dist_key(s) for specs in meta.get("optional-dependencies", {}).values() for s in specs
    }
    imported: dict[str, set[str]] = defaultdict(set)
    for mod in MODULES.values():
        for node in ast.walk(mod.tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node):
                    top = target.split(".")[0]
                    if top and top not in ("responder", "ui", "__future__"):
                        imported[IMPORT_TO_DIST.get(top, top)].add(_rel(mod.path))
    third_party = {name for name in imported if name not in STDLIB}
    undeclared = third_party - declared - extras - PROVIDED_BY_OTHERS
    assert sorted(undeclared) == [], "imported but not declared"
    assert sorted(declared - third_party - NOT_IMPORTED_ON_PURPOSE) == [], (
        "declared but never imported"
    )


def _dist_key(spec: str) -> str:
    return re.split(r"[\[<>=!~; ]", spec, maxsplit=1)[0].lower().replace("_", "-")


#: Import name -> distribution name, where they differ.
IMPORT_TO_DIST = {
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "dateutil": "python-dateutil",
    "lingua": "lingua-language-detector",
    "langchain_openai": "langchain-openai",
    "langchain_core": "langchain-core",
    "pydantic_settings": "pydantic-settings",
    "psycopg": "psycopg",
}
#: Installed with a declared package (langchain-core comes with langchain-openai).
PROVIDED_BY_OTHERS = {"langchain-core", "numpy", "scipy", "rich", "click", "tornado"}
#: Declared for a reason other than an import: the PostgreSQL driver is loaded by SQLAlchemy from
#: the database URL; the OpenAI client is what langchain-openai drives, pinned by us.
NOT_IMPORTED_ON_PURPOSE = {"psycopg", "openai"}
STDLIB = set(__import__("sys").stdlib_module_names)
