"""Classroom exercises: the room set-up an exercise file makes, and its sheet as a page.

The file itself is read by `wargame.scenario.exercises`, as every front end reads it.
"""

from __future__ import annotations

from pathlib import Path

from wargame.apps.classroom.game import GameSetup
from wargame.scenario.exercises import ExerciseFile, read_exercise


def load_exercise(name_or_path: str | Path) -> tuple[ExerciseFile, GameSetup, Path]:
    """The exercise, the room set-up it makes, and its sheet's path; checked against its theatre."""
    exercise = read_exercise(name_or_path)
    section = exercise.spec.exercise
    setup = GameSetup(
        theatre=section.theatre,
        seed=section.seed,
        humans=section.humans,
        turn_days=section.turn_days,
        turns=section.turns,
        parameters=exercise.spec.parameters,
        exercise=exercise.name,
    )
    return exercise.spec, setup, exercise.sheet


def sheet_html(name: str) -> str:
    """The exercise's sheet as HTML (Python-Markdown: no scripts, works offline)."""
    import markdown

    _, _, sheet = load_exercise(name)
    return markdown.markdown(sheet.read_text(encoding="utf-8"))
