import { randomBytes } from 'node:crypto';
import { serviceCredentialHash } from '../../../platform/config/secrets.js';

/**
 * npm run -s bot:credential
 * A fresh service credential for the Telegram bot: BOT_SERVICE_CREDENTIAL goes to the bot alone, its sha256
 * (BOT_SERVICE_CREDENTIAL_SHA256) to identity, which never sees the credential itself. Printed to stdout once,
 * for the operator to put in the two services' secret stores; nothing is written anywhere.
 */
const credential = `bsc_${randomBytes(32).toString('base64url')}`;
process.stdout.write(
  `BOT_SERVICE_CREDENTIAL=${credential}\nBOT_SERVICE_CREDENTIAL_SHA256=${serviceCredentialHash(credential)}\n`,
);
