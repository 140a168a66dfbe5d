# crmlens — two commands on a fresh machine:
#   make run    build the front end and the binary, start on SQLite with demo data
#   make test   every test: Go (SQLite + a real MariaDB), front end, browser
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO      ?= go
NPM     ?= npm
BIN     := bin/crmlens
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
# A count, not a duration: a time-boxed run can end with a spurious
# "context deadline exceeded" when time runs out mid-iteration.
FUZZTIME ?= 50000x
# Every fuzz target: package and name.
FUZZ_TARGETS := internal/paramcrypt:FuzzDESDecrypt internal/paramcrypt:FuzzAESRoundTrip \
	internal/adapter/easemob:FuzzEasemobDecode internal/adapter/sharecrm:FuzzShareCRMDecode \
	internal/adapter/chatwoot:FuzzChatwootDecode internal/adapter/signed:FuzzSignedDecode internal/adapter:FuzzParams \
	internal/adapter/udesk:FuzzUdeskDecode internal/adapter/sobot:FuzzSobotDecode \
	internal/matchkey:FuzzPhone internal/sidebar:FuzzParseSimulationInput

FRONTEND_SRC := $(shell find frontend/src frontend/scripts frontend/*.html -type f 2>/dev/null) vite.config.ts tsconfig.json package.json

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: tools
tools: ## check that go, node and npm are installed
	@command -v $(GO) >/dev/null || { echo "missing: Go 1.24+ (https://go.dev/dl/)"; exit 1; }
	@command -v node >/dev/null && command -v $(NPM) >/dev/null || { echo "missing: Node.js 20.19+ and npm (Debian: apt-get install nodejs npm)"; exit 1; }

node_modules/.package-lock.json: package-lock.json | tools
	$(NPM) ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: tools node_modules/.package-lock.json ## install Go modules and npm packages
	$(GO) mod download

frontend/dist/sidebar.html: node_modules/.package-lock.json $(FRONTEND_SRC)
	$(NPM) run build

.PHONY: frontend
frontend: frontend/dist/sidebar.html ## build the front end into frontend/dist

.PHONY: build
build: frontend ## build bin/crmlens with the front end embedded
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/crmlens

.PHONY: run
run: build ## start crmlens on http://localhost:8080 with SQLite and demo data
	./$(BIN) serve --demo

.PHONY: generate
generate: node_modules/.package-lock.json ## regenerate code from openapi.yaml
	$(GO) generate ./api
	$(NPM) run generate

.PHONY: system-deps
system-deps: ## install (as root on Debian) or name MariaDB and Chromium
	@scripts/system-deps.sh

.PHONY: test
test: system-deps deps test-go test-deploy test-fuzz test-frontend test-e2e ## run every test
	@echo "make test: all suites passed"

.PHONY: test-go
test-go: ## Go unit and integration tests (SQLite and MariaDB)
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 10m ./...

.PHONY: test-deploy
test-deploy: ## the deployment files' tests: a module of its own under deploy/ (k8s.io/api stays out of crmlens's)
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 ./...

.PHONY: test-fuzz
test-fuzz: ## a short run of every fuzz target (FUZZTIME=50000x each; longer: make fuzz FUZZTIME=10m)
	@for t in $(FUZZ_TARGETS); do \
	  pkg=$${t%%:*}; name=$${t##*:}; \
	  echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg || exit 1; \
	done

.PHONY: fuzz
fuzz: test-fuzz ## alias: make fuzz FUZZTIME=10m for a long run

.PHONY: test-frontend
test-frontend: node_modules/.package-lock.json ## type check, unit tests, bundle size
	$(NPM) run typecheck
	$(NPM) test
	$(NPM) run build
	$(NPM) run size

.PHONY: test-e2e
test-e2e: build ## browser tests: headless Chromium against the real server
	CRMLENS_BIN=$(BIN) $(NPM) run test:e2e

BENCH_CONTACTS ?= 1000000

.PHONY: bench
bench: system-deps ## benchmark the sidebar context vs a plain baseline, and import, on MariaDB (BENCH_CONTACTS=1000000): bench/RESULTS.md
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/crmlens-bench ./bench/cmd/crmlens-bench
	BENCH_CONTACTS=$(BENCH_CONTACTS) ./bin/crmlens-bench

.PHONY: clean
clean: ## remove build output
	rm -rf bin frontend/dist/assets frontend/dist/*.html
