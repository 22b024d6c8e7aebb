"""Fixtures shared by the whole test suite."""

import pytest

pytest_plugins = ["tests.postgres"]  # postgres_url: a real PostgreSQL on 127.0.0.1 for the session


@pytest.fixture(scope="session")
def minilm():
    """The bundled all-MiniLM-L6-v2, loaded once for the whole run, offline."""
    from core.models import DEFAULT_MODEL, load_encoder

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        return load_encoder(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def one_torch_thread():
    """torch on one thread for a module of tiny tensors (one thread is faster than several, and far faster
    on a busy machine); the thread count is put back after the module. A test module asks for it with
    pytestmark = pytest.mark.usefixtures("one_torch_thread")."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def pytest_terminal_summary(terminalreporter):
    """The hostile-input tally (tests/hostile.py), when any test fed it."""
    from tests.hostile import summary

    lines = summary()
    if lines:
        terminalreporter.section("hostile input")
        for line in lines:
            terminalreporter.write_line(line)
