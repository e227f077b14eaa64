"""replicaMFT's ``manifold_analysis_corr``, computed by NeuroGeom.

A notebook written for the published MFTMA (Cohen, Chung, Lee & Sompolinsky,
Nat Commun 2020; the package neural_manifolds_replicaMFT, imported as
``mftma``) switches by changing one import line::

    # from mftma.manifold_analysis_correlation import manifold_analysis_corr
    from neurogeom.compat.mftma import manifold_analysis_corr

    a_Mfull_vec, R_M_vec, D_M_vec, res_coeff0, KK = manifold_analysis_corr(XtotT, 0, 300)

The arguments and the returned tuple are the published function's; the
numbers are NeuroGeom's MFTMA (:func:`neurogeom.mftma`), the same method,
which agrees with the published code within that code's own seed-to-seed
spread (the tests hold it to fixtures made with the published code).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple

import numpy as np

from .. import _core, _with_progress

__all__ = ["manifold_analysis_corr"]


def manifold_analysis_corr(
    XtotT: Sequence[Any],
    kappa: float,
    n_t: int,
    t_vecs: Optional[Sequence[Any]] = None,
    n_reps: int = 10,
    *,
    seed: int = 0,
    progress: Any = None,
) -> Tuple[np.ndarray, np.ndarray, np.ndarray, float, int]:
    """Manifold capacity with centre correlations removed, replicaMFT's way.

    Args:
        XtotT: the P manifolds, each an N × M_i array (features × points, the
            published layout: the transpose of :func:`neurogeom.mftma`'s).
        kappa: the margin κ.
        n_t: Gaussian samples per manifold.
        t_vecs: the published function's optional pre-drawn Gaussian vectors.
            NeuroGeom draws its own from ``seed`` (a portable ChaCha8
            stream, so results are the same bits on every machine), so only
            ``None`` is accepted.
        n_reps: random restarts per K of the centre-correlation search
            (published default 10).
        seed: NeuroGeom's seed for every random draw (the published code
            uses numpy's global random state instead).
        progress: ``progress(done, total, stage)`` callback, ``False``, or
            ``None`` for a tqdm bar when interactive.

    Returns:
        ``(a_Mfull_vec, R_M_vec, D_M_vec, res_coeff0, KK)``: per-manifold
        capacity α_M, radius R_M and dimension D_M (arrays of length P), the
        centres' mean |correlation| before removing their shared structure
        (ρ_c), and K, the rank removed. The overall capacity is
        ``1 / np.mean(1 / a_Mfull_vec)``.

    Raises:
        ValueError: fewer than 2 manifolds, a manifold with fewer than 2
            points, different feature counts, NaN, or ``t_vecs`` given.
    """
    if t_vecs is not None:
        raise ValueError(
            "t_vecs is not supported: NeuroGeom draws the Gaussian vectors itself from "
            "`seed` (the same bits on every machine); pass t_vecs=None"
        )
    manifolds = []
    for i, X in enumerate(XtotT):
        a = np.asarray(X)
        if a.ndim != 2 or a.dtype.kind not in "biuf":
            raise ValueError(
                f"manifold {i} must be a 2-D array of numbers (features × points); got shape {a.shape}, dtype {a.dtype}"
            )
        manifolds.append(np.ascontiguousarray(a.T, dtype=np.float64))
    t = _with_progress(
        progress,
        "MFTMA",
        lambda cb: _core.mftma_manifolds(manifolds, float(kappa), int(n_t), int(seed), int(n_reps), cb),
    )
    return np.array(t[6]), np.array(t[7]), np.array(t[8]), float(t[3]), int(t[4])
