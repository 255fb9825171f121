"""Read questionnaire YAML safely and report every problem as FILE:LINE:COL: path: message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from competency.questionnaire.messages import author_message
from competency.questionnaire.rules import RuleViolations, rule_violations
from competency.questionnaire.schema import Questionnaire

MAX_BYTES = 256 * 1024
#: Deeper YAML than this is refused before it is walked (no real framework nests past ~8).
MAX_DEPTH = 32
YAML_SUFFIXES = (".yaml", ".yml")

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a questionnaire file, located at the offending YAML node."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path or '(document)'}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire file that cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class _RefuseAliases(Composer):
    """Composition that refuses anchors and aliases (an alias bomb explodes only when walked)."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise _Located(event.start_mark, "YAML aliases (*name) are not allowed in questionnaires")
        event = self.peek_event()  # type: ignore[attr-defined]
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Located(event.start_mark, f"YAML anchors (&{anchor}) are not allowed in questionnaires")
        return super().compose_node(parent, index)


class _NoAliasLoader(_RefuseAliases, yaml.SafeLoader):
    """The pure-Python SafeLoader, refusing aliases: used when PyYAML was built without libyaml."""


def _loader_class() -> type[Any]:
    """libyaml's parser under PyYAML's composer when PyYAML has it: the same nodes and marks, about
    15x faster on a large framework (a 250-item file took over a second to parse in pure Python)."""
    try:
        from yaml._yaml import CParser
    except ImportError:  # pragma: no cover - PyYAML wheels ship libyaml
        return _NoAliasLoader

    class _NoAliasCLoader(_RefuseAliases, SafeConstructor, Resolver, CParser):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            Composer.__init__(self)

    return _NoAliasCLoader


_LOADER = _loader_class()


class _Located(Exception):
    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


def format_path(path: PathKey) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class _Walker:
    """Turns a composed node tree into plain data, remembering where each value stood."""

    def __init__(self, loader: Any, file: str) -> None:
        self.loader = loader
        self.file = file
        self.marks: dict[PathKey, tuple[int, int]] = {}
        self.key_marks: dict[PathKey, tuple[int, int]] = {}
        self.problems: list[Problem] = []

    def walk(self, node: Node, path: PathKey) -> Any:
        self.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if len(path) > MAX_DEPTH:
            raise _Located(
                node.start_mark, f"nested more than {MAX_DEPTH} levels deep; a framework never needs that"
            )
        if isinstance(node, MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self._problem(key_node, path, "mapping keys must be plain scalars")
                    continue
                key = self.loader.construct_object(key_node)
                child = (*path, key)
                if key in result:
                    first = self.key_marks[child]
                    self._problem(key_node, child, f"duplicate key {key!r} (first at line {first[0]})")
                    continue
                self.key_marks[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.walk(value_node, child)
            return result
        if isinstance(node, SequenceNode):
            return [self.walk(child, (*path, i)) for i, child in enumerate(node.value)]
        return self.loader.construct_object(node)

    def _problem(self, node: Node, path: PathKey, message: str) -> None:
        self.problems.append(
            Problem(
                self.file, node.start_mark.line + 1, node.start_mark.column + 1, format_path(path), message
            )
        )

    def locate(self, path: PathKey) -> tuple[int, int]:
        """The mark of the deepest node along `path` that exists (a missing field points at its parent)."""
        for end in range(len(path), -1, -1):
            key = path[:end]
            if end == len(path) and key in self.key_marks:
                return self.key_marks[key]
            if key in self.marks:
                return self.marks[key]
        return (1, 1)


def load_text(text: str, file: str = "<string>") -> Questionnaire:
    """Parse and validate a questionnaire; raise QuestionnaireError listing every problem."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise QuestionnaireError(
            [Problem(file, 1, 1, "", f"file is larger than {MAX_BYTES // 1024} KiB; split or shorten it")]
        )
    loader = _LOADER(text)
    try:
        try:
            root = loader.get_single_node()
        except _Located as exc:
            raise QuestionnaireError(
                [Problem(file, exc.mark.line + 1, exc.mark.column + 1, "", exc.message)]
            ) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            message = " ".join(str(x) for x in (exc.context, exc.problem) if x)
            if "maximum nesting depth" in message:  # libyaml stops at 1000 levels, in its own words
                message = "the document is nested too deeply to read; a framework never needs that"
                raise QuestionnaireError([Problem(file, line, col, "", message)]) from None
            raise QuestionnaireError([Problem(file, line, col, "", f"invalid YAML: {message}")]) from None
        except yaml.YAMLError as exc:
            raise QuestionnaireError([Problem(file, 1, 1, "", f"invalid YAML: {exc}")]) from None
        except RecursionError:
            raise QuestionnaireError(
                [
                    Problem(
                        file,
                        1,
                        1,
                        "",
                        "the document is nested too deeply to read; a framework never needs that",
                    )
                ]
            ) from None
        if root is None:
            raise QuestionnaireError([Problem(file, 1, 1, "", "the file is empty; expected a mapping")])
        walker = _Walker(loader, file)
        try:
            data = walker.walk(root, ())
        except _Located as exc:
            raise QuestionnaireError(
                [Problem(file, exc.mark.line + 1, exc.mark.column + 1, "", exc.message)]
            ) from None
        except yaml.constructor.ConstructorError as exc:
            mark = exc.problem_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise QuestionnaireError(
                [Problem(file, line, col, "", f"invalid value: {exc.problem}")]
            ) from None
    finally:
        loader.dispose()

    problems = list(walker.problems)
    if not isinstance(data, dict):
        line, col = walker.locate(())
        problems.append(Problem(file, line, col, "", f"the document must be a mapping, not {_kind(data)}"))
        raise QuestionnaireError(problems)
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as exc:
        problems.extend(_from_validation_error(exc, walker, file))
        # Field errors stop pydantic before the cross-field rules; run those on the raw data too.
        for path, message in rule_violations(data):
            line, col = walker.locate(path)
            problem = Problem(file, line, col, format_path(path), message)
            if problem not in problems:
                problems.append(problem)
    else:
        if not problems:
            return questionnaire
    problems.sort(key=lambda p: (p.line, p.column))
    raise QuestionnaireError(problems)


def load_file(path: str | Path) -> Questionnaire:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise QuestionnaireError([Problem(str(path), 1, 1, "", f"cannot read: {exc.strerror}")]) from None
    if size > MAX_BYTES:
        raise QuestionnaireError(
            [
                Problem(
                    str(path), 1, 1, "", f"file is larger than {MAX_BYTES // 1024} KiB; split or shorten it"
                )
            ]
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(
            [Problem(str(path), 1, 1, "", f"not UTF-8 text (byte {exc.start})")]
        ) from None
    return load_text(text, str(path))


def questionnaire_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the YAML files they hold, sorted; files stay as given."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file()))
        else:
            out.append(path)
    return out


def _from_validation_error(exc: ValidationError, walker: _Walker, file: str) -> list[Problem]:
    problems = []
    for error in exc.errors():
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, RuleViolations):
            for path, message in cause.problems:
                line, col = walker.locate(path)
                problems.append(Problem(file, line, col, format_path(path), message))
            continue
        loc: PathKey = tuple(error["loc"])
        line, col = walker.locate(loc)
        problem = Problem(file, line, col, format_path(loc), author_message(error))
        if problem not in problems:
            problems.append(problem)
    return problems


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    return f"a {type(value).__name__}"
