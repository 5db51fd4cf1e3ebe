#!/bin/sh
# liballoclab.so exports exactly the functions the public headers declare
# with AL_API: nothing internal leaks, nothing declared is missing.
# usage: exports.sh LIBALLOCLAB_SO INCLUDE_DIR
set -eu
so=$1 inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u > "$tmp/exported"
# AL_API <type> name(  -> name (declarations keep AL_API and the name on one line)
grep -h '^AL_API ' "$inc"/alloclab/*.h | sed -E 's/\(.*//; s/.*[ *]([A-Za-z_][A-Za-z0-9_]*)$/\1/' | sort -u > "$tmp/declared"
[ -s "$tmp/declared" ] || { echo "no AL_API declaration found in $inc/alloclab"; exit 1; }
status=0
extra=$(comm -23 "$tmp/exported" "$tmp/declared")
missing=$(comm -13 "$tmp/exported" "$tmp/declared")
[ -z "$extra" ] || { echo "exported but not declared AL_API in include/alloclab:"; echo "$extra"; status=1; }
[ -z "$missing" ] || { echo "declared AL_API but not exported:"; echo "$missing"; status=1; }
[ $status -ne 0 ] || echo "exports match: $(wc -l < "$tmp/declared") symbols"
exit $status
