/* RV32I shifts: register forms use only the low 5 bits of rs2; immediate forms with shamt 0, 1, 31;
 * arithmetic right shifts copy the sign bit; shift encodings with shamt[5] set are illegal on RV32.
 *
 *  1- 6  sll (by 0, by 31, by 4, by 32 = by 0, by 33 = by 1, by -1 = by 31)
 *  7-10  srl (by 31, by 0, by 4, by 36 = by 4)
 * 11-14  sra (negative by 31, negative by 4, positive by 4, by 0xffffffe1 = by 1)
 * 15-16  slli (by 31, by 0)
 * 17-18  srli (by 31, by 1 of -1)
 * 19-22  srai (negative by 31, positive by 31, negative by 1, by 0)
 * 23-24  rd = rs1 = rs2 aliasing for sll and srl
 * 25-27  slli/srli/srai with shamt[5] = 1 raise illegal instruction, mtval = the bits
 */
#include "harness.h"
TEST_BEGIN
  TEST_RR 1, sll, 1, 1, 0
  TEST_RR 2, sll, 0x80000000, 1, 31
  TEST_RR 3, sll, 0x23456780, 0x12345678, 4
  TEST_RR 4, sll, 0x12345678, 0x12345678, 32
  TEST_RR 5, sll, 0x2468acf0, 0x12345678, 33
  TEST_RR 6, sll, 0x80000000, 1, -1
  TEST_RR 7, srl, 1, 0x80000000, 31
  TEST_RR 8, srl, 0x80000000, 0x80000000, 0
  TEST_RR 9, srl, 0x0f000000, 0xf0000000, 4
  TEST_RR 10, srl, 0x0f000000, 0xf0000000, 36
  TEST_RR 11, sra, 0xffffffff, 0x80000000, 31
  TEST_RR 12, sra, 0xff000000, 0xf0000000, 4
  TEST_RR 13, sra, 0x07000000, 0x70000000, 4
  TEST_RR 14, sra, 0xc0000000, 0x80000000, 0xffffffe1
  TEST_RI 15, slli, 0x80000000, 1, 31
  TEST_RI 16, slli, 0x12345678, 0x12345678, 0
  TEST_RI 17, srli, 1, 0x80000000, 31
  TEST_RI 18, srli, 0x7fffffff, 0xffffffff, 1
  TEST_RI 19, srai, 0xffffffff, 0x80000000, 31
  TEST_RI 20, srai, 0, 0x7fffffff, 31
  TEST_RI 21, srai, 0xc0000000, 0x80000001, 1
  TEST_RI 22, srai, 0x87654321, 0x87654321, 0

  TEST 23
  li a1, 3
  sll a1, a1, a1
  CHECK a1, 24
  TEST 24
  li a1, 0x80000004
  srl a1, a1, a1
  CHECK a1, 0x08000000

  /* slli a0, a0, 32 / srli a0, a0, 32 / srai a0, a0, 32: shamt[5] = 1 is reserved on RV32. */
  TEST 25
  EXPECT_TRAP 1f
2: .word 0x02051513
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x02051513
  TEST 26
  EXPECT_TRAP 1f
2: .word 0x02055513
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x02055513
  TEST 27
  EXPECT_TRAP 1f
2: .word 0x42055513
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x42055513
TEST_END
