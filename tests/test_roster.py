"""The roster (exercises/roster.py): bad files get a message naming the file and the fix; the command
`python -m exercises.roster codes` (a real subprocess) prints a code per student, stores only hashes in
the gradebook, and re-run for one student replaces only that student's code."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from exercises import codes
from exercises import roster as rosters
from exercises.signin_tables import codes as codes_table
from exercises.store import Store

REPO = Path(__file__).resolve().parents[1]
GOOD = "student_id,name,email\nJDoe42,Jane Doe,jdoe@uw.edu\nasmith,Al Smith,al@uw.edu\n\nbkim,Bo Kim,bo@uw.edu\n"


def write(tmp_path, data: bytes | str, name: str = "roster.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def test_a_roster_keeps_its_other_columns(tmp_path):
    r = rosters.load(write(tmp_path, GOOD))
    assert list(r.students) == ["jdoe42", "asmith", "bkim"]
    assert r.students["jdoe42"] == {"name": "Jane Doe", "email": "jdoe@uw.edu"}
    assert "asmith" in r and "nobody" not in r
    # Excel's "CSV UTF-8" starts with a BOM; a header in other case and a semicolon-free file are fine
    assert list(rosters.load(write(tmp_path, "\ufeffStudent_ID\r\nx1\r\n")).students) == ["x1"]


BAD = [
    (b"name,email\nJane,j@x\n", "no student_id column"),
    (b"student_id,name\nalice,A\nbob,B\nALICE,A2\n", "lists the student 'alice' twice, on lines 2 and 4"),
    (b"student_id\nalice\nal ice\n", "line 3"),
    (b"student_id\nalice\n=cmd()\n", "line 3"),
    ("student_id\n𝐚𝐥𝐢𝐜𝐞\n".encode(), "plain keyboard"),
    (b"student_id\n" + b"x" * 80 + b"\n", "80 characters"),
    (b"student_id,name\nj\xe9r\xf4me,J\n", "not UTF-8"),
    (b"student_id\n", "lists no students"),
    (b"", "no student_id column"),
    (b"student_id,student_id\na,b\n", "two student_id columns"),
    (b"student_id\nal\x00ice\n", "NUL"),
    (b'student_id\n"alice\n', "not a readable CSV"),
]


@pytest.mark.parametrize("data, why", BAD)
def test_a_bad_roster_names_the_file_and_the_fix(tmp_path, data, why):
    p = write(tmp_path, data)
    with pytest.raises(rosters.RosterError) as err:
        rosters.load(p)
    assert why in str(err.value) and str(p) in str(err.value)


def test_a_missing_or_unreadable_roster(tmp_path):
    with pytest.raises(rosters.RosterError, match="does not exist. Set ATTENTION_LAB_ROSTER"):
        rosters.load(tmp_path / "nope.csv")
    with pytest.raises(rosters.RosterError, match="is not a file"):
        rosters.load(tmp_path)


def cli(*args: str, db: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "ATTENTION_LAB_DB": str(db), "DATABASE_URL": ""}
    return subprocess.run([sys.executable, "-m", "exercises.roster", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_codes_command(tmp_path):
    roster, db = write(tmp_path, GOOD), tmp_path / "gb.sqlite3"
    out = cli("codes", str(roster), db=db)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout)))
    assert rows[0] == ["student_id", "code"] and [r[0] for r in rows[1:]] == ["jdoe42", "asmith", "bkim"]
    first = dict(rows[1:])
    assert "3 new code(s)" in out.stderr

    store = Store(f"sqlite:///{db}")
    try:
        assert all(codes.check(store.engine, sid, code) for sid, code in first.items())
        with store.engine.connect() as conn:
            hashes = conn.execute(select(codes_table.c.code_hash)).scalars().all()
        assert not any(code in h or codes.canonical(code) in h for code in first.values() for h in hashes)

        again = cli("codes", str(roster), "--student", "ASmith", db=db)
        assert again.returncode == 0, again.stderr
        new = dict(list(csv.reader(io.StringIO(again.stdout)))[1:])
        assert list(new) == ["asmith"] and new["asmith"] != first["asmith"]
        assert not codes.check(store.engine, "asmith", first["asmith"]) and codes.check(store.engine, "asmith",
                                                                                        new["asmith"])
        assert codes.check(store.engine, "jdoe42", first["jdoe42"]) and codes.check(store.engine, "bkim", first["bkim"])
    finally:
        store.close()


@pytest.mark.parametrize("args, why", [
    (["--student", "nobody"], "'nobody' is not on the roster"),
    (["--student", "𝐚𝐥𝐢𝐜𝐞"], "plain keyboard"),
])
def test_the_codes_command_refuses_with_a_message(tmp_path, args, why):
    out = cli("codes", str(write(tmp_path, GOOD)), *args, db=tmp_path / "gb.sqlite3")
    assert out.returncode == 2 and why in out.stderr and "Traceback" not in out.stderr and out.stdout == ""


def test_the_codes_command_on_a_bad_roster(tmp_path):
    p = write(tmp_path, b"name\nx\n")
    out = cli("codes", str(p), db=tmp_path / "gb.sqlite3")
    assert out.returncode == 2 and str(p) in out.stderr and "no student_id column" in out.stderr
    assert "Traceback" not in out.stderr
