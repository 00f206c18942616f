# gobpftrace: see README.md. Kernel tests need root (CI runs as root).
GO      ?= go
BIN     := bin/gobpftrace
DEFAULT := BEGIN { printf("Hello from gobpftrace!\n"); exit(); }
FUZZTIME ?= 10s

.PHONY: all build run test test-fast deps fuzz bench lint vm-setup clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(BIN) ./cmd/gobpftrace

# Build, then run the built-in default one-liner.
run: build
	./$(BIN) -e '$(DEFAULT)'

# Everything a test run needs on a fresh Debian machine (idempotent).
deps:
	./scripts/install-deps.sh

# The whole suite: unit, checker and codegen goldens, kernel tests (root), VM tests, short fuzzing.
test: deps build
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 12m ./...
	$(MAKE) fuzz FUZZTIME=$(FUZZTIME)

# Pure-Go tests only (no kernel).
test-fast:
	$(GO) test -count=1 -short ./...

fuzz:
	./scripts/fuzz.sh $(FUZZTIME)

bench: build
	./scripts/bench.sh

lint:
	gofmt -l $$(git ls-files '*.go')
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@latest ./...

vm-setup:
	./scripts/vm/setup.sh

clean:
	rm -rf bin
