/* Zifencei: self-modifying code. After a store over an instruction and fence.i, fetching that
 * instruction sees the new bits, including code that already ran many times (and so may be cached
 * or compiled) and code in the same straight-line block as the store.
 *
 *  1     a function returning 1 is patched to return 7 (sw + fence.i)
 *  2     after 1000 calls, patched again to return 9
 *  3     straight-line: the instruction right after the fence.i is patched, 20 times in a loop,
 *        each time with a different immediate
 *  4     a 16-bit c.li is patched with sh
 *  5     a single byte of an instruction is patched with sb (the immediate's high bits)
 */
#include "harness.h"

#define ADDI_A0(imm) (((imm) << 20) | 0x513)

TEST_BEGIN
  TEST 1
  jal ra, patchable
  CHECK a0, 1
  la a1, patchable
  li a2, ADDI_A0(7)
  sw a2, 0(a1)
  fence.i
  jal ra, patchable
  CHECK a0, 7

  TEST 2
  li s0, 1000
  li s1, 0
1: jal ra, patchable
  add s1, s1, a0
  addi s0, s0, -1
  bnez s0, 1b
  CHECK s1, 7000
  la a1, patchable
  li a2, ADDI_A0(9)
  sw a2, 0(a1)
  fence.i
  jal ra, patchable
  CHECK a0, 9

  TEST 3
  li s0, 1
  li s1, 21
  la a1, 2f
1: slli a2, s0, 20
  ori a2, a2, 0x513
  sw a2, 0(a1)
  fence.i
2: addi a0, zero, 0
  bne a0, s0, fail
  addi s0, s0, 1
  bne s0, s1, 1b

  TEST 4
  .option push
  .option rvc
  jal ra, patchable_c
  CHECK a0, 5
  la a1, patchable_c
  li a2, 0x4525
  sh a2, 0(a1)
  fence.i
  jal ra, patchable_c
  CHECK a0, 9
  .option pop

  TEST 5
  jal ra, patchable
  CHECK a0, 9
  la a1, patchable
  li a2, 0x05
  sb a2, 3(a1)
  fence.i
  jal ra, patchable
  CHECK a0, 0x50 + 9
TEST_END

  .text
  .balign 4
patchable:
  addi a0, zero, 1
  ret
  .balign 4
  .option push
  .option rvc
patchable_c:
  c.li a0, 5
  c.jr ra
  .option pop
