/*
 * sync.c - libpakaya's futex-based synchronisation under real threads:
 * pk_mutex_t, pk_cond_t, pk_sem_t, pk_barrier_t, and PK_SYNC_SHARED objects
 * in MAP_SHARED memory used by two processes (fork).
 *
 * Checks (each can fail, and a lost wakeup shows as a timeout, not a hang,
 * wherever the API allows a timed wait):
 *   mutex    4 threads x 5000 read-yield-write increments of a plain counter
 *            under the mutex: the total is exact and nobody is ever inside
 *            together; trylock EBUSY, timedlock ETIMEDOUT then success once
 *            the holder lets go; EINVAL for a bad flag or deadline.
 *   cond     3 producers x 2000 items through a bounded queue of 4 slots
 *            (two condition variables) to 2 consumers: every item is taken
 *            exactly once and, per producer, in the order it was put; a
 *            broadcast releases all 4 waiters, 20 rounds (private: requeue);
 *            timedwait ETIMEDOUT with the mutex held again; EINVAL for a
 *            shared condvar with a private mutex.
 *   sem      counting, trywait EAGAIN, timedwait ETIMEDOUT (and success when
 *            posted in time), post EOVERFLOW, EINVAL; a ping-pong of two
 *            threads, 2000 turns, in strict alternation; 2 permits among 6
 *            threads never let 3 in.
 *   barrier  4 threads, 50 cycles: nobody passes before all arrived, exactly
 *            one PK_BARRIER_SERIAL_THREAD per cycle; EINVAL for count 0.
 *   shared   PK_SYNC_SHARED mutex, semaphores and condition variable on a
 *            MAP_SHARED page, between a process and its fork child: an exact
 *            counter, a 500-turn ping-pong, a signal across processes.
 *
 *   sync
 *
 * Output: one line per group of checks (no times, pids or interleavings),
 * then "sync ok"; exit 0 (1 if a check fails).  The same under qemu-riscv32
 * (threads on host cores) as under Pakaya (test/golden/sync.out).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "check.h"
#include "pakaya.h"

#define MS 1000000ull
#define LONG_WAIT (5000 * MS) /* a deadline that only a lost wakeup reaches */

static uint64_t now_ns(void)
{
    return pk_monotonic_ns();
}

static uint64_t deadline_ns(const struct pk_timespec64 *t)
{
    return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

static void start(pk_thread_t *t, void *(*fn)(void *), void *arg)
{
    if (pk_thread_create(t, fn, arg) != 0) {
        printf("FAIL: pk_thread_create: errno %d\n", errno);
        exit(1);
    }
}

static void join(pk_thread_t t)
{
    CHECK(pk_thread_join(t, NULL) == 0);
}

/* ---- mutex ------------------------------------------------------------------ */

#define MUTEX_THREADS 4
#define MUTEX_INCREMENTS 5000

static pk_mutex_t counter_lock = PK_MUTEX_INIT;
static volatile uint32_t counter;
static volatile uint32_t inside;     /* threads inside the critical section */
static volatile uint32_t overlapped; /* times someone found another inside */

static void *incrementer(void *arg)
{
    (void)arg;
    for (int i = 0; i < MUTEX_INCREMENTS; i++) {
        pk_mutex_lock(&counter_lock);
        if (inside++ != 0)
            overlapped++;
        uint32_t c = counter;
        if (i % 64 == 0)
            sched_yield(); /* inside: makes the others sleep on the mutex */
        counter = c + 1;
        inside--;
        pk_mutex_unlock(&counter_lock);
    }
    return NULL;
}

static pk_mutex_t held = PK_MUTEX_INIT;
static pk_sem_t contender_timed_out = PK_SEM_INIT(0);
static struct {
    int trylock_busy, timed_out, late_enough, got_it;
} contender_seen;

static void *contender(void *arg)
{
    (void)arg;
    contender_seen.trylock_busy = pk_mutex_trylock(&held) == -1 && errno == EBUSY;
    struct pk_timespec64 dl;
    pk_deadline_after(&dl, 20 * MS);
    contender_seen.timed_out = pk_mutex_timedlock(&held, &dl) == -1 && errno == ETIMEDOUT;
    contender_seen.late_enough = now_ns() >= deadline_ns(&dl);
    pk_sem_post(&contender_timed_out); /* now the main thread may let go */
    pk_deadline_after(&dl, LONG_WAIT);
    if (pk_mutex_timedlock(&held, &dl) == 0) { /* the main thread lets go meanwhile */
        contender_seen.got_it = 1;
        pk_mutex_unlock(&held);
    }
    return NULL;
}

static void test_mutex(void)
{
    pk_thread_t t[MUTEX_THREADS];
    for (int i = 0; i < MUTEX_THREADS; i++)
        start(&t[i], incrementer, NULL);
    for (int i = 0; i < MUTEX_THREADS; i++)
        join(t[i]);
    CHECK(counter == MUTEX_THREADS * MUTEX_INCREMENTS);
    CHECK(overlapped == 0);
    printf("mutex: %d threads x %d increments: counter=%lu, never two inside: %s\n", MUTEX_THREADS,
           MUTEX_INCREMENTS, (unsigned long)counter, overlapped == 0 ? "yes" : "no");

    pk_mutex_t m;
    errno = 0;
    CHECK(pk_mutex_init(&m, 2) == -1 && errno == EINVAL);
    CHECK(pk_mutex_init(&m, 0) == 0);
    CHECK(pk_mutex_trylock(&m) == 0);
    CHECK(pk_mutex_trylock(&m) == -1 && errno == EBUSY);
    struct pk_timespec64 bad = {0, 1000000000};
    CHECK(pk_mutex_timedlock(&m, &bad) == -1 && errno == EINVAL);
    pk_mutex_unlock(&m);
    CHECK(pk_mutex_timedlock(&m, &bad) == 0); /* free: taken without looking at the deadline */
    pk_mutex_unlock(&m);
    errno = 0;
    pk_mutex_lock(&m);
    pk_mutex_unlock(&m);
    CHECK(errno == 0);

    pk_mutex_lock(&held);
    pk_thread_t c;
    start(&c, contender, NULL);
    pk_sem_wait(&contender_timed_out);
    usleep(10000); /* most likely the contender sleeps in its second timedlock by now */
    pk_mutex_unlock(&held);
    join(c);
    CHECK(contender_seen.trylock_busy && contender_seen.timed_out && contender_seen.late_enough);
    CHECK(contender_seen.got_it);
    printf("mutex: trylock EBUSY, timedlock ETIMEDOUT (not early), then taken on unlock: %s\n",
           contender_seen.trylock_busy && contender_seen.timed_out && contender_seen.late_enough &&
                   contender_seen.got_it
               ? "yes"
               : "no");
}

/* ---- condition variables ------------------------------------------------------ */

#define PRODUCERS 3
#define CONSUMERS 2
#define ITEMS 2000
#define QUEUE 4

static struct {
    pk_mutex_t lock;
    pk_cond_t not_empty, not_full;
    uint32_t slot[QUEUE];
    uint32_t head, count; /* items at slot[head], slot[head+1], ... */
    int done;             /* set when every producer has finished */
    uint32_t next[PRODUCERS]; /* the sequence number each producer's next item must carry */
    uint32_t taken[CONSUMERS];
    uint32_t out_of_order, overflow;
} q = {PK_MUTEX_INIT, PK_COND_INIT, PK_COND_INIT, {0}, 0, 0, 0, {0}, {0}, 0, 0};

static void *producer(void *arg)
{
    uint32_t p = (uint32_t)(uintptr_t)arg;
    for (uint32_t i = 0; i < ITEMS; i++) {
        pk_mutex_lock(&q.lock);
        while (q.count == QUEUE)
            pk_cond_wait(&q.not_full, &q.lock);
        if (q.count >= QUEUE)
            q.overflow++;
        q.slot[(q.head + q.count) % QUEUE] = p << 16 | i;
        if (i % 5 == 0)
            sched_yield(); /* inside: a waiter back without the mutex would see a half-put item */
        q.count++;
        pk_cond_signal(&q.not_empty);
        pk_mutex_unlock(&q.lock);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    uint32_t c = (uint32_t)(uintptr_t)arg;
    for (;;) {
        pk_mutex_lock(&q.lock);
        while (q.count == 0 && !q.done)
            pk_cond_wait(&q.not_empty, &q.lock);
        if (q.count == 0) { /* done and drained */
            pk_mutex_unlock(&q.lock);
            return NULL;
        }
        uint32_t item = q.slot[q.head];
        if (q.taken[c] % 7 == 0)
            sched_yield(); /* inside: a second consumer would take the same item */
        q.head = (q.head + 1) % QUEUE;
        q.count--;
        uint32_t p = item >> 16;
        if (p >= PRODUCERS || (item & 0xffff) != q.next[p])
            q.out_of_order++;
        else
            q.next[p]++;
        q.taken[c]++;
        pk_cond_signal(&q.not_full);
        pk_mutex_unlock(&q.lock);
        if (q.taken[c] % 16 == 0)
            sched_yield();
    }
}

#define WAITERS 4
#define ROUNDS 20

static struct {
    pk_mutex_t lock;
    pk_cond_t go_cv, here_cv;
    uint32_t go;      /* the round the main thread has released */
    uint32_t arrived; /* waiters that reached each round, cumulative */
    uint32_t released, timed_out;
} b = {PK_MUTEX_INIT, PK_COND_INIT, PK_COND_INIT, 0, 0, 0, 0};

static void *broadcast_waiter(void *arg)
{
    (void)arg;
    for (uint32_t r = 1; r <= ROUNDS; r++) {
        pk_mutex_lock(&b.lock);
        if (++b.arrived == WAITERS * r)
            pk_cond_signal(&b.here_cv);
        struct pk_timespec64 dl;
        pk_deadline_after(&dl, LONG_WAIT);
        while (b.go < r) {
            if (pk_cond_timedwait(&b.go_cv, &b.lock, &dl) != 0) {
                b.timed_out++;
                break;
            }
        }
        b.released++;
        pk_mutex_unlock(&b.lock);
    }
    return NULL;
}

static void test_cond(void)
{
    pk_thread_t prod[PRODUCERS], cons[CONSUMERS];
    for (int i = 0; i < CONSUMERS; i++)
        start(&cons[i], consumer, (void *)(uintptr_t)i);
    for (int i = 0; i < PRODUCERS; i++)
        start(&prod[i], producer, (void *)(uintptr_t)i);
    for (int i = 0; i < PRODUCERS; i++)
        join(prod[i]);
    pk_mutex_lock(&q.lock);
    q.done = 1;
    pk_cond_broadcast(&q.not_empty);
    pk_mutex_unlock(&q.lock);
    for (int i = 0; i < CONSUMERS; i++)
        join(cons[i]);
    uint32_t total = 0, all_in = 1;
    for (int c = 0; c < CONSUMERS; c++)
        total += q.taken[c];
    for (int p = 0; p < PRODUCERS; p++)
        all_in &= q.next[p] == ITEMS;
    CHECK(total == PRODUCERS * ITEMS);
    CHECK(all_in);
    CHECK(q.out_of_order == 0 && q.overflow == 0 && q.count == 0);
    printf("cond: %d producers x %d items, queue of %d, %d consumers: %lu taken, "
           "each once and in order: %s\n",
           PRODUCERS, ITEMS, QUEUE, CONSUMERS, (unsigned long)total,
           all_in && q.out_of_order == 0 && q.overflow == 0 ? "yes" : "no");

    pk_thread_t w[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        start(&w[i], broadcast_waiter, NULL);
    for (uint32_t r = 1; r <= ROUNDS; r++) {
        pk_mutex_lock(&b.lock);
        while (b.arrived < WAITERS * r)
            pk_cond_wait(&b.here_cv, &b.lock);
        b.go = r;
        pk_cond_broadcast(&b.go_cv);
        pk_mutex_unlock(&b.lock);
    }
    for (int i = 0; i < WAITERS; i++)
        join(w[i]);
    CHECK(b.released == WAITERS * ROUNDS && b.timed_out == 0);
    printf("cond: broadcast, %d rounds x %d waiters: %lu released, %lu timed out\n", ROUNDS, WAITERS,
           (unsigned long)b.released, (unsigned long)b.timed_out);

    pk_mutex_t m = PK_MUTEX_INIT;
    pk_cond_t c;
    CHECK(pk_cond_init(&c, 4) == -1 && errno == EINVAL);
    CHECK(pk_cond_init(&c, 0) == 0);
    pk_mutex_lock(&m);
    struct pk_timespec64 dl;
    pk_deadline_after(&dl, 30 * MS);
    errno = 0;
    int r = pk_cond_timedwait(&c, &m, &dl);
    int timed_out = r == -1 && errno == ETIMEDOUT;
    int late_enough = now_ns() >= deadline_ns(&dl);
    int held_again = pk_mutex_trylock(&m) == -1 && errno == EBUSY;
    CHECK(timed_out && late_enough && held_again);
    struct pk_timespec64 bad = {0, -1};
    CHECK(pk_cond_timedwait(&c, &m, &bad) == -1 && errno == EINVAL);
    pk_cond_t shared_cv = PK_COND_INIT_SHARED;
    CHECK(pk_cond_wait(&shared_cv, &m) == -1 && errno == EINVAL);
    CHECK(pk_mutex_trylock(&m) == -1); /* still held after the refusals */
    pk_mutex_unlock(&m);
    CHECK(pk_cond_signal(&c) == 0 && pk_cond_broadcast(&c) == 0); /* nobody waiting */
    printf("cond: timedwait ETIMEDOUT (not early), mutex held on return: %s\n",
           timed_out && late_enough && held_again ? "yes" : "no");
}

/* ---- semaphores ---------------------------------------------------------------- */

#define PINGPONG 2000
#define PERMITS 2
#define PERMIT_THREADS 6
#define PERMIT_ROUNDS 300

static pk_sem_t ping = PK_SEM_INIT(1), pong = PK_SEM_INIT(0);
static volatile uint32_t turn, wrong_turn;

static void *pinger(void *arg)
{
    uint32_t me = (uint32_t)(uintptr_t)arg; /* 0: ping side, 1: pong side */
    pk_sem_t *mine = me == 0 ? &ping : &pong, *theirs = me == 0 ? &pong : &ping;
    for (int i = 0; i < PINGPONG; i++) {
        pk_sem_wait(mine);
        if (turn % 2 != me)
            wrong_turn++;
        turn++;
        pk_sem_post(theirs);
    }
    return NULL;
}

static pk_sem_t permits = PK_SEM_INIT(PERMITS);
static volatile uint32_t holders, most_holders, entries;

static void *permit_user(void *arg)
{
    (void)arg;
    for (int i = 0; i < PERMIT_ROUNDS; i++) {
        pk_sem_wait(&permits);
        uint32_t n = __atomic_add_fetch(&holders, 1, __ATOMIC_SEQ_CST);
        uint32_t most = __atomic_load_n(&most_holders, __ATOMIC_SEQ_CST);
        while (n > most && !__atomic_compare_exchange_n(&most_holders, &most, n, 0,
                                                        __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
        }
        __atomic_add_fetch(&entries, 1, __ATOMIC_SEQ_CST);
        if (i % 8 == 0)
            sched_yield(); /* holding a permit: the others must wait */
        __atomic_sub_fetch(&holders, 1, __ATOMIC_SEQ_CST);
        pk_sem_post(&permits);
    }
    return NULL;
}

static pk_sem_t later = PK_SEM_INIT(0);
static int later_result = -2;

static void *later_waiter(void *arg)
{
    (void)arg;
    struct pk_timespec64 dl;
    pk_deadline_after(&dl, LONG_WAIT);
    later_result = pk_sem_timedwait(&later, &dl);
    return NULL;
}

static void test_sem(void)
{
    pk_sem_t s;
    CHECK(pk_sem_init(&s, 0, PK_SEM_VALUE_MAX + 1u) == -1 && errno == EINVAL);
    CHECK(pk_sem_init(&s, 8, 0) == -1 && errno == EINVAL);
    CHECK(pk_sem_init(&s, 0, 3) == 0);
    int took = 0;
    while (pk_sem_trywait(&s) == 0)
        took++;
    int eagain = errno == EAGAIN;
    CHECK(took == 3 && eagain && pk_sem_getvalue(&s) == 0);
    CHECK(pk_sem_post(&s) == 0 && pk_sem_post(&s) == 0 && pk_sem_getvalue(&s) == 2);
    CHECK(pk_sem_wait(&s) == 0 && pk_sem_trywait(&s) == 0 && pk_sem_getvalue(&s) == 0);
    printf("sem: init 3: trywait took %d, then EAGAIN: %s\n", took, eagain ? "yes" : "no");

    struct pk_timespec64 dl;
    pk_deadline_after(&dl, 20 * MS);
    errno = 0;
    int timed_out = pk_sem_timedwait(&s, &dl) == -1 && errno == ETIMEDOUT;
    int late_enough = now_ns() >= deadline_ns(&dl);
    CHECK(timed_out && late_enough);
    struct pk_timespec64 bad = {0, 1000000000};
    CHECK(pk_sem_timedwait(&s, &bad) == -1 && errno == EINVAL);
    CHECK(pk_sem_post(&s) == 0 && pk_sem_timedwait(&s, &bad) == 0); /* available: no look at it */
    struct pk_timespec64 past = {0, 0};
    CHECK(pk_sem_timedwait(&s, &past) == -1 && errno == ETIMEDOUT);
    printf("sem: timedwait on 0: ETIMEDOUT (not early): %s\n", timed_out && late_enough ? "yes" : "no");

    pk_thread_t t;
    start(&t, later_waiter, NULL);
    usleep(10000);
    CHECK(pk_sem_post(&later) == 0);
    join(t);
    CHECK(later_result == 0 && pk_sem_getvalue(&later) == 0);
    printf("sem: timedwait posted in time: %s\n", later_result == 0 ? "taken" : "not taken");

    CHECK(pk_sem_init(&s, 0, PK_SEM_VALUE_MAX) == 0);
    int overflow = pk_sem_post(&s) == -1 && errno == EOVERFLOW;
    CHECK(overflow && pk_sem_getvalue(&s) == (int)PK_SEM_VALUE_MAX);
    printf("sem: post at PK_SEM_VALUE_MAX: %s\n", overflow ? "EOVERFLOW" : "accepted?!");

    pk_thread_t a, bb;
    start(&a, pinger, (void *)0);
    start(&bb, pinger, (void *)1);
    join(a);
    join(bb);
    CHECK(turn == 2 * PINGPONG && wrong_turn == 0);
    printf("sem: ping-pong, %d turns: alternated strictly: %s\n", 2 * PINGPONG,
           turn == 2 * PINGPONG && wrong_turn == 0 ? "yes" : "no");

    pk_thread_t pt[PERMIT_THREADS];
    for (int i = 0; i < PERMIT_THREADS; i++)
        start(&pt[i], permit_user, NULL);
    for (int i = 0; i < PERMIT_THREADS; i++)
        join(pt[i]);
    CHECK(entries == PERMIT_THREADS * PERMIT_ROUNDS && most_holders <= PERMITS);
    CHECK(pk_sem_getvalue(&permits) == PERMITS);
    printf("sem: %d permits, %d threads x %d: %lu entries, never more than %d inside: %s\n", PERMITS,
           PERMIT_THREADS, PERMIT_ROUNDS, (unsigned long)entries, PERMITS,
           most_holders <= PERMITS ? "yes" : "no");
}

/* ---- barrier --------------------------------------------------------------------- */

#define BARRIER_THREADS 4
#define CYCLES 50

static pk_barrier_t barrier;
static volatile uint32_t stamp[BARRIER_THREADS]; /* the last cycle each thread reached, + 1 */
static volatile uint32_t serial[CYCLES];
static volatile uint32_t early, bad_result;

static void *barrier_user(void *arg)
{
    uint32_t me = (uint32_t)(uintptr_t)arg;
    for (uint32_t r = 0; r < CYCLES; r++) {
        __atomic_store_n(&stamp[me], r + 1, __ATOMIC_SEQ_CST);
        if ((r + me) % 3 == 0)
            sched_yield(); /* vary who arrives last */
        int ret = pk_barrier_wait(&barrier);
        if (ret == PK_BARRIER_SERIAL_THREAD)
            __atomic_add_fetch(&serial[r], 1, __ATOMIC_SEQ_CST);
        else if (ret != 0)
            __atomic_add_fetch(&bad_result, 1, __ATOMIC_SEQ_CST);
        for (int j = 0; j < BARRIER_THREADS; j++) {
            if (__atomic_load_n(&stamp[j], __ATOMIC_SEQ_CST) < r + 1)
                __atomic_add_fetch(&early, 1, __ATOMIC_SEQ_CST); /* passed before j arrived */
        }
    }
    return NULL;
}

static void test_barrier(void)
{
    CHECK(pk_barrier_init(&barrier, 0, 0) == -1 && errno == EINVAL);
    CHECK(pk_barrier_init(&barrier, 2, 1) == -1 && errno == EINVAL);
    CHECK(pk_barrier_init(&barrier, 0, 1) == 0);
    CHECK(pk_barrier_wait(&barrier) == PK_BARRIER_SERIAL_THREAD);
    CHECK(pk_barrier_wait(&barrier) == PK_BARRIER_SERIAL_THREAD);

    CHECK(pk_barrier_init(&barrier, 0, BARRIER_THREADS) == 0);
    pk_thread_t t[BARRIER_THREADS];
    for (int i = 0; i < BARRIER_THREADS; i++)
        start(&t[i], barrier_user, (void *)(uintptr_t)i);
    for (int i = 0; i < BARRIER_THREADS; i++)
        join(t[i]);
    int one_each = 1;
    for (int r = 0; r < CYCLES; r++)
        one_each &= serial[r] == 1;
    CHECK(one_each && early == 0 && bad_result == 0);
    printf("barrier: %d threads x %d cycles: one serial thread per cycle: %s, passed early: %lu\n",
           BARRIER_THREADS, CYCLES, one_each && bad_result == 0 ? "yes" : "no",
           (unsigned long)early);
}

/* ---- process-shared objects across fork ---------------------------------------------- */

#define SHARED_INCREMENTS 2000
#define SHARED_PINGPONG 500

struct shared_page {
    pk_mutex_t lock;
    pk_cond_t cv;
    pk_sem_t ping, pong;
    volatile uint32_t counter;
    volatile uint32_t wrong_turn;
    volatile uint32_t turn;
    volatile uint32_t flag;
    volatile uint32_t child_saw_flag;
};

static void shared_increments(struct shared_page *s)
{
    for (int i = 0; i < SHARED_INCREMENTS; i++) {
        pk_mutex_lock(&s->lock);
        uint32_t c = s->counter;
        if (i % 32 == 0)
            sched_yield();
        s->counter = c + 1;
        pk_mutex_unlock(&s->lock);
    }
}

static void shared_pingpong(struct shared_page *s, uint32_t me)
{
    pk_sem_t *mine = me == 0 ? &s->ping : &s->pong, *theirs = me == 0 ? &s->pong : &s->ping;
    for (int i = 0; i < SHARED_PINGPONG; i++) {
        pk_sem_wait(mine);
        if (s->turn % 2 != me)
            s->wrong_turn++;
        s->turn++;
        pk_sem_post(theirs);
    }
}

static int shared_child(struct shared_page *s)
{
    shared_increments(s);
    shared_pingpong(s, 1);
    /* wait for the parent's flag on the shared condition variable */
    struct pk_timespec64 dl;
    pk_deadline_after(&dl, LONG_WAIT);
    pk_mutex_lock(&s->lock);
    int r = 0;
    while (s->flag == 0 && r == 0)
        r = pk_cond_timedwait(&s->cv, &s->lock, &dl);
    s->child_saw_flag = s->flag;
    pk_mutex_unlock(&s->lock);
    return s->flag == 1 ? 0 : 3;
}

static void test_shared(void)
{
    struct shared_page *s = (struct shared_page *)shared_page();
    CHECK(pk_mutex_init(&s->lock, PK_SYNC_SHARED) == 0);
    CHECK(pk_cond_init(&s->cv, PK_SYNC_SHARED) == 0);
    CHECK(pk_sem_init(&s->ping, PK_SYNC_SHARED, 1) == 0);
    CHECK(pk_sem_init(&s->pong, PK_SYNC_SHARED, 0) == 0);
    fflush(stdout);
    pid_t pid = pk_fork();
    if (pid == 0)
        _exit(shared_child(s));
    CHECK(pid > 0);
    shared_increments(s);
    shared_pingpong(s, 0);
    usleep(20000); /* most likely the child is asleep on the condition variable by now */
    pk_mutex_lock(&s->lock);
    s->flag = 1;
    pk_cond_signal(&s->cv);
    pk_mutex_unlock(&s->lock);
    int status = -1;
    char buf[40];
    CHECK(pk_waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(s->counter == 2 * SHARED_INCREMENTS);
    CHECK(s->turn == 2 * SHARED_PINGPONG && s->wrong_turn == 0);
    CHECK(s->child_saw_flag == 1);
    printf("shared: fork child: %s; counter=%lu; ping-pong %lu turns, alternated: %s; "
           "cond signal seen: %s\n",
           status_text(status, buf, sizeof buf), (unsigned long)s->counter, (unsigned long)s->turn,
           s->wrong_turn == 0 ? "yes" : "no", s->child_saw_flag == 1 ? "yes" : "no");
    munmap((void *)s, 4096);
}

int main(void)
{
    test_mutex();
    test_cond();
    test_sem();
    test_barrier();
    test_shared();
    puts(check_failures == 0 ? "sync ok" : "sync FAILED");
    return check_status();
}
