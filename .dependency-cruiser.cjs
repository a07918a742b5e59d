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
      from: { path: '^server/src/', pathNot: '^server/src/(main\\.ts|model/reset-root\\.ts|metadata/|chunks/)' },
      to: { path: '^server/src/(metadata/sqlite|chunks/local-chunk-store)' },
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
