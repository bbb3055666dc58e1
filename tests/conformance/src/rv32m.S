/* RV32M: multiplication (low word and every high-word form with signed/unsigned mixes) and division
 * and remainder, including the spec's results for division by zero and for -2^31 / -1.
 *
 *  1- 5  mul (signs, 2^31 * 2^31, -1 * -1, large operands, overflow wraps)
 *  6-11  mulh (signed x signed high word)
 * 12-16  mulhsu (signed rs1 x unsigned rs2 high word)
 * 17-20  mulhu (unsigned x unsigned high word)
 * 21-24  div: signs of quotient (truncation toward zero)
 * 25-28  rem: remainder takes the sign of the dividend
 * 29-30  divu, remu
 * 31-34  division by zero: div -> -1, divu -> 0xffffffff, rem and remu -> the dividend
 * 35-36  division by zero of 0 and of INT_MIN
 * 37-40  overflow: div -2^31 / -1 = -2^31, rem = 0; divu/remu of the same bits are ordinary
 * 41-42  rd aliasing a source (mul rd=rs1=rs2, div rd=rs2); result into x0 discarded
 */
#include "harness.h"
TEST_BEGIN
  TEST_RR 1, mul, 0xffffffeb, 7, -3
  TEST_RR 2, mul, 0, 0x80000000, 0x80000000
  TEST_RR 3, mul, 1, -1, -1
  TEST_RR 4, mul, 0x242d2080, 0x12345678, 0x9abcdef0
  TEST_RR 5, mul, 0xfffffffe, 0x7fffffff, 2
  TEST_RR 6, mulh, 0x40000000, 0x80000000, 0x80000000
  TEST_RR 7, mulh, 0, -1, -1
  TEST_RR 8, mulh, 0xf8cc93d6, 0x12345678, 0x9abcdef0
  TEST_RR 9, mulh, 0x3fffffff, 0x7fffffff, 0x7fffffff
  TEST_RR 10, mulh, 0xffffffff, -1, 1
  TEST_RR 11, mulh, 0xc0000000, 0x80000000, 0x7fffffff
  TEST_RR 12, mulhsu, 0xffffffff, -1, -1
  TEST_RR 13, mulhsu, 0x0b00ea4e, 0x12345678, 0x9abcdef0
  TEST_RR 14, mulhsu, 0x80000000, 0x80000000, 0xffffffff
  TEST_RR 15, mulhsu, 0x7ffffffe, 0x7fffffff, 0xffffffff
  TEST_RR 16, mulhsu, 0xffffffff, -2, 3
  TEST_RR 17, mulhu, 0xfffffffe, -1, -1
  TEST_RR 18, mulhu, 0x0b00ea4e, 0x12345678, 0x9abcdef0
  TEST_RR 19, mulhu, 0x40000000, 0x80000000, 0x80000000
  TEST_RR 20, mulhu, 1, 0xffffffff, 2
  TEST_RR 21, div, -3, -20, 6
  TEST_RR 22, div, -3, 20, -6
  TEST_RR 23, div, 3, -20, -6
  TEST_RR 24, div, 3, 20, 6
  TEST_RR 25, rem, -2, -20, 6
  TEST_RR 26, rem, 2, 20, -6
  TEST_RR 27, rem, -2, -20, -6
  TEST_RR 28, rem, 2, 20, 6
  TEST_RR 29, divu, 0x2aaaaaa7, -20, 6
  TEST_RR 30, remu, 2, -20, 6
  TEST_RR 31, div, -1, -20, 0
  TEST_RR 32, divu, 0xffffffff, 20, 0
  TEST_RR 33, rem, -20, -20, 0
  TEST_RR 34, remu, 0xffffffec, -20, 0
  TEST_RR 35, div, -1, 0, 0
  TEST_RR 36, rem, 0x80000000, 0x80000000, 0
  TEST_RR 37, div, 0x80000000, 0x80000000, -1
  TEST_RR 38, rem, 0, 0x80000000, -1
  TEST_RR 39, divu, 0, 0x80000000, -1
  TEST_RR 40, remu, 0x80000000, 0x80000000, -1

  TEST 41
  li a1, -9
  mul a1, a1, a1
  CHECK a1, 81
  TEST 42
  li a1, 100
  li a2, 7
  div a2, a1, a2
  CHECK a2, 14
  mulhu x0, a1, a1
  divu x0, a1, a1
  mv a0, x0
  CHECK a0, 0
TEST_END
