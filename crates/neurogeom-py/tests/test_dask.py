"""neurogeom.dask.sweep on a LocalCluster of 2 worker processes gives the
hash of `neurogeom sweep`."""

import json

from dask.distributed import Client, LocalCluster

import neurogeom.dask

SWEEP = "#v=1&lab=lazy-rich&seed=2&width=16&n_train=40&steps=80&sweep=alpha:log:0.1:10:3;width:list:8,16&seeds=2"


def test_dask_sweep_equals_cli(cli):
    expected = json.loads(cli("sweep", SWEEP).stdout.splitlines()[-1])
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            summary = neurogeom.dask.sweep(SWEEP, client)
            assert summary["hash"] == expected["hash"]
            assert summary["runs"] == expected["runs"] == 12
            # More shards than workers, and a shard count that does not divide the runs.
            assert neurogeom.dask.sweep(SWEEP, client, shards=5)["hash"] == expected["hash"]
