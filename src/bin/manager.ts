import { runManager } from '../cli/manager';

process.exitCode = await runManager(process.argv.slice(2), process.env);
