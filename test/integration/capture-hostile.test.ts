/**
 * Untrusted input the CLI reports on: a capture with an impossible time or an HTTP record
 * missing its fields, and capture or config text carrying terminal escapes into the error
 * message. Each is one clear line, exit 2, naming the sample; no escape reaches the terminal.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(REPO, 'dist/cli/warden.js');
const run = promisify(execFile);
const dir = mkdtempSync(path.join(os.tmpdir(), 'warden-capture-hostile-'));
const ESCAPES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

beforeAll(async () => {
  if (!existsSync(CLI)) await run(process.execPath, ['scripts/build.mjs'], { cwd: REPO });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function warden(...args: string[]): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, [CLI, ...args], { env: { ...process.env, WARDEN_HOME: dir, NO_COLOR: '1' }, timeout: 60_000 }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
  );
}

const host = '"host":{"platform":"linux","arch":"x64","hostname":"h","uid":1,"createdAt":1000}';
const sample = (at: string, http = '[]') => `{"at":${at},"commands":[],"files":[],"http":${http}}`;

describe('captures that lie', () => {
  it.each([
    ['a time of 1e300', `{"format":"warden-capture","version":1,${host},"samples":[${sample('1000')},${sample('1e300')}]}`, /^warden: \S+ is malformed at samples\.1\.at: must be <= 8640000000000000 \(sample 2 of 2\)\n$/],
    ['an HTTP record with no result fields', `{"format":"warden-capture","version":1,${host},"samples":[${sample('1000', '[{"method":"GET","url":"http://127.0.0.1:1/","result":{}}]')}]}`, /^warden: \S+ is malformed at samples\.0\.http\.0\.result: must have required property 'status' \(sample 1 of 1\)\n$/],
    ['an HTTP status of "200"', `{"format":"warden-capture","version":1,${host},"samples":[${sample('1000', '[{"method":"GET","url":"http://x/","result":{"status":"200","latencyMs":1,"timedOut":false,"error":null,"headers":{},"body":"","bodyTruncated":false}}]')}]}`, /malformed at samples\.0\.http\.0\.result\.status: must be integer,null \(sample 1 of 1\)\n$/],
    ['a file read with no content field', `{"format":"warden-capture","version":1,${host},"samples":[{"at":1000,"commands":[],"files":[{"op":"read","path":"/proc/meminfo","result":{"exists":true,"error":null}}],"http":[]}]}`, /malformed at samples\.0\.files\.0\.result: must have required property 'content' \(sample 1 of 1\)\n$/],
  ])('%s: exit 2 naming the sample, no stack trace', async (name, text, message) => {
    const file = path.join(dir, `${name.replace(/\W/g, '')}.json`);
    writeFileSync(file, text);
    const { code, stderr } = await warden('status', '--replay', file);
    expect({ code, stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  }, 60_000);
});

describe('escapes in what an error message quotes', () => {
  it('a capture that is not JSON, starting with escapes: the JSON.parse snippet reaches the terminal as plain text', async () => {
    const file = path.join(dir, 'escapes.json');
    writeFileSync(file, '\u001b]0;pwned\u0007\u001b[2J\u202e{ not json');
    const { code, stderr } = await warden('status', '--replay', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/is not valid JSON/);
    expect(stderr.slice(0, -1)).not.toMatch(ESCAPES);
  }, 60_000);

  it('a config whose unknown key and bad value carry escapes: named, as plain text', async () => {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ '\u001b[31mevil\u001b]0;t\u0007': 1, services: [{ name: 'x', url: 'ftp://\u001b[2J\u202e' }] }));
    const { code, stderr } = await warden('status', '--config', file);
    expect(code).toBe(2);
    expect(stderr).toMatch(/has an unknown field "\[31mevil\]0;t"|has an unknown field "evil"/);
    expect(stderr.slice(0, -1).replaceAll('\n', '')).not.toMatch(ESCAPES);
  }, 60_000);
});
