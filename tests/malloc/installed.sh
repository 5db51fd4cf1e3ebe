#!/bin/sh
# The replacement as installed by `make install`: a program linked with
# `cc prog.c $(pkg-config --libs alloclab-malloc)` (the README's line) is
# served by it, and the installed liballoclab-malloc.so serves a preloaded
# program.
# usage: installed.sh BUILD_DIR
set -eu
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
pc=$(dirname "$(find "$tmp/prefix" -name alloclab-malloc.pc | head -n 1)")
so=$(find "$tmp/prefix" -name liballoclab-malloc.so | head -n 1)
[ -n "$so" ] || { echo "liballoclab-malloc.so is not installed"; exit 1; }
cat > "$tmp/prog.c" <<'PROG'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
extern const char *alloclab_malloc_spec(void) __attribute__((weak));
int main(void)
{
    char *s = malloc(64);
    if (!s || !alloclab_malloc_spec) return 1;
    strcpy(s, alloclab_malloc_spec());
    printf("served by %s\n", s);
    free(s);
    return 0;
}
PROG
cd "$tmp"
cc -Wall -Wextra -Werror prog.c $(PKG_CONFIG_PATH="$pc" pkg-config --libs alloclab-malloc) -o prog
echo "static: $(./prog)"
cc -Wall -Wextra -Werror prog.c -o plain
echo "preload: $(LD_PRELOAD="$so" ./plain)"
