/* Sv32 from U-mode: the U bit, SUM (which does not apply to U-mode), MXR, and page faults from
 * U-mode delegated to S-mode (scause/sepc/stval). U-mode code runs from the U alias megapage.
 *
 *  1     U loads and stores a U read-write page
 *  2     U load from a non-U page: load page fault (13), mtval = address, mepc = the load (virtual)
 *  3     U store to a non-U page: store page fault (15)
 *  4     U fetch from a non-U executable page: instruction page fault (12), mepc = mtval
 *  5     U fetch from a U executable page runs (auipc sees the virtual pc)
 *  6     SUM = 1 does not let U-mode load from a non-U page (13)
 *  7     U load from a U execute-only page: 13; with MXR = 1 it works
 *  8     U store to a U read-only page: 15
 *  9     load page fault from U delegated (medeleg bit 13): scause 13, stval = address, sepc
 * 10     store page fault from U delegated (bit 15): scause 15, stval
 * 11     instruction page fault from U delegated (bit 12): scause 12, sepc = stval = target
 */
#include "harness.h"
#include "sv32.h"

#define RO   (PTE_V | PTE_R | PTE_A)
#define RW   (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define XO   (PTE_V | PTE_X | PTE_A)
#define RX   (PTE_V | PTE_R | PTE_X | PTE_A)

/* In U-mode, `insn` (t0 = va) must raise `cause` in M with mtval = va and mepc = the insn. */
.macro U_FAULT cause, va, insn:vararg
  li t0, \va
  EXPECT_TRAP .Lr\@
  TO_U_ALIAS .Lu\@
.Lu\@:
  \insn
  j fail
.Lr\@:
  CHECK_MCAUSE \cause
  CHECK_U_ALIAS s10, .Lu\@
  CHECK s11, \va
.endm

TEST_BEGIN
  SV32_INIT
  la t0, page0
  li t1, 0x0badcafe
  sw t1, 0(t0)
  MAP4K 1, page0, RW
  MAP4K 3, page0, RW | PTE_U
  MAP4K 8, codepage, RX
  MAP4K 9, codepage, XO | PTE_U
  MAP4K 10, page0, RO | PTE_U

  TEST 1
  li t0, VA_PAGE(3)
  li a1, 0x1234abcd
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: sw a1, 12(t0)
  lw a0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECK a0, 0x0badcafe
  la t0, page0
  lw a0, 12(t0)
  CHECK a0, 0x1234abcd
  TEST 2
  U_FAULT CAUSE_LOAD_PAGE, VA_PAGE(1), lw a0, 0(t0)
  TEST 3
  U_FAULT CAUSE_STORE_PAGE, VA_PAGE(1) + 4, sw a0, 0(t0)
  TEST 4
  li t0, VA_PAGE(8)
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: jalr ra, 0(t0)
  j fail
1: CHECK_MCAUSE CAUSE_FETCH_PAGE
  CHECK s10, VA_PAGE(8)
  CHECK s11, VA_PAGE(8)
  TEST 5
  li t0, VA_PAGE(9)
  li a0, 0
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: jr t0
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECK a0, VA_PAGE(9)
  CHECK s10, VA_PAGE(9) + 4
  TEST 6
  li a0, MSTATUS_SUM
  csrs mstatus, a0
  U_FAULT CAUSE_LOAD_PAGE, VA_PAGE(1), lw a0, 0(t0)
  li a0, MSTATUS_SUM
  csrc mstatus, a0
  TEST 7
  U_FAULT CAUSE_LOAD_PAGE, VA_PAGE(9), lw a0, 0(t0)
  li a0, MSTATUS_MXR
  csrs mstatus, a0
  li t0, VA_PAGE(9)
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: lw a0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_U
  la t0, codepage
  lw t0, 0(t0)
  CHECKR a0, t0
  li a0, MSTATUS_MXR
  csrc mstatus, a0
  TEST 8
  U_FAULT CAUSE_STORE_PAGE, VA_PAGE(10), sw a0, 0(t0)

  li a0, (1 << CAUSE_LOAD_PAGE) | (1 << CAUSE_STORE_PAGE) | (1 << CAUSE_FETCH_PAGE)
  csrw medeleg, a0
  TEST 9
  li t0, VA_PAGE(1) + 0x10
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: lw a0, 0(t0)
  j fail
1: CHECK_SCAUSE CAUSE_LOAD_PAGE
  CHECK_U_ALIAS s6, 2b
  CHECK s7, VA_PAGE(1) + 0x10
  CHECKM s4, MSTATUS_SPP, 0
  TEST 10
  li t0, VA_PAGE(10) + 0x20
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: sw a0, 0(t0)
  j fail
1: CHECK_SCAUSE CAUSE_STORE_PAGE
  CHECK_U_ALIAS s6, 2b
  CHECK s7, VA_PAGE(10) + 0x20
  TEST 11
  li t0, VA_PAGE(8)
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: jr t0
1: CHECK_SCAUSE CAUSE_FETCH_PAGE
  CHECK s6, VA_PAGE(8)
  CHECK s7, VA_PAGE(8)
  csrw medeleg, zero
TEST_END

  .text
  .balign 4096
codepage:
  auipc a0, 0
  ecall
  j fail
  .balign 4096

  SV32_DATA
