from opconf.cli import entry

raise SystemExit(entry())
