"""examples/quickstart.ipynb runs from top to bottom with nbclient."""

import os

import nbformat
from nbclient import NotebookClient

from conftest import REPO


def test_quickstart_notebook_runs(tmp_path):
    path = REPO / "examples" / "quickstart.ipynb"
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "result hash" in text and "relu 2: capacity" in text
    # The two figures drew.
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 2
