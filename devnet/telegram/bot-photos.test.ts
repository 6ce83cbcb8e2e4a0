import { describe, expect, it } from 'vitest';
import { parseMultipart } from './bot-photos.js';

describe('multipart/form-data parsing', () => {
  it('reads fields and file parts, binary bytes intact, with headers as grammY writes them (no spaces, any case)', () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x0d, 0x0a, 0xff]);
    const body = Buffer.concat([
      Buffer.from('--XyZ\r\ncontent-disposition:form-data;name="chat_id"\r\n\r\n42\r\n--XyZ\r\n'),
      Buffer.from('Content-Disposition: form-data; name="photo"\r\n\r\nattach://abc\r\n--XyZ\r\n'),
      Buffer.from(
        'content-disposition:form-data;name="abc";filename=qr.png\r\ncontent-type:application/octet-stream\r\n\r\n',
      ),
      png,
      Buffer.from('\r\n--XyZ--\r\n'),
    ]);
    const parts = parseMultipart(body, 'multipart/form-data; boundary=XyZ')!;
    expect(parts.map((p) => [p.name, p.filename])).toEqual([
      ['chat_id', null],
      ['photo', null],
      ['abc', 'qr.png'],
    ]);
    expect(parts[0]!.data.toString()).toBe('42');
    expect(parts[2]!.data.equals(png)).toBe(true);
  });

  it('refuses a body without its boundary', () => {
    expect(parseMultipart(Buffer.from('nothing'), 'multipart/form-data; boundary=XyZ')).toBeNull();
    expect(parseMultipart(Buffer.from('--XyZ--'), 'multipart/form-data')).toBeNull();
  });
});
