/** Keeps the dependency arrows of DESIGN.md honest; run by `npm run lint` in CI. */
module.exports = {
  forbidden: [
    {
      name: 'cli-not-server',
      severity: 'error',
      comment: 'anodectl installs without the server and its native dependencies',
      from: { path: '^cli/' },
      to: { path: '^server/' },
    },
    {
      name: 'shared-is-a-leaf',
      severity: 'error',
      comment: 'shared is imported by both sides and imports neither',
      from: { path: '^shared/' },
      to: { path: '^(server|cli)/' },
    },
    {
      name: 'pure-auth-and-policy',
      severity: 'error',
      comment: 'auth/ and policy/ are pure: no storage, no HTTP plane',
      from: { path: '^server/src/(auth/sigv4|policy)/' },
      to: { path: '^server/src/(metadata/sqlite|metadata/postgres|chunks|model|http|admin|obs)/' },
    },
    {
      name: 'model-below-planes',
      severity: 'error',
      comment: 'model/ serves every plane and knows none: its failures are ModelErrors each plane maps',
      from: { path: '^server/src/model/' },
      to: { path: '^server/src/(s3|admin)/' },
    },
    {
      name: 'handlers-use-interfaces',
      severity: 'error',
      comment: 'S3 and admin handlers reach storage through model/ and the interfaces, never an adapter',
      from: { path: '^server/src/(s3|admin)/' },
      to: { path: '^server/src/(metadata/(sqlite|postgres)|chunks/local-)' },
    },
    {
      name: 'only-main-picks-adapters',
      severity: 'error',
      comment: "model/object-test-rig.ts is the model tests' rig: it runs them on the real local adapters",
      from: {
        path: '^server/src/',
        pathNot: '^server/src/(main\\.ts|backup\\.ts|model/(reset-root|object-test-rig)\\.ts|metadata/|chunks/)',
      },
      to: { path: '^server/src/(metadata/sqlite|chunks/local-chunk-store)' },
    },
    {
      name: 'layers-not-planes',
      severity: 'error',
      comment:
        'lower layers throw their own typed errors and know nothing of the S3 or admin plane; each plane maps them at its edge (s3/error-map.ts, admin/errors.ts)',
      from: { path: '^server/src/((auth|policy|http|util|chunks|metadata|model)/|layer-errors\\.ts$)' },
      to: { path: '^server/src/(s3|admin)/' },
    },
    {
      name: 'chunks-not-metadata',
      severity: 'error',
      comment: 'the chunk store and the metadata store are independent; model/ (GC, readers, writers) is where they meet',
      from: { path: '^server/src/chunks/' },
      to: { path: '^server/src/metadata/' },
    },
    {
      name: 'metadata-not-chunks',
      severity: 'error',
      comment: 'metadata/ declares the chunk reference it stores itself (metadata/types.ts ChunkRef)',
      from: { path: '^server/src/metadata/' },
      to: { path: '^server/src/chunks/' },
    },
    {
      name: 'util-below-layers',
      severity: 'error',
      comment: 'util/ is the bottom layer: auth/, policy/ and http/ may use it, never the reverse',
      from: { path: '^server/src/util/' },
      to: { path: '^server/src/(auth|policy|http|model|chunks)/' },
    },
    { name: 'no-circular', severity: 'warn', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(dist/|\\.test\\.ts$)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
