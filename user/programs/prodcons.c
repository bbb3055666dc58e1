/*
 * prodcons.c - [Pakaya only] a producer and a consumer PROCESS on a shared
 * region: this program creates the region, lays out a ring of PC_SLOTS
 * items with process-shared semaphores (prodcons.h), spawns prodcons_peer
 * (which inherits the region's handle and maps it, maybe at another address)
 * and sends it PC_ITEMS items.  The consumer checks the sequence and keeps a
 * checksum, prints its own report, and hands the result back under a
 * process-shared mutex, signalling a process-shared condition variable; the
 * producer checks that it got every item in sequence with the checksum it
 * computed itself.  All waits are timed (10 s): a lost wakeup is a failure,
 * not a hang.
 *
 *   prodcons
 *
 * Under Linux/qemu-riscv32 shm_create returns ENOSYS: prints "prodcons: not
 * running on Pakaya (ENOSYS)" and exits 2.  Expected output (exit 0; 1 if a
 * check fails):
 *
 *   prodcons: consumer started, sending 10000 items through 16 slots
 *   prodcons_peer: received 10000 items, out of sequence: 0, checksum 0x........
 *   prodcons: consumer reports 10000 items in sequence, checksum matches: yes
 *   prodcons: consumer exited 0
 *   prodcons ok
 */
#include <errno.h>
#include <stdio.h>
#include <sys/wait.h>

#include "check.h"
#include "pakaya.h"
#include "prodcons.h"

#define RW (PK_PROT_READ | PK_PROT_WRITE)

extern char **environ;

int main(void)
{
    int h = pk_shm_create(sizeof(struct pc_ring));
    if (h < 0) {
        puts(errno == ENOSYS ? "prodcons: not running on Pakaya (ENOSYS)" : "prodcons: create failed");
        return 2;
    }
    struct pc_ring *r = pk_shm_map(h, NULL, RW);
    if (r == PK_MAP_FAILED) {
        puts("prodcons: map failed");
        return 1;
    }
    CHECK(pk_sem_init(&r->free_slots, PK_SYNC_SHARED, PC_SLOTS) == 0);
    CHECK(pk_sem_init(&r->filled, PK_SYNC_SHARED, 0) == 0);
    CHECK(pk_mutex_init(&r->lock, PK_SYNC_SHARED) == 0);
    CHECK(pk_cond_init(&r->cv, PK_SYNC_SHARED) == 0);

    char hbuf[16];
    snprintf(hbuf, sizeof hbuf, "%d", h);
    char *peer_argv[] = {"prodcons_peer", hbuf, NULL};
    printf("prodcons: consumer started, sending %u items through %u slots\n", PC_ITEMS, PC_SLOTS);
    fflush(stdout);
    pid_t peer = pk_spawn("prodcons_peer", peer_argv, environ);
    CHECK(peer > 0);
    if (peer <= 0)
        return 1;

    uint32_t checksum = PC_CHECKSUM_INIT, sent = 0;
    for (uint32_t n = 0; n < PC_ITEMS; n++) {
        if (pc_sem_wait(&r->free_slots) != 0)
            break; /* the consumer stopped taking */
        struct pc_item *it = &r->slot[n % PC_SLOTS];
        it->seq = n;
        it->value = pc_value(n);
        checksum = pc_mix(checksum, it->value);
        CHECK(pk_sem_post(&r->filled) == 0); /* publishes the slot (sequentially consistent) */
        sent++;
    }
    CHECK(sent == PC_ITEMS);

    /* the consumer's report */
    struct pk_timespec64 dl;
    pk_deadline_after(&dl, PC_WAIT_NS);
    pk_mutex_lock(&r->lock);
    int w = 0;
    while (!r->done && w == 0)
        w = pk_cond_timedwait(&r->cv, &r->lock, &dl);
    uint32_t done = r->done, received = r->received, bad = r->out_of_sequence, sum = r->checksum;
    pk_mutex_unlock(&r->lock);
    CHECK(done);
    CHECK(received == PC_ITEMS && bad == 0);
    CHECK(sum == checksum);
    printf("prodcons: consumer reports %lu items %s, checksum matches: %s\n", (unsigned long)received,
           bad == 0 ? "in sequence" : "OUT OF SEQUENCE", sum == checksum ? "yes" : "no");

    int status = -1;
    char buf[40];
    CHECK(pk_waitpid(peer, &status, 0) == peer);
    printf("prodcons: consumer %s\n", status_text(status, buf, sizeof buf));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK(munmap(r, sizeof(struct pc_ring)) == 0 && pk_shm_close(h) == 0);
    puts(check_failures == 0 ? "prodcons ok" : "prodcons FAILED");
    return check_status();
}
