"""``python -m sendlib.cli``: the ``sendlib`` command."""

import sys

from sendlib.cli import main

sys.exit(main())
