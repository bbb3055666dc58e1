/* The mstatus trap-virtualisation bits TSR, TVM and TW, and wfi.
 *
 *  1     TSR = 1: sret in S-mode is illegal (mepc = the sret, mtval = 0x10200073)
 *  2     TSR = 1: sret in M-mode still works
 *  3     TSR = 0: sret in S-mode works (lands in U-mode)
 *  4     TVM = 1: reading satp in S-mode is illegal (mtval = the bits)
 *  5     TVM = 1: writing satp in S-mode is illegal and satp is unchanged
 *  6     TVM = 1: sfence.vma in S-mode is illegal (mtval = 0x12000073)
 *  7     TVM = 1: satp and sfence.vma from M-mode still work
 *  8     TVM = 0: S-mode reads and writes satp and executes sfence.vma
 *  9     TW = 1: wfi in S-mode (no interrupt enabled, so it could never complete) is illegal,
 *        mtval = 0x10500073
 * 10     TW = 1 does not affect M-mode: wfi in M with an enabled pending interrupt (MIE = 0) completes
 * 11     TW = 0: wfi in S-mode with a delegated, enabled (sie) pending interrupt and SIE = 0
 *        completes without a trap
 * 12     wfi in M-mode with MTIP pending and enabled in mie but MIE = 0 completes without a trap
 */
#include "harness.h"
TEST_BEGIN
  TEST 1
  li a0, MSTATUS_TSR
  csrs mstatus, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: la a0, 3f
  csrw sepc, a0
4: sret
  FAIL
3: FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 4b
  CHECK s11, 0x10200073
  TEST 2
  li a0, MSTATUS_SPP
  csrs mstatus, a0
  la a0, 2f
  csrw sepc, a0
  EXPECT_TRAP 1f
  sret
  FAIL
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKA s10, 2b
  TEST 3
  li a0, MSTATUS_TSR
  csrc mstatus, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li a0, MSTATUS_SPP
  csrc sstatus, a0
  la a0, 3f
  csrw sepc, a0
  sret
  FAIL
3: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECKA s10, 3b

  TEST 4
  li a0, MSTATUS_TVM
  csrs mstatus, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: csrr a0, satp
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  la t0, 2b
  lw t0, 0(t0)
  CHECKR s11, t0
  TEST 5
  li a1, 0x12345
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: csrw satp, a1
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  csrr a0, satp
  CHECK a0, 0
  TEST 6
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: sfence.vma
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x12000073
  TEST 7
  li a0, 0x12345
  csrw satp, a0
  csrr a1, satp
  CHECK a1, 0x12345
  csrw satp, zero
  sfence.vma
  TEST 8
  li a0, MSTATUS_TVM
  csrc mstatus, a0
  li a1, 0x54321
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: csrw satp, a1
  csrr a2, satp
  csrw satp, zero
  sfence.vma
  sfence.vma a1, x0
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a2, 0x54321

  TEST 9
  csrw mie, zero
  li a0, MSTATUS_TW
  csrs mstatus, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: wfi
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  CHECK s11, 0x10500073
  TEST 10
  li a0, CLINT_MTIMECMP
  sw zero, 0(a0)
  sw zero, 4(a0)
  li a0, MIP_MTIP
  csrw mie, a0
  csrci mstatus, MSTATUS_MIE
  wfi
  li a0, MSTATUS_TW
  csrc mstatus, a0
  csrw mie, zero
  TEST 11
  li a0, MIP_SSIP
  csrw mideleg, a0
  csrw mie, a0
  csrs mip, a0
  csrci mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: wfi
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKA s10, 2b + 4
  csrw mip, zero
  csrw mie, zero
  csrw mideleg, zero
  TEST 12
  li a0, MIP_MTIP
  csrw mie, a0
  wfi
  csrr a1, mip
  CHECKM a1, MIP_MTIP, MIP_MTIP
  csrw mie, zero
TEST_END
