/**
 * Audit and recovery: derive one custody address from a mnemonic.
 *
 *   WALLET_MNEMONIC="…" npm run -s wallet:derive -- --network TON --index 0
 *   echo "…" | npm run -s wallet:derive -- --network ETH --index 7
 *
 * Prints exactly one JSON line {"network","index","path","address"} on stdout. Never prints the
 * mnemonic, the seed or a key. Usage errors and an invalid mnemonic exit 2 with a message on stderr.
 */
import { derivationPath, deriveAddress } from '../custody/derivation.js';
import { mnemonicToSeed, validateMnemonic } from '../custody/mnemonic.js';
import { DERIVE_USAGE, parseDeriveArgs, UsageError, type DeriveArgs } from './derive.args.js';
import { readSecretInput } from './secret-input.js';
import { runCommand } from './run-command.js';

async function main(): Promise<number> {
  let args: DeriveArgs;
  try {
    args = parseDeriveArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`wallet:derive: ${error.message}\n${DERIVE_USAGE}\n`);
    return 2;
  }
  const fromEnv = process.env.WALLET_MNEMONIC;
  const mnemonic =
    fromEnv !== undefined && fromEnv.trim() !== ''
      ? fromEnv
      : await readSecretInput('mnemonic (not echoed), then Enter: ');
  if (mnemonic.trim() === '') {
    process.stderr.write(`wallet:derive: no mnemonic given\n${DERIVE_USAGE}\n`);
    return 2;
  }
  if (!validateMnemonic(mnemonic)) {
    // Say what is wrong without repeating any of it.
    process.stderr.write(
      'wallet:derive: the mnemonic is not a valid English BIP39 phrase (unknown word or bad checksum)\n',
    );
    return 2;
  }
  const seed = await mnemonicToSeed(mnemonic);
  try {
    const address = deriveAddress(seed, args.network, args.index);
    const line = JSON.stringify({
      network: args.network,
      index: args.index,
      path: derivationPath(args.network, args.index),
      address,
    });
    process.stdout.write(`${line}\n`);
    return 0;
  } finally {
    seed.fill(0);
  }
}

runCommand('wallet:derive', main);
