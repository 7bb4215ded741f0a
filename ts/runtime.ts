/** Names the JavaScript runtime framekit runs in, e.g. "node 20.20.2", "bun 1.4.5", or the browser's user agent. */
export function runtimeName(): string {
  const g = globalThis as { Bun?: { version: string }; process?: { versions?: { node?: string } }; navigator?: { userAgent?: string } };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `node ${g.process.versions.node}`;
  return g.navigator?.userAgent ?? 'unknown';
}
