"""``python -m pdec.cli``."""

from pdec.cli.entry import main

main()
