"""`python -m frt.cli …`: the `frt` command."""

from frt.cli import main

main()
