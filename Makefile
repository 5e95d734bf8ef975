# Two commands set up everything on a fresh machine:
#   make course   create .venv, install, run every notebook headless in the default profile -> build/report.md
#   make test     unit tests, then every notebook under nbval in the offline `tiny` profile
#   make test-floors   the same at the oldest versions requirements*.txt allow, in a second environment
#   make test-precision   every notebook in `tiny` under a GPU's precision policies (bf16, then fp16), on the CPU
#   make test-colab    unit tests and notebooks with the versions Google Colab ships, on its Python (CI runs all four)
# and `make lab` opens JupyterLab on the course.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests never touch the network: the Hugging Face libraries stay offline and the course uses `tiny`.
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 COURSE_PROFILE=tiny MPLBACKEND=Agg

.PHONY: install test test-floors test-precision test-colab course verify lab tiny info clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt requirements-align.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -r requirements.txt -r requirements-dev.txt -r requirements-align.txt -e .
	touch $(STAMP)

# Notebooks record results and exercise outcomes in build/test-results; tests/test_course_run.py checks them last.
test: $(STAMP)
	$(OFFLINE) $(PY) -m helpers build-tiny
	rm -rf build/test-results
	$(OFFLINE) COURSE_RESULTS_DIR=$(CURDIR)/build/test-results $(PY) -m pytest tests notebooks \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=300 -p no:cacheprovider --durations=10

# The other end of the ranges: a fresh environment at the floors of constraints-min.txt (torch 2.6 comes from PyPI as a
# CUDA build, about 3 GB), its own tiny fixtures built by those versions, the unit tests and lessons 00-06; then the
# `align` extra at its floors (constraints-min-align.txt) with the tests that need it and lessons 07 and 08. About
# 6 min on 2 cores when pip's cache holds torch 2.6 (before lesson 08).
# The lessons that need the `align` extra (helpers/config.py: LESSONS[...]["extra"]).
ALIGN_NOTEBOOKS := $(wildcard notebooks/07_*.ipynb notebooks/08_*.ipynb)
FLOOR_VENV := .venv-floors
FLOOR_PY := $(FLOOR_VENV)/bin/python
FLOOR_RUN := $(OFFLINE) COURSE_CACHE=$(CURDIR)/build/floors/cache COURSE_RESULTS_DIR=$(CURDIR)/build/floors/results
NBVAL := --nbval-lax --nbval-current-env --nbval-cell-timeout=300 -p no:cacheprovider
test-floors:
	rm -rf $(FLOOR_VENV) build/floors
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_PY) -m pip install --quiet --upgrade pip
	$(FLOOR_PY) -m pip install --quiet -c constraints-min.txt -r requirements.txt -r requirements-dev.txt -e .
	$(FLOOR_PY) -m pip list --format=freeze | grep -iE "^(torch|transformers|datasets|peft|accelerate|numpy)=="
	$(FLOOR_RUN) $(FLOOR_PY) -m helpers build-tiny
	$(FLOOR_RUN) $(FLOOR_PY) -m pytest tests $(filter-out $(ALIGN_NOTEBOOKS),$(wildcard notebooks/0*.ipynb)) $(NBVAL) \
		-m "not align" --deselect tests/test_course_run.py
	$(FLOOR_PY) -m pip install --quiet -c constraints-min-align.txt -r requirements-align.txt
	$(FLOOR_PY) -m pip list --format=freeze | grep -iE "^(trl|datasets|accelerate)=="
	$(FLOOR_RUN) $(FLOOR_PY) -m pytest tests -m align -p no:cacheprovider
	$(FLOOR_RUN) $(FLOOR_PY) -m pytest $(ALIGN_NOTEBOOKS) $(NBVAL)

# The path a GPU learner takes, walked on a CPU: every notebook in `tiny` under COURSE_PRECISION=bf16 (the policy of a
# GPU with native bf16; on a CPU accelerate autocasts only in bf16, so this is the pass that trains under the autocast
# wrapper a T4 learner's training gets) and =fp16 (a T4's policy: models loaded in half precision for inference, the
# Trainer's fp16 flag, T5 in fp32), with the exercises' outcomes checked as in `make test`. About 3 min a pass.
test-precision: $(STAMP)
	$(OFFLINE) $(PY) -m helpers build-tiny
	for precision in bf16 fp16; do \
		rm -rf build/precision-$$precision; \
		$(OFFLINE) COURSE_PRECISION=$$precision COURSE_RESULTS_DIR=$(CURDIR)/build/precision-$$precision \
			$(PY) -m pytest notebooks tests/test_course_run.py $(NBVAL) || exit 1; \
	done

# The versions most learners run: Python 3.13 with the versions Google Colab ships (constraints-colab.txt) installed
# first, as the runtime a learner opens; then the course on top the way the setup cell installs it (not editable, no
# constraints), the unit tests and lessons 00-06; then the `align` extra last, as lesson 07's setup cell does, with
# the tests that need it and lessons 07 and 08. PyPI's torch 2.11 is a CUDA build (about 4 GB with its libraries, from
# pip's cache after the first run); it runs on the CPU. About 7 min on 2 cores once pip's cache holds it (measured,
# before lesson 08).
COLAB_PYTHON ?= $(HOME)/.pyenv/versions/3.13.0/bin/python
COLAB_VENV := .venv-colab
COLAB_PY := $(COLAB_VENV)/bin/python
COLAB_RUN := $(OFFLINE) COURSE_CACHE=$(CURDIR)/build/colab/cache COURSE_RESULTS_DIR=$(CURDIR)/build/colab/results
test-colab:
	@test -x $(COLAB_PYTHON) || { echo "No Python 3.13 at $(COLAB_PYTHON): set COLAB_PYTHON=/path/to/python3.13"; exit 1; }
	rm -rf $(COLAB_VENV) build/colab
	$(COLAB_PYTHON) -m venv $(COLAB_VENV)
	$(COLAB_PY) -m pip install --quiet -r constraints-colab.txt "nbval>=0.11"
	$(COLAB_PY) -m pip install --quiet .
	$(COLAB_PY) -m pip list --format=freeze | grep -iE "^(torch|transformers|datasets|peft|accelerate|numpy|pyarrow|llm-course)=="
	cd /tmp && $(CURDIR)/$(COLAB_PY) -c "import helpers; assert 'site-packages' in helpers.__file__, helpers.__file__"
	$(COLAB_RUN) $(COLAB_PY) -m helpers build-tiny
	$(COLAB_RUN) $(COLAB_PY) -m pytest tests $(filter-out $(ALIGN_NOTEBOOKS),$(wildcard notebooks/0*.ipynb)) $(NBVAL) \
		-m "not align" --deselect tests/test_course_run.py
	$(COLAB_PY) -m pip freeze > build/colab/before-align.txt
	$(COLAB_PY) -m pip install --quiet ".[align]" "$$($(COLAB_PY) -c 'from helpers.config import EXTRAS; print(EXTRAS["align"]["colab_bound"])')"
	$(COLAB_PY) -m pip freeze > build/colab/after-align.txt
	$(COLAB_PY) tests/colab_moves.py build/colab/before-align.txt build/colab/after-align.txt
	$(COLAB_RUN) $(COLAB_PY) -m pytest tests -m align -p no:cacheprovider
	$(COLAB_RUN) $(COLAB_PY) -m pytest $(ALIGN_NOTEBOOKS) $(NBVAL)

course: $(STAMP)
	$(PY) -m helpers run

# For maintainers: every notebook at real sizes, offline, against the Hugging Face cache in HF_HOME: real-size
# stand-ins with random weights built by ../shared/tools/realshape (STAND_IN=1, the default: the checks that need
# pretrained weights report "skipped"), or a real prefetched cache (STAND_IN=0: every check asserts). Fails when a
# notebook fails or breaks the profile's time or memory budget; build/report.md has the times and peak memory.
# On a CPU, `full` runs capped: at most 2 optimizer steps and 16 rows of each data set, the sizes otherwise full.
PROFILE ?= quick
STAND_IN ?= 1
VERIFY_CAPS_full := --max-steps 2 --max-rows 16
verify: $(STAMP)
	HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 $(PY) -m helpers run --profile $(PROFILE) --budget \
		$(if $(filter 1,$(STAND_IN)),--stand-in-weights) $(VERIFY_CAPS_$(PROFILE)) $(NOTEBOOKS)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

tiny: $(STAMP)
	$(PY) -m helpers build-tiny

info: $(STAMP)
	$(PY) -m helpers info

clean:
	rm -rf build .pytest_cache $(FLOOR_VENV) $(COLAB_VENV)
