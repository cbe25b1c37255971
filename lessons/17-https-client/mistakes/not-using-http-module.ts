// pitfall: not-using-http-module
import { readFileSync } from 'node:fs';

async function main(): Promise<void> {
  const [url, caFile] = process.argv.slice(2);
  // Read, but fetch() has no option to take it in Node 20.
  const ca = readFileSync(caFile, 'utf8');
  try {
    const res = await fetch(url); // BUG: fetch cannot be given the lesson's CA: it refuses the test server ("fetch failed")
    if (!res.ok) {
      console.error(`HTTP ${res.status}`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(await res.text());
  } catch (err) {
    console.error(`Error: ${(err as Error).message} (${ca.length} bytes of CA unused)`);
    process.exitCode = 1;
  }
}

void main();
