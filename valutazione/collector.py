"""Python's cyclic garbage collector paused for one long computation, and left as it was found after it.

A merge parses a 14 MB return into half a million objects; a ranking builds a few hundred thousand
(marks, columns, rows); a document of 20,000 applications millions (lines, words, rows). None of them
hold cycles that matter, yet every full collection walks the whole heap again to free nothing: a tenth of
a merge's or a ranking's time, a quarter of the minutes'. Reference counting still frees everything as
usual; only cycles made meanwhile wait for the first collection after the block.

The collector is one switch for the whole process, so two such blocks on two threads (a GUI worker's
export and another's ranking) may end each other's pause early or late: that moves when memory held in
cycles is freed, never a result, and the collector is on again once the last block that found it on is
done. On one thread, nested blocks restore exactly the state they found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state as found afterwards, even on error."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
