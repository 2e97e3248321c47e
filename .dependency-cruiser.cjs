/**
 * The layering of src/, checked by `npm run lint` (docs/architecture.md, "Layers"): a folder imports only
 * folders of lower layers, never one of its own layer or above, and no module imports itself round a cycle
 * (type-only imports count too: they are the same coupling).
 *
 * Violations that remain are listed below, each with its reason, as exceptions for that one import; anything
 * else against the layering fails the lint.
 */

/** Lowest first. A folder may import the folders of the layers below its own. */
const LAYERS = [
  ['core'],
  ['identifiers'], // check digits and formats of identifiers: a leaf over core
  ['logging', 'store', 'xml'],
  ['soap', 'config'],
  ['smev'],
  ['signature', 'timestamp'],
  ['sample-pki'], // issues the sample participants' keys and certificates; nothing below it issues any
  ['audit'],
  ['registry'],
  ['providers'],
  ['queue', 'attachments', 'messagelog', 'client'],
  ['exchange'],
  ['mail', 'reports'],
  ['console'], // beside server: server/app.ts mounts it, so it sits just under it and imports nothing of it
  ['server'],
  ['gateway.ts'], // the composition root
  ['cli'],
];

/** Known imports against the layering: `from` imports `to` (file paths under src/), and why it is left so. */
const KNOWN_UPWARD = [];

/**
 * Known cycles: the modules of each group may import each other round a cycle; a cycle through any module
 * outside its group still fails. None at present.
 */
const KNOWN_CYCLES = [];

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A layer entry as a path pattern: a folder `x` is `src/x/…`, a file `x.ts` is `src/x.ts`. */
const pattern = (entry) => (entry.endsWith('.ts') ? `^src/${escapeRegex(entry)}$` : `^src/${entry}/`);
const topOf = (path) => path.split('/')[0];
/** One file under src/, exactly. */
const file = (path) => `^${escapeRegex(`src/${path}`)}$`;

const layerRules = LAYERS.flatMap((layer, i) =>
  layer.map((entry) => {
    const notAllowed = LAYERS.slice(i)
      .flat()
      .filter((e) => e !== entry);
    return { entry, notAllowed: notAllowed.map(pattern).join('|') };
  }),
).filter((rule) => rule.notAllowed !== ''); // the top layer may import anything

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle ties its modules into one: break it by moving the shared piece down (src/core/).',
      from: { path: '^src/', pathNot: KNOWN_CYCLES.flatMap((group) => group.modules.map(file)) },
      to: { circular: true },
    },
    ...KNOWN_CYCLES.map((group) => ({
      name: 'no-circular',
      severity: 'error',
      comment: `a known cycle among ${group.modules.join(', ')} may not take in any other module`,
      from: { path: group.modules.map(file) },
      to: { circular: true, via: { pathNot: group.modules.map(file).join('|') } },
    })),
    ...layerRules.map(({ entry, notAllowed }) => ({
      name: `layer-${entry}`,
      severity: 'error',
      comment: `src/${entry} imports only lower layers (docs/architecture.md, "Layers")`,
      from: {
        path: pattern(entry),
        pathNot: KNOWN_UPWARD.filter((k) => topOf(k.from) === entry).map((k) => file(k.from)),
      },
      to: { path: notAllowed },
    })),
    // A file with a known exception keeps every other rule of its layer.
    ...[...new Set(KNOWN_UPWARD.map((k) => k.from))].map((from) => ({
      name: `layer-${topOf(from)}`,
      severity: 'error',
      comment: `src/${topOf(from)} imports only lower layers; known exceptions listed in KNOWN_UPWARD`,
      from: { path: file(from) },
      to: {
        path: layerRules.find((r) => r.entry === topOf(from)).notAllowed,
        pathNot: KNOWN_UPWARD.filter((k) => k.from === from).map((k) => file(k.to)),
      },
    })),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // `.js` specifiers name the `.ts` sources (NodeNext).
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
