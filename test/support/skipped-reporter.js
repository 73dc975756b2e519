// Ends every `npm test` with what did not run, and why, so a skipped test is never mistaken
// for a passed one. The reason is the title of the skipped describe block (e.g. the Redis
// tests' "needs Redis — Redis is not reachable at …").
class SkippedReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.testResults.flatMap((file) =>
      file.testResults
        .filter((t) => t.status === 'pending' || t.status === 'skipped' || t.status === 'todo')
        .map((t) => ({ file: require('node:path').relative(process.cwd(), file.testFilePath), test: t })),
    );
    const out = process.stderr;
    if (!skipped.length) {
      out.write(`\nAll ${results.numTotalTests} tests ran; none was skipped.\n`);
      return;
    }
    const line = '!'.repeat(78);
    out.write(`\n${line}\n${skipped.length} TEST${skipped.length > 1 ? 'S' : ''} DID NOT RUN (skipped):\n`);
    const byReason = new Map();
    for (const { file, test } of skipped) {
      const why = test.ancestorTitles[0] ?? 'marked skip';
      const key = `${file}\n    why: ${why}`;
      if (!byReason.has(key)) byReason.set(key, []);
      byReason.get(key).push(test.title);
    }
    for (const [where, titles] of byReason) {
      out.write(`  ${where}\n${titles.map((t) => `    - ${t}\n`).join('')}`);
    }
    out.write(`${line}\n`);
  }
}

module.exports = SkippedReporter;
