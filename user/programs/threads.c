/*
 * threads.c - pk_thread_create / pk_thread_join / pk_thread_exit and the
 * futex mutex.
 *
 * Checks: NTHREADS threads run at once, each with its own stack and TLS
 * (errno set in one thread is not seen by another), its own tid (!= the
 * process id, which all share); every thread adds to a shared counter under a
 * pk_mutex_t (the total must be exact); results come back through join, both
 * by returning from the thread function and by pk_thread_exit from a nested
 * call; a thread can create and join a thread of its own.
 *
 *   threads [n]    n threads (1..16, default 4)
 *
 * Output: one line per thread "thread i: sum=<...> ret=<...>", then the
 * counter and "threads ok"; exit 0 (1 if a check fails, 2 on a bad argument).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "pakaya.h"

#define MAX_THREADS 16
#define INCREMENTS 2000

struct work {
    int index;
    uint32_t sum;     /* written by the thread */
    int errno_kept;   /* 1 if the thread's errno survived the others' */
    int tid_differs;  /* 1 if gettid() != getpid() in the thread */
    pid_t tid;
};

static pk_mutex_t counter_lock = PK_MUTEX_INIT;
static uint32_t counter;

static uint32_t sum_of_squares(uint32_t from, uint32_t to)
{
    uint32_t s = 0;
    for (uint32_t i = from; i < to; i++)
        s += i * i;
    return s;
}

/* Ends the thread from a nested call: join must still see the value. */
static void __attribute__((noinline, noreturn)) finish(struct work *w)
{
    pk_thread_exit((void *)(uintptr_t)(1000 + w->index));
}

static void *child_of_child(void *arg)
{
    return (void *)((uintptr_t)arg * 2);
}

static void *worker(void *arg)
{
    struct work *w = arg;
    w->tid = pk_gettid();
    w->tid_differs = w->tid != getpid();
    for (int i = 0; i < INCREMENTS; i++) {
        pk_mutex_lock(&counter_lock);
        counter++;
        pk_mutex_unlock(&counter_lock);
        if (i % 256 == 0)
            sched_yield();
    }
    /* errno is per thread: the others' failing futex waits must not change ours */
    errno = 100 + w->index;
    for (int i = 0; i < 20; i++)
        sched_yield();
    w->sum = sum_of_squares((uint32_t)w->index * 1000u, (uint32_t)w->index * 1000u + 1000u);
    w->errno_kept = errno == 100 + w->index;
    if (w->index == 0) {
        /* a thread that starts and joins its own thread */
        pk_thread_t t;
        void *r = NULL;
        if (pk_thread_create(&t, child_of_child, (void *)21) == 0 && pk_thread_join(t, &r) == 0)
            w->sum += (uint32_t)(uintptr_t)r; /* + 42 */
    }
    if (w->index % 2 == 1)
        finish(w);
    return (void *)(uintptr_t)(2000 + w->index);
}

int main(int argc, char **argv)
{
    int n = 4;
    if (argc > 1) {
        n = atoi(argv[1]);
        if (n < 1 || n > MAX_THREADS) {
            fprintf(stderr, "threads: n must be 1..%d\n", MAX_THREADS);
            return 2;
        }
    }
    static struct work work[MAX_THREADS];
    pk_thread_t t[MAX_THREADS];
    errno = 7;
    for (int i = 0; i < n; i++) {
        work[i].index = i;
        if (pk_thread_create(&t[i], worker, &work[i]) != 0) {
            printf("thread %d: create failed, errno %d\n", i, errno);
            return 1;
        }
    }
    for (int i = 0; i < n; i++) {
        void *ret = NULL;
        CHECK(pk_thread_join(t[i], &ret) == 0);
        uintptr_t want = (i % 2 == 1 ? 1000u : 2000u) + (uintptr_t)i;
        CHECK((uintptr_t)ret == want);
        uint32_t want_sum = sum_of_squares((uint32_t)i * 1000u, (uint32_t)i * 1000u + 1000u) +
                            (i == 0 ? 42u : 0u);
        CHECK(work[i].sum == want_sum);
        CHECK(work[i].errno_kept);
        CHECK(work[i].tid_differs);
        for (int j = 0; j < i; j++)
            CHECK(work[j].tid != work[i].tid);
        printf("thread %d: sum=%lu ret=%lu\n", i, (unsigned long)work[i].sum,
               (unsigned long)ret);
    }
    CHECK(errno == 7); /* the main thread's errno was not touched */
    CHECK(counter == (uint32_t)n * INCREMENTS);
    printf("counter: %lu (want %lu)\n", (unsigned long)counter, (unsigned long)n * INCREMENTS);
    CHECK(pk_thread_join(NULL, NULL) == -1 && errno == EINVAL);
    puts(check_failures == 0 ? "threads ok" : "threads FAILED");
    return check_status();
}
