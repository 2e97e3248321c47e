/** Which information system a signing certificate belongs to; the participant registry answers. */
import type { SystemRef } from '../core/ports.js';

export interface RegisteredSystem extends SystemRef {
  /** The system may exchange now: it is active and so is its participant. */
  readonly active: boolean;
  /** Why it may not, when it may not. */
  readonly why?: string;
}

export interface SystemDirectory {
  systemForCertificate(thumbprint: string): Promise<RegisteredSystem | undefined>;
}
