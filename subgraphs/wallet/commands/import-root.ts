/**
 * Recovery: make a BIP39 phrase the active custody root (admin command; see subgraphs/wallet/README.md).
 *
 *   npm run -s wallet:import-root < phrase.txt
 *   npm run -s wallet:import-root -- --replace --confirm hdr_… < phrase.txt
 *
 * Prints one JSON line {"outcome","rootId","fingerprint","wordCount","retiredRootId"}; never the phrase.
 * Exit 0 done (also when the phrase already is the active root), 2 refused (usage, invalid phrase,
 * another active root without a matching --replace --confirm), 1 failure (e.g. a wrong master key).
 */
import 'reflect-metadata';
import { loadOrExit, walletCommandsProcess } from '../../../platform/config/config.js';
import { InvalidMnemonicError } from '../custody/index.js';
import { ActiveRootExistsError, ReplaceConfirmationError } from '../custody-root/custody-root.errors.js';
import { IMPORT_ROOT_USAGE, parseImportRootArgs, UsageError, type ImportRootArgs } from './custody.args.js';
import { openCustodyRuntime } from './custody.runtime.js';
import { runCommand } from './run-command.js';
import { readSecretInput } from './secret-input.js';

async function main(): Promise<number> {
  let args: ImportRootArgs;
  try {
    args = parseImportRootArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`wallet:import-root: ${error.message}\n${IMPORT_ROOT_USAGE}\n`);
    return 2;
  }
  const config = loadOrExit(walletCommandsProcess);
  const phrase = await readSecretInput('custody root phrase (not echoed), then Enter: ');
  if (phrase.trim() === '') {
    process.stderr.write(`wallet:import-root: no phrase on stdin\n${IMPORT_ROOT_USAGE}\n`);
    return 2;
  }
  const runtime = await openCustodyRuntime(config, 'wallet:import-root');
  try {
    const result = await runtime.vault.importRoot(runtime.orm.em.fork(), phrase, args);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return 0;
  } catch (error) {
    if (
      error instanceof InvalidMnemonicError ||
      error instanceof ActiveRootExistsError ||
      error instanceof ReplaceConfirmationError
    ) {
      process.stderr.write(`wallet:import-root: ${error.message}\n`);
      return 2;
    }
    throw error;
  } finally {
    await runtime.close();
  }
}

runCommand('wallet:import-root', main);
