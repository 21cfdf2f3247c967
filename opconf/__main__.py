from opconf.cli import main

raise SystemExit(main())
