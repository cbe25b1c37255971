// What a lesson's check.ts is written against. A check module imports only types
// from here (`import type { LessonChecks } from 'httpdojo/check'`), so an
// instructor's course runs without httpdojo installed beside it; everything a check
// uses at run time arrives in its context.
//
// A check says what it sends and what it expects. The engine supplies deadlines,
// transcripts, crash handling, restarts and locations.
export {};
