# Two commands set up everything on a fresh machine:
#   make course   create .venv, install, run every notebook headless in the default profile -> build/report.md
#   make test     unit tests, then every notebook under nbval in the offline `tiny` profile
#   make test-floors   the same at the oldest versions requirements*.txt allow, in a second environment (CI runs both)
# and `make lab` opens JupyterLab on the course.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests never touch the network: the Hugging Face libraries stay offline and the course uses `tiny`.
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 COURSE_PROFILE=tiny MPLBACKEND=Agg

.PHONY: install test test-floors course verify lab tiny info clean

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
# `align` extra at its floors (constraints-min-align.txt) with the tests that need it and lesson 07. About 6 min on
# 2 cores when pip's cache holds torch 2.6.
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
	$(FLOOR_RUN) $(FLOOR_PY) -m pytest tests $(filter-out notebooks/07_%,$(wildcard notebooks/0*.ipynb)) $(NBVAL) \
		-m "not align" --deselect tests/test_course_run.py
	$(FLOOR_PY) -m pip install --quiet -c constraints-min-align.txt -r requirements-align.txt
	$(FLOOR_PY) -m pip list --format=freeze | grep -iE "^(trl|datasets|accelerate)=="
	$(FLOOR_RUN) $(FLOOR_PY) -m pytest tests -m align -p no:cacheprovider
	$(FLOOR_RUN) $(FLOOR_PY) -m pytest notebooks/07_*.ipynb $(NBVAL)

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
	rm -rf build .pytest_cache $(FLOOR_VENV)
