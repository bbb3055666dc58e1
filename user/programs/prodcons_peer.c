/*
 * prodcons_peer.c - [Pakaya only] the consumer process of prodcons.c: maps
 * the shared region whose (inherited) handle is argv[1], takes PC_ITEMS
 * items from the ring (prodcons.h), checks their sequence and payload, keeps
 * a checksum, prints "prodcons_peer: received N items, out of sequence: K,
 * checksum 0x...", and leaves the same figures in the region for the
 * producer, signalling its condition variable.  Exit 0 when every item came
 * in sequence, 1 otherwise, 2 on bad arguments or a failed map.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pakaya.h"
#include "prodcons.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    struct pc_ring *r = pk_shm_map(atoi(argv[1]), NULL, PK_PROT_READ | PK_PROT_WRITE);
    if (r == PK_MAP_FAILED)
        return 2;
    uint32_t checksum = PC_CHECKSUM_INIT, received = 0, bad = 0;
    for (uint32_t n = 0; n < PC_ITEMS; n++) {
        if (pc_sem_wait(&r->filled) != 0)
            break; /* the producer stopped sending */
        struct pc_item it = r->slot[n % PC_SLOTS];
        pk_sem_post(&r->free_slots);
        if (it.seq != n || it.value != pc_value(n))
            bad++;
        checksum = pc_mix(checksum, it.value);
        received++;
    }
    printf("prodcons_peer: received %lu items, out of sequence: %lu, checksum 0x%08lx\n",
           (unsigned long)received, (unsigned long)bad, (unsigned long)checksum);
    fflush(stdout);

    pk_mutex_lock(&r->lock);
    r->received = received;
    r->out_of_sequence = bad;
    r->checksum = checksum;
    r->done = 1;
    pk_cond_signal(&r->cv);
    pk_mutex_unlock(&r->lock);
    return received == PC_ITEMS && bad == 0 ? 0 : 1;
}
