# vmbench: `make compare` and `make test` each do everything on a fresh Debian 12 machine:
# install missing packages, configure, build, and run.
BUILD ?= build
BUILD_TYPE ?= RelWithDebInfo
WERROR ?= $(if $(CI),ON,OFF)
JOBS ?= $(shell nproc)
PROFILE ?= quick
VMBENCH_ARGS ?=

.PHONY: all deps configure build test sanitize-test fuzz compare clean format format-check

all: build

# DEPS=test adds what only the tests need (Chromium, pdflatex).
DEPS ?=

deps:
	@sh ci/install-deps.sh $(DEPS)

configure: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DVMBENCH_WERROR=$(WERROR)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

test:
	@$(MAKE) --no-print-directory build DEPS=test
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

# The harness and its tests built with ASan and UBSan (CMake option VMBENCH_SANITIZE), in
# their own build directory; the unit tests and the integration tests of the backends that
# run the agent as a host process (native, container), every finding fatal.
SAN_BUILD ?= build-san
SAN_TESTS ?= ^(unit/.*|integration/(null|agent|cli|native|container))$$

sanitize-test:
	@$(MAKE) --no-print-directory deps DEPS=test
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DVMBENCH_WERROR=$(WERROR) \
		-DVMBENCH_SANITIZE=ON
	cmake --build $(SAN_BUILD) -j $(JOBS)
	ctest --test-dir $(SAN_BUILD) --output-on-failure -j $(JOBS) -R '$(SAN_TESTS)'

# The libFuzzer targets (tests/fuzz: the guest protocol, results files, fio's output, option
# parsing, each report renderer, the plot data), built with clang in their own directory and
# run one after another: FUZZ_RUNS executions or FUZZ_SECONDS each (ci/fuzz.sh).
FUZZ_BUILD ?= build-fuzz

fuzz:
	@$(MAKE) --no-print-directory deps DEPS=fuzz
	FUZZ_BUILD=$(FUZZ_BUILD) sh ci/fuzz.sh

# Every available backend on the chosen profile, into results/<UTC time>/ (results/latest).
# vmbench's status 1 (a cell failed, with its reason in the results and reports, all the
# rest written) is a finished comparison here; bad input (2) and Ctrl-C (130) are not.
compare: build
	@./$(BUILD)/vmbench run --profile $(PROFILE) $(VMBENCH_ARGS); st=$$?; \
	if [ $$st -eq 1 ]; then \
		echo "make compare: done; some cells failed, their reasons are in the report"; \
		exit 0; \
	fi; exit $$st

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# What CI checks: every C file as clang-format (.clang-format) would write it.
format-check: deps
	clang-format --dry-run -Werror $$(git ls-files '*.c' '*.h')
