#!/bin/sh
# Whole programs under each allocator: five real programs from Debian
# packages, each given to `alloclab run` (glibc's malloc, jemalloc, mimalloc,
# tcmalloc through their Debian shared libraries, and alloclab's replacement
# with lab), which rotates the allocators' order every round, checks every
# run's exit status and, with --check-output, that each run prints what the
# others do, and reports wall, user and system time, peak RSS and page faults
# with the ratio to glibc. This script only makes the inputs and names the
# programs; the measuring is alloclab's.
#
#   sh scripts/whole-programs.sh [RUNS] [BUILD_DIR]     (default 5 runs, build/)
set -eu
runs=${1:-5}
build=$(cd "${2:-build}" && pwd)
[ -x "$build/alloclab" ] || { echo "whole-programs: $build/alloclab is missing (make build first)" >&2; exit 2; }

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

# --- runs ----------------------------------------------------------------------
cd "$tmp"
status=0
while IFS='|' read -r name cmd; do
    echo "## $name"
    "$build/alloclab" run --runs "$runs" --check-output --no-db --quiet -- sh -c "$cmd" || status=1
    echo
done < programs
echo "($runs runs each, $(nproc) CPUs, $(date -u +%Y-%m-%d); $(uname -m); load: $(cut -d' ' -f1-3 /proc/loadavg); command: sh scripts/whole-programs.sh $runs)"
exit $status
