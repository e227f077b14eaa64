"""Writes the class-name fixtures of tests/files.rs with numpy itself.

    python tests/data/files/make_class_names.py   (numpy 2.x; run from the repository root)

x = arange(18).reshape(6, 3) / 4 - 1 (the other fixtures' x with two more
rows); integer labels 2, 0, 2, 1, 0, 1 with an array of class names whose order (zebra, ant, moth) is
neither alphabetical nor the order of first appearance, so a test can tell
which order the reader kept.
"""
import numpy as np

d = "tests/data/files/"
x = np.arange(18).reshape(6, 3) / 4 - 1
y = np.array([2, 0, 2, 1, 0, 1])
np.savez(d + "label_names.npz", X=x, y=y, label_names=np.array(["zebra", "ant", "moth"]))  # <U5
# scikit-learn's bunch keys: data, target, target_names (here as bytes, |S5).
np.savez(d + "target_names.npz", data=x, target=y.astype(np.int32), target_names=np.array([b"zebra", b"ant", b"moth"]))
# A label with no name: 3 with three names.
np.savez(d + "label_names_short.npz", X=x, y=np.array([3, 0, 2, 1, 0, 1]), label_names=np.array(["zebra", "ant", "moth"]))
