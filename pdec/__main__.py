"""``python -m pdec``."""

from pdec.cli.entry import main

main()
