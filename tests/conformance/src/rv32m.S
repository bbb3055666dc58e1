/* RV32M: products (low and every high form, signed/unsigned mixes) and division/remainder with
 * the spec's results for division by zero and for -2^31 / -1 overflow. Tests 1-24. */
#include "pk_test.h"
TEST_BEGIN
  TEST(1); li a0, 7; li a1, -3; mul a2, a0, a1; CHECK(a2, -21)
  TEST(2); li a0, 0x80000000; li a1, 0x80000000; mul a2, a0, a1; CHECK(a2, 0)
  TEST(3); mulh a2, a0, a1; CHECK(a2, 0x40000000)
  TEST(4); mulhu a2, a0, a1; CHECK(a2, 0x40000000)
  TEST(5); li a0, -1; li a1, -1; mulh a2, a0, a1; CHECK(a2, 0)
  TEST(6); mulhu a2, a0, a1; CHECK(a2, 0xfffffffe)
  TEST(7); mulhsu a2, a0, a1; CHECK(a2, -1)
  TEST(8); li a0, 0x12345678; li a1, 0x9abcdef0; mulhu a2, a0, a1; CHECK(a2, 0x0b00ea4e)
  TEST(9); mulh a2, a0, a1; CHECK(a2, 0xf8cc93d6)
  TEST(10); mulhsu a2, a0, a1; CHECK(a2, 0x0b00ea4e)
  TEST(11); li a0, -20; li a1, 6; div a2, a0, a1; CHECK(a2, -3)
  TEST(12); rem a2, a0, a1; CHECK(a2, -2)
  TEST(13); divu a2, a0, a1; CHECK(a2, 0x2aaaaaa7)
  TEST(14); remu a2, a0, a1; CHECK(a2, 2)
  TEST(15); li a1, 0; div a2, a0, a1; CHECK(a2, -1)
  TEST(16); divu a2, a0, a1; CHECK(a2, -1)
  TEST(17); rem a2, a0, a1; CHECK(a2, -20)
  TEST(18); remu a2, a0, a1; CHECK(a2, -20)
  TEST(19); li a0, 0x80000000; li a1, -1; div a2, a0, a1; CHECK(a2, 0x80000000)
  TEST(20); rem a2, a0, a1; CHECK(a2, 0)
  TEST(21); divu a2, a0, a1; CHECK(a2, 0)
  TEST(22); remu a2, a0, a1; CHECK(a2, 0x80000000)
  TEST(23); li a0, 7; mul a0, a0, a0; CHECK(a0, 49)
  TEST(24); li a0, 3; li a1, 5; mulhu zero, a0, a1; CHECK(x0, 0)
  j pass
TEST_END
