"""`opconf lsp`: time from a one-line edit (didChange) to its diagnostics, on a corpus.

    .venv/bin/python bench/lsp_edit.py [--size 10000] [--edits 20]

Starts the real server over stdio, opens one template, then makes ``--edits`` edits of one
line (a stage's name) and prints the median and p95 of the time to the publication of the
edited file's diagnostics. The budget: p95 < 150 ms at 10,000 objects.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import make_test_lsp_client

sys.path.insert(0, str(Path(__file__).parent))
import corpus

OUT = Path(__file__).parent / "out"


async def measure(size: int, edits: int) -> list[float]:
    built, _ = corpus.ensure(OUT, size, seed=1)
    path = built.root / built.files_of("OpportunityTemplate")[0]
    text = path.read_text(encoding="utf-8")
    uri = path.absolute().as_uri()
    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "opconf", "lsp")
    await client.initialize_session(lsp.InitializeParams(capabilities=lsp.ClientCapabilities()))
    item = lsp.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
    await _published(client, uri)
    times = []
    for n in range(edits):
        edited = text.replace("name: ", f"name: Edited {n} ", 2)
        started = time.perf_counter()
        client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=n + 2),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        await _published(client, uri)
        times.append((time.perf_counter() - started) * 1000)
    await client.shutdown_session()
    await client.stop()
    return times


async def _published(client: object, uri: str) -> None:
    diagnostics = client.diagnostics  # type: ignore[attr-defined]
    diagnostics.pop(uri, None)
    while uri not in diagnostics:
        await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    times = asyncio.run(measure(args.size, args.edits))
    p95 = statistics.quantiles(times, n=20)[-1]
    print(
        f"{args.size:,} objects, {args.edits} edits: median {statistics.median(times):.0f} ms,"
        f" p95 {p95:.0f} ms (budget < 150 ms)"
    )


if __name__ == "__main__":
    main()
