/* RV32I lui, auipc and conditional branches: every branch taken and not taken, forward and
 * backward, signed versus unsigned comparisons, and a branch offset beyond +-2 KiB.
 *
 *  1- 4  lui (0x12345, 0xfffff, 0x80000, 0: low 12 bits are zero)
 *  5- 7  auipc (offset 0 = its own address, +0x1000, -0x1000)
 *  8-10  beq: taken forward, not taken, taken backward
 * 11-13  bne: taken forward, not taken, taken backward
 * 14-18  blt: taken (-1 < 1), not taken (1 < -1), not taken (equal), taken (INT_MIN < INT_MAX), backward
 * 19-22  bge: taken (1 >= -1), taken (equal), not taken (-1 >= 1), backward
 * 23-26  bltu: taken (1 < 0xffffffff), not taken (0xffffffff < 1), not taken (equal), backward
 * 27-30  bgeu: taken (0xffffffff >= 1), taken (equal), not taken (1 >= 0xffffffff), backward
 * 31-32  branches comparing with x0
 * 33-34  taken branches over 3 KiB forward and backward (12-bit B-immediate with bit 11 set)
 */
#include "harness.h"

.macro BR_TAKEN n, op, v1, v2
  TEST \n
  li a1, \v1
  li a2, \v2
  \op a1, a2, .Lt\@
  j fail
.Lt\@:
.endm

.macro BR_NOT n, op, v1, v2
  TEST \n
  li a1, \v1
  li a2, \v2
  \op a1, a2, .Lnt\@
  j .Ldone\@
.Lnt\@:
  j fail
.Ldone\@:
.endm

.macro BR_BACK n, op, v1, v2
  TEST \n
  li a1, \v1
  li a2, \v2
  j .Lfwd\@
.Lback\@:
  j .Ldone\@
.Lfwd\@:
  \op a1, a2, .Lback\@
  j fail
.Ldone\@:
.endm

TEST_BEGIN
  TEST 1
  lui a0, 0x12345
  CHECK a0, 0x12345000
  TEST 2
  lui a0, 0xfffff
  CHECK a0, 0xfffff000
  TEST 3
  lui a0, 0x80000
  CHECK a0, 0x80000000
  TEST 4
  li a0, -1
  lui a0, 0
  CHECK a0, 0

  TEST 5
1: auipc a0, 0
  CHECKA a0, 1b
  TEST 6
1: auipc a0, 1
  la a1, 1b
  sub a0, a0, a1
  CHECK a0, 0x1000
  TEST 7
1: auipc a0, 0xfffff
  la a1, 1b
  sub a0, a1, a0
  CHECK a0, 0x1000

  BR_TAKEN 8, beq, 5, 5
  BR_NOT 9, beq, 5, 6
  BR_BACK 10, beq, -1, -1
  BR_TAKEN 11, bne, 5, 6
  BR_NOT 12, bne, 7, 7
  BR_BACK 13, bne, 0, 0x80000000
  BR_TAKEN 14, blt, -1, 1
  BR_NOT 15, blt, 1, -1
  BR_NOT 16, blt, 3, 3
  BR_TAKEN 17, blt, 0x80000000, 0x7fffffff
  BR_BACK 18, blt, -7, -6
  BR_TAKEN 19, bge, 1, -1
  BR_TAKEN 20, bge, -3, -3
  BR_NOT 21, bge, -1, 1
  BR_BACK 22, bge, 0x7fffffff, 0x80000000
  BR_TAKEN 23, bltu, 1, 0xffffffff
  BR_NOT 24, bltu, 0xffffffff, 1
  BR_NOT 25, bltu, 9, 9
  BR_BACK 26, bltu, 0x7fffffff, 0x80000000
  BR_TAKEN 27, bgeu, 0xffffffff, 1
  BR_TAKEN 28, bgeu, 9, 9
  BR_NOT 29, bgeu, 1, 0xffffffff
  BR_BACK 30, bgeu, 0x80000000, 0x7fffffff

  TEST 31
  li a1, 0
  bne a1, x0, fail
  beq x0, x0, 1f
  j fail
1:
  TEST 32
  li a1, -1
  bge a1, x0, fail
  bltu x0, a1, 1f
  j fail
1:

  TEST 33
  li a1, 1
  beq a1, a1, 1f
  j fail
  .rept 768
  j fail
  .endr
1:
  TEST 34
  j 2f
1: j 3f
  .rept 768
  j fail
  .endr
2: bne a1, x0, 1b
  j fail
3:
TEST_END
