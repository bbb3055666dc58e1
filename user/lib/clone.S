/*
 * clone.S - pk_clone_thread(flags, stack, ptid, tls, ctid, fn, arg): clone a
 * thread that runs fn(arg) on `stack` and then ends with exit(fn's result).
 *
 * C cannot do this: after clone the child runs on a new stack, so it must not
 * return through the caller's frames.  fn and arg are stored on the child's
 * stack before the call (the child gets no other registers it can trust but
 * sp, tp and gp), and the child loads them from there.
 *
 * In: a0 flags, a1 stack top, a2 ptid, a3 tls, a4 ctid (the riscv clone
 * order), a5 fn, a6 arg.  Out (parent): the raw clone result.
 */
    .text
    .globl pk_clone_thread
    .type pk_clone_thread, @function
pk_clone_thread:
    andi    a1, a1, -16             /* the child's sp: 16-byte aligned ... */
    addi    a1, a1, -16             /* ... with room for fn and arg */
    sw      a5, 0(a1)
    sw      a6, 4(a1)
    li      a7, 220                 /* clone */
    ecall
    beqz    a0, 1f
    ret                             /* parent: tid or -errno */
1:  lw      t0, 0(sp)               /* child: sp is the new stack */
    lw      a0, 4(sp)
    jalr    t0                      /* fn(arg) */
2:  li      a7, 93                  /* exit(result): this thread only */
    ecall
    j       2b
    .size pk_clone_thread, . - pk_clone_thread
