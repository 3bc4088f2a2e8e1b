# Every routine step of the screener. `make run` and `make test` set up all they
# need on a fresh clone: a Python 3.10 venv with pinned packages, the project's
# spaCy pipeline (rebuilt when a lexicon changes) and a trained Rasa model
# (retrained when its data changes).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# The Rasa server with our patches installed (rasa_plugins/__main__.py); `$(RASA)` alone is stock Rasa.
RASA_SERVER := $(PY) -m rasa_plugins
# The action server keeps idle connections 5 s; Rasa's kept sessions drop theirs after 2 s
# (rasa_plugins/speedups.py), so Rasa never reuses one the server is closing.
ACTIONS_ENV := SANIC_HOST=127.0.0.1 SANIC_KEEP_ALIVE_TIMEOUT=5
PIP_VERSION := 26.3
ACTIONS_PORT ?= 5055
RASA_PORT ?= 5005
WEB_PORT ?= 8080
COORDINATOR_PORT ?= 8001

export PYTHONPATH := $(CURDIR)
export TF_CPP_MIN_LOG_LEVEL ?= 3
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

# The secret Rasa shows the action server (endpoints.yml, rasa_sdk_plugins/): a new one for
# each `make run`, unless one is given. Files the servers write (logs, databases) are private.
ifndef SCREENER_ACTION_TOKEN
SCREENER_ACTION_TOKEN := $(shell od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
endif
export SCREENER_ACTION_TOKEN

STAMP := $(VENV)/.installed
LEXICON := lexicon/medicines.yml lexicon/vaccines.yml lexicon/procedures.yml lexicon/conditions.yml
PIPELINE := build/spacy-pipeline/lexicon-fingerprint.json
MODEL := models/screener.tar.gz
RASA_DATA := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)
NODE_STAMP := node_modules/.installed
CHROMIUM := /usr/bin/chromium
# Chinese screens and printed summaries render in Noto Sans CJK (Debian's fonts-noto-cjk).
CJK_FONT := /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# What several Rasa servers share in a cluster (issue 21): the tests start their own, on loopback.
REDIS_SERVER := /usr/bin/redis-server
# And where several machines keep the conversations: Debian 12's PostgreSQL (the tests start their own).
POSTGRES := /usr/lib/postgresql/15/bin/postgres
# The load balancer in front of the Rasa servers: Debian's haproxy.
HAPROXY := /usr/sbin/haproxy
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help setup spacy train run shell test cluster cluster-test lint format typecheck validate unit export purge lock clean nlu-report bench bench-cpu safety-report mutants texts coordinator report

help:
	@echo "make run        set everything up and start the screener: the web chat at http://127.0.0.1:$(WEB_PORT)"
	@echo "make test       set everything up and run every check and test (lint, types, data, unit, servers, browser)"
	@echo "make unit       the fast tests only: no servers, no browser (a minute or two)"
	@echo "make cluster    the same as several servers on loopback: Redis, PostgreSQL, haproxy (installed if missing)"
	@echo "make cluster-test  the tests of what several servers share (Redis, PostgreSQL, haproxy; installed if missing)"
	@echo "make shell      chat in the terminal with the trained model"
	@echo "make setup      the venv with pinned packages, the spaCy pipeline and a trained model"
	@echo "make spacy      build the project's spaCy pipeline from lexicon/ (build/spacy-pipeline)"
	@echo "make train      train the Rasa model (models/screener.tar.gz) if its data changed"
	@echo "make lint       ruff: lint and formatting checks"
	@echo "make format     reformat the code with ruff"
	@echo "make typecheck  mypy, strict, on every package"
	@echo "make validate   rasa data validate: domain, rules, stories and NLU agree"
	@echo "make nlu-report cross-validate the NLU (5 folds); figures in docs/nlu-report.json"
	@echo "make bench      benchmark screenings at 1, 10 and 50 at once (bench/results.md), and beside a noisy neighbour"
	@echo "make bench-cpu BEFORE=dir  CPU per message against an older tree (a set-up git worktree), in alternation"
	@echo "make safety-report  what a person gets: false fits, harmless answers sent to the team, red-flag recall and false"
	@echo "                alarms, on the held-out and tuned sets, through the engine and the real servers (docs/*-report.json)"
	@echo "make texts      every text in English and Chinese side by side, for review (build/texts.csv)"
	@echo "make mutants    apply each known unsafe change in turn and check that a test fails (tools/mutants.py)"
	@echo "make export     write all screening records to var/export.csv and var/export.json"
	@echo "make purge      delete records older than the trial's retention period"
	@echo "make coordinator  the coordinator's view on http://127.0.0.1:$(COORDINATOR_PORT), behind a login (SCREENER_COORDINATOR_PASSWORD)"
	@echo "make report     the funnel, counts only: build/report/funnel.html and funnel.png"
	@echo "make lock       re-resolve requirements.in into requirements.lock"
	@echo "make clean      remove the venv, node_modules, the spaCy pipeline and trained models"
	@echo "make help       this list"

$(STAMP): requirements.in requirements.lock
	@test -x $(PY) || "$$(scripts/python310)" -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.in -c requirements.lock
	touch $@

setup: $(MODEL)

$(PIPELINE): $(STAMP) $(LEXICON) bot/reading/nlp.py bot/reading/lexicon.py
	$(PY) -m bot.reading.nlp build

spacy: $(PIPELINE)

# Rasa skips training itself when nothing it fingerprints has changed.
$(MODEL): $(PIPELINE) $(RASA_DATA)
	@mkdir -p build
	@echo "Training the Rasa model (log: build/train.log)..."
	@$(RASA) train --fixed-model-name screener --out models >build/train.log 2>&1 \
	  || { tail -n 40 build/train.log; exit 1; }
	touch $@

train: $(MODEL)

# The web widget's one JavaScript dependency (socket.io-client), exactly as locked.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
$(CHROMIUM):
	$(call apt_install,chromium)

$(CJK_FONT):
	$(call apt_install,fonts-noto-cjk)

$(REDIS_SERVER):
	$(call apt_install,redis-server)

$(POSTGRES):
	$(call apt_install,postgresql)

$(HAPROXY):
	$(call apt_install,haproxy)

apt_install = $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(1) \
	  || { $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y $(1); }

# The action server, the Rasa server (socket.io and REST channels, no HTTP API) and the
# widget's demo page, all on loopback; Ctrl-C stops all three. Logs in var/.
run: setup $(NODE_STAMP)
	@umask 077; mkdir -p var
	@echo "Starting the action server, the Rasa server and the web page (logs in var/)..."
	@umask 077; trap 'kill $$pids 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	  $(ACTIONS_ENV) $(RASA) run actions --port $(ACTIONS_PORT) --actions actions >var/actions.log 2>&1 & pids=$$!; \
	  SCREENER_WIDGET_ORIGINS="$${SCREENER_WIDGET_ORIGINS:-http://127.0.0.1:$(WEB_PORT),http://localhost:$(WEB_PORT)}" \
	  $(RASA_SERVER) run --model $(MODEL) --endpoints endpoints.yml --credentials credentials.yml \
	    -i 127.0.0.1 -p $(RASA_PORT) >var/rasa.log 2>&1 & pids="$$pids $$!"; \
	  $(PY) -m tools.wait_for_port 127.0.0.1 $(RASA_PORT) 180 || { tail -n 30 var/rasa.log; exit 1; }; \
	  $(PY) -m web.serve --quiet --port $(WEB_PORT) --rasa-url http://127.0.0.1:$(RASA_PORT) & pids="$$pids $$!"; \
	  wait -n

# Chat in the terminal: the action server and `rasa shell`.
shell: setup
	@echo "Starting the action server and a terminal chat (type /stop to leave)..."
	@umask 077; mkdir -p var
	@umask 077; $(ACTIONS_ENV) $(RASA) run actions --port $(ACTIONS_PORT) --actions actions >var/actions.log 2>&1 & pid=$$!; \
	  trap "kill $$pid 2>/dev/null" EXIT; \
	  $(PY) -m tools.wait_for_port 127.0.0.1 $(ACTIONS_PORT) 60 && \
	  $(RASA_SERVER) shell --model $(MODEL) --endpoints endpoints.yml

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

validate: $(STAMP)
	$(RASA) data validate --fail-on-warnings

# The fast tests: everything but the real servers, the browser (marked `servers`), Redis and PostgreSQL (`cluster`).
unit: $(PIPELINE)
	$(PY) -m pytest -p no:cacheprovider -m "not servers and not cluster"

test: $(MODEL) $(NODE_STAMP) $(CHROMIUM) $(CJK_FONT) $(REDIS_SERVER) $(POSTGRES) $(HAPROXY) lint typecheck validate
	$(PY) -m pytest -p no:cacheprovider

# Several servers as on several machines, on loopback: Redis, PostgreSQL, the records service, two Rasa
# servers with an action server each, haproxy in front (port $(RASA_PORT)), the demo page on $(WEB_PORT).
cluster: $(MODEL) $(NODE_STAMP) $(REDIS_SERVER) $(POSTGRES) $(HAPROXY)
	$(PY) -m tests.cluster --port $(RASA_PORT) --web-port $(WEB_PORT)

# The tests of what several servers share (Redis, PostgreSQL, haproxy), on loopback; `make test` runs them too.
cluster-test: $(MODEL) $(REDIS_SERVER) $(POSTGRES) $(HAPROXY)
	$(PY) -m pytest -p no:cacheprovider -m cluster

# Whole screenings through the real servers at 1, 10 and 50 at once; results in bench/. Then the
# same on two Rasa servers sharing one deployment, against one (bench/cluster.json).
bench: setup $(REDIS_SERVER)
	$(PY) -m bench.run
	$(PY) -m bench.neighbour
	$(PY) -m bench.cluster

# CPU per message of this tree against an older one (a git worktree, set up): BEFORE=../before.
bench-cpu: setup
	$(PY) -m bench.trees $(BEFORE)

# Every case of tests/data/safety_facts.yml played through the screener, and the red-flag phrase set;
# then what a person gets: the held-out set under measurement and a sample of the tuned ones, whole
# screenings and red-flag messages through the real servers (the trained classifier and both layers).
# The set under measurement is named in tests/data/heldout/sets.yml.
safety-report: $(MODEL)
	$(PY) -m tests.safety --out docs/safety-report.json
	$(PY) -m tests.heldout --servers --tuned --out docs/people-report.json >/dev/null

# Every text of the trial in each language, side by side, for the site's clinicians to review.
texts: $(STAMP)
	$(PY) -m tools.texts --out build/texts.csv

# Known unsafe changes, each applied in turn: a test must fail for every one.
mutants: $(PIPELINE)
	$(PY) -m tools.mutants

# 5-fold cross-validation of the NLU; the full report goes to build/nlu-report, the figures the
# README quotes to docs/nlu-report.json (tests/test_readme.py checks them).
nlu-report: $(PIPELINE)
	$(RASA) test nlu --nlu data/nlu --config config.yml --cross-validation --folds 5 --successes \
	  --out build/nlu-report >build/nlu-report.log 2>&1 || { tail -n 40 build/nlu-report.log; exit 1; }
	$(PY) -m tools.nlu_report build/nlu-report --out docs/nlu-report.json

export: $(STAMP)
	$(PY) -m bot.storage.records export --format csv --out var/export.csv
	$(PY) -m bot.storage.records export --format json --out var/export.json

purge: $(STAMP)
	$(PY) -m bot.storage.records purge

# The study coordinator's view (docs/coordinator.md): Datasette on the records database, on loopback,
# behind a login. The password comes from SCREENER_COORDINATOR_PASSWORD and never reaches a command line.
coordinator: $(STAMP)
	$(PY) -m tools.coordinator --port $(COORDINATOR_PORT)

# The funnel, counts only, from the records database: build/report/funnel.png and funnel.html (private).
report: $(STAMP)
	$(PY) -m tools.report

lock:
	rm -rf build/lock-venv
	"$$(scripts/python310)" -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	build/lock-venv/bin/pip install --quiet --disable-pip-version-check -r requirements.in
	(echo "# Generated by 'make lock' from requirements.in on Python 3.10; do not edit by hand."; \
	  build/lock-venv/bin/pip freeze --all | grep -v '^pip==') > requirements.lock
	rm -rf build/lock-venv

clean:
	rm -rf $(VENV) build models .rasa node_modules
