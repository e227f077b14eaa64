"""Type stubs of the compiled module; call it through `neurogeom`."""

from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

_Progress = Optional[Callable[[int, int, str], Any]]
_MftmaTuple = Tuple[float, float, float, float, int, float, List[float], List[float], List[float], List[float], List[float]]

__version__: str

def analyze_arrays(
    layers: Sequence[Tuple[str, np.ndarray]],
    label_numbers: Optional[np.ndarray],
    label_texts_: Optional[List[str]],
    settings: str,
    drop_nonfinite: bool = ...,
    progress: _Progress = ...,
) -> str: ...
def analyze_file(
    name: str,
    data: bytes,
    labels: Optional[Tuple[str, bytes]],
    settings: str,
    array: Optional[str] = ...,
    label_column: Optional[str] = ...,
    time_window: Optional[str] = ...,
    drop_nonfinite: bool = ...,
    progress: _Progress = ...,
) -> str: ...
def mftma(
    x: np.ndarray,
    label_numbers: Optional[np.ndarray],
    label_texts_: Optional[List[str]],
    kappa: float,
    n_t: int,
    seed: int,
    restarts: int,
    progress: _Progress = ...,
) -> Tuple[List[str], _MftmaTuple]: ...
def glue(
    x: np.ndarray,
    label_numbers: Optional[np.ndarray],
    label_texts_: Optional[List[str]],
    n_t: int,
    points: int,
    labels: str,
    centre: str,
    seed: int,
    progress: _Progress = ...,
) -> Tuple[List[str], Tuple[float, float, float, float, float, float, float, float, List[str]]]: ...
def mftma_manifolds(
    manifolds: Sequence[np.ndarray], kappa: float, n_t: int, seed: int, restarts: int, progress: _Progress = ...
) -> _MftmaTuple: ...
def alignment(
    x: np.ndarray, label_numbers: Optional[np.ndarray], label_texts_: Optional[List[str]], axes: int
) -> Tuple[List[str], float, float, float]: ...
def participation_ratio(x: np.ndarray, fraction: float) -> Tuple[float, int]: ...
def cka(x: np.ndarray, y: np.ndarray) -> float: ...
def neural_collapse(
    x: np.ndarray, label_numbers: Optional[np.ndarray], label_texts_: Optional[List[str]]
) -> Tuple[List[str], float, float, float]: ...
def simulated_capacity(
    x: np.ndarray, label_numbers: Optional[np.ndarray], label_texts_: Optional[List[str]], repetitions: int, seed: int
) -> Tuple[List[str], float, float, List[Tuple[int, float]]]: ...
def run(link: str, lenient: bool = ..., progress: _Progress = ...) -> str: ...
def labs() -> str: ...
def sweep(
    link: str,
    sweep: Optional[str] = ...,
    seeds: Optional[int] = ...,
    shard: Optional[str] = ...,
    threads: Optional[int] = ...,
    lenient: bool = ...,
    progress: _Progress = ...,
) -> List[str]: ...
def merge(parts: Sequence[Tuple[str, str]]) -> Tuple[str, str]: ...
def sweep_runs(link: str) -> int: ...
def digits() -> Tuple[List[float], List[int]]: ...
