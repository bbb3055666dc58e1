/* RV32I loads and stores of every width: sign and zero extension, positive and negative offsets,
 * stores touching only their own bytes, little-endian byte order, fence, and loads into x0.
 *
 *  1- 4  lb: 0x81 -> 0xffffff81, 0x02, 0x7f, 0xff -> -1
 *  5- 6  lbu: 0x81 -> 0x81, 0xff -> 0xff
 *  7- 8  lh: 0x8001 -> 0xffff8001, 0x7ffe
 *  9-10  lhu: 0x8001, 0xffff
 * 11     lw
 * 12-13  negative and large positive (2047) offsets
 * 14     little-endian: lw of bytes 0x81 0x02 0x7f 0xff = 0xff7f0281
 * 15-17  sb writes only its byte (each of the four byte lanes)
 * 18-19  sh writes only its half (both halves)
 * 20     sw
 * 21     store with a negative offset
 * 22     a store is seen by a later load of a different width
 * 23     lw into x0 is discarded (x0 still reads zero)
 * 24     fence, fence rw,rw, fence iorw,iorw, fence.tso, fence r,w execute as no-ops
 * 25     load with rd = rs1
 */
#include "harness.h"
TEST_BEGIN
  la s0, bytes
  TEST 1
  lb a0, 0(s0)
  CHECK a0, 0xffffff81
  TEST 2
  lb a0, 1(s0)
  CHECK a0, 0x02
  TEST 3
  lb a0, 2(s0)
  CHECK a0, 0x7f
  TEST 4
  lb a0, 3(s0)
  CHECK a0, -1
  TEST 5
  lbu a0, 0(s0)
  CHECK a0, 0x81
  TEST 6
  lbu a0, 3(s0)
  CHECK a0, 0xff
  TEST 7
  lh a0, 4(s0)
  CHECK a0, 0xffff8001
  TEST 8
  lh a0, 6(s0)
  CHECK a0, 0x7ffe
  TEST 9
  lhu a0, 4(s0)
  CHECK a0, 0x8001
  TEST 10
  lhu a0, 10(s0)
  CHECK a0, 0xffff
  TEST 11
  lw a0, 12(s0)
  CHECK a0, 0xdeadbeef
  TEST 12
  addi a1, s0, 16
  lw a0, -4(a1)
  CHECK a0, 0xdeadbeef
  lh a0, -12(a1)
  CHECK a0, 0xffff8001
  TEST 13
  la a1, far
  addi a1, a1, -2047
  lw a0, 2047(a1)
  CHECK a0, 0x13579bdf
  TEST 14
  lw a0, 0(s0)
  CHECK a0, 0xff7f0281

  la s1, scratch
  TEST 15
  li a0, 0x11223344
  sw a0, 0(s1)
  li a1, 0xabcdefaa
  sb a1, 0(s1)
  lw a2, 0(s1)
  CHECK a2, 0x112233aa
  TEST 16
  sb a1, 1(s1)
  lw a2, 0(s1)
  CHECK a2, 0x1122aaaa
  TEST 17
  sb a1, 3(s1)
  lw a2, 0(s1)
  CHECK a2, 0xaa22aaaa
  TEST 18
  sw a0, 0(s1)
  li a1, 0x9876bbcc
  sh a1, 0(s1)
  lw a2, 0(s1)
  CHECK a2, 0x1122bbcc
  TEST 19
  sh a1, 2(s1)
  lw a2, 0(s1)
  CHECK a2, 0xbbccbbcc
  TEST 20
  li a1, 0x0badf00d
  sw a1, 4(s1)
  lw a2, 4(s1)
  CHECK a2, 0x0badf00d
  lw a2, 0(s1)
  CHECK a2, 0xbbccbbcc
  TEST 21
  addi a3, s1, 12
  li a1, 0x600dcafe
  sw a1, -4(a3)
  lw a2, 8(s1)
  CHECK a2, 0x600dcafe
  TEST 22
  lbu a2, 11(s1)
  CHECK a2, 0x60
  lh a2, 8(s1)
  CHECK a2, 0xffffcafe
  TEST 23
  lw x0, 12(s0)
  mv a0, x0
  CHECK a0, 0
  TEST 24
  fence
  fence rw, rw
  fence iorw, iorw
  fence.tso
  fence r, w
  TEST 25
  mv a1, s0
  lw a1, 12(a1)
  CHECK a1, 0xdeadbeef
TEST_END

  .data
  .balign 16
bytes:
  .byte 0x81, 0x02, 0x7f, 0xff
  .hword 0x8001, 0x7ffe
  .hword 0x0000, 0xffff
  .word 0xdeadbeef
scratch:
  .word 0, 0, 0, 0
  .space 2048
far:
  .word 0x13579bdf
