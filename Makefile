# The two commands of the quick start: `make demo` (build, train the default QNN on Iris, re-evaluate the saved
# model) and `make test` (build, run every test). Both install missing Debian packages first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DEMO_DIR ?= build/demo

.PHONY: all setup build demo test test-asan bench fuzz clean install

all: build

setup:
	@bash scripts/setup.sh

build: setup
	cmake --preset $(PRESET)
	cmake --build --preset $(PRESET)

demo: build
	$(BUILD_DIR)/qnn train --data iris --qubits 4 --layers 3 --epochs 40 --batch 16 --lr 0.05 --seed 7 --out $(DEMO_DIR)
	@echo
	$(BUILD_DIR)/qnn eval $(DEMO_DIR)/model.json

# `make test` runs the optimised suite, then the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# in build/asan (`make test-asan` runs only the latter; any report fails the test; QNN_SANITIZED=1 lets the heaviest
# tests use smaller sizes there; LeakSanitizer's reports from inside OpenMPI are suppressed by tests/lsan.supp). The
# first failing suite stops it with a non-zero status. `make test SANITIZE=0` skips the sanitized suite. A fresh
# clone's whole `make test` took 30 minutes on 2 cores (docs/robustness.md); CI allows 90.
SANITIZE ?= 1
test: build
	ctest --preset $(PRESET)
ifeq ($(SANITIZE),1)
	$(MAKE) --no-print-directory test-asan
endif

test-asan: setup
	cmake --preset asan
	cmake --build --preset asan
	ctest --preset asan

# Installs the CLI, the library, its headers and the Python package `qnn` (into PREFIX/lib/python3.X/dist-packages,
# which Debian's python3 searches for PREFIX=/usr/local).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	$(BUILD_DIR)/qnn bench --quick

# Every reader under libFuzzer (Clang, ASan + UBSan), each for FUZZ_SECONDS from its seed corpus fuzz/corpus/NAME:
# OpenQASM (qasm), CSV data sets (csv), model and checkpoint JSON (model_json), noise models (noise_json) and the
# command line's argument parsing (cli_args). New inputs go to build/fuzz/corpus/NAME, a crashing one to
# build/fuzz/NAME-crash-* (turn it into a regression test); the first finding stops `make fuzz` with an error.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := qasm csv model_json noise_json cli_args
fuzz:
	@bash scripts/setup.sh --fuzz
	cmake --preset fuzz
	cmake --build --preset fuzz
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz/corpus/$$t && cp fuzz/corpus/$$t/* build/fuzz/corpus/$$t/; \
	  echo "== $${t}_fuzz for $(FUZZ_SECONDS) s"; \
	  (cd build/fuzz && ./$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 \
	    -print_final_stats=1 -artifact_prefix=$$t- corpus/$$t); \
	done

clean:
	rm -rf build
