"""The one base class for the errors a person can cause: a matrix or sentence typed on a page, an
answer, a student id or code, a model name, an assignment file or roster an instructor wrote.
str(error) says what is wrong, then how to fix it; a page shows it as a message, never a traceback.

This module never imports streamlit.
"""


class UserError(ValueError):
    """Input a person gave that cannot be used; str(error) says what is wrong and how to fix it."""
