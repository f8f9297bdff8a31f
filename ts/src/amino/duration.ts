// Go's time.Duration text, which flashbackd's amino JSON uses for durations
// ("720h0m0s"): the node formats with Go's Duration.String, so the client
// must produce the very same text (the signature covers it).

const NS_PER_S = 1_000_000_000n;

/** fmtFrac prints v / 10^prec without trailing zeros (Go's fmtFrac). */
function frac(v: bigint, prec: number): string {
  const unit = 10n ** BigInt(prec);
  const whole = v / unit;
  let f = (v % unit).toString().padStart(prec, "0").replace(/0+$/, "");
  return f === "" ? whole.toString() : `${whole}.${f}`;
}

/** Formats seconds + nanos as Go's time.Duration.String() does. */
export function formatGoDuration(seconds: bigint | string | number, nanos: number): string {
  let d = BigInt(seconds) * NS_PER_S + BigInt(nanos);
  if (d === 0n) return "0s";
  const neg = d < 0n;
  if (neg) d = -d;
  let out: string;
  if (d < NS_PER_S) {
    if (d < 1_000n) out = `${d}ns`;
    else if (d < 1_000_000n) out = `${frac(d, 3)}µs`;
    else out = `${frac(d, 6)}ms`;
  } else {
    const secs = frac(d % (60n * NS_PER_S), 9);
    let mins = d / (60n * NS_PER_S);
    out = `${secs}s`;
    if (mins > 0n) {
      const hours = mins / 60n;
      mins %= 60n;
      out = `${mins}m${out}`;
      if (hours > 0n) out = `${hours}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const UNITS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, "µs": 1_000n, "μs": 1_000n, ms: 1_000_000n, s: NS_PER_S, m: 60n * NS_PER_S, h: 3600n * NS_PER_S,
};

/** Parses Go's duration syntax ("720h", "1h30m", "1.5s") into seconds and nanos. */
export function parseGoDuration(text: string): { seconds: string; nanos: number } {
  let s = text.trim();
  let neg = false;
  if (s.startsWith("-") || s.startsWith("+")) {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return { seconds: "0", nanos: 0 };
  const re = /^(\d+)(?:\.(\d+))?(ns|us|µs|μs|ms|s|m|h)/;
  let total = 0n;
  if (s === "") throw new Error(`invalid duration "${text}"`);
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) throw new Error(`invalid duration "${text}"`);
    const unit = UNITS[m[3]];
    total += BigInt(m[1]) * unit;
    if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
    s = s.slice(m[0].length);
  }
  if (neg) total = -total;
  const seconds = total / NS_PER_S;
  const nanos = Number(total - seconds * NS_PER_S);
  return { seconds: seconds.toString(), nanos };
}
