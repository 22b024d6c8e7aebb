"""A student's variant: the seed drawn from (student id, assignment id, position)."""

from __future__ import annotations

import hashlib
import json

import numpy as np


def variant_seed(student_id: str, assignment_id: str, position: int) -> int:
    """The seed of a student's variant: the first 8 bytes (big-endian) of the SHA-256 of the JSON text
    ["attention-lab/variant/v1", student_id, assignment_id, position], shifted right by one bit so
    it fits a signed 64-bit database column (0 <= seed < 2**63; the gradebook stores it). Stable across
    processes, machines and Python versions (no hash(), whose str hashing is salted per process).
    Ids are used exactly as given: normalise them (e.g. strip) before they get here."""
    if not isinstance(student_id, str) or not isinstance(assignment_id, str):
        raise TypeError("variant_seed: student_id and assignment_id are str")
    if isinstance(position, bool) or not isinstance(position, (int, np.integer)):
        raise TypeError("variant_seed: position is an int")
    canonical = json.dumps(["attention-lab/variant/v1", student_id, assignment_id, int(position)],
                           ensure_ascii=True, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(canonical.encode("ascii")).digest()[:8], "big") >> 1
