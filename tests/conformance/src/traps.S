/* Traps and privilege: illegal instruction with mtval = the instruction bits, ebreak and c.ebreak
 * (mepc at the instruction), ecall from M, S and U (causes 11, 9, 8), delegation of a U-mode ecall
 * to S (scause, sepc, SPP) and sret, mret restoring MIE from MPIE, counters counting and gated by
 * mcounteren, misa, read-only CSRs, machine timer and software interrupts, wfi. Tests 1-19. */
#include "pk_test.h"
#define CLINT_MSIP 0x02000000
#define CLINT_MTIMECMP 0x02004000
#define CLINT_MTIME 0x0200bff8
#define TO_MODE(mpp, target) li t0, 0x1800; csrc mstatus, t0; li t0, (mpp) << 11; csrs mstatus, t0; la t0, target; csrw mepc, t0; mret

TEST_BEGIN
  TEST(1); EXPECT_TRAP(2, 1f); .word 0xc0001073; j fail; 1: CHECK(s9, 0xc0001073)
  TEST(2); EXPECT_TRAP(3, 1f); 2: ebreak; j fail; 1: la a0, 2b; bne s8, a0, fail
  .option push
  .option rvc
  TEST(3); EXPECT_TRAP(3, 1f); 2: c.ebreak; j fail; 1: la a0, 2b; bne s8, a0, fail
  .option pop
  TEST(4); EXPECT_TRAP(11, 1f); 2: ecall; j fail; 1: la a0, 2b; bne s8, a0, fail
  TEST(5); EXPECT_TRAP(8, 1f); TO_MODE(0, 2f); 2: ecall; j fail; 1:
  TEST(6); EXPECT_TRAP(9, 1f); TO_MODE(1, 2f); 2: ecall; j fail; 1:
  /* A U-mode ecall delegated to S: the S handler records scause/sepc/sstatus, then ecalls to M. */
  TEST(7)
  li t0, 1 << 8; csrw medeleg, t0
  la t0, s_handler; csrw stvec, t0
  EXPECT_TRAP(9, 1f); TO_MODE(0, 2f)
2: ecall
  j fail
1: csrw medeleg, zero
  CHECK(s5, 8)
  la a0, 2b; bne s4, a0, fail
  andi a1, s3, 0x100; bnez a1, fail          /* sstatus.SPP = 0: the trap came from U */
  TEST(8); csrr a0, minstret; nop; nop; nop; csrr a1, minstret; bgeu a0, a1, fail
  TEST(9); csrr a0, mcycle; nop; csrr a1, mcycle; bgeu a0, a1, fail; csrr a2, mcycleh; csrr a2, minstreth
  TEST(10); csrw mcounteren, zero; EXPECT_TRAP(2, 1f); TO_MODE(0, 2f); 2: rdcycle a0; j fail; 1:
  TEST(11); li t0, 7; csrw mcounteren, t0; csrw scounteren, t0; EXPECT_TRAP(8, 1f); TO_MODE(0, 2f); 2: rdinstret a0; rdcycleh a0; ecall; 1:
  TEST(12); li t0, 0x80; csrs mstatus, t0; li t0, 8; csrc mstatus, t0; TO_MODE(3, 2f); 2: csrr a0, mstatus; andi a0, a0, 8; CHECK(a0, 8); li t0, 8; csrc mstatus, t0
  TEST(13); li a0, 0x5a5a1234; csrw mscratch, a0; csrrw a1, mscratch, zero; CHECK(a1, 0x5a5a1234); csrr a1, mscratch; CHECK(a1, 0)
  TEST(14); csrr a0, misa; srli a1, a0, 30; CHECK(a1, 1); li a2, 0x141105; and a1, a0, a2; bne a1, a2, fail
  TEST(15); EXPECT_TRAP(2, 1f); csrw mvendorid, a0; j fail; 1:
  TEST(16); csrr a0, mvendorid; csrr a0, mhartid; CHECK(a0, 0)
  /* Machine timer interrupt: mtimecmp a little after mtime, MTIE and MIE on, then wait. */
  TEST(17)
  li t1, CLINT_MTIME; lw a0, 0(t1); lw a1, 4(t1)
  addi a2, a0, 200; sltu a3, a2, a0; add a1, a1, a3
  li t1, CLINT_MTIMECMP; li t2, -1; sw t2, 4(t1); sw a2, 0(t1); sw a1, 4(t1)
  li t0, 0x80; csrw mie, t0
  EXPECT_TRAP(0x80000007, 1f)
  li t0, 8; csrs mstatus, t0
2: j 2b
1: csrr a0, mip; andi a0, a0, 0x80; CHECK(a0, 0x80)
  /* wfi with an interrupt pending and enabled in mie (globally disabled) resumes. */
  TEST(18); wfi; csrw mie, zero; li t1, CLINT_MTIMECMP; li t2, -1; sw t2, 4(t1); sw t2, 0(t1)
  /* Machine software interrupt through msip. */
  TEST(19)
  li t0, 8; csrw mie, t0
  li t1, CLINT_MSIP; li t2, 1; sw t2, 0(t1)
  EXPECT_TRAP(0x80000003, 1f)
  li t0, 8; csrs mstatus, t0
2: j 2b
1: li t1, CLINT_MSIP; sw zero, 0(t1); csrw mie, zero
  j pass

  .align 2
s_handler:
  csrr s5, scause
  csrr s4, sepc
  csrr s3, sstatus
  ecall
  j fail
TEST_END
