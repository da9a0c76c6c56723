"""Python source text: the generator writes its output final, with no formatter run after it.

One style, decided here: strings in double quotes unless that needs more escapes; import blocks sorted and
laid out the way isort and ruff's ``I`` rules lay them out (sections, straight imports first, members by
kind then name), an import longer than :data:`IMPORT_WIDTH` split one name per line with a trailing comma
(which keeps sorters from joining it again at any line length); a bracketed construct longer than
:data:`WIDTH` is split after its opening bracket, its items on one line when they fit, else one per line with
a trailing comma. Docstrings and long strings are never split.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable

import attrs

__all__ = [
    "IMPORT_WIDTH",
    "WIDTH",
    "Group",
    "Imports",
    "docstring",
    "flat",
    "lines",
    "literal",
    "optional_lines",
    "sort_key",
    "string",
]

WIDTH = 110
IMPORT_WIDTH = 79
INDENT = "    "

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text: str, quote: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch == quote:
            out.append("\\" + ch)
        elif not ch.isprintable():
            out.append(repr(ch)[1:-1])
        else:
            out.append(ch)
    return "".join(out)


def string(text: str) -> str:
    """A string literal: double quotes, or single ones when the text holds more double than single quotes."""
    quote = '"' if text.count('"') <= text.count("'") else "'"
    return quote + _escape(text, quote) + quote


def literal(value: object) -> str:
    """Source of a str, bool, None, int, float, tuple or list value."""
    if isinstance(value, str):
        return string(value)
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    raise TypeError(f"no literal for {value!r}")


def docstring(text: str) -> str:
    """A one-line triple-quoted docstring of ``text`` (whitespace runs become one space)."""
    body = " ".join(text.split())
    escaped = []
    for ch in body:
        if ch == "\\":
            escaped.append("\\\\")
        elif not ch.isprintable():
            escaped.append(repr(ch)[1:-1])
        else:
            escaped.append(ch)
    out = "".join(escaped).replace('"""', '\\"\\"\\"')
    if out.endswith('"'):
        out += " "
    return f'"""{out}"""'


# -- wrapped lines -----------------------------------------------------------------------------------------
@attrs.frozen
class Group:
    """``opening`` items ``closing``: a call, subscript or literal that may be split over lines. ``explode``
    (for tuple, list and dict literals): once split, one item per line; ``force``: always split."""

    opening: str
    items: tuple[Frag, ...]
    closing: str
    explode: bool = False
    force: bool = False


Frag = str | Group


def flat(frag: Frag) -> str:
    if isinstance(frag, str):
        return frag
    inner = ", ".join(flat(i) for i in frag.items)
    if frag.explode and len(frag.items) == 1 and frag.opening.endswith("("):
        inner += ","  # a one-item tuple
    return f"{frag.opening}{inner}{frag.closing}"


def lines(frag: Frag, indent: str = "", end: str = "") -> list[str]:
    """``frag`` at ``indent``, followed by ``end`` (for example a comma), in lines of at most WIDTH columns
    where it can be split."""
    one = indent + flat(frag) + end
    if isinstance(frag, str) or not frag.items or (len(one) <= WIDTH and not frag.force):
        return [one]
    inner = indent + INDENT
    if not frag.explode and not frag.force:
        joined = inner + ", ".join(flat(i) for i in frag.items)
        if len(joined) <= WIDTH:
            return [indent + frag.opening, joined, indent + frag.closing + end]
    out = [indent + frag.opening]
    for item in frag.items:
        out.extend(lines(item, inner, ","))
    out.append(indent + frag.closing + end)
    return out


def optional_lines(opening: str, frag: Frag, indent: str) -> list[str]:
    """``opening frag | None`` (an annotation); when too long, the union goes in parentheses, split before
    ``| None`` if it does not fit on one line there."""
    one = f"{indent}{opening}{flat(frag)} | None"
    if len(one) <= WIDTH:
        return [one]
    inner = indent + INDENT
    body = inner + flat(frag) + " | None"
    middle = [body] if len(body) <= WIDTH else [*lines(frag, inner), inner + "| None"]
    return [f"{indent}{opening}(", *middle, indent + ")"]


# -- imports -----------------------------------------------------------------------------------------------
def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in re.split(r"(\d+)", text) if p)


def sort_key(name: str) -> tuple[object, ...]:
    if len(name) > 1 and name.upper() == name and name.lower() != name:
        kind = 0  # CONSTANT
    elif name[:1].isupper():
        kind = 1  # Class
    else:
        kind = 2  # variable
    return (kind, _natural(name.lower()), _natural(name))


def _section(module: str) -> int:
    if module == "__future__":
        return 0
    if module.startswith("."):
        return 3
    return 1 if module.split(".")[0] in sys.stdlib_module_names else 2


@attrs.define
class Imports:
    """The names one generated block uses, added as they are written; rendered as a sorted import block."""

    straight: set[str] = attrs.field(factory=set)
    members: dict[str, set[str]] = attrs.field(factory=dict)

    def add(self, module: str, *names: str) -> Imports:
        if not names:
            self.straight.add(module)
        else:
            self.members.setdefault(module, set()).update(names)
        return self

    def __bool__(self) -> bool:
        return bool(self.straight or self.members)

    def block(self, indent: str = "") -> list[str]:
        """The import lines, sections separated by one blank line."""
        sections: dict[int, list[str]] = {}
        for module in sorted(self.straight, key=lambda m: (_natural(m.lower()), m)):
            sections.setdefault(_section(module), []).append(f"{indent}import {module}")
        for module in sorted(self.members, key=_module_key):
            names = sorted(self.members[module], key=sort_key)
            sections.setdefault(_section(module), []).extend(_from_import(module, names, indent))
        out: list[str] = []
        for key in sorted(sections):
            if out:
                out.append("")
            out.extend(sections[key])
        return out


def _module_key(module: str) -> tuple[object, ...]:
    level = len(module) - len(module.lstrip("."))
    name = module.lstrip(".")
    return (-level, bool(name), _natural(name.lower()), name)


def _from_import(module: str, names: Iterable[str], indent: str) -> list[str]:
    names = list(names)
    one = f"{indent}from {module} import {', '.join(names)}"
    if len(one) <= IMPORT_WIDTH:
        return [one]
    return [f"{indent}from {module} import (", *(f"{indent}{INDENT}{n}," for n in names), f"{indent})"]
