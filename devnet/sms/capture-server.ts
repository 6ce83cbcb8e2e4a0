import { readRequestBody, sendJson, startSimulatorServer } from '../http/simulator.server.js';

/** What a client sent: enough to check the wire format (method, path, headers, raw body). */
export interface CapturedRequest {
  method: string;
  path: string;
  search: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface CapturedAnswer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * A server for client tests: records each request with its body and answers from `answers` in order (the last
 * one repeats). Used with the providers' documented example bodies (providers/sms/<name>/fixtures).
 */
export async function startCaptureServer(
  ...answers: CapturedAnswer[]
): Promise<{ url: string; seen: CapturedRequest[]; close(): Promise<void> }> {
  const seen: CapturedRequest[] = [];
  const server = await startSimulatorServer(async (req, res, url) => {
    seen.push({
      method: req.method ?? '',
      path: url.pathname,
      search: url.search,
      headers: req.headers,
      body: await readRequestBody(req),
    });
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)];
    if (!answer) return sendJson(res, 404, { error: 'Not Found' });
    sendJson(res, answer.status, answer.body, answer.headers);
  });
  return { url: server.url, seen, close: () => server.close() };
}
