"""``python -m kcore`` runs the ``kcore`` command line."""

import sys

from kcore.cli import main

sys.exit(main())
