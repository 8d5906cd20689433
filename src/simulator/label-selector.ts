import { badRequest } from './errors';

type Requirement = (labels: Record<string, string>) => boolean;

const KEY = /^([a-zA-Z0-9.-]+\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

/**
 * Parses the equality-based Kubernetes label selector subset: `k=v`, `k==v`, `k!=v`, `k`
 * (exists) and `!k` (absent), comma-separated. Throws a 400 naming the bad term.
 */
export function parseLabelSelector(selector: string): (labels: Record<string, string>) => boolean {
  const requirements: Requirement[] = [];
  for (const raw of selector.split(',')) {
    const term = raw.trim();
    if (term === '') continue;
    const match = /^(!)?([^=!]+?)\s*(?:(==|=|!=)\s*(.*))?$/.exec(term);
    const negated = match?.[1] === '!';
    const key = match?.[2]?.trim() ?? '';
    const operator = match?.[3];
    const value = match?.[4]?.trim();
    if (!KEY.test(key) || (negated && operator !== undefined)) {
      throw badRequest(
        `labelSelector term '${term}' is invalid; use key=value, key!=value, key or !key, separated by commas`,
      );
    }
    if (operator === undefined) {
      requirements.push(negated ? (labels) => !(key in labels) : (labels) => key in labels);
    } else if (operator === '!=') requirements.push((labels) => labels[key] !== value);
    else requirements.push((labels) => labels[key] === value);
  }
  return (labels) => requirements.every((requirement) => requirement(labels));
}
