# raftcheck — developer targets. `make test` is what CI runs (see .ci/run).
GO        ?= go
PKGS      ?= ./...
FUZZTIME  ?= 30s
BENCHTIME ?= 1s
COUNT     ?= 6

.PHONY: test fmt-check vet lint bench fuzz soak

## test: formatting and vet checks, then the whole test suite (the README's test command).
test: fmt-check vet
	$(GO) test -count=1 $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

## lint: vet plus the design guard (import direction and determinism rules) on its own.
lint: fmt-check vet
	$(GO) test -count=1 -run 'TestModuleKeepsDesign' ./internal/designcheck

## bench: every benchmark, benchstat-ready (COUNT runs each; pipe into benchstat).
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) -count $(COUNT) $(PKGS)

## fuzz: each native fuzz target for FUZZTIME.
fuzz:
	./scripts/fuzz-all.sh $(FUZZTIME)

## soak: the long variants of the property and simulation tests.
soak:
	RAFTCHECK_LONG=1 $(GO) test -count=1 -timeout 60m $(PKGS)
