"""Large approved versions recomputed in a second process while this one checks the log and the sheets.

See ``valutazione.ranking.recheck`` for what the second process computes and why its answer is used only
when the marks it used are exactly those this process would have used. Here: which versions go there
(only large ones: a process costs a tenth of a second to start, a small version less to recompute), how
the process is started (``python -m``, the same interpreter and the same package, never in a frozen
executable, where ``sys.executable`` is the application itself), and that any trouble — it cannot start,
it fails, it says nothing — only means the versions are recomputed here, as before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import valutazione

MIN_CHARS = 1_000_000  # a version's text from about 400 applications scored by five members
WAIT_S = 600.0  # an answer later than this is no answer: the versions are recomputed here


class Recheck:
    """A second process recomputing some versions' texts; ``answer(key)`` waits for it, at most once."""

    def __init__(self, texts: list[str]) -> None:
        self._answers: dict[str, dict[str, Any]] | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._out: list[bytes] = []
        root = str(Path(valutazione.__file__).resolve().parents[1])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "valutazione.ranking.recheck"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError:
            self._process = None
            return
        self._thread = threading.Thread(target=self._talk, args=(texts,), daemon=True)
        self._thread.start()

    def _talk(self, texts: list[str]) -> None:
        """Writes the texts one at a time (one encoded copy alive, not a payload of them all: tens of MB
        at 20,000 applications), then reads the answers. The child reads every text before it answers, so
        writing all first cannot block on a full answer pipe."""
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        try:
            with process.stdin as stdin:
                stdin.write(f"{len(texts)}\n".encode())
                for text in texts:
                    data = text.encode("utf-8")
                    stdin.write(f"{len(data)}\n".encode())
                    stdin.write(data)
                    del data
            self._out.append(process.stdout.read())
            process.wait()
        except (OSError, ValueError):
            pass

    def answer(self, key: str) -> dict[str, Any] | None:
        """The second process's answer for the text whose SHA-256 is ``key``; None: recompute it here."""
        if self._answers is None:
            self._answers = self._collect()
        return self._answers.get(key)

    def _collect(self) -> dict[str, dict[str, Any]]:
        if self._process is None:
            return {}
        self._thread.join(WAIT_S)
        if self._thread.is_alive() or self._process.returncode != 0 or not self._out:
            self.stop()
            return {}
        answers: dict[str, dict[str, Any]] = {}
        for line in self._out[0].splitlines():
            try:
                found = json.loads(line)
            except ValueError:
                continue
            if isinstance(found, dict) and isinstance(found.get("sha256"), str):
                answers[found["sha256"]] = found
        return answers

    def stop(self) -> None:
        """Ends the second process (a cancelled or failed verification does not leave it running)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def start(texts: list[str]) -> Recheck | None:
    """A second process for the large texts among ``texts``; None when there are none or it cannot run."""
    large = [t for t in texts if len(t) >= MIN_CHARS]
    if not large or getattr(sys, "frozen", False) or not sys.executable:
        return None
    return Recheck(large)
