#!/bin/sh
# The CI recipe (docs/ci.md) runs as documented: on a throwaway clone of this
# repository, docs/ci/bench-pr.sh benchmarks two local commits in
# instruction-count mode and writes the Markdown comparison: a commit that
# makes creating a bump slower is a regression (exit 1, "regressed" in the
# table), a commit that changes no code is none (exit 0). The workflow file
# runs the same script.
# usage: ci_recipe.sh SOURCE_DIR
set -eu
src=$1
command -v git >/dev/null || { echo "git is missing"; exit 1; }
grep -q 'sh docs/ci/bench-pr.sh' "$src/docs/ci/alloclab-bench.yml" || { echo "the workflow does not run bench-pr.sh"; exit 1; }
grep -q 'compare.*--format markdown' "$src/docs/ci/bench-pr.sh" || { echo "bench-pr.sh posts no Markdown"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git clone -q "$src" "$tmp/repo"
cd "$tmp/repo"
git config user.email ci@example.invalid
git config user.name "CI recipe test"
base=$(git rev-parse HEAD)
# A regression: creating a bump does pointless work first (single-alloc
# counts the creation). Not its allocate, nor sys's: the front end serves
# bump's requests from the handle's region and calls malloc itself for sys's
# usual ones, never their vtables.
sed -i '/^static al_allocator \*bump_create(const al_options \*opts)$/{n;s|^{$|{\n    for (volatile int spin = 0; spin < 200; spin++) {}|}' src/backends/bump.c
grep -q 'volatile int spin' src/backends/bump.c || { echo "the regression edit did not apply to src/backends/bump.c"; exit 1; }
git commit -qam "slower bump create"
slow=$(git rev-parse HEAD)
echo "a change of no code" >> README.md
git commit -qam "docs only"
docs=$(git rev-parse HEAD)

export ALLOCLAB_CI_BENCH="--workloads single-alloc/64 --allocators bump"
# No optimisation and no debug information, the quickest build (a tenth less
# CPU time than Debug): the recipe, not the figures, is under test.
export ALLOCLAB_CI_BUILD_TYPE=None
set +e
sh docs/ci/bench-pr.sh "$base" "$slow" "$tmp/out" >"$tmp/first.txt" 2>&1
first=$?
sh docs/ci/bench-pr.sh "$slow" "$docs" "$tmp/out" >"$tmp/second.txt" 2>&1
second=$?
set -e
[ $first -eq 1 ] || { echo "base -> slower: exit $first, not 1"; cat "$tmp/first.txt"; exit 1; }
grep -q '| `single-alloc/64/bump` |.*| \*\*regressed\*\* |' "$tmp/out/comparison.md" 2>/dev/null ||
    grep -q '\*\*regressed\*\*' "$tmp/first.txt" || { echo "no regression in the table"; cat "$tmp/first.txt"; exit 1; }
[ $second -eq 0 ] || { echo "slower -> docs only: exit $second, not 0"; cat "$tmp/second.txt"; exit 1; }
grep -Eq '(^|[^0-9])0 regressed' "$tmp/out/comparison.md" || { echo "docs-only change reported as a change"; cat "$tmp/second.txt"; exit 1; }
grep -q '^| benchmark | base | new |' "$tmp/out/comparison.md" || { echo "no Markdown table"; exit 1; }
echo "the CI recipe flags the regression and passes the docs-only change"
