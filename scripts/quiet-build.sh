#!/bin/sh
# Run a build step for `make bench` with its output appended to a log: on a
# terminal (stderr), its progress lines ("[ 42%] Building ...") show on one
# line, rewritten in place and cleared at the end; elsewhere nothing shows.
# The step's exit status is this script's.
# usage: quiet-build.sh LOG COMMAND [ARGS...]
log=$1
shift
if [ -t 2 ]; then
    rcfile=$(mktemp) || exit 1
    { "$@" 2>&1; echo $? >"$rcfile"; } | tee -a "$log" |
        awk '/^\[ *[0-9]+%\]/ { printf "\r\033[Kalloclab: %.100s", $0 > "/dev/stderr"; fflush("/dev/stderr") }'
    printf '\r\033[K' >&2
    rc=$(cat "$rcfile")
    rm -f "$rcfile"
    exit "${rc:-1}"
fi
exec "$@" >>"$log" 2>&1
