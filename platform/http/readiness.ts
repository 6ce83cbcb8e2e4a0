/**
 * Whether a process should be sent traffic: not before its server is listening (migrations, consumers and
 * schema are up by then), and no longer once it starts draining on shutdown. One per process; the gateway's
 * public and admin servers share theirs.
 */
export class Readiness {
  private started = false;
  private draining = false;

  markStarted(): void {
    this.started = true;
  }

  markDraining(): void {
    this.draining = true;
  }

  get ready(): boolean {
    return this.started && !this.draining;
  }

  get state(): 'starting' | 'ready' | 'draining' {
    if (this.draining) return 'draining';
    return this.started ? 'ready' : 'starting';
  }
}
