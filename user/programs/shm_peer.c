/*
 * shm_peer.c - [Pakaya only] helper for shm.c: maps the shared region whose
 * (inherited) handle is argv[1], reads the text at its start and replaces it
 * with "peer: got <text>".  Exit 0, 1 if the map fails, 2 on bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pakaya.h"

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    char *p = pk_shm_map(atoi(argv[1]), NULL, PK_PROT_READ | PK_PROT_WRITE);
    if (p == PK_MAP_FAILED)
        return 1;
    char got[48];
    snprintf(got, sizeof got, "%s", p);
    snprintf(p, 64, "peer: got %s", got);
    return munmap(p, 4096) == 0 ? 0 : 1;
}
