import { knownSecrets } from '../logging';
import type { TokenProvider } from '../vvp';

/**
 * One place an API token may come from (environment, a referenced Secret, an owner token the
 * operator created). Answers undefined when it has nothing for the namespace, so the next
 * source is asked.
 */
export interface TokenSource {
  tokenFor(vvpNamespace: string): Promise<string | undefined>;
}

/**
 * Asks its sources in order and uses the first token found; none found means anonymous calls
 * (VVP Community Edition). Every token found is registered for scrubbing from the logs.
 */
export class TokenResolverChain implements TokenProvider {
  readonly #sources: readonly TokenSource[];

  constructor(sources: readonly TokenSource[]) {
    this.#sources = sources;
  }

  async tokenFor(vvpNamespace: string): Promise<string | undefined> {
    for (const source of this.#sources) {
      const token = await source.tokenFor(vvpNamespace);
      if (token !== undefined) {
        knownSecrets.register(token);
        return token;
      }
    }
    return undefined;
  }
}
