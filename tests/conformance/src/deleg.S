/* Trap delegation to S-mode (medeleg) and the S-mode views of mstatus, mie and mip.
 *
 *  1     medeleg bits 2, 3, 5 and 8 are writable
 *  2     U ecall delegated: reaches stvec; scause 8, sepc = the ecall, stval = 0, SPP = U,
 *        SPIE = 1 (SIE was 1), SIE = 0
 *  3     the same with SIE = 0 before: SPIE = 0
 *  4     U illegal instruction delegated: scause 2, sepc, stval = the instruction bits
 *  5     U ebreak delegated: scause 3, sepc = the ebreak
 *  6     S ebreak delegated: scause 3, SPP = S
 *  7     S illegal instruction delegated: scause 2, stval = the bits, SPP = S
 *  8     U load access fault delegated: scause 5, stval = the address
 *  9     M-mode ebreak is never delegated (medeleg bit 3 set): taken in M, cause 3
 * 10     M-mode illegal instruction is never delegated: taken in M, cause 2
 * 11     with medeleg = 0 a U ecall goes to M (cause 8)
 * 12     sstatus hides the M-only fields (MIE, MPIE, MPP, MPRV, TVM, TW, TSR)
 * 13     sstatus shows SIE, SPIE, SPP, SUM, MXR of mstatus
 * 14     writing sstatus = -1 sets SIE, SPIE, SPP, SUM, MXR in mstatus and leaves the M fields;
 *        writing 0 clears them and leaves the M fields
 * 15     sie = mie restricted to delegated interrupts (mideleg = SSI|STI|SEI)
 * 16     writing sie changes only the delegated bits of mie
 * 17     with nothing delegated, sie reads 0 and writes to it leave mie unchanged
 * 18     sip = mip restricted to delegated interrupts (a pending MTIP is not visible)
 * 19     S-mode sets and clears SSIP through sip; S-mode cannot clear STIP through sip
 */
#include "harness.h"

#define MIP_STD (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)
#define MIP_S   (MIP_SSIP | MIP_STIP | MIP_SEIP)

TEST_BEGIN
  TEST 1
  li a0, (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8)
  csrw medeleg, a0
  csrr a1, medeleg
  CHECKM a1, (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8), (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8)

  TEST 2
  li s5, -1
  li s6, -1
  li s7, -1
  csrsi mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: ecall
  FAIL
1: CHECK_SCAUSE CAUSE_ECALL_U
  CHECKA s6, 2b
  CHECK s7, 0
  CHECKM s4, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, MSTATUS_SPIE
  TEST 3
  csrci mstatus, MSTATUS_SIE
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: ecall
  FAIL
1: CHECK_SCAUSE CAUSE_ECALL_U
  CHECKM s4, MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE, 0

  TEST 4
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: .word 0xfe000033
  FAIL
1: CHECK_SCAUSE CAUSE_ILLEGAL
  CHECKA s6, 2b
  CHECK s7, 0xfe000033
  TEST 5
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: ebreak
  FAIL
1: CHECK_SCAUSE CAUSE_BREAKPOINT
  CHECKA s6, 2b
  CHECKM s4, MSTATUS_SPP, 0
  TEST 6
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: ebreak
  FAIL
1: CHECK_SCAUSE CAUSE_BREAKPOINT
  CHECKA s6, 2b
  CHECKM s4, MSTATUS_SPP, MSTATUS_SPP
  TEST 7
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: .word 0xfe000033
  FAIL
1: CHECK_SCAUSE CAUSE_ILLEGAL
  CHECKA s6, 2b
  CHECK s7, 0xfe000033
  CHECKM s4, MSTATUS_SPP, MSTATUS_SPP
  TEST 8
  li a0, UNMAPPED_DATA
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: lw a1, 4(a0)
  FAIL
1: CHECK_SCAUSE CAUSE_LOAD_ACCESS
  CHECKA s6, 2b
  CHECK s7, UNMAPPED_DATA + 4

  TEST 9
  EXPECT_TRAP 1f
2: ebreak
  FAIL
1: CHECK_MCAUSE CAUSE_BREAKPOINT
  CHECKA s10, 2b
  TEST 10
  EXPECT_TRAP 1f
2: .word 0xfe000033
  FAIL
1: CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, 2b
  TEST 11
  csrw medeleg, zero
  EXPECT_TRAP 1f
  TO_MODE PRV_U, 2f
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECKA s10, 2b

  TEST 12
  li a0, MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
  csrs mstatus, a0
  csrr a1, sstatus
  CHECKM a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR, 0
  li a0, MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR
  csrc mstatus, a0
  TEST 13
  li a0, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
  csrs mstatus, a0
  csrr a1, sstatus
  CHECKM a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
  csrc mstatus, a0
  csrr a1, sstatus
  CHECKM a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR, 0
  TEST 14
  li a0, MSTATUS_MPIE | MSTATUS_MPP
  csrs mstatus, a0
  li a0, -1
  csrw sstatus, a0
  csrr a1, mstatus
  CHECKM a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR
  CHECKM a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TVM | MSTATUS_TW | MSTATUS_TSR, MSTATUS_MPIE | MSTATUS_MPP
  csrw sstatus, zero
  csrr a1, mstatus
  CHECKM a1, MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR, 0
  CHECKM a1, MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP, MSTATUS_MPIE | MSTATUS_MPP

  TEST 15
  li a0, MIP_S
  csrw mideleg, a0
  csrr a1, mideleg
  CHECKM a1, MIP_S, MIP_S
  li a0, MIP_MSIP | MIP_MTIP | MIP_SSIP | MIP_STIP
  csrw mie, a0
  csrr a1, sie
  CHECKM a1, MIP_STD, MIP_SSIP | MIP_STIP
  TEST 16
  csrw mie, zero
  li a0, -1
  csrw sie, a0
  csrr a1, mie
  CHECKM a1, MIP_STD, MIP_S
  li a0, MIP_MSIP | MIP_MTIP | MIP_MEIP
  csrs mie, a0
  csrw sie, zero
  csrr a1, mie
  CHECKM a1, MIP_STD, MIP_MSIP | MIP_MTIP | MIP_MEIP
  TEST 17
  csrw mideleg, zero
  li a0, MIP_S
  csrw mie, a0
  csrr a1, sie
  CHECKM a1, MIP_STD, 0
  csrw mie, zero
  li a0, -1
  csrw sie, a0
  csrr a1, mie
  CHECKM a1, MIP_STD, 0

  TEST 18
  li a0, CLINT_MTIMECMP
  sw zero, 0(a0)
  sw zero, 4(a0)
  li a0, MIP_S
  csrw mideleg, a0
  li a0, MIP_SSIP | MIP_STIP
  csrs mip, a0
  csrr a1, mip
  CHECKM a1, MIP_SSIP | MIP_STIP | MIP_MTIP, MIP_SSIP | MIP_STIP | MIP_MTIP
  csrr a1, sip
  CHECKM a1, MIP_STD, MIP_SSIP | MIP_STIP
  TEST 19
  csrw mie, zero
  li a0, MIP_SSIP
  csrc mip, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: csrsi sip, MIP_SSIP
  csrr a1, sip
  csrci sip, MIP_SSIP
  csrr a2, sip
  li a0, MIP_STIP
  csrc sip, a0
  csrr a3, sip
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKM a1, MIP_SSIP | MIP_STIP, MIP_SSIP | MIP_STIP
  CHECKM a2, MIP_SSIP | MIP_STIP, MIP_STIP
  CHECKM a3, MIP_SSIP | MIP_STIP, MIP_STIP
  csrr a1, mip
  CHECKM a1, MIP_SSIP | MIP_STIP, MIP_STIP
  csrw mip, zero
  csrw mideleg, zero
TEST_END
