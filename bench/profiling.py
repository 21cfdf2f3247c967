"""Where `opconf validate` spends its time: one cProfile'd run, top functions by own time.

(Not named ``profile.py``: that would shadow the standard module cProfile imports.)
"""

from __future__ import annotations

import io
import pstats
from pathlib import Path

from corpus import Corpus
from measure import Command, run_process

TOP = 15


def profile_validate(corpus: Corpus, bin_dir: Path, out: Path, top: int = TOP) -> str:
    """Run ``opconf validate`` under cProfile: the ``top`` functions by own and total time."""
    stats_file = out / f"validate-{corpus.manifest.size}.prof"
    argv = (str(bin_dir / "python"), "-m", "cProfile", "-o", str(stats_file), "-m", "opconf")
    run_process(Command((*argv, "validate", "config", "--refs", "opconf.refs.yaml"), corpus.root))
    text = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=text).strip_dirs()
    for order in ("tottime", "cumulative"):
        title = f"cProfile of `opconf validate` at {corpus.manifest.size:,} objects, by {order}:"
        print(title, file=text)
        stats.sort_stats(order).print_stats(top)
    return text.getvalue()
