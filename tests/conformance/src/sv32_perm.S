/* Sv32 permission checks from S-mode: R/W/X, MXR, SUM, the U bit for fetches, invalid and
 * reserved PTEs, non-leaf PTEs at the last level and misaligned megapages. Every page fault is
 * checked for its cause, mepc and mtval (= the faulting virtual address).
 *
 *  1     load from a read-only page works
 *  2     store to a read-only page: store page fault (15), mtval = address
 *  3     load and store on a read-write page work (the store reaches the physical page)
 *  4     fetch from a read-write (not executable) page: instruction page fault (12), mepc = mtval
 *  5     load from an execute-only page with MXR = 0: load page fault (13)
 *  6     the same with MXR = 1 works
 *  7     MXR = 1 does not allow a store to an execute-only page (15)
 *  8     load from a U page with SUM = 0: 13; store: 15
 *  9     with SUM = 1 S loads and stores the U page
 * 10     fetch from a U page in S-mode faults (12) even with SUM = 1
 * 11     invalid PTE (V = 0) at the last level: load 13, store 15, fetch 12
 * 12     invalid PTE at the first level (VA 0x40800000): 13
 * 13     reserved W without R: load 13, store 15
 * 14     reserved W|X without R: load 13, fetch 12
 * 15     a pointer PTE (V = 1, R = W = X = 0) at the last level: 13
 * 16     megapage whose PPN[0] is not zero (misaligned superpage): load 13, store 15
 * 17     a fault in the middle of a page reports the exact address (offset 0x7f8)
 * 18     load from a read+execute page works; fetch from it works
 */
#include "harness.h"
#include "sv32.h"

#define RO   (PTE_V | PTE_R | PTE_A)
#define RW   (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define XO   (PTE_V | PTE_X | PTE_A)
#define RX   (PTE_V | PTE_R | PTE_X | PTE_A)

/* In S-mode, `insn` (using t0 = va) must raise `cause` with mtval = va (mepc = the insn). */
.macro S_FAULT cause, va, insn:vararg
  li t0, \va
  EXPECT_TRAP .Lr\@
  TO_MODE PRV_S, .Ls\@
.Ls\@:
  \insn
  j fail
.Lr\@:
  CHECK_MCAUSE \cause
  CHECKA s10, .Ls\@
  CHECK s11, \va
.endm

/* In S-mode, jump to `va`: must raise instruction page fault with mepc = mtval = va. */
.macro S_FETCH_FAULT va
  li t0, \va
  EXPECT_TRAP .Lr\@
  TO_MODE PRV_S, .Ls\@
.Ls\@:
  jalr ra, 0(t0)
  j fail
.Lr\@:
  CHECK_MCAUSE CAUSE_FETCH_PAGE
  CHECK s10, \va
  CHECK s11, \va
.endm

TEST_BEGIN
  SV32_INIT
  la t0, page0
  li t1, 0x12345678
  sw t1, 0(t0)
  MAP4K 0, page0, RO
  MAP4K 1, page1, RW
  MAP4K 2, page0, XO
  MAP4K 3, page0, RW | PTE_U
  MAP4K 4, page0, PTE_R | PTE_W | PTE_A | PTE_D
  MAP4K 5, page0, PTE_V | PTE_W | PTE_A | PTE_D
  MAP4K 6, page0, PTE_V | PTE_W | PTE_X | PTE_A | PTE_D
  MAP4K 7, page0, PTE_V
  MAP4K 8, codepage, RX
  MAP4K 9, codepage, XO | PTE_U
  li t0, 0x80401000
  SET_PTE s0, 0x103, t0, RW
  sfence.vma

  TEST 1
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(0)
  lw a0, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x12345678
  TEST 2
  S_FAULT CAUSE_STORE_PAGE, VA_PAGE(0) + 4, sw a0, 0(t0)
  TEST 3
  li a1, 0x600df00d
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(1)
  sw a1, 16(t0)
  lw a0, 16(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x600df00d
  la t0, page1
  lw a0, 16(t0)
  CHECK a0, 0x600df00d
  TEST 4
  S_FETCH_FAULT VA_PAGE(1)

  TEST 5
  S_FAULT CAUSE_LOAD_PAGE, VA_PAGE(2), lw a0, 0(t0)
  TEST 6
  li a0, MSTATUS_MXR
  csrs mstatus, a0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(2)
  lw a0, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x12345678
  TEST 7
  S_FAULT CAUSE_STORE_PAGE, VA_PAGE(2), sw a0, 0(t0)
  li a0, MSTATUS_MXR
  csrc mstatus, a0

  TEST 8
  S_FAULT CAUSE_LOAD_PAGE, VA_PAGE(3), lw a0, 0(t0)
  S_FAULT CAUSE_STORE_PAGE, VA_PAGE(3) + 8, sw a0, 0(t0)
  TEST 9
  li a0, MSTATUS_SUM
  csrs mstatus, a0
  li a1, 0x5a5a5a5a
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(3)
  lw a0, 0(t0)
  sw a1, 8(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x12345678
  la t0, page0
  lw a0, 8(t0)
  CHECK a0, 0x5a5a5a5a
  TEST 10
  S_FETCH_FAULT VA_PAGE(9)
  li a0, MSTATUS_SUM
  csrc mstatus, a0

  TEST 11
  S_FAULT CAUSE_LOAD_PAGE, VA_PAGE(4), lw a0, 0(t0)
  S_FAULT CAUSE_STORE_PAGE, VA_PAGE(4), sw a0, 0(t0)
  S_FETCH_FAULT VA_PAGE(4)
  TEST 12
  S_FAULT CAUSE_LOAD_PAGE, 0x40800000, lw a0, 0(t0)
  TEST 13
  S_FAULT CAUSE_LOAD_PAGE, VA_PAGE(5), lw a0, 0(t0)
  S_FAULT CAUSE_STORE_PAGE, VA_PAGE(5), sw a0, 0(t0)
  TEST 14
  S_FAULT CAUSE_LOAD_PAGE, VA_PAGE(6), lw a0, 0(t0)
  S_FETCH_FAULT VA_PAGE(6)
  TEST 15
  S_FAULT CAUSE_LOAD_PAGE, VA_PAGE(7), lw a0, 0(t0)
  TEST 16
  S_FAULT CAUSE_LOAD_PAGE, 0x40c00000, lw a0, 0(t0)
  S_FAULT CAUSE_STORE_PAGE, 0x40c00010, sw a0, 0(t0)
  TEST 17
  S_FAULT CAUSE_LOAD_PAGE, VA_PAGE(4) + 0x7f8, lw a0, 0(t0)

  TEST 18
  li a0, 0
  li a1, 0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(8)
  lw a1, 0(t0)
  jr t0
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, VA_PAGE(8)
  la t0, codepage
  lw t0, 0(t0)
  CHECKR a1, t0
TEST_END

  .text
  .balign 4096
codepage:
  auipc a0, 0
  ecall
  j fail
  .balign 4096

  SV32_DATA
