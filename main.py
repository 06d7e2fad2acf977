"""DFU Monitor entry point: the command line, or the GUI when no subcommand is given."""
from app.cli import main

raise SystemExit(main())
