/* RV32A: lr.w/sc.w (success, failure without a reservation, failure after an sc consumed it),
 * every AMO returning the old value and storing the new one, and misaligned atomics trapping
 * (sc/amo: store/AMO address misaligned 6, or misaligned load 4 as QEMU raises; lr: load misaligned 4 or access fault 5;
 * the spec allows either, Pakaya raises the misaligned causes). Tests 1-16 (no 15: QEMU lets a misaligned sc.w without a reservation fail quietly, so it is not checked). */
#include "pk_test.h"
TEST_BEGIN
  la s0, word
  TEST(1); li a0, 10; sw a0, 0(s0); lr.w a1, (s0); CHECK(a1, 10)
  TEST(2); li a2, 11; sc.w a3, a2, (s0); CHECK(a3, 0); lw a1, 0(s0); CHECK(a1, 11)
  TEST(3); li a2, 12; sc.w a3, a2, (s0); CHECK(a3, 1); lw a1, 0(s0); CHECK(a1, 11)
  TEST(4); li a0, 5; sw a0, 0(s0); li a1, 7; amoswap.w a2, a1, (s0); CHECK(a2, 5); lw a3, 0(s0); CHECK(a3, 7)
  TEST(5); li a1, -2; amoadd.w a2, a1, (s0); CHECK(a2, 7); lw a3, 0(s0); CHECK(a3, 5)
  TEST(6); li a1, 0xf; amoxor.w a2, a1, (s0); CHECK(a2, 5); lw a3, 0(s0); CHECK(a3, 10)
  TEST(7); li a1, 0x6; amoand.w a2, a1, (s0); CHECK(a2, 10); lw a3, 0(s0); CHECK(a3, 2)
  TEST(8); li a1, 0x9; amoor.w a2, a1, (s0); CHECK(a2, 2); lw a3, 0(s0); CHECK(a3, 11)
  TEST(9); li a1, -3; amomin.w a2, a1, (s0); CHECK(a2, 11); lw a3, 0(s0); CHECK(a3, -3)
  TEST(10); li a1, 4; amomax.w a2, a1, (s0); CHECK(a2, -3); lw a3, 0(s0); CHECK(a3, 4)
  TEST(11); li a1, -1; amominu.w a2, a1, (s0); CHECK(a2, 4); lw a3, 0(s0); CHECK(a3, 4)
  TEST(12); amomaxu.w a2, a1, (s0); CHECK(a2, 4); lw a3, 0(s0); CHECK(a3, -1)
  TEST(13); li a1, 1; amoadd.w.aqrl zero, a1, (s0); lw a3, 0(s0); CHECK(a3, 0)
  TEST(14); EXPECT_TRAP2(6, 4, 1f); addi a0, s0, 2; amoadd.w a2, a1, (a0); j fail; 1: bne s9, a0, fail
  TEST(16); EXPECT_TRAP2(4, 5, 1f); addi a0, s0, 2; lr.w a2, (a0); j fail; 1: bne s9, a0, fail
  j pass
TEST_END
  .data
  .align 4
word: .word 0, 0
