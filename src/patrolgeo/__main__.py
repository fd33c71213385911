"""Run the patrolgeo command line: ``python -m patrolgeo``."""

from patrolgeo.cli import main

main()
