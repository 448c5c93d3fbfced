# pyBTC — run `make help` for the targets.

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -s -w -X main.Version=$(VERSION) -X main.Commit=$(COMMIT)
BENCH   ?= .
COUNT   ?= 5
# The tutorial's Python node, for the interoperability tests (run with
# Debian's python3-flask and python3-requests), when it is beside the
# repository; without it those tests skip, or fail when CI is set.
PYBTC_TUTORIAL_NODE ?= $(wildcard $(abspath ../shared/seed/node_network_1.py))
export PYBTC_TUTORIAL_NODE

.PHONY: help build run devnet test lint fuzz bench screens clean

#? help: list the targets
help:
	@grep -E '^#\? ' Makefile | sed 's/^#? /  /'

#? build: build a static binary at bin/pybtc
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/pybtc ./cmd/pybtc

#? run: run a node with the defaults (127.0.0.1:5000, data/node-5000.db)
run:
	$(GO) run ./cmd/pybtc node

#? devnet: run a local three-node network on ports 5000-5002
devnet:
	$(GO) run ./cmd/pybtc devnet

#? test: lint, then every test with the race detector
test: lint
	$(GO) test -race -count=1 -timeout 30m ./...

#? lint: go vet and gofmt
lint:
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }

#? fuzz: run each fuzz target for FUZZTIME (default 200000x: that many inputs) on top of its committed corpus
# A count, not a duration: with a duration, Go 1.26's fuzzing coordinator can
# report its own deadline as a failure (go.dev/issue/75804, fixed in 1.27).
FUZZTIME ?= 200000x
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzCanonical$$' -fuzztime $(FUZZTIME) ./wire
	$(GO) test -run '^$$' -fuzz '^FuzzParseNewTransaction$$' -fuzztime $(FUZZTIME) ./consensus
	$(GO) test -run '^$$' -fuzz '^FuzzValidateChain$$' -fuzztime $(FUZZTIME) ./consensus
	$(GO) test -run '^$$' -fuzz '^FuzzParseURL$$' -fuzztime $(FUZZTIME) ./peer

#? bench: run the benchmarks (BENCH=regexp, COUNT=runs), with the node binary's GC setting
bench:
	GOGC=400 $(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(COUNT) -timeout 60m ./...

#? screens: save the pages' screenshots (artifacts/screens) and run the accessibility check (axe-core, fetched from the npm registry)
screens:
	$(GO) test -count=1 -run '^(TestScreens|TestA11y)$$' ./api/

#? clean: remove build output
clean:
	rm -rf bin
