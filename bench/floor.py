"""The floor row: a bare libyaml load of every corpus file, in a fresh process.

    python bench/floor.py files.txt      (run from the corpus folder)

``files.txt`` lists the same documents ``opconf validate`` reads. Nothing but
``yaml.load(f, Loader=yaml.CSafeLoader)`` per file: no checks, no garbage-collector tuning.
"""

from __future__ import annotations

import sys

import yaml


def main(listing: str) -> int:
    with open(listing, encoding="utf-8") as f:
        names = f.read().split()
    for name in names:
        with open(name, "rb") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)
    print(f"loaded {len(names)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
