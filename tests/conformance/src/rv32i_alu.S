/* RV32I register-register and register-immediate arithmetic, logic and comparisons.
 *
 *  1- 4  add (small, signed overflow wraps, -1 + -1, carry out discarded)
 *  5- 7  sub (small, 0 - 1, signed overflow wraps)
 *  8-10  and, or, xor
 * 11-14  slt (less, greater, equal, most negative vs most positive)
 * 15-17  sltu (-1 is the largest unsigned value, equal)
 * 18-20  addi (immediate -2048 and 2047 sign-extended, -1 + 1)
 * 21-22  andi (immediate 0x7ff, immediate -16 sign-extended)
 * 23-24  ori (small, immediate -2048 sign-extended)
 * 25-26  xori (-1 is `not`, 0x7ff)
 * 27-28  slti (both signs)
 * 29-31  sltiu (immediate -1 compares as 0xffffffff; seqz; equal)
 * 32-34  rd aliasing a source: add rd=rs1=rs2, sub rd=rs2, addi rd=rs1
 * 35-37  writes to x0 are discarded (add, addi, lui, auipc, slt into x0)
 * 38-39  x0 as a source reads zero
 */
#include "harness.h"
TEST_BEGIN
  TEST_RR 1, add, 7, 3, 4
  TEST_RR 2, add, 0x80000000, 0x7fffffff, 1
  TEST_RR 3, add, -2, -1, -1
  TEST_RR 4, add, 0, 0xffffffff, 1
  TEST_RR 5, sub, 3, 7, 4
  TEST_RR 6, sub, 0xffffffff, 0, 1
  TEST_RR 7, sub, 0x7fffffff, 0x80000000, 1
  TEST_RR 8, and, 0x0f000f00, 0xff00ff00, 0x0ff00ff0
  TEST_RR 9, or, 0xfff0fff0, 0xff00ff00, 0x0ff00ff0
  TEST_RR 10, xor, 0xf0f0f0f0, 0xff00ff00, 0x0ff00ff0
  TEST_RR 11, slt, 1, -1, 1
  TEST_RR 12, slt, 0, 1, -1
  TEST_RR 13, slt, 0, 5, 5
  TEST_RR 14, slt, 1, 0x80000000, 0x7fffffff
  TEST_RR 15, sltu, 0, 0xffffffff, 1
  TEST_RR 16, sltu, 1, 1, 0xffffffff
  TEST_RR 17, sltu, 0, 7, 7
  TEST_RI 18, addi, 0xfffff800, 0, -2048
  TEST_RI 19, addi, 2052, 5, 2047
  TEST_RI 20, addi, 0, -1, 1
  TEST_RI 21, andi, 0x00000700, 0xff00ff00, 0x7ff
  TEST_RI 22, andi, 0x12345670, 0x12345678, -16
  TEST_RI 23, ori, 0x123456f8, 0x12345678, 0x0f0
  TEST_RI 24, ori, 0xfffff800, 0, -2048
  TEST_RI 25, xori, 0xff00ff00, 0x00ff00ff, -1
  TEST_RI 26, xori, 0x12345187, 0x12345678, 0x7ff
  TEST_RI 27, slti, 1, -5, -4
  TEST_RI 28, slti, 0, 0x7fffffff, -1
  TEST_RI 29, sltiu, 1, 1, -1
  TEST_RI 30, sltiu, 1, 0, 1
  TEST_RI 31, sltiu, 0, 5, 5

  TEST 32
  li a1, 0x40000000
  add a1, a1, a1
  CHECK a1, 0x80000000
  TEST 33
  li a1, 10
  li a2, 3
  sub a2, a1, a2
  CHECK a2, 7
  TEST 34
  li a1, 100
  addi a1, a1, -101
  CHECK a1, -1

  TEST 35
  li a1, 5
  add x0, a1, a1
  addi x0, a1, 1
  mv a0, x0
  CHECK a0, 0
  TEST 36
  lui x0, 0x12345
  auipc x0, 1
  mv a0, x0
  CHECK a0, 0
  TEST 37
  li a1, -1
  li a2, 1
  slt x0, a1, a2
  bnez x0, fail
  TEST 38
  li a1, 42
  add a0, a1, x0
  CHECK a0, 42
  TEST 39
  li a1, 42
  sub a0, x0, a1
  CHECK a0, -42
TEST_END
