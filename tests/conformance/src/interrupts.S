/* Machine-level interrupts from the CLINT (mtimecmp, msip) and from M-mode writes to mip, their
 * enables, priorities, and wfi.
 *
 *  1     mtimecmp = all ones: mip.MTIP = 0; mtimecmp = 0: mip.MTIP = 1
 *  2     MTIP and MSIP cannot be written through mip
 *  3     mie: MSIE, MTIE, MEIE, SSIE, STIE, SEIE are writable
 *  4     timer interrupt: mtimecmp = mtime + 50, MTIE and MIE set, spin: mcause = 0x80000007,
 *        mepc inside the spin loop, MPIE = 1, MIE = 0, MPP = M in the handler's mstatus
 *  5     raising mtimecmp clears MTIP
 *  6     msip = 1: mip.MSIP = 1 and msip reads back 1
 *  7     MSIE and MIE: software interrupt 0x80000003 taken within 4 instructions of setting MIE
 *  8     msip = 0 clears MSIP
 *  9     MIE = 0 in M-mode: a pending, enabled machine interrupt is not taken
 * 10     in U-mode machine interrupts are taken even with MIE = 0 (MPP = U)
 * 11     in S-mode likewise (MPP = S)
 * 12     MSI and MTI both pending: MSI is taken first, then MTI
 * 13     wfi with MIE = 1 and the timer in the future: the timer interrupt wakes it, mepc = wfi + 4
 *        (or the wfi itself, if the interrupt arrived before the wfi executed)
 * 14     supervisor software interrupt not delegated (M sets mip.SSIP): taken in M, 0x80000001
 * 15     supervisor timer interrupt not delegated (M sets mip.STIP): taken in M, 0x80000005
 * 16     an interrupt whose mie bit is clear is not taken
 */
#include "harness.h"
TEST_BEGIN
  TEST 1
  TIMER_OFF
  csrr a1, mip
  CHECKM a1, MIP_MTIP, 0
  TIMER_NOW
  csrr a1, mip
  CHECKM a1, MIP_MTIP, MIP_MTIP
  TEST 2
  TIMER_OFF
  SET_MSIP 0
  li a0, MIP_MTIP | MIP_MSIP
  csrs mip, a0
  csrr a1, mip
  CHECKM a1, MIP_MTIP | MIP_MSIP, 0
  TEST 3
  li a0, MIP_MSIP | MIP_MTIP | MIP_MEIP | MIP_SSIP | MIP_STIP | MIP_SEIP
  csrw mie, a0
  csrr a1, mie
  CHECKM a1, 0xaaa, 0xaaa
  csrw mie, zero
  csrr a1, mie
  CHECKM a1, 0xaaa, 0

  TEST 4
  TIMER_FROM_NOW 50
  li a0, MIP_MTIP
  csrw mie, a0
  EXPECT_TRAP 1f
  csrsi mstatus, MSTATUS_MIE
2: SPIN_THEN_FAIL 1000000
1: CHECK_MCAUSE INT_MTI
  la t0, 2b
  bltu s10, t0, fail
  addi t0, t0, 20
  bgeu s10, t0, fail
  CHECKM s8, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP
  csrr a1, mip
  CHECKM a1, MIP_MTIP, MIP_MTIP
  TEST 5
  TIMER_OFF
  csrr a1, mip
  CHECKM a1, MIP_MTIP, 0
  csrw mie, zero

  TEST 6
  SET_MSIP 1
  csrr a1, mip
  CHECKM a1, MIP_MSIP, MIP_MSIP
  li t0, CLINT_MSIP
  lw a1, 0(t0)
  CHECK a1, 1
  TEST 7
  li a0, MIP_MSIP
  csrw mie, a0
  EXPECT_TRAP 1f
  csrsi mstatus, MSTATUS_MIE
2: nop
  nop
  nop
  nop
  j fail
1: CHECK_MCAUSE INT_MSI
  la t0, 2b
  bltu s10, t0, fail
  addi t0, t0, 16
  bgeu s10, t0, fail
  TEST 8
  SET_MSIP 0
  csrr a1, mip
  CHECKM a1, MIP_MSIP, 0
  li t0, CLINT_MSIP
  lw a1, 0(t0)
  CHECK a1, 0

  TEST 9
  SET_MSIP 1
  csrci mstatus, MSTATUS_MIE
  li a0, 1000
1: addi a0, a0, -1
  bnez a0, 1b
  TEST 10
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_MSI
  CHECKM s8, MSTATUS_MPP, 0
  TEST 11
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_MSI
  CHECKM s8, MSTATUS_MPP, (PRV_S << 11)

  TEST 12
  TIMER_NOW
  li a0, MIP_MSIP | MIP_MTIP
  csrw mie, a0
  EXPECT_TRAP 1f
  csrsi mstatus, MSTATUS_MIE
  SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_MSI
  SET_MSIP 0
  EXPECT_TRAP 1f
  csrsi mstatus, MSTATUS_MIE
  SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_MTI
  TIMER_OFF

  TEST 13
  TIMER_FROM_NOW 100000
  li a0, MIP_MTIP
  csrw mie, a0
  EXPECT_TRAP 1f
  csrsi mstatus, MSTATUS_MIE
2: wfi
3: j 3b
1: CHECK_MCAUSE INT_MTI
  la t0, 2b
  beq s10, t0, 4f
  CHECKA s10, 3b
4:
  TIMER_OFF

  TEST 14
  li a0, MIP_SSIP
  csrw mie, a0
  csrs mip, a0
  EXPECT_TRAP 1f
  csrsi mstatus, MSTATUS_MIE
  SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_SSI
  csrw mip, zero
  TEST 15
  li a0, MIP_STIP
  csrw mie, a0
  csrs mip, a0
  EXPECT_TRAP 1f
  csrsi mstatus, MSTATUS_MIE
  SPIN_THEN_FAIL 1000
1: CHECK_MCAUSE INT_STI
  csrw mip, zero

  TEST 16
  li a0, MIP_SSIP | MIP_MSIP
  csrs mip, a0
  SET_MSIP 1
  li a0, MIP_STIP | MIP_MTIP
  csrw mie, a0
  csrsi mstatus, MSTATUS_MIE
  li a0, 1000
1: addi a0, a0, -1
  bnez a0, 1b
  csrci mstatus, MSTATUS_MIE
  SET_MSIP 0
  csrw mip, zero
  csrw mie, zero
TEST_END
