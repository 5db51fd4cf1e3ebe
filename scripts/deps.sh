#!/bin/sh
# Make sure the Debian packages alloclab builds against are here. As root with
# apt-get, install what is missing (and say so); otherwise print the exact
# command and go on: the build then leaves out what it cannot find.
set -u
required="cmake pkg-config libsqlite3-dev libjansson-dev libzstd-dev"
optional="ninja-build libunwind-dev libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev libcmocka-dev valgrind libxml2-utils libxml2-dev python3-minimal tcl xz-utils sqlite3 mawk time chromium clang libclang-rt-14-dev"

missing=""
for pkg in $required $optional; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "alloclab: installing missing packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    if apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
        exit 0
    fi
    echo "alloclab: apt-get could not install:$missing" >&2
else
    echo "alloclab: missing packages:$missing" >&2
    echo "alloclab: install them with: sudo apt-get install$missing" >&2
fi
for pkg in $required; do
    case " $missing " in *" $pkg "*) echo "alloclab: $pkg is required to build" >&2; exit 1 ;; esac
done
exit 0
