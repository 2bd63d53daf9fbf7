/**
 * The latency a fake server injects: each wait resolves true when its time is up, or false when the server
 * stops first (`cancelAll`), so a stopped fake never leaves a timer or a half-answered request behind.
 */
export class CancellableDelays {
  private readonly waits = new Set<{ timer: NodeJS.Timeout; wake: (completed: boolean) => void }>();

  wait(ms: number): Promise<boolean> {
    return new Promise((wake) => {
      const entry = {
        timer: setTimeout(() => {
          this.waits.delete(entry);
          wake(true);
        }, ms),
        wake,
      };
      this.waits.add(entry);
    });
  }

  cancelAll(): void {
    for (const entry of this.waits) {
      clearTimeout(entry.timer);
      entry.wake(false);
    }
    this.waits.clear();
  }
}
