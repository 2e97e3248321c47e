/**
 * The official SMEV 3 schemas and WSDLs the wire format is judged against (`shared/smev3-xsd/` beside the project).
 * Found by an absolute path so that a clone anywhere on this machine reads the same copy; `SMEV3_XSD` names
 * another place.
 */
export const OFFICIAL_XSD = process.env['SMEV3_XSD'] ?? '/work/shared/smev3-xsd';
