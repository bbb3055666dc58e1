// The logger hook the real transports accept (the node passes one that writes node.log).

export type NetLogLevel = 'debug' | 'info' | 'warn' | 'error';
export type NetLogger = (level: NetLogLevel, message: string, fields?: Record<string, unknown>) => void;

export const silentLogger: NetLogger = () => {};
