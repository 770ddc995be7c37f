# The two commands of the quick start: `make demo` (build, train the default QNN on Iris, re-evaluate the saved
# model) and `make test` (build, run every test). Both install missing Debian packages first.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
DEMO_DIR ?= build/demo

.PHONY: all setup build demo test bench clean

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

bench: build
	$(BUILD_DIR)/qnn bench --quick

clean:
	rm -rf build
