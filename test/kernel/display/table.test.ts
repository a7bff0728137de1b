import { describe, expect, it } from 'vitest';
import pl from 'nodejs-polars';
import { tableBundle, toTabular, formatCell } from '../../../kernel/display/table';
import { toDataFrame } from '../../../kernel/display/dataframe';
import { requestTable } from '../../../engine/index';
import { sampleRequests } from '../../engine/arrow/samples';

describe('table displays', () => {
  it('renders row objects with every column, escaped', () => {
    const b = tableBundle([{ a: 1, b: '<x>' }, { a: 2.5, c: true }]);
    const html = b.data['text/html'] as string;
    expect(html).toContain('2 rows × 3 columns');
    expect(html).toContain('&lt;x&gt;');
    expect(html).not.toContain('<x>');
    expect(b.data['text/plain']).toBe('table: 2 rows × 3 columns\n     a    b     c\n0    1  <x>      \n1  2.5       true');
  });

  it('elides the middle of long tables, keeping head and tail', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ i }));
    const html = tableBundle(rows, { maxRows: 8 }).data['text/html'] as string;
    expect(html).toContain('… 92 more rows …');
    expect(html).toContain('<td style="text-align:right">5</td>');
    expect(html).not.toContain('<td style="text-align:right">6</td>');
    expect(html).toContain('<td style="text-align:right">99</td>');
  });

  it('reads Arrow tables, danfo and polars frames alike', () => {
    const t = requestTable(sampleRequests());
    const fromArrow = toTabular(t);
    expect(fromArrow.columns[0]).toBe('request_id');
    expect(fromArrow.row(1).slice(0, 2)).toEqual(['req-1', 'RUNNING']);
    const df = toDataFrame(t);
    expect(toTabular(df).row(2)[0]).toBe('req-2');
    expect(toTabular(df).row(0)[2]).toBe(0); // arrival_us as integer µs
    const pdf = pl.DataFrame({ x: [1, 2], y: ['p', 'q'] });
    expect(tableBundle(pdf).data['text/plain']).toContain('2 rows × 2 columns');
  });

  it('shows Arrow durations as integer µs, typed duration[us] in the header', () => {
    const t = requestTable(sampleRequests());
    const tab = toTabular(t);
    const j = tab.columns.indexOf('first_token_us');
    expect(tab.types![j]).toBe('duration[us]');
    expect(tab.row(0)[j]).toBe(61_250n);
    expect(tab.row(2)[j]).toBeNull();
    const b = tableBundle(t);
    expect(b.data['text/html']).toContain('<th title="duration[us]">first_token_us</th>');
    expect(b.data['text/html']).toContain('>61250</td>');
    expect(b.data['text/plain']).toMatch(/first_token_us[\s\S]*61250/);
    expect(tab.types![tab.columns.indexOf('status')]).toBe('dictionary<string>');
  });

  it('formats numbers compactly and rejects what is not tabular', () => {
    expect(formatCell(1 / 3)).toBe('0.333333');
    expect(formatCell(1e-7)).toBe('1.0000e-7');
    expect(formatCell(10n)).toBe('10');
    expect(formatCell(null)).toBe('');
    expect(() => tableBundle(42)).toThrow(/rows must be an array of row objects, an apache-arrow Table or a DataFrame, got number/);
    expect(() => tableBundle([1, 2])).toThrow(/rows must be an array of row objects/);
    expect(() => tableBundle([{ a: 1 }], { maxRows: 0 })).toThrow(/maxRows/);
  });
});
