"""Characters refused in every name and text a person sends (pure Python, no Django).

Bidirectional overrides, embeddings and isolates (U+202A-U+202E, U+2066-U+2069) make a text
display in another order than it is stored ("Trojan Source": a name that reads as an official
structure's, a file name that hides its extension); control characters (NUL and the other C0
and C1 codes) corrupt displays, logs and exports. Tab, line feed and carriage return stay
allowed in texts; names are single lines.
"""

import unicodedata
from typing import Any

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TEXT_CONTROLS = frozenset("\t\n\r")


def has_unsafe_characters(text: str, *, single_line: bool = False) -> bool:
    for char in text:
        if char in BIDI_CONTROLS:
            return True
        if unicodedata.category(char) == "Cc" and (single_line or char not in TEXT_CONTROLS):
            return True
    return False


def unsafe_string_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths ("phases.0.title") of the strings, keys included, of a parsed JSON value
    that hold a refused character (iterative: no recursion on deep values)."""
    found: list[str] = []
    pending: list[tuple[Any, str]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, str):
            if has_unsafe_characters(item):
                found.append(where or "non_field_errors")
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                if isinstance(key, str) and has_unsafe_characters(key):
                    found.append(child_path)
                pending.append((child, child_path))
        elif isinstance(item, list):
            pending.extend(
                (child, f"{where}.{index}" if where else str(index))
                for index, child in enumerate(item)
            )
    return sorted(set(found))
