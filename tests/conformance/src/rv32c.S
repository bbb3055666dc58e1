/* RV32C: every compressed instruction of RV32C without F/D, each written as an explicit c.
 * mnemonic (the objdump of bin/rv32c.elf shows 16-bit encodings), plus reserved encodings.
 *
 *  1- 2  c.li (-32, 31)
 *  3- 4  c.addi (+31, -32)
 *  5     c.nop changes nothing
 *  6- 8  c.lui (1, 0x1f, 0xfffe0: the immediate is sign-extended from bit 17)
 *  9-10  c.addi16sp (-512, +496)
 * 11-12  c.addi4spn (1020, 4)
 * 13-14  c.swsp / c.lwsp (offsets 0 and 252)
 * 15-16  c.sw / c.lw (offsets 0 and 124)
 * 17-18  c.srli (1, 31), c.srai (31 of a negative, 4)
 * 19-20  c.andi (-32 sign-extended, 31)
 * 21-24  c.sub, c.xor, c.or, c.and
 * 25-26  c.slli (31, 1; any register)
 * 27     c.mv
 * 28-29  c.add (different registers, rd = rs2 value doubled)
 * 30-31  c.j forward and backward
 * 32-35  c.beqz taken / not taken, c.bnez taken / not taken
 * 36     c.beqz backward
 * 37     c.jal: ra = address of the c.jal + 2
 * 38     c.jr
 * 39     c.jalr: ra = address + 2; c.jalr ra (jumps to the old ra)
 * 40     c.ebreak: breakpoint (3), mepc = the c.ebreak
 * 41     a 32-bit instruction at an address = 2 mod 4 executes; jalr to such an address works
 * 42     0x0000 is illegal (cause 2), mtval low 16 bits = 0
 * 43-46  reserved: c.lui rd, 0 (0x6501); c.addi16sp 0 (0x6101); c.jr x0 (0x8002); c.lwsp x0 (0x4002):
 *        illegal instruction, mtval low 16 bits = the encoding
 * 47     c.srli with shamt[5] = 1 (0x9101) is reserved on RV32: illegal
 */
#include "harness.h"

/* Expect an illegal instruction at the 16-bit encoding `bits` (mtval: low 16 bits checked). */
.macro ILLEGAL16 n, bits
  TEST \n
  EXPECT_TRAP .Lr\@
.Li\@:
  .hword \bits
  .hword 0x0001
  FAIL
.Lr\@:
  CHECK_MCAUSE CAUSE_ILLEGAL
  CHECKA s10, .Li\@
  li t6, 0xffff
  and s11, s11, t6
  CHECK s11, \bits
.endm

TEST_BEGIN
  .option rvc
  la sp, stack_top
  TEST 1
  c.li a0, -32
  CHECK a0, -32
  TEST 2
  c.li a0, 31
  CHECK a0, 31
  TEST 3
  li a0, 100
  c.addi a0, 31
  CHECK a0, 131
  TEST 4
  c.addi a0, -32
  CHECK a0, 99
  TEST 5
  li a0, 77
  c.nop
  CHECK a0, 77
  TEST 6
  c.lui a1, 1
  CHECK a1, 0x1000
  TEST 7
  c.lui a1, 0x1f
  CHECK a1, 0x1f000
  TEST 8
  c.lui a1, 0xfffe0
  CHECK a1, 0xfffe0000
  TEST 9
  mv s1, sp
  c.addi16sp sp, -512
  sub a2, s1, sp
  CHECK a2, 512
  TEST 10
  c.addi16sp sp, 496
  sub a2, s1, sp
  CHECK a2, 16
  c.addi16sp sp, 16
  TEST 11
  addi sp, sp, -1024
  c.addi4spn s0, sp, 1020
  sub a2, s0, sp
  CHECK a2, 1020
  addi sp, sp, 1024
  TEST 12
  c.addi4spn a5, sp, 4
  sub a2, a5, sp
  CHECK a2, 4

  addi sp, sp, -256
  TEST 13
  li a0, 0x55667788
  c.swsp a0, 0(sp)
  c.lwsp a3, 0(sp)
  CHECK a3, 0x55667788
  lw a3, 0(sp)
  CHECK a3, 0x55667788
  TEST 14
  li a0, 0x12121212
  c.swsp a0, 252(sp)
  c.lwsp t0, 252(sp)
  CHECK t0, 0x12121212
  lw a3, 252(sp)
  CHECK a3, 0x12121212
  TEST 15
  mv s0, sp
  li a4, 0x11
  c.sw a4, 0(s0)
  c.lw a5, 0(s0)
  CHECK a5, 0x11
  TEST 16
  li a4, 0x87654321
  c.sw a4, 124(s0)
  c.lw a5, 124(s0)
  CHECK a5, 0x87654321
  lw a5, 124(sp)
  CHECK a5, 0x87654321
  addi sp, sp, 256

  TEST 17
  li a0, 0x80000000
  c.srli a0, 1
  CHECK a0, 0x40000000
  c.srli a0, 30
  CHECK a0, 1
  li a0, 0xffffffff
  c.srli a0, 31
  CHECK a0, 1
  TEST 18
  li a0, 0x80000000
  c.srai a0, 31
  CHECK a0, -1
  li a0, 0x70000000
  c.srai a0, 4
  CHECK a0, 0x07000000
  TEST 19
  li a0, 0x12345678
  c.andi a0, -32
  CHECK a0, 0x12345660
  TEST 20
  li a0, 0x12345678
  c.andi a0, 31
  CHECK a0, 0x18
  TEST 21
  li a0, 10
  li a1, 13
  c.sub a0, a1
  CHECK a0, -3
  TEST 22
  li a0, 0xff00ff00
  li a1, 0x0ff00ff0
  c.xor a0, a1
  CHECK a0, 0xf0f0f0f0
  TEST 23
  li a0, 0xff00ff00
  c.or a0, a1
  CHECK a0, 0xfff0fff0
  TEST 24
  li a0, 0xff00ff00
  c.and a0, a1
  CHECK a0, 0x0f000f00
  TEST 25
  li t1, 3
  c.slli t1, 31
  CHECK t1, 0x80000000
  TEST 26
  li a0, 0x40000001
  c.slli a0, 1
  CHECK a0, 0x80000002
  TEST 27
  li a5, 0x13572468
  c.mv t0, a5
  CHECK t0, 0x13572468
  TEST 28
  li a0, 5
  li t2, 0x7ffffffe
  c.add t2, a0
  CHECK t2, 0x80000003
  TEST 29
  li a0, 0x21
  c.add a0, a0
  CHECK a0, 0x42

  TEST 30
  c.j 1f
  j fail
1:
  TEST 31
  c.j 2f
1: c.j 3f
2: c.j 1b
  j fail
3:
  TEST 32
  li s0, 0
  c.beqz s0, 1f
  j fail
1:
  TEST 33
  li s0, 1
  c.beqz s0, 1f
  j 2f
1: j fail
2:
  TEST 34
  li a5, -1
  c.bnez a5, 1f
  j fail
1:
  TEST 35
  li a5, 0
  c.bnez a5, 1f
  j 2f
1: j fail
2:
  TEST 36
  li s1, 0
  j 2f
1: j 3f
2: c.beqz s1, 1b
  j fail
3:

  TEST 37
1: c.jal 3f
2: j fail
3: CHECKA ra, 2b
  la a0, 1b
  sub a0, ra, a0
  CHECK a0, 2
  TEST 38
  la a2, 1f
  c.jr a2
  j fail
1:
  TEST 39
  la a2, 1f
  c.jalr a2
2: j fail
1: CHECKA ra, 2b
  la ra, 1f
  c.jalr ra
3: j fail
1: CHECKA ra, 3b

  TEST 40
  EXPECT_TRAP 1f
2: c.ebreak
  j fail
1: CHECK_MCAUSE CAUSE_BREAKPOINT
  CHECKA s10, 2b

  TEST 41
  .balign 4
  c.nop
  addi a0, x0, 0x123
  CHECK a0, 0x123
  la a1, 1f
  jalr ra, 0(a1)
  j fail
  .balign 4
  c.nop
1: addi a0, x0, 0x456
  CHECK a0, 0x456

  ILLEGAL16 42, 0x0000
  ILLEGAL16 43, 0x6501
  ILLEGAL16 44, 0x6101
  ILLEGAL16 45, 0x8002
  ILLEGAL16 46, 0x4002
  ILLEGAL16 47, 0x9101
  .option norvc
TEST_END

  .data
  .balign 16
stack: .space 2048
stack_top:
