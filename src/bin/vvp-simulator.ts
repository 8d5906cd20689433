import { runSimulatorCli } from '../simulator/cli';

process.exitCode = await runSimulatorCli(process.argv.slice(2));
