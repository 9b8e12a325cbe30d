# FortFail: the README's two set-up commands are `make run` and `make test`.
# Both install what is missing (scripts/deps.sh), then build with CMake + Ninja.
BUILD_DIR ?= build
BUILD_TYPE ?= Release
CMAKE_FLAGS ?=

.PHONY: all deps deps-test build package run test test-unit test-integration sanitize fuzz bench format clean

all: build

deps:
	@bash scripts/deps.sh build

deps-test:
	@bash scripts/deps.sh test

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR)

# Debian packages fortfail-orchestrator, fortfail-agent and fortfail (CPack,
# cmake/packaging.cmake) in $(BUILD_DIR)/packages/; see docs/packaging.md.
package: build
	cmake --build $(BUILD_DIR) --target package

# Starts the orchestrator on embedded defaults; all state under ./data.
run: build
	@bash scripts/run.sh

# Installs, builds, starts PostgreSQL and s3rver, runs every test.
test: deps-test build
	@bash scripts/test.sh

# The same tests against an ASan + UBSan build.
sanitize: deps-test
	$(MAKE) build BUILD_DIR=build-asan CMAKE_FLAGS="-DFF_SANITIZE=ON -DFF_BUILD_BENCH=OFF"
	FF_BUILD_DIR=build-asan bash scripts/test.sh

# Every libFuzzer target for FUZZ_SECONDS each (default 60), in a separate clang
# build (build-fuzz/); see fuzz/run.sh and docs/security.md "Fuzzing".
FUZZ_SECONDS ?= 60
fuzz: deps-test
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash fuzz/run.sh

bench:
	@bash scripts/deps.sh bench
	$(MAKE) build BUILD_TYPE=Release
	@bash bench/run.sh

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
