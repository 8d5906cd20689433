/**
 * A refusal the simulator answers with, in VVP's error shape `{ "message": "…" }`.
 * Handlers throw it; the HTTP layer turns it into the response.
 */
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'SimulatorError';
  }
}

export const badRequest = (message: string): SimulatorError => new SimulatorError(400, message);
export const notFound = (message: string): SimulatorError => new SimulatorError(404, message);
export const conflict = (message: string): SimulatorError => new SimulatorError(409, message);
