"""Parameter sweeps: a TOML spec, a design, any executor, a resumable Parquet dataset.

A sweep spec names a base scenario, fixed overrides, the factors and a design
(``grid``, ``lhs``, ``sobol`` or ``morris``; the last three sampled with
SALib), the replicates, the months and the metrics to keep. :func:`load_spec`
validates all of it, and every design point, before anything runs; every
mistake is one :class:`~villagesim.errors.InputError` line naming the key.

Each (design point, replicate) is one run with ``run_id = point_id *
replicates + replicate`` and its own seed drawn from the spec's seed by
:func:`run_seed` (``numpy.random.SeedSequence`` keyed by the two indices), so
results never depend on the executor, the number of workers or the order in
which runs finish. With ``common_seeds = true`` replicate ``r`` of every
point has the seed ``run_seed(seed, 0, r)`` instead (common random numbers),
so differences between points can be paired by replicate.

:func:`run_sweep` takes any :class:`concurrent.futures.Executor` (a process
pool, a Dask client's ``get_executor()``, mpi4py's ``MPIPoolExecutor``) and
streams results to ``OUT/runs`` (and ``OUT/timeseries`` when kept) through a
:class:`~villagesim.sweep.store.ResultStore`. Running it again on the same folder resumes.

Examples
--------
>>> import pathlib, tempfile, pandas as pd
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "spec.toml").write_text('''
... months = 6
... replicates = 2
... seed = 1
... [set]
... "village.population" = 120
... [factors]
... "interventions.training.intensity" = [0.0, 1.0]
... ''')
>>> spec = load_spec(folder / "spec.toml")
>>> summary = run_sweep(spec, folder / "out")
>>> summary.done, summary.failed
(4, 0)
>>> runs = pd.read_parquet(folder / "out" / "runs").sort_values("run_id")
>>> runs["point_id"].tolist(), runs["replicate"].tolist(), runs["interventions.training.intensity"].tolist()
([0, 0, 1, 1], [0, 1, 0, 1], [0.0, 0.0, 1.0, 1.0])
"""

from villagesim.sweep.design import MORRIS_LEVELS, check_points, point_overrides, points, problem, sample, series_steps
from villagesim.sweep.executors import (ExecutorFailed, SerialExecutor, default_workers, exit_with, local_pool,
                                       make_executor)
from villagesim.sweep.run import Outcome, Summary, Task, code_digest, prepare, run_sweep, run_task, tasks
from villagesim.sweep.spec import (DESIGNS, NONDETERMINISTIC_COLUMNS, Factor, Spec, load_spec,
                                   parse_spec, read_manifest)
from villagesim.sweep.store import ResultStore, schemas, write_table
from villagesim.seeds import run_seed

__all__ = ["DESIGNS", "MORRIS_LEVELS", "NONDETERMINISTIC_COLUMNS", "ExecutorFailed", "Factor", "Outcome", "ResultStore",
           "SerialExecutor", "Spec", "Summary", "Task", "check_points", "code_digest", "default_workers", "exit_with",
           "load_spec", "local_pool", "make_executor", "parse_spec", "point_overrides", "points", "prepare", "problem", "read_manifest", "run_seed",
           "run_sweep", "run_task", "sample", "schemas", "series_steps", "tasks", "write_table"]
