#!/bin/sh
# liballoclab-malloc.so exports exactly the entry points of
# src/malloc/exports.txt (nothing of the registry or lab copy inside it leaks
# into the process), and reaches its thread-locals with initial-exec TLS only
# (no __tls_get_addr, which may allocate; the loader sees STATIC_TLS).
# usage: exports.sh LIBALLOCLAB_MALLOC_SO EXPORTS_TXT
set -eu
so=$1 list=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$so" | awk '$2 ~ /^[TDBRVWiu]$/ {print $3}' | sed 's/@.*//' | sort -u > "$tmp/exported"
sort -u "$list" > "$tmp/wanted"
status=0
extra=$(comm -23 "$tmp/exported" "$tmp/wanted")
missing=$(comm -13 "$tmp/exported" "$tmp/wanted")
[ -z "$extra" ] || { echo "exported but not in exports.txt:"; echo "$extra"; status=1; }
[ -z "$missing" ] || { echo "in exports.txt but not exported:"; echo "$missing"; status=1; }
if nm -D -u "$so" | grep -q '__tls_get_addr'; then echo "imports __tls_get_addr: some TLS is not initial-exec"; status=1; fi
readelf -d "$so" | grep -q 'STATIC_TLS' || { echo "no STATIC_TLS flag"; status=1; }
[ $status -ne 0 ] || echo "malloc exports match: $(wc -l < "$tmp/wanted") symbols, initial-exec TLS only"
exit $status
