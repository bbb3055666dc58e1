/* Pakaya conformance tests: the shared harness.
 *
 * Convention (HTIF `tohost`, as the public riscv-tests use): the ELF is linked at 0x80000000 and
 * entered in M-mode at _start with nothing else set up. A test ends by storing 1 to the 64-bit
 * `tohost` (pass) or (N << 1) | 1 (fail, N = the number of the failing check), then spins.
 *
 * Register conventions (test bodies must not use these for anything else):
 *   gp   number of the current test case (TEST n). A failure reports it as N.
 *   tp   resume address for the next expected trap (0: a trap now is a failure).
 *   s8   mstatus, s9 mcause, s10 mepc, s11 mtval as the M-mode handler found them.
 *   s4   sstatus, s5 scause, s6 sepc, s7 stval as the S-mode handler found them.
 *   t5, t6  scratch for the CHECK macros, TO_MODE and the page-table macros.
 *
 * M-mode handler (mtvec, direct): records s8-s11; if tp is 0 it fails the current test, otherwise
 * it resumes at tp in M-mode with MIE = 0 (MPP = M, MPIE = 0) and clears tp.
 * S-mode handler (stvec, direct): records s4-s7, then `ecall`s, so the M-mode handler sees cause 9
 * (ecall from S) and resumes at tp. A test that expects a trap delegated to S therefore checks
 * s9 == 9 and then s5/s6/s7/s4.
 *
 * Failure number 255 means a failure outside any numbered test (harness start-up).
 */

#define PRV_U 0
#define PRV_S 1
#define PRV_M 3

#define MSTATUS_SIE  0x00000002
#define MSTATUS_MIE  0x00000008
#define MSTATUS_SPIE 0x00000020
#define MSTATUS_MPIE 0x00000080
#define MSTATUS_SPP  0x00000100
#define MSTATUS_MPP  0x00001800
#define MSTATUS_MPRV 0x00020000
#define MSTATUS_SUM  0x00040000
#define MSTATUS_MXR  0x00080000
#define MSTATUS_TVM  0x00100000
#define MSTATUS_TW   0x00200000
#define MSTATUS_TSR  0x00400000

#define MIP_SSIP 0x002
#define MIP_MSIP 0x008
#define MIP_STIP 0x020
#define MIP_MTIP 0x080
#define MIP_SEIP 0x200
#define MIP_MEIP 0x800

#define CAUSE_MISALIGNED_FETCH 0
#define CAUSE_FETCH_ACCESS     1
#define CAUSE_ILLEGAL          2
#define CAUSE_BREAKPOINT       3
#define CAUSE_MISALIGNED_LOAD  4
#define CAUSE_LOAD_ACCESS      5
#define CAUSE_MISALIGNED_STORE 6
#define CAUSE_STORE_ACCESS     7
#define CAUSE_ECALL_U          8
#define CAUSE_ECALL_S          9
#define CAUSE_ECALL_M          11
#define CAUSE_FETCH_PAGE       12
#define CAUSE_LOAD_PAGE        13
#define CAUSE_STORE_PAGE       15

#define INT_SSI 0x80000001
#define INT_MSI 0x80000003
#define INT_STI 0x80000005
#define INT_MTI 0x80000007

#define CLINT_MSIP     0x02000000
#define CLINT_MTIMECMP 0x02004000
#define CLINT_MTIME    0x0200bff8

/* Physical addresses that neither qemu's spike machine nor Pakaya maps: access faults. */
#define UNMAPPED_DATA  0x40000000
#define UNMAPPED_CODE  0x50000000

/* Sv32 PTE bits. */
#define PTE_V 0x01
#define PTE_R 0x02
#define PTE_W 0x04
#define PTE_X 0x08
#define PTE_U 0x10
#define PTE_G 0x20
#define PTE_A 0x40
#define PTE_D 0x80
#define SATP_SV32 0x80000000

/* Start a numbered check. */
.macro TEST n
  li gp, \n
.endm

/* Fail the current test unless register `reg` equals the constant `val`. */
.macro CHECK reg, val
  li t6, \val
  beq \reg, t6, .Lok\@
  j fail
.Lok\@:
.endm

/* Fail unless two registers are equal. */
.macro CHECKR a, b
  beq \a, \b, .Lok\@
  j fail
.Lok\@:
.endm

/* Fail unless register `reg` holds the address of `label`. */
.macro CHECKA reg, label
  la t6, \label
  beq \reg, t6, .Lok\@
  j fail
.Lok\@:
.endm

/* Fail unless (reg & mask) == val. Clobbers t5. */
.macro CHECKM reg, mask, val
  li t6, \mask
  and t5, \reg, t6
  li t6, \val
  beq t5, t6, .Lok\@
  j fail
.Lok\@:
.endm

/* a0 = v1 OP v2 (registers a1, a2) must equal `expect`. */
.macro TEST_RR n, op, expect, v1, v2
  TEST \n
  li a1, \v1
  li a2, \v2
  \op a0, a1, a2
  CHECK a0, \expect
.endm

/* a0 = v1 OP imm (register a1) must equal `expect`. */
.macro TEST_RI n, op, expect, v1, imm
  TEST \n
  li a1, \v1
  \op a0, a1, \imm
  CHECK a0, \expect
.endm

/* Unconditional failure of the current test (e.g. a trap that did not happen). */
.macro FAIL
  j fail
.endm

/* The next trap is expected: the M-mode handler resumes at `label` (in M-mode). */
.macro EXPECT_TRAP label
  la tp, \label
.endm

/* Check the cause (and, for a trap delegated to S, that it came through the S handler). */
.macro CHECK_MCAUSE cause
  CHECK s9, \cause
.endm
.macro CHECK_SCAUSE cause
  CHECK s9, CAUSE_ECALL_S
  CHECK s5, \cause
.endm

/* From M-mode: mret to `label` in privilege `mode` (mstatus.MPP = mode; MPIE unchanged). */
.macro TO_MODE mode, label
  li t6, MSTATUS_MPP
  csrc mstatus, t6
  li t6, (\mode << 11)
  csrs mstatus, t6
  la t6, \label
  csrw mepc, t6
  mret
.endm

/* Emit a PTE: word at `table + index*4` = (pa >> 12) << 10 | flags. Clobbers t5, t6. */
.macro SET_PTE table_reg, index, pa_reg, flags
  srli t5, \pa_reg, 12
  slli t5, t5, 10
  ori t5, t5, \flags
  li t6, (\index) * 4
  add t6, t6, \table_reg
  sw t5, 0(t6)
.endm

/* The start of every test file. */
.macro TEST_BEGIN
  .option norvc
  .section .text.init, "ax", @progbits
  .globl _start
_start:
  li gp, 0
  li tp, 0
  /* PMP: one NAPOT region over everything, RWX, so S and U may access memory. The PMP CSRs are
     WARL (possibly read-only zero) or absent; a trap here just skips the set-up. */
  la t0, .Lpmp_done
  csrw mtvec, t0
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1f
  csrw pmpcfg0, t0
  .balign 4
.Lpmp_done:
  la t0, m_trap
  csrw mtvec, t0
  la t0, s_trap
  csrw stvec, t0
  csrw mstatus, zero
  csrw mie, zero
  csrw mip, zero
  csrw medeleg, zero
  csrw mideleg, zero
  csrw satp, zero
  li tp, 0
  la sp, harness_stack_top
  j test_main

  .balign 4
m_trap:
  csrr s9, mcause
  csrr s10, mepc
  csrr s11, mtval
  csrr s8, mstatus
  beqz tp, fail
  csrw mepc, tp
  li tp, MSTATUS_MPP
  csrs mstatus, tp
  li tp, MSTATUS_MPIE
  csrc mstatus, tp
  li tp, 0
  mret

  .balign 4
s_trap:
  csrr s5, scause
  csrr s6, sepc
  csrr s7, stval
  csrr s4, sstatus
  ecall
  j fail

pass:
  fence
  li t0, 1
  la t1, tohost
  sw t0, 0(t1)
  sw zero, 4(t1)
.Lpass_spin:
  j .Lpass_spin

fail:
  fence
  bnez gp, .Lfail_numbered
  li gp, 255
.Lfail_numbered:
  slli t0, gp, 1
  ori t0, t0, 1
  la t1, tohost
  sw t0, 0(t1)
  sw zero, 4(t1)
.Lfail_spin:
  j .Lfail_spin

  .section .tohost, "aw", @progbits
  .balign 8
  .globl tohost
tohost: .dword 0
  .size tohost, 8
  .balign 8
  .globl fromhost
fromhost: .dword 0
  .size fromhost, 8

  .section .data.harness, "aw", @progbits
  .balign 16
harness_stack: .space 1024
harness_stack_top:

  .text
test_main:
.endm

/* The end of the test body: every check passed. */
.macro TEST_END
  j pass
.endm

/* mtimecmp = mtime + delta (64-bit; high word set to all ones first so no spurious match).
   Clobbers t0-t4. */
.macro TIMER_FROM_NOW delta
.Lrd\@:
  li t0, CLINT_MTIME
  lw t2, 4(t0)
  lw t1, 0(t0)
  lw t3, 4(t0)
  bne t2, t3, .Lrd\@
  li t4, \delta
  add t1, t1, t4
  sltu t4, t1, t4
  add t2, t2, t4
  li t0, CLINT_MTIMECMP
  li t4, -1
  sw t4, 4(t0)
  sw t1, 0(t0)
  sw t2, 4(t0)
.endm

/* mtimecmp = all ones: the timer interrupt is not pending. Clobbers t0, t1. */
.macro TIMER_OFF
  li t0, CLINT_MTIMECMP
  li t1, -1
  sw t1, 4(t0)
  sw t1, 0(t0)
.endm

/* mtimecmp = 0: the timer interrupt is pending. Clobbers t0. */
.macro TIMER_NOW
  li t0, CLINT_MTIMECMP
  sw zero, 0(t0)
  sw zero, 4(t0)
.endm

/* CLINT msip = value. Clobbers t0, t1. */
.macro SET_MSIP value
  li t0, CLINT_MSIP
  li t1, \value
  sw t1, 0(t0)
.endm

/* Spin for up to `count` iterations (an expected interrupt ends it), then fail. The code is
   li a5 (4 bytes if count < 2048, else 8), addi, bnez, j fail. Clobbers a5. */
.macro SPIN_THEN_FAIL count
  li a5, \count
.Lspin\@:
  addi a5, a5, -1
  bnez a5, .Lspin\@
  j fail
.endm
