// C++ allocation reaches the replacement through libstdc++'s operator new and
// delete, which call malloc and free (and aligned_alloc for over-aligned
// types): the replacement's own heap figures see every new, and every kind of
// delete (sized, array, aligned) gives the blocks back. Prints "cxx ok (SPEC)".
#include <malloc.h>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <vector>

extern "C" const char *alloclab_malloc_spec(void) __attribute__((weak));

struct alignas(256) Wide {
    unsigned char bytes[300];
};

static int failures;
// Results go through here: a compiler may drop a new/delete pair it can see whole.
static void *volatile sink;
#define CHECK(c) do { if (!(c)) { std::printf("failed: %s (line %d)\n", #c, __LINE__); failures++; } } while (0)

int main()
{
    CHECK(alloclab_malloc_spec != nullptr);
    const size_t mib = 1 << 20;
    size_t before = mallinfo2().uordblks;
    char *big = new char[mib];
    sink = big;
    std::memset(big, 7, mib);
    CHECK(mallinfo2().uordblks >= before + mib); // new went through the replacement's malloc
    delete[] big;
    CHECK(mallinfo2().uordblks < before + mib);  // and delete[] through its free

    Wide *w = new Wide;
    sink = w;
    CHECK(reinterpret_cast<std::uintptr_t>(w) % 256 == 0);
    std::memset(w, 1, sizeof *w);
    delete w; // sized, aligned delete
    Wide *ws = new Wide[10];
    sink = ws;
    CHECK(reinterpret_cast<std::uintptr_t>(ws) % 256 == 0);
    delete[] ws;

    std::vector<std::string> v;
    std::map<int, std::unique_ptr<int>> m;
    size_t expect = 0;
    for (int i = 0; i < 100000; i++) {
        v.push_back(std::to_string(i) + std::string(i % 50, 'x'));
        expect += std::to_string(i).size() + i % 50;
        m[i % 5000] = std::make_unique<int>(i);
    }
    size_t total = 0;
    for (const auto &s : v) total += s.size();
    CHECK(total == expect);
    CHECK(*m[4999] == 99999);

    int *nothrow = new (std::nothrow) int[16];
    sink = nothrow;
    CHECK(nothrow != nullptr);
    delete[] nothrow;
    bool threw = false;
    try {
        volatile size_t huge = SIZE_MAX / 2;
        char *p = new char[huge];
        sink = p;
        delete[] p;
    } catch (const std::bad_alloc &) {
        threw = true;
    }
    CHECK(threw); // exhaustion reaches new as bad_alloc, not a crash
    std::printf("cxx %s (%s)\n", failures ? "FAILED" : "ok", alloclab_malloc_spec ? alloclab_malloc_spec() : "glibc");
    return failures != 0;
}
