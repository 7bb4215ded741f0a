// Audio capture in Chromium: the fake microphone (the speech fixture) through the AudioWorklet into a
// SampleRing over shared memory, resampled to 16 kHz by the WASM kernel, cut into audio frames.
import { AudioStream, captureAudio, createFramekit } from '../../dist/browser/browser.js';

async function check() {
  const out = { failures: [] };
  const fail = (m) => out.failures.push(m);
  const fk = await createFramekit({ shared: true, arenaBytes: 8 << 20 });
  out.isolated = globalThis.crossOriginIsolated;
  const stream = new AudioStream(fk, { size: 8 });
  const cap = await captureAudio(fk, { workletUrl: new URL('../../dist/browser/capture-worklet.js', import.meta.url) });
  out.sampleRate = cap.sampleRate;
  let frames = 0;
  let columns = 0;
  let maxRms = 0;
  let loud = 0;
  let expectStart = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    await new Promise((r) => setTimeout(r, 20));
    cap.pump(stream);
    for (let f = stream.next(); f; f = stream.next()) {
      if (f.startSample !== expectStart) fail(`frame at ${f.startSample}, expected ${expectStart}`);
      if (f.timestamp !== (f.startSample * 1e6) / 16000) fail(`timestamp ${f.timestamp} at sample ${f.startSample}`);
      expectStart += 512;
      const rms = f.level().rms;
      maxRms = Math.max(maxRms, rms);
      if (rms > 0.01) loud++;
      columns += f.mel().count;
      frames++;
      f.release();
    }
  }
  out.seconds = (performance.now() - t0) / 1000;
  out.frames = frames;
  out.columns = columns;
  out.maxRms = maxRms;
  out.loud = loud;
  out.dropped = cap.dropped();
  await cap.close();
  stream.dispose();
  return out;
}

check()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { error: String(e && e.stack ? e.stack : e) }))
  .finally(() => (window.__done = true));
