/* Zicsr: the six CSR instructions, rd = x0 / rs1 = x0 / uimm = 0 semantics, read-only CSRs,
 * privilege checks on CSR numbers, misa and the machine information registers.
 *
 *  1     csrrw returns the old value and writes the new one (mscratch, all 32 bits)
 *  2     csrrw with rd = x0 (csrw) writes; csrrw rd = rs1 swaps
 *  3     csrrs sets the bits of rs1 and returns the old value
 *  4     csrrc clears the bits of rs1 and returns the old value
 *  5     csrrs / csrrc with rs1 = x0 only read
 *  6     csrrwi writes the zero-extended 5-bit immediate (31 -> 0x1f)
 *  7     csrrsi / csrrci set and clear immediate bits, returning the old value
 *  8     csrrsi / csrrci with uimm = 0 only read
 *  9     reading read-only CSRs (mvendorid, marchid, mimpid, mhartid) with csrrs rs1 = x0, csrrsi
 *        and csrrci uimm = 0 is legal; mhartid = 0
 * 10-13  writing a read-only CSR traps (illegal, mtval = the instruction bits): csrrw mvendorid,
 *        csrrwi mhartid, csrrw x0 to marchid, csrrw to cycle (0xc00) from M-mode
 * 14     misa: MXL = 1 (RV32) and the I, M, A, C, S, U bits are set
 * 15     a debug-mode-only CSR (dcsr, 0x7b0) is not accessible from M-mode: illegal
 * 16     sscratch, stvec, sepc are readable and writable from S-mode
 * 17     an M-mode CSR (mscratch) read from S-mode is illegal, mtval = the bits
 * 18     an S-mode CSR (sscratch) read from U-mode is illegal
 * 19     an M-mode CSR written from U-mode is illegal, and the CSR is unchanged
 * 20     mepc and sepc hold any 2-byte-aligned address; mtvec accepts a 4-byte-aligned direct base
 */
#include "harness.h"
TEST_BEGIN
  TEST 1
  li a0, 0x5a5a1234
  csrw mscratch, a0
  li a1, 0xa5a5edcb
  csrrw a2, mscratch, a1
  CHECK a2, 0x5a5a1234
  csrr a3, mscratch
  CHECK a3, 0xa5a5edcb
  TEST 2
  li a1, 0xffffffff
  csrrw x0, mscratch, a1
  csrr a3, mscratch
  CHECK a3, 0xffffffff
  li a1, 0x13579bdf
  csrrw a1, mscratch, a1
  CHECK a1, 0xffffffff
  csrr a3, mscratch
  CHECK a3, 0x13579bdf
  TEST 3
  li a0, 0x00f000f0
  csrw mscratch, a0
  li a1, 0x0f00000f
  csrrs a2, mscratch, a1
  CHECK a2, 0x00f000f0
  csrr a3, mscratch
  CHECK a3, 0x0ff000ff
  TEST 4
  li a1, 0x00f0000f
  csrrc a2, mscratch, a1
  CHECK a2, 0x0ff000ff
  csrr a3, mscratch
  CHECK a3, 0x0f0000f0
  TEST 5
  csrrs a2, mscratch, x0
  CHECK a2, 0x0f0000f0
  csrrc a2, mscratch, x0
  CHECK a2, 0x0f0000f0
  csrr a3, mscratch
  CHECK a3, 0x0f0000f0
  TEST 6
  csrrwi a2, mscratch, 31
  CHECK a2, 0x0f0000f0
  csrr a3, mscratch
  CHECK a3, 0x1f
  TEST 7
  csrwi mscratch, 0x10
  csrrsi a2, mscratch, 0x05
  CHECK a2, 0x10
  csrr a3, mscratch
  CHECK a3, 0x15
  csrrci a2, mscratch, 0x14
  CHECK a2, 0x15
  csrr a3, mscratch
  CHECK a3, 0x01
  TEST 8
  csrrsi a2, mscratch, 0
  CHECK a2, 0x01
  csrrci a2, mscratch, 0
  CHECK a2, 0x01
  csrr a3, mscratch
  CHECK a3, 0x01

  TEST 9
  csrrs a0, mvendorid, x0
  csrrs a0, marchid, x0
  csrrs a0, mimpid, x0
  csrrsi a0, mvendorid, 0
  csrrci a0, marchid, 0
  li a0, -1
  csrrs a0, mhartid, x0
  CHECK a0, 0

  TEST 10
  EXPECT_TRAP 1f
2: csrrw a0, mvendorid, a1
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  la t0, 2b
  lw t0, 0(t0)
  CHECKR s11, t0
  TEST 11
  EXPECT_TRAP 1f
2: csrrwi a0, mhartid, 1
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  la t0, 2b
  lw t0, 0(t0)
  CHECKR s11, t0
  TEST 12
  EXPECT_TRAP 1f
2: csrrw x0, marchid, a1
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  TEST 13
  EXPECT_TRAP 1f
2: csrw cycle, a1
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  la t0, 2b
  lw t0, 0(t0)
  CHECKR s11, t0

  TEST 14
  csrr a0, misa
  srli a1, a0, 30
  CHECK a1, 1
  /* I (8), M (12), A (0), C (2), S (18), U (20) */
  CHECKM a0, 0x00141105, 0x00141105

  TEST 15
  EXPECT_TRAP 1f
2: csrr a0, 0x7b0
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b

  TEST 16
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li a0, 0x600d
  csrw sscratch, a0
  csrr a1, sscratch
  la a2, s_trap
  csrw stvec, a2
  csrr a3, stvec
  li a4, 0x80001232
  csrw sepc, a4
  csrr a5, sepc
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a1, 0x600d
  CHECKA a3, s_trap
  CHECK a5, 0x80001232
  csrr a0, sscratch
  CHECK a0, 0x600d

  TEST 17
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: csrr a0, mscratch
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  la t0, 2b
  lw t0, 0(t0)
  CHECKR s11, t0
  CHECKM s8, MSTATUS_MPP, (PRV_S << 11)

  TEST 18
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: csrr a0, sscratch
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECKM s8, MSTATUS_MPP, 0

  TEST 19
  li a0, 0x1111
  csrw mscratch, a0
  li a1, 0x2222
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: csrw mscratch, a1
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  csrr a0, mscratch
  CHECK a0, 0x1111

  TEST 20
  li a0, 0x80000102
  csrw mepc, a0
  csrr a1, mepc
  CHECK a1, 0x80000102
  li a0, 0x80000206
  csrw sepc, a0
  csrr a1, sepc
  CHECK a1, 0x80000206
  la a0, m_trap
  csrw mtvec, a0
  csrr a1, mtvec
  CHECKA a1, m_trap
TEST_END
