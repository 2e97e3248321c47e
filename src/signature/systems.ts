/** Which information system a signing certificate belongs to; the participant registry answers. */
import type { SystemRef } from '../exchange/dependencies.js';

export interface SystemDirectory {
  systemForCertificate(thumbprint: string): Promise<SystemRef | undefined>;
}
