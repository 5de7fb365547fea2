// A new assignment is announced with a repeating tone and vibration until the crew confirms
// receipt (RFS017): like an alarm at the central, it does not go quiet on its own.

let ctx: AudioContext | null = null;
let timer: number | undefined;

function beep(): void {
  try {
    ctx ??= new AudioContext();
    if (ctx.state === "suspended") void ctx.resume();
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "square";
    osc.frequency.value = 880;
    gain.gain.value = 0.25;
    osc.connect(gain).connect(ctx.destination);
    osc.start();
    osc.frequency.setValueAtTime(660, ctx.currentTime + 0.25);
    osc.stop(ctx.currentTime + 0.5);
  } catch {
    /* no audio device: the vibration and the red bar still tell */
  }
  navigator.vibrate?.([400, 150, 400]);
}

export function ring(): void {
  if (timer !== undefined) return;
  beep();
  timer = window.setInterval(beep, 2500);
}

export function silence(): void {
  window.clearInterval(timer);
  timer = undefined;
  navigator.vibrate?.(0);
}

export function ringing(): boolean {
  return timer !== undefined;
}

/** Browsers start audio only after a touch: the first touch unlocks it. */
export function unlockOnTouch(): void {
  const unlock = () => {
    ctx ??= new AudioContext();
    void ctx.resume();
  };
  window.addEventListener("pointerdown", unlock, { once: true });
}
