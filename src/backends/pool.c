/* pool: segregated free lists of fixed-size blocks, O(1) both ways.
 *
 * A request is first rounded up to its alignment. Up to AL_POOL_MAX_SMALL
 * bytes it is served from one of 20 size classes:
 *     16 32 48 64 80 96 112 128     (step 16: at most 15 bytes wasted)
 *     160 192 224 256               (step 32)
 *     320 384 448 512               (step 64)
 *     640 768 896 1024              (step 128)
 * Above 128 bytes a block wastes under 20% of its class (four classes per
 * doubling). Each class has a LIFO free list threaded through its free
 * blocks and carves new blocks from 64 KiB pages of the backing allocator
 * (option backing, default the shared sys handle). Blocks carry no header:
 * a sized free finds the class again from (size, align).
 *
 * Pages are 4 KiB-aligned and a class's blocks sit at multiples of its size
 * from the page start, so a block is aligned to the largest power of two
 * dividing its class size; rounding the request up to its alignment first
 * always lands on a class that honours it. Larger requests (and so larger
 * alignments) go to the backing allocator behind a small header that links
 * them, so reset and destroy can return them too. Not thread-safe.
 *
 * Uncarved page space and free blocks are marked for ASan and memcheck
 * (poison.h); a block handed out is accessible for its whole class size
 * (its usable size). Page footers stay accessible; a page goes back to
 * backing accessible, as it came.
 */
#include "alloclab/backends.h"
#include "internal.h"
#include "poison.h"

#include <stdlib.h>

#define NCLASSES 20
#define PAGE_ALIGN ((size_t)4096)
#define POOL_CAPS (AL_CAP_FREES | AL_CAP_RESET)

static const uint16_t class_size[NCLASSES] = {
    16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 640, 768, 896, 1024,
};

/* The class of a request of s bytes (1 <= s <= 1024, already rounded to its
 * alignment), from the layout above: step 16 up to 128, then four classes per
 * doubling. A constant expression, so the lookup table below is built by the
 * compiler, not by each instance. */
#define CLASS_OF_SIZE(s)                    \
    ((s) <= 16    ? 0                       \
     : (s) <= 128 ? ((s) + 15) / 16 - 1     \
     : (s) <= 256 ? 8 + ((s) - 129) / 32    \
     : (s) <= 512 ? 12 + ((s) - 257) / 64   \
                  : 16 + ((s) - 513) / 128)
#define CLASS_AT(i) CLASS_OF_SIZE((i) * 16)
#define CLASS_AT4(i) CLASS_AT(i), CLASS_AT((i) + 1), CLASS_AT((i) + 2), CLASS_AT((i) + 3)
#define CLASS_AT16(i) CLASS_AT4(i), CLASS_AT4((i) + 4), CLASS_AT4((i) + 8), CLASS_AT4((i) + 12)

/* class_of[i]: the class of the sizes 16i-15 .. 16i (entry 0 is unused). */
static const uint8_t class_of[AL_POOL_MAX_SMALL / 16 + 1] = {
    CLASS_AT16(0), CLASS_AT16(16), CLASS_AT16(32), CLASS_AT16(48), CLASS_AT(64),
};
_Static_assert(CLASS_OF_SIZE(AL_POOL_MAX_SMALL) == NCLASSES - 1, "the largest size has the last class");

/* A free block: the link lives in the block's first bytes. */
typedef struct free_block {
    struct free_block *next;
} free_block;

/* The last bytes of every page link it into the pool's page lists; blocks are
 * carved only from the bytes before it. */
typedef struct page_footer {
    struct page_footer *next;
} page_footer;

#define PAGE_SPACE (AL_POOL_PAGE_SIZE - sizeof(page_footer))

/* The header just before a large block: a ring through every large block,
 * and what backing needs to take the block back. */
typedef struct big {
    struct big *prev, *next;
    size_t raw_size;    /* bytes requested from backing (header and padding included) */
    size_t off;         /* block - raw: the backing alignment, at least BIG_MIN_ALIGN */
} big;

#define BIG_MIN_ALIGN ((size_t)sizeof(big))
_Static_assert((BIG_MIN_ALIGN & (BIG_MIN_ALIGN - 1)) == 0, "a header-sized offset is an alignment");

typedef struct pool {
    al_allocator handle;
    free_block *free[NCLASSES];  /* LIFO free list of each class */
    uintptr_t carve[NCLASSES];   /* next uncarved byte of the class's current page */
    uintptr_t carve_end[NCLASSES]; /* end of its carvable space (carve == carve_end: none) */
    page_footer *pages;          /* pages handed to classes */
    page_footer *spare;          /* pages back from a reset, not yet handed out */
    size_t npages;               /* pages held from backing (both lists) */
    big bigs;                    /* ring sentinel of the large blocks */
    al_allocator *backing;       /* where pages and large blocks come from; not owned */
} pool;

static size_t round_up(size_t size, size_t align) { return (size + align - 1) & ~(align - 1); }
static page_footer *footer_of(void *page) { return (page_footer *)((char *)page + PAGE_SPACE); }
static void *page_of(page_footer *f) { return (char *)f - PAGE_SPACE; }

/* ----------------------------------------------------------------------------
 * Large blocks: [header padding | big header][block], from backing with
 * alignment max(align, header size) so the offset keeps the block aligned.
 * ------------------------------------------------------------------------- */
static size_t big_align(size_t align) { return align > BIG_MIN_ALIGN ? align : BIG_MIN_ALIGN; }
static big *header_of(void *block) { return (big *)block - 1; }

static void *big_link(pool *p, void *raw, size_t raw_size, size_t off)
{
    void *block = (char *)raw + off;
    big *h = header_of(block);
    h->raw_size = raw_size;
    h->off = off;
    h->prev = &p->bigs;
    h->next = p->bigs.next;
    p->bigs.next->prev = h;
    p->bigs.next = h;
    return block;
}

static void big_unlink(big *h)
{
    h->prev->next = h->next;
    h->next->prev = h->prev;
}

static void *big_allocate(pool *p, size_t size, size_t align, bool zero)
{
    size_t off = big_align(align);
    void *raw = zero ? al_allocate_zeroed(p->backing, size + off, off)
                     : al_allocate(p->backing, size + off, off);
    return raw ? big_link(p, raw, size + off, off) : NULL;
}

static void big_free(pool *p, big *h)
{
    big_unlink(h);
    al_deallocate(p->backing, (char *)(h + 1) - h->off, h->raw_size, h->off);
}

/* Resize a large block through backing's grow/shrink; the header moves with
 * the bytes, so it is relinked wherever the block ends up. */
static void *big_resize(pool *p, void *block, size_t old_size, size_t new_size, size_t align)
{
    size_t off = big_align(align);
    big_unlink(header_of(block));
    void *raw = (char *)block - off;
    void *q = al_resize(p->backing, raw, old_size + off, new_size + off, off);
    if (!q) {
        big_link(p, raw, old_size + off, off);
        return NULL;
    }
    return big_link(p, q, new_size + off, off);
}

/* ----------------------------------------------------------------------------
 * Pages and carving (the slow path of small allocation).
 * ------------------------------------------------------------------------- */
static __attribute__((noinline)) void *pool_refill(pool *p, unsigned c)
{
    size_t cs = class_size[c];
    if (p->carve_end[c] - p->carve[c] < cs) {
        page_footer *f = p->spare;
        if (f) {
            p->spare = f->next;
        } else {
            void *page = al_allocate(p->backing, AL_POOL_PAGE_SIZE, PAGE_ALIGN);
            if (!page) return NULL;
            f = footer_of(page);
            p->npages++;
            al_mem_noaccess(page, PAGE_SPACE);
        }
        f->next = p->pages;
        p->pages = f;
        p->carve[c] = (uintptr_t)page_of(f);
        p->carve_end[c] = (uintptr_t)f;
    }
    void *b = (void *)p->carve[c];
    p->carve[c] += cs;
    al_mem_undefined(b, cs);
    return b;
}

static void return_pages(pool *p, page_footer *f)
{
    while (f) {
        page_footer *next = f->next;
        al_mem_undefined(page_of(f), PAGE_SPACE);
        al_deallocate(p->backing, page_of(f), AL_POOL_PAGE_SIZE, PAGE_ALIGN);
        p->npages--;
        f = next;
    }
}

/* ----------------------------------------------------------------------------
 * Operations. (size, align) picks the same route and class on the way in and
 * on the way out, so no block needs a header.
 * ------------------------------------------------------------------------- */
static unsigned class_for(size_t rounded) { return class_of[(rounded + 15) >> 4]; }

static void *pool_allocate(void *st, size_t size, size_t align)
{
    pool *p = st;
    size_t rs = round_up(size, align);
    if (rs > AL_POOL_MAX_SMALL) return big_allocate(p, size, align, false);
    unsigned c = class_for(rs);
    free_block *b = p->free[c];
    if (!b) return pool_refill(p, c);
    al_mem_defined(b, sizeof *b);
    p->free[c] = b->next;
    al_mem_undefined(b, class_size[c]);
    return b;
}

static void pool_deallocate(void *st, void *ptr, size_t size, size_t align)
{
    pool *p = st;
    size_t rs = round_up(size, align);
    if (rs > AL_POOL_MAX_SMALL) {
        big_free(p, header_of(ptr));
        return;
    }
    unsigned c = class_for(rs);
    free_block *b = ptr;
    b->next = p->free[c];
    p->free[c] = b;
    al_mem_noaccess(b, class_size[c]);
}

static void *pool_zeroed(void *st, size_t size, size_t align)
{
    pool *p = st;
    if (round_up(size, align) > AL_POOL_MAX_SMALL) return big_allocate(p, size, align, true);
    void *b = pool_allocate(p, size, align);
    if (b) memset(b, 0, size);
    return b;
}

/* Grow and shrink stay in place within a class, go through backing between
 * two large sizes, and otherwise move (keeping min(old, new) bytes). A block
 * must never stay put across classes: its free would then name the wrong
 * class. So a failed move is NULL, the old block untouched. */
static void *pool_resize(pool *p, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    size_t ro = round_up(old_size, align), rn = round_up(new_size, align);
    if (ro > AL_POOL_MAX_SMALL && rn > AL_POOL_MAX_SMALL)
        return big_resize(p, ptr, old_size, new_size, align);
    if (ro <= AL_POOL_MAX_SMALL && rn <= AL_POOL_MAX_SMALL && class_for(ro) == class_for(rn))
        return ptr;
    void *q = pool_allocate(p, new_size, align);
    if (!q) return NULL;
    memcpy(q, ptr, old_size < new_size ? old_size : new_size);
    pool_deallocate(p, ptr, old_size, align);
    return q;
}

static void *pool_grow(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    return pool_resize(st, ptr, old_size, new_size, align);
}

static void *pool_shrink(void *st, void *ptr, size_t old_size, size_t new_size, size_t align)
{
    return pool_resize(st, ptr, old_size, new_size, align);
}

static size_t pool_usable(void *st, const void *ptr, size_t size, size_t align)
{
    pool *p = st;
    size_t rs = round_up(size, align);
    if (rs <= AL_POOL_MAX_SMALL) return class_size[class_for(rs)];
    size_t off = big_align(align);
    return al_usable_size(p->backing, (const char *)ptr - off, size + off, off) - off;
}

/* Every large block back to backing; every page back to carving. */
static void pool_reset(void *st)
{
    pool *p = st;
    while (p->bigs.next != &p->bigs) big_free(p, p->bigs.next);
    while (p->pages) {
        page_footer *f = p->pages;
        al_mem_noaccess(page_of(f), PAGE_SPACE);
        p->pages = f->next;
        f->next = p->spare;
        p->spare = f;
    }
    memset(p->free, 0, sizeof p->free);
    memset(p->carve, 0, sizeof p->carve);
    memset(p->carve_end, 0, sizeof p->carve_end);
}

static void pool_destroy(void *st)
{
    pool *p = st;
    pool_reset(p);
    return_pages(p, p->spare);
    free(p);
}

static const al_vtable pool_vt = {
    .allocate = pool_allocate,
    .deallocate = pool_deallocate,
    .grow = pool_grow,
    .shrink = pool_shrink,
    .allocate_zeroed = pool_zeroed,
    .reset = pool_reset,
    .usable_size = pool_usable,
    .destroy = pool_destroy,
};

/* ----------------------------------------------------------------------------
 * Construction and counters. No page is taken before the first request, and
 * creating one is a single libc block: no table, no backing to make.
 * ------------------------------------------------------------------------- */
static al_allocator *pool_create(const al_options *opts)
{
    pool *p = al_instance_alloc(sizeof *p, "pool");
    if (!p) return NULL;
    *p = (pool){
        .handle = {.state = p, .vt = &pool_vt, .caps = POOL_CAPS},
        .backing = opts->backing ? opts->backing : al_sys_shared(),
    };
    p->bigs.prev = p->bigs.next = &p->bigs;
    return &p->handle;
}

size_t al_pool_page_count(const al_allocator *a)
{
    const pool *p = al_state_if(a, &pool_vt);
    return p ? p->npages : 0;
}

const al_backend_desc al_backend_pool = {
    .name = "pool",
    .description = "segregated free lists of fixed-size blocks up to 1 KiB, O(1) both ways",
    .caps = POOL_CAPS,
    .create = pool_create,
};
