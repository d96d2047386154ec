"""Region data: the committed derived layers of each region and their loader.

``load_region`` reads and validates ``geodata/<region>/`` (or the directory in
``SANDTABLE_DATA_DIR``); ``write_region`` writes a region atomically. The data
contract is in DEVELOPERS.md; the checks are in :mod:`geodata.validate`.
"""

from __future__ import annotations

from geodata.errors import DataValidationError
from geodata.files import (
    DEFAULT_DATA_DIR,
    LAYERS,
    Region,
    list_regions,
    load_region,
    write_region,
)

__all__ = [
    "DEFAULT_DATA_DIR",
    "LAYERS",
    "DataValidationError",
    "Region",
    "list_regions",
    "load_region",
    "write_region",
]
