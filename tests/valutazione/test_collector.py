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


def test_kept_objects_move_to_the_oldest_generation_without_a_walk() -> None:
    """A block's objects go to the oldest generation; a cycle made in it is still freed later."""

    class Node:
        def __init__(self) -> None:
            self.other: Node | None = None

    gc.collect()
    with collector.paused():
        kept = [Node() for _ in range(5_000)]
        loop_a, loop_b = Node(), Node()
        loop_a.other, loop_b.other = loop_b, loop_a  # a cycle, unreachable once the names go
        del loop_a, loop_b
    assert gc.isenabled()
    assert gc.get_count()[0] < 100  # not thousands of young objects waiting for a walk
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert all(id(node) in oldest for node in kept[:50])
    assert gc.collect() >= 2  # the full collection frees the cycle made in the block


def test_objects_frozen_by_others_stay_frozen() -> None:
    """With objects frozen by other code, a block moves nothing and leaves them frozen."""
    gc.collect()
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collector.paused():
            made = [[i] for i in range(1_000)]
        assert gc.get_freeze_count() == frozen
        assert gc.isenabled()
        assert made
    finally:
        gc.unfreeze()


class Watched:
    """Half of a cycle (as a closed window's wrappers can be) that records the thread finally freeing it."""

    freed_on: list[str] = []

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        Watched.freed_on.append(threading.current_thread().name)


def test_a_worker_block_leaves_no_collection_pending_on_its_thread() -> None:
    """A worker's block that made tens of thousands of objects (a verification, a ranking) ends with nothing
    counted: its next allocations do not collect, on its thread, the cycles other threads left waiting.

    Before, the first allocation after such a block ran a collection right there, which freed a closed
    window's wrappers on a worker: a segmentation fault of the GUI.
    """
    gc.collect()
    Watched.freed_on.clear()
    Watched()  # unreachable from now on, waiting for a collection
    kept: list[list[int]] = []

    def work() -> None:
        with collector.paused():
            kept.extend([i] for i in range(50_000))  # what the block hands back (a report, a ranking)
        kept.extend([i] for i in range(300))  # ordinary work afterwards, under the youngest threshold

    worker = threading.Thread(target=work, name="lavoratore")
    worker.start()
    worker.join()
    assert Watched.freed_on == []
    gc.collect()
    assert Watched.freed_on == ["MainThread"]
    assert len(kept) == 50_300
