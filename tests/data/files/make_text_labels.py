"""Writes the text-label fixtures of tests/files.rs with numpy itself.

    python tests/data/files/make_text_labels.py   (numpy 2.x; run from the repository root)

x = arange(12).reshape(4, 3) / 4 - 1, as the other fixtures; labels in the
order dog, cat, dog, cat, so that the canonical (sorted) class order differs
from the order of first appearance.
"""
import numpy as np

d = "tests/data/files/"
x = np.arange(12).reshape(4, 3) / 4 - 1
words = np.array(["dog", "cat", "dog", "cat"])  # dtype <U3
np.save(d + "labels_u.npy", words)
np.save(d + "labels_u_big.npy", words.astype(">U3"))
np.save(d + "labels_s.npy", np.array([b"dog", b"cat", b"dog", b"cat"]))  # |S3
np.save(d + "labels_accents.npy", np.array(["café", "naïve", "café", "naïve"]))
np.savez(d + "text_labels.npz", X=x, y=words)
