/** VVP's naming rules (docs: REST API, resource names). Each returns a problem or undefined. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const TARGET_NAME = /^[0-9a-zA-Z_]([-0-9a-zA-Z_]*[0-9a-zA-Z_])?$/;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Deployments (2.4+), namespaces and API tokens: DNS labels. */
export function checkDnsLabel(field: string, name: string): string | undefined {
  if (name.length <= 63 && DNS_LABEL.test(name)) return undefined;
  return (
    `${field} '${name}' is not a valid name: use at most 63 lowercase letters, digits and '-', ` +
    `starting and ending with a letter or digit`
  );
}

/** Deployment targets: up to 250 of `[0-9a-zA-Z-_]`, no leading or trailing '-'. */
export function checkTargetName(field: string, name: string): string | undefined {
  if (name.length <= 250 && TARGET_NAME.test(name)) return undefined;
  return (
    `${field} '${name}' is not a valid deployment target name: use at most 250 letters, digits, ` +
    `'-' and '_', not starting or ending with '-'`
  );
}

/** Deployments before 2.4: free text, but not empty. */
export function checkFreeTextName(field: string, name: string): string | undefined {
  return name.trim().length > 0 ? undefined : `${field} must not be empty`;
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Kubernetes label syntax (kubernetes.io, "Labels and Selectors": syntax and character set):
 * a key is an optional DNS-subdomain prefix of at most 253 characters and `/`, then a name of
 * at most 63 alphanumerics, `-`, `_` and `.` that starts and ends alphanumeric; a value is
 * empty or follows the rule of the name.
 */
export function checkLabels(field: string, labels: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(labels)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
    if (!prefixOk || name.length > 63 || !LABEL_NAME.test(name)) {
      return (
        `${field} key '${key}' is not a valid label key: an optional DNS subdomain prefix and '/', ` +
        `then at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit`
      );
    }
    if (value !== '' && (value.length > 63 || !LABEL_NAME.test(value))) {
      return (
        `${field}.${key} value '${value}' is not a valid label value: at most 63 letters, digits, ` +
        `'-', '_' and '.', starting and ending with a letter or digit (or empty)`
      );
    }
  }
  return undefined;
}
