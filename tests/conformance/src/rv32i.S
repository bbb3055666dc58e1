/* RV32I: arithmetic, logic, shifts (edge shift amounts), lui/auipc, comparisons, every branch taken
 * and not taken, jal/jalr (link value, bit 0 cleared), every load/store width with sign and zero
 * extension, fence, and writes to x0 ignored. Tests 1-40. */
#include "pk_test.h"
TEST_BEGIN
  TEST(1); li a0, 0x7fffffff; addi a1, a0, 1; CHECK(a1, 0x80000000)
  TEST(2); li a0, 5; li a1, 9; sub a2, a0, a1; CHECK(a2, -4)
  TEST(3); li a0, 0xff00ff00; li a1, 0x0ff00ff0; and a2, a0, a1; CHECK(a2, 0x0f000f00)
  TEST(4); or a2, a0, a1; CHECK(a2, 0xfff0fff0)
  TEST(5); xor a2, a0, a1; CHECK(a2, 0xf0f0f0f0)
  TEST(6); andi a2, a0, -16; CHECK(a2, 0xff00ff00)
  TEST(7); ori a2, a0, 0x0ff; CHECK(a2, 0xff00ffff)
  TEST(8); xori a2, a0, -1; CHECK(a2, 0x00ff00ff)
  TEST(9); li a0, 1; slli a2, a0, 31; CHECK(a2, 0x80000000)
  TEST(10); li a0, 0x80000000; srli a2, a0, 31; CHECK(a2, 1)
  TEST(11); srai a2, a0, 31; CHECK(a2, -1)
  TEST(12); li a1, 33; sll a2, a0, a1; CHECK(a2, 0)          /* shamt uses the low 5 bits: 33 -> 1 */
  TEST(13); li a1, 63; srl a2, a0, a1; CHECK(a2, 1)
  TEST(14); sra a2, a0, a1; CHECK(a2, -1)
  TEST(15); li a0, -1; li a1, 1; slt a2, a0, a1; CHECK(a2, 1)
  TEST(16); sltu a2, a0, a1; CHECK(a2, 0)
  TEST(17); slti a2, a1, -1; CHECK(a2, 0)
  TEST(18); sltiu a2, a1, -1; CHECK(a2, 1)                   /* -1 immediate is 0xffffffff unsigned */
  TEST(19); lui a2, 0xfffff; CHECK(a2, 0xfffff000)
  TEST(20); 1: auipc a2, 0; la a3, 1b; bne a2, a3, fail
  TEST(21); li a0, -5; li a1, 3; blt a0, a1, 1f; j fail; 1: bge a0, a1, fail
  TEST(22); bltu a0, a1, fail; bgeu a0, a1, 1f; j fail; 1:
  TEST(23); li a1, -5; beq a0, a1, 1f; j fail; 1: bne a0, a1, fail
  TEST(24); li a1, 4; bge a1, a1, 1f; j fail; 1: blt a1, a1, fail
  TEST(25); jal a4, 1f; 2: j fail; 1: la a5, 2b; bne a4, a5, fail
  TEST(26); la a0, 1f; addi a0, a0, 1; jalr a4, 0(a0); 2: j fail; 1: la a5, 2b; bne a4, a5, fail
  TEST(27); la a0, data; lb a1, 0(a0); CHECK(a1, -128)
  TEST(28); lbu a1, 0(a0); CHECK(a1, 0x80)
  TEST(29); lh a1, 2(a0); CHECK(a1, -32768)
  TEST(30); lhu a1, 2(a0); CHECK(a1, 0x8000)
  TEST(31); lw a1, 4(a0); CHECK(a1, 0x12345678)
  TEST(32); li a2, 0xaabbccdd; sw a2, 8(a0); sb zero, 8(a0); lw a1, 8(a0); CHECK(a1, 0xaabbcc00)
  TEST(33); li a2, 0x1122; sh a2, 10(a0); lw a1, 8(a0); CHECK(a1, 0x1122cc00)
  TEST(34); lb a1, -1(a0); CHECK(a1, 0x7f)
  TEST(35); li a2, 99; add zero, a2, a2; addi x0, x0, 5; CHECK(x0, 0)
  TEST(36); lw zero, 4(a0); CHECK(x0, 0)
  TEST(37); fence; fence rw, rw; fence.i
  TEST(38); li a0, 0x12345678; srli a1, a0, 0; CHECK(a1, 0x12345678)
  TEST(39); li a0, 7; mv a1, a0; addi a0, a0, 1; CHECK(a1, 7)
  j pass
TEST_END
  .data
  .align 4
  .byte 0, 0, 0, 0x7f
data:
  .byte 0x80, 0, 0x00, 0x80
  .word 0x12345678
  .word 0, 0
