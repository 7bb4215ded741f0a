import { AudioStream, EnergySegmenter, captureAudio, type Framekit } from '../browser.js';

/** What the strip reports (read by the page's stats and by tests through `window.__demo`). */
export interface MelStripState {
  /** 'on at N Hz', or why the strip is off. */
  audio: string;
  audioFrames: number;
  melColumns: number;
  /** The energy detector's state for the last frame (no voice-activity model in the demo). */
  speech: boolean;
  speechFrames: number;
}

const BANDS = 80;

/** Log10 mel energy to a colour: dark blue for silence (-8 and below) to yellow at +1. */
function colour(v: number, px: Uint8ClampedArray, o: number): void {
  const t = Math.min(1, Math.max(0, (v + 8) / 9));
  px[o] = 255 * t;
  px[o + 1] = 220 * Math.sqrt(t);
  px[o + 2] = 140 * (1 - t) + 40;
  px[o + 3] = 255;
}

/**
 * The microphone as a live mel strip: capture through the AudioWorklet into the shared memory,
 * 16 kHz frames with their mel columns, one pixel column per 10 ms scrolling right to left in
 * `canvas` (80 px tall, low bands at the bottom), and `indicator` lit while the energy detector
 * hears speech. Runs on animation frames, beside the video loop.
 */
export async function startMelStrip(
  fk: Framekit,
  canvas: HTMLCanvasElement,
  indicator: HTMLElement,
  workletUrl: URL,
  state: MelStripState,
): Promise<void> {
  const stream = new AudioStream(fk, { size: 8 });
  const cap = await captureAudio(fk, { workletUrl });
  state.audio = `on, ${cap.sampleRate} Hz to 16 kHz`;
  const seg = new EnergySegmenter();
  canvas.height = BANDS;
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#000';
  g.fillRect(0, 0, canvas.width, canvas.height);
  const column = g.createImageData(1, BANDS);
  const tick = () => {
    cap.pump(stream);
    for (let f = stream.next(); f; f = stream.next()) {
      const mel = f.mel()!;
      for (let i = 0; i < mel.count; i++) {
        g.drawImage(canvas, -1, 0);
        for (let b = 0; b < BANDS; b++) colour(mel.at(i, b), column.data, 4 * (BANDS - 1 - b));
        g.putImageData(column, canvas.width - 1, 0);
      }
      seg.push(f);
      state.speech = seg.speaking;
      if (seg.speaking) state.speechFrames++;
      state.audioFrames++;
      state.melColumns += mel.count;
      f.release();
    }
    indicator.style.background = state.speech ? '#3c3' : '#333';
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
