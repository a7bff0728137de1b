/**
 * Since protocol 5.2, `cursor_pos` and `cursor_start`/`cursor_end` count Unicode code points,
 * while JavaScript strings index UTF-16 code units; these convert between the two.
 */

export function codePointsToUtf16(text: string, cursorPos: number): number {
  let units = 0;
  let points = 0;
  while (points < cursorPos && units < text.length) {
    const c = text.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < text.length ? 2 : 1;
    points++;
  }
  return units;
}

export function utf16ToCodePoints(text: string, index: number): number {
  let points = 0;
  for (let units = 0; units < index && units < text.length; points++) {
    const c = text.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < text.length ? 2 : 1;
  }
  return points;
}
