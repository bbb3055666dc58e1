/* RV32I jal and jalr: the link register gets pc + 4, targets with positive and negative offsets,
 * jalr clears bit 0 of the sum, jalr with rd = rs1 uses the old rs1, and far jal offsets.
 *
 *  1  jal ra forward: target reached, ra = address after the jal
 *  2  jal backward, link in another register (t0)
 *  3  jal x0 (j) leaves x0 zero
 *  4  jalr ra, 0(a1): target and link
 *  5  jalr with a positive offset (+8)
 *  6  jalr with a negative offset (-8)
 *  7  jalr clears bit 0: base + 1 and base + 0 with offset 1 land on the even address
 *  8  jalr rd = rs1: jumps to the old value, rd = link
 *  9  jalr x0 (ret) writes no register
 * 10  jal forward over 8 KiB and back (J-immediate bits 11 and 19:12)
 */
#include "harness.h"
TEST_BEGIN
  TEST 1
  jal ra, 1f
2: j fail
1: CHECKA ra, 2b

  TEST 2
  j 3f
1: CHECKA t0, 4f
  j 5f
3: jal t0, 1b
4: j fail
5:

  TEST 3
  j 1f
  j fail
1: mv a0, x0
  CHECK a0, 0

  TEST 4
  la a1, 1f
  jalr ra, 0(a1)
2: j fail
1: CHECKA ra, 2b

  TEST 5
  la a1, 1f
  jalr ra, 8(a1)
2: j fail
1: j fail
  j fail
  j 3f
3: CHECKA ra, 2b

  TEST 6
  la a1, 1f
  jalr ra, -8(a1)
2: j fail
  j 3f
  j fail
1: j fail
3: CHECKA ra, 2b

  TEST 7
  la a1, 1f
  addi a1, a1, 1
  jalr ra, 0(a1)
  j fail
1: la a1, 2f
  jalr ra, 1(a1)
  j fail
2:

  TEST 8
  la a1, 1f
  jalr a1, 0(a1)
2: j fail
1: CHECKA a1, 2b

  TEST 9
  li a0, 0x55
  la ra, 1f
  ret
  j fail
1: CHECK a0, 0x55

  TEST 10
  jal ra, 2f
1: j 3f
  .rept 2048
  j fail
  .endr
2: CHECKA ra, 1b
  jal a5, 1b
3: 
TEST_END
