import { fileURLToPath } from 'node:url';

/**
 * Path of a photograph in test/fixtures/ (shipped with the package). This module sits one folder
 * below the package root as source (bench/) and two as build output (dist/bench/).
 */
export function fixturePath(name: string): string {
  const up = import.meta.url.includes('/dist/bench/') ? '../../' : '../';
  return fileURLToPath(new URL(`${up}test/fixtures/${name}`, import.meta.url));
}
