"""core/errors.py: every error a person can cause shares one base class, UserError (a ValueError)."""

import pytest

from core.errors import UserError
from core.matrix_text import MatrixInputError
from core.model_names import ModelLoadError
from core.overflow import OverflowInputError
from core.text import InputError
from exercises.assignments import AssignmentError
from exercises.feedback import AnswerError
from exercises.identity import SignInError
from exercises.roster import RosterError
from exercises.sso_claims import ClaimError
from exercises.toml_files import TomlFileError


@pytest.mark.parametrize("error", [MatrixInputError, ModelLoadError, OverflowInputError, InputError, AssignmentError,
                                   AnswerError, SignInError, RosterError, ClaimError, TomlFileError])
def test_every_person_caused_error_is_a_user_error(error):
    assert issubclass(error, UserError) and issubclass(error, ValueError)
