/** What `run` writes to this process's stdout while it runs; stdout is given back afterwards, whatever `run` does. */
export async function captureStdout(run: () => Promise<unknown>): Promise<string> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    await run();
  } finally {
    process.stdout.write = write;
  }
  return stdout;
}
