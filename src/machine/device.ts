// Memory-mapped devices: anything at a physical address outside RAM. Accesses to devices always
// take the hart's slow path. A device access that returns false faults as an access fault.

export interface Device {
  readonly name: string;
  /** First physical address. */
  readonly base: number;
  /** Size in bytes. */
  readonly size: number;
  /** Reads `size` bytes at `offset`; returns the value, or undefined to fault. */
  read(offset: number, size: number): number | undefined;
  /** Writes `size` bytes at `offset`; returns false to fault. */
  write(offset: number, size: number, value: number): boolean;
}

/** The device containing [paddr, paddr+size), or undefined. */
export function findDevice(devices: readonly Device[], paddr: number, size: number): Device | undefined {
  for (const device of devices) {
    if (paddr >= device.base && paddr + size <= device.base + device.size) return device;
  }
  return undefined;
}
