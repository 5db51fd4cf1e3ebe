#!/bin/sh
# Benchmark two commits of this repository in instruction-count mode and
# compare them: the steps of the pull-request workflow (alloclab-bench.yml),
# runnable by hand. Instruction counts under callgrind repeat exactly from
# run to run, so a shared CI machine's noise does not turn into verdicts.
#
# usage: sh docs/ci/bench-pr.sh BASE HEAD OUTDIR
#   BASE, HEAD  commits (anything git rev-parse takes)
#   OUTDIR      where the work tree, the build and the results go; reusing
#               it rebuilds only what changed
# Environment:
#   ALLOCLAB_CI_BENCH      the benchmarks (default: a few quick workloads
#                          on sys, je, mi and tc)
#   ALLOCLAB_CI_THRESHOLD  the change, in percent, below which nothing is a
#                          verdict (default 1)
#   ALLOCLAB_CI_BUILD_TYPE CMake build type (default RelWithDebInfo)
# A new build folder uses Ninja when it is installed (a fifth less CPU time
# than make for the same build here), make otherwise.
# Writes OUTDIR/base.json, OUTDIR/head.json and OUTDIR/comparison.md (the
# Markdown table to post). Exit 0, 1 when a benchmark regressed, 2 when the
# commits could not be built or benchmarked.
set -u
[ $# -eq 3 ] || { echo "usage: bench-pr.sh BASE HEAD OUTDIR" >&2; exit 2; }
base=$1 head=$2 out=$3
bench=${ALLOCLAB_CI_BENCH:-"--workloads glibc-simple/64,single-alloc/64,vec-push,smallvec --allocators sys,je,mi,tc"}
threshold=${ALLOCLAB_CI_THRESHOLD:-1}
build_type=${ALLOCLAB_CI_BUILD_TYPE:-RelWithDebInfo}
mkdir -p "$out" || exit 2
out=$(cd "$out" && pwd)
src="$out/src" build="$out/build"

fail() { echo "bench-pr: $*" >&2; exit 2; }

# One work tree of its own, so the caller's checkout is never touched.
if [ ! -e "$src/.git" ]; then
    git worktree add -q --detach "$src" "$base" 2>"$out/worktree.log" || fail "cannot check out $base (see $out/worktree.log)"
fi

for side in base head; do
    eval rev=\$$side
    git -C "$src" checkout -q --detach "$rev" 2>"$out/$side-checkout.log" || fail "cannot check out $rev"
    echo "bench-pr: $side = $(git -C "$src" rev-parse --short HEAD)"
    if [ ! -f "$build/CMakeCache.txt" ]; then
        generator=
        command -v ninja >/dev/null 2>&1 && generator="-G Ninja"
        # shellcheck disable=SC2086 # $generator is an option and its value, or nothing
        cmake -S "$src" -B "$build" $generator -DCMAKE_BUILD_TYPE="$build_type" -DALLOCLAB_TESTS=OFF \
            >"$out/configure.log" 2>&1 || fail "configure failed (see $out/configure.log)"
    fi
    cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target alloclab_cli \
        >"$out/$side-build.log" 2>&1 || fail "the $side commit does not build (see $out/$side-build.log)"
    # shellcheck disable=SC2086 # $bench is a list of options
    "$build/alloclab" bench --mode instructions $bench --no-db --quiet --no-syscalls --out "$out/$side.json" \
        >"$out/$side.txt" 2>"$out/$side-bench.log" || fail "benchmarking $side failed (see $out/$side-bench.log)"
done

"$build/alloclab" compare "$out/base.json" "$out/head.json" --format markdown --threshold "$threshold" \
    --fail-on-regression >"$out/comparison.md" 2>"$out/compare.log"
status=$?
[ $status -le 1 ] || fail "compare failed (see $out/compare.log)"
cat "$out/comparison.md"
exit $status
