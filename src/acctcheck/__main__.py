from acctcheck.cli import main

raise SystemExit(main())
