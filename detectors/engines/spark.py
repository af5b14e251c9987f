"""The Spark engine: the per-flow hourly aggregation runs on a Spark cluster (PySpark, extra `[spark]`).

Input: events files of the canonical schema (readers/parquet_events.py; `triage detect
--write-events PATH` writes them), Parquet or JSON lines (`.jsonl`/`.ndjson`/`.json`, a file or a
folder of them, read with the schema's types: no inference pass), on a path every Spark worker and
this process can read. Spark
does the heavy group-by (per flow and day, `windows.aggregate_hours` on each part, so the numbers
are the local ones to the bit); what comes back to this process is
- the aggregates: one row per flow and hour;
- the compact event table the checks index (time, flow, status, latency, HTTP status, retries,
  hashed idempotency key and correlation id, source, line): ~50 bytes an event, no texts; the keys are
  hashed on the workers by the local read's function (frame._hash_keys, Polars: the workers need the
  driver's Polars version), kept where the local read keeps them, so the checks that hash a key read back
  from a line (recovered retries) and the redeliveries find on Spark what they find locally;
- each distinct error text once (with its count and first position), which the template miner
  (drain3, sequential) needs: bounded by the distinct messages, not by the failed events.
Evidence texts stay in the Parquet: a cited event is re-read from it by its source and line.

Only imported when the engine is chosen: `import pyspark` costs seconds and needs Java.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from odoo_triage.core.domain import RejectedLine
from odoo_triage.core.errors import InputError
from odoo_triage.core.settings import ReaderSettings
from odoo_triage.detectors.aggregates import GATEWAY_TIMEOUTS
from odoo_triage.detectors.frame import COLUMNS, ERROR, OK, RETRY, EventFrame
from odoo_triage.detectors.readers import FileStats, Reader
from odoo_triage.detectors.readers.base import reject
from odoo_triage.detectors.readers.parquet_events import (
    SCHEMA,
    ParquetEventsReader,
    dataset_format,
    is_parquet,
)
from odoo_triage.detectors.templates import TemplateMinerCache
from odoo_triage.detectors.windows import aggregate_hours

AGG_SCHEMA = "flow int, hour long, volume long, errors long, retries long, p95 double, lat_n long"
MAX_REJECTED = 1_000


def _aggregate_part(pdf: pd.DataFrame) -> pd.DataFrame:
    """One (flow, day) on a worker: exactly the local computation, on the local dtypes."""
    ev = pd.DataFrame({"ts": pdf["ts"].to_numpy(np.float64), "flow": pdf["flow"].to_numpy(np.int32),
                       "status": pdf["status"].to_numpy(np.int8), "retry": pdf["retry"].to_numpy(np.int16),
                       "latency": pdf["latency"].to_numpy(np.float32)})
    out = aggregate_hours(ev).reset_index()
    return out[["flow", "hour", "volume", "errors", "retries", "p95", "lat_n"]]


def _hash_part(keys: pd.Series) -> pd.Series:
    """Keys (strings, null = none) hashed on a worker by the local read's function, as int64 (Spark has no
    uint64): the same 64 bits whatever path read the event, so hashes made here and in the checks compare."""
    import polars as pl

    from odoo_triage.detectors.frame import _hash_keys

    values = pl.Series(keys.where(keys.notna(), None).tolist(), dtype=pl.String)  # null stays null
    return pd.Series(_hash_keys(values, np.ones(len(values), dtype=bool)).view(np.int64))


_KEY_HASH: Any = None


def _key_hash() -> Any:
    """`_hash_part` as a Spark pandas UDF (made once, when Spark is there)."""
    global _KEY_HASH
    if _KEY_HASH is None:
        from pyspark.sql.functions import pandas_udf

        _KEY_HASH = pandas_udf(_hash_part, "long")  # type: ignore[call-overload]
    return _KEY_HASH


_SPARK_TYPES = {"double": "double", "string": "string", "int32": "int", "int64": "long", "list<item: string>": "array<string>"}


def _json_schema(path: Path) -> str:
    """Spark DDL for JSON lines of the events schema: the schema's columns that the first object has (a
    column it lacks stays absent, as in a Parquet file without it), with the schema's types."""
    import orjson

    files = sorted(f for f in path.iterdir() if f.is_file() and not f.name.startswith((".", "_"))) \
        if path.is_dir() else [path]
    keys: set[str] = set()
    for f in files:
        with f.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    obj = orjson.loads(raw)
                    keys = set(obj) if isinstance(obj, dict) else set()
                    break
        if keys:
            break
    cols = [f"`{fld.name}` {_SPARK_TYPES[str(fld.type)]}" for fld in SCHEMA if fld.name in keys]
    if "ts" not in keys and "timestamp" in keys:
        cols.append("`timestamp` double")
    if not cols:
        raise InputError(f"{path.name}: no column of the events schema in its first JSON object")
    return ", ".join(cols)


def spark_available() -> str | None:
    """None when PySpark and Java are there, else why not (for a skipped test, a clear error)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return "pyspark is not installed (pip install 'odoo-triage[spark]')"
    import shutil

    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        return "no Java runtime (Spark needs Java 17): set JAVA_HOME or put java on PATH"
    return None


class SparkEngine:
    name = "spark"

    def __init__(self, master: str = "local[2]", app_name: str = "odoo-triage", session: Any = None,
                 conf: dict[str, str] | None = None) -> None:
        self.master = master
        self.app_name = app_name
        self.conf = conf or {}
        self._spark = session
        self._own = session is None
        self._valid: Any = None

    @property
    def spark(self) -> Any:
        if self._spark is None:
            why = spark_available()
            if why:
                raise InputError(f"--engine spark: {why}")
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # workers run this package's Python
            os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
            from pyspark.sql import SparkSession

            b = (SparkSession.builder.master(self.master).appName(self.app_name)
                 .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                 .config("spark.sql.session.timeZone", "UTC")
                 .config("spark.ui.enabled", "false")
                 .config("spark.ui.showConsoleProgress", "false")
                 .config("spark.sql.shuffle.partitions", "8"))
            for k, v in self.conf.items():
                b = b.config(k, v)
            self._spark = b.getOrCreate()
            self._spark.sparkContext.setLogLevel("ERROR")
        return self._spark

    def _load(self, paths: list[Path], limits: ReaderSettings | None = None) -> Any:
        from pyspark.sql import functions as F

        frames = []
        for gi, p in enumerate(paths):
            p = Path(p)
            if not p.exists():
                raise InputError(f"no such events file: {p}")
            json_lines = dataset_format(p) == "json"
            if not (p.is_dir() or is_parquet(p) or json_lines):
                raise InputError(f"{p.name}: the spark engine reads Parquet events (or JSON lines of their "
                                 f"columns); write them once with `triage detect LOGS --write-events events.parquet`")
            df = self.spark.read.schema(_json_schema(p)).json(str(p)) if json_lines else self.spark.read.parquet(str(p))
            cols = set(df.columns)
            if "ts" not in cols and "timestamp" in cols:
                df = df.withColumn("ts", F.col("timestamp").cast("double"))
            for c, t in (("source_file", "string"), ("line_no", "long"), ("offset", "long"), ("latency_ms", "double"),
                         ("http_status", "int"), ("retry_count", "int"), ("error", "string"),
                         ("idempotency_key", "string"), ("correlation_id", "string")):
                if c not in cols:
                    df = df.withColumn(c, F.lit(None).cast(t))
            df = df.withColumn("_given", F.lit(gi)).withColumn("_seq", F.monotonically_increasing_id())
            df = df.withColumn("_src", F.coalesce(F.col("source_file"), F.lit(p.name)))
            if "line_no" not in cols:  # no provenance: the row number is the line, as the local reader has it
                from pyspark.sql import Window

                df = df.withColumn("line_no", F.row_number().over(Window.partitionBy("_src").orderBy("_seq"))
                                   .cast("long"))
                df = df.withColumn("offset", F.col("line_no") - 1)
            frames.append(df.select("_given", "_seq", "_src", "ts", "flow", "status", "latency_ms", "http_status",
                                    "retry_count", "error", "idempotency_key", "correlation_id", "line_no", "offset"))
        out = frames[0]
        for f in frames[1:]:
            out = out.unionByName(f)
        st = F.lower(F.trim(F.col("status")))
        # the local reader's row checks (readers.base.RowChecker), so a bad row is set aside on both paths
        lim = limits or ReaderSettings()
        ts, lat, http, retry = F.col("ts"), F.col("latency_ms"), F.col("http_status"), F.col("retry_count")
        ts_min = datetime(lim.ts_min_year, 1, 1, tzinfo=UTC).timestamp()
        ts_max = datetime(lim.ts_max_year, 1, 1, tzinfo=UTC).timestamp()
        ok_row = (F.length(F.regexp_replace(F.col("flow"), "[\\x00 ]", "")) > 0) & st.isin("ok", "error", "retry") \
            & ts.isNotNull() & ~F.isnan(ts) & (ts >= ts_min) & (ts < ts_max) \
            & (http.isNull() | http.between(100, 599)) \
            & (retry.isNull() | retry.between(0, lim.max_retry)) \
            & (lat.isNull() | F.isnan(lat) | lat.between(0.0, lim.max_latency_ms))
        return out.withColumn("status", st).withColumn("_ok", F.coalesce(ok_row, F.lit(False)))

    def read(self, paths: list[Path], *, miner: TemplateMinerCache | None = None,
             progress: Callable[[int], None] | None = None, settings: ReaderSettings | None = None,
             **_ignored: Any) -> EventFrame:
        """The compact event table back from Spark, the error texts mined here (in reading order). `progress`
        gets each input's size once Spark has read it (the CLI's bar is in bytes of the paths given)."""
        from pyspark.sql import functions as F

        miner = miner or TemplateMinerCache()
        df = self._load([Path(p) for p in paths], settings)
        # sources in reading order (the order the local run read them in), and which input holds each
        order = df.groupBy("_src").agg(F.min(F.struct("_given", "_seq")).alias("first")).orderBy("first").toPandas()
        sources = order["_src"].tolist()
        given = [int(r["_given"]) for r in order["first"]]
        src_code = {s: i for i, s in enumerate(sources)}
        bad = df.filter(~F.col("_ok"))
        bad_rows = bad.select("_src", "line_no").limit(MAX_REJECTED).toPandas()
        bad_counts = dict(bad.groupBy("_src").count().toPandas().itertuples(index=False, name=None))
        valid = df.filter(F.col("_ok"))
        self._valid = valid

        # keys hashed by the local path's very function (frame._hash_keys, on the workers), kept where the
        # local path keeps them: idempotency keys of successes and gateway timeouts, correlation ids of every
        # event (a run's failures too); the checks compare them with keys they hash here (recovered retries)
        delivered = (F.col("status") == "ok") | F.coalesce(F.col("http_status"), F.lit(0)).isin(*GATEWAY_TIMEOUTS)

        def key(c: str, keep: Any) -> Any:
            v = F.col(c)
            present = v.isNotNull() & (v != "") & keep  # an empty key is no key (the Parquet reader's `or None`)
            return F.when(present, _key_hash()(v)).otherwise(F.lit(0)).cast("long").alias(c)

        has_error = (F.col("status") != "ok") & F.col("error").isNotNull() & (F.col("error") != "")
        err_hash = F.when(has_error, F.xxhash64(F.col("error"))).otherwise(F.lit(0)).cast("long")
        compact = valid.select(
            "_src", F.col("line_no").cast("long").alias("line"), F.col("offset").cast("long").alias("offset"),
            F.col("ts").cast("double").alias("ts"), "flow", "status",
            F.col("latency_ms").cast("float").alias("latency"),
            F.coalesce(F.col("http_status"), F.lit(0)).cast("short").alias("http"),
            F.coalesce(F.col("retry_count"), F.lit(0)).cast("short").alias("retry"),
            key("idempotency_key", delivered), key("correlation_id", F.lit(True)), has_error.alias("has_error"), err_hash.alias("err"),
        ).toPandas()
        # each distinct error text once, in the order a local run meets it first (source, line): the
        # miner's clusters depend only on that order (repeats hit its cache), its counts on how many
        rank = F.create_map(*[x for s, i in src_code.items() for x in (F.lit(s), F.lit(i))])[F.col("_src")]
        errors = (valid.filter(has_error).groupBy("error")
                  .agg(F.min(F.struct(rank.alias("fi"), F.col("line_no").alias("line"))).alias("first"),
                       F.count(F.lit(1)).alias("n"), F.first(err_hash).alias("err"))
                  .select("error", "n", "err", F.col("first.fi").alias("fi"), F.col("first.line").alias("line"))
                  .toPandas().sort_values(["fi", "line"], kind="stable"))
        cid_of: dict[int, int] = {}
        for text, n, h in errors[["error", "n", "err"]].itertuples(index=False, name=None):
            cid = miner.cluster_of(text)
            miner.counts[cid] += int(n) - 1
            cid_of[int(h)] = cid

        compact["_fi"] = compact["_src"].map(src_code).astype(np.int16)
        compact = compact.sort_values(["_fi", "line"], kind="stable").reset_index(drop=True)
        cluster = np.full(len(compact), -1, dtype=np.int32)
        has = compact["has_error"].to_numpy()
        cluster[has] = [cid_of[int(h)] for h in compact["err"].to_numpy()[has]]
        flows = list(pd.unique(compact["flow"]))
        codes = {f: i for i, f in enumerate(flows)}
        status = compact["status"].map({"ok": OK, "error": ERROR, "retry": RETRY}).to_numpy(np.int8)

        def unsigned(col: str) -> np.ndarray:  # the workers' int64 view of frame._hash_keys's uint64
            return compact[col].to_numpy(np.int64).view(np.uint64).copy()

        events = pd.DataFrame({
            "ts": compact["ts"].to_numpy(np.float64), "flow": compact["flow"].map(codes).to_numpy(np.int32),
            "status": status, "latency": compact["latency"].to_numpy(np.float32),
            "http": compact["http"].to_numpy(np.int16), "retry": compact["retry"].to_numpy(np.int16),
            "cluster": cluster, "idem": unsigned("idempotency_key"), "corr": unsigned("correlation_id"),
            "file": compact["_fi"].to_numpy(np.int16), "line": compact["line"].to_numpy(np.int32),
            "offset": compact["offset"].to_numpy(np.int64),
        })[list(COLUMNS)]
        stats: dict[str, FileStats] = {}
        counts = compact["_fi"].value_counts().to_dict()
        files: list[Path] = []
        readers: list[Reader] = []
        for i, s in enumerate(sources):
            files.append(Path(s))
            readers.append(ParquetEventsReader(Path(paths[given[i]]), s))
            st = stats.setdefault(s, FileStats(s, "parquet"))
            st.events = int(counts.get(i, 0))
            st.rejected = st.set_aside_lines = int(bad_counts.get(s, 0))
            st.parsed_lines = st.events
            st.lines = st.events + st.rejected
        rejected: list[RejectedLine] = [
            reject(Path(str(s)), int(ln) if pd.notna(ln) else 0, "Parquet row: no flow, an unknown status or a value out of range", "")
            for s, ln in bad_rows.itertuples(index=False, name=None)]
        self._codes = codes
        if progress is not None:
            for p in paths:
                progress(Path(p).stat().st_size)
        return EventFrame(events=events, flows=flows, files=files, readers=readers, stats=stats, rejected=rejected,
                          miner=miner)

    def aggregate(self, frame: EventFrame) -> pd.DataFrame:
        """Per (flow, hour) on Spark: grouped by flow and day (an hour never spans two days)."""
        from pyspark.sql import functions as F

        if self._valid is None:
            raise InputError("the spark engine aggregates what it read: call read() first")
        pairs = [x for name, code in {f: i for i, f in enumerate(frame.flows)}.items()
                 for x in (F.lit(name), F.lit(code))]
        code = F.create_map(*pairs)[F.col("flow")]
        st = (F.when(F.col("status") == "ok", OK).when(F.col("status") == "error", ERROR).otherwise(RETRY))
        sdf = self._valid.select(
            code.cast("int").alias("flow"), F.col("ts").cast("double").alias("ts"), st.cast("byte").alias("status"),
            F.coalesce(F.col("retry_count"), F.lit(0)).cast("short").alias("retry"),
            F.col("latency_ms").cast("float").alias("latency"),
        ).withColumn("day", F.floor(F.col("ts") / 86400.0))
        out = sdf.groupBy("flow", "day").applyInPandas(_aggregate_part, schema=AGG_SCHEMA).toPandas()
        ref = aggregate_hours(frame.events.iloc[:1])  # the local dtypes, so that what follows is the same
        out = out.sort_values(["flow", "hour"]).reset_index(drop=True)
        out["flow"] = out["flow"].astype(ref.index.get_level_values(0).dtype)
        out["hour"] = out["hour"].astype(ref.index.get_level_values(1).dtype)
        out = out.set_index(["flow", "hour"])
        return out.astype(ref.dtypes.to_dict())

    def close(self) -> None:
        if self._spark is not None and self._own:
            self._spark.stop()
            self._spark = None
