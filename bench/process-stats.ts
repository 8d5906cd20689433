// Memory and CPU of a process from /proc (Linux): what `ps` and `top` read, without them.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { promisify } from 'node:util';

export interface ProcessSample {
  /** Wall-clock time of the sample (ms). */
  at: number;
  /** Resident set size (VmRSS) in bytes. */
  rssBytes: number;
  /** User + system CPU time consumed so far, in seconds. */
  cpuSeconds: number;
}

let clockTicks: Promise<number> | undefined;

/** Kernel clock ticks per second (the unit of utime/stime in /proc/<pid>/stat); usually 100. */
function ticksPerSecond(): Promise<number> {
  clockTicks ??= promisify(execFile)('getconf', ['CLK_TCK']).then(
    ({ stdout }) => Number.parseInt(stdout.trim(), 10) || 100,
    () => 100,
  );
  return clockTicks;
}

/** Reads VmRSS from /proc/<pid>/status and utime+stime from /proc/<pid>/stat. */
export async function sampleProcess(pid: number): Promise<ProcessSample> {
  const [status, stat, ticks] = await Promise.all([
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/stat`, 'utf8'),
    ticksPerSecond(),
  ]);
  const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1] ?? NaN);
  // The command name (field 2) may contain spaces and parentheses: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat (utime, stime) are at 11 and 12 after the name.
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  if (Number.isNaN(rssKb) || Number.isNaN(cpuTicks)) {
    throw new Error(`cannot read the memory and CPU time of process ${pid} from /proc`);
  }
  return { at: Date.now(), rssBytes: rssKb * 1024, cpuSeconds: cpuTicks / ticks };
}

/** Share of one core used between two samples (1 = one core busy all the time). */
export function cpuCores(from: ProcessSample, to: ProcessSample): number {
  const seconds = (to.at - from.at) / 1000;
  return seconds > 0 ? (to.cpuSeconds - from.cpuSeconds) / seconds : 0;
}

export interface MachineDescription {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
}

export function describeMachine(): MachineDescription {
  const processors = cpus();
  return {
    cores: processors.length,
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
  };
}
