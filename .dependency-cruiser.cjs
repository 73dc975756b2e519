/**
 * The layering of src/ (issue #15), checked in CI by `npm run depcheck`:
 *
 *   src/common  <-  src/modules/*  <-  src/app (composition root: schema, context, gateway), src/jobs, src/cli, src/main.ts
 *
 * Violations that existed when the check was introduced are listed in
 * .dependency-cruiser-known-violations.json; CI fails on any violation not in that list. Burn the
 * list down by moving code, and regenerate it (`npm run depcheck:baseline`) only to remove fixed
 * entries, never to admit new ones.
 *
 * Type-only imports count: they couple modules just as much for a reader.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'common-depends-on-nothing',
      comment: 'src/common holds money, errors, ids, pagination, transactions: it imports no other part of src/.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/', pathNot: '^src/common/' },
    },
    {
      name: 'no-other-modules-resolver',
      comment:
        "A module never imports another module's resolver: what a resolver file exports that others need " +
        '(rules, loaders, helpers) belongs in a non-resolver file of its module.',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/.+\\.resolver\\.ts$', pathNot: '^src/modules/$1/' },
    },
    {
      name: 'no-module-cycle',
      comment:
        'Module folders depend on each other one way only: no cycle of imports between src/modules/A and src/modules/B ' +
        '(through any number of files or other modules).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/modules/([^/]+)' },
      to: { path: '^src/modules/[^/]+', pathNot: '^src/modules/$1(/|$)', circular: true },
    },
    {
      name: 'modules-not-to-app',
      comment:
        'src/app is the composition root (server, schema, request context): it imports modules, modules do not import it. ' +
        'What modules need from it (context type, loaders, data source, limits) should move below the modules.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^src/app/' },
    },
    {
      name: 'modules-not-to-jobs',
      comment: 'Scheduled jobs call modules; modules do not import jobs.',
      severity: 'error',
      from: { path: '^src/modules/' },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle between files (type-only imports excluded: TypeORM entity pairs reference each other by type).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing is a typo or a missing package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dep',
      comment: 'Production code (src/) does not import devDependencies: they are not installed in the image.',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'], pathNot: ['node_modules/@types/'] },
    },
    {
      name: 'no-non-package-json',
      comment: 'Every package src/ imports is declared in package.json (not just present through another package).',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|node_modules|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
