import { describe, expect, test } from 'bun:test';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '../helpers/index.js';

const main = fileURLToPath(new URL('../../ts/cli/main.ts', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [main, 'faces', ...args], { encoding: 'utf8' });

describe('framekit faces', () => {
  test('an image: one JSON document with the face, its box and six landmarks', () => {
    const r = cli(fixturePath('astronaut.png'), '--json');
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { width: number; height: number; faces: Array<Record<string, number | number[][]>> };
    expect(doc.width).toBe(512);
    expect(doc.faces.length).toBe(1);
    const f = doc.faces[0]! as { x: number; y: number; width: number; height: number; score: number; landmarks: number[][] };
    expect(Object.keys(f)).toEqual(['x', 'y', 'width', 'height', 'score', 'landmarks']);
    expect(Math.abs(f.x + f.width / 2 - 225.5)).toBeLessThan(6); // Human's centre (see faces.test.ts)
    expect(f.landmarks.length).toBe(6);
  }, 60_000);

  test('a video: one JSON line per frame; the face moves as the crop window pans', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fk-faces-cli-'));
    const video = join(dir, 'pan.mkv');
    // 8 frames of a 320x320 window moving 10 px right per frame across the astronaut photograph.
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-loop',
      '1',
      '-framerate',
      '10',
      '-i',
      fixturePath('astronaut.png'),
      '-vf',
      "crop=320:320:'n*10':0,format=yuv420p",
      '-frames:v',
      '8',
      '-c:v',
      'ffv1',
      video,
    ]);
    const r = cli(video, '--json');
    expect(r.status).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { frame: number; faces: Array<{ x: number; width: number }> });
    expect(lines.map((l) => l.frame)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const cx = lines.map((l) => {
      expect(l.faces.length).toBe(1);
      return l.faces[0]!.x + l.faces[0]!.width / 2;
    });
    for (let i = 1; i < cx.length; i++) expect(Math.abs(cx[i - 1]! - cx[i]! - 10)).toBeLessThan(3);
    expect(r.stderr).toContain('8 frames, 8 faces');
  }, 120_000);

  test('bad input: missing file, bad option, corrupt model: a message and a non-zero exit, nothing on stdout', () => {
    const missing = cli('/nonexistent.png', '--json');
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe('');
    const bad = cli(fixturePath('astronaut.png'), '--variant', 'sideways');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--variant');
    const model = cli(fixturePath('astronaut.png'), '--model', fixturePath('camera.png'));
    expect(model.status).toBe(1);
    expect(model.stderr).toContain('E_MODEL');
    expect(model.stdout).toBe('');
  }, 60_000);
});
