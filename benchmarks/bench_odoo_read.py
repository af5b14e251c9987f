"""Reads from Odoo (the stand-in) per protocol: ms per small call, and paged reads (records/s, pages,
the largest single answer).

    python benchmarks/bench_odoo_read.py [--partners 20000] [--page-size 500] [--version 19]

One unpaged search_read of every partner is what the gateway used to send; the paged read (id cursor)
keeps each answer to `page_size` records, whatever the database size.
"""

from __future__ import annotations

import argparse
import time


def bench(partners: int, page_size: int, version: int) -> list[dict[str, object]]:
    from odoo_triage.agent.odoo_gateway import OdooGateway
    from odoo_triage.agent.odoo_records import read_partners
    from odoo_triage.core.settings import OdooSettings
    from odoo_triage.sim.odoo_sandbox import READ_LOGIN, WRITE_LOGIN, SandboxData, start_sandbox
    from odoo_triage.sim.odoo_sandbox.world import default_users

    data = SandboxData(users=default_users({READ_LOGIN: "rk", WRITE_LOGIN: "wk"}), version=version)
    for i in range(1, partners + 1):
        data.add("res.partner", id=i, name=f"Partner {i}", email=f"p{i}@example.com", city="Ghent")
    rows: list[dict[str, object]] = []
    protocols = ["json2", "jsonrpc", "xmlrpc"] if version >= 19 else ["jsonrpc", "xmlrpc"]
    with start_sandbox(data=data) as sb:
        for protocol in protocols:
            s = OdooSettings(url=sb.url, db="odoo", protocol=protocol, read_key="rk", write_key="wk",
                             page_size=page_size, timeout_s=120)
            with OdooGateway(s) as gw:
                gw.read("res.partner", [1], ["name"])
                t0 = time.perf_counter()
                for _ in range(50):
                    gw.read("res.partner", [1], ["name"])
                call_ms = (time.perf_counter() - t0) / 50 * 1000
                pages = []
                t0 = time.perf_counter()
                got = read_partners(gw, progress=pages.append)
                paged = time.perf_counter() - t0
                t0 = time.perf_counter()
                whole = gw.search_read("res.partner", [], ["id", "name", "email", "city"])
                unpaged = time.perf_counter() - t0
            rows.append({"protocol": protocol, "ms_per_call": round(call_ms, 1), "records": len(got), "pages": pages[-1].pages,
                         "paged_s": round(paged, 2), "paged_rec_per_s": int(len(got) / paged),
                         "largest_answer_records": page_size, "unpaged_s": round(unpaged, 2),
                         "unpaged_answer_records": len(whole)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--partners", type=int, default=20_000)
    ap.add_argument("--page-size", type=int, default=500)
    ap.add_argument("--version", type=int, default=19, choices=[17, 18, 19])
    args = ap.parse_args()
    for row in bench(args.partners, args.page_size, args.version):
        print(row)


if __name__ == "__main__":
    main()
