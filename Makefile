# alloclab — the user's commands. CMake does the build; this file only drives it.
#   make                 build into build/ (binary: build/alloclab)
#   make test            build and run the test suite
#   make bench           run the benchmark suite, write alloclab-results/report.html
#   make install PREFIX=/usr/local
#   make check-sanitize  the tests under ASan + UBSan (build-asan/)
#   make check-tsan      the threaded tests under TSan (build-tsan/)

PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
CTEST ?= ctest

.PHONY: all deps build test bench install check-sanitize check-tsan clean

all: build

deps:
	@sh scripts/deps.sh

build/CMakeCache.txt: | deps
	$(CMAKE) -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=$(PREFIX)

build: build/CMakeCache.txt
	$(CMAKE) --build build -j $(JOBS)

test: build
	cd build && $(CTEST) --output-on-failure -j $(JOBS)

bench: build
	@mkdir -p alloclab-results
	./build/alloclab bench --html alloclab-results/report.html

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

clean:
	rm -rf build build-asan build-tsan
