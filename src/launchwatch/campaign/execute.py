"""Run a campaign's engagements on Dask (or serially), keeping every finished one on disk.

* **Where.** By default a ``distributed.LocalCluster`` with one single-threaded worker process per
  core; ``scheduler="tcp://host:port"`` uses an existing cluster instead (its workers must be
  able to import launchwatch).  ``workers=0`` runs in this process, one after another (the
  benchmark's serial baseline).  Every engagement depends only on (spec, seed, index)
  (:mod:`.generate`), so where it runs does not change its result.
* **Kept on disk.** ``OUT/campaign.json`` names the spec and seed; each finished engagement is
  appended to ``OUT/results.jsonl`` as soon as it arrives (JSON, never pickle).  ``resume=True``
  reads them back and runs only the missing indices (a truncated last line from a hard kill is
  ignored and rerun); it refuses a different spec or seed.
* **Stopping.** Ctrl-C cancels what is queued, keeps what finished and returns with
  ``interrupted=True``.  A task that kills its worker is recorded as an error like any other
  failing engagement; the engagements that died with it as bystanders run again, alone.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .engage import error_record, run_engagement
from .spec import CampaignSpec, spec_from_dict

MANIFEST = "campaign.json"
RESULTS = "results.jsonl"


class CampaignError(ValueError):
    """A campaign that cannot run as asked (one line for the user)."""


@dataclass
class CampaignRun:
    """A campaign's state: the finished records by index and how the run went."""

    spec: CampaignSpec
    spec_ref: str
    seed: int
    n: int
    out: Path
    records: dict[int, dict] = field(default_factory=dict)
    interrupted: bool = False
    wall_s: float = 0.0
    ran: int = 0  # engagements run by this call (not resumed)
    workers: int = 0
    where: str = "serial"


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def load_records(out: Path) -> dict[int, dict]:
    """Finished records in ``out`` by index (the last record of an index wins)."""
    path = Path(out) / RESULTS
    recs: dict[int, dict] = {}
    if not path.exists():
        return recs
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill: that engagement runs again
            if isinstance(rec, dict) and isinstance(rec.get("index"), int):
                recs[rec["index"]] = rec
    return recs


def _manifest(spec: CampaignSpec, spec_ref: str, seed: int, n: int) -> dict:
    return {
        "format": 1,
        "spec_ref": spec_ref,
        "seed": seed,
        "n": n,
        "spec": spec.model_dump(mode="json"),
    }


def _prepare(spec, spec_ref, seed, n, out: Path, resume: bool) -> dict[int, dict]:
    out.mkdir(parents=True, exist_ok=True)
    man_path = out / MANIFEST
    if man_path.exists() or (out / RESULTS).exists():
        if not resume:
            raise CampaignError(
                f"{out} already holds a campaign: add --resume to continue it, "
                "or choose another --out"
            )
        try:
            man = json.loads(man_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            raise CampaignError(
                f"{out}/{MANIFEST} is missing or unreadable: cannot resume"
            ) from None
        mine = _manifest(spec, spec_ref, seed, n)
        if man.get("seed") != seed or man.get("spec") != mine["spec"]:
            raise CampaignError(
                f"{out} holds campaign {man.get('spec', {}).get('name')!r} "
                f"seed {man.get('seed')}: resume needs the same spec and seed"
            )
        recs = load_records(out)
    else:
        recs = {}
    man_path.write_text(
        json.dumps(_manifest(spec, spec_ref, seed, n), indent=1) + "\n", encoding="utf-8"
    )
    return recs


def _progress(enabled: bool):
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[status]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not enabled,
        transient=False,
    )


@contextlib.contextmanager
def dask_client(workers: int | None = None, scheduler: str | None = None):
    """A ``distributed.Client``: on an existing scheduler, or on a LocalCluster of ``workers``
    single-threaded processes (default: one per core)."""
    from distributed import Client, LocalCluster

    warnings.filterwarnings("ignore", message="Port .* is already in use")  # its HTTP server
    for name in (
        "distributed",
        "distributed.nanny",
        "distributed.worker",
        "distributed.core",
        "distributed.scheduler",
        "distributed.comm",
        "tornado",
    ):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    cluster = None
    try:
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout=15)
            except (OSError, TimeoutError) as exc:
                raise CampaignError(
                    f"cannot connect to scheduler {scheduler}: "
                    f"{str(exc).splitlines()[0] if str(exc) else exc}"
                ) from None
        else:
            cluster = LocalCluster(
                n_workers=workers or default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.CRITICAL,
            )
            client = Client(cluster)
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.close(timeout=10)
    finally:
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close(timeout=10)


def run_campaign(
    spec: CampaignSpec,
    *,
    spec_ref: str,
    seed: int,
    n: int,
    out: str | Path,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
    on_record: Callable[[dict], None] | None = None,
) -> CampaignRun:
    """Run engagements ``0 .. n-1`` of the campaign (see module docstring)."""
    if n < 1 or seed < 0:
        raise CampaignError("--n must be at least 1 and --seed at least 0")
    out = Path(out)
    recs = _prepare(spec, spec_ref, seed, n, out, resume)
    run = CampaignRun(
        spec=spec,
        spec_ref=spec_ref,
        seed=seed,
        n=n,
        out=out,
        records={i: r for i, r in recs.items() if i < n},
    )
    pending = [i for i in range(n) if i not in run.records]
    t0 = time.perf_counter()
    bar = _progress(progress)
    with bar, (out / RESULTS).open("a", encoding="utf-8") as sink:
        task = bar.add_task(spec.name, total=n, completed=n - len(pending), status=_status(run))

        def keep(rec: dict) -> None:
            sink.write(json.dumps(rec) + "\n")
            sink.flush()
            run.records[rec["index"]] = rec
            run.ran += 1
            bar.update(task, advance=1, status=_status(run))
            if on_record is not None:
                on_record(rec)

        try:
            if not pending:
                pass
            elif workers == 0 and scheduler is None:
                run.where = "serial"
                for i in pending:
                    keep(run_engagement(spec, seed, i))
            else:
                _run_dask(run, pending, workers, scheduler, keep)
        except KeyboardInterrupt:
            run.interrupted = True
    run.wall_s = time.perf_counter() - t0
    return run


def _status(run: CampaignRun) -> str:
    bad = sum(r["status"] != "ok" for r in run.records.values())
    return f"{bad} failed" if bad else ""


def _run_dask(run: CampaignRun, pending: list[int], workers, scheduler, keep) -> None:
    """Run ``pending`` on Dask, keeping each record as it arrives.

    An engagement's own errors come back as error records (:func:`.engage.run_engagement`
    catches them), so a future that raises lost its worker: killed (a segfault, the OOM killer),
    or cancelled or lost with a worker that died while holding it. Tasks queued on a dying worker
    are innocent bystanders, so every such engagement runs once more, alone, after the rest; only
    one that fails again then is recorded as an error (with the exception's name and text).
    """
    from distributed import as_completed

    with dask_client(workers, scheduler) as client:
        info = client.scheduler_info()
        run.workers = len(info.get("workers", {}))
        run.where = scheduler or f"LocalCluster({run.workers} workers)"
        spec = run.spec.model_dump()  # plain data, small: sent with each task (no scatter to lose)

        def submit(i: int):
            key = f"lw-{run.seed}-{i}-{os.getpid()}-{time.time_ns()}"
            return client.submit(_task, spec, run.seed, i, key=key, pure=False)

        futures = {submit(i): i for i in pending}
        lost: list[int] = []
        try:
            for fut in as_completed(list(futures)):
                try:
                    keep(fut.result())
                except Exception:  # noqa: BLE001 - the worker died (KilledWorker, cancelled, lost)
                    lost.append(futures[fut])
            for i in sorted(lost):
                fut = submit(i)
                futures[fut] = i
                try:
                    rec = fut.result()
                except Exception as exc:  # noqa: BLE001 - it kills its worker even alone
                    rec = error_record(i, run.seed, f"{type(exc).__name__}: {exc}")
                keep(rec)
        except KeyboardInterrupt:
            with contextlib.suppress(Exception):
                client.cancel(list(futures), force=True)
            raise


def _task(spec_dict: dict, seed: int, index: int) -> dict:
    """The Dask task: the spec travels as plain data and is validated again on the worker.

    The campaign's parallelism is over engagements (one worker process per core), so the
    numba kernels run on the task's own thread: two kernel threads per worker would put twice
    as many threads as cores, and every parallel region would wait for a descheduled one
    (measured: a single-missile engagement spent more wall time waiting than computing)."""
    import numba

    numba.set_num_threads(1)  # thread-local: this task's thread only
    return run_engagement(spec_from_dict(spec_dict), seed, index)
