/*
 * spawnon.c - starts a program on another cluster node with pk_spawn_on.
 *
 *   spawnon <node (8 hex digits) | any> <program> [args...]
 *
 * Output: "spawnon: <node>:<local>" (the new process's NPID, 8 hex digits and
 * a number) and exit 0; "spawnon: error <errno>" and exit 1 on failure;
 * "spawnon: usage" and exit 2 with too few arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pakaya.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("spawnon: usage\n");
        return 2;
    }
    uint32_t node = strcmp(argv[1], "any") == 0 ? PK_NODE_ANY : (uint32_t)strtoul(argv[1], NULL, 16);
    char *env[] = {NULL};
    struct pk_npid child;
    if (pk_spawn_on(node, argv[2], &argv[2], env, &child) != 0) {
        printf("spawnon: error %d\n", errno);
        return 1;
    }
    printf("spawnon: %08lx:%lu\n", (unsigned long)child.node, (unsigned long)child.local);
    return 0;
}
