"""``python -m pdec``."""

from pdec.cli.app import main

main()
