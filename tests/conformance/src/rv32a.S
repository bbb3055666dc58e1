/* RV32A: lr.w/sc.w and every AMO.
 *
 *  1     lr.w returns the word
 *  2     sc.w after lr.w to the same address succeeds: rd = 0, memory updated
 *  3     a second sc.w (the first consumed the reservation) fails: rd != 0, memory unchanged
 *  4     sc.w with no reservation at all fails
 *  5     lr.w A; sc.w to another word B (whatever its result); sc.w A fails: an SC always
 *        invalidates the reservation
 *  6     lr.w.aq / sc.w.rl and lr.w.aqrl / sc.w.aqrl behave the same
 *  7     an lr/sc retry loop increments a counter 100 times
 *  8-16  amoswap, amoadd (wrapping), amoxor, amoand, amoor, amomin (signed), amomax (signed),
 *        amominu, amomaxu: each returns the old value and stores the new one
 * 17-18  amomin/amomax/amominu/amomaxu where the other operand wins
 * 19     AMO with rd = x0 still updates memory; .aq/.rl/.aqrl forms
 * 20     AMO with rd = rs2 (amoswap a1, a1): rd gets the old value, memory the old rs2
 * 21     misaligned lr.w: load address misaligned (4), mtval = address, mepc = the lr
 * 22     misaligned AMO: store/AMO address misaligned (6), mtval = address, memory unchanged.
 *        (QEMU 7.2 raises cause 4 here; that is tolerated.)
 * 23     AMO to a physical address with nothing there: store/AMO access fault (7), mtval = address.
 *        (QEMU 7.2 raises cause 5 here; that is tolerated.)
 * 24     lr.w to a physical address with nothing there: load access fault (5)
 */
#include "harness.h"
TEST_BEGIN
  la s0, word
  la s1, other

  TEST 1
  li a0, 10
  sw a0, 0(s0)
  lr.w a1, (s0)
  CHECK a1, 10
  TEST 2
  li a2, 11
  sc.w a3, a2, (s0)
  CHECK a3, 0
  lw a1, 0(s0)
  CHECK a1, 11
  TEST 3
  li a2, 12
  sc.w a3, a2, (s0)
  beqz a3, fail
  lw a1, 0(s0)
  CHECK a1, 11
  TEST 4
  li a2, 13
  sc.w a3, a2, (s0)
  beqz a3, fail
  lw a1, 0(s0)
  CHECK a1, 11
  TEST 5
  lr.w a1, (s0)
  li a2, 14
  sc.w a3, a2, (s1)
  sc.w a3, a2, (s0)
  beqz a3, fail
  lw a1, 0(s0)
  CHECK a1, 11
  TEST 6
  lr.w.aq a1, (s0)
  CHECK a1, 11
  li a2, 15
  sc.w.rl a3, a2, (s0)
  CHECK a3, 0
  lr.w.aqrl a1, (s0)
  CHECK a1, 15
  li a2, 16
  sc.w.aqrl a3, a2, (s0)
  CHECK a3, 0
  lw a1, 0(s0)
  CHECK a1, 16
  TEST 7
  sw zero, 0(s0)
  li a4, 100
1: lr.w a1, (s0)
  addi a1, a1, 1
  sc.w a3, a1, (s0)
  bnez a3, 1b
  addi a4, a4, -1
  bnez a4, 1b
  lw a1, 0(s0)
  CHECK a1, 100

  TEST 8
  li a0, 5
  sw a0, 0(s0)
  li a1, 7
  amoswap.w a2, a1, (s0)
  CHECK a2, 5
  lw a3, 0(s0)
  CHECK a3, 7
  TEST 9
  li a0, 0xfffffffe
  sw a0, 0(s0)
  li a1, 3
  amoadd.w a2, a1, (s0)
  CHECK a2, 0xfffffffe
  lw a3, 0(s0)
  CHECK a3, 1
  TEST 10
  li a0, 0xff00ff00
  sw a0, 0(s0)
  li a1, 0x0ff00ff0
  amoxor.w a2, a1, (s0)
  CHECK a2, 0xff00ff00
  lw a3, 0(s0)
  CHECK a3, 0xf0f0f0f0
  TEST 11
  li a1, 0x3c3c3c3c
  amoand.w a2, a1, (s0)
  CHECK a2, 0xf0f0f0f0
  lw a3, 0(s0)
  CHECK a3, 0x30303030
  TEST 12
  li a1, 0x01020304
  amoor.w a2, a1, (s0)
  CHECK a2, 0x30303030
  lw a3, 0(s0)
  CHECK a3, 0x31323334
  TEST 13
  li a0, 11
  sw a0, 0(s0)
  li a1, -3
  amomin.w a2, a1, (s0)
  CHECK a2, 11
  lw a3, 0(s0)
  CHECK a3, -3
  TEST 14
  li a1, -5
  amomax.w a2, a1, (s0)
  CHECK a2, -3
  lw a3, 0(s0)
  CHECK a3, -3
  li a1, 4
  amomax.w a2, a1, (s0)
  CHECK a2, -3
  lw a3, 0(s0)
  CHECK a3, 4
  TEST 15
  li a1, 0xffffffff
  amominu.w a2, a1, (s0)
  CHECK a2, 4
  lw a3, 0(s0)
  CHECK a3, 4
  li a1, 2
  amominu.w a2, a1, (s0)
  CHECK a2, 4
  lw a3, 0(s0)
  CHECK a3, 2
  TEST 16
  li a1, 0x80000000
  amomaxu.w a2, a1, (s0)
  CHECK a2, 2
  lw a3, 0(s0)
  CHECK a3, 0x80000000
  TEST 17
  li a1, 1
  amomaxu.w a2, a1, (s0)
  CHECK a2, 0x80000000
  lw a3, 0(s0)
  CHECK a3, 0x80000000
  li a1, 0x7fffffff
  amomin.w a2, a1, (s0)
  CHECK a2, 0x80000000
  lw a3, 0(s0)
  CHECK a3, 0x80000000
  TEST 18
  li a1, 0x7fffffff
  amomax.w a2, a1, (s0)
  CHECK a2, 0x80000000
  lw a3, 0(s0)
  CHECK a3, 0x7fffffff
  li a1, 0x80000000
  amominu.w a2, a1, (s0)
  CHECK a2, 0x7fffffff
  lw a3, 0(s0)
  CHECK a3, 0x7fffffff
  TEST 19
  li a0, 40
  sw a0, 0(s0)
  li a1, 2
  amoadd.w x0, a1, (s0)
  amoadd.w.aq x0, a1, (s0)
  amoadd.w.rl x0, a1, (s0)
  amoadd.w.aqrl a2, a1, (s0)
  CHECK a2, 46
  mv a0, x0
  CHECK a0, 0
  lw a3, 0(s0)
  CHECK a3, 48
  TEST 20
  li a1, 99
  amoswap.w a1, a1, (s0)
  CHECK a1, 48
  lw a3, 0(s0)
  CHECK a3, 99

  TEST 21
  addi a0, s0, 2
  EXPECT_TRAP 1f
2: lr.w a1, (a0)
  FAIL
1: CHECK_MCAUSE CAUSE_MISALIGNED_LOAD
  CHECKA s10, 2b
  CHECKR s11, a0
  TEST 22
  li a1, 0x11111111
  sw a1, 0(s0)
  sw a1, 4(s0)
  addi a0, s0, 2
  EXPECT_TRAP 1f
2: amoadd.w a2, a1, (a0)
  FAIL
1: li t0, CAUSE_MISALIGNED_STORE
  beq s9, t0, 3f
  CHECK_MCAUSE CAUSE_MISALIGNED_LOAD
3: CHECKA s10, 2b
  CHECKR s11, a0
  lw a3, 0(s0)
  CHECK a3, 0x11111111
  lw a3, 4(s0)
  CHECK a3, 0x11111111
  TEST 23
  li a0, UNMAPPED_DATA
  EXPECT_TRAP 1f
2: amoswap.w a2, a1, (a0)
  FAIL
1: li t0, CAUSE_STORE_ACCESS
  beq s9, t0, 3f
  CHECK_MCAUSE CAUSE_LOAD_ACCESS
3: CHECKA s10, 2b
  CHECKR s11, a0
  TEST 24
  li a0, UNMAPPED_DATA
  EXPECT_TRAP 1f
2: lr.w a2, (a0)
  FAIL
1: CHECK_MCAUSE CAUSE_LOAD_ACCESS
  CHECKA s10, 2b
  CHECKR s11, a0
TEST_END

  .data
  .balign 64
word: .word 0, 0
  .balign 64
other: .word 0
