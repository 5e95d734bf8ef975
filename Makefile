# Two commands set up everything on a fresh machine:
#   make course   create .venv, install, run every notebook headless in the default profile -> build/report.md
#   make test     unit tests, then every notebook under nbval in the offline `tiny` profile
# and `make lab` opens JupyterLab on the course.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Tests never touch the network: the Hugging Face libraries stay offline and the course uses `tiny`.
OFFLINE := HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 COURSE_PROFILE=tiny MPLBACKEND=Agg

.PHONY: install test course lab tiny info clean

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -r requirements.txt -r requirements-dev.txt -e .
	touch $(STAMP)

# Notebooks record results and exercise outcomes in build/test-results; tests/test_course_run.py checks them last.
test: $(STAMP)
	$(OFFLINE) $(PY) -m helpers build-tiny
	rm -rf build/test-results
	$(OFFLINE) COURSE_RESULTS_DIR=$(CURDIR)/build/test-results $(PY) -m pytest tests notebooks \
		--nbval-lax --nbval-current-env --nbval-cell-timeout=300 -p no:cacheprovider --durations=10

course: $(STAMP)
	$(PY) -m helpers run

lab: $(STAMP)
	$(VENV)/bin/jupyter lab notebooks

tiny: $(STAMP)
	$(PY) -m helpers build-tiny

info: $(STAMP)
	$(PY) -m helpers info

clean:
	rm -rf build .pytest_cache
