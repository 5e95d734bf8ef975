"""An optional interactive explorer: sliders in Jupyter and Colab, one static call when nobody is looking.

Headless detection lives here too, since sliders are the only thing that depends on it.
"""

import inspect
import os

from . import env, results
from .config import HEADLESS_ENV
from .errors import InputError


def is_headless():
    """True when nobody can move a slider: a headless run or tests, or plain Python outside a notebook.

    Signs of a headless run: COURSE_HEADLESS=1; `python -m helpers run` or `make test` (helpers.results); the
    course's tests and CI (they set MPLBACKEND=Agg); no Jupyter or Colab kernel.
    """
    if env.env_flag(HEADLESS_ENV) or results.is_headless_run():
        return True
    if os.environ.get("MPLBACKEND", "").strip().lower() == "agg":
        return True
    try:
        from IPython import get_ipython
    except ImportError:
        return True
    shell = get_ipython()
    return shell is None or type(shell).__name__ not in {"ZMQInteractiveShell", "Shell"}  # Jupyter, Colab


def widgets_available():
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    return True


def explorer(fn, interactive=None, **sliders):
    """Sliders for the keyword arguments of `fn`, which returns a text; or, headless, one static call.

    `sliders`: name=(min, max, step) for parameters of `fn` that have defaults; the defaults are the starting
    values. `interactive=None` decides by itself (widgets installed and a notebook someone is looking at).
    Interactive: returns the widget (put the call last in a cell); `fn` runs when a slider is released.
    Static: prints `fn()` with its defaults and returns None.
    """
    defaults = {name: p.default for name, p in inspect.signature(fn).parameters.items()
                if p.default is not inspect.Parameter.empty}
    unknown = [name for name in sliders if name not in defaults]
    if unknown:
        raise InputError(f"explorer(): {', '.join(unknown)} must be keyword parameters of {fn.__name__} "
                         "with a default value (the slider's starting point).")
    if interactive is None:
        interactive = widgets_available() and not is_headless()
    if not interactive:
        shown = ", ".join(f"{name}={defaults[name]}" for name in sliders)
        why = "no ipywidgets installed" if not widgets_available() else "a headless run"
        print(f"(Static explorer: {why}. One call with {shown}; in Jupyter or Colab you get sliders.)\n")
        print(fn())
        return None

    import ipywidgets as widgets

    controls = {}
    for name, (low, high, step) in sliders.items():
        value = defaults[name]
        integer = all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high, step, value))
        slider = widgets.IntSlider if integer else widgets.FloatSlider
        controls[name] = slider(value=value, min=low, max=high, step=step, description=name,
                                continuous_update=False, style={"description_width": "initial"})

    def show(**values):
        print(fn(**values))

    return widgets.interactive(show, **controls)
