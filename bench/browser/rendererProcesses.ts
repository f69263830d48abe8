/**
 * The Chromium renderer processes behind a profile, read from /proc (Linux): their peak resident set
 * (VmHWM, and the resident set sampled as the page runs: the page's memory figure) and the CPU time
 * they used (the overhead figure's steadier half).
 */
import { readdirSync, readFileSync } from 'node:fs';

export function procStatus(pid: number, key: string): number | null {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Renderer processes of the Chromium started with `profile` (its descendants with --type=renderer). */
export function rendererPids(profile: string): number[] {
  const procs = new Map<number, { ppid: number; cmd: string }>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      procs.set(pid, { ppid, cmd });
    } catch {
      // gone meanwhile
    }
  }
  const root = [...procs].find(
    ([, p]) => p.cmd.includes(`--user-data-dir=${profile}`) && !p.cmd.includes('--type='),
  );
  if (!root) return [];
  const under = (pid: number): boolean => {
    for (let p = procs.get(pid); p; p = procs.get(p.ppid)) if (p.ppid === root[0]) return true;
    return false;
  };
  return [...procs].filter(([pid, p]) => p.cmd.includes('--type=renderer') && under(pid)).map(([pid]) => pid);
}

/**
 * The kernel's VmHWM of each renderer. Alone it misses peaks: Linux raises a process's high-water
 * mark only at some events (an unmapping, the process's exit), and Chromium gives memory back with
 * madvise, so a renderer that held 2.1 GB for seconds in a reference fit could read 1.8 GB after it
 * (2026-12-06). `sampleRendererPeak` watches the resident set instead.
 */
export function peakRendererBytes(profile: string): number | null {
  const peaks = rendererPids(profile)
    .map((pid) => procStatus(pid, 'VmHWM'))
    .filter((v): v is number => v !== null);
  return peaks.length ? Math.max(...peaks) : null;
}

/** CPU seconds (user + system) the renderer processes of the Chromium with `profile` have used. */
export function rendererCpuSeconds(profile: string): number {
  let ticks = 0;
  for (const pid of rendererPids(profile)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks / 100;
}

/**
 * Watches the renderers of `profile` every `everyMs` (VmRSS, and VmHWM, of each; the list of
 * renderers read again every second) until `stop`, which returns the largest either showed, or null
 * where there was none (not Linux).
 */
export function sampleRendererPeak(profile: string, everyMs = 200): { stop(): number | null } {
  let pids: number[] = [];
  let listedAt = 0;
  let peak: number | null = null;
  const sample = () => {
    const now = Date.now();
    if (now - listedAt > 1000) {
      pids = rendererPids(profile);
      listedAt = now;
    }
    for (const pid of pids) {
      for (const key of ['VmRSS', 'VmHWM']) {
        const bytes = procStatus(pid, key);
        if (bytes !== null && (peak === null || bytes > peak)) peak = bytes;
      }
    }
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}
