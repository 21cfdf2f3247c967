"""Process exit codes, in one place (the CLI is the only caller of sys.exit)."""

OK = 0
PROBLEMS = 1  # validation problems, plan errors, refused apply, fmt --check differences
CHANGES = 2  # plan --detailed-exitcode / drift: changes present
USAGE = 64  # bad arguments, missing paths, unreadable project file
STORE = 65  # store unreachable, uninitialised, too new, locked, stale plan
INTERNAL = 70  # a bug in opconf: please report it
CANTCREAT = 73  # an output file or folder cannot be created (sysexits EX_CANTCREAT)
IOERR = 74  # reading or writing a file failed (sysexits EX_IOERR)
