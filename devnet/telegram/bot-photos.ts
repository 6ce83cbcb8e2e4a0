import type { IncomingMessage } from 'node:http';

/**
 * `sendPhoto` for the Telegram Bot API simulator: the photo uploaded as multipart/form-data (a file part named
 * `photo`, or `photo=attach://<part>` naming the file part, as grammY sends it), optional `caption`. The bytes are
 * kept so tests can look at the image; only PNG and JPEG are accepted (Telegram answers IMAGE_PROCESS_FAILED
 * for what it cannot read).
 */
export interface SimulatedPhoto {
  message_id: number;
  chat_id: string;
  caption: string | null;
  bytes: Buffer;
  width: number;
  height: number;
  at: number;
  bot_id: string;
}

interface Part {
  name: string;
  filename: string | null;
  data: Buffer;
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Splits a multipart/form-data body; tolerant of header case and spacing, as Telegram's server is. */
export function parseMultipart(body: Buffer, contentType: string): Part[] | null {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return null;
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: Part[] = [];
  let start = body.indexOf(delimiter);
  if (start < 0) return null;
  while (true) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) return null;
    // each part: CRLF, headers, CRLF CRLF, data, CRLF before the next delimiter
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return null;
    const headers = part.subarray(0, split).toString('utf8');
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) return null;
    const filename = /filename="?([^";\r\n]*)"?/i.exec(headers)?.[1] ?? null;
    parts.push({ name, filename, data: part.subarray(split + 4) });
    start = next;
  }
  return parts;
}

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function imageSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length >= 24 && bytes.subarray(0, 8).equals(PNG))
    return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
  if (bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { width: 0, height: 0 };
  return null;
}

export type PhotoAnswer =
  { status: 200; photo: Omit<SimulatedPhoto, 'message_id' | 'at' | 'bot_id'> } | { status: 400; description: string };

export async function readPhotoRequest(req: IncomingMessage): Promise<PhotoAnswer> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data'))
    return { status: 400, description: 'Bad Request: there is no photo in the request' };
  const parts = parseMultipart(await readRaw(req), type);
  if (!parts) return { status: 400, description: 'Bad Request: invalid request body' };
  const field = (name: string) => parts.find((p) => p.name === name && p.filename === null)?.data.toString('utf8');
  const chat = field('chat_id');
  if (!chat) return { status: 400, description: 'Bad Request: chat_id is empty' };
  if (!/^(-?\d+|@\w{5,32})$/.test(chat)) return { status: 400, description: 'Bad Request: chat not found' };
  const reference = field('photo');
  const attached = reference?.startsWith('attach://') ? reference.slice('attach://'.length) : null;
  const file = parts.find((p) => p.filename !== null && p.name === (attached ?? 'photo'));
  if (!file) return { status: 400, description: 'Bad Request: there is no photo in the request' };
  const size = imageSize(file.data);
  if (!size) return { status: 400, description: 'Bad Request: IMAGE_PROCESS_FAILED' };
  const caption = field('caption') ?? null;
  if (caption !== null && [...caption].length > 1024)
    return { status: 400, description: 'Bad Request: message caption is too long' };
  return { status: 200, photo: { chat_id: chat, caption, bytes: Buffer.from(file.data), ...size } };
}
