"""Speed-only rewrites give exactly what the plain versions give (#19): the calendar's block prefilter,
the reader's header memo."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from odoo_triage.detectors.calendar import _PREFILTER, prefiltered_lines


def _plain(path: Path, start: int) -> tuple[list[bytes], int]:
    """The line loop: candidate lines, and the offset after the last whole line."""
    out, end = [], start
    with open(path, "rb") as fh:
        fh.seek(start)
        for raw in fh:
            if raw.endswith(b"\n"):
                end += len(raw)
            if any(w in raw.lower() for w in _PREFILTER):
                out.append(raw)
    return out, end


@pytest.mark.parametrize("block", [1, 7, 64, 1 << 20])
def test_block_prefilter_gives_the_lines_a_line_loop_gives(tmp_path, block):
    rng = random.Random(block)
    words = [
        b"MAINTENANCE",
        b"Wartung",
        b"onderhoud",
        b"x",
        b"maint",
        b"enance",
        b"\n",
        b" ",
        b"\r\n",
        b"\xc3\xa9",
    ]
    for k in range(5):
        p = tmp_path / f"log{k}.log"
        p.write_bytes(b"".join(rng.choice(words) for _ in range(rng.randint(0, 400))))
        for start in (0, rng.randint(0, max(p.stat().st_size, 1))):
            assert prefiltered_lines(p, start, block_bytes=block) == _plain(p, start)


def test_cited_csv_rows_read_the_header_of_the_file_as_it_is_now(tmp_path):
    import os

    from odoo_triage.detectors.readers.csv_records import csv_row_at
    from odoo_triage.detectors.readers.mapping import CSV_MAPPING, row_builder

    build = row_builder(CSV_MAPPING)
    p = tmp_path / "log.csv"
    p.write_bytes(b"timestamp,flow,status\n2026-04-20T08:00:00Z,crm,ok\n")
    first = csv_row_at(p, build, 22, 2)
    assert first is not None and first.flow == "crm" and csv_row_at(p, build, 22, 2) == first
    st = p.stat()
    p.write_bytes(b"timestamp;flow;status\n2026-04-20T08:00:00Z;erp;ok\n")  # same size, new header
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    again = csv_row_at(p, build, 22, 2)
    assert again is not None and again.flow == "erp"


ODOO_LINES = [
    "2026-04-20 08:00:00,123 4242 INFO prod odoo.addons.x: hello: world",
    "2026-04-20 08:00:00 4242 WARNING db-1 odoo.models:  two  spaces ",
    "2026-04-20 08:00:00.5 1 ERROR ? werkzeug: 127.0.0.1 - - GET / 200 - 1 0.1 0.2",
    "2026-04-20 08:00:00,123 4242 INFO prod odoo.addons.x:no space",
    "2026-04-20 08:00:00,123 4242 NOTICE prod odoo.addons.x: level",
    "2026-04-20 08:00:00,123 4242 INFO  prod odoo.addons.x: double space",
    "2026-04-20 08:00:00,123 abc INFO prod odoo.addons.x: pid",
    "2026-04-20 08:00:00,123 4242 INFO prod odoo/addons: slash logger",
    "2026-04-20 08:00:00,123 4242 INFO prod : empty logger",
    "2026-04-20 08:00:00,123 4242 INFO prod odoo.x: ",
    "2026-04-20 08:00:00,123 ٤٢ INFO prod odoo.x: arabic-indic pid",
    "2026-04-20 08:00:00,123 4242 INFO prod odoo.x: tab\\there\r",
    "garbage",
    "",
]


def test_odoo_fields_without_captures_are_the_patterns_groups():
    import polars as pl

    from odoo_triage.detectors.readers.columnar import _ODOO_LINE, _odoo_fields

    text = pl.Series("t", ODOO_LINES)
    want = pl.DataFrame({"t": text}).select(pl.col("t").str.extract_groups(_ODOO_LINE).alias("m")).unnest("m")
    want.columns = ["asctime", "pid", "level", "db", "logger", "message"]
    got = _odoo_fields(text)
    assert got.to_dicts() == want.to_dicts()
    assert got["logger"].null_count() < len(ODOO_LINES) - 3


def test_odoo_fields_match_the_pattern_on_random_lines():
    import polars as pl

    from odoo_triage.detectors.readers.columnar import _ODOO_LINE, _odoo_fields

    rng = random.Random(3)
    tokens = [
        "2026-04-20",
        "08:00:00,123",
        "08:00:00",
        "4242",
        "INFO",
        "ERROR",
        "prod",
        "odoo.x:",
        "odoo.x",
        ":",
        ": ",
        " ",
        "  ",
        "a:b",
        "-",
        "é",
        "\t",
        "msg",
        "1",
        "x.y-z:",
    ]

    def piece(*options: str) -> str:
        return rng.choice([*options, rng.choice(tokens)])

    lines = [
        " ".join(
            [
                piece("2026-04-20 08:00:00,123", "2026-04-20 08:00:00"),
                piece("4242"),
                piece("INFO", "DEBUG"),
                piece("prod", "db-1"),
                piece("odoo.x: ", "x.y-z: "),
            ]
        )
        + "".join(rng.choice(tokens) for _ in range(rng.randint(0, 5)))
        for _ in range(3000)
    ]
    text = pl.Series("t", lines)
    want = pl.DataFrame({"t": text}).select(pl.col("t").str.extract_groups(_ODOO_LINE).alias("m")).unnest("m")
    want.columns = ["asctime", "pid", "level", "db", "logger", "message"]
    assert _odoo_fields(text).to_dicts() == want.to_dicts()
    assert want["logger"].null_count() < len(lines) * 0.95  # some lines match


def _one_shot(events):  # type: ignore[no-untyped-def]
    """The hourly aggregates as one group-by over every event (what aggregate_hours did before #19)."""
    import numpy as np
    import pandas as pd

    st = events["status"].to_numpy()
    df = pd.DataFrame(
        {
            "flow": events["flow"].to_numpy(),
            "hour": (events["ts"].to_numpy() // 3600.0).astype(np.int64),
            "err": (st == 1).astype(np.int32),
            "rty": ((st == 2) | ((st == 1) & (events["retry"].to_numpy() > 0))).astype(np.int32),
            "lat": events["latency"].to_numpy().astype(np.float64),
        }
    )
    g = df.groupby(["flow", "hour"], sort=True)
    return pd.DataFrame(
        {
            "volume": g.size(),
            "errors": g["err"].sum(),
            "retries": g["rty"].sum(),
            "p95": g["lat"].quantile(0.95),
            "lat_n": g["lat"].count(),
        }
    )


@pytest.mark.parametrize("flows", [1, 2, 5])
def test_hourly_aggregates_flow_by_flow_equal_one_group_by(flows):
    import numpy as np
    import pandas as pd

    from odoo_triage.detectors.frame import EVENT_DTYPES
    from odoo_triage.detectors.windows import aggregate_hours

    rng = np.random.default_rng(flows)
    n = 20_000
    lat = rng.gamma(2.0, 80.0, n).astype(np.float32)
    lat[rng.random(n) < 0.1] = np.nan  # events without a latency
    events = pd.DataFrame(
        {
            "ts": np.sort(rng.uniform(1.76e9, 1.76e9 + 3 * 86400, n)),
            "flow": rng.integers(0, flows, n),
            "status": rng.choice([0, 0, 0, 1, 2], n),
            "latency": lat,
            "retry": rng.integers(0, 3, n),
        }
    ).astype({c: EVENT_DTYPES[c] for c in ("ts", "flow", "status", "latency", "retry")})
    events = events.sample(frac=1.0, random_state=1).reset_index(drop=True)  # any event order
    pd.testing.assert_frame_equal(aggregate_hours(events), _one_shot(events))
