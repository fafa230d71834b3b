"""Allow ``python -m harness`` as an alias of the ``shadow`` command."""

from harness.cli import main

raise SystemExit(main())
