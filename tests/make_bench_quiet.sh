#!/bin/sh
# `make bench` shows the table, not the build: with a stand-in cmake that
# prints a build's worth of lines and a stand-in alloclab, at most two lines
# come before the report; when the build fails its whole log is shown.
# usage: make_bench_quiet.sh SOURCE_DIR
set -eu
src=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/b"
: > "$tmp/b/CMakeCache.txt"
cat > "$tmp/cmake" <<'STUB'
#!/bin/sh
i=1
while [ $i -le 99 ]; do echo "[ $i%] Building C object src/file$i.c.o"; i=$((i + 1)); done
exit "${STUB_RC:-0}"
STUB
printf '#!/bin/sh\necho "REPORT TABLE $*"\n' > "$tmp/b/alloclab"
chmod +x "$tmp/cmake" "$tmp/b/alloclab"
cd "$tmp"

out=$(make --no-print-directory -f "$src/Makefile" bench BENCH_BUILD="$tmp/b" CMAKE="$tmp/cmake" 2>&1) || {
    echo "make bench failed:"; echo "$out"; exit 1; }
before=$(printf '%s\n' "$out" | sed '/REPORT TABLE/,$d' | wc -l)
printf '%s\n' "$out" | grep -q "REPORT TABLE bench --html alloclab-results/report.html" || {
    echo "the report did not run:"; echo "$out"; exit 1; }
[ "$before" -le 2 ] || { echo "$before lines before the report:"; echo "$out"; exit 1; }

if out=$(STUB_RC=1 make --no-print-directory -f "$src/Makefile" bench BENCH_BUILD="$tmp/b" CMAKE="$tmp/cmake" 2>&1); then
    echo "a failed build did not fail make bench"; exit 1
fi
printf '%s\n' "$out" | grep -q "Building C object src/file99.c.o" || { echo "the failed build's log was not shown:"; echo "$out"; exit 1; }
printf '%s\n' "$out" | grep -q "REPORT TABLE" && { echo "the report ran after a failed build"; exit 1; }
# On a terminal the build's progress shows, on one line rewritten in place.
if command -v script >/dev/null 2>&1; then
    tty_out=$(script -qec "make --no-print-directory -f '$src/Makefile' bench BENCH_BUILD='$tmp/b' CMAKE='$tmp/cmake'" /dev/null 2>&1) || {
        echo "make bench on a terminal failed:"; echo "$tty_out"; exit 1; }
    printf '%s' "$tty_out" | grep -q "alloclab: \[ 99%\] Building" || { echo "no build progress on a terminal:"; echo "$tty_out"; exit 1; }
    printf '%s' "$tty_out" | grep -q "REPORT TABLE" || { echo "no report on a terminal"; exit 1; }
fi
echo "make bench is quiet"
