/* Supervisor-level interrupts: delegation through mideleg, the S-mode global enable (SIE) and
 * the rule that interrupts for a more privileged mode are always enabled in a less privileged one.
 *
 *  1     mideleg: SSI, STI and SEI are delegable (the bits read back set)
 *  2     SSI delegated, S-mode with SIE = 1: taken in S, scause = 0x80000001, sepc = the
 *        interrupted instruction (in the spin loop), SPP = S, SPIE = 1, SIE = 0
 *  3     SSI delegated, S-mode with SIE = 0: not taken; taken as soon as S-mode sets SIE
 *        (sepc within 4 instructions after the csrs)
 *  4     SSI delegated, U-mode with SIE = 0: taken in S (SPP = U)
 *  5     SSI delegated, M-mode with MIE = 1 and SIE = 1: not taken
 *  6     SSI delegated but sie.SSIE = 0: not taken in U-mode either
 *  7     STI delegated (M sets mip.STIP), S-mode with SIE = 1: scause = 0x80000005
 *  8     STI not delegated, S-mode with MIE = 0: taken in M (0x80000005, MPP = S)
 *  9     SSI and STI both pending and delegated: SSI is taken first
 * 10     a pending machine interrupt (MSI) is taken in M before a pending delegated SSI when in S
 */
#include "harness.h"
TEST_BEGIN
  TIMER_OFF
  SET_MSIP 0
  TEST 1
  li a0, MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw mideleg, a0
  csrr a1, mideleg
  CHECKM a1, MIP_SSIP | MIP_STIP | MIP_SEIP, MIP_SSIP | MIP_STIP | MIP_SEIP

  TEST 2
  li a0, MIP_SSIP
  csrw mie, a0
  csrs mip, a0
  csrsi mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_SCAUSE INT_SSI
  la t0, 2b
  bltu s6, t0, fail
  addi t0, t0, 16
  bgeu s6, t0, fail
  CHECKM s4, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPP | MSTATUS_SPIE

  TEST 3
  csrci mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li a0, 1000
3: addi a0, a0, -1
  bnez a0, 3b
  csrsi sstatus, MSTATUS_SIE
4: nop
  nop
  nop
  nop
  j fail
1: CHECK_SCAUSE INT_SSI
  la t0, 4b
  bltu s6, t0, fail
  addi t0, t0, 16
  bgeu s6, t0, fail

  TEST 4
  csrci mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_SCAUSE INT_SSI
  CHECKM s4, MSTATUS_SPP, 0

  TEST 5
  csrsi mstatus, MSTATUS_SIE
  csrsi mstatus, MSTATUS_MIE
  li a0, 1000
1: addi a0, a0, -1
  bnez a0, 1b
  csrci mstatus, MSTATUS_MIE

  TEST 6
  csrw mie, zero
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: li a0, 1000
3: addi a0, a0, -1
  bnez a0, 3b
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_U
  csrw mip, zero

  TEST 7
  li a0, MIP_STIP
  csrw mie, a0
  csrs mip, a0
  csrsi mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_SCAUSE INT_STI
  CHECKM s4, MSTATUS_SPP, MSTATUS_SPP

  TEST 8
  csrw mideleg, zero
  csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_STI
  CHECKM s8, MSTATUS_MPP, (PRV_S << 11)
  csrw mip, zero

  TEST 9
  li a0, MIP_SSIP | MIP_STIP
  csrw mideleg, a0
  csrw mie, a0
  csrs mip, a0
  csrsi mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_SCAUSE INT_SSI
  csrw mip, zero

  TEST 10
  li a0, MIP_SSIP
  csrs mip, a0
  li a0, MIP_SSIP | MIP_MSIP
  csrw mie, a0
  SET_MSIP 1
  csrsi mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_MSI
  CHECKM s8, MSTATUS_MPP, (PRV_S << 11)
  SET_MSIP 0
  csrw mip, zero
  csrw mie, zero
  csrw mideleg, zero
TEST_END
