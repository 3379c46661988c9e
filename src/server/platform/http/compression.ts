import { constants } from 'node:zlib';
import compress from '@fastify/compress';
import type { FastifyInstance } from 'fastify';

/**
 * Answers are compressed for clients that accept it: JSON and CSV shrink seven to seventeen times
 * (a trace of 1,000 origins with its graph: 787 KB → 46 KB), which is what a phone on a weak mobile
 * network, or a district office sharing one slow link, feels. Brotli where the client offers it
 * (browsers do over HTTPS), gzip otherwise. Both at a low level: on a two-core server the database
 * shares, 2 ms per 787 KB is affordable where the highest levels cost fifty times more for a few
 * per cent.
 *
 * Request bodies are not decompressed: a compressed body is refused like any body that is not JSON,
 * and no client of OpenASM sends one.
 *
 * Answers that carry a secret (a session or machine token) are never compressed: a compressed
 * secret next to text an attacker can inject leaks through the answer's length (BREACH). Such
 * routes say `compress: false` (see SECRET_ROUTE).
 *
 * The built web client is not compressed here: its files are compressed once, at build time, and
 * served as they are (web-client.ts).
 */
export async function registerCompression(app: FastifyInstance): Promise<void> {
  await app.register(compress, {
    global: true,
    globalDecompression: false,
    encodings: ['br', 'gzip'],
    threshold: 1024,
    brotliOptions: { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } },
    zlibOptions: { level: 4 },
  });
}

/** Route options of an answer that holds a secret: never compressed (see registerCompression). */
export const SECRET_ROUTE = { compress: false } as const;
