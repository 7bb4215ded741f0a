import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { BEGIN, END, README, renderHowFast, withSection } from '../../bench/readme.js';

describe('README "How fast" is what bench/readme.ts writes from the committed JSON', () => {
  test('the section between the markers equals `npm run bench:readme` output', () => {
    const readme = readFileSync(README, 'utf8');
    expect(readme.split(BEGIN).length).toBe(2);
    expect(readme.split(END).length).toBe(2);
    // A figure typed by hand, or JSON committed without regenerating README, fails here.
    expect(readme).toBe(withSection(readme, renderHowFast()));
  });

  test('no figure in "How fast" outside the markers', () => {
    const readme = readFileSync(README, 'utf8');
    const section = readme.slice(readme.indexOf('## How fast'), readme.indexOf('\n## ', readme.indexOf('## How fast') + 1));
    expect(section).toContain(BEGIN);
    const outside = section.slice(0, section.indexOf(BEGIN)) + section.slice(section.indexOf(END) + END.length);
    expect(outside.match(/\d/g)).toBeNull();
  });
});
