"""Static checks of every notebook: committed clean, the shared setup cell first, the template's header,
exercises with checks and hidden solutions, current APIs only, the repository URL from one place."""

import ast
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from helpers import config
from helpers.tools.authoring import colab_badge, first_code_cell, is_clean, setup_cell_source, time_table_markdown

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
REMOVED_OR_UNSAFE = ["evaluation_strategy", "pad_to_max_length", "trust_remote_code=True",
                     "from transformers import AdamW", "torch_dtype=", "load_metric"]
# evaluate.load("name") downloads the metric's code from the Hub: only inside a try that handles being offline.
HUB_METRIC = re.compile(r"""evaluate\.load\(\s*["']""")


def read(path):
    return nbformat.read(path, as_version=4)


def source(nb):
    return "\n".join(cell.source for cell in nb.cells)


def test_every_lesson_has_its_notebook():
    names = {p.name for p in NOTEBOOKS}
    assert [m["notebook"] for m in config.LESSONS.values() if m["notebook"] not in names] == []
    assert names <= {m["notebook"] for m in config.LESSONS.values()}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    assert is_clean(read(path)), f"{path.name}: clear outputs and execution counts before committing"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_starts_with_the_shared_setup_cell(path):
    assert first_code_cell(read(path)).source == setup_cell_source(path.name[:2])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_header_has_badge_and_the_generated_time_table(path):
    header = read(path).cells[0]
    assert header.cell_type == "markdown"
    assert colab_badge(f"notebooks/{path.name}") in header.source
    assert time_table_markdown(path.name[:2]) in header.source, "regenerate the time table from the profiles table"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_have_checks_and_hidden_solutions(path):
    cells = read(path).cells
    solutions = [c for c in cells if "solution" in c.metadata.get("tags", [])]
    assert 2 <= len(solutions) <= 4, "2-4 exercises per notebook"
    for cell in solutions:
        assert cell.metadata.get("jupyter", {}).get("source_hidden"), "solutions are collapsed"
        assert "check_solution(" in cell.source, "a solution re-runs its check, as the reference"
    placeholders = [c for c in cells if c.cell_type == "code" and re.search(r"^\w+ = \.\.\.", c.source, re.M)]
    assert len(placeholders) >= len(solutions)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_uses_current_apis_only(path):
    text = source(read(path))
    assert [api for api in REMOVED_OR_UNSAFE if api in text] == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_hub_metrics_are_loaded_only_where_offline_is_handled(path):
    for cell in read(path).cells:
        if cell.cell_type == "code" and HUB_METRIC.search(cell.source):
            assert "except" in cell.source, f"{path.name}: evaluate.load of a Hub metric without an offline fallback"


def test_helpers_load_hub_metrics_only_when_prefetching():
    import ast

    modules = sorted((ROOT / "helpers").rglob("*.py"))  # the tools and the tiny fixtures too
    assert any(module.name == "prefetch.py" for module in modules)
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text())):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "load" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                assert module.name == "prefetch.py", f"{module.name} loads a metric from the Hub"


def test_helpers_use_current_apis_only():
    text = "\n".join(p.read_text() for p in (ROOT / "helpers").rglob("*.py"))  # the tools and fixtures too
    assert [api for api in REMOVED_OR_UNSAFE if api in text] == []


def test_repository_url_has_one_source():
    """Every GitHub repository mentioned in the project is the course's own, as spelled in helpers.config."""
    slug = config.REPO_URL.split("github.com/")[1]
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    files = [ROOT / f for f in tracked if f.endswith((".py", ".md", ".ipynb", ".toml", ".txt", ".yml", "Makefile"))]
    files = [f for f in files if f.exists()] + NOTEBOOKS
    pattern = re.compile(r"(?:github\.com|colab\.research\.google\.com/github)/([\w.-]+/[\w.-]+)")
    for path in files:
        for found in pattern.findall(path.read_text()):
            if found.split("/")[0] == slug.split("/")[0] or "llm-course" in found:
                assert found == slug, f"{path.name} spells the course repository {found!r}; use helpers.config.REPO_URL"


def test_readme_course_map_is_generated_from_the_profiles_table():
    from helpers.tools.authoring import course_map_markdown

    assert course_map_markdown() in (ROOT / "README.md").read_text(), "run `python -m helpers sync`"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_run_files_go_to_the_lessons_own_folder(path):
    """Checkpoints and adapters go to run.fresh_workdir() (build/runs), never to a temporary folder nothing deletes."""
    text = source(read(path))
    assert "tempfile" not in text and "mkdtemp" not in text
    if "output_dir=" in text or "save_pretrained(" in text:
        assert "run.fresh_workdir()" in text


STRUCTURAL = "# Check (holds for any weights)"


def _top_level_asserts(source):
    """Assert statements of a cell outside function definitions (an exercise's test function may assert)."""
    import ast

    code = "\n".join(line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("!", "%")) else line
                     for line in source.splitlines())  # shell and magic lines are not Python
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, True)
            else:
                if isinstance(child, ast.Assert) and not in_function:
                    found.append(child)
                visit(child, in_function)

    visit(ast.parse(code), False)
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_check_cell_says_which_kind_it_is(path):
    """A check either holds for any weights (and says so), or sits in `with needs_pretrained_weights(...)`, the only
    kind a stand-in smoke run may skip. Nobody can silence a real check by moving it into the wrong kind unnoticed."""
    for index, cell in enumerate(read(path).cells):
        if cell.cell_type == "code" and "solution" not in cell.metadata.get("tags", []) and \
                _top_level_asserts(cell.source):
            assert STRUCTURAL in cell.source or "needs_pretrained_weights(" in cell.source, \
                f"{path.name}, cell {index}: say which kind of check this is:\n{cell.source[:300]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_name_for_the_lessons_settings(path):
    text = source(read(path))
    assert "S = run.settings" in text and "run.settings[" not in text, "read the settings through S = run.settings"


def _calls(source, name):
    """The calls of the function `name` in a cell's code (shell and magic lines are not Python)."""
    import ast

    code = "\n".join(line[:len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(("!", "%")) else line
                     for line in source.splitlines())
    return [node for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_check_that_needs_pretrained_weights_gives_its_basis(path):
    """No machine here loads the real checkpoints, so each such check says why they pass it (helpers.checks)."""
    for cell in read(path).cells:
        if cell.cell_type == "code":
            for call in _calls(cell.source, "needs_pretrained_weights"):
                assert "basis" in {k.arg for k in call.keywords}, \
                    f"{path.name}: needs_pretrained_weights({call.args[0].value!r}) needs basis=..."


CODE_TOKEN = re.compile(r"\w+|[^\w\s]")


def _code_tokens(source):
    import io
    import tokenize

    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            found += CODE_TOKEN.findall(token.string) if token.type == tokenize.STRING else [token.string]
    return found


def _text_of(node):
    """The literal text of a string argument (the constant parts of an f-string or of a + b)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
    if isinstance(node, ast.BinOp):
        return _text_of(node.left) + " " + _text_of(node.right)
    return ""


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_hints_do_not_give_the_solution_away(path):
    """A hint guides; it does not hold the solution's code. Any run of three code tokens with an operator in it
    (`run . profile`, `index ( 'pos'`) that also appears in the exercise's solution cell fails the test."""
    cells = read(path).cells
    hints, solutions = {}, {}
    for cell in cells:
        if cell.cell_type != "code":
            continue
        for call in _calls(cell.source, "check"):
            hints[call.args[0].value] = next(_text_of(k.value) for k in call.keywords if k.arg == "hint")
        for call in _calls(cell.source, "check_solution"):
            body = "\n".join(line for line in cell.source.splitlines()
                             if "check_solution(" not in line and not line.startswith("# @title"))
            solutions[call.args[0].value] = _code_tokens(body)

    def runs(tokens):
        return {tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2) if set(tokens[i:i + 3]) & set("().[]=*/+")}

    assert set(hints) == set(solutions), f"{path.name}: every exercise has a check and a solution"
    for name, hint in hints.items():
        leaked = runs(CODE_TOKEN.findall(hint)) & runs(solutions[name])
        assert not leaked, f"{path.name}, exercise {name}: the hint holds the solution's code {sorted(leaked)}"


def test_three_lessons_have_a_predict_then_run_and_a_find_the_bug_exercise():
    """Both kinds in at least three lessons; a find-the-bug check proves its buggy code fails the same test."""
    both = []
    for path in NOTEBOOKS:
        cells = read(path).cells
        text = source(read(path))
        predict = "(predict, then run)" in text
        bug = "(find the bug)" in text
        if bug:
            assert "this exercise has lost its bug" in text, f"{path.name}: the check must show the bug fails it"
        if predict:
            assert any("prediction = ..." in c.source for c in cells), f"{path.name}: a prediction cell, left open"
        if predict and bug:
            both.append(path.name[:2])
    assert len(both) >= 3, f"lessons with both kinds of exercise: {both}"


MAINTAINER_PACKAGES = ("helpers.tools", "helpers.tiny")


def imported_modules(code):
    """Every module a piece of Python code imports (plain `import a.b` and `from a.b import c`, relative ones
    resolved against the `helpers` package)."""
    import ast

    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found |= {f"{base}.{alias.name}" if base else alias.name for alias in node.names} | {base}
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lessons_import_nothing_from_the_maintainer_tools(path):
    from IPython.core.inputtransformer2 import TransformerManager

    cells = [cell.source for cell in read(path).cells if cell.cell_type == "code"]
    code = "\n".join(TransformerManager().transform_cell(cell) for cell in cells)  # `!pip` lines become Python
    imported = imported_modules(code)
    assert any(name.startswith("helpers.") for name in imported)  # the reader sees the lesson's imports
    assert [name for name in imported if name.startswith(MAINTAINER_PACKAGES)] == []


def test_the_scripts_import_nothing_from_the_maintainer_tools():
    for script in sorted((ROOT / "scripts").glob("*.py")):
        imported = imported_modules(script.read_text())
        assert [name for name in imported if name.startswith(MAINTAINER_PACKAGES)] == [], script.name


def test_the_lessons_modules_stay_small_and_apart_from_the_tools():
    """helpers/ holds what lessons import; each module one topic, about 300 lines at most;
    the lessons' modules reach the maintainers' tools only where the setup call builds missing tiny fixtures and where
    `python -m helpers` starts the command line."""
    long = {path.relative_to(ROOT).as_posix(): n for path in (ROOT / "helpers").rglob("*.py")
            if (n := len(path.read_text().splitlines())) > 320}
    assert long == {}, "split these by concern"
    for path in (ROOT / "helpers").glob("*.py"):
        reaching = [name for name in imported_modules(path.read_text()) if name.startswith(("tools", "tiny"))]
        allowed = {"session.py": ["tiny", "tiny.ensure_built"],  # tiny's fixtures, built when missing
                   "__main__.py": ["tools.cli", "tools.cli.main"]}.get(path.name, [])  # python -m helpers
        assert sorted(set(reaching)) == allowed, (path.name, reaching)


def lesson_numbers(text):
    """The lessons a sentence names: "lessons 02, 06 and 07" -> {02, 06, 07}; "lessons 04-07" -> {04, ..., 07}."""
    found = set()
    for first, last in re.findall(r"\b(\d\d)(?:-(\d\d))?\b", text):
        found.update(f"{n:02d}" for n in range(int(first), int(last or first) + 1))
    return found


def notebook_imports():
    """{helpers module: the lessons whose notebooks import it}."""
    from IPython.core.inputtransformer2 import TransformerManager

    users = {}
    for path in NOTEBOOKS:
        code = "\n".join(TransformerManager().transform_cell(cell.source) for cell in read(path).cells
                         if cell.cell_type == "code")  # `!pip` lines become Python
        for name in imported_modules(code):
            if name.startswith("helpers."):
                users.setdefault(name.split(".")[1], set()).add(path.name[:2])
    return users


def test_each_module_s_first_line_names_the_lessons_that_import_it():
    """A module whose docstring's first line says "Used by lessons ..." names exactly the notebooks that import it,
    so that the line stays true when a lesson starts or stops using the module."""
    users = notebook_imports()
    claims = {}
    for path in sorted((ROOT / "helpers").glob("*.py")):
        first = (ast.get_docstring(ast.parse(path.read_text())) or "").split("\n\n")[0]
        if "Used by lesson" in first:
            claims[path.stem] = lesson_numbers(first.split("Used by lesson")[1].split("(")[0].split(".")[0])
    assert {"batching", "chat", "dialogsum", "generation", "measure", "metrics", "prompts"} <= set(claims)
    wrong = {name: (sorted(said), sorted(users.get(name, ()))) for name, said in claims.items()
             if said != users.get(name, set())}
    assert wrong == {}, "module: (lessons its first line names, lessons whose notebooks import it)"


TRAINER_ARGUMENTS = re.compile(r"\b(?:Seq2Seq)?TrainingArguments\(|\b(?:DPO|GRPO)Config\(")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_training_shows_progress_in_quick_and_full_only(path):
    """Every training configuration a lesson builds follows run.show_progress: a tqdm bar in quick and full, silent in
    tiny (and so under the tests). The Trainer shows one unless told, so a lesson that forgets it is noisy in tiny."""
    code = source(read(path))
    for match in TRAINER_ARGUMENTS.finditer(code):
        call = code[match.start():code.find("\n\n", match.start())]
        assert "disable_tqdm=not run.show_progress" in call, f"{path.name}: {call[:80]}"
