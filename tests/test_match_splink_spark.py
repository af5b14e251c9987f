"""The matcher past one machine: splink on Spark (matchers/engines/splink_spark.py) finds the pairs the
same Odoo-aware splink set-up finds on DuckDB."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest

from odoo_triage.core.labels import read_entities, true_pairs
from odoo_triage.sim.world import generate_world


def _missing() -> str | None:
    try:
        import pyspark  # noqa: F401
        import splink  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install -e '.[spark,bench]')"
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (Spark needs Java 17)"
    return None


def test_odoo_frame_keeps_active_partners_and_blanks_inherited_fields():
    from odoo_triage.matchers.engines.splink_spark import odoo_frame

    rows = [
        {"id": 1, "name": "Acme SA", "is_company": True, "active": True, "street": "Rue 1", "city": "Lyon",
         "zip": "69001", "email": "Info@Acme.fr"},
        {"id": 2, "name": "Jo Doe", "is_company": False, "active": True, "parent_id": "1", "street": "Rue 1",
         "city": "Lyon", "zip": "69001", "vat": "FR40303265045"},
        {"id": 3, "name": "Old Acme", "is_company": True, "active": False},
    ]
    f = odoo_frame(rows)
    assert f["unique_id"].tolist() == [1, 2]
    contact = f.iloc[1]
    # missing, as splink reads it (None on pandas 2, NaN in pandas 3's string columns)
    assert all(pd.isna(contact[c]) for c in ("street", "city", "zip"))
    assert pd.isna(contact["vat"])  # a person's VAT is no evidence
    assert f.iloc[0]["email"] == "info@acme.fr" and f.iloc[0]["house"] == "1"


@pytest.mark.slow
def test_splink_on_spark_finds_the_pairs_of_splink_on_duckdb(tmp_path):
    why = _missing()
    if why:
        pytest.skip(why)
    from odoo_triage.matchers.engines.splink_spark import match_partners_duckdb, match_partners_spark

    w = tmp_path / "w"
    generate_world(w, seed=5, events=200, partners=400)
    rows = pd.read_csv(w / "records" / "res_partner.csv", dtype=str, keep_default_na=False).to_dict("records")
    truth = true_pairs(read_entities(w / "labels" / "partner_entities.csv"))
    local = match_partners_duckdb(rows)
    spark = match_partners_spark(rows, master="local[2]")
    assert local and len(spark & local) >= 0.95 * len(spark | local)
    assert len(spark & truth) >= 0.95 * len(local & truth) > 0
