// High halves of 32x32-bit products without BigInt: the operands split into 16-bit halves so
// every partial product stays exact in a double.

/** Upper 32 bits of the unsigned product a*b, as int32. */
export function mulhu(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lh = al * bh;
  const hl = ah * bl;
  const carry = (((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff)) >>> 16;
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + carry) | 0;
}

/** Upper 32 bits of the signed product a*b. */
export function mulh(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** Upper 32 bits of signed a times unsigned b. */
export function mulhsu(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
}
