/** Last line of defence for text that may echo credentials (server messages, library errors). */
const SECRET_PATTERNS: RegExp[] = [
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\bya29\.[A-Za-z0-9._-]+/g, // Google OAuth access tokens
  /\b1\/\/[A-Za-z0-9._-]{20,}/g, // Google refresh tokens
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
];
// The value may start with a scheme word ("Basic ...", "Bearer ...") that must go too.
const SECRET_FIELDS =
  /\b(access_token|refresh_token|id_token|private_key|client_secret|authorization)(["']?\s*[:=]\s*["']?)(?:[A-Za-z]+\s+)?[^"',\s}]+/gi;

export function redact(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 8) out = out.split(secret).join('[REDACTED]');
  }
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, '[REDACTED]');
  return out.replace(SECRET_FIELDS, (_match, key: string, separator: string) => `${key}${separator}[REDACTED]`);
}

export function truncate(text: string, max = 300): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
