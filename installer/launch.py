"""Entry script for the frozen bundle: the same ``main`` as the ``valutazione-gui`` command."""

import sys

from ui.app import main

sys.exit(main())
