/* Sv32 accessed (A) and dirty (D) bits, updated in the in-memory PTE by hardware (as QEMU and
 * Pakaya do; the spec also allows a page fault instead, which this suite does not accept).
 *
 *  1     S load through a PTE with A = D = 0: A becomes 1, D stays 0
 *  2     S store through a PTE with A = D = 0: A and D become 1
 *  3     load (A set, D still 0), then a store to the same page: D becomes 1
 *  4     fetch through an execute-only PTE with A = 0: A becomes 1, D stays 0
 *  5     store through a megapage PTE with A = D = 0: A and D become 1
 *  6     a store that faults (read-only page, A = 0) leaves A and D clear
 *  7     a load that faults (U page from S without SUM) leaves A clear
 *  8     U-mode store through a U PTE with A = D = 0: A and D become 1
 *  9     an AMO through a PTE with A = D = 0 sets A and D
 * 10     other PTE bits and the PPN are unchanged by the update
 */
#include "harness.h"
#include "sv32.h"

#define RW0 (PTE_V | PTE_R | PTE_W)

TEST_BEGIN
  SV32_INIT
  MAP4K 0, page0, RW0
  MAP4K 1, page1, RW0
  MAP4K 2, page2, RW0
  MAP4K 3, codepage, PTE_V | PTE_X
  MAP4K 4, page3, PTE_V | PTE_R
  MAP4K 5, page4, RW0 | PTE_U
  MAP4K 6, page5, RW0 | PTE_U
  MAP4K 7, page6, RW0 | PTE_G
  li t0, 0x80400000
  SET_PTE s0, 0x101, t0, RW0
  sfence.vma

  TEST 1
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(0)
  lw a0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  READ_PTE a0, 0
  CHECKM a0, PTE_A | PTE_D, PTE_A

  TEST 2
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(1)
  sw t0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  READ_PTE a0, 1
  CHECKM a0, PTE_A | PTE_D, PTE_A | PTE_D

  TEST 3
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(2)
  lw a0, 0(t0)
  lw a1, 2 * 4(s1)
  sw a0, 4(t0)
  lw a2, 2 * 4(s1)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECKM a1, PTE_A | PTE_D, PTE_A
  CHECKM a2, PTE_A | PTE_D, PTE_A | PTE_D

  TEST 4
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(3)
  jr t0
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK s10, VA_PAGE(3)
  READ_PTE a0, 3
  CHECKM a0, PTE_A | PTE_D, PTE_A

  TEST 5
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, 0x40400000 + 0x2468
  sw t0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  lw a0, 0x101 * 4(s0)
  CHECKM a0, PTE_A | PTE_D, PTE_A | PTE_D

  TEST 6
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(4)
  sw t0, 0(t0)
  j fail
1: CHECK_MCAUSE CAUSE_STORE_PAGE
  READ_PTE a0, 4
  CHECKM a0, PTE_A | PTE_D, 0

  TEST 7
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(5)
  lw a0, 0(t0)
  j fail
1: CHECK_MCAUSE CAUSE_LOAD_PAGE
  READ_PTE a0, 5
  CHECKM a0, PTE_A | PTE_D, 0

  TEST 8
  li t0, VA_PAGE(6)
  EXPECT_TRAP 1f
  TO_U_ALIAS 2f
2: sw t0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_U
  READ_PTE a0, 6
  CHECKM a0, PTE_A | PTE_D, PTE_A | PTE_D

  TEST 9
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(7)
  li a1, 1
  amoadd.w a0, a1, (t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  READ_PTE a0, 7
  CHECKM a0, PTE_A | PTE_D, PTE_A | PTE_D
  TEST 10
  la t0, page6
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, RW0 | PTE_G | PTE_A | PTE_D
  CHECKR a0, t0
  READ_PTE a0, 1
  la t0, page1
  srli t0, t0, 12
  slli t0, t0, 10
  ori t0, t0, RW0 | PTE_A | PTE_D
  CHECKR a0, t0
TEST_END

  .text
  .balign 4096
codepage:
  ecall
  j fail
  .balign 4096

  SV32_DATA
