// The command table (src/cli/options.ts): each command's flags are typed from
// one declaration, and what a command receives holds only what it declares.
// The expectTypeOf lines are checked by `npm run typecheck`.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { COMMANDS, FLAGS, flagSyntax, pickGlobalOptions, pickOptions, type OptionsOf } from '../../src/cli/options.ts';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the command table', () => {
  it('types each command\'s options from its declared flags', () => {
    expectTypeOf<OptionsOf<'verify'>>().toEqualTypeOf<{ lessons?: string; file?: string; json?: boolean; wire?: boolean; timeline?: boolean }>();
    expectTypeOf<OptionsOf<'next'>>().toEqualTypeOf<{ lessons?: string }>();
    expectTypeOf<OptionsOf<'classroom'>>().toHaveProperty('port').toEqualTypeOf<string | undefined>();
    // A flag another command takes is not on this one's type.
    expectTypeOf<OptionsOf<'list'>>().not.toHaveProperty('file');
  });

  it('keeps only the declared flags, and checks their kind', () => {
    expect(pickOptions('list', { lessons: '/c', json: true, file: 'x.js' })).toEqual({ lessons: '/c', json: true });
    expect(pickOptions('verify', {})).toEqual({});
    expect(pickGlobalOptions({ lessons: '/c', json: true })).toEqual({ lessons: '/c' });
    expect(() => pickOptions('verify', { json: 'yes' })).toThrow(/--json: commander gave a string, the table declares a boolean/);
    expect(() => pickOptions('dev', { jobs: true })).toThrow(/--jobs/);
  });

  it('spells a flag from its one declaration, or from a command\'s own argument name', () => {
    expect(flagSyntax('file')).toBe('--file <path>');
    expect(flagSyntax('json')).toBe('--json');
    expect(flagSyntax('name', COMMANDS.classroom.options.name)).toBe('--name <text>');
    expect(flagSyntax('name', COMMANDS.join.options.name)).toBe('--name <name>');
  });

  it('every declared flag is used by some command, and every command has its module', () => {
    const used = new Set<string>(['lessons']);
    for (const spec of Object.values(COMMANDS)) for (const name of Object.keys('options' in spec ? spec.options : {})) used.add(name);
    expect([...used].sort()).toEqual(Object.keys(FLAGS).sort());
    const modules = readdirSync(join(ROOT, 'src', 'cli', 'commands')).map((file) => file.replace(/\.ts$/, ''));
    for (const name of Object.keys(COMMANDS)) expect(modules).toContain(name);
  });

  it('no command module redeclares flags (they come from OptionsOf)', () => {
    const dir = join(ROOT, 'src', 'cli', 'commands');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/\blessons\?: string/);
      expect(source, file).not.toMatch(/^(export )?interface \w*Flags \{/m);
    }
  });
});
