/* Sv32 from S-mode: a 4 MiB identity megapage for the code, 4 KiB pages for data. Hardware sets A
 * on a load and D on a store; an invalid PTE gives load page fault (13) with mtval = the address;
 * a store to a read-only page gives store page fault (15); fetching from a non-executable page
 * gives instruction page fault (12); S reads a U page only with SUM; sfence.vma makes a changed PTE
 * visible. Tests 1-8. */
#include "pk_test.h"
#define TO_MODE(mpp, target) li t0, 0x1800; csrc mstatus, t0; li t0, (mpp) << 11; csrs mstatus, t0; la t0, target; csrw mepc, t0; mret
#define VA 0x40000000

TEST_BEGIN
  /* root[0x200] = megapage 0x80000000 RWX+AD; root[0x100] -> l0; l0[0] rw page, l0[2] read-only,
     l0[3] user page, l0[1] invalid for now. */
  la s0, pt_root; la s1, pt_l0
  li t0, (0x80000 << 10) | 0xcf; li t2, 0x800; add t2, t2, s0; sw t0, 0(t2)
  srli t0, s1, 12; slli t0, t0, 10; ori t0, t0, 1; sw t0, 0x400(s0)
  la t1, page0; srli t1, t1, 12; slli t1, t1, 10; ori t0, t1, 0x07; sw t0, 0(s1)
  la t1, page2; srli t1, t1, 12; slli t1, t1, 10; ori t0, t1, 0x43; sw t0, 8(s1)
  la t1, page3; srli t1, t1, 12; slli t1, t1, 10; ori t0, t1, 0xd7; sw t0, 12(s1)
  srli t0, s0, 12; li t1, 0x80000000; or t0, t0, t1; csrw satp, t0
  sfence.vma

  TEST(1); EXPECT_TRAP(9, 1f); TO_MODE(1, 2f); 2: li a0, VA; lw a1, 0(a0); ecall; 1: lw t0, 0(s1); andi t0, t0, 0xc0; CHECK(t0, 0x40)
  TEST(2); EXPECT_TRAP(9, 1f); TO_MODE(1, 2f); 2: li a0, VA; sw a0, 4(a0); ecall; 1: lw t0, 0(s1); andi t0, t0, 0xc0; CHECK(t0, 0xc0)
  TEST(3); EXPECT_TRAP(13, 1f); TO_MODE(1, 2f); 2: li a0, VA + 0x1000; lw a1, 8(a0); ecall; 1: CHECK(s9, VA + 0x1008)
  TEST(4); EXPECT_TRAP(15, 1f); TO_MODE(1, 2f); 2: li a0, VA + 0x2000; sw a1, 0(a0); ecall; 1: CHECK(s9, VA + 0x2000)
  TEST(5); EXPECT_TRAP(12, 1f); TO_MODE(1, 2f); 2: li a0, VA; jr a0; 1: CHECK(s9, VA)
  TEST(6); EXPECT_TRAP(13, 1f); TO_MODE(1, 2f); 2: li a0, VA + 0x3000; lw a1, 0(a0); ecall; 1: CHECK(s9, VA + 0x3000)
  TEST(7); li t0, 1 << 18; csrs mstatus, t0; EXPECT_TRAP(9, 1f); TO_MODE(1, 2f); 2: li a0, VA + 0x3000; lw a1, 0(a0); ecall; 1: li t0, 1 << 18; csrc mstatus, t0
  TEST(8)
  la t1, page2; srli t1, t1, 12; slli t1, t1, 10; ori t0, t1, 0x07; sw t0, 4(s1)
  EXPECT_TRAP(9, 1f); TO_MODE(1, 2f)
2: sfence.vma
  li a0, VA + 0x1000; li a1, 77; sw a1, 0(a0); lw a2, 0(a0); li t0, 77; bne a2, t0, fail; ecall
1: la t0, page2; lw t0, 0(t0); CHECK(t0, 77)
  csrw satp, zero
  j pass
TEST_END
  .data
  .align 12
pt_root: .space 4096
pt_l0: .space 4096
page0: .space 4096
page2: .space 4096
page3: .space 4096
