// Per-file setup of the integration project. Jest reads `testTimeout` only from the global
// configuration, so a project-specific default has to be set here.
import { jest } from '@jest/globals';

/** Integration tests wait for a real API server and controllers on possibly loaded machines. */
jest.setTimeout(120_000);
