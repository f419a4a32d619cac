/**
 * CPU time per event, beside the wall-clock rates: on a shared machine the
 * other processes move wall time far more than this process's own CPU time.
 */
/** CPU time (user + system) per event, one figure per round. */
export class CpuPerEvent {
  private readonly rounds: number[] = [];
  private micros = 0;
  private events = 0;
  startRound(): void {
    this.micros = 0;
    this.events = 0;
  }
  add(usage: NodeJS.CpuUsage, events: number): void {
    this.micros += usage.user + usage.system;
    this.events += events;
  }
  endRound(): void {
    if (this.events > 0) this.rounds.push(this.micros / this.events);
  }
  median(): number {
    const sorted = [...this.rounds].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  }
}
