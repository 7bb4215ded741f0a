/** Names the JavaScript runtime framekit runs in, e.g. "node 20.20.2", "bun 1.4.5", or the browser's user agent. */
export function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; process?: { versions?: { node?: string } }; navigator?: { userAgent?: string } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `node ${g.process.versions.node}`;
  return g.navigator?.userAgent ?? 'unknown';
}

/**
 * Whether this runs on JavaScriptCore (Bun, Safari and every iOS browser). It and V8 compile some
 * WebAssembly SIMD shuffles very differently (a two-input shuffle is one x86 instruction under V8
 * and three under JavaScriptCore; a constant single-input swizzle the other way round), so a few
 * kernels carry both forms and take the one this engine compiles best.
 */
export function isJavaScriptCore(): boolean {
  const g = globalThis as { Bun?: unknown; navigator?: { userAgent?: string } };
  if (g.Bun) return true;
  const ua = g.navigator?.userAgent ?? '';
  return /AppleWebKit/.test(ua) && !/(Chrome|Chromium|Edg|OPR)\//.test(ua);
}
