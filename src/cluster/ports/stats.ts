// Counters of the remote-port router (diagnostics, metrics, tests).
export interface PortsStats {
  messagesOut: number;
  messagesIn: number;
  resent: number;
  duplicates: number;
  failedRoutes: number;
  badFrames: number;
}
