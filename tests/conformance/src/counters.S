/* Counters: mcycle/minstret (and their high halves) count and are writable in M-mode; the user
 * counters cycle/instret/time and their high halves are gated by mcounteren and scounteren.
 * (QEMU's counters without -icount follow host time, so exact instruction counts and the time
 * CSR's presence are not checked: only counting up, writability and the access rules.)
 *
 *  1     mcycle counts up (64-bit reads, hi/lo/hi)
 *  2     minstret counts up
 *  3     mcycleh and minstreth are readable; mcycleh written with mcycle = 0 reads back
 *  4     minstreth written with minstret = 0 reads back
 *  5     minstret written with 0x1000 reads back at least 0x1000 and less than 0x1000 + 2^28
 *  6     mcycle written likewise
 *  7     mcounteren and scounteren hold CY, TM, IR
 *  8     S-mode with mcounteren.CY|IR: cycle, cycleh, instret, instreth readable; instret counts up
 *  9     U-mode with mcounteren and scounteren CY|IR: cycle, cycleh, instret, instreth readable
 * 10-13  S-mode with mcounteren = 0: cycle, cycleh, instret, instreth are illegal (mtval = the bits)
 * 14     S-mode with mcounteren.TM = 0: time and timeh are illegal
 * 15     U-mode with mcounteren = all, scounteren = 0: cycle is illegal
 * 16     U-mode with mcounteren = 0, scounteren = all: instret is illegal
 * 17     per-bit: mcounteren = CY only: S reads cycle, instret is illegal
 * 18     per-bit: mcounteren = IR only: S reads instret, cycle is illegal
 * 19     writing cycle from U-mode (counter enabled) is illegal (read-only CSR)
 * 20     writing instret from S-mode is illegal
 */
#include "harness.h"

/* Read a 64-bit counter: \hi:\lo from CSRs hcsr/lcsr, retrying if the high half changed. */
.macro READ64 hi, lo, hcsr, lcsr
.Lr\@:
  csrr \hi, \hcsr
  csrr \lo, \lcsr
  csrr t6, \hcsr
  bne \hi, t6, .Lr\@
.endm

/* Fail unless the 64-bit value h2:l2 is greater than h1:l1. */
.macro CHECK_GT64 h1, l1, h2, l2
  bltu \h1, \h2, .Lok\@
  bne \h1, \h2, fail
  bgeu \l1, \l2, fail
.Lok\@:
.endm

/* In mode `mode`, expect reading CSR `csr` to be illegal. */
.macro ILLEGAL_READ mode, csr
  EXPECT_TRAP .Lr\@
  TO_MODE \mode, .Lm\@
.Lm\@:
  csrr a0, \csr
  j fail
.Lr\@:
  CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, .Lm\@
  la t0, .Lm\@
  lw t0, 0(t0)
  CHECKR s11, t0
.endm

TEST_BEGIN
  TEST 1
  READ64 s0, s1, mcycleh, mcycle
  li a0, 100
1: addi a0, a0, -1
  bnez a0, 1b
  READ64 s2, s3, mcycleh, mcycle
  CHECK_GT64 s0, s1, s2, s3
  TEST 2
  READ64 s0, s1, minstreth, minstret
  li a0, 100
1: addi a0, a0, -1
  bnez a0, 1b
  READ64 s2, s3, minstreth, minstret
  CHECK_GT64 s0, s1, s2, s3
  TEST 3
  csrw mcycle, zero
  li a0, 5
  csrw mcycleh, a0
  csrr a1, mcycleh
  CHECK a1, 5
  TEST 4
  csrw minstret, zero
  li a0, 7
  csrw minstreth, a0
  csrr a1, minstreth
  CHECK a1, 7
  TEST 5
  csrw minstreth, zero
  li a0, 0x1000
  csrw minstret, a0
  csrr a1, minstret
  li t0, 0x1000
  bltu a1, t0, fail
  li t0, 0x1000 + 0x10000000
  bgeu a1, t0, fail
  csrr a1, minstreth
  CHECK a1, 0
  TEST 6
  csrw mcycleh, zero
  li a0, 0x1000
  csrw mcycle, a0
  csrr a1, mcycle
  li t0, 0x1000
  bltu a1, t0, fail
  li t0, 0x1000 + 0x10000000
  bgeu a1, t0, fail
  TEST 7
  li a0, 7
  csrw mcounteren, a0
  csrw scounteren, a0
  csrr a1, mcounteren
  CHECKM a1, 7, 7
  csrr a1, scounteren
  CHECKM a1, 7, 7

  TEST 8
  li a0, 5
  csrw mcounteren, a0
  csrw scounteren, zero
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: rdcycle a0
  rdcycleh a1
  READ64 s0, s1, instreth, instret
  li a0, 100
3: addi a0, a0, -1
  bnez a0, 3b
  READ64 s2, s3, instreth, instret
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK_GT64 s0, s1, s2, s3
  TEST 9
  li a0, 5
  csrw scounteren, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: rdcycle a0
  rdcycleh a1
  READ64 s0, s1, instreth, instret
  li a0, 100
3: addi a0, a0, -1
  bnez a0, 3b
  READ64 s2, s3, instreth, instret
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECK_GT64 s0, s1, s2, s3

  csrw mcounteren, zero
  TEST 10
  ILLEGAL_READ PRV_S, cycle
  TEST 11
  ILLEGAL_READ PRV_S, cycleh
  TEST 12
  ILLEGAL_READ PRV_S, instret
  TEST 13
  ILLEGAL_READ PRV_S, instreth
  TEST 14
  li a0, 5
  csrw mcounteren, a0
  ILLEGAL_READ PRV_S, time
  ILLEGAL_READ PRV_S, timeh
  TEST 15
  li a0, 7
  csrw mcounteren, a0
  csrw scounteren, zero
  ILLEGAL_READ PRV_U, cycle
  TEST 16
  csrw mcounteren, zero
  li a0, 7
  csrw scounteren, a0
  ILLEGAL_READ PRV_U, instret
  TEST 17
  li a0, 1
  csrw mcounteren, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: rdcycle a0
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  ILLEGAL_READ PRV_S, instret
  TEST 18
  li a0, 4
  csrw mcounteren, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: rdinstret a0
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  ILLEGAL_READ PRV_S, cycle

  TEST 19
  li a0, 7
  csrw mcounteren, a0
  csrw scounteren, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: csrw cycle, a0
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  TEST 20
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: csrw instret, a0
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
TEST_END
