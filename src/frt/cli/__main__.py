"""`python -m frt.cli …`: the `frt` command."""

import sys

from frt.cli import main

sys.exit(main())
