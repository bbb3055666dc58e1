// Guest text made safe for a terminal or a log: control characters (C0 except those kept, DEL, C1)
// become visible `\xNN` / `\u{NN}` escapes, so a process name or a line of guest output cannot move
// the cursor, recolour or retitle the user's terminal. A program's own stdout under `pakaya run` is
// the one place guest bytes pass through raw.

// Matches every C0 control, DEL and every C1 control (U+0080..U+009F).
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// The same without tab and newline.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function escapeOne(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** One-line text (a name in a table): every control character escaped, tab and newline included. */
export function printable(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** Multi-line text (tagged output, reports): control characters escaped, tab and newline kept. */
export function printableLines(text: string): string {
  return text.replace(CONTROL_BUT_LAYOUT, escapeOne);
}
