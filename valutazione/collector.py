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

When a block ends, what it made is moved straight to the oldest generation (``gc.freeze`` then
``gc.unfreeze``, which is how CPython moves every tracked object there in one step, and empties the
youngest generation's count). Two reasons:

- A ranking keeps what it built (the rows the screen shows, the records an approval stores). Turning the
  collector back on would start with a walk over those few hundred thousand young objects, only to find
  them all alive: a tenth of a ranking's time again, spent just after the block.
- A GUI worker's block (the verification at opening, a merge, an export) ended with tens of thousands of
  allocations counted, so the first allocation after it ran a collection on the worker's thread. That
  collection freed whatever cycles were waiting, Qt windows closed a moment before among them, and Qt
  objects deleted outside the GUI thread crash the process (a segmentation fault in the test suite, at
  the end of a background verification while the window closed). Now nothing is pending when a block
  ends: collections come back at the usual pace, on whichever thread allocates next, as before the pause.

What the block made is then walked only by the next full collection, like anything long-lived, and a
cycle made in the block is freed by that one. Objects some other code had frozen are never unfrozen:
with any present, nothing is moved.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state as found afterwards, even on error.

    What the block made is moved to the oldest generation when it ends (see above).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()
