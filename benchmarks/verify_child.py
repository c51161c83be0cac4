"""The opening's verification in a fresh process, run by ``run.py``: what a user pays when a file opens.

``verify_child.py FILE`` imports the program, opens FILE read-only and runs ``seals.verify_file`` once,
then prints one JSON line: the verification's wall time, this process's CPU time during it, and the CPU
time of the processes it started (the approved versions recomputed beside it, ``seals.elsewhere``).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(path: Path) -> int:
    from valutazione import seals
    from valutazione.db import open_database

    db = open_database(path, read_only=True)
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        with db.sessions() as s:
            report = seals.verify_file(s)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        db.close()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"ok": report.ok, "wall": wall, "cpu": cpu, "children": children.ru_utime + children.ru_stime}))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main(Path(sys.argv[1])))
