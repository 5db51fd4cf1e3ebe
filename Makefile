# alloclab — the user's commands. CMake does the build; this file only drives it.
#   make                 build into build/ (binary: build/alloclab)
#   make test            build and run the test suite
#   make bench           build quietly (log in build/bench-build.log, shown if the
#                        build fails; progress on one line on a terminal), run
#                        the benchmark suite, write alloclab-results/report.html
#   make install PREFIX=/usr/local
#   make check-sanitize  the tests under ASan + UBSan (build-asan/)
#   make check-tsan      the threaded tests under TSan (build-tsan/)
#   make fuzz            the report reader's fuzz target with clang's libFuzzer,
#                        ASan and UBSan (build-fuzz/): its corpus, then
#                        FUZZ_SECONDS (default 25) of fuzzing

PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest
# The source folder (this file's), so that `make -f path/Makefile bench` works.
SRC := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))
# Where `make bench` builds and logs the build.
BENCH_BUILD ?= build
BENCH_LOG = $(BENCH_BUILD)/bench-build.log

.PHONY: all deps build test bench install check-sanitize check-tsan fuzz clean

all: build

deps:
	@sh scripts/deps.sh

build/CMakeCache.txt: | deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: build/CMakeCache.txt
	$(CMAKE) --build build -j $(JOBS)

test: build
	cd build && $(CTEST) --output-on-failure -j $(JOBS)

# The table is the first thing `make bench` shows: the configure (first time
# only) and build steps write to $(BENCH_LOG), printed only when they fail;
# on a terminal the build's progress shows on one line, cleared when done.
bench_quietly = sh $(SRC)/scripts/quiet-build.sh $(BENCH_LOG) $(1) || { cat $(BENCH_LOG); \
	echo "make bench: the build failed (its log is above and in $(BENCH_LOG))" >&2; exit 1; }

bench:
	@mkdir -p $(BENCH_BUILD) alloclab-results && : >$(BENCH_LOG)
	@echo "alloclab: building quietly (log: $(BENCH_LOG)), then running the suite"
	@if [ ! -f $(BENCH_BUILD)/CMakeCache.txt ]; then sh $(SRC)/scripts/deps.sh && \
		$(call bench_quietly,$(CMAKE) -S $(SRC) -B $(BENCH_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DCMAKE_INSTALL_PREFIX=$(PREFIX)); fi
	@$(call bench_quietly,$(CMAKE) --build $(BENCH_BUILD) -j $(JOBS))
	@$(BENCH_BUILD)/alloclab bench --html alloclab-results/report.html

install: deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	$(CMAKE) --build build -j $(JOBS)
	$(CMAKE) --install build

check-sanitize: deps
	$(CMAKE) -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DALLOCLAB_SANITIZE=address,undefined
	$(CMAKE) --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp UBSAN_OPTIONS=print_stacktrace=1 \
		$(CTEST) --output-on-failure -j $(JOBS)

check-tsan: deps
	$(CMAKE) -S . -B build-tsan -DCMAKE_BUILD_TYPE=Debug -DALLOCLAB_SANITIZE=thread
	$(CMAKE) --build build-tsan -j $(JOBS)
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 suppressions=$(CURDIR)/tests/tsan.supp" \
		$(CTEST) --output-on-failure -j $(JOBS) -L threads

FUZZ_SECONDS ?= 25
fuzz: deps
	$(CMAKE) -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DALLOCLAB_FUZZ=ON \
		-DALLOCLAB_SANITIZE=address,undefined -DALLOCLAB_FUZZ_SECONDS=$(FUZZ_SECONDS)
	$(CMAKE) --build build-fuzz -j $(JOBS) --target fuzz_report fuzz_report_replay
	cd build-fuzz && ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
		UBSAN_OPTIONS=print_stacktrace=1 $(CTEST) --output-on-failure -R '^fuzz_report'

clean:
	rm -rf build build-asan build-tsan build-fuzz
