"""Local time on the circuit: the one time zone of Sandtable.

Tibet keeps China Standard Time. A naive time a user gives (a closure's start, a
report's period, "we set off at 8:20") is read in :data:`LOCAL_TZ`, and times are shown
in it. It is the IANA zone, not a fixed UTC+8 offset, so ``str(LOCAL_TZ)`` names it for
the browser's ``Intl`` functions (served through :mod:`web.vocabulary`).
"""

from __future__ import annotations

from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["LOCAL_TZ", "LOCAL_TZ_NAME"]

#: IANA name of the local time zone
LOCAL_TZ_NAME: Final = "Asia/Shanghai"
#: naive times given by users are local time on the circuit
LOCAL_TZ: Final = ZoneInfo(LOCAL_TZ_NAME)
