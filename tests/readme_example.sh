#!/bin/sh
# The README's C example, compiled against an installed copy of alloclab with
# pkg-config exactly as the README says, then run.
# usage: readme_example.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1 src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
awk '/^```c$/ {n++; f=1; next} /^```/ {f=0} f' "$src/README.md" > "$tmp/example.c"
[ -s "$tmp/example.c" ] || { echo "no \`\`\`c block in README.md"; exit 1; }
[ "$(grep -c '^```c$' "$src/README.md")" = 1 ] || { echo "README.md must hold exactly one \`\`\`c block"; exit 1; }
pc=$(dirname "$(find "$tmp/prefix" -name alloclab.pc | head -n 1)")
# The .pc file's paths are clean: no "//", no trailing "/".
for var in prefix libdir includedir; do
    v=$(PKG_CONFIG_PATH="$pc" pkg-config --variable=$var alloclab)
    case "$v" in *//*|*/) echo "alloclab.pc: $var is not normalised: $v"; exit 1;; esac
done
cd "$tmp"
cc -Wall -Wextra -Werror example.c $(PKG_CONFIG_PATH="$pc" pkg-config --cflags --libs alloclab) -o example
./example
