"""Every query lives in a selector or a service: views, api modules and consumers run none.

Import rules are checked by import-linter (`make lint`, `.importlinter`); this checks what it
cannot see: a `.objects` query written in a view, serializer, consumer or authentication class.
Two uses are declarations, not queries, and stay allowed: `Model.objects.none()` (the schema
placeholder of a generic view) and `queryset=Model.objects...` (the rows a DRF related field
validates against).
"""

import ast
from pathlib import Path

BACKEND = Path(__file__).resolve().parent.parent / "backend"
PATTERNS = ("*/api/*.py", "*/views.py", "*/consumers.py", "*/hub.py", "*/authentication.py")

# The live workshop's websocket side still queries directly; its queries move into workshops'
# selectors and services with the rework of that app (issue 17). Remove an entry once clean.
ALLOWED = frozenset({"workshops/consumers.py", "workshops/hub.py"})


def _declarations(tree: ast.AST) -> set[int]:
    """ids of the `.objects` nodes that only declare a queryset."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "queryset":
            allowed.update(id(inner) for inner in ast.walk(node.value))
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "none"
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr == "objects"
        ):
            allowed.add(id(node.func.value))
    return allowed


def query_lines(source: str) -> list[int]:
    """Line of every `.objects` query in the source."""
    tree = ast.parse(source)
    declarations = _declarations(tree)
    return sorted(
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and id(node) not in declarations
    )


def queries_in(path: Path) -> list[str]:
    """`file:line` of every `.objects` query in the module."""
    name = path.relative_to(BACKEND)
    return [f"{name}:{line}" for line in query_lines(path.read_text())]


def _modules() -> list[Path]:
    return sorted({path for pattern in PATTERNS for path in BACKEND.glob(pattern)})


def test_views_api_and_consumers_leave_queries_to_selectors_and_services() -> None:
    found = [
        query
        for path in _modules()
        if str(path.relative_to(BACKEND)) not in ALLOWED
        for query in queries_in(path)
    ]
    assert found == [], "move these queries into a selector or a service"


def test_the_check_finds_a_query_and_spares_declarations() -> None:
    source = (
        "queryset = Contribution.objects.none()\n"
        "field = PrimaryKeyRelatedField(queryset=Territory.objects.all())\n"
        "def get(pk):\n"
        "    return Contribution.objects.filter(pk=pk).first()\n"
        "found = Territory.objects.in_bulk([1])\n"
    )
    assert query_lines(source) == [4, 5]
