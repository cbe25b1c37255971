// pitfall: not-using-http-module
// httpdojo passes the URL to fetch as the first program argument.
const url = process.argv[2];

async function main(): Promise<void> {
  try {
    const res = await fetch(url); // BUG: global fetch is Node's built-in undici client, not node:http
    if (!res.ok) {
      console.error(`HTTP ${res.status}`);
      process.exitCode = 1;
      await res.body?.cancel();
      return;
    }
    process.stdout.write(await res.text());
  } catch (err) {
    console.error(`Error: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

main();
