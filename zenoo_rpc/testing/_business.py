"""The Odoo business rules the emulator reproduces, per model: names shown for partners and products, sale
and purchase order numbering, line prices, taxes and totals, confirmation with its delivery, defaults and
constraints.

This module sits above the ORM, which never imports it: the server plugs it into every environment it makes
(``Env(..., rules=_business)``) and the ORM asks ``env.rules`` for these tables and functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._env import Env, _missing, _now, _touch
from ._exceptions import MissingError, UserError, ValidationError

if TYPE_CHECKING:
    from ._orm import BaseModel

__all__ = [
    "AFTER_WRITE",
    "COMPUTE",
    "CREATE_HOOKS",
    "MODEL_METHODS",
    "UNLINK_CHECKS",
    "WRITE_VALUES",
    "check_record",
    "defaults",
]


def defaults(env: Env, model: str) -> dict[str, Any]:
    """Default values Odoo gives a new record of these models (``default_get`` answers the same)."""
    specific: dict[str, dict[str, Any]] = {
        "res.partner": {
            "type": "contact",
            "is_company": False,
            "lang": env.context.get("lang", "en_US"),
            "tz": env.context.get("tz", False),
            "color": 0,
        },
        "sale.order": {"state": "draft", "company_id": 1, "date_order": _now()},
        "purchase.order": {
            "name": "New",
            "state": "draft",
            "priority": "0",
            "invoice_status": "no",
            "company_id": 1,
            "user_id": env.uid,
            "date_order": _now(),
        },
        "crm.lead": {"type": env.context.get("default_type", "lead"), "priority": "0", "user_id": env.uid},
    }
    return specific.get(model, {})


def check_record(env: Env, model: str, row: dict[str, Any]) -> None:
    """Constraints of these models (the database's CHECK constraints)."""
    if model == "res.partner" and row.get("type", "contact") == "contact" and not row.get("name"):
        raise ValidationError("The operation cannot be completed: Contacts require a name")


def _line_write_values(env: Env, row: dict[str, Any], vals: dict[str, Any]) -> dict[str, Any]:
    """Changing a line's quantity recomputes its unit price from the product, unless one is given."""
    if "product_uom_qty" in vals and "price_unit" not in vals:
        return {**vals, "price_unit": _product_price(env, row.get("product_id"))}
    return vals


_ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_id", "country_id")


def _sync_address_upstream(env: Env, row: dict[str, Any], vals: dict[str, Any]) -> None:
    """Odoo 19: writing the address of a company's contact updates the company's address too."""
    if env.db.major < 19:
        return
    changed = {k: row[k] for k in _ADDRESS_FIELDS if k in vals}
    parent = env.table("res.partner").rows.get(row.get("parent_id") or 0)
    if changed and parent is not None and row.get("type") == "contact":
        parent.update(changed)


def _partner_compute(env: Env, rid: int) -> None:
    table = env.table("res.partner")
    row = table.rows[rid]
    name = row.get("name") or ""
    parent = table.rows.get(row.get("parent_id") or 0)
    if parent is not None and not row.get("is_company"):
        company = parent.get("commercial_company_name") or parent.get("name") or ""
        complete = f"{company}, {name}" if name else company
    else:
        complete = name
    row["complete_name"] = complete
    row["display_name"] = complete
    commercial = parent if parent is not None and not row.get("is_company") else row
    if "commercial_partner_id" in table.fields:
        row["commercial_partner_id"] = commercial["id"] if commercial is not row else rid
    if "commercial_company_name" in table.fields:
        row["commercial_company_name"] = commercial.get("name") if commercial.get("is_company") else False
    for child_id in row.get("child_ids") or []:
        if child_id in table.rows and child_id != rid:
            _partner_compute(env, child_id)


def _product_compute(env: Env, rid: int) -> None:
    row = env.table("product.product").rows[rid]
    name = row.get("name") or ""
    code = row.get("default_code")
    row["display_name"] = f"[{code}] {name}" if code else name


def _line_taxes_field(env: Env) -> str:
    return "tax_ids" if env.db.major >= 19 else "tax_id"


def _order_line_compute(env: Env, rid: int) -> None:
    lines = env.table("sale.order.line")
    line = lines.rows[rid]
    qty = float(line.get("product_uom_qty") or 0.0)
    price = float(line.get("price_unit") or 0.0)
    discount = float(line.get("discount") or 0.0)
    subtotal = round(qty * price * (1 - discount / 100.0), 2)
    taxes = env.db.table("account.tax")
    rate = 0.0
    for tax_id in line.get(_line_taxes_field(env)) or []:
        tax = taxes.rows.get(tax_id) if taxes is not None else None
        if tax and tax.get("amount_type", "percent") == "percent":
            rate += float(tax.get("amount") or 0.0)
    tax_amount = round(subtotal * rate / 100.0, 2)
    line["price_subtotal"] = subtotal
    line["price_tax"] = tax_amount
    line["price_total"] = round(subtotal + tax_amount, 2)
    if line.get("product_id") and not line.get("name"):
        line["name"] = env.db.display_name("product.product", line["product_id"])
    line["display_name"] = line.get("name") or ""
    order_id = line.get("order_id")
    if order_id:
        _order_compute(env, order_id)


def _order_compute(env: Env, rid: int) -> None:
    orders = env.table("sale.order")
    order = orders.rows.get(rid)
    if order is None:
        return
    lines = env.table("sale.order.line")
    untaxed = tax = 0.0
    for line_id in order.get("order_line") or []:
        line = lines.rows.get(line_id)
        if line:
            untaxed += float(line.get("price_subtotal") or 0.0)
            tax += float(line.get("price_tax") or 0.0)
    order["amount_untaxed"] = round(untaxed, 2)
    order["amount_tax"] = round(tax, 2)
    order["amount_total"] = round(untaxed + tax, 2)
    order["display_name"] = order.get("name") or ""


#: the ir.sequence (prefix, padding) that names a new record of these models (Odoo's sale and purchase data)
_NAME_SEQUENCES: dict[str, tuple[str, int]] = {"sale.order": ("S", 5), "purchase.order": ("P", 5)}


def _next_name(env: Env, model: str) -> str:
    """The sequence's next number, after those of the records it named (the demo data's included)."""
    prefix, padding = _NAME_SEQUENCES[model]
    numbers = [
        int(name[len(prefix) :])
        for r in env.table(model).rows.values()
        if isinstance(name := r.get("name"), str)
        and name.startswith(prefix)
        and name[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:0{padding}d}"


def _order_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    vals = dict(vals)
    if not vals.get("name") or vals.get("name") == "New":
        vals["name"] = _next_name(env, "sale.order")
    vals.setdefault("date_order", _now())
    vals.setdefault("user_id", env.uid)
    if vals.get("partner_id") and "partner_invoice_id" in env.table("sale.order").fields:
        vals.setdefault("partner_invoice_id", vals["partner_id"])
        vals.setdefault("partner_shipping_id", vals["partner_id"])
    return vals


def _purchase_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    """A purchase order is named by its sequence when its name is the default "New"; its currency is its
    company's."""
    vals = dict(vals)
    if vals.get("name", "New") == "New":
        vals["name"] = _next_name(env, "purchase.order")
    company = env.table("res.company").rows.get(vals.get("company_id") or 1)
    if not vals.get("currency_id") and company is not None:
        vals["currency_id"] = company.get("currency_id") or False
    return vals


def _order_line_create(env: Env, vals: dict[str, Any]) -> dict[str, Any]:
    vals = dict(vals)
    product_id = vals.get("product_id")
    products = env.db.table("product.product")
    field = _line_taxes_field(env)
    if product_id and products is not None and product_id in products.rows:
        product = products.rows[product_id]
        label = product.get("display_name") or env.format_value(products, "name", product)
        description = (
            env.format_value(products, "description_sale", product)
            if "description_sale" in products.fields
            else False
        )
        if env.db.major >= 19 and description:
            label = f"{label}\n{description}"
        vals.setdefault("name", label)
        if field not in vals:
            template = env.db.table("product.template")
            tmpl = template.rows.get(product.get("product_tmpl_id") or 0) if template is not None else None
            taxes = (tmpl or {}).get("taxes_id") or product.get("taxes_id") or []
            vals[field] = [(6, 0, list(taxes))]
        vals.setdefault("product_uom_qty", 1.0)
    return vals


def _product_price(env: Env, product_id: Any) -> float:
    products = env.db.table("product.product")
    if products is None or not product_id or product_id not in products.rows:
        return 0.0
    price = (
        env.format_value(products, "lst_price", products.rows[product_id])
        if "lst_price" in products.fields
        else 0.0
    )
    if not price:
        price = env.format_value(products, "list_price", products.rows[product_id])
    return float(price or 0.0)


def _order_unlink_check(env: Env, ids: list[int]) -> None:
    orders = env.table("sale.order")
    for rid in ids:
        row = orders.rows.get(rid)
        if row is not None and row.get("state") not in ("draft", "cancel"):
            raise UserError(
                "You can not delete a sent quotation or a confirmed sales order. You must first cancel it."
            )


def action_confirm(self: BaseModel) -> bool:  # a public method of sale.order
    for rid in self._ids:
        row = self._table.rows.get(rid)
        if row is None:
            raise MissingError(
                f"Record does not exist or has been deleted.\n(Record: {self._name}({rid},), User: {self.env.uid})"
            )
        if row.get("state") not in ("draft", "sent"):
            raise UserError("Some orders are not in a state requiring confirmation.")
        row["state"] = "sale"
        row["date_order"] = _now()
        _create_delivery(self.env, row)
    _touch(self._table)
    return True


def _create_delivery(env: Env, order: dict[str, Any]) -> None:
    """Confirming an order with goods creates its delivery (a stock.picking), as the stock module does."""
    pickings = env.db.table("stock.picking")
    if pickings is None:
        return
    vals: dict[str, Any] = {}
    for name, value in (
        ("origin", order.get("name")),
        ("partner_id", order.get("partner_id")),
        ("sale_id", order["id"]),
        ("state", "assigned"),
    ):
        if name in pickings.fields:
            vals[name] = value
    rid = pickings.next_id
    pickings.next_id += 1
    row = {name: _missing(f) for name, f in pickings.fields.items() if f.get("store", True)}
    row.update(vals)
    row["id"] = rid
    row["display_name"] = row.get("name") or f"WH/OUT/{rid:05d}"
    pickings.rows[rid] = row
    order["picking_ids"] = [*(order.get("picking_ids") or []), rid]
    _touch(pickings)


def context_get(self: BaseModel) -> dict[str, Any]:
    users = self.env.table("res.users")
    partners = self.env.db.table("res.partner")
    row = users.rows.get(self.env.uid, {})
    partner = partners.rows.get(row.get("partner_id") or 0, {}) if partners is not None else {}
    return {
        "lang": partner.get("lang") or "en_US",
        "tz": partner.get("tz") or "Europe/Brussels",
        "uid": self.env.uid,
    }


COMPUTE: dict[str, Callable[[Env, int], None]] = {
    "res.partner": _partner_compute,
    "product.product": _product_compute,
    "sale.order.line": _order_line_compute,
    "sale.order": _order_compute,
}
CREATE_HOOKS: dict[str, Callable[[Env, dict[str, Any]], dict[str, Any]]] = {
    "sale.order": _order_create,
    "sale.order.line": _order_line_create,
    "purchase.order": _purchase_create,
}
WRITE_VALUES: dict[str, Callable[[Env, dict[str, Any], dict[str, Any]], dict[str, Any]]] = {
    "sale.order.line": _line_write_values,
}
AFTER_WRITE: dict[str, Callable[[Env, dict[str, Any], dict[str, Any]], None]] = {
    "res.partner": _sync_address_upstream,
}
UNLINK_CHECKS: dict[str, Callable[[Env, list[int]], None]] = {"sale.order": _order_unlink_check}
#: public methods some models add to BaseModel's
MODEL_METHODS: dict[str, dict[str, Callable[..., Any]]] = {
    "sale.order": {"action_confirm": action_confirm},
    "res.users": {"context_get": context_get},
}
