/** An OpenAPI-style path template such as `/api/v1/namespaces/{namespace}/jobs/{jobId}`. */
export class PathTemplate {
  readonly #segments: ({ literal: string } | { param: string })[];

  constructor(readonly template: string) {
    this.#segments = template
      .split('/')
      .slice(1)
      .map((segment) => {
        const param = /^\{([^}]+)\}$/.exec(segment)?.[1];
        return param === undefined ? { literal: segment } : { param };
      });
  }

  /** The decoded parameters when `path` fits the template, else undefined. */
  match(path: string): Record<string, string> | undefined {
    const parts = path.split('/').slice(1);
    if (parts.length !== this.#segments.length) return undefined;
    const params: Record<string, string> = {};
    for (const [i, segment] of this.#segments.entries()) {
      const part = parts[i] ?? '';
      if ('literal' in segment) {
        if (segment.literal !== part) return undefined;
      } else {
        if (part === '') return undefined;
        try {
          params[segment.param] = decodeURIComponent(part);
        } catch {
          return undefined;
        }
      }
    }
    return params;
  }
}
