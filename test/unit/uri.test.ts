import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseTargetUri, redactText, validateDatabaseName } from '../../src/mongo/uri.js';

describe('parseTargetUri', () => {
  it.each([
    ['mongodb://localhost:27017', true],
    ['mongodb://127.0.0.1:27017,127.0.0.2:27018/?replicaSet=rs0', true],
    ['mongodb://[::1]:27017', true],
    ['mongodb://db.example.com:27017', false],
    ['mongodb://localhost,db.example.com', false],
    ['mongodb+srv://cluster0.example.net', false],
  ])('%s is loopback: %s', (uri, loopback) => {
    expect(parseTargetUri(uri).loopback).toBe(loopback);
  });

  it('keeps the database named in the path', () => {
    expect(parseTargetUri('mongodb://h/meeshy-staging?authSource=admin').pathDatabase).toBe('meeshy-staging');
    expect(parseTargetUri('mongodb://h/').pathDatabase).toBeUndefined();
  });

  it('redacts the password and remembers it as a secret', () => {
    const uri = parseTargetUri('mongodb://alice:s3cr%40t@db.example.com/app');
    expect(uri.redacted).not.toContain('s3cr');
    expect(uri.redacted).toContain('db.example.com');
    expect(uri.secrets).toContain('s3cr@t');
  });

  it.each(['http://localhost', 'mongodb://', 'localhost:27017', 'mongodb://u:p@'])(
    'rejects %s as a usage error without echoing it',
    (raw) => {
      expect(() => parseTargetUri(raw)).toThrow(UsageError);
      try {
        parseTargetUri(raw);
      } catch (error) {
        expect((error as Error).message).toMatch(/--uri is not a valid MongoDB connection string/);
        expect((error as Error).message).not.toContain('u:p@');
      }
    },
  );
});

describe('redactText', () => {
  it('removes credentials from URIs and literal secrets anywhere in a text', () => {
    const text = 'failed to reach mongodb://bob:hunter22@db:27017/x; password hunter22 rejected';
    const out = redactText(text, ['hunter22']);
    expect(out).not.toContain('hunter22');
    expect(out).toContain('mongodb://<credentials>@db:27017/x');
  });
});

describe('validateDatabaseName', () => {
  it.each(['', 'a.b', 'a b', 'x'.repeat(64), 'admin', 'local'])('refuses %j', (name) => {
    expect(() => validateDatabaseName(name)).toThrow(UsageError);
  });
  it('accepts ordinary names', () => {
    expect(validateDatabaseName('meeshy-staging')).toBe('meeshy-staging');
  });
});
