# Gale: every target installs what is missing (Debian 12 packages), then
# configures and builds with CMake + Ninja (+ ccache when present).
#
#   make run        the local system on SQLite (Ctrl-C stops it)
#   make run-pg     the compose topology locally: PostgreSQL, a coordinator, three nodes
#   make test       the whole test suite (CTest: unit + integration)
#   make test-asan  the suite built with AddressSanitizer + UBSan
#   make fuzz       every libFuzzer target (clang) for FUZZ_SECONDS each
#   make bench      the short form of every benchmark (gale-bench --short)
#   make build      just build (binaries in build/bin)
#   make format     clang-format every C++ file

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
ASAN_DIR   ?= build-asan
FUZZ_DIR   ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=
BENCH_ARGS ?= --short --json $(BUILD_DIR)/bench.json

.PHONY: all deps configure build run run-pg test test-asan fuzz bench format clean

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) --parallel $(JOBS)

run: build
	./scripts/run-local.sh

run-pg: build
	./scripts/run-local.sh --postgres

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure --parallel $(JOBS) $(CTEST_ARGS)

test-asan: deps
	cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGALE_SANITIZE=ON
	cmake --build $(ASAN_DIR) --parallel $(JOBS)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_DIR) --output-on-failure --parallel $(JOBS) $(CTEST_ARGS)

fuzz:
	./scripts/install-deps.sh --fuzz
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGALE_FUZZ=ON
	cmake --build $(FUZZ_DIR) --parallel $(JOBS) --target gale_fuzzers
	./scripts/run-fuzzers.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

bench: build
	$(BUILD_DIR)/bin/gale-bench $(BENCH_ARGS)

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)
