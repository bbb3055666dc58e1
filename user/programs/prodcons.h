/*
 * prodcons.h - the shared-memory layout prodcons.c (the producer) and
 * prodcons_peer.c (the consumer) agree on: a ring of PC_SLOTS items guarded
 * by two process-shared counting semaphores, and a report block guarded by a
 * process-shared mutex and condition variable.
 */
#ifndef PAKAYA_PRODCONS_H
#define PAKAYA_PRODCONS_H

#include <stdint.h>

#include "pakaya.h"

#define PC_ITEMS 10000u
#define PC_SLOTS 16u
#define PC_WAIT_NS (10ull * 1000000000ull) /* longest wait for the other side */

struct pc_item {
    uint32_t seq;   /* 0, 1, 2, ... */
    uint32_t value; /* pc_value(seq) */
};

struct pc_ring {
    pk_sem_t free_slots; /* PK_SYNC_SHARED, starts at PC_SLOTS */
    pk_sem_t filled;     /* PK_SYNC_SHARED, starts at 0 */
    struct pc_item slot[PC_SLOTS]; /* item n goes to slot n % PC_SLOTS */
    /* the consumer's report, under `lock`; `cv` signals that it is there */
    pk_mutex_t lock;
    pk_cond_t cv;
    uint32_t done;
    uint32_t received;
    uint32_t out_of_sequence;
    uint32_t checksum;
};

/* The payload of item seq: an LCG step, so a stale or torn slot shows. */
static inline uint32_t pc_value(uint32_t seq)
{
    return seq * 1664525u + 1013904223u;
}

/* FNV-1a over a word, the checksum both sides keep. */
static inline uint32_t pc_mix(uint32_t h, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        h ^= (v >> (8 * i)) & 0xffu;
        h *= 16777619u;
    }
    return h;
}
#define PC_CHECKSUM_INIT 2166136261u

/* Wait on a process-shared semaphore for at most PC_WAIT_NS: 0, or -1 (errno). */
static inline int pc_sem_wait(pk_sem_t *s)
{
    if (pk_sem_trywait(s) == 0)
        return 0;
    struct pk_timespec64 dl;
    if (pk_deadline_after(&dl, PC_WAIT_NS) < 0)
        return -1;
    return pk_sem_timedwait(s, &dl);
}

#endif /* PAKAYA_PRODCONS_H */
