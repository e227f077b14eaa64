"""Drop-in replacements for other packages' functions, in their layouts.

- :mod:`neurogeom.compat.mftma`: replicaMFT's ``manifold_analysis_corr``.
"""
