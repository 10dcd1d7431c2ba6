/** Figures the benchmarks take of their own process. */
import { readFileSync } from 'node:fs';

/** CPU time of this process so far (user + system), in ms. */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** The upper median (NaN for no values). */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
}

/**
 * This process's peak RSS. On Linux getrusage's maxRSS is inherited across fork+exec (the
 * kernel folds the parent's high-water mark into the child's), so a parent that just built a
 * 300 MB file made every child report ~930 MB. VmHWM is the high-water mark of this process's
 * own address space; other systems fall back to maxRSS.
 */
export function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'latin1'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}
