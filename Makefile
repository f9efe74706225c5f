# answerbook — make run, make test, make build, make lint (see README.md).
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080
export CGO_ENABLED = 1

.PHONY: test-postgres all build run test lint vet vuln fmt clean fuzz bench

all: build

## build: compile the binary to bin/answerbook
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/answerbook ./cmd/answerbook

## run: build and serve on http://127.0.0.1:8080 with ./data
run: build
	./bin/answerbook serve --data $(DATA) --addr $(ADDR)

## test: the whole test suite, with the race detector; then, when ANSWERBOOK_TEST_POSTGRES
## names a Postgres (.ci/run sets it), test-postgres
test:
	$(GO) test -race -count=1 -timeout 20m ./...
	@if [ -n "$$ANSWERBOOK_TEST_POSTGRES" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "make test: ANSWERBOOK_TEST_POSTGRES is not set, so the suites did not run again with every store in Postgres"; fi

## test-postgres: the suites of search, api, web, mail and the router again with every
## store in Postgres (needs ANSWERBOOK_TEST_POSTGRES, e.g.
## postgres://postgres@127.0.0.1:5432/test?sslmode=disable; .ci/run sets it)
test-postgres:
	@if [ -z "$$ANSWERBOOK_TEST_POSTGRES" ]; then echo "test-postgres: set ANSWERBOOK_TEST_POSTGRES" >&2; exit 1; fi
	ANSWERBOOK_TEST_STORE=postgres $(GO) test -count=1 -timeout 20m ./search ./api ./web ./mail ./internal/...

## lint: gofmt check, go vet, staticcheck, govulncheck (offline database)
VULNDB ?= ../shared/vulndb/vulndb.tar.zst
lint: vet vuln

vet:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

## vuln: govulncheck against the offline copy of the Go vulnerability database;
## fails when the database (or zstd, to unpack it) is missing: no silent pass
vuln:
	@if [ ! -f "$(VULNDB)" ]; then \
		echo "govulncheck: NO vulnerability database at $(VULNDB): nothing was checked (set VULNDB=path/to/vulndb.tar.zst)" >&2; exit 1; \
	fi; \
	if ! command -v zstd >/dev/null; then \
		echo "govulncheck: zstd is not installed, so $(VULNDB) cannot be unpacked: nothing was checked (apt-get install zstd)" >&2; exit 1; \
	fi; \
	db=$$(mktemp -d) && zstd -dc "$(VULNDB)" | tar -C "$$db" -xf - && \
	echo "govulncheck with the offline database $(VULNDB)" && \
	$(GO) tool govulncheck -db "file://$$db" ./...; status=$$?; rm -rf "$$db"; exit $$status

## fuzz: run every fuzz target for FUZZTIME each (make test runs their seeds)
FUZZTIME ?= 30s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzRender$$' -fuzztime $(FUZZTIME) ./qa/markdown
	$(GO) test -run '^$$' -fuzz '^FuzzReadJSONL$$' -fuzztime $(FUZZTIME) ./qa/archive
	$(GO) test -run '^$$' -fuzz '^FuzzReadStackExchangePosts$$' -fuzztime $(FUZZTIME) ./qa/archive
	$(GO) test -run '^$$' -fuzz '^FuzzParseQuery$$' -fuzztime $(FUZZTIME) ./search
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./api

## bench: every performance figure in one run (cmd/searchbench) on the real text in
## SHARED_DATA: import, indexing, in-process search and similar, a bare-bleve baseline,
## and over HTTP (wrk if installed) the synthetic archive and the cardano dump, start to
## first search and RSS. Quick by default; the issue's figures: make bench BENCH_N=100000
## (BENCH_FLAGS="-profile /tmp/prof" adds CPU and allocation profiles under load)
SHARED_DATA ?= ../shared/data
BENCH_N     ?= 10000
BENCH_FLAGS ?=
bench:
	$(GO) build -o bin/searchbench ./cmd/searchbench
	./bin/searchbench -data $(SHARED_DATA) -n $(BENCH_N) $(BENCH_FLAGS)

## fmt: format the code
fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
