// Placeholder until the disassembler lands.
export function disassemble(raw: number, _pc: number): string {
  return `unknown 0x${(raw >>> 0).toString(16)}`;
}
