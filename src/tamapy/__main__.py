"""``python -m tamapy`` is the ``tamapy`` command."""

from tamapy.cli import main

raise SystemExit(main())
