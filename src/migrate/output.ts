import { Document } from 'yaml';
import { describeSource, type Conversion } from './convert';

/** The lines that say where an object came from and what was not carried over. */
export function reportLines(conversion: Conversion): string[] {
  const lines = [`From ${describeSource(conversion.source)}: ${conversion.from}`];
  for (const note of conversion.notes) lines.push(`Note: ${note}`);
  if (conversion.dropped.length === 0) {
    lines.push('Every field was carried over.');
  } else {
    lines.push('Not carried over:');
    for (const field of conversion.dropped) lines.push(`  ${field.path}: ${field.why}`);
  }
  return lines;
}

/** The converted objects as one YAML stream, each with its report as a comment above it. */
export function renderYaml(conversions: readonly Conversion[]): string {
  return conversions
    .map((conversion) => {
      const document = new Document(conversion.output);
      document.commentBefore = reportLines(conversion)
        .map((line) => ` ${line}`)
        .join('\n');
      return `---\n${document.toString({ lineWidth: 0 })}`;
    })
    .join('');
}
