"""The exercise bank (families, answer parsing, grading, assignments, gradebook). Filled by a later issue."""

REGISTRY: list = []
