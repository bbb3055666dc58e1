/*
 * thread.c - threads on clone: pk_thread_create, pk_thread_join,
 * pk_thread_exit.  See include/pakaya.h.
 *
 * Each thread gets one anonymous mapping, low to high:
 *
 *     guard page (PROT_NONE) | stack (PK_THREAD_STACK) | TLS block | struct pk_thread
 *
 * The TLS block is a fresh copy of the PT_TLS template (picolibc's _init_tls,
 * as crt0 does for the main thread); tp points at its start (local-exec, no
 * TCB).  struct pk_thread's tid word is both the PARENT_SETTID and the
 * CHILD_CLEARTID address: the kernel stores the tid there before clone
 * returns and, when the thread ends, stores 0 and does a (shared) futex wake
 * on it; join waits for that and then unmaps the whole region.
 */
#include <errno.h>
#include <string.h>

#include "pakaya.h"

#define PK_PAGE_SIZE 4096u

/* picolibc's TLS template (link.ld) and initialiser (<picotls.h>) */
extern char __tls_size[];
extern char __tls_align[];
void _init_tls(void *tls);

struct pk_thread {
    volatile uint32_t tid; /* != 0 while the thread lives */
    void *(*fn)(void *);
    void *arg;
    void *ret;
    void *map;
    size_t map_size;
};

/* The calling thread's struct pk_thread; NULL in the main thread. */
static __thread struct pk_thread *self;

static size_t round_up(size_t n, size_t align)
{
    return (n + align - 1) & ~(align - 1);
}

static int thread_start(void *p)
{
    struct pk_thread *t = p;
    self = t;
    pk_thread_exit(t->fn(t->arg));
}

int pk_thread_create(pk_thread_t *out, void *(*fn)(void *), void *arg)
{
    size_t tls_align = (size_t)(uintptr_t)__tls_align;
    if (tls_align < 16)
        tls_align = 16;
    size_t tls_size = round_up((size_t)(uintptr_t)__tls_size, tls_align);
    size_t top = round_up(tls_size + sizeof(struct pk_thread), PK_PAGE_SIZE);
    size_t size = PK_PAGE_SIZE + PK_THREAD_STACK + top;

    char *map = mmap(NULL, size, PK_PROT_READ | PK_PROT_WRITE, PK_MAP_PRIVATE | PK_MAP_ANONYMOUS,
                     -1, 0);
    if (map == PK_MAP_FAILED)
        return -1;
    if (mprotect(map, PK_PAGE_SIZE, PK_PROT_NONE) < 0) {
        int e = errno;
        munmap(map, size);
        errno = e;
        return -1;
    }
    char *stack_top = map + PK_PAGE_SIZE + PK_THREAD_STACK;
    char *tls = stack_top; /* page-aligned, so aligned for any TLS */
    struct pk_thread *t = (struct pk_thread *)(tls + tls_size);
    memset(t, 0, sizeof *t);
    t->fn = fn;
    t->arg = arg;
    t->map = map;
    t->map_size = size;
    _init_tls(tls);

    long r = pk_clone_thread(PK_CLONE_THREAD_FLAGS, stack_top, &t->tid, tls, &t->tid, thread_start, t);
    if (PK_IS_ERR(r)) {
        munmap(map, size);
        return (int)pk_ret(r);
    }
    *out = t;
    return 0;
}

int pk_thread_join(pk_thread_t t, void **ret)
{
    if (t == NULL) {
        errno = EINVAL;
        return -1;
    }
    uint32_t tid;
    /* not private: the kernel's CHILD_CLEARTID wake is a shared futex wake */
    while ((tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE)) != 0)
        pk_futex_wait(&t->tid, tid, NULL, 0);
    if (ret != NULL)
        *ret = t->ret;
    munmap(t->map, t->map_size);
    return 0;
}

void pk_thread_exit(void *ret)
{
    struct pk_thread *t = self;
    if (t != NULL)
        __atomic_store_n(&t->ret, ret, __ATOMIC_RELEASE);
    pk_exit_thread(0);
}
