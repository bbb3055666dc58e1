/* Synchronous exceptions taken to M-mode, one per cause, with mcause, mepc and mtval checked.
 *
 *  1     illegal instruction (32-bit 0xfe000033, an undefined OP funct7): cause 2, mepc, mtval = bits
 *  2     illegal instruction (all-zero 16-bit parcel): cause 2, mepc, mtval low 16 bits = 0
 *  3     mret executed in U-mode: illegal, mtval = 0x30200073
 *  4     sret executed in U-mode: illegal, mtval = 0x10200073
 *  5     mret executed in S-mode: illegal
 *  6     ebreak: breakpoint (3), mepc = the ebreak, mtval is 0 or the pc
 *  7     c.ebreak: breakpoint (3), mepc = the c.ebreak, mtval is 0 or the pc
 *  8     ecall from M: cause 11, mepc = the ecall, mtval = 0
 *  9     ecall from S: cause 9, mepc, mtval = 0
 * 10     ecall from U: cause 8, mepc, mtval = 0
 * 11     lw from a physical address with nothing there: load access fault (5), mtval = address
 * 12     lb from such an address: 5, the destination register is not written
 * 13     sw to such an address: store access fault (7), mtval = address
 * 14     sh to such an address: 7
 * 15     jump to such an address: instruction access fault (1), mepc = mtval = the address
 * 16     the trap does not retire the faulting instruction: a load's rd is unchanged
 * 17     exceptions have mcause bit 31 clear (checked on cause 11)
 * 18     a trap from U-mode records MPP = U, one from S-mode MPP = S, one from M-mode MPP = M
 * 19     sfence.vma in U-mode is illegal (mtval = 0x12000073)
 * 20     an S-mode CSR (satp) accessed from U-mode is illegal
 */
#include "harness.h"
TEST_BEGIN
  TEST 1
  EXPECT_TRAP 1f
2: .word 0xfe000033
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0xfe000033

  TEST 2
  EXPECT_TRAP 1f
2: .hword 0x0000
  .hword 0x0000
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECKM s11, 0xffff, 0

  TEST 3
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: mret
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x30200073

  TEST 4
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: sret
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x10200073

  TEST 5
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: mret
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x30200073

  TEST 6
  EXPECT_TRAP 1f
2: ebreak
  FAIL
1: CHECK_MCAUSE CAUSE_BREAKPOINT
  CHECKA s10, 2b
  beqz s11, 3f
  CHECKA s11, 2b
3:
  TEST 7
  EXPECT_TRAP 1f
  .option push
  .option rvc
2: c.ebreak
  .option pop
  FAIL
1: CHECK_MCAUSE CAUSE_BREAKPOINT
  CHECKA s10, 2b
  beqz s11, 3f
  CHECKA s11, 2b
3:

  TEST 8
  li s11, -1
  EXPECT_TRAP 1f
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_M
  CHECKA s10, 2b
  CHECK s11, 0
  TEST 9
  li s11, -1
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKA s10, 2b
  CHECK s11, 0
  TEST 10
  li s11, -1
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECKA s10, 2b
  CHECK s11, 0

  TEST 11
  li a0, UNMAPPED_DATA
  EXPECT_TRAP 1f
2: lw a1, 8(a0)
  FAIL
1: CHECK_MCAUSE CAUSE_LOAD_ACCESS
  CHECKA s10, 2b
  CHECK s11, UNMAPPED_DATA + 8
  TEST 12
  li a1, 0x77
  EXPECT_TRAP 1f
2: lb a1, 3(a0)
  FAIL
1: CHECK_MCAUSE CAUSE_LOAD_ACCESS
  CHECKA s10, 2b
  CHECK s11, UNMAPPED_DATA + 3
  CHECK a1, 0x77
  TEST 13
  EXPECT_TRAP 1f
2: sw a1, 12(a0)
  FAIL
1: CHECK_MCAUSE CAUSE_STORE_ACCESS
  CHECKA s10, 2b
  CHECK s11, UNMAPPED_DATA + 12
  TEST 14
  EXPECT_TRAP 1f
2: sh a1, 0x7fe(a0)
  FAIL
1: CHECK_MCAUSE CAUSE_STORE_ACCESS
  CHECKA s10, 2b
  CHECK s11, UNMAPPED_DATA + 0x7fe
  TEST 15
  li a0, UNMAPPED_CODE
  EXPECT_TRAP 1f
  jalr ra, 0(a0)
  FAIL
1: CHECK_MCAUSE CAUSE_FETCH_ACCESS
  CHECK s10, UNMAPPED_CODE
  CHECK s11, UNMAPPED_CODE
  TEST 16
  li a0, UNMAPPED_DATA
  mv a1, a0
  EXPECT_TRAP 1f
  lw a0, 0(a0)
  FAIL
1: CHECKR a0, a1

  TEST 17
  EXPECT_TRAP 1f
  ecall
1: bltz s9, fail
  TEST 18
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: ecall
1: CHECKM s8, MSTATUS_MPP, 0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: ecall
1: CHECKM s8, MSTATUS_MPP, (PRV_S << 11)
  EXPECT_TRAP 1f
  ecall
1: CHECKM s8, MSTATUS_MPP, MSTATUS_MPP

  TEST 19
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: sfence.vma
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x12000073
  TEST 20
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: csrr a0, satp
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
TEST_END
