/* Sv32 accesses and fetches that cross a page boundary, where the two virtual pages map to
 * physical pages that are not adjacent (so each half must be translated separately).
 *
 *  1     misaligned lw across the boundary reads 2 bytes from each physical page
 *  2     misaligned sw across the boundary writes 2 bytes into each physical page
 *  3     misaligned lh across the boundary (sign-extended)
 *  4     misaligned lw whose second half is in an invalid page: load page fault (13), mepc = the
 *        load, mtval = the load's address or the start of the invalid page
 *  5     misaligned sw whose second half is in a read-only page: store page fault (15), mtval as in 4
 *  6     a 32-bit instruction whose halves lie in two executable pages executes (addi a0, x0, 0x123)
 *  7     a 32-bit instruction whose second half lies in an invalid page: instruction page fault (12),
 *        mepc = the instruction, mtval = the start of the invalid page
 *  8     a 16-bit instruction in the last 2 bytes of a page before an invalid page executes; the
 *        next fetch faults with mepc = mtval = the start of the invalid page
 */
#include "harness.h"
#include "sv32.h"

#define RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)
#define XO (PTE_V | PTE_X | PTE_A)

TEST_BEGIN
  SV32_INIT
  MAP4K 0, page2, RW
  MAP4K 1, page0, RW
  MAP4K 4, page3, RW
  MAP4K 5, page4, PTE_V | PTE_R | PTE_A
  MAP4K 6, code_a, XO
  MAP4K 7, code_b, XO
  MAP4K 8, code_a, XO
  MAP4K 10, code_c, XO
  la t0, page2 + 0xffc
  li t1, 0x2211ffee
  sw t1, 0(t0)
  la t0, page0
  li t1, 0x66554433
  sw t1, 0(t0)

  TEST 1
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(1) - 2
  lw a0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x44332211
  TEST 2
  li a1, 0xaabbccdd
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(1) - 2
  sw a1, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  la t0, page2 + 0xffc
  lw a0, 0(t0)
  CHECK a0, 0xccddffee
  la t0, page0
  lw a0, 0(t0)
  CHECK a0, 0x6655aabb
  TEST 3
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(1) - 1
  lh a0, 0(t0)
  ecall
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0xffffbbcc

  TEST 4
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(2) - 2
4: lw a0, 0(t0)
  j fail
1: CHECK_MCAUSE CAUSE_LOAD_PAGE
  CHECKA s10, 4b
  li t0, VA_PAGE(2)
  beq s11, t0, 3f
  CHECK s11, VA_PAGE(2) - 2
3:
  TEST 5
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(5) - 2
4: sw a0, 0(t0)
  j fail
1: CHECK_MCAUSE CAUSE_STORE_PAGE
  CHECKA s10, 4b
  li t0, VA_PAGE(5)
  beq s11, t0, 3f
  CHECK s11, VA_PAGE(5) - 2
3:

  TEST 6
  li a0, 0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(6) + 0xffe
  jr t0
1: CHECK_MCAUSE CAUSE_ECALL_S
  CHECK a0, 0x123
  CHECK s10, VA_PAGE(7) + 2
  TEST 7
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(8) + 0xffe
  jr t0
1: CHECK_MCAUSE CAUSE_FETCH_PAGE
  CHECK s10, VA_PAGE(8) + 0xffe
  CHECK s11, VA_PAGE(9)
  TEST 8
  li a0, 0
  EXPECT_TRAP 1f
  TO_MODE PRV_S, 2f
2: li t0, VA_PAGE(10) + 0xffe
  jr t0
1: CHECK_MCAUSE CAUSE_FETCH_PAGE
  CHECK a0, 7
  CHECK s10, VA_PAGE(11)
  CHECK s11, VA_PAGE(11)
TEST_END

  /* Code pages, filled with zeros (illegal) except where noted. code_b comes first in memory so
     that code_a's successor physical page (gap) is not code_b. */
  .text
  .balign 4096
code_b:
  .hword 0x1230               /* upper half of addi a0, x0, 0x123 (0x12300513) */
  .hword 0x0073, 0x0000       /* ecall */
  .skip 4096 - 6
gap:
  .skip 4096
code_a:
  .skip 0xffe
  .hword 0x0513               /* lower half of addi a0, x0, 0x123 */
code_c:
  .skip 0xffe
  .hword 0x451d               /* c.li a0, 7 */

  SV32_DATA
