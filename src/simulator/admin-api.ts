import { SimulatorError, badRequest } from './errors';
import { isJsonObject, type Json, type JsonObject } from '../json';
import { PathTemplate } from './path-template';
import type { SimulatorAdmin } from './simulator';

/** No VVP path starts with this; the admin API lives here. */
export const ADMIN_PREFIX = '/_simulator/v1';

interface AdminRoute {
  method: string;
  path: PathTemplate;
  handle(
    admin: SimulatorAdmin,
    params: Record<string, string>,
    body: JsonObject,
  ): { status: number; body: unknown };
}

const route = (method: string, path: string, handle: AdminRoute['handle']): AdminRoute => ({
  method,
  path: new PathTemplate(`${ADMIN_PREFIX}${path}`),
  handle,
});

const ok = (body: unknown): { status: number; body: unknown } => ({ status: 200, body });

function param(params: Record<string, string>, name: string): string {
  return params[name] ?? '';
}

/** The admin API; documented in docs/simulator.md. */
const ROUTES: AdminRoute[] = [
  route('GET', '/info', (admin) => ok(admin.info())),
  route('GET', '/knobs', (admin) => ok(admin.knobs())),
  route('PATCH', '/knobs', (admin, _params, body) => ok(admin.setKnobs(body))),
  route('GET', '/faults', (admin) => ok({ faults: admin.faults() })),
  route('POST', '/faults', (admin, _params, body) => ({ status: 201, body: admin.addFault(body) })),
  route('DELETE', '/faults', (admin) => {
    admin.clearFaults();
    return ok({});
  }),
  route('DELETE', '/faults/{id}', (admin, params) => {
    admin.removeFault(param(params, 'id'));
    return ok({});
  }),
  route('GET', '/requests', (admin) => ok(admin.requests())),
  route('DELETE', '/requests', (admin) => {
    admin.clearRequests();
    return ok({});
  }),
  route('GET', '/violations', (admin) => ok(admin.violations())),
  route('POST', '/clock/advance', (admin, _params, body) => {
    const ms = body.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw badRequest('ms must be a non-negative number of milliseconds');
    }
    admin.advanceClock(ms);
    return ok(admin.info());
  }),
  route('POST', '/reset', (admin) => {
    admin.reset();
    return ok({});
  }),
  route('POST', '/namespaces/{namespace}/jobs/{jobId}/fail', (admin, params, body) => {
    const message = typeof body.message === 'string' ? body.message : undefined;
    return ok(admin.failJob(param(params, 'namespace'), param(params, 'jobId'), message));
  }),
  route('POST', '/namespaces/{namespace}/jobs/{jobId}/finish', (admin, params) =>
    ok(admin.finishJob(param(params, 'namespace'), param(params, 'jobId'))),
  ),
];

/** Answers one admin request; `{ message }` errors like the VVP routes. */
export function handleAdminRequest(
  admin: SimulatorAdmin,
  method: string,
  path: string,
  rawBody: string,
): { status: number; body: unknown } {
  const candidates = ROUTES.flatMap((r) => {
    const params = r.path.match(path);
    return params === undefined ? [] : [{ route: r, params }];
  });
  const found = candidates.find((c) => c.route.method === method);
  if (found === undefined) {
    return candidates.length === 0
      ? {
          status: 404,
          body: { message: `No admin endpoint ${method} ${path}; see docs/simulator.md` },
        }
      : { status: 405, body: { message: `Method ${method} is not supported at ${path}` } };
  }
  try {
    let body: Json = {};
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody) as Json;
      } catch (error) {
        throw badRequest(`Request body is not valid JSON: ${(error as Error).message}`);
      }
    }
    if (!isJsonObject(body)) throw badRequest('The request body must be a JSON object');
    return found.route.handle(admin, found.params, body);
  } catch (error) {
    if (error instanceof SimulatorError)
      return { status: error.status, body: { message: error.message } };
    if (error instanceof RangeError) return { status: 400, body: { message: error.message } };
    throw error;
  }
}
