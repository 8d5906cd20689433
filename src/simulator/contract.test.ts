import { describe, expect, it } from '@jest/globals';
import { ApiContract } from './contract';

/** A small document exercising what the simulator relies on: refs, nullable, query schemas. */
const contract = ApiContract.fromDocument({
  openapi: '3.0.3',
  paths: {
    '/things/{name}': {
      parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
      put: {
        operationId: 'putThing',
        parameters: [{ name: 'at', in: 'query', schema: { type: 'string', format: 'uuid' } }],
        requestBody: { $ref: '#/components/requestBodies/Thing' },
        responses: {
          '200': {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          '404': { description: 'none' },
        },
      },
    },
  },
  components: {
    requestBodies: {
      Thing: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
      },
    },
    schemas: {
      Thing: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          state: { type: 'string', enum: ['ON', 'OFF'] },
          owner: { $ref: '#/components/schemas/Owner', nullable: true },
          note: { type: 'string', nullable: true },
        },
      },
      Owner: { type: 'object', properties: { name: { type: 'string' } } },
    },
  },
});

const ID = '4f1c5a5e-2d8e-4a52-9a0e-0c8b8f1d2e3a';

describe('ApiContract', () => {
  const match = contract.match('PUT', '/things/a%20b');
  if (match.kind !== 'found') throw new Error('route not found');
  const { operation } = match;

  it('matches templated paths and reports other methods and unknown paths', () => {
    expect(match.params).toEqual({ name: 'a b' });
    expect(contract.match('GET', '/things/x')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['PUT'],
    });
    expect(contract.match('GET', '/things')).toEqual({ kind: 'not-found' });
  });

  it('accepts a fitting request, with OpenAPI nullable beside $ref and type', () => {
    expect(
      contract.checkRequest(operation, new URLSearchParams(), { id: ID, owner: null, note: null }),
    ).toBeUndefined();
  });

  it('names the offending fields of a bad request', () => {
    const problem = contract.checkRequest(operation, new URLSearchParams({ at: 'x' }), { id: ID });
    expect(problem).toBe('query parameter at must match format "uuid"');
    expect(
      contract.checkRequest(operation, new URLSearchParams(), { state: 'UP', owner: { name: 3 } }),
    ).toBe(
      'invalid request body: id is required; state must be equal to one of the allowed values (ON, OFF); owner.name must be string',
    );
    expect(contract.checkRequest(operation, new URLSearchParams(), undefined)).toBe(
      'a request body is required',
    );
  });

  it('holds responses to the declared schema and error responses to the { message } shape', () => {
    expect(contract.checkResponse(operation, 200, { id: ID })).toBeUndefined();
    expect(contract.checkResponse(operation, 200, { id: 'nope' })).toContain(
      'id must match format "uuid"',
    );
    expect(contract.checkResponse(operation, 201, { id: ID })).toBe(
      'status 201 is not declared for putThing',
    );
    expect(contract.checkResponse(operation, 404, {})).toBeUndefined();
    expect(contract.checkResponse(operation, 409, { message: 'taken' })).toBeUndefined();
    expect(contract.checkResponse(operation, 409, { error: 'taken' })).toContain(
      "lacks a string 'message'",
    );
  });

  it('compiles the project spec with a route for every operation', () => {
    const spec = ApiContract.load();
    expect(spec.operations.length).toBeGreaterThan(20);
    expect(spec.match('GET', '/api/v1/namespaces/default/deployments/orders').kind).toBe('found');
  });
});
