/**
 * Turns asynchronous WebGPU failures (uncaptured validation/out-of-memory errors, shader
 * compilation errors, device loss) into JS errors thrown at the next synchronisation point,
 * naming the kernels that were in flight.
 */
export class GPUErrorLog {
  private readonly pendingErrors: string[] = [];
  private readonly recentOps: string[] = [];
  lostReason: string | null = null;

  recordOps(names: readonly string[]): void {
    for (const name of names) {
      this.recentOps.push(name);
      if (this.recentOps.length > 32) this.recentOps.shift();
    }
  }

  recordError(message: string): void {
    this.pendingErrors.push(message);
  }

  /** A shader/pipeline creation error: the root cause of the "invalid pipeline" errors that follow, so reported first. */
  recordCompileError(message: string): void {
    this.pendingErrors.unshift(message);
  }

  /** Throws (and clears) the first recorded error, if any. */
  throwIfFailed(where: string): void {
    if (this.lostReason !== null) throw new Error(`perturbset: the GPU device was lost (${this.lostReason}); ${where} cannot run`);
    if (this.pendingErrors.length === 0) return;
    const [first, ...rest] = this.pendingErrors.splice(0);
    const ops = this.recentOps.length ? ` Kernels submitted most recently: ${[...new Set(this.recentOps)].join(', ')}.` : '';
    const more = rest.length ? ` (${rest.length} more error(s) followed)` : '';
    throw new Error(`perturbset: WebGPU error detected at ${where}: ${first}${more}.${ops}`);
  }

  throwIfLost(where: string): void {
    if (this.lostReason !== null) throw new Error(`perturbset: the GPU device was lost (${this.lostReason}); ${where} cannot run`);
  }
}
