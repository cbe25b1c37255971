// The shapes of the events src/engine/probe/probe.ts writes to the channel.
// The probe cannot import this file (it imports nothing of ours), so the two are
// kept in step by hand and by the engine tests.
export {};
