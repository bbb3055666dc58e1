/* Misaligned ordinary loads and stores complete without a trap and return the right bytes (the
 * privileged spec lets them trap or not; Pakaya emulates them as QEMU does), including accesses
 * that cross a word and a 4 KiB page boundary. (Misaligned LR/SC/AMOs are in rv32a.S; accesses that
 * cross into a different physical page under Sv32 are in sv32_cross.S.)
 *
 *  1- 3  lw at offsets 1, 2, 3
 *  4- 5  lh (sign-extended) and lhu at offset 1 and across a word (offset 3)
 *  6     sw at offset 1, then the surrounding bytes are intact
 *  7     sh at offset 3 (across a word)
 *  8- 9  lw / sw across a 4 KiB page boundary (last 2 bytes of one page, first 2 of the next)
 * 10     lh across a page boundary
 */
#include "harness.h"
TEST_BEGIN
  la s0, buf
  TEST 1
  lw a0, 1(s0)
  CHECK a0, 0x44332211
  TEST 2
  lw a0, 2(s0)
  CHECK a0, 0x55443322
  TEST 3
  lw a0, 3(s0)
  CHECK a0, 0x66554433
  TEST 4
  lh a0, 1(s0)
  CHECK a0, 0x2211
  lh a0, 7(s0)
  CHECK a0, 0xffff8877
  TEST 5
  lhu a0, 3(s0)
  CHECK a0, 0x4433
  lhu a0, 7(s0)
  CHECK a0, 0x8877
  TEST 6
  li a1, 0xa1b2c3d4
  sw a1, 17(s0)
  lw a0, 16(s0)
  CHECK a0, 0xb2c3d4f0
  lw a0, 20(s0)
  CHECK a0, 0xf7f6f5a1
  TEST 7
  li a1, 0x1234
  sh a1, 23(s0)
  lw a0, 20(s0)
  CHECK a0, 0x34f6f5a1
  lw a0, 24(s0)
  CHECK a0, 0xfbfaf912

  la s1, page_end
  TEST 8
  lw a0, -2(s1)
  CHECK a0, 0x0201fffe
  TEST 9
  li a1, 0xcafef00d
  sw a1, -2(s1)
  lw a0, -4(s1)
  CHECK a0, 0xf00dfdfc
  lw a0, 0(s1)
  CHECK a0, 0x0403cafe
  TEST 10
  lh a0, -1(s1)
  CHECK a0, 0xfffffef0
TEST_END

  .data
  .balign 16
buf:
  .byte 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff
  .byte 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff
  .balign 4096
  .space 4092
  .byte 0xfc, 0xfd, 0xfe, 0xff
page_end:
  .byte 0x01, 0x02, 0x03, 0x04
