from valutazione.cli import main

raise SystemExit(main())
