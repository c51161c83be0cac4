"""The Qt desktop of valutazione: PySide6 only, imports the core, never the reverse."""
