/*
 * crt0.S - program entry for Pakaya (and Linux riscv32) static executables.
 *
 * At _start the kernel has set up the System V initial stack:
 *
 *     sp ->  argc
 *            argv[0] ... argv[argc-1], NULL
 *            envp[0] ... envp[n-1], NULL
 *            auxv: {type, value} pairs ..., {AT_NULL, 0}
 *
 * and sp is 16-byte aligned.  Everything else is undefined (Linux passes a
 * dynamic-linker finaliser in a0, which is 0 for static programs and ignored).
 *
 * _start:
 *   1. sets gp to __global_pointer$ (with relaxation off, or the assembler
 *      would turn the address computation itself into a gp-relative one);
 *   2. zeroes [__bss_start, _end) (the loader zero-fills memsz beyond filesz,
 *      but do not rely on it);
 *   3. builds the main thread's TLS block: copies .tdata and zeroes .tbss
 *      into __pk_tls_block (reserved in .bss by link.ld) with picolibc's
 *      _init_tls, and points tp at it - picolibc keeps errno there;
 *   4. records environ and the auxv pointer, runs the constructors
 *      (__libc_init_array) and calls exit(main(argc, argv, envp)).
 */

    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .cfi_startproc
    .cfi_undefined ra
    .option push
    .option norelax
    lla     gp, __global_pointer$
    .option pop

    mv      s0, sp                  /* s0 = &argc, kept across calls */

    /* 2. zero .bss (word stores; link.ld aligns both ends to 4) */
    lla     t0, __bss_start
    lla     t1, _end
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:

    /* 3. TLS for the main thread */
    lla     a0, __pk_tls_block
    call    _init_tls
    lla     tp, __pk_tls_block

    /* 4. argc, argv, envp, auxv */
    lw      s1, 0(s0)               /* s1 = argc */
    addi    s2, s0, 4               /* s2 = argv */
    slli    t0, s1, 2
    add     s3, s2, t0
    addi    s3, s3, 4               /* s3 = envp = &argv[argc + 1] */
    sw      s3, environ, t0
    mv      t1, s3
3:  lw      t2, 0(t1)               /* skip envp[] up to its NULL */
    addi    t1, t1, 4
    bnez    t2, 3b
    sw      t1, __pk_auxv, t0       /* auxv starts after envp's NULL */

    call    __libc_init_array

    mv      a0, s1
    mv      a1, s2
    mv      a2, s3
    call    main
    call    exit
    /* exit does not return; be safe anyway */
4:  li      a7, 94                  /* exit_group */
    ecall
    j       4b
    .cfi_endproc
    .size _start, . - _start
