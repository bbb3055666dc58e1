/*
 * exitcode.c - prints "exitcode: <status>" and exits with the status given in
 * argv[1] (default 3) through exit().  Only the low 8 bits reach the parent,
 * as on any Unix (so 256 reads back as 0, -1 as 255).
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    int status = argc > 1 ? atoi(argv[1]) : 3;
    printf("exitcode: %d\n", status);
    exit(status);
}
