/* hello.c - prints a greeting and its arguments, one per line; exits 0. */
#include <stdio.h>

int main(int argc, char **argv)
{
    puts("Hello from Pakaya!");
    for (int i = 0; i < argc; i++)
        puts(argv[i]);
    return 0;
}
