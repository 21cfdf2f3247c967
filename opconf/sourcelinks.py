"""Links from a diagnostic to its line on GitHub, when running in GitHub Actions.

GitHub Actions sets ``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and ``GITHUB_SHA``; files
are named relative to the working directory, links relative to the checkout
(``GITHUB_WORKSPACE``), so an action run in a sub-folder still links the right file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote


@dataclass(frozen=True)
class SourceLinks:
    blob: str  # https://github.com/OWNER/REPO/blob/SHA
    workspace: Path
    cwd: Path
    run: str | None = None  # the job's page, where the job summary is

    @classmethod
    def from_env(cls, environ: Mapping[str, str], cwd: Path) -> SourceLinks | None:
        """The links of this GitHub Actions run; None outside one."""
        names = ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA")
        server, repo, sha = (environ.get(name, "").strip() for name in names)
        if not (server and repo and sha):
            return None
        run_id = environ.get("GITHUB_RUN_ID", "").strip()
        run = f"{server}/{repo}/actions/runs/{quote(run_id)}" if run_id else None
        workspace = Path(environ.get("GITHUB_WORKSPACE") or cwd)
        return cls(f"{server}/{repo}/blob/{quote(sha)}", workspace.resolve(), cwd.resolve(), run)

    def line(self, file: str, line: int) -> str | None:
        """The URL of ``file`` (relative to the working directory) at ``line``."""
        if not file:
            return None
        try:
            path = (self.cwd / file).resolve().relative_to(self.workspace)
        except ValueError:
            return None  # outside the checkout: nothing on GitHub to link to
        anchor = f"#L{line}" if line else ""
        return f"{self.blob}/{quote(path.as_posix())}{anchor}"
