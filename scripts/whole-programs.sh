#!/bin/sh
# Whole programs under each allocator: wall time and peak RSS of real programs
# from Debian packages, with glibc's malloc and with jemalloc, mimalloc,
# tcmalloc and alloclab's replacement preloaded (LD_PRELOAD of their Debian
# shared libraries and of build/liballoclab-malloc.so).
#
#   sh scripts/whole-programs.sh [RUNS] [BUILD_DIR]     (default 5 runs, build/)
#
# Each round runs every program under every allocator once, in an order
# rotated every round, so that no allocator always runs first on a machine
# whose load changes. Prints a Markdown table: for each program and allocator
# the median wall time and the median CPU time (user + sys: steadier than
# wall time on a shared machine), each with its [min, max] over the runs and
# its ratio to glibc's median, and the median peak RSS. Needs /usr/bin/time (package time).
# Every run's output is compared with glibc's first run: a difference stops
# the script.
set -eu
runs=${1:-5}
build=${2:-build}
lib=/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
lab=$(cd "$build" && pwd)/liballoclab-malloc.so
[ -x /usr/bin/time ] || { echo "whole-programs: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }
[ -f "$lab" ] || { echo "whole-programs: $lab is missing (make build first)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- inputs ------------------------------------------------------------------
awk 'BEGIN { srand(7); for (i = 0; i < 200000; i++) { n = 1 + int(rand() * 8); s = "";
       for (w = 0; w < n; w++) { l = 2 + int(rand() * 9); t = "";
         for (c = 0; c < l; c++) t = t sprintf("%c", 97 + int(rand() * 20)); s = s (w ? " " : "") t }
       print s } }' > "$tmp/words.txt"
cat > "$tmp/script.py" <<'EOF'
import json
d = {str(i): [i, str(i) * 3, {'k': i % 7}] for i in range(150000)}
s = json.dumps(sorted(d.items(), key=lambda kv: kv[1][1]))
print(len(d), len(s))
EOF
cat > "$tmp/script.sql" <<'EOF'
CREATE TABLE t(a INTEGER, b TEXT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000)
  INSERT INTO t SELECT x, printf('%08x', (x * 2654435761) % 4294967296) FROM c;
CREATE INDEX tb ON t(b);
SELECT count(*), sum(a), min(b), max(b) FROM t;
SELECT substr(b, 1, 2) AS k, count(*) FROM t GROUP BY k ORDER BY count(*) DESC LIMIT 3;
EOF
cat > "$tmp/source.cc" <<'EOF'
#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>
template <typename K, typename V> V sum(const std::map<K, std::vector<V>> &m)
{ V s{}; for (auto &kv : m) for (auto &x : kv.second) s += x; return s; }
int run(const std::vector<std::string> &in)
{
    std::map<std::string, std::vector<int>> m;
    std::unordered_map<std::string, int> u;
    for (auto &s : in) { m[s].push_back((int)s.size()); u[s]++; }
    std::vector<std::pair<std::string, int>> v(u.begin(), u.end());
    std::sort(v.begin(), v.end());
    return sum(m) + (int)v.size();
}
EOF

# --- programs: name|command (run by sh -c in $tmp) -----------------------------
cat > "$tmp/programs" <<'EOF'
python3 json (interpreter)|/usr/bin/python3 -S script.py
sort --parallel=2 (threads)|sort --parallel=2 -S 64M words.txt
xz -T2 (threads)|xz -T2 -1 --block-size=1MiB -c words.txt
g++ -O2 (C++: cc1plus)|g++ -O2 -c -o /dev/null source.cc
sqlite3 shell|sqlite3 :memory: < script.sql
EOF

allocators="glibc je mi tc lab"
preload_of() {
    case $1 in
        glibc) echo "" ;;
        je) echo "$lib/libjemalloc.so.2" ;;
        mi) echo "$lib/libmimalloc.so.2" ;;
        tc) echo "$lib/libtcmalloc_minimal.so.4" ;;
        lab) echo "$lab" ;;
    esac
}
for a in $allocators; do
    p=$(preload_of $a)
    [ -z "$p" ] || [ -f "$p" ] || { echo "whole-programs: $p is missing" >&2; exit 2; }
done

# --- runs ----------------------------------------------------------------------
cd "$tmp"
: > results
round=0
while [ $round -lt "$runs" ]; do
    # rotate the allocator order by one every round
    set -- $allocators
    i=0
    while [ $i -lt $((round % 5)) ]; do x=$1; shift; set -- "$@" "$x"; i=$((i + 1)); done
    order="$*"
    n=0
    while IFS='|' read -r name cmd; do
        n=$((n + 1))
        for a in $order; do
            LD_PRELOAD=$(preload_of $a) /usr/bin/time -o time.out -f "%e %M %U %S" sh -c "$cmd" > out.$a 2>&1 ||
                { echo "whole-programs: '$cmd' failed under $a:" >&2; cat out.$a >&2; exit 1; }
            [ -f ref.$n ] || cp out.$a ref.$n
            cmp -s out.$a ref.$n || { echo "whole-programs: '$cmd' prints something else under $a" >&2; exit 1; }
            echo "$n $a $(tail -n 1 time.out)" >> results
        done
    done < programs
    round=$((round + 1))
done

# --- table ---------------------------------------------------------------------
echo "| program | allocator | wall time, median [min, max] | vs glibc | CPU time (user + sys), median [min, max] | vs glibc | peak RSS, median |"
echo "|---|---|---|---|---|---|---|"
n=0
while IFS='|' read -r name cmd; do
    n=$((n + 1))
    base="" cbase=""
    for a in $allocators; do
        t=$(awk -v n=$n -v a=$a '$1 == n && $2 == a { print $3 }' results | sort -g)
        m=$(awk -v n=$n -v a=$a '$1 == n && $2 == a { print $4 }' results | sort -g)
        u=$(awk -v n=$n -v a=$a '$1 == n && $2 == a { printf "%.2f\n", $5 + $6 }' results | sort -g)
        c=$(echo "$t" | wc -l)
        med=$(echo "$t" | awk -v c=$c 'NR == int((c + 1) / 2) { print }')
        lo=$(echo "$t" | head -n 1)
        hi=$(echo "$t" | tail -n 1)
        cmed=$(echo "$u" | awk -v c=$c 'NR == int((c + 1) / 2) { print }')
        clo=$(echo "$u" | head -n 1)
        chi=$(echo "$u" | tail -n 1)
        rss=$(echo "$m" | awk -v c=$c 'NR == int((c + 1) / 2) { printf "%.0f MB", $1 / 1024 }')
        [ -n "$base" ] || base=$med
        [ -n "$cbase" ] || cbase=$cmed
        rel=$(awk -v x=$med -v b=$base 'BEGIN { printf "%.2fx", (b > 0 ? x / b : 0) }')
        crel=$(awk -v x=$cmed -v b=$cbase 'BEGIN { printf "%.2fx", (b > 0 ? x / b : 0) }')
        echo "| $name | $a | $med s [$lo, $hi] | $rel | $cmed s [$clo, $chi] | $crel | $rss |"
    done
done < programs
echo
echo "($runs runs each, $(nproc) CPUs, $(date -u +%Y-%m-%d); $(uname -m); command: sh scripts/whole-programs.sh $runs $build)"
