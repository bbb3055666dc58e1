/* mstatus: every field that M/S/U with Sv32 must implement is writable and reads back, and trap
 * entry, mret and sret update MIE/MPIE/MPP/SIE/SPIE/SPP/MPRV as the privileged spec says.
 *
 *  1-11  MIE, SIE, MPIE, SPIE, SPP, SUM, MXR, MPRV, TVM, TW, TSR: set, read 1, clear, read 0
 * 12     MPP holds U (0), S (1) and M (3)
 * 13     trap entry from M with MIE = 1: MPIE = 1, MIE = 0, MPP = M (mstatus seen by the handler)
 * 14     trap entry from M with MIE = 0: MPIE = 0
 * 15     mret (M to M) with MPIE = 1: MIE = 1, MPIE = 1, MPP = U afterwards
 * 16     mret with MPIE = 0: MIE = 0, MPIE = 1
 * 17     mret to U returns to mepc in U-mode (ecall cause 8)
 * 18     mret to S returns to mepc in S-mode (ecall cause 9)
 * 19     mret to M leaves MPRV set
 * 20     sret from M with SPP = S: lands at sepc in S-mode; SIE = old SPIE (1), SPIE = 1, SPP = U
 * 21     sret from M with SPP = U: lands in U-mode (ecall cause 8); SIE = old SPIE (0)
 * 22     sret from S with SPP = U: S-mode sret lands in U-mode at sepc
 *
 * Not checked: priv spec 1.12 has mret/sret to a mode below M clear MPRV; QEMU 7.2 does not.
 */
#include "harness.h"

.macro FIELD n, bit
  TEST \n
  li a0, \bit
  csrs mstatus, a0
  csrr a1, mstatus
  CHECKM a1, \bit, \bit
  csrc mstatus, a0
  csrr a1, mstatus
  CHECKM a1, \bit, 0
.endm

TEST_BEGIN
  li a0, MSTATUS_MPP
  csrs mstatus, a0
  FIELD 1, MSTATUS_MIE
  FIELD 2, MSTATUS_SIE
  FIELD 3, MSTATUS_MPIE
  FIELD 4, MSTATUS_SPIE
  FIELD 5, MSTATUS_SPP
  FIELD 6, MSTATUS_SUM
  FIELD 7, MSTATUS_MXR
  FIELD 8, MSTATUS_MPRV
  FIELD 9, MSTATUS_TVM
  FIELD 10, MSTATUS_TW
  FIELD 11, MSTATUS_TSR

  TEST 12
  li a0, MSTATUS_MPP
  csrc mstatus, a0
  csrr a1, mstatus
  CHECKM a1, MSTATUS_MPP, 0
  li a0, (PRV_S << 11)
  csrs mstatus, a0
  csrr a1, mstatus
  CHECKM a1, MSTATUS_MPP, (PRV_S << 11)
  li a0, MSTATUS_MPP
  csrs mstatus, a0
  csrr a1, mstatus
  CHECKM a1, MSTATUS_MPP, MSTATUS_MPP

  TEST 13
  csrsi mstatus, MSTATUS_MIE
  EXPECT_TRAP 1f
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_M
  CHECKM s8, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP
  TEST 14
  csrci mstatus, MSTATUS_MIE
  EXPECT_TRAP 1f
  ecall
1: CHECKM s8, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPP

  TEST 15
  li a0, MSTATUS_MPIE | MSTATUS_MPP
  csrs mstatus, a0
  csrci mstatus, MSTATUS_MIE
  la a0, 1f
  csrw mepc, a0
  mret
  FAIL
1: csrr a1, mstatus
  csrci mstatus, MSTATUS_MIE
  CHECKM a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MIE | MSTATUS_MPIE
  TEST 16
  li a0, MSTATUS_MPP
  csrs mstatus, a0
  li a0, MSTATUS_MPIE
  csrc mstatus, a0
  csrsi mstatus, MSTATUS_MIE
  la a0, 1f
  csrw mepc, a0
  mret
  FAIL
1: csrr a1, mstatus
  CHECKM a1, MSTATUS_MIE | MSTATUS_MPIE, MSTATUS_MPIE

  TEST 17
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECKA s10, 2b
  TEST 18
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKA s10, 2b
  TEST 19
  li a0, MSTATUS_MPRV | MSTATUS_MPP
  csrs mstatus, a0
  la a0, 1f
  csrw mepc, a0
  mret
  FAIL
1: csrr a1, mstatus
  li a0, MSTATUS_MPRV
  csrc mstatus, a0
  CHECKM a1, MSTATUS_MPRV, MSTATUS_MPRV

  TEST 20
  li a0, MSTATUS_SPIE | MSTATUS_SPP
  csrs mstatus, a0
  csrci mstatus, MSTATUS_SIE
  la a0, 2f
  csrw sepc, a0
  EXPECT_TRAP 1f
  sret
  FAIL
2: csrr a1, sstatus
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKA s10, 2b + 4
  CHECKM a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SIE | MSTATUS_SPIE
  csrci mstatus, MSTATUS_SIE
  TEST 21
  li a0, MSTATUS_SPIE | MSTATUS_SPP
  csrc mstatus, a0
  csrsi mstatus, MSTATUS_SIE
  la a0, 2f
  csrw sepc, a0
  EXPECT_TRAP 1f
  sret
  FAIL
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECKA s10, 2b
  CHECKM s8, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP, MSTATUS_SPIE
  TEST 22
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
TEST_END
