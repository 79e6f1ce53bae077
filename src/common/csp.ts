/**
 * The popover's Content-Security-Policy. index.html carries the same policy in a meta tag; the
 * app's page protocol (app://warden, src/main/app-protocol.ts) and `warden serve` send it as a
 * header too, where frame-ancestors (ignored in a meta tag) also applies.
 */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

export const RENDERER_CSP_HEADER = `${RENDERER_CSP}; frame-ancestors 'none'`;
