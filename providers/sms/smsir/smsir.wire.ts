import { z } from 'zod';
import { zJsonNumber } from '../../http/json.schemas.js';
import type { OtpRefusalReason } from '../sms.errors.js';

/**
 * sms.ir REST API v1 wire format for send/verify (OTP by template).
 *
 * Sources: apidocs.sms.ir (introduction: header `X-API-KEY`, `ACCEPT: application/json`; HTTP 200 success, 400
 * logical error, 401 authentication error, 429 too many requests, 500 unexpected error; every answer is
 * `{ "status", "message", "data" }` with `status` 1 = success), its "ارسال وریفای" section
 * (`POST https://api.sms.ir/v1/send/verify`, JSON `{ mobile, templateId, parameters: [{ name, value }] }`), the
 * official SDKs IPeCompany/SmsPanelV2.DotNet (`VerifySendResult { MessageId, Cost }`, README: mobile
 * "9120000000", one exception per HTTP status) and IPeCompany/smsir-php (`verifySend`), and the status-code table
 * at app.sms.ir/developer/help/statusCode (the codes below).
 */
export const PROVIDER = 'smsir';

export const verifyRequest = z.object({
  mobile: z.string(),
  templateId: z.number().int().positive(),
  parameters: z.array(z.object({ name: z.string(), value: z.string() })),
});
export type VerifyRequest = z.infer<typeof verifyRequest>;

/** A successful send: `{ status: 1, message: "موفق", data: { messageId, cost } }` (numbers read losslessly). */
export const verifyBody = z
  .object({
    status: zJsonNumber,
    message: z.string().nullable().optional(),
    data: z.object({ messageId: zJsonNumber, cost: zJsonNumber.optional() }).passthrough().nullable().optional(),
  })
  .passthrough();

/** The envelope of any answer, error answers included (`data` is null there). */
export const envelope = z.object({ status: z.number(), message: z.string().nullable().optional() });

export const SMSIR_SUCCESS = 1;
/** `status` 0: "your request met an error" (server side; retryable). 20: too many requests. */
export const SMSIR_SERVER_ERROR = 0;
export const SMSIR_TOO_MANY = 20;

/** sms.ir `status` codes (app.sms.ir/developer/help/statusCode) that refuse a verify send, by meaning. */
export const SMSIR_REFUSALS: Readonly<Record<number, OtpRefusalReason>> = {
  10: 'CREDENTIALS', // API key invalid
  11: 'CREDENTIALS', // API key disabled
  12: 'CREDENTIALS', // API key restricted to other IPs
  13: 'CREDENTIALS', // account disabled
  14: 'CREDENTIALS', // account suspended
  15: 'CREDENTIALS', // plan does not include the web service
  16: 'REQUEST', // a parameter value is wrong
  101: 'REQUEST', // line number invalid
  102: 'CREDIT', // credit insufficient
  103: 'REQUEST', // empty text
  104: 'RECIPIENT', // mobile invalid
  105: 'REQUEST', // too many mobiles
  107: 'RECIPIENT', // mobile list empty
  113: 'TEMPLATE', // template not found
  114: 'REQUEST', // a parameter value is longer than 25 characters
  115: 'RECIPIENT', // the number is on the blacklist
  116: 'TEMPLATE', // a template parameter was not given a value
  117: 'TEMPLATE', // text not approved
  118: 'REQUEST', // too many messages
  119: 'CREDENTIALS', // plan does not allow custom templates
  123: 'CREDENTIALS', // the sending line needs activation
};
