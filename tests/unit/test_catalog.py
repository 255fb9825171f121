"""The running service's view of the questionnaire folder: last good version keeps serving."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

from competency.questionnaire.catalog import Catalog


def framework(key: str = "demo", version: int = 1, title: str = "Demo", target: str = "2") -> str:
    return textwrap.dedent(
        f"""\
        id: {key}
        version: {version}
        title: {title}
        scale:
          - {{value: 0, label: None}}
          - {{value: 1, label: Some}}
          - {{value: 2, label: Good}}
        levels: [mid]
        phases: [{{id: first}}]
        areas:
          - id: alpha
            title: Alpha
            targets: {{mid: {target}}}
            items:
              - {{id: a1, text: Item a1}}
            roadmap: []
        """
    )


_clock = [1_700_000_000_000_000_000]


def write(path: Path, text: str) -> None:
    """Write and move the mtime forward, so that a change is visible even within one clock tick."""
    path.write_text(text, encoding="utf-8")
    _clock[0] += 10_000_000_000
    os.utime(path, ns=(_clock[0], _clock[0]))


def catalog(folder: Path) -> Catalog:
    c = Catalog(folder, min_interval=3600)
    c.refresh(force=True)
    return c


def test_catalog_serves_every_valid_file_sorted_by_title(tmp_path: Path) -> None:
    write(tmp_path / "b.yaml", framework("zeta", title="Alpha role"))
    write(tmp_path / "a.yml", framework("beta", title="Zulu role"))
    write(tmp_path / "notes.txt", "not a framework")
    c = catalog(tmp_path)
    assert [q.id for q in c.all()] == ["zeta", "beta"]
    assert c.get("beta") is not None
    assert c.get("missing") is None
    assert c.problems() == {}


def test_broken_edit_keeps_the_last_good_version_serving_and_exposes_the_problems(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    write(path, framework(version=1))
    c = catalog(tmp_path)
    assert c.get("demo") is not None

    write(path, framework(version=2, target="9"))  # target outside the 0..2 scale
    c.refresh(force=True)
    served = c.get("demo")
    assert served is not None
    assert served.version == 1
    problems = c.problems()
    assert list(problems) == [path]
    (problem,) = problems[path]
    assert problem.file == str(path)
    assert problem.path == "areas[0].targets.mid"
    assert problem.line == 13
    assert "outside the scale" in problem.message
    assert c.files() == {path: served}


def test_broken_file_without_a_good_version_is_not_served_but_reported(tmp_path: Path) -> None:
    write(tmp_path / "ok.yaml", framework("ok"))
    write(tmp_path / "bad.yaml", "id: bad\nversion: [\n")
    c = catalog(tmp_path)
    assert [q.id for q in c.all()] == ["ok"]
    assert c.get("bad") is None
    assert set(c.problems()) == {tmp_path / "bad.yaml"}
    assert c.files()[tmp_path / "bad.yaml"] is None


def test_fixed_file_is_picked_up_and_its_problems_cleared(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    write(path, framework(version=1))
    c = catalog(tmp_path)
    write(path, framework(version=2, target="9"))
    c.refresh(force=True)
    assert c.problems()

    write(path, framework(version=2, title="Demo fixed"))
    c.refresh(force=True)
    served = c.get("demo")
    assert served is not None
    assert (served.version, served.title) == (2, "Demo fixed")
    assert c.problems() == {}


def test_new_file_is_picked_up_on_refresh(tmp_path: Path) -> None:
    c = catalog(tmp_path)
    assert c.all() == []
    write(tmp_path / "late.yaml", framework("late"))
    c.refresh(force=True)
    assert c.get("late") is not None


def test_removed_file_stops_being_served(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    write(path, framework())
    c = catalog(tmp_path)
    path.unlink()
    c.refresh(force=True)
    assert c.get("demo") is None
    assert c.files() == {}


def test_refresh_is_throttled_unless_forced(tmp_path: Path) -> None:
    path = tmp_path / "demo.yaml"
    write(path, framework(version=1))
    c = catalog(tmp_path)
    write(path, framework(version=2))
    # Within min_interval an ordinary read does not touch the disk again ...
    served = c.get("demo")
    assert served is not None
    assert served.version == 1
    # ... a forced refresh does.
    c.refresh(force=True)
    served = c.get("demo")
    assert served is not None
    assert served.version == 2


def test_duplicate_id_across_two_files_is_reported_and_the_first_file_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a-first.yaml", tmp_path / "b-second.yaml"
    write(first, framework("same", title="From the first file"))
    write(second, framework("same", title="From the second file"))
    c = catalog(tmp_path)
    served = c.get("same")
    assert served is not None
    assert served.title == "From the first file"
    assert len(c.all()) == 1
    problems = c.problems()
    assert list(problems) == [second]
    (problem,) = problems[second]
    assert problem.path == "id"
    assert "'same' is already used" in problem.message


def test_missing_folder_serves_nothing(tmp_path: Path) -> None:
    c = catalog(tmp_path / "nowhere")
    assert c.all() == []
    assert c.problems() == {}


# -- a process that starts while a file is broken -----------------------------------------------------


def test_broken_file_at_start_serves_the_stored_fallback(tmp_path: Path) -> None:
    from competency.questionnaire import load_text

    stored = load_text(framework(title="Stored"))
    write(tmp_path / "demo.yaml", framework().replace("title: Demo", "title: [unclosed"))
    asked: list[str] = []

    def fallback(key: str) -> object:
        asked.append(key)
        return stored if key == "demo" else None

    c = Catalog(tmp_path, min_interval=3600, fallback=fallback)  # type: ignore[arg-type]
    c.refresh(force=True)
    assert asked == ["demo"]
    assert c.get("demo") == stored
    # The error is still listed for the admins.
    assert [p.path for p in c.problems()[tmp_path / "demo.yaml"]] == [""]


def test_broken_file_without_a_stored_version_is_not_served(tmp_path: Path) -> None:
    write(tmp_path / "demo.yaml", "id: demo\nversion: [\n")
    c = Catalog(tmp_path, min_interval=3600, fallback=lambda key: None)
    c.refresh(force=True)
    assert c.all() == []
    assert tmp_path / "demo.yaml" in c.problems()


def test_fallback_that_fails_leaves_the_error_shown(tmp_path: Path) -> None:
    def down(key: str) -> None:
        raise ConnectionError("database is down")

    write(tmp_path / "demo.yaml", "id: demo\nversion: [\n")
    c = Catalog(tmp_path, min_interval=3600, fallback=down)
    c.refresh(force=True)
    assert c.all() == []
    assert tmp_path / "demo.yaml" in c.problems()


def test_deeply_nested_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", framework(key="good"))
    write(tmp_path / "deep.yaml", framework(key="deep") + "summary: " + "[" * 5000 + "]" * 5000 + "\n")
    c = catalog(tmp_path)
    assert [q.id for q in c.all()] == ["good"]
    (problem,) = c.problems()[tmp_path / "deep.yaml"]
    assert "nested" in problem.message
