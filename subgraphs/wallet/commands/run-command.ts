/**
 * Runs a command's main and sets the exit code it returns; an unexpected failure prints the error's class and
 * message only (they name roots and key ids, never a phrase, seed or key) and exits 1.
 */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `${name}: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unexpected failure'}\n`,
      );
      process.exitCode = 1;
    },
  );
}
