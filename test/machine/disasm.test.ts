import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeInto } from '../../src/machine/decoder.js';
import { csrName, disassemble, instructionLength } from '../../src/machine/disasm.js';
import { Op, opOf } from '../../src/machine/opcodes.js';

// [pc, raw, expected]: generated once with
//   riscv64-unknown-elf-as -march=rv32imac_zicsr_zifencei cover.S
//   riscv64-unknown-elf-ld -m elf32lriscv -Ttext=0x80000000; riscv64-unknown-elf-objdump -d -M no-aliases
// (binutils 2.40) from a source naming every RV32IMAC + Zicsr + Zifencei instruction and every
// compressed form with edge immediates, then normalised to our style: one space after the mnemonic,
// `0x` before branch and jump targets, no `<symbol>` or `# comment`. Where we differ on purpose the
// line says what objdump printed: objdump defaults to privileged spec 1.11, which lacks the newer
// CSR names and still has N's `ustatus`, and prints 0x0001 as `c.addi zero,0` rather than `c.nop`.
const OBJDUMP: [number, number, string][] = [
  [0x80000000, 0x00000537, 'lui a0,0x0'],
  [0x80000004, 0xfffff537, 'lui a0,0xfffff'],
  [0x80000008, 0x80000fb7, 'lui t6,0x80000'],
  [0x8000000c, 0x000010b7, 'lui ra,0x1'],
  [0x80000010, 0x00000517, 'auipc a0,0x0'],
  [0x80000014, 0xfffff117, 'auipc sp,0xfffff'],
  [0x80000018, 0x12345197, 'auipc gp,0x12345'],
  [0x8000001c, 0x008000ef, 'jal ra,0x80000024'],
  [0x80000020, 0xffdff06f, 'jal zero,0x8000001c'],
  [0x80000024, 0x7ffff06f, 'jal zero,0x80100022'],
  [0x80000028, 0x800000ef, 'jal ra,0x7ff00028'],
  [0x8000002c, 0x000500e7, 'jalr ra,0(a0)'],
  [0x80000030, 0x800f8067, 'jalr zero,-2048(t6)'],
  [0x80000034, 0x7ff20de7, 'jalr s11,2047(tp)'],
  [0x80000038, 0x00b50863, 'beq a0,a1,0x80000048'],
  [0x8000003c, 0xfe9418e3, 'bne s0,s1,0x8000002c'],
  [0x80000040, 0x7e62cfe3, 'blt t0,t1,0x8000103e'],
  [0x80000044, 0x81c3d063, 'bge t2,t3,0x7ffff044'],
  [0x80000048, 0x01186163, 'bltu a6,a7,0x8000004a'],
  [0x8000004c, 0x000070e3, 'bgeu zero,zero,0x8000084c'],
  [0x80000050, 0x00058503, 'lb a0,0(a1)'],
  [0x80000054, 0xfff61583, 'lh a1,-1(a2)'],
  [0x80000058, 0xfec42783, 'lw a5,-20(s0)'],
  [0x8000005c, 0x7ff9c903, 'lbu s2,2047(s3)'],
  [0x80000060, 0x800f5e83, 'lhu t4,-2048(t5)'],
  [0x80000064, 0x00a10023, 'sb a0,0(sp)'],
  [0x80000068, 0x80ba1023, 'sh a1,-2048(s4)'],
  [0x8000006c, 0x7e112fa3, 'sw ra,2047(sp)'],
  [0x80000070, 0x00150513, 'addi a0,a0,1'],
  [0x80000074, 0x00000013, 'addi zero,zero,0'],
  [0x80000078, 0x80010113, 'addi sp,sp,-2048'],
  [0x8000007c, 0x7ff30293, 'addi t0,t1,2047'],
  [0x80000080, 0xfff5a513, 'slti a0,a1,-1'],
  [0x80000084, 0x0015b513, 'sltiu a0,a1,1'],
  [0x80000088, 0xfff6c613, 'xori a2,a3,-1'],
  [0x8000008c, 0x5557e713, 'ori a4,a5,1365'],
  [0x80000090, 0xf008f813, 'andi a6,a7,-256'],
  [0x80000094, 0x01f51513, 'slli a0,a0,0x1f'],
  [0x80000098, 0x00049413, 'slli s0,s1,0x0'],
  [0x8000009c, 0x00135293, 'srli t0,t1,0x1'],
  [0x800000a0, 0x01fe5393, 'srli t2,t3,0x1f'],
  [0x800000a4, 0x40355513, 'srai a0,a0,0x3'],
  [0x800000a8, 0x41fb5a93, 'srai s5,s6,0x1f'],
  [0x800000ac, 0x00c58533, 'add a0,a1,a2'],
  [0x800000b0, 0x41248433, 'sub s0,s1,s2'],
  [0x800000b4, 0x007312b3, 'sll t0,t1,t2'],
  [0x800000b8, 0x00f726b3, 'slt a3,a4,a5'],
  [0x800000bc, 0x015a39b3, 'sltu s3,s4,s5'],
  [0x800000c0, 0x018bcb33, 'xor s6,s7,s8'],
  [0x800000c4, 0x01bd5cb3, 'srl s9,s10,s11'],
  [0x800000c8, 0x41eede33, 'sra t3,t4,t5'],
  [0x800000cc, 0x00106fb3, 'or t6,zero,ra'],
  [0x800000d0, 0x0041f133, 'and sp,gp,tp'],
  [0x800000d4, 0x02c58533, 'mul a0,a1,a2'],
  [0x800000d8, 0x02f716b3, 'mulh a3,a4,a5'],
  [0x800000dc, 0x0328a833, 'mulhsu a6,a7,s2'],
  [0x800000e0, 0x035a39b3, 'mulhu s3,s4,s5'],
  [0x800000e4, 0x038bcb33, 'div s6,s7,s8'],
  [0x800000e8, 0x03bd5cb3, 'divu s9,s10,s11'],
  [0x800000ec, 0x03eeee33, 'rem t3,t4,t5'],
  [0x800000f0, 0x0262ffb3, 'remu t6,t0,t1'],
  [0x800000f4, 0x1005a52f, 'lr.w a0,(a1)'],
  [0x800000f8, 0x140122af, 'lr.w.aq t0,(sp)'],
  [0x800000fc, 0x1605a02f, 'lr.w.aqrl zero,(a1)'],
  [0x80000100, 0x18c5a52f, 'sc.w a0,a2,(a1)'],
  [0x80000104, 0x1ae7a6af, 'sc.w.rl a3,a4,(a5)'],
  [0x80000108, 0x08c5a52f, 'amoswap.w a0,a2,(a1)'],
  [0x8000010c, 0x06c5a52f, 'amoadd.w.aqrl a0,a2,(a1)'],
  [0x80000110, 0x2499242f, 'amoxor.w.aq s0,s1,(s2)'],
  [0x80000114, 0x6263a2af, 'amoand.w.rl t0,t1,(t2)'],
  [0x80000118, 0x40b6252f, 'amoor.w a0,a1,(a2)'],
  [0x8000011c, 0x80e7a6af, 'amomin.w a3,a4,(a5)'],
  [0x80000120, 0xa719282f, 'amomax.w.aqrl a6,a7,(s2)'],
  [0x80000124, 0xc14aa9af, 'amominu.w s3,s4,(s5)'],
  [0x80000128, 0xe57c2b2f, 'amomaxu.w.aq s6,s7,(s8)'],
  [0x8000012c, 0x0330000f, 'fence rw,rw'],
  [0x80000130, 0x0ff0000f, 'fence iorw,iorw'],
  [0x80000134, 0x0210000f, 'fence r,w'],
  [0x80000138, 0x0840000f, 'fence i,o'],
  [0x8000013c, 0x0120000f, 'fence w,r'],
  [0x80000140, 0x8330000f, 'fence.tso'],
  [0x80000144, 0x0000100f, 'fence.i'],
  [0x80000148, 0x00000073, 'ecall'],
  [0x8000014c, 0x00100073, 'ebreak'],
  [0x80000150, 0x30200073, 'mret'],
  [0x80000154, 0x10200073, 'sret'],
  [0x80000158, 0x10500073, 'wfi'],
  [0x8000015c, 0x12b50073, 'sfence.vma a0,a1'],
  [0x80000160, 0x12000073, 'sfence.vma zero,zero'],
  [0x80000164, 0x12028073, 'sfence.vma t0,zero'],
  [0x80000168, 0x300312f3, 'csrrw t0,mstatus,t1'],
  [0x8000016c, 0x34102573, 'csrrs a0,mepc,zero'],
  [0x80000170, 0x3045b073, 'csrrc zero,mie,a1'],
  [0x80000174, 0xc002d573, 'csrrwi a0,cycle,5'],
  [0x80000178, 0x30046073, 'csrrsi zero,mstatus,8'],
  [0x8000017c, 0x100ff473, 'csrrci s0,sstatus,31'],
  [0x80000180, 0x7c002573, 'csrrs a0,0x7c0,zero'],
  [0x80000184, 0xc8002573, 'csrrs a0,cycleh,zero'],
  [0x80000188, 0xc0102573, 'csrrs a0,time,zero'],
  [0x8000018c, 0xc0202573, 'csrrs a0,instret,zero'],
  [0x80000190, 0xc0302573, 'csrrs a0,hpmcounter3,zero'],
  [0x80000194, 0xc9f02573, 'csrrs a0,hpmcounter31h,zero'],
  [0x80000198, 0xb0002573, 'csrrs a0,mcycle,zero'],
  [0x8000019c, 0xb8202573, 'csrrs a0,minstreth,zero'],
  [0x800001a0, 0xb1102573, 'csrrs a0,mhpmcounter17,zero'],
  [0x800001a4, 0x33f59573, 'csrrw a0,mhpmevent31,a1'],
  [0x800001a8, 0xf1459573, 'csrrw a0,mhartid,a1'],
  [0x800001ac, 0xf1159573, 'csrrw a0,mvendorid,a1'],
  [0x800001b0, 0xf1259573, 'csrrw a0,marchid,a1'],
  [0x800001b4, 0xf1359573, 'csrrw a0,mimpid,a1'],
  [0x800001b8, 0x30159573, 'csrrw a0,misa,a1'],
  [0x800001bc, 0x30259573, 'csrrw a0,medeleg,a1'],
  [0x800001c0, 0x30359573, 'csrrw a0,mideleg,a1'],
  [0x800001c4, 0x30559573, 'csrrw a0,mtvec,a1'],
  [0x800001c8, 0x30659573, 'csrrw a0,mcounteren,a1'],
  [0x800001cc, 0x34059573, 'csrrw a0,mscratch,a1'],
  [0x800001d0, 0x34259573, 'csrrw a0,mcause,a1'],
  [0x800001d4, 0x34359573, 'csrrw a0,mtval,a1'],
  [0x800001d8, 0x34459573, 'csrrw a0,mip,a1'],
  [0x800001dc, 0x31059573, 'csrrw a0,mstatush,a1'], // objdump: csrrw a0,0x310,a1
  [0x800001e0, 0x30a59573, 'csrrw a0,menvcfg,a1'], // objdump: csrrw a0,0x30a,a1
  [0x800001e4, 0x32059573, 'csrrw a0,mcountinhibit,a1'],
  [0x800001e8, 0x3a059573, 'csrrw a0,pmpcfg0,a1'],
  [0x800001ec, 0x3af59573, 'csrrw a0,pmpcfg15,a1'], // objdump: csrrw a0,0x3af,a1
  [0x800001f0, 0x3b059573, 'csrrw a0,pmpaddr0,a1'],
  [0x800001f4, 0x3ef59573, 'csrrw a0,pmpaddr63,a1'], // objdump: csrrw a0,0x3ef,a1
  [0x800001f8, 0x10459573, 'csrrw a0,sie,a1'],
  [0x800001fc, 0x10559573, 'csrrw a0,stvec,a1'],
  [0x80000200, 0x10659573, 'csrrw a0,scounteren,a1'],
  [0x80000204, 0x14059573, 'csrrw a0,sscratch,a1'],
  [0x80000208, 0x14159573, 'csrrw a0,sepc,a1'],
  [0x8000020c, 0x14259573, 'csrrw a0,scause,a1'],
  [0x80000210, 0x14359573, 'csrrw a0,stval,a1'],
  [0x80000214, 0x14459573, 'csrrw a0,sip,a1'],
  [0x80000218, 0x18059573, 'csrrw a0,satp,a1'],
  [0x8000021c, 0x10a59573, 'csrrw a0,senvcfg,a1'], // objdump: csrrw a0,0x10a,a1
  [0x80000220, 0x00159573, 'csrrw a0,fflags,a1'],
  [0x80000224, 0x00259573, 'csrrw a0,frm,a1'],
  [0x80000228, 0x00359573, 'csrrw a0,fcsr,a1'],
  [0x8000022c, 0x7a059573, 'csrrw a0,tselect,a1'],
  [0x80000230, 0x7b059573, 'csrrw a0,dcsr,a1'],
  [0x80000234, 0x7b159573, 'csrrw a0,dpc,a1'],
  [0x80000238, 0x74759573, 'csrrw a0,mseccfg,a1'], // objdump: csrrw a0,0x747,a1
  [0x8000023c, 0xfff59573, 'csrrw a0,0xfff,a1'],
  [0x80000240, 0x00059573, 'csrrw a0,0x0,a1'], // objdump: csrrw a0,ustatus,a1
  [0x80000244, 0x0048, 'c.addi4spn a0,sp,4'],
  [0x80000246, 0x1fe0, 'c.addi4spn s0,sp,1020'],
  [0x80000248, 0x041c, 'c.addi4spn a5,sp,512'],
  [0x8000024a, 0x41c8, 'c.lw a0,4(a1)'],
  [0x8000024c, 0x4080, 'c.lw s0,0(s1)'],
  [0x8000024e, 0x5f7c, 'c.lw a5,124(a4)'],
  [0x80000250, 0xc1a8, 'c.sw a0,64(a1)'],
  [0x80000252, 0xdc64, 'c.sw s1,124(s0)'],
  [0x80000254, 0x0001, 'c.nop'], // objdump: c.addi zero,0
  [0x80000256, 0x1141, 'c.addi sp,-16'],
  [0x80000258, 0x057d, 'c.addi a0,31'],
  [0x8000025a, 0x1f81, 'c.addi t6,-32'],
  [0x8000025c, 0x0505, 'c.addi a0,1'],
  [0x8000025e, 0x2ffd, 'c.jal 0x80000a5c'],
  [0x80000260, 0x3001, 'c.jal 0x7ffffa60'],
  [0x80000262, 0x2009, 'c.jal 0x80000264'],
  [0x80000264, 0x5501, 'c.li a0,-32'],
  [0x80000266, 0x40fd, 'c.li ra,31'],
  [0x80000268, 0x4f81, 'c.li t6,0'],
  [0x8000026a, 0x6505, 'c.lui a0,0x1'],
  [0x8000026c, 0x657d, 'c.lui a0,0x1f'],
  [0x8000026e, 0x7d81, 'c.lui s11,0xfffe0'],
  [0x80000270, 0x70fd, 'c.lui ra,0xfffff'],
  [0x80000272, 0x7101, 'c.addi16sp sp,-512'],
  [0x80000274, 0x617d, 'c.addi16sp sp,496'],
  [0x80000276, 0x6141, 'c.addi16sp sp,16'],
  [0x80000278, 0x817d, 'c.srli a0,0x1f'],
  [0x8000027a, 0x8005, 'c.srli s0,0x1'],
  [0x8000027c, 0x87c1, 'c.srai a5,0x10'],
  [0x8000027e, 0x8505, 'c.srai a0,0x1'],
  [0x80000280, 0x9901, 'c.andi a0,-32'],
  [0x80000282, 0x88fd, 'c.andi s1,31'],
  [0x80000284, 0x8b81, 'c.andi a5,0'],
  [0x80000286, 0x8d0d, 'c.sub a0,a1'],
  [0x80000288, 0x8c25, 'c.xor s0,s1'],
  [0x8000028a, 0x8f5d, 'c.or a4,a5'],
  [0x8000028c, 0x8e75, 'c.and a2,a3'],
  [0x8000028e, 0xa811, 'c.j 0x800002a2'],
  [0x80000290, 0xaffd, 'c.j 0x80000a8e'],
  [0x80000292, 0xb001, 'c.j 0x7ffffa92'],
  [0x80000294, 0xd101, 'c.beqz a0,0x80000194'],
  [0x80000296, 0xcc7d, 'c.beqz s0,0x80000394'],
  [0x80000298, 0xe389, 'c.bnez a5,0x8000029a'],
  [0x8000029a, 0xfcfd, 'c.bnez s1,0x80000298'],
  [0x8000029c, 0x057e, 'c.slli a0,0x1f'],
  [0x8000029e, 0x0f86, 'c.slli t6,0x1'],
  [0x800002a0, 0x557e, 'c.lwsp a0,252(sp)'],
  [0x800002a2, 0x4082, 'c.lwsp ra,0(sp)'],
  [0x800002a4, 0x4f86, 'c.lwsp t6,64(sp)'],
  [0x800002a6, 0x8082, 'c.jr ra'],
  [0x800002a8, 0x8f82, 'c.jr t6'],
  [0x800002aa, 0x852e, 'c.mv a0,a1'],
  [0x800002ac, 0x8f86, 'c.mv t6,ra'],
  [0x800002ae, 0x9002, 'c.ebreak'],
  [0x800002b0, 0x9502, 'c.jalr a0'],
  [0x800002b2, 0x9f82, 'c.jalr t6'],
  [0x800002b4, 0x952e, 'c.add a0,a1'],
  [0x800002b6, 0x917e, 'c.add sp,t6'],
  [0x800002b8, 0xdfaa, 'c.swsp a0,252(sp)'],
  [0x800002ba, 0xc006, 'c.swsp ra,0(sp)'],
  [0x800002bc, 0xc17e, 'c.swsp t6,128(sp)'],
  [0x800002be, 0x0005, 'c.addi zero,1'],
  [0x800002c0, 0x0501, 'c.addi a0,0'],
  [0x800002c2, 0x4005, 'c.li zero,1'],
  [0x800002c4, 0x6005, 'c.lui zero,0x1'],
  [0x800002c6, 0x802e, 'c.mv zero,a1'],
  [0x800002c8, 0x902e, 'c.add zero,a1'],
  [0x800002ca, 0x0002, 'c.slli64 zero'],
  [0x800002cc, 0x0502, 'c.slli64 a0'],
  [0x800002ce, 0x8101, 'c.srli64 a0'],
  [0x800002d0, 0x8501, 'c.srai64 a0'],
];

test('disassembly matches GNU objdump -M no-aliases for every instruction form', () => {
  for (const [pc, raw, expected] of OBJDUMP) {
    assert.equal(disassemble(raw, pc), expected, `0x${raw.toString(16)} at 0x${pc.toString(16)}`);
  }
});

test('instructionLength is 4 exactly when the low two bits are 11', () => {
  assert.equal(instructionLength(0x00150513), 4);
  assert.equal(instructionLength(0x1141), 2);
  assert.equal(instructionLength(0xffff0000), 2);
  assert.equal(instructionLength(0x0002), 2);
  assert.equal(instructionLength(0x0001), 2);
  assert.equal(instructionLength(-1), 4);
});

// Raw words the hart rejects: reserved, RV64-only, floating point, or from other extensions.
const UNKNOWN: [number, string][] = [
  [0x0000, 'unknown 0x0000'], // defined illegal instruction
  [0x0004, 'unknown 0x0004'], // c.addi4spn with nzuimm 0
  [0x0010, 'unknown 0x0010'], // c.addi4spn with nzuimm 0, rd' = a2
  [0x2000, 'unknown 0x2000'], // c.fld
  [0x6000, 'unknown 0x6000'], // c.flw (RV32FC)
  [0x8000, 'unknown 0x8000'], // reserved quadrant-0 opcode
  [0xa000, 'unknown 0xa000'], // c.fsd
  [0xe000, 'unknown 0xe000'], // c.fsw
  [0x6001, 'unknown 0x6001'], // c.lui zero with nzimm 0
  [0x6501, 'unknown 0x6501'], // c.lui a0 with nzimm 0
  [0x6101, 'unknown 0x6101'], // c.addi16sp with nzimm 0
  [0x9001, 'unknown 0x9001'], // c.srli with shamt[5] = 1 (custom on RV32C)
  [0x9401, 'unknown 0x9401'], // c.srai with shamt[5] = 1
  [0x1002, 'unknown 0x1002'], // c.slli with shamt[5] = 1
  [0x9c21, 'unknown 0x9c21'], // c.subw (RV64)
  [0x9c41, 'unknown 0x9c41'], // c.addw (RV64)
  [0x9c61, 'unknown 0x9c61'], // reserved CA encoding
  [0x4002, 'unknown 0x4002'], // c.lwsp with rd = zero
  [0x8002, 'unknown 0x8002'], // c.jr with rs1 = zero
  [0x2002, 'unknown 0x2002'], // c.fldsp
  [0x6002, 'unknown 0x6002'], // c.flwsp
  [0xe002, 'unknown 0xe002'], // c.fswsp
  [0xffffffff, 'unknown 0xffffffff'],
  [0x0000007f, 'unknown 0x0000007f'], // an 80-bit-or-longer prefix
  [0x0000001f, 'unknown 0x0000001f'], // a 48-bit prefix
  [0x00000007, 'unknown 0x00000007'], // flw (F)
  [0x00003003, 'unknown 0x00003003'], // ld (RV64)
  [0x00006003, 'unknown 0x00006003'], // lwu (RV64)
  [0x00003023, 'unknown 0x00003023'], // sd (RV64)
  [0x00002063, 'unknown 0x00002063'], // branch funct3 2
  [0x00001067, 'unknown 0x00001067'], // jalr with funct3 1
  [0x0000201b, 'unknown 0x0000201b'], // OP-IMM-32 (RV64)
  [0x02001013, 'unknown 0x02001013'], // slli with shamt[5] = 1
  [0x42005013, 'unknown 0x42005013'], // srai with shamt[5] = 1
  [0x60005013, 'unknown 0x60005013'], // shift-right with funct7 0x30
  [0x40001033, 'unknown 0x40001033'], // sll with funct7 0x20
  [0x04000033, 'unknown 0x04000033'], // OP with funct7 2
  [0x0000700f, 'unknown 0x0000700f'], // MISC-MEM funct3 7
  [0x0000302f, 'unknown 0x0000302f'], // amoadd.d (RV64)
  [0x2800202f, 'unknown 0x2800202f'], // AMO funct5 5
  [0x1015a52f, 'unknown 0x1015a52f'], // lr.w with rs2 != 0
  [0x00004073, 'unknown 0x00004073'], // SYSTEM funct3 4
  [0x00200073, 'unknown 0x00200073'], // uret (N, removed)
  [0x7b200073, 'unknown 0x7b200073'], // dret (debug mode only)
  [0x10400073, 'unknown 0x10400073'], // sfence.vm (priv 1.9)
  [0x10200173, 'unknown 0x10200173'], // sret with rd != 0
  [0x00100473, 'unknown 0x00100473'], // ebreak with rd != 0
  [0x12000173, 'unknown 0x12000173'], // sfence.vma with rd != 0
  [0x22000073, 'unknown 0x22000073'], // hfence.gvma (H)
];

test('invalid encodings print as unknown with their raw bits', () => {
  for (const [raw, expected] of UNKNOWN) assert.equal(disassemble(raw, 0x80000000), expected);
});

test('a compressed parcel ignores the upper half of the word; raw may be negative', () => {
  assert.equal(disassemble(0xdead0001, 0), 'c.nop');
  assert.equal(disassemble(0x12341141, 0), 'c.addi sp,-16');
  assert.equal(disassemble(0xffff0000, 0), 'unknown 0x0000');
  assert.equal(disassemble(-1, 0), 'unknown 0xffffffff');
  assert.equal(disassemble(0xfff00513 | 0, 0), 'addi a0,zero,-1');
});

test('targets wrap around the 32-bit address space and pc is taken unsigned', () => {
  assert.equal(disassemble(0xffdff06f, 0), 'jal zero,0xfffffffc');
  assert.equal(disassemble(0x008000ef, 0xfffffffc), 'jal ra,0x4');
  assert.equal(disassemble(0xfe000ee3, 0x10), 'beq zero,zero,0xc');
  assert.equal(disassemble(0xbffd, 0), 'c.j 0xfffffffe');
  assert.equal(disassemble(0x0001a011, -0x80000000), 'c.j 0x80000004');
});

test('FENCE and FENCE.I ignore their reserved fields, as the ISA tells a base implementation to', () => {
  assert.equal(disassemble(0x0ff5028f, 0), 'fence iorw,iorw'); // rd and rs1 set
  assert.equal(disassemble(0x4330000f, 0), 'fence rw,rw'); // reserved fm value
  assert.equal(disassemble(0x8ff0000f, 0), 'fence iorw,iorw'); // fm = TSO with other sets
  assert.equal(disassemble(0x8330000f, 0), 'fence.tso');
  assert.equal(disassemble(0x0000000f, 0), 'fence 0,0'); // objdump: fence unknown,unknown
  assert.equal(disassemble(0x0100000f, 0), 'fence w,0');
  assert.equal(disassemble(0x0010100f, 0), 'fence.i'); // imm set
  assert.equal(disassemble(0x0005900f, 0), 'fence.i'); // rs1 set
});

test('CSR names cover the standard user, supervisor and machine CSRs; others print in hex', () => {
  const cases: [number, string][] = [
    [0x001, 'fflags'],
    [0x003, 'fcsr'],
    [0x100, 'sstatus'],
    [0x14d, 'stimecmp'],
    [0x180, 'satp'],
    [0x300, 'mstatus'],
    [0x310, 'mstatush'],
    [0x323, 'mhpmevent3'],
    [0x33f, 'mhpmevent31'],
    [0x723, 'mhpmevent3h'],
    [0x344, 'mip'],
    [0x3a0, 'pmpcfg0'],
    [0x3ef, 'pmpaddr63'],
    [0x7a0, 'tselect'],
    [0x7b3, 'dscratch1'],
    [0xb00, 'mcycle'],
    [0xb1f, 'mhpmcounter31'],
    [0xb9f, 'mhpmcounter31h'],
    [0xc00, 'cycle'],
    [0xc01, 'time'],
    [0xc81, 'timeh'],
    [0xc9f, 'hpmcounter31h'],
    [0xf14, 'mhartid'],
    [0xf15, 'mconfigptr'],
    [0x000, '0x0'],
    [0x600, '0x600'], // hstatus: the hart has no H extension
    [0x7c0, '0x7c0'],
    [0xfff, '0xfff'],
  ];
  for (const [csr, name] of cases) assert.equal(csrName(csr), name, `CSR 0x${csr.toString(16)}`);
});

/** True when the hart's decoder rejects `raw`. */
function illegal(raw: number): boolean {
  const out = new Int32Array(2);
  decodeInto(raw, out, 0);
  return opOf(out[0] ?? 0) === Op.ILLEGAL;
}

test('every 16-bit encoding is unknown exactly when the hart decodes it as illegal', () => {
  for (let raw = 0; raw < 0x10000; raw++) {
    if ((raw & 3) === 3) continue;
    const text = disassemble(raw, 0x80000000);
    assert.equal(text.startsWith('unknown'), illegal(raw), `0x${raw.toString(16)}: ${text}`);
    if (!text.startsWith('unknown')) assert.match(text, /^c\.[a-z0-9]+( |$)/);
  }
});

test('32-bit encodings are unknown exactly when the hart decodes them as illegal', () => {
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  for (let i = 0; i < 200_000; i++) {
    const raw = (next() | 3) >>> 0;
    const text = disassemble(raw, 0x1000);
    assert.equal(text.startsWith('unknown'), illegal(raw), `0x${raw.toString(16)}: ${text}`);
  }
  // Every funct7/funct3 pair of OP and OP-IMM, every AMO funct5, every SYSTEM funct12 with x0 operands.
  for (let f = 0; f < 1024; f++) {
    for (const opcode of [0x33, 0x13]) {
      const raw = (((f >>> 3) << 25) | ((f & 7) << 12) | (5 << 15) | (6 << 20) | (7 << 7) | opcode) >>> 0;
      assert.equal(disassemble(raw, 0).startsWith('unknown'), illegal(raw), `0x${raw.toString(16)}`);
    }
  }
  for (let f5 = 0; f5 < 32; f5++) {
    for (const rs2 of [0, 9]) {
      const raw = ((f5 << 27) | (rs2 << 20) | (10 << 15) | (2 << 12) | (11 << 7) | 0x2f) >>> 0;
      assert.equal(disassemble(raw, 0).startsWith('unknown'), illegal(raw), `0x${raw.toString(16)}`);
    }
  }
  for (let f12 = 0; f12 < 4096; f12++) {
    const raw = ((f12 << 20) | 0x73) >>> 0;
    assert.equal(disassemble(raw, 0).startsWith('unknown'), illegal(raw), `0x${raw.toString(16)}`);
  }
});
