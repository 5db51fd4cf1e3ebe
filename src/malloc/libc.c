/* libc: glibc's own allocator, reached without dlsym and without ever
 * landing back in the replacement.
 *
 * Inside the replacement, `malloc` is the replacement itself, and so is
 * `__libc_malloc` (it exports both). The registry's backends still need
 * glibc's real allocator (sys calls malloc, arena and pool back onto sys), so
 * the build renames their calls (malloc -> al_libc_malloc, ...; see
 * src/malloc/libc_redirect.txt) and this file answers them by looking the
 * functions up in libc.so.6's own dynamic symbol table: its GNU hash table,
 * found through dl_iterate_phdr. That lookup never allocates, never takes a
 * lock but the loader's (dl_iterate_phdr's), and cannot be interposed by any
 * other library, this one included. dlsym is not used: it allocates its error
 * state with calloc, and RTLD_NEXT would depend on the load order.
 *
 * Guarantees: the al_libc_* functions behave as glibc's malloc, free, calloc,
 * realloc, memalign, posix_memalign, aligned_alloc, malloc_usable_size and
 * malloc_trim. Where libc.so.6 cannot be found (a fully static program), the
 * allocating ones fail with ENOMEM and the others do nothing, so the
 * replacement still runs on lab.
 */
#include "malloc_internal.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* The functions looked up, in the order of the fields of libc_fns. */
static const char *const libc_names[] = {
    "malloc", "free", "calloc", "realloc", "memalign", "malloc_usable_size", "malloc_trim",
};

static struct libc_fns {
    void *(*malloc)(size_t);
    void (*free)(void *);
    void *(*calloc)(size_t, size_t);
    void *(*realloc)(void *, size_t);
    void *(*memalign)(size_t, size_t);
    size_t (*usable_size)(void *);
    int (*trim)(size_t);
} libc;

/* 0: not looked up yet; 1: looked up (found or not). Written once the
 * pointers are stored, so a reader that sees 1 sees them. */
static atomic_int libc_ready;

/* ----------------------------------------------------------------------------
 * The lookup: one ELF object's GNU hash table, as the dynamic loader reads it.
 * ------------------------------------------------------------------------- */
typedef struct elf_view {
    const ElfW(Sym) *symtab;
    const char *strtab;
    const uint32_t *gnu_hash;
    const ElfW(Half) *versym; /* NULL when the object has no versions */
} elf_view;

static uint32_t gnu_hash_of(const char *s)
{
    uint32_t h = 5381;
    for (; *s; s++) h = h * 33 + (unsigned char)*s;
    return h;
}

/* The default (non-hidden) definition of `name` in the object, or NULL. */
static void *elf_find(const elf_view *v, ElfW(Addr) base, const char *name)
{
    const uint32_t *h = v->gnu_hash;
    uint32_t nbuckets = h[0], symoffset = h[1], bloom_size = h[2];
    const ElfW(Addr) *bloom = (const ElfW(Addr) *)(const void *)&h[4];
    const uint32_t *buckets = (const uint32_t *)(const void *)&bloom[bloom_size];
    const uint32_t *chain = &buckets[nbuckets];
    if (nbuckets == 0) return NULL;
    uint32_t hash = gnu_hash_of(name);
    for (uint32_t i = buckets[hash % nbuckets]; i >= symoffset; i++) {
        uint32_t h2 = chain[i - symoffset];
        const ElfW(Sym) *s = &v->symtab[i];
        int type = (s->st_info & 0xf) /* ELF_ST_TYPE, the same for 32 and 64 bits */;
        if ((hash | 1) == (h2 | 1) && strcmp(v->strtab + s->st_name, name) == 0 &&
            s->st_shndx != SHN_UNDEF && type == STT_FUNC && !(v->versym && (v->versym[i] & 0x8000)))
            return (void *)(base + s->st_value);
        if (h2 & 1) break; /* the end of this bucket's chain */
    }
    return NULL;
}

/* The loader relocates most d_ptr entries in place; some ports do not. */
static const void *dyn_ptr(ElfW(Addr) base, ElfW(Addr) p)
{
    return (const void *)(p < base ? p + base : p);
}

static int is_libc(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    return strncmp(name, "libc.so.", 8) == 0;
}

static int find_in_object(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    if (!info->dlpi_name || !is_libc(info->dlpi_name)) return 0;
    const ElfW(Dyn) *dyn = NULL;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++)
        if (info->dlpi_phdr[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    if (!dyn) return 0;
    elf_view v = {0};
    for (; dyn->d_tag != DT_NULL; dyn++) {
        const void *p = dyn_ptr(info->dlpi_addr, dyn->d_un.d_ptr);
        if (dyn->d_tag == DT_SYMTAB) v.symtab = p;
        else if (dyn->d_tag == DT_STRTAB) v.strtab = p;
        else if (dyn->d_tag == DT_GNU_HASH) v.gnu_hash = p;
        else if (dyn->d_tag == DT_VERSYM) v.versym = p;
    }
    if (!v.symtab || !v.strtab || !v.gnu_hash) return 0;
    void *found[sizeof libc_names / sizeof libc_names[0]];
    for (size_t i = 0; i < sizeof libc_names / sizeof libc_names[0]; i++) {
        found[i] = elf_find(&v, info->dlpi_addr, libc_names[i]);
        if (!found[i]) return 0; /* all or none: never half glibc */
    }
    memcpy(&libc, found, sizeof libc);
    return 1;
}

static void libc_lookup(void)
{
    if (atomic_load_explicit(&libc_ready, memory_order_acquire)) return;
    /* Two threads may both look up: they store the same values. */
    dl_iterate_phdr(find_in_object, NULL);
    atomic_store_explicit(&libc_ready, 1, memory_order_release);
}

bool al_libc_available(void)
{
    libc_lookup();
    return libc.malloc != NULL;
}

/* ----------------------------------------------------------------------------
 * glibc's functions, under the names the redirected registry calls.
 * ------------------------------------------------------------------------- */
#define READY() (atomic_load_explicit(&libc_ready, memory_order_acquire) || (libc_lookup(), 1))

static void *no_memory(void)
{
    errno = ENOMEM;
    return NULL;
}

void *al_libc_malloc(size_t size)
{
    READY();
    return libc.malloc ? libc.malloc(size) : no_memory();
}

void al_libc_free(void *ptr)
{
    READY();
    if (libc.free) libc.free(ptr);
}

void *al_libc_calloc(size_t n, size_t size)
{
    READY();
    return libc.calloc ? libc.calloc(n, size) : no_memory();
}

void *al_libc_realloc(void *ptr, size_t size)
{
    READY();
    return libc.realloc ? libc.realloc(ptr, size) : no_memory();
}

void *al_libc_memalign(size_t align, size_t size)
{
    READY();
    return libc.memalign ? libc.memalign(align, size) : no_memory();
}

void *al_libc_aligned_alloc(size_t align, size_t size)
{
    return al_libc_memalign(align, size);
}

int al_libc_posix_memalign(void **out, size_t align, size_t size)
{
    if (!al_is_pow2(align) || align % sizeof(void *) != 0) return EINVAL;
    int saved = errno;
    void *p = al_libc_memalign(align, size);
    errno = saved;
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

size_t al_libc_usable_size(void *ptr)
{
    READY();
    return libc.usable_size ? libc.usable_size(ptr) : 0;
}

int al_libc_trim(size_t pad)
{
    READY();
    return libc.trim ? libc.trim(pad) : 0;
}
