"""The offline calibration of the walking model and its ETAs (``calibration.json``).

Run by ``sandtable build-region`` (the whole fit), ``sandtable calibrate-eta`` (the moving pace
and the ETA trees again) and ``sandtable eval-eta`` (scoring on held-out tracks); never
imported by the service, which reads the fitted file through :mod:`routes.calibrated`,
:mod:`routes.eta` and :mod:`routes.eta_trees` (``tests/test_layers.py`` checks it).

- :mod:`~routes.calibration.tracks`: GPS tracks, the train / hold-out split, passage times
  at measures along the centreline, arrival tables at landmarks;
- :mod:`~routes.calibration.speed`: the least-squares fit of the moving speed and the model's
  times between landmarks;
- :mod:`~routes.calibration.pipeline`: :func:`calibrate`, the whole fit (stops at landmarks,
  pace spread, hold-out report);
- :mod:`~routes.calibration.pace`: how a walker's pace so far carries on (trip-length ratios,
  persistence, memory, the elapsed-pace lines);
- :mod:`~routes.calibration.moving`: moving pace and stops so far kept apart (the
  least-absolute-deviation planes);
- :mod:`~routes.calibration.trees`: the boosted trees (scikit-learn) and their cross-validation;
- :mod:`~routes.calibration.evaluate`: ``eval-eta``.
"""

from routes.calibration.evaluate import EtaReport, evaluate_eta, format_eta_report
from routes.calibration.moving import fit_moving_pace
from routes.calibration.pipeline import calibrate
from routes.calibration.tracks import (
    DEFAULT_SEED,
    Track,
    split_tracks,
    tracked_centreline,
    tracks_from_frame,
)
from routes.calibration.trees import cross_validate, fit_eta_trees

__all__ = [
    "DEFAULT_SEED",
    "EtaReport",
    "Track",
    "calibrate",
    "cross_validate",
    "evaluate_eta",
    "fit_eta_trees",
    "fit_moving_pace",
    "format_eta_report",
    "split_tracks",
    "tracked_centreline",
    "tracks_from_frame",
]
