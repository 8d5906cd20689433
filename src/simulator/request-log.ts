/** One VVP request as the simulator answered it. */
export interface RequestLogEntry {
  /** ISO time the request arrived (simulated clock). */
  at: string;
  method: string;
  /** Path and query as sent. */
  url: string;
  /** The matched operation of api-spec/, or null for unknown paths. */
  operationId: string | null;
  /** 0 when the connection was aborted by an injected fault. */
  status: number;
  durationMs: number;
  /** Whether an injected fault shaped the answer. */
  fault: boolean;
}

/** The last `capacity` requests, oldest first; benchmarks count calls from it. */
export class RequestLog {
  readonly #capacity: number;
  /** A ring: once full, `#next` points at the oldest entry, which the next record replaces. */
  #entries: RequestLogEntry[] = [];
  #next = 0;
  #dropped = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`request log capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  record(entry: RequestLogEntry): void {
    if (this.#entries.length < this.#capacity) {
      this.#entries.push(entry);
      return;
    }
    this.#entries[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#capacity;
    this.#dropped += 1;
  }

  snapshot(): { entries: RequestLogEntry[]; dropped: number } {
    const entries = [...this.#entries.slice(this.#next), ...this.#entries.slice(0, this.#next)];
    return { entries, dropped: this.#dropped };
  }

  clear(): void {
    this.#entries = [];
    this.#next = 0;
    this.#dropped = 0;
  }
}

export interface ContractViolation {
  at: string;
  /** `internal`: an unexpected exception in the simulator, answered 500 (counted as a response violation too). */
  kind: 'request' | 'response' | 'internal';
  operationId: string;
  status: number;
  message: string;
}

const KEPT_VIOLATIONS = 100;

export interface ViolationCounts {
  /** Requests that broke the contract (client mistakes, answered 400). */
  request: number;
  /** Simulator bugs answered 500: responses that broke the contract, and internal failures. */
  response: number;
  /** The internal failures among them: unexpected exceptions in a request's pipeline. */
  internal: number;
  recent: ContractViolation[];
}

/** Counts requests that broke the contract (client errors) and responses that did (simulator bugs). */
export class ViolationCounter {
  #request = 0;
  #response = 0;
  #internal = 0;
  #recent: ContractViolation[] = [];

  record(violation: ContractViolation): void {
    if (violation.kind === 'request') this.#request += 1;
    else this.#response += 1;
    if (violation.kind === 'internal') this.#internal += 1;
    this.#recent = [...this.#recent, violation].slice(-KEPT_VIOLATIONS);
  }

  snapshot(): ViolationCounts {
    return {
      request: this.#request,
      response: this.#response,
      internal: this.#internal,
      recent: [...this.#recent],
    };
  }

  clear(): void {
    this.#request = 0;
    this.#response = 0;
    this.#internal = 0;
    this.#recent = [];
  }
}
