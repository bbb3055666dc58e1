// Linux signal numbers (asm-generic, as riscv32 uses) by name, for the admin API and the CLI.

export const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  ILL: 4,
  TRAP: 5,
  ABRT: 6,
  BUS: 7,
  FPE: 8,
  KILL: 9,
  USR1: 10,
  SEGV: 11,
  USR2: 12,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  STKFLT: 16,
  CHLD: 17,
  CONT: 18,
  STOP: 19,
  TSTP: 20,
  TTIN: 21,
  TTOU: 22,
  URG: 23,
  XCPU: 24,
  XFSZ: 25,
  VTALRM: 26,
  PROF: 27,
  WINCH: 28,
  IO: 29,
  PWR: 30,
  SYS: 31,
};

export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTERM = 15;

/** "TERM", "SIGTERM", "sigterm" or "15" → 15; undefined when it names no signal 1..64. */
export function parseSignal(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d{1,2}$/.test(trimmed)) {
    const n = Number(trimmed);
    return n >= 1 && n <= 64 ? n : undefined;
  }
  const name = trimmed.toUpperCase().replace(/^SIG/, '');
  return Object.hasOwn(SIGNALS, name) ? SIGNALS[name] : undefined;
}

/** "SIGTERM" for 15; "signal 40" for numbers without a name. */
export function signalName(n: number): string {
  const entry = Object.entries(SIGNALS).find(([, v]) => v === n);
  return entry ? `SIG${entry[0]}` : `signal ${n}`;
}
