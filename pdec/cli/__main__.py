"""``python -m pdec.cli``."""

from pdec.cli.app import main

main()
