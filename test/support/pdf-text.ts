import { execFile } from 'node:child_process';

// Reads stdin, prints pdf-parse's text and page count as JSON. Its library file, not index.js,
// which runs a self-test when loaded as the main module.
const SCRIPT = `const chunks = []; process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
  const r = await require('pdf-parse/lib/pdf-parse.js')(Buffer.concat(chunks));
  process.stdout.write(JSON.stringify({ text: r.text, numpages: r.numpages }));
});`;

/**
 * A PDF's text, read by pdf-parse in a process of its own: its bundled pdf.js fails inside
 * Jest's module sandbox on Node 24 (UnknownErrorException), while the same PDF parses outside it.
 */
export function pdfText(data: Buffer): Promise<{ text: string; numpages: number }> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', SCRIPT], { cwd: `${__dirname}/../..`, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`pdf-parse failed: ${stderr || error.message}`)) : resolve(JSON.parse(stdout) as { text: string; numpages: number }),
    );
    child.stdin!.end(data);
  });
}
