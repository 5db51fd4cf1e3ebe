#!/bin/sh
# The manual page: made at build time from the commands' own help texts,
# it names every command and the options their --help shows, renders with
# man(1) where it is installed, and `cmake --install` puts it in man1.
# usage: manpage.sh BUILD_DIR ALLOCLAB
set -eu
build=$1 cli=$2
page="$build/alloclab.1"
[ -s "$page" ] || { echo "no $page"; exit 1; }
head -n 1 "$page" | grep -q '^\.TH ALLOCLAB 1' || { echo "not a section-1 page"; exit 1; }
for cmd in $("$cli" --help | awk '/^commands:/ {f=1; next} f && NF {print $1}'); do
    grep -q "^\.SH \"alloclab $cmd\"" "$page" || { echo "the page has no section for '$cmd'"; exit 1; }
    # every long option of the command's --help is on the page
    for opt in $("$cli" "$cmd" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
        esc=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
        grep -q -- "$esc" "$page" || { echo "'$cmd $opt' is missing from the page"; exit 1; }
    done
done
if command -v man >/dev/null 2>&1 && command -v groff >/dev/null 2>&1; then
    MANWIDTH=100 man -l "$page" 2>/dev/null | grep -q -- "--wide" || { echo "man cannot render the page"; exit 1; }
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp" >/dev/null
[ -f "$tmp/share/man/man1/alloclab.1" ] || { echo "make install does not install alloclab.1"; exit 1; }
echo "the manual page covers every command"
