"""A link's sweep on a Dask cluster: one task per shard, merged.

``neurogeom.dask.sweep(link, client)`` cuts the sweep into shards (every
N-th run, as ``neurogeom sweep --shard I/N``), runs each shard as one task
on the client's workers, and merges them as ``neurogeom merge`` does: the
summary's ``hash`` equals that of ``neurogeom sweep LINK`` and the page.

On a laptop::

    from dask.distributed import Client, LocalCluster
    import neurogeom.dask
    with LocalCluster(n_workers=4, threads_per_worker=1) as cluster, Client(cluster) as client:
        summary = neurogeom.dask.sweep(LINK, client)

On a SLURM cluster with dask-jobqueue (``pip install dask-jobqueue``)::

    from dask_jobqueue import SLURMCluster
    cluster = SLURMCluster(cores=2, processes=1, memory="4GB", walltime="01:00:00")
    cluster.scale(jobs=16)              # 16 SLURM jobs, one worker each
    client = Client(cluster)
    summary = neurogeom.dask.sweep(LINK, client, threads=2)

Every worker needs ``neurogeom`` installed (the same version: merge refuses
shards made by different versions).
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from . import merge as _merge
from . import sweep as _sweep

__all__ = ["sweep", "run_shard"]


def run_shard(link: str, shard: str, threads: int = 1) -> List[Dict[str, Any]]:
    """One shard's lines (``neurogeom sweep LINK --shard I/N``); what each
    Dask task runs."""
    return _sweep(link, shard, threads=threads, progress=False)


def sweep(
    link: str,
    client: Any,
    *,
    shards: Optional[int] = None,
    threads: int = 1,
) -> Dict[str, Any]:
    """Run the sweep of ``link`` over a ``dask.distributed`` client.

    Args:
        link: a link (or fragment) with ``sweep=`` (and ``seeds=``).
        client: a ``dask.distributed.Client``.
        shards: how many tasks (default: the workers' total threads, at most
            the number of runs).
        threads: threads each task uses (keep it at the worker's cores per
            task).

    Returns:
        The merged summary (``hash`` equal to ``neurogeom sweep``'s), with
        the whole sweep's snapshot under ``snapshot``.
    """
    if shards is None:
        info = client.scheduler_info()
        workers = info.get("workers", {})
        shards = max(1, sum(int(w.get("nthreads", 1)) for w in workers.values()))
    runs = _count_runs(link)
    shards = max(1, min(int(shards), runs))
    futures = [
        client.submit(run_shard, link, f"{i}/{shards}", threads, pure=False)
        for i in range(shards)
    ]
    parts = client.gather(futures)
    return _merge(parts)


def _count_runs(link: str) -> int:
    """The sweep's run count, from the shard 0/N summary's ``runs`` would
    need a run; read it from the link's grid instead (checking the link)."""
    from . import _core

    return int(_core.sweep_runs(str(link)))
