#!/bin/sh
# Every public header compiles as C++ (alone, so each includes what it
# needs), and the README's C example builds and runs as a C++ program
# against the library: a C++ caller gets the same API.
# usage: cxx_headers.sh CXX SOURCE_DIR LIBALLOCLAB_SO
set -eu
cxx=$1 src=$2 lib=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for h in "$src"/include/alloclab/*.h; do
    name=$(basename "$h")
    printf '#include <alloclab/%s>\n' "$name" > "$tmp/one.cpp"
    "$cxx" -std=c++17 -Wall -Wextra -Werror -pedantic-errors -fsyntax-only -I"$src/include" "$tmp/one.cpp" ||
        { echo "$name does not compile as C++"; exit 1; }
    n=$((n + 1))
done
awk '/^```c$/ {f=1; next} /^```/ {f=0} f' "$src/README.md" > "$tmp/example.cpp"
[ -s "$tmp/example.cpp" ] || { echo "no \`\`\`c block in README.md"; exit 1; }
link="$lib -Wl,-rpath,$(dirname "$lib")"
"$cxx" -std=c++17 -Wall -Wextra -Werror -I"$src/include" "$tmp/example.cpp" $link -o "$tmp/example" ||
    { echo "the README example does not build as C++"; exit 1; }
"$tmp/example" | grep -q "1000 squares, sum 333833500" || { echo "the C++ build of the README example misbehaves"; exit 1; }
# Every typed macro, used from C++.
cat > "$tmp/macros.cpp" <<'CPP'
#include <alloclab/alloclab.h>
#include <cstdio>
int main()
{
    al_allocator *a = al_create("arena", nullptr);
    if (!a) return 1;
    long *xs = AL_NEW(a, long, 4);
    xs = AL_RESIZE(a, xs, long, 4, 8);
    AL_DELETE(a, xs, long, 8);
    al_vec v;
    AL_VEC_WITH_CAPACITY(&v, a, int, 2);
    const int more[] = {3, 4};
    if (!AL_VEC_PUSH(&v, int, 1) || !AL_VEC_PUSH(&v, int, 2) || !AL_VEC_EXTEND(&v, int, more, 2)) return 1;
    int last = 0, second = 0;
    if (!AL_VEC_POP(&v, int, &last) || !AL_VEC_GET(&v, int, 1, &second)) return 1;
    AL_SMALLVEC(int, 2) s;
    AL_SMALLVEC_INIT(&s, a);
    for (int i = 0; i < 5; i++)
        if (!AL_SMALLVEC_PUSH(&s, int, i)) return 1;
    int top = 0;
    AL_SMALLVEC_POP(&s, int, &top);
    std::printf("%d %d %zu %d %zu\n", last, second, AL_VEC_LEN(&v), top, AL_SMALLVEC_LEN(&s));
    al_smallvec_free(&s.sv);
    al_vec_free(&v);
    al_destroy(a);
    return 0;
}
CPP
"$cxx" -std=c++17 -Wall -Wextra -Werror -I"$src/include" "$tmp/macros.cpp" $link -o "$tmp/macros" ||
    { echo "the typed macros do not build as C++"; exit 1; }
[ "$("$tmp/macros")" = "4 2 3 4 4" ] || { echo "the typed macros misbehave in C++: $("$tmp/macros")"; exit 1; }
echo "$n public headers and the README example compile as C++"
