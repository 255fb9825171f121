"""The folder of frameworks as the running service sees it: last good version of each, and the errors."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from competency.questionnaire.loader import (
    Problem,
    QuestionnaireError,
    load_file,
    questionnaire_files,
)
from competency.questionnaire.schema import Questionnaire


@dataclass(frozen=True)
class _Entry:
    stamp: tuple[int, int]
    questionnaire: Questionnaire | None
    problems: tuple[Problem, ...]


_ID_LINE = re.compile(r"^id:\s*[\"']?([a-z0-9][a-z0-9_-]*)", re.MULTILINE)


class Catalog:
    """Loads `folder` and re-reads changed files; a broken file never replaces its last good version.

    `fallback(key)` gives the last good version of a framework when this process never loaded its file
    without errors (a worker started while the file was broken): the service passes the newest
    stored snapshot.
    """

    def __init__(
        self,
        folder: Path,
        *,
        min_interval: float = 2.0,
        fallback: Callable[[str], Questionnaire | None] | None = None,
    ) -> None:
        self.folder = folder
        self.min_interval = min_interval
        self.fallback = fallback
        self._entries: dict[Path, _Entry] = {}
        self._good: dict[Path, Questionnaire] = {}
        self._checked = 0.0
        self._lock = threading.Lock()

    def refresh(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < self.min_interval:
            return
        with self._lock:
            self._checked = now
            files = questionnaire_files([self.folder]) if self.folder.is_dir() else []
            for path in files:
                try:
                    stat = path.stat()
                except OSError:
                    continue
                stamp = (stat.st_mtime_ns, stat.st_size)
                entry = self._entries.get(path)
                if entry is not None and entry.stamp == stamp:
                    continue
                try:
                    questionnaire = load_file(path)
                except QuestionnaireError as exc:
                    self._entries[path] = _Entry(stamp, None, tuple(exc.problems))
                    self._use_fallback(path)
                except Exception as exc:  # never let one file take the service down
                    problem = Problem(str(path), 1, 1, "", f"could not be read: {type(exc).__name__}: {exc}")
                    self._entries[path] = _Entry(stamp, None, (problem,))
                    self._use_fallback(path)
                else:
                    self._entries[path] = _Entry(stamp, questionnaire, ())
                    self._good[path] = questionnaire
            for gone in set(self._entries) - set(files):
                del self._entries[gone]
                self._good.pop(gone, None)

    def _use_fallback(self, path: Path) -> None:
        if path in self._good or self.fallback is None:
            return
        try:
            text = path.read_text(encoding="utf-8", errors="replace")[:4096]
        except OSError:
            text = ""
        found = _ID_LINE.search(text)
        key = found.group(1) if found else path.stem
        try:
            stored = self.fallback(key)
        except Exception:  # the database is down: nothing to fall back on, the error still shows
            stored = None
        if stored is not None:
            self._good[path] = stored

    def _by_key(self) -> tuple[dict[str, Questionnaire], dict[Path, tuple[Problem, ...]]]:
        by_key: dict[str, Questionnaire] = {}
        problems = {path: entry.problems for path, entry in self._entries.items() if entry.problems}
        for path in sorted(self._good):
            questionnaire = self._good[path]
            if questionnaire.id in by_key:
                problems[path] = (
                    *problems.get(path, ()),
                    Problem(
                        str(path), 1, 1, "id", f"id {questionnaire.id!r} is already used by another file"
                    ),
                )
                continue
            by_key[questionnaire.id] = questionnaire
        return by_key, problems

    def all(self) -> list[Questionnaire]:
        self.refresh()
        return sorted(self._by_key()[0].values(), key=lambda q: q.title.lower())

    def get(self, key: str) -> Questionnaire | None:
        self.refresh()
        return self._by_key()[0].get(key)

    def problems(self) -> dict[Path, tuple[Problem, ...]]:
        """Files that failed to load (their last good version, if any, keeps serving)."""
        self.refresh()
        return self._by_key()[1]

    def files(self) -> dict[Path, Questionnaire | None]:
        self.refresh()
        return {path: self._good.get(path) for path in sorted(self._entries)}
