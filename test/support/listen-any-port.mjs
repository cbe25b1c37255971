// Dev aid (not used by the engine): preload with
//   node --import ./node_modules/tsx/dist/loader.mjs --import ./test/support/listen-any-port.mjs server.ts
// Every TCP listen() binds a free 127.0.0.1 port instead, and the port is printed
// to stderr as "LISTENING <port>", so several people can try programs that all
// call listen(3000) at once.
import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  const isPath = typeof first === 'string' && !/^\d+$/.test(first) || (first && typeof first === 'object' && 'path' in first);
  if (!isPath) {
    const cb = args.find((a) => typeof a === 'function');
    this.once('listening', () => process.stderr.write(`LISTENING ${this.address().port}\n`));
    return cb ? listen.call(this, 0, '127.0.0.1', cb) : listen.call(this, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
