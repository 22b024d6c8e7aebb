"""The gradebook: every submission to an exercise, kept in a database through SQLAlchemy.

Where it lives (Store(url) picks the first that is set):

    Store("postgresql://...")   an explicit SQLAlchemy URL
    DATABASE_URL                an environment variable naming PostgreSQL (postgres:// and postgresql://
                                are read as postgresql+psycopg://, the psycopg 3 driver)
    ATTENTION_LAB_DB            an environment variable holding the path of an SQLite file
    ./gradebook.sqlite3         the default: an SQLite file next to the app (git ignores it)

Tables are created on first start (schema.py has them). An invalid answer (one the parser could not
read: valid=False) is recorded, so the dashboard can see it, but is not a try: it uses up nothing and
scores nothing. One typed answer to one exercise has one submission id (submission_key), so clicks,
reruns and retries of it store one attempt.

    schema.py     the tables, Attempt, what an answer may hold, submission_key
    connect.py    the URL, the engine, timeouts, and the errors a failing database becomes
    gradebook.py  Store: record (the writes) and a student's attempts
    reports.py    the dashboard's roster, mistakes and CSV export
    canvas_csv.py the CSV export in Canvas's gradebook import layout

This package never imports streamlit.
"""

from exercises.store.connect import (
    DEFAULT_SQLITE_PATH,
    CommitUnknown,
    GradebookError,
    GradebookReadOnly,
    GradebookTimeout,
    GradebookUnreachable,
    resolve_url,
)
from exercises.store.gradebook import AttemptsChanged, ExerciseClosed, Store
from exercises.store.reports import RosterRow
from exercises.store.schema import (
    MAX_ANSWER_CHARS,
    MAX_ID_LENGTH,
    SEED_RANGE,
    SOLVED,
    Attempt,
    AttemptRow,
    StudentRow,
    answer_problem,
    attempts,
    clean_answer,
    students,
    submission_key,
)

__all__ = [
    "DEFAULT_SQLITE_PATH", "MAX_ANSWER_CHARS", "MAX_ID_LENGTH", "SEED_RANGE", "SOLVED", "Attempt", "AttemptRow",
    "AttemptsChanged", "CommitUnknown", "ExerciseClosed", "GradebookError", "GradebookReadOnly", "GradebookTimeout",
    "GradebookUnreachable", "RosterRow", "Store", "StudentRow", "answer_problem", "attempts", "clean_answer",
    "resolve_url", "students", "submission_key",
]
