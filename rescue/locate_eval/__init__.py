"""Offline scoring of the locator (``rescue.locate``): not imported at run time.

``evaluate``
    Scores the locator against a case set (the team-written ``tests/data/locate_cases.jsonl``)
    and against real walkers' GPS tracks (time-only calls); ``sandtable eval-locate``.
``realcases``
    Reads the real-text case set (``tests/data/locate_real_cases.jsonl``, issue 13) and resolves
    each case's written truth procedure against the current region.

The runtime package ``rescue.locate`` never imports this one; this one reads
``tests/data`` (the case files) and feeds back only through the fitted region data
(``geodata/kailash/locate_confidence.json``, by ``tests/data/fit_locate_confidence.py``).
"""

__all__: list[str] = []
