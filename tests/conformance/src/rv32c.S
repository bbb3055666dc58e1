/* RV32C: every compressed instruction of RV32C without F/D, written as explicit c. mnemonics.
 * Tests 1-27 (c.ebreak is covered in traps.S). */
#include "pk_test.h"
TEST_BEGIN
  .option push
  .option rvc
  la sp, stack_top
  TEST(1); c.li a0, -7; CHECK(a0, -7)
  TEST(2); c.addi a0, 9; CHECK(a0, 2)
  TEST(3); c.lui a1, 0x1f; CHECK(a1, 0x1f000)
  TEST(4); c.lui a1, 0xfffe1; CHECK(a1, 0xfffe1000)
  TEST(5); mv s1, sp; c.addi16sp sp, -64; sub a2, s1, sp; CHECK(a2, 64); c.addi16sp sp, 64
  TEST(6); c.addi4spn a2, sp, 8; sub a2, a2, sp; CHECK(a2, 8)
  TEST(7); li a0, 0x55667788; c.swsp a0, 4(sp); c.lwsp a3, 4(sp); CHECK(a3, 0x55667788)
  TEST(8); addi s0, sp, -32; li a4, 0x11; c.sw a4, 12(s0); c.lw a5, 12(s0); CHECK(a5, 0x11)
  TEST(9); li a0, 0x80000000; c.srli a0, 4; CHECK(a0, 0x08000000)
  TEST(10); li a0, 0x80000000; c.srai a0, 4; CHECK(a0, 0xf8000000)
  TEST(11); li a0, 0xff; c.andi a0, -16; CHECK(a0, 0xf0)
  TEST(12); li a0, 10; li a1, 3; c.sub a0, a1; CHECK(a0, 7)
  TEST(13); li a0, 0xc; c.xor a0, a1; CHECK(a0, 0xf)
  TEST(14); li a0, 0x8; c.or a0, a1; CHECK(a0, 0xb)
  TEST(15); li a0, 0xe; c.and a0, a1; CHECK(a0, 0x2)
  TEST(16); li a0, 3; c.slli a0, 30; CHECK(a0, 0xc0000000)
  TEST(17); li a1, 5; c.mv a0, a1; CHECK(a0, 5)
  TEST(18); li a0, 5; li a1, 6; c.add a0, a1; CHECK(a0, 11)
  TEST(19); c.j 1f; j fail; 1:
  TEST(20); li a0, 0; c.beqz a0, 1f; j fail; 1: c.bnez a0, fail
  TEST(21); li s0, 1; c.bnez s0, 1f; j fail; 1: c.beqz s0, fail
  TEST(22); c.jal 1f; 2: j fail; 1: la a1, 2b; bne ra, a1, fail
  TEST(23); la a2, 1f; c.jr a2; j fail; 1:
  TEST(24); la a2, 1f; c.jalr a2; 2: j fail; 1: la a1, 2b; bne ra, a1, fail
  TEST(25); c.nop
  TEST(26); la ra, 1f; c.jalr ra; 2: j fail; 1: la a1, 2b; bne ra, a1, fail
  TEST(27); li a0, 1; c.slli a0, 1; c.srli a0, 1; CHECK(a0, 1)
  .option pop
  j pass
TEST_END
  .data
  .align 4
stack: .space 256
stack_top:
