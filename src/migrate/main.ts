import { runMigrate } from './cli';

process.exitCode = await runMigrate(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
