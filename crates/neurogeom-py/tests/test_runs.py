"""run(), sweep() and merge() against the CLI and the golden hashes."""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest

import neurogeom

LINK = "#v=1&lab=lazy-rich&seed=7&alpha=0.1&width=32&steps=300"
SWEEP = "#v=1&lab=lazy-rich&seed=1&width=16&n_train=40&steps=60&sweep=alpha:log:0.1:10:3&seeds=2"


def test_run_equals_cli_json(cli):
    snap = neurogeom.run(LINK, progress=False)
    out = json.loads(cli("run", LINK, "--json").stdout)
    assert snap["hash"] == out["hash"]
    assert snap["metrics"] == out["metrics"]
    assert snap["link"] == out["link"]
    assert snap["version"] == neurogeom.__version__


def test_run_every_preset_hash_is_golden(golden):
    """Every preset, through run() (a sweep preset through sweep()), gives
    the hash that golden/preset-hashes.json records, which `cargo xtask
    test` holds the CLI and the page to."""

    def result(p):
        link = "#" + p["fragment"]
        if "sweep=" in p["fragment"]:
            return neurogeom.sweep(link, progress=False)[-1]["hash"]
        return neurogeom.run(link, progress=False)["hash"]

    # run() releases the GIL: presets run side by side on every core.
    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        got = list(pool.map(result, golden))
    wrong = [(p["lab"], p["title"], h, p["hash"]) for p, h in zip(golden, got) if h != p["hash"]]
    assert len(got) == len(golden) > 20
    assert not wrong


def test_labs_lists_every_lab_and_preset(cli):
    labs = neurogeom.labs()
    names = [l["name"] for l in labs]
    assert names == ["lazy-rich", "capacity", "feedback", "modularity", "credit"]
    text = cli("labs").stdout
    for lab in labs:
        for preset in lab["presets"]:
            assert "#" + preset["fragment"] in text


def test_sweep_equals_cli_and_shards_merge(cli, tmp_path):
    lines = neurogeom.sweep(SWEEP, threads=2, progress=False)
    cli_lines = [json.loads(l) for l in cli("sweep", SWEEP, "--threads", 1).stdout.splitlines()]
    assert lines == cli_lines
    summary = lines[-1]
    assert summary["runs"] == 6
    parts = [neurogeom.sweep(SWEEP, f"{i}/3", progress=False) for i in range(3)]
    merged = neurogeom.merge(parts)
    assert merged["hash"] == summary["hash"]
    # A CLI shard file merges with Python's parts too.
    path = tmp_path / "shard-0.jsonl"
    path.write_text(cli("sweep", SWEEP, "--shard", "0/3").stdout)
    assert neurogeom.merge([path, parts[1], parts[2]])["hash"] == summary["hash"]
    with pytest.raises(ValueError, match="shard"):
        neurogeom.merge(parts[:2])


def test_bad_link_raises_the_cli_message(cli):
    bad = "#v=1&lab=lazy-rich&steps=abc&nonsense=1"
    with pytest.raises(ValueError) as e:
        neurogeom.run(bad)
    err = cli("run", bad, check=False)
    assert err.returncode == 2
    assert str(e.value) in err.stderr
    assert neurogeom.run(bad + "&steps=3", lenient=True)["hash"]
    with pytest.raises(ValueError, match="no sweep"):
        neurogeom.sweep(LINK)
