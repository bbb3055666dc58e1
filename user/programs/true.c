/* true.c - does nothing and exits 0: the smallest program, for the spawn benchmark. */
int main(void)
{
    return 0;
}
