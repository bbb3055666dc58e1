// The part of the WebAssembly JS API that Pakaya uses. TypeScript ships these declarations only
// in lib.dom, which a Node.js program should not pull in.
declare namespace WebAssembly {
  interface MemoryDescriptor {
    initial: number;
    maximum?: number;
    shared?: boolean;
  }
  class Memory {
    constructor(descriptor: MemoryDescriptor);
    readonly buffer: ArrayBuffer;
    grow(delta: number): number;
  }
}
