"""The result store: runs streamed to a resumable Parquet dataset, with a journal of finished runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from villagesim.outputs import replacing
from villagesim.sweep.design import SCENARIO_FACTOR
from villagesim.sweep.spec import Spec


def write_table(table, path: Path) -> None:
    """Write one Parquet file atomically (:func:`villagesim.outputs.replacing`: temporary name, fsync, rename).

    The only place that writes Parquet: fault-injection tests can replace it,
    e.g. ``monkeypatch.setattr(villagesim.sweep.store, "write_table", failing)``.
    """
    import pyarrow.parquet as pq

    with replacing(path) as tmp:
        pq.write_table(table, tmp)


class ResultStore:
    """Runs (and time series) of one sweep under ``out``, streamed in batches.

    Each finished run is appended at once as one JSON line to a journal
    ``out/.journal-NNNNNN.jsonl``, so a killed sweep loses only the runs in
    flight. Every ``batch`` runs (and at the end) the journal becomes one
    Parquet file ``part-NNNNNN.parquet`` in ``out/timeseries`` then
    ``out/runs`` (written by :func:`write_table`), and is deleted. Recovery
    is idempotent: a journal whose runs part exists was already converted.
    Readers ignore the hidden journal and temporary files.

    Replace it (``run_sweep(..., store=...)``) to inject faults.
    """

    def __init__(self, out: Path, run_schema, series_schema=None, batch: int = 1000):
        self.out = Path(out)
        self.run_schema, self.series_schema, self.batch = run_schema, series_schema, batch
        self.runs_dir = self.out / "runs"
        self.series_dir = self.out / "timeseries"
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        if series_schema is not None:
            self.series_dir.mkdir(exist_ok=True)
        self._journal = None
        self._pending = 0
        self.segment = 0

    def recover(self) -> set[int]:
        """Convert journals left by an interrupted sweep; return the ids of every finished run."""
        for tmp in [*self.runs_dir.glob(".*.tmp"), *self.series_dir.glob(".*.tmp")]:
            tmp.unlink()
        journals = sorted(self.out.glob(".journal-*.jsonl"))
        for journal in journals:
            self._convert(journal, int(journal.stem.split("-")[1]))
        numbers = [int(p.stem.split("-")[1]) for p in self.runs_dir.glob("part-*.parquet")]
        self.segment = max(numbers, default=-1) + 1
        if not numbers:
            return set()
        import pyarrow.parquet as pq

        return set(pq.read_table(self.runs_dir, columns=["run_id"])["run_id"].to_pylist())

    def add(self, run: dict[str, Any], series: list[dict[str, Any]]) -> None:
        """Record one finished run (durable once this returns, short of a machine crash)."""
        if self._journal is None:
            self._journal = open(self._journal_path(self.segment), "a", encoding="utf-8")
        self._journal.write(json.dumps({"run": run, "series": series}) + "\n")
        self._journal.flush()
        self._pending += 1
        if self._pending >= self.batch:
            self.flush()

    def flush(self) -> None:
        """Turn the current journal into Parquet parts."""
        if self._journal is None:
            return
        self._journal.close()
        self._journal = None
        self._convert(self._journal_path(self.segment), self.segment)
        self.segment += 1
        self._pending = 0

    close = flush

    def _journal_path(self, segment: int) -> Path:
        return self.out / f".journal-{segment:06d}.jsonl"

    def _convert(self, journal: Path, segment: int) -> None:
        import pyarrow as pa

        name = f"part-{segment:06d}.parquet"
        if not (self.runs_dir / name).exists():
            runs, series = [], []
            with open(journal, encoding="utf-8") as handle:
                for line in handle:
                    if not line.endswith("\n"):
                        break  # cut short by a kill: that run was not finished
                    entry = json.loads(line)
                    runs.append(entry["run"])
                    series += entry["series"]
            if runs:
                if self.series_schema is not None:
                    write_table(pa.Table.from_pylist(series, schema=self.series_schema), self.series_dir / name)
                write_table(pa.Table.from_pylist(runs, schema=self.run_schema), self.runs_dir / name)
        journal.unlink()


def schemas(spec: Spec):
    """Arrow schemas of the runs table and of the time-series table (None when not kept)."""
    import pyarrow as pa

    arrow = {int: pa.int64(), float: pa.float64(), bool: pa.bool_(), str: pa.string()}
    params = spec.registry()
    factor_types = [pa.string() if key == SCENARIO_FACTOR else arrow[params.lookup(key).kind]
                    for key in spec.factor_keys]
    runs = pa.schema([
        ("run_id", pa.int64()), ("point_id", pa.int64()), ("replicate", pa.int64()), ("seed", pa.int64()),
        ("status", pa.string()), ("error", pa.string()), ("duration_s", pa.float64()),
        *zip(spec.factor_keys, factor_types),
        *((m, pa.float64()) for m in spec.metrics),
    ])
    if spec.every == 0:
        return runs, None
    series = pa.schema([("run_id", pa.int64()), ("point_id", pa.int64()), ("replicate", pa.int64()),
                        ("step", pa.int64()), *((m, pa.float64()) for m in spec.metrics)])
    return runs, series
