/**
 * Reads a secret for an operator command: stdin to the end when it is a pipe or file, or on a terminal
 * one line typed without echo (Enter or Ctrl-D ends it, Backspace edits, Ctrl-C aborts). The buffers
 * read are zeroed; the returned string cannot be (a JavaScript string), so callers keep it short-lived.
 */
export async function readSecretInput(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const joined = Buffer.concat(chunks);
    const text = joined.toString('utf8');
    joined.fill(0);
    for (const chunk of chunks) chunk.fill(0);
    return text;
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  const typed: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        for (const byte of chunk) {
          if (byte === 0x0d || byte === 0x0a || byte === 0x04) {
            stdin.off('data', onData);
            chunk.fill(0);
            resolve();
            return;
          }
          if (byte === 0x03) {
            stdin.off('data', onData);
            chunk.fill(0);
            reject(new Error('interrupted'));
            return;
          }
          if (byte === 0x7f || byte === 0x08) typed.pop();
          else typed.push(byte);
        }
        chunk.fill(0);
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
  const bytes = Buffer.from(typed);
  typed.fill(0);
  const text = bytes.toString('utf8');
  bytes.fill(0);
  return text;
}
