/* Sv32 translation: satp, 4 KiB pages and 4 MiB megapages for loads, stores and fetches from
 * S-mode and U-mode, sfence.vma after a PTE change, and switching address spaces through satp.
 *
 *  1     satp holds MODE = Sv32 and the root PPN (ASID bits not checked)
 *  2     M-mode ignores satp: a load from VA 0x40000000 (mapped for S) is a physical access and
 *        faults (load access fault 5)
 *  3     S-mode runs from the identity megapage: ecall cause 9, mepc = its address
 *  4     4 KiB page: S reads a word M wrote at the physical page and writes one M reads back
 *  5     two virtual pages mapping one physical page alias each other
 *  6     the page offset is kept (word at offset 0xffc)
 *  7     4 MiB megapage VA 0x40400000 -> PA 0x80400000: S reads at offset 0x123454
 *  8     S changes a PTE, sfence.vma (all), and the next load sees the new page
 *  9     the same with sfence.vma rs1 = the address
 * 10     fetch through a megapage alias (VA 0x00c00000 -> the image, execute-only): auipc there
 *        returns the virtual pc, mepc of the ecall is virtual
 * 11     U-mode fetch through the U alias megapage (VA 0x00400000): ecall cause 8, virtual pc
 * 12     fetch through a 4 KiB execute-only page
 * 13     S switches satp to a second root that maps VA 0x40000000 elsewhere, and back
 * 14     S writes satp = 0 (Bare): S accesses are physical; then restores Sv32
 */
#include "harness.h"
#include "sv32.h"

#define ALIAS_X_BASE 0x00c00000

TEST_BEGIN
  SV32_INIT
  TEST 1
  csrr a0, satp
  li t0, 0x803fffff
  and a0, a0, t0
  srli a1, s0, 12
  li t0, SATP_SV32
  or a1, a1, t0
  CHECKR a0, a1

  TEST 2
  MAP4K 0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  li a0, VA_L0
  EXPECT_TRAP 1f
2: lw a1, 0(a0)
  FAIL
1: CHECK_MCAUSE CAUSE_LOAD_ACCESS
  CHECKA s10, 2b
  CHECK s11, VA_L0

  TEST 3
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKA s10, 2b

  TEST 4
  la t0, page0
  li t1, 0x11111111
  sw t1, 0(t0)
  sw zero, 4(t0)
  li a2, 0x22222222
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(0)
  lw a0, 0(t0)
  sw a2, 4(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x11111111
  la t0, page0
  lw a1, 4(t0)
  CHECK a1, 0x22222222

  TEST 5
  MAP4K 1, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  li a2, 0x33333333
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(1)
  sw a2, 8(t0)
  li t0, VA_PAGE(0)
  lw a0, 8(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x33333333

  TEST 6
  MAP4K 2, page1, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  la t0, page1 + 0xffc
  li t1, 0x44444444
  sw t1, 0(t0)
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(2) + 0xffc
  lw a0, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x44444444

  TEST 7
  li t0, 0x80400000
  SET_PTE s0, 0x101, t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  sfence.vma
  li t0, 0x80400000 + 0x123454
  li t1, 0x55555555
  sw t1, 0(t0)
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, 0x40400000 + 0x123454
  lw a0, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x55555555

  TEST 8
  la t0, page2
  li t1, 0xaaaa0002
  sw t1, 0(t0)
  la t0, page3
  li t1, 0xaaaa0003
  sw t1, 0(t0)
  MAP4K 3, page2, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  la t0, page3
  srli a3, t0, 12
  slli a3, a3, 10
  ori a3, a3, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(3)
  lw a0, 0(t0)
  sw a3, 3 * 4(s1)
  sfence.vma
  lw a1, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0xaaaa0002
  CHECK a1, 0xaaaa0003

  TEST 9
  la t0, page2
  srli a3, t0, 12
  slli a3, a3, 10
  ori a3, a3, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(3)
  lw a0, 0(t0)
  sw a3, 3 * 4(s1)
  sfence.vma t0, x0
  lw a1, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0xaaaa0003
  CHECK a1, 0xaaaa0002

  TEST 10
  li t0, 0x80000000
  SET_PTE s0, (ALIAS_X_BASE >> 22), t0, PTE_V | PTE_X | PTE_A
  sfence.vma
  la a1, snippet
  li t0, 0x80000000 - ALIAS_X_BASE
  sub a1, a1, t0
  li a0, 0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: jr a1
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKR a0, a1
  addi a1, a1, 4
  CHECKR s10, a1

  TEST 11
  li a0, 0
  EXPECT_TRAP 1f
  TO_U_ALIAS snippet
1: CHECK_MCAUSE CAUSE_ECALL_U
  CHECK_U_ALIAS a0, snippet

  TEST 12
  MAP4K 4, codepage, PTE_V | PTE_X | PTE_A
  li a0, 0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(4)
  jr t0
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, VA_PAGE(4)
  CHECK s10, VA_PAGE(4) + 4

  TEST 13
  la s2, pt_root2
  li t0, 0x80000000
  SET_PTE s2, 0x200, t0, PTE_RWX_AD
  li t0, 0x80800000
  SET_PTE s2, 0x100, t0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  li t0, 0x80800000
  li t1, 0x66666666
  sw t1, 0(t0)
  la t0, page0
  li t1, 0x11111111
  sw t1, 0(t0)
  MAP4K 0, page0, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D
  srli a4, s2, 12
  li t0, SATP_SV32
  or a4, a4, t0
  csrr a5, satp
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_L0
  lw a0, 0(t0)
  csrw satp, a4
  sfence.vma
  lw a1, 0(t0)
  csrw satp, a5
  sfence.vma
  lw a2, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x11111111
  CHECK a1, 0x66666666
  CHECK a2, 0x11111111

  TEST 14
  csrr a5, satp
  la a4, page0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: csrw satp, zero
  sfence.vma
  lw a0, 0(a4)
  csrw satp, a5
  sfence.vma
  li t0, VA_L0
  lw a1, 0(t0)
  ecall
  FAIL
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x11111111
  CHECK a1, 0x11111111
TEST_END

  .text
  .balign 4
snippet:
  auipc a0, 0
  ecall
  j fail

  .balign 4096
codepage:
  auipc a0, 0
  ecall
  j fail
  .balign 4096

  SV32_DATA
  .balign 4096
pt_root2: .space 4096
