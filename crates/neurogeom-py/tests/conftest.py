"""Shared fixtures: the release CLI to compare against, and data files.

`cargo xtask test` sets NEUROGEOM_CLI to the release `neurogeom` binary it
built; run by hand, the tests look for `target/release/neurogeom` in the
repository.
"""

import json
import os
import pathlib
import subprocess

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def cli():
    path = os.environ.get("NEUROGEOM_CLI") or str(REPO / "target" / "release" / "neurogeom")
    if not os.path.exists(path):
        pytest.fail(f"no neurogeom CLI at {path}: run `cargo build --release` or set NEUROGEOM_CLI")

    def call(*args, check=True):
        out = subprocess.run([path, *map(str, args)], capture_output=True, text=True)
        if check and out.returncode != 0:
            raise AssertionError(f"neurogeom {' '.join(map(str, args))} failed ({out.returncode}): {out.stderr}")
        return out

    return call


@pytest.fixture(scope="session")
def clouds():
    """Four Gaussian clouds around random centres (labels 0-3), 30 points
    each in 40 dimensions, and a second layer (a random ReLU map of it)."""
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(4, 40)) / np.sqrt(40)
    y = np.repeat(np.arange(4), 30)
    X = centres[y] + 0.4 * rng.normal(size=(120, 40)) / np.sqrt(40)
    W = rng.normal(size=(40, 25)) / np.sqrt(40)
    H = np.maximum(X @ W, 0.0)
    return X, y, H


@pytest.fixture(scope="session")
def clouds_file(tmp_path_factory, clouds):
    X, y, _ = clouds
    path = tmp_path_factory.mktemp("data") / "clouds.npz"
    np.savez(path, X=X, y=y)
    return path


@pytest.fixture(scope="session")
def layers_file(tmp_path_factory, clouds):
    X, y, H = clouds
    path = tmp_path_factory.mktemp("data") / "layers.npz"
    np.savez(path, layer_0=X, layer_1=H, y=y)
    return path


@pytest.fixture(scope="session")
def cli_report(cli, clouds_file):
    return json.loads(cli("analyze", clouds_file, "--json", "--simulated").stdout)


@pytest.fixture(scope="session")
def golden():
    with open(REPO / "golden" / "preset-hashes.json") as f:
        return json.load(f)["presets"]
