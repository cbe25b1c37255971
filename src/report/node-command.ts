// A `node -e` one-liner that sends a check's bytes at their recorded times
// (reproduce.ts uses it where curl cannot: pauses, a character cut across writes).

import type { ReplayStep } from './replay-steps.js';

/** Bytes as a JavaScript string literal of Latin-1 characters: printable ASCII as it is, the rest \xNN (no ' for the shell). */
export function jsBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x22 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x27) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `"${out}"`;
}

/**
 * A `node -e` one-liner: each step at its recorded time (so the check's pauses
 * and its waits for an answer are kept), received bytes to stdout, what happened
 * to each connection to stderr; exits 56 after a reset, as curl does.
 */
export function nodeCommand(steps: ReplayStep[], port: number): string {
  // Pauses need no step: every step waits for its recorded time, and for the
  // bytes the check had received on its connection first (2 s at most; or until
  // what did come has been quiet for 200 ms: the answer can differ in length).
  const code = { connect: 'c', write: 'w', close: 'x' } as const;
  const list = steps
    .filter((step) => step.op !== 'pause')
    .map((step) => {
      const data = step.op === 'write' ? jsBytes(step.data as Buffer) : step.afterReceived ? '0' : '';
      return `[${step.atMs},${step.connection},"${code[step.op as keyof typeof code]}"${data ? `,${data}` : ''}${step.afterReceived ? `,${step.afterReceived}` : ''}]`;
    })
    .join(',');
  const script =
    `const net=require("net"),S={},R={},L={},T=Date.now(),P=${port},w=m=>new Promise(r=>setTimeout(r,m));` +
    `const say=(n,m)=>process.stderr.write("\\n["+n+"] "+m+" at +"+(Date.now()-T)+" ms\\n");` +
    `(async()=>{for(const[at,n,op,d,r=0]of[${list}]){await w(at-(Date.now()-T));` +
    `for(const u=Date.now()+2000;S[n]&&!S[n].destroyed&&(R[n]||0)<r&&!(R[n]&&Date.now()-L[n]>200)&&Date.now()<u;)await w(10);` +
    `if(op=="c"){const s=S[n]=net.connect(P,"127.0.0.1");s.on("data",b=>{R[n]=(R[n]||0)+b.length;L[n]=Date.now();process.stdout.write(b)});` +
    `s.on("error",e=>{say(n,e.code);if(e.code=="ECONNRESET")process.exitCode=56});s.on("close",()=>say(n,"closed"))}` +
    `else if(op=="w")S[n].write(Buffer.from(d,"latin1"));else if(op=="x"&&!S[n].destroyed){say(n,"we close it");S[n].destroy()}}` +
    `setTimeout(()=>{for(const s of Object.values(S))s.destroy()},3000).unref()})()`;
  return `node -e '${script}'`;
}
