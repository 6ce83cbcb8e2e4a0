import type { ObjectStore } from './object-store.port.js';

/**
 * A virus scanner for uploaded objects (e.g. ClamAV's clamd INSTREAM, or a cloud scanner on the bucket). The
 * services call it after the size and magic-byte checks and before accepting a file; an infected object is
 * deleted like any other refused upload. `noVirusScan` is the default until a scanner is configured: it accepts
 * everything, and says so in its name (`scanner` in the verdict) so no one mistakes it for a scan.
 */
export interface VirusScanVerdict {
  clean: boolean;
  /** The scanner's name for what it found, when not clean. */
  threat?: string;
  scanner: string;
}

export interface VirusScanner {
  scan(store: ObjectStore, key: string): Promise<VirusScanVerdict>;
}

export const noVirusScan: VirusScanner = {
  scan: () => Promise.resolve({ clean: true, scanner: 'none' }),
};
