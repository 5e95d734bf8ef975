"""The optional slider explorer: sliders when someone is looking, one static call when nobody is."""

import pytest

from helpers import interactive


def continue_text(temperature=0.7, top_k=50):
    return f"T={temperature} k={top_k}"


class ZMQInteractiveShell:
    """Stands in for a Jupyter kernel: is_headless() looks at the shell's class name."""


@pytest.fixture
def someone_looking(monkeypatch):
    """A notebook kernel with nobody's headless signal set: is_headless() says False, so each test below shows that
    its one signal alone turns it True."""
    import IPython

    from helpers import results

    for name in ("COURSE_HEADLESS", "COURSE_RESULTS_DIR", "MPLBACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(results, "is_headless_run", lambda: False)
    monkeypatch.setattr(IPython, "get_ipython", lambda: ZMQInteractiveShell())
    assert not interactive.is_headless()
    return monkeypatch


@pytest.mark.parametrize("signal", ["COURSE_HEADLESS", "MPLBACKEND", "a headless run", "no kernel"])
def test_each_headless_signal_alone(someone_looking, signal):
    import IPython

    from helpers import results

    if signal == "COURSE_HEADLESS":
        someone_looking.setenv("COURSE_HEADLESS", "1")
    elif signal == "MPLBACKEND":
        someone_looking.setenv("MPLBACKEND", "Agg")  # the course's tests and CI
    elif signal == "a headless run":
        someone_looking.setattr(results, "is_headless_run", lambda: True)  # python -m helpers run, make test
    else:
        someone_looking.setattr(IPython, "get_ipython", lambda: None)  # plain Python
    assert interactive.is_headless()


def test_explorer_static_prints_one_call(capsys):
    assert interactive.explorer(continue_text, interactive=False, temperature=(0.1, 2.0, 0.1), top_k=(0, 100, 1)) is None
    out = capsys.readouterr().out
    assert "Static explorer" in out and "T=0.7 k=50" in out


def test_explorer_decides_static_when_headless(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_HEADLESS", "1")
    assert interactive.explorer(continue_text, temperature=(0.1, 2.0, 0.1)) is None
    assert "T=0.7 k=50" in capsys.readouterr().out


def test_explorer_interactive_builds_sliders():
    pytest.importorskip("ipywidgets")
    import ipywidgets

    box = interactive.explorer(continue_text, interactive=True, temperature=(0.1, 2.0, 0.1), top_k=(0, 100, 1))
    sliders = {w.description: w for w in box.children if hasattr(w, "description")}
    assert isinstance(sliders["temperature"], ipywidgets.FloatSlider) and sliders["temperature"].value == 0.7
    assert isinstance(sliders["top_k"], ipywidgets.IntSlider) and sliders["top_k"].value == 50
    assert not sliders["top_k"].continuous_update


def test_explorer_rejects_unknown_slider():
    with pytest.raises(ValueError, match="keyword parameters"):
        interactive.explorer(continue_text, interactive=False, top_p=(0.1, 1.0, 0.1))
