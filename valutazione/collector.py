"""Python's cyclic garbage collector paused for one long computation, on the main thread only.

A document of 20,000 applications builds millions of small objects (lines, words, rows) that all live
until it is written and hold no cycles that matter; the collector rescans them over and over to free
nothing (a quarter of the minutes' time). The collector is one switch for the whole process, though: a
worker thread of the GUI must not turn it off under the window, nor turn it back on under another
computation, so off the main thread the work runs with the collector as it is. The main thread (the
command line, the benchmarks) is one thread, so restoring the state it found is exact, nested pauses
included. (``services.ranking`` pauses it the same way for the ranking.)
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block when run on the main thread; the collector's state restored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
