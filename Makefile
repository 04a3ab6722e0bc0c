# Agon — the two commands of the README: `make demo` and `make test`.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_UPDATED := /tmp/.agon-apt-updated

.PHONY: deps deps-test build test demo bench

# Install what is missing: libgit2 (required), SQLite headers (GRDB), bubblewrap (the sandbox), Chromium (report tests; optional).
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
	@# bubblewrap: the sandbox every agent, check and verifier runs in (without it Agon runs them unsandboxed and says so).
	@if ! command -v bwrap >/dev/null 2>&1; then \
	  echo "make: installing bubblewrap"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq bubblewrap >/dev/null; \
	fi

# Chromium only matters for the HTML report test, which skips without it.
deps-test: deps
	@if ! command -v chromium >/dev/null 2>&1; then \
	  echo "make: installing chromium (HTML report test)"; \
	  [ -f $(APT_UPDATED) ] || { $(SUDO) apt-get update -qq && touch $(APT_UPDATED); }; \
	  $(SUDO) apt-get install -y -qq chromium >/dev/null || echo "make: chromium unavailable; the report test will skip"; \
	fi

build: deps
	$(SWIFT) build

test: deps-test
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: build
	./scripts/demo.sh

# Benchmarks are run by hand; see bench/README.md.
bench: deps
	$(SWIFT) build -c release
