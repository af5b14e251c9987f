"""Duplicate partners with splink on Spark: the matcher's path past one machine.

The Odoo-aware set-up is the one benchmarks/bench_match_compare.py gives splink on DuckDB:
archived records out; a person's VAT, and a contact's street / city / zip / phone (inherited from
its company in Odoo) set to null; comparisons name (NameComparison), street (Jaro-Winkler), city
and zip (Levenshtein), e-mail, VAT, phone tail (exact); blocking always within companies or within
persons on name phonetics, name prefix, e-mail, VAT, phone tail, zip + house number, zip, street;
u by random sampling, m by EM sessions blocked on name (else name phonetics) and on zip; pairs of a
record and its own parent company dropped; pairs at match probability >= 0.5.

Only the backend differs: `SparkAPI` over a Spark DataFrame, so the pairwise comparisons (the
heavy part) run on the cluster. splink and pyspark are imported when a function here is called.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import jellyfish
import numpy as np
import pandas as pd

from odoo_triage.matchers import normalise as nz
from odoo_triage.matchers.records import PARTNER_FIELDS, load_records

log = logging.getLogger(__name__)


def odoo_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The Odoo-aware preprocessing splink gets: active records, canonical VAT / e-mail / phone tail."""
    f = load_records(rows, PARTNER_FIELDS, what="res.partner")
    f = f.loc[f["active"].to_numpy(dtype=bool)].reset_index(drop=True)
    countries = [c or cn for c, cn in zip(f["country_id"], f["country_id_name"], strict=True)]
    person = ~f["is_company"].to_numpy(dtype=bool)
    vat = [("" if p else (v.value if (v := nz.vat(x, c)) else "")) for x, c, p in zip(f["vat"], countries, person,
                                                                                    strict=True)]
    email = [e.address if (e := nz.email(x)) else "" for x in f["email"]]
    phone = [nz.phone_tail(nz.phone(x, c)) for x, c in zip(f["phone"], countries, strict=True)]
    has_parent = person & (f["parent_id"].to_numpy(dtype=object) != "")
    # a contact's address and phone are usually its company's: no evidence about the person
    street = ["" if hp else nz.fold(s) for s, hp in zip(f["street"], has_parent, strict=True)]
    phone = ["" if hp else x for x, hp in zip(phone, has_parent, strict=True)]
    house = [(nums[0] if (nums := [t for t in s.split() if t.isdigit()]) else "") for s in street]

    def none(xs: list[str]) -> list[str | None]:
        return [x if x else None for x in xs]

    return pd.DataFrame({
        "unique_id": f["id"].astype(np.int64), "name": none([nz.company_name(x).core for x in f["name"]]),
        "street": none(street), "house": none(house),
        "city": none(["" if hp else nz.fold(x) for x, hp in zip(f["city"], has_parent, strict=True)]),
        "zip": none(["" if hp else nz.fold(x).replace(" ", "") for x, hp in zip(f["zip"], has_parent, strict=True)]),
        "email": none(email), "vat": none(vat),
        "name_metaphone": none([jellyfish.metaphone(nz.company_name(x).core) for x in f["name"]]),
        "phone_tail": none(phone), "is_company": f["is_company"].astype(str),
        "parent": f["parent_id"].replace("", None),
    })


def splink_settings() -> Any:
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("name"),
            cl.JaroWinklerAtThresholds("street", [0.95, 0.88]),
            cl.LevenshteinAtThresholds("city", [1, 2]).configure(term_frequency_adjustments=True),
            cl.LevenshteinAtThresholds("zip", [1]),
            cl.ExactMatch("email"),
            cl.ExactMatch("vat"),
            cl.ExactMatch("phone_tail"),
        ],
        # every rule within one kind: a company and a person are never compared
        blocking_rules_to_generate_predictions=[block_on("is_company", *cols) for cols in (
            ("name_metaphone",), ("email",), ("vat",), ("phone_tail",), ("zip", "house"), ("substr(name, 1, 4)",),
            ("zip",), ("street",))],
        retain_intermediate_calculation_columns=False,
    )


def spark_session(master: str = "local[2]") -> Any:
    """A Spark session with splink's similarity UDFs (Jaro-Winkler ...) on its class path."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    spark = (SparkSession.builder.master(master).appName("odoo-triage-match")
             .config("spark.jars", similarity_jar_location())
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false").config("spark.sql.shuffle.partitions", "8")
             .config("spark.default.parallelism", "8")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.setCheckpointDir(os.path.join(os.environ.get("TMPDIR", "/tmp"), "odoo-triage-splink"))
    return spark


def match_partners_spark(rows: list[dict[str, Any]], spark: Any = None, master: str = "local[2]",
                         threshold: float = 0.5) -> set[tuple[int, int]]:
    """Duplicate (low id, high id) pairs of res.partner rows, splink on Spark (see the module docstring)."""
    from splink import SparkAPI

    own = spark is None
    spark = spark or spark_session(master)
    try:
        df = odoo_frame(rows)
        return _pairs(SparkAPI(spark_session=spark).register(spark.createDataFrame(df)), df, threshold)
    finally:
        if own:
            spark.stop()


def match_partners_duckdb(rows: list[dict[str, Any]], threshold: float = 0.5) -> set[tuple[int, int]]:
    """The same set-up on splink's DuckDB backend (one machine): what the Spark path is checked against."""
    from splink import DuckDBAPI

    df = odoo_frame(rows)
    return _pairs(DuckDBAPI().register(df), df, threshold)


def _pairs(registered: Any, df: pd.DataFrame, threshold: float) -> set[tuple[int, int]]:
    from splink import Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    linker = Linker(registered, splink_settings())
    linker.training.estimate_probability_two_random_records_match([block_on("name", "zip")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for alternatives in ((block_on("name"), block_on("name_metaphone")), (block_on("zip"),)):
        for rule in alternatives:  # the first one EM can train on
            try:
                linker.training.estimate_parameters_using_expectation_maximisation(rule)
                break
            except Exception as exc:  # noqa: BLE001  no pairs, or a level never seen (splink refuses m = 0)
                log.warning("splink EM session %s skipped: %s", rule, exc)
    pred = linker.inference.predict(threshold_match_probability=threshold).as_pandas_dataframe()
    parent = dict(zip(df["unique_id"], df["parent"], strict=True))
    out = set()
    for a, b in zip(pred["unique_id_l"].astype(int), pred["unique_id_r"].astype(int), strict=True):
        if parent.get(a) == str(b) or parent.get(b) == str(a):
            continue  # never a record with its own parent company
        out.add((min(a, b), max(a, b)))
    return out


__all__ = ["match_partners_duckdb", "match_partners_spark", "odoo_frame", "spark_session", "splink_settings"]
