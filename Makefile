# raftcheck — developer targets. `make test` is what CI runs (see .ci/run).
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 30s
BENCHTIME ?= 1s
COUNT     ?= 6

SEEDS     ?= 1000
SOAKSEEDS ?= 20000

.PHONY: test fmt-check vet lint bench fuzz soak run hunt image

## test: formatting and vet checks, the whole test suite (the README's test command), then the
## determinism tests again under the race detector (same trace hashes as without it).
test: fmt-check vet
	$(GO) test -count=1 $(PKGS)
	$(GO) test -race -count=1 -short -run 'Determinis|GoldenHashes' ./simnet ./cluster ./engine/etcdraft

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

## lint: gofmt, vet, the design guard (import direction and determinism rules) on its own, and staticcheck (fetched through the module proxy).
lint: fmt-check vet
	$(GO) test -count=1 -run 'TestModuleKeepsDesign' ./internal/designcheck
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

## bench: every benchmark, benchstat-ready (COUNT runs each; pipe into benchstat).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) $(PKGS)

## fuzz: each native fuzz target for FUZZTIME.
fuzz:
	./scripts/fuzz-all.sh $(FUZZTIME)

## soak: the long variants of the property tests, then long sweeps of both workloads.
soak:
	RAFTCHECK_LONG=1 $(GO) test -count=1 -timeout 60m $(PKGS)
	RAFTCHECK_SEEDS=500 $(GO) test -count=1 -run TestSimulation -timeout 60m ./cluster
	$(GO) run ./cmd/raftcheck sweep --seeds $(SOAKSEEDS) --workload kv --progress lines
	$(GO) run ./cmd/raftcheck sweep --seeds $(SOAKSEEDS) --workload append --progress lines

## run: the main job, a sweep of SEEDS seeds on all cores.
run:
	$(GO) run ./cmd/raftcheck sweep --seeds $(SEEDS)

## hunt: how fast each planted bug is caught (and the clean build over the same seeds).
hunt:
	$(GO) run ./cmd/raftcheck hunt --mutant all

## image: the container image deploy/'s Kubernetes manifests run (Dockerfile; DOCKER=podman works too).
IMAGE     ?= raftcheck:latest
DOCKER    ?= docker
image:
	$(DOCKER) build -t $(IMAGE) .
