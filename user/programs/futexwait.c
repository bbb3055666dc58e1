/*
 * futexwait.c - threads that spend their time blocked on futexes, for the
 * checkpoint/restore tests: two threads play a semaphore ping-pong (each
 * waits for its turn, then posts the other's), and four more count under a
 * mutex with yields.  Checkpointed at any point, some thread is blocked in
 * FUTEX_WAIT; after a restore a wake that comes before that thread runs again
 * must still reach it, or the program deadlocks.
 *
 *   futexwait [turns]     (default 2000)
 *
 * Output: one line with the turns played in strict alternation and the
 * counter's total; exit 0 (1 if a check fails).  The same under qemu-riscv32.
 */
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "pakaya.h"

#define COUNTERS 4
#define INCREMENTS 3000

static pk_sem_t ping, pong;
static pk_mutex_t lock;
static volatile int turns, last, in_order = 1;
static volatile uint32_t counter;
static int rounds = 2000;

static void *player(void *arg)
{
    int me = (int)(intptr_t)arg;
    pk_sem_t *mine = me == 0 ? &ping : &pong, *other = me == 0 ? &pong : &ping;
    for (int i = 0; i < rounds; i++) {
        pk_sem_wait(mine);
        if (last == me)
            in_order = 0;
        last = me;
        turns++;
        pk_sem_post(other);
    }
    return NULL;
}

static void *count(void *arg)
{
    (void)arg;
    for (int i = 0; i < INCREMENTS; i++) {
        pk_mutex_lock(&lock);
        uint32_t v = counter;
        if (i % 64 == 0)
            sched_yield(); /* others block on the mutex meanwhile */
        counter = v + 1;
        pk_mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        rounds = atoi(argv[1]);
    last = 1;
    CHECK(pk_sem_init(&ping, 0, 1) == 0 && pk_sem_init(&pong, 0, 0) == 0);
    CHECK(pk_mutex_init(&lock, 0) == 0);
    pk_thread_t t[2 + COUNTERS];
    for (int i = 0; i < 2; i++)
        CHECK(pk_thread_create(&t[i], player, (void *)(intptr_t)i) == 0);
    for (int i = 0; i < COUNTERS; i++)
        CHECK(pk_thread_create(&t[2 + i], count, NULL) == 0);
    for (int i = 0; i < 2 + COUNTERS; i++)
        CHECK(pk_thread_join(t[i], NULL) == 0);
    CHECK(turns == 2 * rounds && in_order);
    CHECK(counter == COUNTERS * INCREMENTS);
    printf("futexwait: %d turns in strict alternation: %s, counter %u\n", turns, in_order ? "yes" : "no",
           (unsigned)counter);
    return check_failures ? 1 : 0;
}
