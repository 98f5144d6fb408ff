from tourkasse.cli import main

raise SystemExit(main())
