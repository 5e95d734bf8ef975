"""The optional slider explorer: sliders when someone is looking, one static call when nobody is."""

import pytest

from helpers import interactive


def continue_text(temperature=0.7, top_k=50):
    return f"T={temperature} k={top_k}"


def test_headless_signals(monkeypatch):
    monkeypatch.delenv("COURSE_RESULTS_DIR", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    assert interactive.is_headless()
    monkeypatch.delenv("MPLBACKEND")
    assert interactive.is_headless()  # plain Python, no notebook kernel
    monkeypatch.setenv("COURSE_HEADLESS", "1")
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
