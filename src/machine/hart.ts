// The hart's interpreter: `run(budget)` executes decoded instructions from the decoded-instruction
// cache with a direct-mapped software TLB on the fast path. Everything rare — TLB misses, MMIO,
// misaligned accesses, CSRs, atomics, traps — leaves the hot loop for the slow-path modules.
// Bare-metal mode takes traps and interrupts architecturally; hosted mode (DESIGN.md §4) ends
// `run` at the first trap with the exit record filled and the trapping instruction not retired.
import { loadSlow, storeSlow } from './bus.js';
import { ACCESS_FETCH, CAUSE_FETCH_ACCESS } from './constants.js';
import { decodeInto } from './decoder.js';
import {
  EXIT_BUDGET,
  EXIT_CAUSE,
  EXIT_PC,
  EXIT_REASON,
  EXIT_STOP,
  EXIT_TRAP,
  EXIT_TVAL,
  HartState,
} from './hart-state.js';
import type { JitEngine } from './jit/engine.js';
import type { PhysicalMemory } from './memory.js';
import { translate } from './mmu.js';
import { mulh, mulhsu, mulhu } from './muldiv.js';
import { Op } from './opcodes.js';
import { execSystem } from './system.js';
import { TLB_MASK } from './tlb.js';
import { enterTrap, pendingInterrupt } from './trap.js';

const EMPTY_PAGE: Int32Array = new Int32Array(4096);

// Outcomes of a memory access that missed the TLB fast path.
const MISS_OK = 0;
const MISS_TRAP = 1;
const MISS_STOP = 2;
const MISS_REFETCH = 3;

export class Hart extends HartState {
  /** Decode slot for instructions that cannot be cached (a 32-bit instruction across a page). */
  private readonly scratch = new Int32Array(2);
  /** Set when hosted mode left the slice on a trap. */
  exited = false;
  /** The JIT, when this hart runs with it; undefined means the interpreter alone. */
  jit: JitEngine | undefined = undefined;

  constructor(memory: PhysicalMemory, hartId = 0) {
    super(memory, hartId);
    memory.onCodeFrame = (frame) => this.tlb.dropStoresToFrame(frame);
  }

  /**
   * Runs up to `budget` instructions. Returns EXIT_BUDGET when they are spent, EXIT_TRAP (hosted
   * mode) when a trap leaves the hart — exitInfo holds cause, tval and pc — or EXIT_STOP when
   * stopRequested was set. A trap taken in bare-metal mode consumes one unit of budget, so a
   * trap loop still ends.
   */
  run(budget: number): number {
    const info = this.exitInfo;
    let remaining = budget;
    this.exited = false;
    while (remaining > 0) {
      if (this.stopRequested) {
        this.stopRequested = false;
        info[EXIT_REASON] = EXIT_STOP;
        return EXIT_STOP;
      }
      if (!this.hosted) {
        const irq = pendingInterrupt(this);
        if (irq !== 0) {
          enterTrap(this, irq, 0, this.pc);
          remaining--;
          continue;
        }
      }
      let slice = remaining;
      if (!this.hosted) {
        const untilTimer = this.mtimecmp - this.mtime;
        if (untilTimer > 0 && untilTimer < slice) slice = untilTimer;
      }
      const retired = this.jit !== undefined ? this.jit.runSlice(slice) : this.interpret(slice);
      remaining -= retired;
      if (this.exited) {
        info[EXIT_REASON] = EXIT_TRAP;
        return EXIT_TRAP;
      }
      if (this.trapPending) {
        // Bare metal: the trap was taken inside the slice.
        this.trapPending = false;
        remaining--;
      }
    }
    if (this.stopRequested) {
      this.stopRequested = false;
      info[EXIT_REASON] = EXIT_STOP;
      return EXIT_STOP;
    }
    info[EXIT_REASON] = EXIT_BUDGET;
    return EXIT_BUDGET;
  }

  /** Handles the pending trap of the instruction at `pc`. */
  private trap(pc: number): void {
    if (this.hosted) {
      const info = this.exitInfo;
      info[EXIT_CAUSE] = this.trapCause;
      info[EXIT_TVAL] = this.trapTval;
      info[EXIT_PC] = pc;
      this.pc = pc;
      this.trapPending = false;
      this.exited = true;
      return;
    }
    enterTrap(this, this.trapCause, this.trapTval, pc);
  }

  /**
   * Translates the page of `pc` for execution and returns its decoded page, or undefined after
   * handling a fetch fault. Sets this.fetchOff to the frame's RAM offset.
   */
  private fetchPage(pc: number): Int32Array | undefined {
    const vpn = pc >>> 12;
    const slot = vpn & TLB_MASK;
    if (this.tlb.tagX[slot] !== vpn) {
      this.pc = pc;
      translate(this, pc, ACCESS_FETCH);
      if (this.trapPending) return undefined;
      if (this.tlb.tagX[slot] !== vpn) {
        this.raise(CAUSE_FETCH_ACCESS, pc); // executable memory must be RAM
        return undefined;
      }
    }
    this.fetchOff = this.tlb.off[slot] ?? 0;
    return this.memory.decodedPage(this.fetchOff);
  }
  private fetchOff = 0;

  /**
   * Decodes the instruction at `pc` into its slot of `page` (returns true) or, when it crosses
   * into the next page, into this.scratch (returns false). A fetch fault leaves a trap pending.
   */
  private decodeSlot(pc: number, page: Int32Array): boolean {
    const mem = this.memory;
    const inPage = pc & 0xfff;
    const off = this.fetchOff + inPage;
    const lowHalf = mem.view.getUint16(off, true);
    if ((lowHalf & 3) !== 3) {
      decodeInto(lowHalf, page, inPage & ~1);
      return true;
    }
    if (inPage !== 0xffe) {
      decodeInto(mem.view.getInt32(off, true), page, inPage & ~1);
      return true;
    }
    const nextVaddr = (pc + 2) | 0;
    const nextPaddr = translate(this, nextVaddr, ACCESS_FETCH);
    if (this.trapPending) return false;
    const nextOff = mem.offsetOf(nextPaddr, 2);
    if (nextOff < 0) {
      this.raise(CAUSE_FETCH_ACCESS, nextVaddr);
      return false;
    }
    decodeInto(lowHalf | (mem.view.getUint16(nextOff, true) << 16), this.scratch, 0);
    return false;
  }

  /**
   * A load that missed the fast path: performs it through the slow path and writes rd. Returns
   * MISS_OK, MISS_TRAP (trap pending, rd untouched) or MISS_STOP (done, but end the slice).
   */
  private loadMiss(op: number, vaddr: number, rd: number, pc: number): number {
    this.pc = pc;
    const size = op === Op.LW ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
    let v = loadSlow(this, vaddr, size);
    if (this.trapPending) return MISS_TRAP;
    if (op === Op.LB) v = (v << 24) >> 24;
    else if (op === Op.LH) v = (v << 16) >> 16;
    this.x[rd] = v;
    return this.stopSlice ? MISS_STOP : MISS_OK;
  }

  /** A store that missed the fast path. Returns MISS_OK, MISS_TRAP, MISS_STOP or MISS_REFETCH. */
  private storeMiss(size: number, vaddr: number, value: number, pc: number): number {
    this.pc = pc;
    storeSlow(this, vaddr, size, value);
    if (this.trapPending) return MISS_TRAP;
    if (this.stopSlice) return MISS_STOP;
    if (this.refetch) {
      this.refetch = false;
      return MISS_REFETCH;
    }
    return MISS_OK;
  }

  /**
   * The interpreter's slice: executes up to `n` instructions; returns how many retired. Stops early
   * after a trap (taken in bare-metal mode, an exit in hosted mode) or when an instruction set stopSlice.
   */
  interpret(n: number): number {
    return this.interpretSlice(n);
  }

  /** The interpreter loop, a closure made once per hart (see makeInterpreter). */
  private readonly interpretSlice: (n: number) => number = this.makeInterpreter();

  /**
   * Makes the interpreter loop as a closure over this hart's fixed arrays (registers, RAM views, TLB):
   * V8 then compiles it with those arrays as constants — no map or length checks per access, where
   * a method reading them from `this` re-checks them after every call on a slow path.
   */
  private makeInterpreter(): (n: number) => number {
    const x = this.x;
    const mem = this.memory;
    const i32 = mem.i32;
    const u8 = mem.u8;
    const view = mem.view;
    const tlb = this.tlb;
    const tagR = tlb.tagR;
    const tagW = tlb.tagW;
    const tlbOff = tlb.off;
    const tlbMask = TLB_MASK;
    return (n: number): number => {
      const base = this.instret;
      let pc = this.pc | 0;
      let left = n;
      let fetchVpn = -1;
      let page = EMPTY_PAGE;
      this.stopSlice = false;
      this.refetch = false;

      loop: while (left > 0) {
        if (pc >>> 12 !== fetchVpn) {
          const next = this.fetchPage(pc);
          if (next === undefined) {
            this.instret = base + (n - left);
            this.trap(pc);
            break;
          }
          page = next;
          fetchVpn = pc >>> 12;
        }
        const slot = pc & 0xffe;
        let w = page[slot] as number;
        let imm: number;
        if (w !== 0) {
          imm = page[slot + 1] as number;
        } else if (this.decodeSlot(pc, page)) {
          w = page[slot] as number;
          imm = page[slot + 1] as number;
        } else if (this.trapPending) {
          this.instret = base + (n - left);
          this.trap(pc);
          break;
        } else {
          w = this.scratch[0] as number;
          imm = this.scratch[1] as number;
        }
        const rd = (w >>> 8) & 63;
        const rs1 = (w >>> 14) & 31;
        const rs2 = (w >>> 19) & 31;
        left--;
        switch (w & 0xff) {
          case Op.LUI:
            x[rd] = imm;
            break;
          case Op.AUIPC:
            x[rd] = (pc + imm) | 0;
            break;
          case Op.JAL:
            x[rd] = (pc + (w >>> 26)) | 0;
            pc = (pc + imm) | 0;
            continue;
          case Op.JALR: {
            const target = (x[rs1]! + imm) & ~1;
            x[rd] = (pc + (w >>> 26)) | 0;
            pc = target;
            continue;
          }
          case Op.BEQ:
            if (x[rs1] === x[rs2]) {
              pc = (pc + imm) | 0;
              continue;
            }
            break;
          case Op.BNE:
            if (x[rs1] !== x[rs2]) {
              pc = (pc + imm) | 0;
              continue;
            }
            break;
          case Op.BLT:
            if (x[rs1]! < x[rs2]!) {
              pc = (pc + imm) | 0;
              continue;
            }
            break;
          case Op.BGE:
            if (x[rs1]! >= x[rs2]!) {
              pc = (pc + imm) | 0;
              continue;
            }
            break;
          case Op.BLTU:
            if (x[rs1]! >>> 0 < x[rs2]! >>> 0) {
              pc = (pc + imm) | 0;
              continue;
            }
            break;
          case Op.BGEU:
            if (x[rs1]! >>> 0 >= x[rs2]! >>> 0) {
              pc = (pc + imm) | 0;
              continue;
            }
            break;
          case Op.LB:
          case Op.LBU:
          case Op.LH:
          case Op.LHU:
          case Op.LW: {
            const op = w & 0xff;
            const a = (x[rs1]! + imm) | 0;
            const s = (a >>> 12) & tlbMask;
            if (tagR[s] === a >>> 12 && (a & 0xfff) <= 0xffc) {
              const p = tlbOff[s]! + (a & 0xfff);
              if (op === Op.LW) x[rd] = (p & 3) === 0 ? i32[p >> 2]! : view.getInt32(p, true);
              else if (op === Op.LBU) x[rd] = u8[p]!;
              else if (op === Op.LB) x[rd] = (u8[p]! << 24) >> 24;
              else if (op === Op.LHU) x[rd] = view.getUint16(p, true);
              else x[rd] = view.getInt16(p, true);
              break;
            }
            this.instret = base + (n - left);
            const status = this.loadMiss(op, a, rd, pc);
            if (status === MISS_OK) break;
            if (status === MISS_TRAP) {
              left++;
              this.trap(pc);
            } else pc = (pc + (w >>> 26)) | 0;
            break loop;
          }
          case Op.SB:
          case Op.SH:
          case Op.SW: {
            const op = w & 0xff;
            const a = (x[rs1]! + imm) | 0;
            const s = (a >>> 12) & tlbMask;
            if (tagW[s] === a >>> 12 && (a & 0xfff) <= 0xffc) {
              const p = tlbOff[s]! + (a & 0xfff);
              if (op === Op.SW) {
                if ((p & 3) === 0) i32[p >> 2] = x[rs2]!;
                else view.setInt32(p, x[rs2]!, true);
              } else if (op === Op.SB) u8[p] = x[rs2]!;
              else view.setInt16(p, x[rs2]!, true);
              break;
            }
            this.instret = base + (n - left);
            const status = this.storeMiss(op === Op.SW ? 4 : op === Op.SH ? 2 : 1, a, x[rs2]!, pc);
            if (status === MISS_OK) break;
            if (status === MISS_TRAP) {
              left++;
              this.trap(pc);
              break loop;
            }
            pc = (pc + (w >>> 26)) | 0;
            if (status === MISS_STOP) break loop;
            fetchVpn = -1;
            continue;
          }
          case Op.ADDI:
            x[rd] = (x[rs1]! + imm) | 0;
            break;
          case Op.SLTI:
            x[rd] = x[rs1]! < imm ? 1 : 0;
            break;
          case Op.SLTIU:
            x[rd] = x[rs1]! >>> 0 < imm >>> 0 ? 1 : 0;
            break;
          case Op.XORI:
            x[rd] = x[rs1]! ^ imm;
            break;
          case Op.ORI:
            x[rd] = x[rs1]! | imm;
            break;
          case Op.ANDI:
            x[rd] = x[rs1]! & imm;
            break;
          case Op.SLLI:
            x[rd] = x[rs1]! << imm;
            break;
          case Op.SRLI:
            x[rd] = x[rs1]! >>> imm;
            break;
          case Op.SRAI:
            x[rd] = x[rs1]! >> imm;
            break;
          case Op.ADD:
            x[rd] = (x[rs1]! + x[rs2]!) | 0;
            break;
          case Op.SUB:
            x[rd] = (x[rs1]! - x[rs2]!) | 0;
            break;
          case Op.SLL:
            x[rd] = x[rs1]! << (x[rs2]! & 31);
            break;
          case Op.SLT:
            x[rd] = x[rs1]! < x[rs2]! ? 1 : 0;
            break;
          case Op.SLTU:
            x[rd] = x[rs1]! >>> 0 < x[rs2]! >>> 0 ? 1 : 0;
            break;
          case Op.XOR:
            x[rd] = x[rs1]! ^ x[rs2]!;
            break;
          case Op.SRL:
            x[rd] = x[rs1]! >>> (x[rs2]! & 31);
            break;
          case Op.SRA:
            x[rd] = x[rs1]! >> (x[rs2]! & 31);
            break;
          case Op.OR:
            x[rd] = x[rs1]! | x[rs2]!;
            break;
          case Op.AND:
            x[rd] = x[rs1]! & x[rs2]!;
            break;
          case Op.MUL:
            x[rd] = Math.imul(x[rs1]!, x[rs2]!);
            break;
          case Op.MULH:
            x[rd] = mulh(x[rs1]!, x[rs2]!);
            break;
          case Op.MULHSU:
            x[rd] = mulhsu(x[rs1]!, x[rs2]!);
            break;
          case Op.MULHU:
            x[rd] = mulhu(x[rs1]!, x[rs2]!);
            break;
          case Op.DIV: {
            const b = x[rs2]!;
            x[rd] = b === 0 ? -1 : (x[rs1]! / b) | 0;
            break;
          }
          case Op.DIVU: {
            const b = x[rs2]! >>> 0;
            x[rd] = b === 0 ? -1 : (x[rs1]! >>> 0) / b;
            break;
          }
          case Op.REM: {
            const b = x[rs2]!;
            x[rd] = b === 0 ? x[rs1]! : (x[rs1]! % b) | 0;
            break;
          }
          case Op.REMU: {
            const b = x[rs2]! >>> 0;
            x[rd] = b === 0 ? x[rs1]! : (x[rs1]! >>> 0) % b;
            break;
          }
          case Op.FENCE:
            break;
          default: {
            // System and atomic instructions, and illegal ones.
            this.instret = base + (n - left);
            this.pc = pc;
            execSystem(this, w & 0xff, rd, rs1, rs2, imm, pc, w >>> 26);
            if (this.trapPending) {
              left++;
              this.trap(pc);
              break loop;
            }
            pc = this.pc | 0;
            if (this.stopSlice) break loop;
            if (this.refetch) {
              this.refetch = false;
              fetchVpn = -1;
            }
            continue;
          }
        }
        pc = (pc + (w >>> 26)) | 0;
      }
      const retired = n - left;
      this.instret = base + retired;
      if (!this.trapPending && !this.exited) this.pc = pc;
      return retired;
    };
  }
}
