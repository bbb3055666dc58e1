// Architectural constants of the RV32 privileged architecture: CSR numbers, trap causes,
// mstatus/mip bit positions, and privilege levels. Values from the RISC-V privileged spec.

export const PRIV_U = 0;
export const PRIV_S = 1;
export const PRIV_M = 3;

// Exception causes (mcause/scause with the interrupt bit clear).
export const CAUSE_MISALIGNED_FETCH = 0;
export const CAUSE_FETCH_ACCESS = 1;
export const CAUSE_ILLEGAL_INSTRUCTION = 2;
export const CAUSE_BREAKPOINT = 3;
export const CAUSE_MISALIGNED_LOAD = 4;
export const CAUSE_LOAD_ACCESS = 5;
export const CAUSE_MISALIGNED_STORE = 6;
export const CAUSE_STORE_ACCESS = 7;
export const CAUSE_USER_ECALL = 8;
export const CAUSE_SUPERVISOR_ECALL = 9;
export const CAUSE_MACHINE_ECALL = 11;
export const CAUSE_FETCH_PAGE_FAULT = 12;
export const CAUSE_LOAD_PAGE_FAULT = 13;
export const CAUSE_STORE_PAGE_FAULT = 15;

// Interrupt numbers (bit positions in mip/mie; mcause = 0x80000000 | number).
export const IRQ_S_SOFT = 1;
export const IRQ_M_SOFT = 3;
export const IRQ_S_TIMER = 5;
export const IRQ_M_TIMER = 7;
export const IRQ_S_EXT = 9;
export const IRQ_M_EXT = 11;

export const MIP_SSIP = 1 << IRQ_S_SOFT;
export const MIP_MSIP = 1 << IRQ_M_SOFT;
export const MIP_STIP = 1 << IRQ_S_TIMER;
export const MIP_MTIP = 1 << IRQ_M_TIMER;
export const MIP_SEIP = 1 << IRQ_S_EXT;
export const MIP_MEIP = 1 << IRQ_M_EXT;

// mstatus bits.
export const MSTATUS_SIE = 1 << 1;
export const MSTATUS_MIE = 1 << 3;
export const MSTATUS_SPIE = 1 << 5;
export const MSTATUS_MPIE = 1 << 7;
export const MSTATUS_SPP = 1 << 8;
export const MSTATUS_MPP_SHIFT = 11;
export const MSTATUS_MPP = 3 << 11;
export const MSTATUS_MPRV = 1 << 17;
export const MSTATUS_SUM = 1 << 18;
export const MSTATUS_MXR = 1 << 19;
export const MSTATUS_TVM = 1 << 20;
export const MSTATUS_TW = 1 << 21;
export const MSTATUS_TSR = 1 << 22;

/** Bits of mstatus that software can write (no F/V/X state, little-endian only). */
export const MSTATUS_WRITABLE =
  MSTATUS_SIE |
  MSTATUS_MIE |
  MSTATUS_SPIE |
  MSTATUS_MPIE |
  MSTATUS_SPP |
  MSTATUS_MPP |
  MSTATUS_MPRV |
  MSTATUS_SUM |
  MSTATUS_MXR |
  MSTATUS_TVM |
  MSTATUS_TW |
  MSTATUS_TSR;

/** The part of mstatus visible and writable through sstatus. */
export const SSTATUS_MASK = MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SUM | MSTATUS_MXR;

/** misa: MXL=1 (RV32), extensions A, C, I, M, S, U. Read-only in this hart. */
export const MISA_VALUE = (1 << 30) | (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12) | (1 << 18) | (1 << 20);

/** Exceptions that medeleg can delegate (ecall from M and reserved causes cannot). */
export const MEDELEG_WRITABLE = 0xb3ff;
/** Interrupts that mideleg can delegate: the supervisor-level ones. */
export const MIDELEG_WRITABLE = MIP_SSIP | MIP_STIP | MIP_SEIP;
/** mip bits writable by M-mode software (MTIP/MSIP come from the CLINT, MEIP from outside). */
export const MIP_WRITABLE = MIP_SSIP | MIP_STIP | MIP_SEIP;
/** mie bits that exist. */
export const MIE_WRITABLE = MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP;

// CSR numbers.
export const CSR = {
  sstatus: 0x100,
  sie: 0x104,
  stvec: 0x105,
  scounteren: 0x106,
  senvcfg: 0x10a,
  sscratch: 0x140,
  sepc: 0x141,
  scause: 0x142,
  stval: 0x143,
  sip: 0x144,
  satp: 0x180,
  mstatus: 0x300,
  misa: 0x301,
  medeleg: 0x302,
  mideleg: 0x303,
  mie: 0x304,
  mtvec: 0x305,
  mcounteren: 0x306,
  menvcfg: 0x30a,
  mstatush: 0x310,
  medelegh: 0x312,
  menvcfgh: 0x31a,
  mcountinhibit: 0x320,
  mscratch: 0x340,
  mepc: 0x341,
  mcause: 0x342,
  mtval: 0x343,
  mip: 0x344,
  mtinst: 0x34a,
  mtval2: 0x34b,
  pmpcfg0: 0x3a0,
  pmpaddr0: 0x3b0,
  mseccfg: 0x747,
  mseccfgh: 0x757,
  tselect: 0x7a0,
  tdata1: 0x7a1,
  tdata2: 0x7a2,
  tdata3: 0x7a3,
  tinfo: 0x7a4,
  tcontrol: 0x7a5,
  mcontext: 0x7a8,
  mcycle: 0xb00,
  minstret: 0xb02,
  mcycleh: 0xb80,
  minstreth: 0xb82,
  cycle: 0xc00,
  time: 0xc01,
  instret: 0xc02,
  cycleh: 0xc80,
  timeh: 0xc81,
  instreth: 0xc82,
  mvendorid: 0xf11,
  marchid: 0xf12,
  mimpid: 0xf13,
  mhartid: 0xf14,
  mconfigptr: 0xf15,
} as const;

// Sv32 page-table entry bits.
export const PTE_V = 1 << 0;
export const PTE_R = 1 << 1;
export const PTE_W = 1 << 2;
export const PTE_X = 1 << 3;
export const PTE_U = 1 << 4;
export const PTE_G = 1 << 5;
export const PTE_A = 1 << 6;
export const PTE_D = 1 << 7;

export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

/** Memory access kinds, as used by the MMU and the trap cause tables. */
export const ACCESS_FETCH = 0;
export const ACCESS_LOAD = 1;
export const ACCESS_STORE = 2;
