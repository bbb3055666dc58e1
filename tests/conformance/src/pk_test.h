/* Pakaya conformance tests: shared start-up, pass/fail, and the expected-trap handler.
 * Convention (HTIF, as riscv-tests): write 1 to `tohost` to pass, (N << 1) | 1 to fail test N.
 * gp holds the current test number. To expect a trap, load s11 with the expected mcause and s10
 * with the address to resume at; the handler records mepc in s8, mtval in s9 and resumes in M with interrupts disabled (MIE = 0). */
#define TEST(n) li gp, n
#define CHECK(reg, value) li t6, value; bne reg, t6, fail

#define EXPECT_TRAP(cause, resume) li s11, cause; li s6, -1; la s10, resume
/* Either of two causes is allowed (the spec leaves the choice to the implementation). */
#define EXPECT_TRAP2(cause, other, resume) li s11, cause; li s6, other; la s10, resume

#define TEST_BEGIN \
  .section .text.init, "ax"; \
  .globl _start; \
_start: \
  la t0, trap_handler; \
  csrw mtvec, t0; \
  li t0, -1; \
  csrw pmpaddr0, t0; \
  li t0, 0x1f; \
  csrw pmpcfg0, t0; \
  li s11, -1; \
  li s6, -1; \
  li gp, 0;

#define TEST_END \
pass: \
  fence; \
  li a0, 1; \
  la t0, tohost; \
  sw a0, 0(t0); \
  sw zero, 4(t0); \
1: j 1b; \
fail: \
  fence; \
  slli a0, gp, 1; \
  ori a0, a0, 1; \
  la t0, tohost; \
  sw a0, 0(t0); \
  sw zero, 4(t0); \
2: j 2b; \
  .align 2; \
trap_handler: \
  csrr s7, mcause; \
  beq s7, s11, 3f; \
  bne s7, s6, fail; \
3: \
  csrr s8, mepc; \
  csrr s9, mtval; \
  li s11, -1; \
  csrw mepc, s10; \
  li t0, 0x1800; \
  csrs mstatus, t0; \
  li t0, 0x80; \
  csrc mstatus, t0; \
  mret; \
  .section .tohost, "aw", @progbits; \
  .align 6; \
  .globl tohost; \
tohost: .dword 0; \
  .size tohost, 8; \
  .globl fromhost; \
fromhost: .dword 0; \
  .size fromhost, 8;
