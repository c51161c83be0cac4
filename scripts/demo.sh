#!/usr/bin/env bash
# Sets up (if needed) and opens the application on a copy of the bundled demo call.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/valutazione-gui --demo "$@"
