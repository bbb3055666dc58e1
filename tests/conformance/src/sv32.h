/* Sv32 helpers shared by the sv32_*.S tests (include after harness.h).
 *
 * SV32_INIT builds a root table whose entry 0x200 is a 4 MiB identity megapage over the test image
 * (0x80000000, RWX, A and D set, not U), so harness and test code run unchanged in S-mode; entry
 * 0x100 points at a level-0 table for VA 0x40000000-0x403fffff (VA_L0 + i * 4 KiB = entry i);
 * entry 0x001 maps VA 0x00400000 as a U-mode alias of the image (U RWX) so U-mode code can run.
 * satp is then set to Sv32 with that root and sfence.vma executed.
 * Register conventions: s0 = root table, s1 = level-0 table (both physical = virtual).
 */
#define VA_L0      0x40000000
#define VA_PAGE(i) (VA_L0 + (i) * 0x1000)
#define U_ALIAS_BASE 0x00400000
#define U_ALIAS_DELTA (0x80000000 - U_ALIAS_BASE)
#define PTE_RWX_AD (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)

.macro SV32_INIT
  la s0, pt_root
  la s1, pt_l0
  li t0, 0x80000000
  SET_PTE s0, 0x200, t0, PTE_RWX_AD
  SET_PTE s0, 0x100, s1, PTE_V
  li t0, 0x80000000
  SET_PTE s0, 0x001, t0, PTE_RWX_AD | PTE_U
  srli t0, s0, 12
  li t1, SATP_SV32
  or t0, t0, t1
  csrw satp, t0
  sfence.vma
.endm

/* pt_l0[index] = leaf for the physical page at `label` with `flags`; then sfence.vma. */
.macro MAP4K index, label, flags
  la t0, \label
  SET_PTE s1, \index, t0, \flags
  sfence.vma
.endm

/* mret to the U-mode alias of `label` (privilege U). */
.macro TO_U_ALIAS label
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  la t6, \label
  li t5, U_ALIAS_DELTA
  sub t6, t6, t5
  csrw mepc, t6
  mret
.endm

/* Fail unless `reg` holds the U-mode alias address of `label`. */
.macro CHECK_U_ALIAS reg, label
  la t6, \label
  li t5, U_ALIAS_DELTA
  sub t6, t6, t5
  beq \reg, t6, .Lok\@
  j fail
.Lok\@:
.endm

/* Read the word at pt_l0[index] into `reg`. */
.macro READ_PTE reg, index
  lw \reg, (\index) * 4(s1)
.endm

/* The tables and eight 4 KiB data pages page0..page7, zero at start. */
.macro SV32_DATA
  .section .bss
  .balign 4096
pt_root: .space 4096
pt_l0:   .space 4096
page0:   .space 4096
page1:   .space 4096
page2:   .space 4096
page3:   .space 4096
page4:   .space 4096
page5:   .space 4096
page6:   .space 4096
page7:   .space 4096
.endm
