# The two commands of the README: `make run` and `make test`. Each installs what the machine lacks, then builds.
SWIFT ?= swift

.PHONY: run test deps build release bench conformance browser-test format fuzz fuzz-smoke

deps:
	@bash .ci/install-deps

build: deps
	$(SWIFT) build

# Runs ozchat; with no server given it joins the local gateway, or starts one embedded on 127.0.0.1:7779.
run: deps
	$(SWIFT) build --product ozchat
	$(SWIFT) run ozchat

# The release build as shipped and benchmarked (static runtime, lld, ozchat's traced link order): bench/build-release.
release: deps
	bash bench/build-release

# All benchmarks (release build, gateway scenarios, the client in tmux); writes bench/results.json. About 10 minutes.
bench: deps
	bash bench/run

# The cluster tests (a private PostgreSQL each) run after the rest, on their own: initdb and three nodes at once would
# load the 2 cores enough to make the timing-bounded gateway tests flaky.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip Cluster
	$(SWIFT) test --filter Cluster
	$(MAKE) conformance
	$(MAKE) browser-test
	$(MAKE) fuzz-smoke

# The independent client (written from PROTOCOL.md alone) against a real ozgate.
conformance:
	$(SWIFT) build --product ozgate
	python3 Tests/conformance/conformance.py --ozgate "$$($(SWIFT) build --show-bin-path)/ozgate"

# OzWebClient.js and the web chatroom in Debian's chromium (headless, driven by Playwright): the seed's code examples
# verbatim, the chatroom with ozchat --plain in one room. Needs port 7779 free (the examples connect to "localhost").
# Saves a screenshot to .build/browser-test/.
browser-test:
	$(SWIFT) build --product ozgate
	$(SWIFT) build --product ozchat
	python3 Tests/browser/browser_test.py --ozgate "$$($(SWIFT) build --show-bin-path)/ozgate" \
		--ozchat "$$($(SWIFT) build --show-bin-path)/ozchat" --out .build/browser-test

# libFuzzer targets (fuzz/run): builds them and runs each for FUZZ_SECONDS (default 60).
FUZZ_SECONDS ?= 60
fuzz:
	bash fuzz/run $(FUZZ_SECONDS)

# Part of `make test`: the same targets for FUZZ_SMOKE_SECONDS each, so one that no longer builds or crashes fails the tests.
FUZZ_SMOKE_SECONDS ?= 5
fuzz-smoke:
	bash fuzz/run $(FUZZ_SMOKE_SECONDS)

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift
