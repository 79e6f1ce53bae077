import { describe, expect, it } from 'vitest';
import { baseName, shortCommand } from '../../../src/common/text.js';

describe('one baseName and one shortCommand for every face', () => {
  it('baseName keeps the last part of a path', () => {
    expect(baseName('/Users/op/Library/LaunchAgents/ai.cathedral.plist.bak')).toBe('ai.cathedral.plist.bak');
    expect(baseName('python3')).toBe('python3');
    expect(baseName('/usr/bin/')).toBe('');
  });

  it('shortCommand names argv[0] by its basename and keeps the rest as ps printed it', () => {
    expect(shortCommand('  /opt/homebrew/bin/python3 scripts/message-to-duckdb.py --db  a.duckdb ')).toBe('python3 scripts/message-to-duckdb.py --db  a.duckdb');
    expect(shortCommand('')).toBe('');
  });

  it('shortCommand cuts to the length asked for, with an ellipsis', () => {
    const long = `/usr/bin/node ${'x'.repeat(200)}`;
    expect(shortCommand(long)).toHaveLength(80);
    expect(shortCommand(long, 60)).toHaveLength(60);
    expect(shortCommand(long, 60).endsWith('…')).toBe(true);
  });
});
