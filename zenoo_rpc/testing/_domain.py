"""Odoo domains evaluated over the emulator's rows, and Odoo's ``order`` strings, as Odoo defines them.

Rules kept from Odoo's ``expression.py``: implicit ``&`` between leaves, ``!=``/``not in`` also match empty
values, ``=?`` with False is TRUE, ``in []`` is FALSE, date-only strings compared with datetimes become
``00:00:00`` (or ``23:59:59`` for ``>``/``<=``), many2one paths search the comodel without ``active_test``,
``like`` patterns are wrapped in ``%`` and honour backslash escapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

from ._exceptions import EmulatedError, UserError, attribute_error, pg_error, type_error, value_error
from ._store import Database, Table

__all__ = ["check_order", "compile_domain", "normalize", "order_key_functions", "parse_order", "uses_active"]


class _Env(Protocol):
    """What evaluating a domain asks of the call's environment (``_env.Env``, which sits above this module
    and uses it to search): the database, and searches for the sub-domains of relational leaves."""

    @property
    def db(self) -> Database: ...

    def search_ids(self, model: str, domain: list[Any], *, active_test: bool | None = None) -> list[int]: ...

    def name_search_ids(self, model: str, name: Any, operator: str = "ilike") -> list[int]: ...

    def hierarchy(self, model: str, right: Any, operator: str) -> set[int]: ...

    def rank_of(self, model: str, seen: frozenset[tuple[str, str]] = frozenset()) -> dict[int, int]: ...

    def _related_value(self, table: Table, field: dict[str, Any], row: dict[str, Any]) -> Any: ...


Pred = Callable[[dict[str, Any]], bool]

OPERATORS = frozenset(
    {
        "=",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "in",
        "not in",
        "like",
        "not like",
        "ilike",
        "not ilike",
        "=like",
        "=ilike",
        "=?",
        "child_of",
        "parent_of",
        "any",
        "not any",
        "<>",
        "==",
    }
)


def _leaf_text(env: _Env, leaf: Any) -> str:
    return "(" + ", ".join(repr(x) for x in leaf) + ")"


def _domain_items(major: int, domain: Any) -> list[Any]:
    """The items of a domain argument, as each version reads it: 19's ``Domain()`` takes True/False and lists
    only; 17/18's ``normalize_domain`` takes anything falsy as TRUE and iterates anything else."""
    if major >= 19:
        if domain is True or (isinstance(domain, (list, tuple)) and not domain):
            return []
        if domain is False:
            return [(0, "=", 1)]
        if not isinstance(domain, (list, tuple)):
            raise type_error(f"Domain() invalid argument type for domain: {_py_repr(domain)}")
        return list(domain)
    if not domain:
        return []
    if isinstance(domain, (str, dict)):
        return list(domain)  # a string iterates its characters, a dict its keys
    if not isinstance(domain, (list, tuple)):
        raise type_error(f"'{_py_type(domain)}' object is not iterable")
    return list(domain)


def normalize(env: _Env, model: str, domain: Any) -> list[Any]:
    """Check the domain's shape and make the implicit ``&`` explicit (prefix notation), with the errors each
    version raises for a malformed domain (the one place the emulator reads a domain argument)."""
    major = env.db.major
    items = _domain_items(major, domain)
    result: list[Any] = []
    expected = 1
    for item in items:
        if expected == 0:
            result[0:0] = ["&"]
            expected = 1
        if isinstance(item, str) and item in ("&", "|", "!"):
            expected += 0 if item == "!" else 1
            result.append(item)
            continue
        if isinstance(item, (list, tuple)) and len(item) == 3:
            expected -= 1
            result.append(_checked_leaf(major, tuple(item)))
            continue
        if major >= 19:
            raise value_error(f"Domain() invalid item in domain: {_py_repr(item)}")
        raise _unpack_error(item)
    if expected > 0 and result:
        if major >= 19:
            raise value_error(f"Domain() malformed domain {_py_repr(domain)}")
        raise value_error(f"Domain {_py_repr(domain)} is syntactically not correct.")
    return result


def _unpack_error(item: Any) -> Exception:
    """What ``left, operator, right = item`` raises in 17/18's expression parser for an item not a leaf."""
    if isinstance(item, dict):
        return type_error("unhashable type: 'dict'")
    if isinstance(item, (str, list, tuple)):
        if len(item) > 3:
            return value_error("too many values to unpack (expected 3)")
        return value_error(f"not enough values to unpack (expected 3, got {len(item)})")
    return type_error(f"cannot unpack non-iterable {_py_type(item)} object")


#: the leaf operators each version accepts (17/18: expression.TERM_OPERATORS and '<>'; 19 adds '==')
_OPERATORS_17 = OPERATORS - {"=="}


def _checked_leaf(major: int, leaf: tuple[Any, ...]) -> tuple[Any, ...]:
    left, operator, right = leaf
    if left in (0, 1) and not isinstance(left, bool) and operator == "=" and right == 1:
        return leaf  # TRUE_LEAF / FALSE_LEAF
    if major >= 19:
        text = f"in condition ({_py_repr(left)}, {_py_repr(operator)}, {_py_repr(right)})"
        if not isinstance(left, str) or not left:
            raise type_error(f"Empty field name {text}")
        if not isinstance(operator, str):
            raise attribute_error(f"'{_py_type(operator)}' object has no attribute 'lower'")
        if operator.lower() not in OPERATORS:
            raise value_error(f"Invalid operator {text}")
        return (left, operator.lower(), right)
    if not isinstance(left, str) or not left or not isinstance(operator, str):
        raise value_error(f"Invalid leaf {_py_repr(leaf)}")
    if operator.lower() not in _OPERATORS_17:
        raise value_error(f"Invalid leaf {_py_repr(leaf)}")
    return (left, operator.lower(), right)


def _py_type(value: Any) -> str:
    return {type(None): "NoneType"}.get(type(value), type(value).__name__)


def _py_repr(value: Any) -> str:
    """``repr()`` of a value as Odoo's Python sees it (JSON lists arrive as lists, tuples from XML-RPC too)."""
    return repr(value)


def uses_active(domain: list[Any]) -> bool:
    return any(isinstance(x, tuple) and x[0] == "active" for x in domain)


def compile_domain(env: _Env, model: str, domain: list[Any]) -> Pred:
    items = normalize(env, model, domain)
    if not items:
        return lambda row: True
    pos = 0

    def parse() -> Pred:
        nonlocal pos
        item = items[pos]
        pos += 1
        if item == "!":
            inner = parse()
            return lambda row: not inner(row)
        if item in ("&", "|"):
            left = parse()
            right = parse()
            if item == "&":
                return lambda row: left(row) and right(row)
            return lambda row: left(row) or right(row)
        return _leaf(env, model, item)

    pred: Pred = parse()
    return pred


@lru_cache(maxsize=512)
def _like_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return re.compile("".join(out), re.S | (re.I if ignore_case else 0))


def _field_error(env: _Env, model: str, name: str, leaf: Any) -> Exception:
    word = "condition" if env.db.major >= 19 else "leaf"
    return value_error(f"Invalid field {model}.{name} in {word} {_leaf_text(env, leaf)}")


def _leaf(env: _Env, model: str, leaf: tuple[Any, ...]) -> Pred:
    left, operator, right = leaf
    if left in (0, 1) and not isinstance(left, bool):  # TRUE_LEAF (1, '=', 1) / FALSE_LEAF (0, '=', 1)
        value = left == 1
        return lambda row: value
    operator = operator.lower()  # checked by normalize()
    if operator == "<>":
        operator = "!="
    if operator == "==":
        operator = "="
    if operator in ("=", "!=") and isinstance(right, (list, tuple)):
        operator = "in" if operator == "=" else "not in"  # both versions rewrite it (with a warning)
    table = env.db.table(model)
    if table is None:
        return lambda row: False
    path = left.split(".")
    name = path[0]
    field = table.fields.get(name) if name != "id" else {"type": "integer"}
    if field is None:
        raise _field_error(env, model, name, leaf)
    related = field.get("related")
    if related and not field.get("store", True) and isinstance(related, (str, list)):
        # a related field is searched through its path (product.product.name -> product_tmpl_id.name)
        path_text = related if isinstance(related, str) else ".".join(related)
        return _leaf(env, model, (".".join([path_text, *path[1:]]), operator, right))
    ftype = field["type"]
    relation = field.get("relation")
    if operator == "=?":
        if right is False or right is None:
            return lambda row: True
        operator = "="
    if len(path) > 1:
        if not relation:
            raise _field_error(env, model, left, leaf)
        sub_domain = [(".".join(path[1:]), operator, right)]
        if ftype == "many2one":
            ids = set(env.search_ids(relation, sub_domain, active_test=False))
            return _m2o_in(name, ids)
        ids = set(env.search_ids(relation, sub_domain))
        return _x2m_any(name, ids)
    if operator in ("any", "not any"):
        if not relation:
            raise value_error(f"Invalid operator {operator!r} on {ftype} field {model}.{name}")
        sub = right if isinstance(right, list) else []
        ids = set(env.search_ids(relation, sub, active_test=ftype != "many2one"))
        pred = _m2o_in(name, ids) if ftype == "many2one" else _x2m_any(name, ids)
        return pred if operator == "any" else (lambda row: not pred(row))
    if operator in ("child_of", "parent_of"):
        if not relation and name != "id":
            raise value_error(f"Invalid operator {operator!r} on non-relational field {model}.{name}")
        _check_adaptable(right)
        target = relation if relation else model
        ids = env.hierarchy(target, right, operator)
        if name == "id" or (name == "parent_id" and relation == model):
            return lambda row: row["id"] in ids
        if ftype == "many2one":
            return _m2o_in(name, ids)
        return _x2m_any(name, ids)
    if operator in _COMPARED:
        _check_adaptable(right)
    if ftype == "many2one":
        return _m2o_leaf(env, name, relation or "", operator, right)
    if ftype in ("one2many", "many2many"):
        return _x2m_leaf(env, name, relation or "", operator, right)
    return _scalar_leaf(name, ftype, operator, _column_value(field, operator, right), env.db.major >= 19)


_INT_TEXT = re.compile(r"^\s*[+-]?\d+\s*$")
_NUM_TEXT = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$|^\s*[+-]?(nan|infinity|inf)\s*$", re.I)
_DATE_TEXT = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*$"
)
_COMPARED = frozenset({"=", "!=", "<", "<=", ">", ">=", "in", "not in"})


def _check_adaptable(right: Any) -> None:
    """psycopg2 cannot send a dict; a list inside the value's list goes as an ARRAY PostgreSQL cannot compare."""
    if isinstance(right, dict):
        raise EmulatedError("can't adapt type 'dict'", "psycopg2.ProgrammingError")
    if isinstance(right, (list, tuple)):
        for item in right:
            if isinstance(item, dict):
                raise EmulatedError("can't adapt type 'dict'", "psycopg2.ProgrammingError")
            if isinstance(item, (list, tuple)):
                raise pg_error("UndefinedFunction", "operator does not exist: integer = integer[]")


def _column_value(field: dict[str, Any], operator: str, right: Any) -> Any:
    """The value of a comparison as PostgreSQL reads it against the field's column: text cast to the column's
    type (``'12'`` = 12), or PostgreSQL's own error for text that is not of that type. ``like`` operators
    compare the column as text, and need nothing."""
    if operator not in _COMPARED:
        return right
    _check_adaptable(right)
    if isinstance(right, (list, tuple)):
        return [_pg_cast(field, v) for v in right]
    return _pg_cast(field, right)


def _pg_cast(field: dict[str, Any], value: Any) -> Any:
    if not isinstance(value, str):
        return value
    ftype = field.get("type")
    if ftype == "integer":
        if not _INT_TEXT.match(value):
            raise pg_error("InvalidTextRepresentation", f'invalid input syntax for type integer: "{value}"')
        number = int(value)
        if not -(2**31) <= number < 2**31:
            raise pg_error("NumericValueOutOfRange", f'value "{value}" is out of range for type integer')
        return number
    if ftype in ("float", "monetary"):
        sql_type = "numeric" if ftype == "monetary" or field.get("digits") else "double precision"
        if not _NUM_TEXT.match(value):
            raise pg_error(
                "InvalidTextRepresentation", f'invalid input syntax for type {sql_type}: "{value}"'
            )
        return float(value)
    if ftype in ("date", "datetime"):
        sql_type = "date" if ftype == "date" else "timestamp without time zone"
        found = _DATE_TEXT.match(value)
        if not found:
            raise pg_error("InvalidDatetimeFormat", f'invalid input syntax for type {sql_type}: "{value}"')
        year, month, day, hour, minute, second = (int(g) if g else 0 for g in found.groups())
        import calendar

        if (
            not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year or 1, month)[1])
            or hour > 24
            or (minute > 59 or second > 60)
        ):
            raise pg_error("DatetimeFieldOverflow", f'date/time field value out of range: "{value}"')
        return value.strip()
    return value


def _m2o_in(name: str, ids: set[int]) -> Pred:
    return lambda row: row.get(name) in ids


def _x2m_any(name: str, ids: set[int]) -> Pred:
    return lambda row: any(i in ids for i in row.get(name) or ())


def _names_matching(env: _Env, relation: str, operator: str, right: Any) -> set[int]:
    return set(env.name_search_ids(relation, right, operator))


def _m2o_leaf(env: _Env, name: str, relation: str, operator: str, right: Any) -> Pred:
    if operator in ("like", "ilike", "=like", "=ilike", "not like", "not ilike"):
        positive = operator.replace("not ", "")
        ids = _names_matching(env, relation, positive, right)
        if operator.startswith("not"):
            return lambda row: row.get(name) not in ids
        return _m2o_in(name, ids)
    if isinstance(right, str) and operator in ("=", "!=", "in", "not in"):
        ids = _names_matching(env, relation, "ilike" if operator in ("in", "not in") else "=", right)
        pred = _m2o_in(name, ids)
        return pred if operator in ("=", "in") else (lambda row: not pred(row))
    if operator in ("=", "!="):
        target = right if right else False
        if operator == "=":
            return lambda row: (row.get(name) or False) == target
        return lambda row: (row.get(name) or False) != target
    if operator in ("in", "not in"):
        values = set(right if isinstance(right, (list, tuple)) else [right])
        with_null = False in values or None in values
        if operator == "in":
            return lambda row: (row.get(name) or False) in values or (with_null and not row.get(name))
        return lambda row: not ((row.get(name) or False) in values or (with_null and not row.get(name)))
    return _scalar_leaf(name, "integer", operator, right)


def _x2m_leaf(env: _Env, name: str, relation: str, operator: str, right: Any) -> Pred:
    if operator in ("like", "ilike", "=like", "=ilike"):
        return _x2m_any(name, _names_matching(env, relation, operator, right))
    if operator in ("not like", "not ilike"):
        ids = _names_matching(env, relation, operator.replace("not ", ""), right)
        return lambda row: not any(i in ids for i in row.get(name) or ())
    if operator in ("=", "!=") and (right is False or right is None):
        if operator == "=":
            return lambda row: not row.get(name)
        return lambda row: bool(row.get(name))
    values = set(right if isinstance(right, (list, tuple)) else [right])
    if isinstance(right, str):
        values = _names_matching(env, relation, "ilike", right)
    if operator in ("=", "in"):
        with_null = False in values
        return lambda row: any(i in values for i in row.get(name) or ()) or (with_null and not row.get(name))
    if operator in ("!=", "not in"):
        return lambda row: not any(i in values for i in row.get(name) or ())
    raise value_error(f"Invalid operator {operator!r} for an x2many field {name}")


def _scalar_leaf(name: str, ftype: str, operator: str, right: Any, null_in_negative: bool = False) -> Pred:
    if ftype == "datetime" and isinstance(right, str) and len(right) == 10:
        right = right + (" 23:59:59" if operator in (">", "<=") else " 00:00:00")
    if operator == "=":
        if right is False or right is None:
            if ftype == "boolean":
                return lambda row: not row.get(name)
            return lambda row: row.get(name) in (False, None, "")
        if ftype == "boolean":
            target = bool(right)
            return lambda row: bool(row.get(name)) == target
        return lambda row: row.get(name) == right
    if operator == "!=":
        if right is False or right is None:
            if ftype == "boolean":
                return lambda row: bool(row.get(name))
            return lambda row: row.get(name) not in (False, None, "")
        if ftype == "boolean":
            target = bool(right)
            return lambda row: bool(row.get(name)) != target
        return lambda row: row.get(name) != right
    if operator in ("in", "not in"):
        values = list(right) if isinstance(right, (list, tuple, set)) else [right]
        with_null = any(v is False or v is None for v in values)
        vset = {v for v in values if v is not False and v is not None}
        if ftype == "boolean":
            vset = {bool(v) for v in values}

            def matches(row: dict[str, Any]) -> bool:
                return bool(row.get(name)) in vset

        else:

            def matches(row: dict[str, Any]) -> bool:
                v = row.get(name)
                if v is False or v is None:
                    return with_null
                if isinstance(v, (list, dict)):  # a json value (properties): compared by equality
                    return any(v == x for x in vset)
                return v in vset

        return matches if operator == "in" else (lambda row: not matches(row))
    if operator in ("<", "<=", ">", ">="):
        cmp: Callable[[Any, Any], Any] = {
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }[operator]

        def compare(row: dict[str, Any]) -> bool:
            v = row.get(name)
            if v is None or (v is False and ftype != "boolean"):
                return False
            try:
                return bool(cmp(v, right))
            except TypeError:
                return False

        return compare
    if operator in ("like", "ilike", "not like", "not ilike", "=like", "=ilike"):
        negative = operator.startswith("not")
        exact = operator.startswith("=")
        ignore_case = "ilike" in operator
        pattern = str(right) if exact else f"%{right}%"
        regex = _like_regex(pattern, ignore_case)

        def like(row: dict[str, Any]) -> bool:
            v = row.get(name)
            if v is False or v is None:
                return False
            return regex.fullmatch(str(v)) is not None

        if negative:
            if null_in_negative:  # Odoo 19: "not like" also matches empty values
                return lambda row: not like(row)
            return lambda row: row.get(name) not in (False, None) and not like(row)
        return like
    raise value_error(f"Invalid operator {operator!r}")


#: Odoo's ``regex_order`` (17.0-19.0): comma-separated terms ``field[.property][:func] [asc|desc] [nulls
#: first|last]``, the field name optionally double-quoted, no trailing comma
_ORDER_SPEC = re.compile(
    r"^(\s*(?P<term>((?P<field>[a-z0-9_]+|\"[a-z0-9_]+\")(\.(?P<property>[a-z0-9_]+))?(:(?P<func>[a-z_]+))?))"
    r"(\s+(?P<direction>desc|asc))?(\s+(?P<nulls>nulls\ first|nulls\ last))?\s*(,|$))+(?<!,)$",
    re.I,
)
_ORDER_TERM = re.compile(
    r'^\s*"?([a-z0-9_]+)"?(?:\.([a-z0-9_]+))?(?::([a-z_]+))?(?:\s+(asc|desc))?(?:\s+nulls\s+(first|last))?\s*$',
    re.I,
)


def check_order(env: _Env, model: str, order: Any) -> str | None:
    """Odoo's checks of a search ``order`` (``_check_qorder``, then ``_order_field_to_sql`` per term): None
    for the model's default order; the one place an order argument is validated."""
    if order is None or order is False or order == "":
        return None
    if not isinstance(order, str):
        raise type_error(f"expected string or bytes-like object, got '{_py_type(order)}'")
    if not _ORDER_SPEC.match(order):
        raise UserError(
            f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list of '
            "valid field names (optionally followed by asc/desc for the direction)"
        )
    parse_order(env, model, order)
    return order


def parse_order(env: _Env, model: str, order: str) -> list[tuple[str, bool, bool]]:
    """``"name desc, id"`` -> ``[("name", True, nulls_first), ("id", False, False)]``; a many2one's ``.id``
    (``partner_id.id``) orders by the raw id, as Odoo does, and comes back as ``"partner_id.id"``."""
    terms = []
    table = env.db.table(model)
    for part in order.split(","):
        if not part.strip():
            continue
        m = _ORDER_TERM.match(part)
        if not m:
            raise UserError(
                f'Invalid "order" specified ({order}). A valid "order" specification is a comma-separated list '
                "of valid field names (optionally followed by asc/desc for the direction)"
            )
        name, prop, func = m.group(1), m.group(2), m.group(3)
        direction, nulls = (m.group(4) or "asc").lower(), (m.group(5) or "").lower()
        field = None if table is None else ({"type": "integer"} if name == "id" else table.fields.get(name))
        if table is not None and field is None:
            raise value_error(f"Invalid field {name!r} on model {model!r}")
        if func or (prop and not (prop == "id" and field and field.get("type") == "many2one")):
            raise value_error(f"Invalid field {part.strip().split()[0]!r} on model {model!r}")
        if field is not None and not field.get("sortable", field.get("store", True)):
            raise value_error(f"Cannot convert {model}.{name} to SQL because it is not stored")
        desc = direction == "desc"
        nulls_first = (nulls == "first") if nulls else desc
        terms.append((f"{name}.id" if prop else name, desc, nulls_first))
    return terms


def _collate(value: str) -> tuple[str, str]:
    """An approximation of PostgreSQL's en_US collation: case and punctuation matter only for ties."""
    folded = value.casefold()
    return ("".join(ch for ch in folded if ch.isalnum()), folded)


KeyFunc = Callable[[dict[str, Any]], Any]


def _key_for(env: _Env, table: Any, name: str, seen: frozenset[tuple[str, str]] = frozenset()) -> KeyFunc:
    if name.endswith(".id"):  # a many2one's raw id
        raw = name[:-3]
        return lambda row: row.get(raw) or None
    ftype = table.field_type(name) if table is not None else "integer"
    field = table.fields.get(name, {}) if table is not None else {}
    if field.get("related") and not field.get("store", True) and table is not None:

        def related_key(row: dict[str, Any]) -> Any:
            v = env._related_value(table, field, row)
            if isinstance(v, list):
                v = v[1] if len(v) > 1 else v[0]
            if v is False or v is None:
                return None
            return _collate(v) if isinstance(v, str) else v

        return related_key
    if ftype == "many2one" and table is not None:
        # Odoo orders a many2one by its comodel's _order, skipping a many2one already followed on the way
        # (uom.uom on 19 orders by "sequence, relative_uom_id, id": the comodel's relative_uom_id is skipped)
        rank = env.rank_of(table.fields[name].get("relation", ""), seen | {(table.model, name)})

        def m2o_key(row: dict[str, Any]) -> Any:
            v = row.get(name)
            return None if not v else rank.get(v, v)

        return m2o_key
    if ftype in ("char", "text", "html", "selection"):

        def text_key(row: dict[str, Any]) -> Any:
            v = row.get(name)
            return None if v is False or v is None else _collate(str(v))

        return text_key
    if ftype == "boolean":
        return lambda row: bool(row.get(name))

    def plain_key(row: dict[str, Any]) -> Any:
        v = row.get(name)
        return None if v is False or v is None else v

    return plain_key


def order_key_functions(
    env: _Env, model: str, order: str, seen: frozenset[tuple[str, str]] = frozenset()
) -> list[tuple[KeyFunc, bool, bool]]:
    """Sort keys for ``order``; ``seen`` holds the many2one fields (model, field) followed to get here, whose
    terms Odoo leaves out (``__m2o_order_seen``), so that a model ordered by a many2one to itself ends."""
    table = env.db.table(model)
    return [
        (_key_for(env, table, name, seen), desc, nulls_first)
        for name, desc, nulls_first in parse_order(env, model, order)
        if (model, name) not in seen
    ]


def sort_rows(rows: list[dict[str, Any]], keys: list[tuple[KeyFunc, bool, bool]]) -> list[dict[str, Any]]:
    for key, desc, nulls_first in reversed(keys):
        values = [(key(r), r) for r in rows]
        nulls = [r for v, r in values if v is None]
        present = [(v, r) for v, r in values if v is not None]
        present.sort(key=lambda vr: vr[0], reverse=desc)
        ordered = [r for _, r in present]
        rows = nulls + ordered if nulls_first else ordered + nulls
    return rows
