"""Offline scoring of the locator (``rescue.locate``): not imported at run time.

``cases``
    Case files: a caller's description and the truth (the team-written set is
    ``tests/data/locate_cases.jsonl``).
``realcases``
    Reads the real-text case set (``tests/data/locate_real_cases.jsonl``, issue 13) and resolves
    each case's written truth procedure against the current region.
``scoring``
    Scores the locator on cases: hits, errors, rates by group, the reliability table.
``gps_tracks``
    Scores time-only calls made from held-out GPS tracks.
``report``
    The reports as text.
``evaluate``
    The command, ``sandtable eval-locate`` (re-exports the names above).

The runtime package ``rescue.locate`` never imports this one (``tests/test_layers.py``).
This one knows no repository path: the case files are arguments (``sandtable eval-locate``
passes the repository's ``tests/data`` sets); it feeds back only through the fitted region
data (``geodata/kailash/locate_confidence.json``, by ``tests/data/fit_locate_confidence.py``).
"""

__all__: list[str] = []
