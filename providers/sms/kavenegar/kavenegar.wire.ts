import { z } from 'zod';
import { zJsonNumber } from '../../http/json.schemas.js';
import type { OtpRefusalReason } from '../sms.errors.js';

/**
 * Kavenegar REST wire format for verify/lookup (OTP by template).
 *
 * Sources: kavenegar.com/rest.html (request `POST https://api.kavenegar.com/v1/{API-KEY}/verify/lookup.json`,
 * form fields `receptor`, `template`, `token` [, `token2`, `token3`, `type` = sms | call]; every answer is
 * `{ "return": { "status", "message" }, "entries": … }`, `return.status` 200 = accepted, other values are the
 * error table); the official SDKs kavenegar/kavenegar-go (`verify_lookup.go`, `client.go`: form-encoded POST, a
 * non-200 HTTP status carries the same `return` envelope; `message.go`: the entry fields) and
 * kavenegar/kavenegar-php (`VerifyLookup`, README sample entry).
 */
export const PROVIDER = 'kavenegar';

/** An entry of `entries` (messageid is an integer; read losslessly and kept as its exact text). */
const entry = z
  .object({
    messageid: zJsonNumber,
    status: zJsonNumber.optional(),
    statustext: z.string().optional(),
    receptor: z.string().optional(),
    cost: zJsonNumber.optional(),
  })
  .passthrough();

export const returnEnvelope = z.object({ status: zJsonNumber, message: z.string() });

/** A successful lookup: `return.status` 200 and at least one entry. */
export const lookupBody = z
  .object({ return: returnEnvelope, entries: z.array(entry).nullable().optional() })
  .passthrough();

export type LookupBody = z.infer<typeof lookupBody>;

/** Any Kavenegar answer: only the envelope (error answers carry `entries: null` or none). */
export const errorBody = z.object({ return: z.object({ status: z.number(), message: z.string() }) });

/**
 * Kavenegar's `return.status` codes (kavenegar.com/rest.html, error table), by what they mean for an OTP.
 * 409 ("the server cannot answer now, try later") is the only retryable one; every other code is a refusal.
 */
export const KAVENEGAR_REFUSALS: Readonly<Record<number, OtpRefusalReason>> = {
  400: 'REQUEST', // parameters incomplete
  401: 'CREDENTIALS', // account disabled
  402: 'REQUEST', // operation failed
  403: 'CREDENTIALS', // API key invalid
  404: 'REQUEST', // unknown method
  405: 'REQUEST', // GET/POST wrong
  406: 'REQUEST', // required parameters empty
  407: 'CREDENTIALS', // access to this information not allowed (IP not allowed)
  411: 'RECIPIENT', // receptor invalid
  412: 'REQUEST', // sender invalid
  413: 'REQUEST', // message empty or too long
  414: 'REQUEST', // request too large
  416: 'CREDENTIALS', // caller IP does not match the registered one
  417: 'REQUEST', // date invalid
  418: 'CREDIT', // account credit insufficient
  419: 'REQUEST', // array sizes differ
  422: 'REQUEST', // invalid characters in the data
  424: 'TEMPLATE', // template not found or not approved
  426: 'CREDENTIALS', // method needs the advanced service
  428: 'TEMPLATE', // a call needs a digits-only token
  431: 'REQUEST', // token malformed (spaces, newlines, underscores, separators)
  432: 'TEMPLATE', // the template has no %token parameter
};

/** `return.status` 409: "the server cannot answer, try again later". */
export const KAVENEGAR_BUSY = 409;
