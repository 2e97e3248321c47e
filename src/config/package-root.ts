/**
 * Files shipped with the package (schemas, WSDL, sample PKI) are found next to the installed code, not in the
 * working directory, so `smev-gateway` works from any folder.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json: this file runs as dist/src/config/package-root.js. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const packageFile = (relative: string): string => join(PACKAGE_ROOT, relative);
