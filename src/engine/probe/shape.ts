// A wrapper would give itself away by its `name` and `length` (`fs.readFile.name` is
// 'readFile', not 'patchedFsCallback'): it takes the original's. Identity still
// differs (`fs.readFile !== originalReadFile` kept from before the preload), which
// no program can observe without having run first.

import childProcess from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import stream from 'node:stream';

type Method = (...args: unknown[]) => unknown;

export interface Originals {
  methods: Map<object, Map<string, Method>>;
  fetch: unknown;
}

/** Before any patch: what each function the probe may patch was, to give its wrapper the same shape. */
export function originalsBeforePatching(): Originals {
  return {
    methods: methodsOf([process, JSON, fs, fs.promises, crypto, childProcess, stream, stream.promises,
      stream.Readable.prototype, net.Server.prototype, net.Socket.prototype, http.Server.prototype,
      http.IncomingMessage.prototype, http.ServerResponse.prototype, http.Agent.prototype, http.ClientRequest.prototype]),
    fetch: globalThis.fetch,
  };
}

/** After the patches: every wrapper gets the name and length of the function it replaced. */
export function keepShapes(originals: Originals): void {
  for (const [owner, byKey] of originals.methods) {
    for (const [key, original] of byKey) {
      const descriptor = Object.getOwnPropertyDescriptor(owner, key);
      if (descriptor && typeof descriptor.value === 'function' && descriptor.value !== original) keepShape(descriptor.value, original);
    }
  }
  const originalFetch = originals.fetch;
  if (typeof originalFetch === 'function' && globalThis.fetch !== originalFetch) keepShape(globalThis.fetch, originalFetch as Method);
}

/** Every function-valued data property of each owner, own or inherited (the nearest wins). */
function methodsOf(owners: object[]): Map<object, Map<string, Method>> {
  const result = new Map<object, Map<string, Method>>();
  for (const owner of owners) {
    const byKey = new Map<string, Method>();
    // Bounded: a prototype chain ends at Object.prototype.
    for (let level: object | null = owner; level && level !== Object.prototype; level = Object.getPrototypeOf(level)) {
      for (const key of Object.getOwnPropertyNames(level)) {
        const descriptor = Object.getOwnPropertyDescriptor(level, key);
        if (!byKey.has(key) && descriptor && typeof descriptor.value === 'function') byKey.set(key, descriptor.value as Method);
      }
    }
    result.set(owner, byKey);
  }
  return result;
}

function keepShape(wrapper: unknown, original: Method): void {
  for (const property of ['name', 'length']) {
    const descriptor = Object.getOwnPropertyDescriptor(original, property);
    if (descriptor) Object.defineProperty(wrapper as object, property, descriptor);
  }
}
