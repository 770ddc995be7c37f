# The two commands of the quick start: `make demo` (build, train the default QNN on Iris, re-evaluate the saved
# model) and `make test` (build, run every test). Both install missing Debian packages first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DEMO_DIR ?= build/demo

.PHONY: all setup build demo test bench fuzz clean install

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

test: build
	ctest --preset $(PRESET)

# Installs the CLI, the library, its headers and the Python package `qnn` (into PREFIX/lib/python3.X/dist-packages,
# which Debian's python3 searches for PREFIX=/usr/local).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD_DIR) --prefix $(PREFIX)

bench: build
	$(BUILD_DIR)/qnn bench --quick

# The OpenQASM reader under libFuzzer (Clang, ASan + UBSan) for FUZZ_SECONDS, starting from fuzz/corpus/qasm; new
# inputs it finds go to build/fuzz/corpus, a crashing one to build/fuzz/crash-* (turn it into a regression test).
FUZZ_SECONDS ?= 60
fuzz:
	@bash scripts/setup.sh --fuzz
	cmake --preset fuzz
	cmake --build --preset fuzz
	mkdir -p build/fuzz/corpus/qasm && cp fuzz/corpus/qasm/* build/fuzz/corpus/qasm/
	cd build/fuzz && ./qasm_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 corpus/qasm

clean:
	rm -rf build
