"""Build a region's data from raw inputs (offline: ``sandtable build-region``).

:func:`build_region` (:mod:`geodata.build.region`) runs the steps: the GPS-consensus
centreline (:mod:`geodata.build.consensus`, :mod:`geodata.build._consensus_steps`), the traced
routes (:mod:`geodata.build._traces`), the roads (:mod:`geodata.build._roads`), the fit report
(:mod:`geodata.build._fit`) on shared state and helpers (:mod:`geodata.build._state`,
:mod:`geodata.build._base`). The service never imports this package; it reads what the build
wrote (``geodata/<region>/``, :func:`geodata.load_region`).
"""

from geodata.build.region import (
    BuildReport,
    Calibrator,
    build_region,
    normalise_surface,
    parse_length_km,
)

__all__ = ["BuildReport", "Calibrator", "build_region", "normalise_surface", "parse_length_km"]
