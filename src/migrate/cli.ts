import { readFile, writeFile } from 'node:fs/promises';
import { strictCommandLine } from '../config/command-line';
import { readClusterObjects } from './cluster';
import { InvalidInputError, convertAll, type SourceObject } from './convert';
import { SchemaMismatchError, fitToSchema } from './fit';
import { renderYaml, reportLines } from './output';
import { readYamlObjects } from './read';

export const EXIT_OK = 0;
/** Invalid input or an object that cannot be expressed in vp-operator's API. */
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface MigrateIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const USAGE =
  '$0 [file.yaml ...] [--from-cluster] [-o out.yaml]\n\n' +
  "Converts the earlier operators' objects to vp-operator's (vpoperator.dev/v1alpha1): the fintechstudios " +
  'operator (ververicaplatform.fintechstudios.com/v1beta1 and v1beta2: VpNamespace, VpDeploymentTarget, VpDeployment, ' +
  "VpSavepoint) and Ververica's own (ververica.platform/v1 VvpDeployment). Reads YAML files (several documents, " +
  '"kind: List" too; "-" is standard input) or, with --from-cluster, the objects in a live cluster. Every object is ' +
  'marked vpoperator.dev/adopt: "true", so the operator takes over the existing VVP objects (no job restarts). ' +
  'Fields that are not carried over are listed per object on standard error and as a comment above it. See docs/migration.md.';

/** Runs the converter; resolves with the exit code. */
export async function runMigrate(argv: readonly string[], io: MigrateIo): Promise<number> {
  let information: string | undefined;
  try {
    const flags = await strictCommandLine(argv, {
      name: 'vp-operator-migrate',
      usage: USAGE,
      toError: (line) => new UsageError(line),
    })
      .options({
        'from-cluster': {
          type: 'boolean',
          default: false,
          description: "Read the earlier operators' objects from the cluster (all namespaces)",
        },
        kubeconfig: {
          type: 'string',
          requiresArg: true,
          description: 'Kubeconfig for --from-cluster; default $KUBECONFIG, then ~/.kube/config',
        },
        output: {
          alias: 'o',
          type: 'string',
          requiresArg: true,
          description: 'Write the YAML to this file instead of standard output',
        },
        'instance-id': {
          type: 'string',
          requiresArg: true,
          description:
            'Label every object vpoperator.dev/instance=<id>, for a manager run with --instance-id',
        },
      })
      .parseAsync([...argv], {}, (_error, _argv, output) => {
        if (output) information = output;
      });
    if (information !== undefined) {
      io.stdout(`${information}\n`);
      return EXIT_OK;
    }
    const files = flags._.map(String);
    if (files.length === 0 && !flags['from-cluster']) {
      throw new UsageError(
        'name at least one YAML file ("-" for standard input), or --from-cluster',
      );
    }
    const sources: SourceObject[] = [];
    for (const file of files) {
      const text = file === '-' ? await readStdin() : await readInput(file);
      sources.push(...readYamlObjects(text, file === '-' ? '(standard input)' : file));
    }
    if (flags['from-cluster']) {
      sources.push(
        ...(await readClusterObjects(flags.kubeconfig, (line) => {
          io.stderr(`${line}\n`);
        })),
      );
    }
    const conversions = convertAll(sources, { instanceId: flags['instance-id'] });
    for (const conversion of conversions) {
      try {
        fitToSchema(conversion);
      } catch (error) {
        if (!(error instanceof SchemaMismatchError)) throw error;
        throw new InvalidInputError(conversion.source, conversion.from, error.message);
      }
    }
    for (const conversion of conversions) io.stderr(`${reportLines(conversion).join('\n')}\n`);
    const yaml = renderYaml(conversions);
    if (flags.output === undefined) io.stdout(yaml);
    else await writeFile(flags.output, yaml);
    io.stderr(`Converted ${conversions.length} object(s).\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`vp-operator-migrate: ${error.message}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`vp-operator-migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_INVALID;
  }
}

async function readInput(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new InvalidInputError(
      { file, index: 0 },
      '(file)',
      `cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
