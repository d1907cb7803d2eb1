// multipart/form-data, for the one form that uploads a file (the logo). Reads at most
// `limit` bytes; the app-wide body parser handles only url-encoded forms and JSON.
import type { Context } from 'koa';
import { FoyerError } from '../errors.ts';

export interface Upload {
  fields: Record<string, string>;
  files: { field: string; filename: string; contentType: string; data: Buffer }[];
}

export async function readMultipart(ctx: Context, limit: number): Promise<Upload> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(ctx.get('content-type'));
  if (!ctx.is('multipart/form-data') || !m)
    throw new FoyerError('upload_invalid', 400, 'Send the file from the upload form (multipart/form-data).');
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new FoyerError('upload_too_large', 413, 'The file is too large.', { kb: Math.floor(limit / 1024) });
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const out: Upload = { fields: {}, files: [] };
  let pos = body.indexOf(boundary);
  while (pos !== -1) {
    const start = pos + boundary.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const headEnd = body.indexOf('\r\n\r\n', start);
    const next = body.indexOf(boundary, headEnd);
    if (headEnd === -1 || next === -1) break;
    const head = body.subarray(start + 2, headEnd).toString('utf8');
    const data = body.subarray(headEnd + 4, next - 2);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
    if (name !== undefined) {
      if (filename !== undefined)
        out.files.push({ field: name, filename, contentType: type.trim(), data: Buffer.from(data) });
      else out.fields[name] = data.toString('utf8');
    }
    pos = next;
  }
  return out;
}
