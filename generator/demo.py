"""``make demo``: start the bundled Odoo emulator, run zenoo-gen against it, then use the generated code."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from zenoo_rpc.testing import OdooEmulator

from .cli import main as zenoo_gen


def run(version: str, out: Path) -> int:
    with OdooEmulator(version) as odoo:
        print(f"Odoo {version} emulator listening on {odoo.url} (database 'demo', admin/admin)")
        started = time.perf_counter()
        args = [
            "--url",
            odoo.url,
            "--db",
            "demo",
            "--user",
            "admin",
            "--password",
            "admin",
            "--out",
            str(out),
        ]
        print("$ zenoo-gen " + " ".join(a if a != "admin" or i != 7 else "***" for i, a in enumerate(args)))
        result = CliRunner().invoke(zenoo_gen, args)
        print(result.output.strip())
        if result.exit_code != 0:
            return result.exit_code
        print(f"generated in {time.perf_counter() - started:.2f}s")

        sys.path.insert(0, str(out.parent.resolve()))
        models = importlib.import_module(out.name)
        client = models.TypedSyncZenooClient(odoo.url)
        client.login("demo", "admin", "admin")
        partner = models.ResPartner
        companies = client.res_partner.filter(partner.F.is_company == True).only("name", "country_id")  # noqa: E712
        print(f"\n{companies.count()} companies, first three:")
        for p in companies.order_by("name").limit(3).all():
            print(f"  {p.id:>3}  {p.name:<30} {p.country_id.display_name if p.country_id else '-'}")
        odoo.reset_counts()
        orders = (
            client.sale_order.filter(state="sale")
            .prefetch_related("partner_id", "order_line.product_id")
            .all()
        )
        calls = f"{odoo.requests} request{'s' if odoo.requests != 1 else ''}"
        print(
            f"\n{len(orders)} confirmed orders with their customers, lines and products in {calls};"
            f" the first: {orders[0].name} for {orders[0].partner_id.name},"
            f" {[line.product_id.display_name for line in orders[0].order_line]}"
        )
        client.close()
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--odoo-version", default="19.0", choices=["17.0", "18.0", "19.0"])
    parser.add_argument("--out", type=Path, default=Path("out/demo_models"))
    ns = parser.parse_args(argv)
    ns.out.parent.mkdir(parents=True, exist_ok=True)
    sys.exit(run(ns.odoo_version, ns.out))


if __name__ == "__main__":
    main()
