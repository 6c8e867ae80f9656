// The edge's table and the replies of its control API (README.md): what the
// agent sends and reads, shared by the edge process and EdgeClient.

export interface EdgeBackend {
  /** Who this backend is for the agent (an allocation id): drain waits on it. */
  id: string;
  host: string;
  port: number;
}

export interface EdgeEndpoint {
  /** The stable port clients use. */
  port: number;
  /** The address it listens on, e.g. 127.0.0.1. */
  address: string;
  backends: EdgeBackend[];
}

/** The whole desired table: endpoints missing from it stop listening. */
export interface EdgeTable {
  endpoints: EdgeEndpoint[];
}

export interface EndpointAddress {
  port: number;
  address: string;
}

export interface EndpointError extends EndpointAddress {
  message: string;
}

export interface TableReply {
  ok: true;
  listening: EndpointAddress[];
  errors: EndpointError[];
}

export interface BackendView extends EdgeBackend {
  /** Open connections now. */
  active: number;
  /** Connections served since the edge started. */
  total: number;
}

export interface EndpointView extends EndpointAddress {
  listening: boolean;
  /** Why it does not listen (EADDRINUSE ...), when it does not. */
  error: string | null;
  backends: BackendView[];
}

export interface TableView {
  pid: number;
  version: string;
  endpoints: EndpointView[];
  /** Backends no longer in the table that still have open connections. */
  draining: Array<{ id: string; active: number }>;
}

export interface DrainReply {
  drained: boolean;
  /** Open connections left, for each id asked about. */
  remaining: Record<string, number>;
}
