/* mstatus.MPRV: M-mode loads and stores translated and checked with the privilege in MPP, while
 * M-mode instruction fetch is not translated.
 *
 *  1     MPRV = 1, MPP = S: an M-mode load from a mapped VA returns the mapped page's data
 *  2     MPRV = 1, MPP = S: an M-mode store through a VA reaches the mapped physical page
 *  3     MPRV = 1, MPP = S: a load from an unmapped VA is a load page fault (13) taken in M,
 *        mepc = the load, mtval = the VA
 *  4     MPRV = 1, MPP = U: a load from a non-U page faults (13); from a U page it works
 *  5     MPRV = 1, MPP = S: a U page faults with SUM = 0 and loads with SUM = 1
 *  6     MPRV = 1, MPP = S, MXR = 1: a load from an execute-only page works
 *  7     MPRV = 1, MPP = S with a root table that does not map the code: M-mode keeps fetching
 *        (fetch is not translated) while its load goes through the table
 *  8     MPRV = 1, MPP = M: no translation (the VA is used as a physical address: access fault 5)
 *  9     a store with MPRV = 1 sets A and D in the PTE
 * 10     a page fault of an MPRV access is taken in M even when medeleg delegates it
 */
#include "harness.h"
#include "sv32.h"

#define RW (PTE_V | PTE_R | PTE_W | PTE_A | PTE_D)

/* mstatus.MPP = mode, then MPRV = 1. Clobbers t6. */
.macro MPRV_ON mode
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  li t6, (\mode << 11) | MSTATUS_MPRV
  csrs mstatus, t6
.endm
.macro MPRV_OFF
  li t6, MSTATUS_MPRV
  csrc mstatus, t6
.endm

TEST_BEGIN
  SV32_INIT
  la t0, page0
  li t1, 0x0a0b0c0d
  sw t1, 0(t0)
  MAP4K 0, page0, RW
  MAP4K 1, page0, RW | PTE_U
  MAP4K 3, page1, PTE_V | PTE_R | PTE_W
  MAP4K 4, page0, PTE_V | PTE_X | PTE_A

  TEST 1
  li t0, VA_PAGE(0)
  MPRV_ON PRV_S
  lw a0, 0(t0)
  MPRV_OFF
  CHECK a0, 0x0a0b0c0d
  TEST 2
  li t0, VA_PAGE(0)
  li a1, 0x77777777
  MPRV_ON PRV_S
  sw a1, 4(t0)
  MPRV_OFF
  la t0, page0
  lw a0, 4(t0)
  CHECK a0, 0x77777777
  TEST 3
  li t0, VA_PAGE(2) + 8
  EXPECT_TRAP 1f
  MPRV_ON PRV_S
2: lw a0, 0(t0)
  MPRV_OFF
  j fail
1: MPRV_OFF
  CHECK_MCAUSE CAUSE_LOAD_PAGE
  CHECKA s10, 2b
  CHECK s11, VA_PAGE(2) + 8
  TEST 4
  li t0, VA_PAGE(0)
  EXPECT_TRAP 1f
  MPRV_ON PRV_U
2: lw a0, 0(t0)
  MPRV_OFF
  j fail
1: MPRV_OFF
  CHECK_MCAUSE CAUSE_LOAD_PAGE
  CHECKA s10, 2b
  li t0, VA_PAGE(1)
  MPRV_ON PRV_U
  lw a0, 0(t0)
  MPRV_OFF
  CHECK a0, 0x0a0b0c0d
  TEST 5
  li t0, VA_PAGE(1)
  EXPECT_TRAP 1f
  MPRV_ON PRV_S
2: lw a0, 0(t0)
  MPRV_OFF
  j fail
1: MPRV_OFF
  CHECK_MCAUSE CAUSE_LOAD_PAGE
  li a0, MSTATUS_SUM
  csrs mstatus, a0
  li t0, VA_PAGE(1)
  MPRV_ON PRV_S
  lw a0, 0(t0)
  MPRV_OFF
  CHECK a0, 0x0a0b0c0d
  li a0, MSTATUS_SUM
  csrc mstatus, a0
  TEST 6
  li a0, MSTATUS_MXR
  csrs mstatus, a0
  li t0, VA_PAGE(4)
  li a0, 0
  MPRV_ON PRV_S
  lw a0, 0(t0)
  MPRV_OFF
  CHECK a0, 0x0a0b0c0d
  li a0, MSTATUS_MXR
  csrc mstatus, a0

  TEST 7
  la s2, pt_root2
  SET_PTE s2, 0x100, s1, PTE_V
  srli a4, s2, 12
  li t0, SATP_SV32
  or a4, a4, t0
  csrr a5, satp
  csrw satp, a4
  sfence.vma
  li t0, VA_PAGE(0)
  li a0, 0
  MPRV_ON PRV_S
  lw a0, 0(t0)
  addi a0, a0, 1
  MPRV_OFF
  csrw satp, a5
  sfence.vma
  CHECK a0, 0x0a0b0c0e

  TEST 8
  li t0, VA_PAGE(0)
  EXPECT_TRAP 1f
  MPRV_ON PRV_M
2: lw a0, 0(t0)
  MPRV_OFF
  j fail
1: MPRV_OFF
  CHECK_MCAUSE CAUSE_LOAD_ACCESS
  CHECKA s10, 2b

  TEST 9
  li t0, VA_PAGE(3)
  MPRV_ON PRV_S
  sw t0, 0(t0)
  MPRV_OFF
  READ_PTE a0, 3
  CHECKM a0, PTE_A | PTE_D, PTE_A | PTE_D

  TEST 10
  li a0, 1 << CAUSE_LOAD_PAGE
  csrw medeleg, a0
  li t0, VA_PAGE(2)
  EXPECT_TRAP 1f
  MPRV_ON PRV_S
2: lw a0, 0(t0)
  MPRV_OFF
  j fail
1: MPRV_OFF
  CHECK_MCAUSE CAUSE_LOAD_PAGE
  CHECKA s10, 2b
  csrw medeleg, zero
TEST_END

  SV32_DATA
  .balign 4096
pt_root2: .space 4096
