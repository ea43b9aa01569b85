import { ConnectionString, redactConnectionString } from 'mongodb-connection-string-url';
import { UsageError } from '../errors.js';

/** A user-supplied MongoDB URI, validated, with what the safety rails need to know. */
export interface TargetUri {
  /** The URI as given: pass it to the driver, never print it. */
  readonly raw: string;
  /** The URI with credentials replaced: safe to print, log and store in reports. */
  readonly redacted: string;
  /** Host names without ports, as written (SRV: the SRV name). */
  readonly hosts: readonly string[];
  /** The default database named in the URI path, if any. */
  readonly pathDatabase: string | undefined;
  /** True when every host is this machine (localhost, 127.0.0.0/8, ::1). */
  readonly loopback: boolean;
  /** Secrets found in the URI (password, key passwords): redacted from any text we print. */
  readonly secrets: readonly string[];
}

const loopbackHost = /^(localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

export function parseTargetUri(raw: string): TargetUri {
  let parsed: ConnectionString;
  try {
    parsed = new ConnectionString(raw);
  } catch (error) {
    // The parser's message never contains the password, but the input may: do not echo it.
    const reason = error instanceof Error ? error.message : String(error);
    throw new UsageError(`--uri is not a valid MongoDB connection string (${reason}); expected mongodb://host[:port]/[db]`);
  }
  const hosts = parsed.hosts.map((h: string) => hostWithoutPort(h));
  const secrets = [parsed.password, ...sensitiveParams(parsed)].map((s) => safeDecode(s)).filter((s): s is string => s.length > 0);
  const pathDatabase = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || undefined;
  return {
    raw,
    redacted: redactConnectionString(raw),
    hosts,
    pathDatabase,
    loopback: !parsed.isSRV && hosts.length > 0 && hosts.every((h) => loopbackHost.test(h)),
    secrets,
  };
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function sensitiveParams(parsed: ConnectionString): string[] {
  const names = ['tlsCertificateKeyFilePassword', 'proxyPassword', 'authMechanismProperties'];
  return names.map((n) => parsed.searchParams.get(n) ?? '');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const uriWithCredentials = /(mongodb(?:\+srv)?:\/\/)[^@\s/]+@/gi;

/**
 * Removes credentials from any text we are about to show or store: URIs with a user
 * part, and the literal secrets of the target URI (drivers sometimes echo them).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(uriWithCredentials, '$1<credentials>@');
  for (const secret of secrets) {
    // One- and two-character secrets would mangle ordinary words; URIs are caught above.
    if (secret.length < 3) continue;
    out = out.split(secret).join('<credentials>');
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) out = out.split(encoded).join('<credentials>');
  }
  return out;
}

/** Database names MongoDB accepts (no separators, no NUL, 1..63 bytes). */
export function validateDatabaseName(name: string): string {
  if (name.length === 0 || Buffer.byteLength(name) > 63 || /[/\\. "$*<>:|?\0]/.test(name)) {
    throw new UsageError(`--db "${name}" is not a valid database name: use 1–63 characters without / \\ . " $ * < > : | ? or spaces`);
  }
  if (['admin', 'local', 'config'].includes(name)) {
    throw new UsageError(`--db "${name}" is a system database: name the application's database`);
  }
  return name;
}
