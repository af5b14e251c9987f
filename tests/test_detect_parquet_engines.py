"""Parquet events in and out (readers/parquet_events.py) and the engines (detectors/engines): the same
anomalies from the logs, from the Parquet they were written to, and (slow) from Spark over that Parquet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from odoo_triage.core.errors import InputError
from odoo_triage.core.labels import read_flows
from odoo_triage.detectors.engines import make_engine
from odoo_triage.detectors.frame import read_frame
from odoo_triage.detectors.pipeline import DetectionResult, run_detection
from odoo_triage.detectors.readers.parquet_events import SCHEMA, sources
from odoo_triage.sim.world import generate_world


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("world") / "world"
    generate_world(out, seed=11, events=20_000, partners=200)
    return out


@pytest.fixture(scope="module")
def written(world, tmp_path_factory) -> tuple[DetectionResult, Path, Path]:
    d = tmp_path_factory.mktemp("out")
    events, windows = d / "events.parquet", d / "windows.parquet"
    r = run_detection([world / "logs"], catalog=read_flows(world / "flows.json"), write_events=events,
                      write_windows=windows)
    return r, events, windows


def _dump(r: DetectionResult) -> list[dict]:
    return [a.model_dump(mode="json") for a in r.anomalies]


def test_written_events_follow_the_schema_and_keep_provenance(world, written):
    r, events, windows = written
    t = pq.read_table(events)
    assert t.schema.equals(SCHEMA)
    assert t.num_rows == r.events
    assert sources(events) == [p.name for p in sorted((world / "logs").iterdir())]
    first = t.slice(0, 1).to_pylist()[0]
    assert first["source_file"] == "middleware.jsonl" and first["line_no"] >= 1
    w = pd.read_parquet(windows)
    assert len(w) == len(r.flow_stats) and int(w["volume"].sum()) == r.events
    assert set(w.columns) >= {"flow", "hour", "volume", "errors", "p95_ms", "expected_volume", "baseline"}


def test_detection_from_parquet_equals_detection_from_the_logs(world, written):
    r, events, _ = written
    again = run_detection([events], catalog=read_flows(world / "flows.json"))
    assert r.anomalies and _dump(again) == _dump(r)
    assert again.evidence == r.evidence  # cited events re-read from the Parquet, same ids and texts
    assert again.templates == r.templates
    assert {k: s.events for k, s in again.stats.items()} == {k: s.events for k, s in r.stats.items()}


def test_parquet_without_provenance_and_bad_rows(tmp_path):
    t = pa.table({"timestamp": pa.array([1.7e9, 1.7e9 + 60, 1.7e9 + 120], pa.float64()).cast(pa.float64()),
                  "flow": ["a", "a", None], "status": ["ok", "boom", "error"]})
    t = t.rename_columns(["ts", "flow", "status"])
    p = tmp_path / "x.parquet"
    pq.write_table(t, p)
    f = read_frame([p])
    assert len(f.events) == 1 and f.event_id(0) == "x.parquet:1"
    assert sorted((r.line_no, r.reason.split(":")[0]) for r in f.rejected) == [(2, "Parquet row"), (3, "Parquet row")]
    assert f.log_event(0) is not None and f.log_event(0).flow == "a"


def test_parquet_needs_the_required_columns(tmp_path):
    p = tmp_path / "y.parquet"
    pq.write_table(pa.table({"flow": ["a"]}), p)
    with pytest.raises(InputError, match="ts, status"):
        read_frame([p])


def test_unknown_engine_and_lazy_spark_import():
    with pytest.raises(InputError, match="unknown detection engine"):
        make_engine("dask")
    assert make_engine("local").name == "local"
    code = ("import sys, odoo_triage.detectors.pipeline, odoo_triage.detectors.engines, odoo_triage.app.cli; "
            "assert 'pyspark' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)  # Spark is only imported when chosen


def _spark_missing() -> str | None:
    from odoo_triage.detectors.engines.spark import spark_available

    return spark_available()


@pytest.mark.slow
def test_spark_engine_gives_the_anomalies_of_the_local_engine(tmp_path):
    """The demo world: local over the logs vs Spark (local[2]) over the Parquet events written from them."""
    why = _spark_missing()
    if why:
        pytest.skip(why)
    w = tmp_path / "demo"
    generate_world(w)  # the demo world, as `triage demo` builds it
    catalog = read_flows(w / "flows.json")
    events = tmp_path / "events.parquet"
    local = run_detection([w / "logs"], catalog=catalog, write_events=events)
    spark = run_detection([events], catalog=catalog, engine="spark", master="local[2]")
    assert local.anomalies and _dump(spark) == _dump(local)
    assert spark.evidence == local.evidence
    assert spark.templates == local.templates  # the miner saw each distinct error once, counts added
    pd.testing.assert_frame_equal(spark.flow_stats, local.flow_stats)


def test_spark_key_hash_is_the_local_one():
    """Keys are hashed on Spark's workers by the local read's function: the checks hash keys they read back
    from a line (signatures.recovered) and compare them with the table's, on every path."""
    import numpy as np
    import polars as pl

    from odoo_triage.detectors.engines.spark import _hash_part
    from odoo_triage.detectors.frame import _hash_keys

    keys = ["corr-1", None, "idem-\u00e9", "corr-1", "x" * 300]
    got = _hash_part(pd.Series(keys, dtype=object)).to_numpy().view(np.uint64)
    want = _hash_keys(pl.Series(keys, dtype=pl.String), np.ones(len(keys), dtype=bool))
    assert got.tolist() == want.tolist() and got[1] == 0 and got[0] == got[3] != 0


@pytest.mark.slow
def test_spark_event_table_is_the_local_table_of_every_event(world, written):
    """Spark's table of the events carries what a local read of every event carries, keys included (idempotency
    keys of deliveries, correlation ids of every event, failures too: redeliveries and recovered retries)."""
    why = _spark_missing()
    if why:
        pytest.skip(why)
    _r, events, _ = written
    local = read_frame([events], catalog=read_flows(world / "flows.json"))
    eng = make_engine("spark", "local[2]")
    try:
        spark = eng.read([events])
    finally:
        eng.close()
    assert spark.flows == local.flows and [p.name for p in spark.files] == [p.name for p in local.files]
    assert (local.events["corr"][local.events["status"] != 0] != 0).any()  # failures keep their correlation ids
    pd.testing.assert_frame_equal(spark.events.drop(columns="cluster"), local.events.drop(columns="cluster"))
    assert (spark.events["cluster"] >= 0).tolist() == (local.events["cluster"] >= 0).tolist()


@pytest.mark.slow
def test_spark_sets_aside_the_rows_the_local_reader_sets_aside(tmp_path):
    """The local reader's range checks on Spark: the same rows kept and set aside (by file and line)."""
    why = _spark_missing()
    if why:
        pytest.skip(why)
    nan = float("nan")
    rows = [  # (ts, flow, status, latency, http, retry): the good rows first, then one bad value each
        (1.7e9, "a", "ok", 12.0, 200, 0), (1.7e9 + 1, "a", "ok", nan, None, None), (1.7e9 + 2, "a", "error", None, 503, 1),
        (1.7e9 + 3, "a", "ok", -5.0, 200, 0), (1.7e9 + 4, "a", "ok", 1.0, 999, 0), (1.7e9 + 5, "a", "ok", 1.0, 200, -1),
        (6.3e8, "a", "ok", 1.0, 200, 0), (1.7e9 + 7, " \x00", "ok", 1.0, 200, 0), (1.7e9 + 8, "a", "done", 1.0, 200, 0),
        (nan, "a", "ok", 1.0, 200, 0)]
    cols = list(zip(*rows, strict=True))
    t = pa.table({"ts": pa.array(cols[0], pa.float64()), "flow": pa.array(cols[1], pa.string()),
                  "status": pa.array(cols[2], pa.string()), "latency_ms": pa.array(cols[3], pa.float64()),
                  "http_status": pa.array(cols[4], pa.int32()), "retry_count": pa.array(cols[5], pa.int32())})
    p = tmp_path / "rows.parquet"
    pq.write_table(t, p)
    local = read_frame([p])
    eng = make_engine("spark", "local[2]")
    try:
        spark = eng.read([p])
    finally:
        eng.close()
    assert local.events["line"].tolist() == spark.events["line"].tolist() == [1, 2, 3]
    assert sorted(r.line_no for r in spark.rejected) == sorted(r.line_no for r in local.rejected) == list(range(4, 11))


def _as_json_lines(parquet: Path, out: Path) -> Path:
    """The events of a Parquet events file as JSON lines (exact floats: orjson writes the shortest repr)."""
    import orjson

    with out.open("wb") as fh:
        for row in pq.read_table(parquet).to_pylist():
            fh.write(orjson.dumps(row) + b"\n")
    return out


def test_events_as_json_lines_are_re_read_like_the_parquet(written, tmp_path):
    from odoo_triage.detectors.engines.spark import _json_schema
    from odoo_triage.detectors.readers.parquet_events import ParquetEventsReader, dataset_format

    _r, events, _ = written
    js = _as_json_lines(events, tmp_path / "events.jsonl")
    assert dataset_format(js) == "json" and dataset_format(events) == "parquet"
    src = sources(events)[0]
    from_parquet, from_json = ParquetEventsReader(events, src), ParquetEventsReader(js, src)
    for line in (1, 2, 50, 400):
        assert from_json.row_at(js, 0, line) == from_parquet.row_at(events, 0, line)
    ddl = _json_schema(js)
    assert ddl.startswith("`ts` double, `flow` string") and "`record_ids` array<string>" in ddl


@pytest.mark.slow
def test_spark_engine_reads_json_lines_events_too(world, written, tmp_path):
    """Spark over the JSON lines of the events gives the anomalies of the local run over the logs."""
    why = _spark_missing()
    if why:
        pytest.skip(why)
    r, events, _ = written
    js = _as_json_lines(events, tmp_path / "events.jsonl")
    read: list[int] = []
    spark = run_detection([js], catalog=read_flows(world / "flows.json"), engine="spark", master="local[2]",
                          progress=read.append)
    assert sum(read) == js.stat().st_size  # the CLI's bar (bytes of the paths given) reaches its end
    assert r.anomalies and _dump(spark) == _dump(r)
    assert spark.evidence == r.evidence  # cited events re-read from the JSON lines by their line
    assert spark.templates == r.templates
