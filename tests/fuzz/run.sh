#!/bin/sh
# run.sh FUZZER CORPUS SECONDS: libFuzzer over the committed corpus, then
# SECONDS of fuzzing. New inputs go to a scratch folder (the repository's
# corpus is only read); a crashing input is written to the current folder
# (crash-*), and the run fails.
set -eu
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
exec "$1" -max_total_time="$3" -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=262144 -timeout=20 \
    -print_final_stats=1 "$scratch" "$2"
