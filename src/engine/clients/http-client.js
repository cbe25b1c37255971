// Requests as checks think of them: method, path, headers, body. Built on a raw
// Connection, so every byte is under control and in the transcript.
import { Connection, NoResponseError, totalBytes } from './connection.js';
export class HttpClient {
    port;
    transcript;
    signal;
    constructor(port, transcript, signal) {
        this.port = port;
        this.transcript = transcript;
        this.signal = signal;
    }
    /** A new connection to the learner's server, for driving bytes by hand. */
    connect(timeoutMs = 2000) {
        return Connection.open(this.port(), this.transcript, { timeoutMs, signal: this.signal });
    }
    get(target, options = {}) {
        return this.request('GET', target, options);
    }
    async request(method, target, options = {}) {
        const parts = options.body === undefined ? [] : Array.isArray(options.body) ? options.body : [options.body];
        const bodyBytes = totalBytes(parts);
        const headers = { Host: `127.0.0.1:${this.port()}` };
        if (parts.length > 0) {
            if (options.chunked)
                headers['Transfer-Encoding'] = 'chunked';
            else
                headers['Content-Length'] = String(bodyBytes);
        }
        for (const [name, value] of Object.entries(options.headers ?? {})) {
            const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase());
            if (existing)
                delete headers[existing];
            if (value !== null)
                headers[name] = value;
        }
        const head = `${method} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
        const summary = { method, target, headers, bodyBytes, bodyPreview: previewParts(parts) };
        const connection = options.connection ?? (await this.connect());
        connection.methods.push(method);
        const timeoutMs = options.timeoutMs ?? 2000;
        const bodyParts = options.chunked ? toChunked(parts) : parts;
        let responded = false;
        let sentBeforeResponse = -1;
        const bodyStart = () => connection.sentBytes;
        try {
            await connection.write(Buffer.from(head, 'latin1'));
            const startBytes = bodyStart();
            let response;
            let sentWholeBody;
            if (options.readWhileSending) {
                const sending = connection.send(bodyParts, () => responded, this.signal);
                const reading = connection.readResponse({ timeoutMs, signal: this.signal }).then((r) => {
                    responded = true;
                    return r;
                });
                // The head may arrive before the whole response: note how much body had gone by then.
                const watchHead = setInterval(() => {
                    if (sentBeforeResponse < 0 && connection.partialResponse)
                        sentBeforeResponse = connection.sentBytes - startBytes;
                }, 5);
                try {
                    response = await reading;
                }
                finally {
                    clearInterval(watchHead);
                    responded = true;
                }
                if (sentBeforeResponse < 0)
                    sentBeforeResponse = connection.sentBytes - startBytes;
                sentWholeBody = await sending;
            }
            else {
                sentWholeBody = await connection.send(bodyParts, () => false, this.signal);
                sentBeforeResponse = connection.sentBytes - startBytes;
                response = await connection.readResponse({ timeoutMs, signal: this.signal });
            }
            const text = response.body.toString('utf8');
            return {
                ...response,
                text,
                json: parseJson(text),
                request: summary,
                connection,
                sentBeforeResponse,
                sentWholeBody,
            };
        }
        catch (error) {
            if (error instanceof NoResponseError)
                Object.assign(error, { request: summary });
            throw error;
        }
        finally {
            if (!options.keepOpen)
                connection.destroy();
        }
    }
}
function toChunked(parts) {
    const chunked = [];
    for (const part of parts) {
        if (typeof part === 'object' && 'pauseMs' in part) {
            chunked.push(part);
            continue;
        }
        const size = typeof part === 'string' ? Buffer.byteLength(part) : Buffer.isBuffer(part) ? part.length : part.size;
        if (size === 0)
            continue;
        chunked.push(`${size.toString(16)}\r\n`, part, '\r\n');
    }
    chunked.push('0\r\n\r\n');
    return chunked;
}
function parseJson(text) {
    if (text.trim() === '')
        return undefined;
    try {
        return JSON.parse(text);
    }
    catch {
        return undefined;
    }
}
function previewParts(parts) {
    // Decode the byte parts together: a character split across two parts is whole again.
    const pieces = [];
    let bytes = [];
    const flush = () => {
        if (bytes.length)
            pieces.push(Buffer.concat(bytes).toString('utf8'));
        bytes = [];
    };
    for (const part of parts) {
        if (typeof part === 'string')
            bytes.push(Buffer.from(part));
        else if (Buffer.isBuffer(part))
            bytes.push(part);
        else if ('size' in part) {
            flush();
            pieces.push(`<${part.size} bytes of ${JSON.stringify(part.fill ?? 'x')}>`);
        }
    }
    flush();
    const text = pieces.join('');
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
