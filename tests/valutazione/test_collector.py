"""The garbage collector is paused for a long computation, on any thread, and always left as it was found."""

from __future__ import annotations

import gc
import threading

import pytest

from valutazione import collector


def test_paused_on_the_main_thread_and_restored() -> None:
    """Inside the block the collector is off; after it (nested blocks too, and on an error) it is on again."""
    assert gc.isenabled()
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block does not turn it back on under the outer one
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector.paused():
        raise RuntimeError("interrotto")
    assert gc.isenabled()


def test_left_off_when_found_off() -> None:
    """A caller that had turned the collector off finds it off afterwards."""
    gc.disable()
    try:
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_paused_on_a_worker_thread_too() -> None:
    """A GUI worker's long computation pauses the collector as well, and finds it on again afterwards."""
    seen: list[bool] = []

    def work() -> None:
        with collector.paused():
            seen.append(gc.isenabled())

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert seen == [False]
    assert gc.isenabled()
