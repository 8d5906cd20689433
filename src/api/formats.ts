/**
 * The string formats VVP enforces, checked at admission so that a bad value fails at
 * `kubectl apply` with a sentence instead of later as a VVP 400 in a condition. CEL rules
 * rather than `pattern`: a pattern's error shows only the regular expression.
 */
import { string, type CelRule, type StringOptions } from './schema';
import type { TString } from '@sinclair/typebox';

/** VVP namespaces and (2.4+) deployments: a DNS label, ≤63 characters. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
export const DNS_LABEL_MAX_LENGTH = 63;
const DNS_LABEL_RULE_TEXT =
  'must be a DNS label: at most 63 lower-case letters, digits and "-", starting and ending with a letter or digit';

/** VVP deployment targets and secret values: ≤250 characters of `[0-9a-zA-Z-_]`. */
export const TARGET_NAME_PATTERN = '^[0-9a-zA-Z_-]+$';
export const TARGET_NAME_MAX_LENGTH = 250;
const TARGET_NAME_RULE_TEXT =
  'must be at most 250 letters, digits, "-" and "_" (the names VVP accepts for deployment targets)';

/** A CEL string literal for `value`, safe inside a rule. */
function celString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The rule that `self` matches `pattern`; the message quotes the rejected value. */
function matchesRule(pattern: string, explanation: string): CelRule {
  return {
    rule: `self.matches(${celString(pattern)})`,
    messageExpression: `${celString('"')} + self + ${celString(`" ${explanation}`)}`,
  };
}

/** A VVP namespace or deployment name. */
export function dnsLabel(description: string, options?: StringOptions): TString {
  return string(description, {
    ...options,
    maxLength: DNS_LABEL_MAX_LENGTH,
    validations: [
      matchesRule(DNS_LABEL_PATTERN, DNS_LABEL_RULE_TEXT),
      ...(options?.validations ?? []),
    ],
  });
}

/** A VVP deployment target name. */
export function targetName(description: string): TString {
  return string(description, {
    maxLength: TARGET_NAME_MAX_LENGTH,
    validations: [matchesRule(TARGET_NAME_PATTERN, TARGET_NAME_RULE_TEXT)],
  });
}

/**
 * The units Flink's `MemorySize` parses (case-insensitive); VVP hands `memory` to Flink.
 * Fractions are allowed because VVP converts them itself (`1.5g`).
 */
const FLINK_MEMORY_UNITS = [
  'b',
  'bytes',
  'k',
  'kb',
  'kibibytes',
  'm',
  'mb',
  'mebibytes',
  'g',
  'gb',
  'gibibytes',
  't',
  'tb',
  'tebibytes',
];

/** Each letter as `[xX]`: RE2 and ECMAScript agree on this, unlike on inline flags. */
function caseInsensitive(word: string): string {
  return word.replace(/[a-z]/g, (letter) => `[${letter}${letter.toUpperCase()}]`);
}

export const FLINK_MEMORY_SIZE_PATTERN = `^[0-9]+([.][0-9]+)? *(${FLINK_MEMORY_UNITS.map(caseInsensitive).join('|')})?$`;

export function flinkMemorySize(description: string): TString {
  return string(description, {
    maxLength: 32,
    validations: [
      matchesRule(
        FLINK_MEMORY_SIZE_PATTERN,
        'is not a Flink memory size: write a number and a unit such as "1g", "1536m" or "2 gb" (units b, k, m, g, t, optionally followed by "b")',
      ),
    ],
  });
}

/**
 * A transition rule: the value may not change once set. It sits on the parent object so that
 * also removing the field counts as a change (a rule on the field itself does not run when
 * the field disappears). `celField` is the field's name as CEL spells it (keywords such as
 * `namespace` are escaped: `__namespace__`).
 */
export function immutableField(celField: string, fieldPath: string, why: string): CelRule {
  return {
    rule: `has(self.${celField}) == has(oldSelf.${celField}) && (!has(self.${celField}) || self.${celField} == oldSelf.${celField})`,
    message: `${fieldPath} is immutable: ${why}`,
    fieldPath: `.${celField.replace(/^__(.*)__$/, '$1')}`,
    reason: 'FieldValueForbidden',
  };
}
