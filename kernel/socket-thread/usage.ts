/**
 * `usage_request` (not in the spec; jupyter-resource-usage and ipykernel use it on control):
 * memory and CPU of the kernel process and of the host, answered from the socket thread so a
 * busy or paused main thread still reports. CPU percentages are over the time since the
 * previous request (the first one: since the process started), as psutil's cpu_percent is.
 */
import { cpus, freemem, hostname, totalmem } from 'node:os';

export class UsageMeter {
  private lastWall = performance.timeOrigin;
  private lastCpu = { user: 0, system: 0 };
  private lastHost = hostTimes();

  /** usage_reply content, with ipykernel's field names. */
  sample(): Record<string, unknown> {
    const now = performance.timeOrigin + performance.now();
    const cpu = process.cpuUsage();
    const usedMs = (cpu.user - this.lastCpu.user + cpu.system - this.lastCpu.system) / 1000;
    const kernelCpu = (100 * usedMs) / Math.max(1, now - this.lastWall);
    const host = hostTimes();
    const busy = host.busy - this.lastHost.busy;
    const all = host.total - this.lastHost.total;
    this.lastWall = now;
    this.lastCpu = cpu;
    this.lastHost = host;
    const total = totalmem();
    const available = freemem();
    return {
      status: 'ok',
      hostname: hostname(),
      pid: process.pid,
      kernel_cpu: Number(kernelCpu.toFixed(1)),
      kernel_memory: process.memoryUsage.rss(),
      ...(all > 0 ? { host_cpu_percent: Number(((100 * busy) / all).toFixed(1)) } : {}),
      cpu_count: cpus().length,
      host_virtual_memory: { total, available, percent: Number(((100 * (total - available)) / total).toFixed(1)), used: total - available, free: available },
    };
  }
}

function hostTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const sum = t.user + t.nice + t.sys + t.idle + t.irq;
    total += sum;
    busy += sum - t.idle;
  }
  return { busy, total };
}
