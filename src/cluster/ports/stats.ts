// Counters of the remote-port router (diagnostics, metrics, tests).
export interface PortsStats {
  messagesOut: number;
  messagesIn: number;
  resent: number;
  duplicates: number;
  failedRoutes: number;
  badFrames: number;
  /** Acks and answer acks that rode on an answer or a message instead of a frame of their own. */
  acksCarried: number;
}
