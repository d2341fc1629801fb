# The project's interface: README and CI call these targets, never raw commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

GO             ?= go
BIN            := $(CURDIR)/bin
RIE_VERSION    := v0.0.0-20261030222936-bef5c4ba774d
STATICCHECK    := honnef.co/go/tools/cmd/staticcheck@v0.8.2
RIE            := $(BIN)/aws-lambda-rie
DYNALITE       := tools/dynalite
LAMBDA_FLAGS   := -tags lambda.norpc -trimpath -ldflags "-s -w"
EVENT          ?= events/direct.json
FUZZTIME       ?= 30s
ACCOUNTS       ?= 10000
INVOKES        ?= 1000
# go test's own limit per package binary (default 10m). A loaded 2-core
# machine can take that long for a slow package without anything hanging;
# 30m leaves room for it and still ends a real hang with a goroutine dump.
TEST_TIMEOUT   ?= 30m

export RIE_BIN := $(RIE)

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_%-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-28s %s\n", $$1, $$2}'

$(RIE):
	GOBIN=$(BIN) $(GO) install github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$(RIE_VERSION)

# npm ci runs again only when node_modules is missing or the lockfile is newer
# than the install (npm writes node_modules/.package-lock.json on each). The
# only install script in the tree (classic-level's node-gyp-build) would build
# the on-disk LevelDB binding, which ships prebuilt and which the in-memory
# server never opens: --ignore-scripts runs none.
$(DYNALITE)/node_modules/.package-lock.json: $(DYNALITE)/package-lock.json $(DYNALITE)/package.json
	@command -v npm >/dev/null || { echo "make tools: npm not found: install Node.js 20 or later with npm (tests and make local run dynalite from $(DYNALITE))" >&2; exit 1; }
	npm ci --prefix $(DYNALITE) --no-audit --no-fund --ignore-scripts
	@touch $@

.PHONY: tools
tools: $(RIE) $(DYNALITE)/node_modules/.package-lock.json ## Install the pinned Runtime Interface Emulator into bin/ and dynalite (npm ci) into tools/dynalite

.PHONY: test
test: tools ## go vet, then all tests with the race detector (end-to-end under the emulator included)
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout=$(TEST_TIMEOUT) ./...

.PHONY: lint
lint: ## gofmt, go vet and staticcheck (pinned)
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

.PHONY: build
build: ## Build bootstrap for Lambda (linux/arm64) into build/
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o build/bootstrap ./functions/getindustry

# SAM's BuildMethod: makefile calls this with ARTIFACTS_DIR set.
.PHONY: build-GetIndustryFunction
build-GetIndustryFunction: ## (sam build) Write $(ARTIFACTS_DIR)/bootstrap for arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/getindustry

.PHONY: build-RefreshTokenFunction
build-RefreshTokenFunction: ## (sam build) Write $(ARTIFACTS_DIR)/bootstrap of the token refresher for arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/refreshtoken

.PHONY: build-PlatformTokenFunction
build-PlatformTokenFunction: ## (sam build) Write $(ARTIFACTS_DIR)/bootstrap of the platform token service for arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/platformtoken

# The same bootstrap, deployed a second time as the platform's scheduled function (template.yaml).
.PHONY: build-PlatformRunsFunction
build-PlatformRunsFunction: ## (sam build) Write $(ARTIFACTS_DIR)/bootstrap of the platform's scheduled runs (same code) for arm64
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 $(GO) build $(LAMBDA_FLAGS) -o $(ARTIFACTS_DIR)/bootstrap ./functions/platformtoken

.PHONY: local
local: tools ## Build and run the function under the emulator with local fakes, invoke every event, then multi-account mode on dynalite, then the third-party platform, stop
	$(GO) run ./cmd/localstack

.PHONY: serve
serve: tools ## Like local, but keep serving: curl http://127.0.0.1:3000/industry or /accounts/{appid}/industry; open /component/authorize in a browser
	$(GO) run ./cmd/localstack -serve 127.0.0.1:3000

.PHONY: invoke
invoke: tools ## Invoke one event under the local stack: make invoke EVENT=events/alb.json
	$(GO) run ./cmd/localstack -event $(EVENT)

.PHONY: bench
bench: tools ## Benchmarks: warm path in process, then under the emulator (single mode, ACCOUNTS=10000 in multi mode, bare; INVOKES=1000 warm invokes each)
	$(GO) test -run '^$$' -bench . -benchmem -count 1 ./functions/getindustry/ ./internal/industry/ ./internal/wx/ ./internal/token/
	$(GO) run ./cmd/bench -n $(INVOKES) -accounts $(ACCOUNTS)

# Issue 12's measurement: SIM_ACCOUNTS accounts over SIM_HOURS simulated hours, three scheduled runs
# overlapping every 5 minutes (BENCHMARKS.md, "Platform: 24 simulated hours"). Skipped by make test.
SIM_ACCOUNTS   ?= 10000
SIM_HOURS      ?= 24
SIM_TIMEOUT    ?= 4h

.PHONY: simulate
simulate: tools ## Simulate the platform token service: SIM_ACCOUNTS (10000) accounts over SIM_HOURS (24) simulated hours
	$(GO) test -run '^TestSimulatePlatformDay$$' -count=1 -v -timeout=$(SIM_TIMEOUT) ./functions/platformtoken/ \
	  -simulate -simulate.accounts=$(SIM_ACCOUNTS) -simulate.hours=$(SIM_HOURS)

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 30s)
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; done

.PHONY: deploy
deploy: ## sam build && sam deploy (needs the SAM CLI and AWS credentials)
	sam build
	sam deploy

.PHONY: clean
clean: ## Remove build outputs
	rm -rf build .aws-sam
