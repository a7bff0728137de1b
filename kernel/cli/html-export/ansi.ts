/**
 * Streams and tracebacks keep their ANSI colours (ansi_up turns SGR codes into styled spans and
 * escapes the text); other escape sequences are dropped.
 */
import { AnsiUp } from 'ansi_up';

export function ansiToHtml(text: string): string {
  const a = new AnsiUp();
  a.use_classes = false;
  return a.ansi_to_html(text);
}

export function stripAnsi(s: string): string {
  return s.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}
