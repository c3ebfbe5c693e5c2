"""A drift monitor's pure logic: what a reference holds and how it is stored, uploads, window values,
the monitor's settings and `score_window`, which scores one window into the rows of `drift_results`.

No I/O here: `workers/storage/drift` reads windows and vectors and stores results, `webapp/drift`
runs the job.
"""

from workers.analysis.drift.monitor.config import MonitorConfig
from workers.analysis.drift.monitor.reference_set import ReferenceSet
from workers.analysis.drift.monitor.score import ScoredRun, read_columns, score_window
from workers.analysis.drift.monitor.scoring import EmbeddingWindow, ResultRow
from workers.analysis.drift.monitor.window import LabelledRows, WindowRows, WindowSpec

__all__ = [
    "EmbeddingWindow",
    "LabelledRows",
    "MonitorConfig",
    "ReferenceSet",
    "ResultRow",
    "ScoredRun",
    "WindowRows",
    "WindowSpec",
    "read_columns",
    "score_window",
]
