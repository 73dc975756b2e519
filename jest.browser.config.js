/** @type {import('jest').Config} */
// Real-browser tests (`npm run test:browser`): the same transform and database setup as
// `npm test`, but only test/browser/, which `npm test` skips because it needs Chromium.
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 120_000,
};
