/*
 * args.c - shows what a program gets at startup: argc, argv, the environment,
 * and checks the auxiliary vector (found after envp's NULL on the initial
 * stack) for AT_PAGESZ = 4096.
 *
 * Output:
 *   argc=<argc>
 *   argv[<i>]=<arg>          one line per argument
 *   envp[<i>]=<var>          one line per environment entry
 *   auxv: AT_PAGESZ=4096     (exit 0), or "auxv: AT_PAGESZ missing" /
 *                            "auxv: AT_PAGESZ=<other>" (exit 1)
 */
#include <stdio.h>

#include "pakaya.h"

int main(int argc, char **argv, char **envp)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    if (argv[argc] != NULL) {
        printf("argv[argc] is not NULL\n");
        return 1;
    }

    char **e = envp;
    for (int i = 0; e[i] != NULL; i++)
        printf("envp[%d]=%s\n", i, e[i]);

    /* walk the stack ourselves: auxv follows the NULL that ends envp */
    while (*e != NULL)
        e++;
    unsigned long *auxv = (unsigned long *)(e + 1);
    unsigned long pagesz = 0;
    int found = 0;
    for (unsigned long *a = auxv; a[0] != PK_AT_NULL; a += 2) {
        if (a[0] == PK_AT_PAGESZ) {
            pagesz = a[1];
            found = 1;
        }
    }
    if (!found) {
        printf("auxv: AT_PAGESZ missing\n");
        return 1;
    }
    if (auxv != __pk_auxv || pk_getauxval(PK_AT_PAGESZ) != pagesz) {
        printf("auxv: crt0 and the stack disagree\n");
        return 1;
    }
    printf("auxv: AT_PAGESZ=%lu\n", pagesz);
    return pagesz == 4096 ? 0 : 1;
}
