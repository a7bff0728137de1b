// plot()'s figure hygiene: plotly.js 3 ignores string titles, so they become { text }; layout
// keys unknown to plotly.js's own schema are reported once per key.
import { describe, expect, it, vi } from 'vitest';
import { normaliseFigure, isKnownLayoutKey, resetLayoutWarnings } from '../../../kernel/display/figure-hygiene';
import { plotlyBundle, PLOTLY_MIME } from '../../../kernel/display/plotly';
import { PLOTLY_LAYOUT_KEYS } from '../../../kernel/display/plotly-layout-keys.generated';

describe('figure hygiene', () => {
  it('turns string titles of the figure, 2-D and 3-D axes, legends, colour bars and pies into { text }', () => {
    const fig = {
      data: [
        { type: 'heatmap', z: [[1]], colorbar: { title: 'err' } },
        { type: 'scatter', marker: { colorbar: { title: 'm' } } },
        { type: 'pie', values: [1, 2], title: 'share' },
      ],
      layout: {
        title: 'Figure', xaxis: { title: 'step' }, yaxis2: { title: 'ms', side: 'right' }, legend: { title: 'runs' },
        scene: { zaxis: { title: 'z' } }, polar: { radialaxis: { title: 'r' } }, coloraxis: { colorbar: { title: 'c' } },
        yaxis: { title: { text: 'already', font: { size: 10 } } },
      },
    };
    const frozen = JSON.stringify(fig);
    const out = normaliseFigure(fig, () => {});
    const l = out.layout as Record<string, any>;
    expect(l.title).toEqual({ text: 'Figure' });
    expect(l.xaxis.title).toEqual({ text: 'step' });
    expect(l.yaxis2).toEqual({ title: { text: 'ms' }, side: 'right' });
    expect(l.yaxis.title).toEqual({ text: 'already', font: { size: 10 } });
    expect(l.legend.title).toEqual({ text: 'runs' });
    expect(l.scene.zaxis.title).toEqual({ text: 'z' });
    expect(l.polar.radialaxis.title).toEqual({ text: 'r' });
    expect(l.coloraxis.colorbar.title).toEqual({ text: 'c' });
    const d = out.data as Record<string, any>[];
    expect(d[0]!.colorbar.title).toEqual({ text: 'err' });
    expect(d[1]!.marker.colorbar.title).toEqual({ text: 'm' });
    expect(d[2]!.title).toEqual({ text: 'share' });
    expect(JSON.stringify(fig)).toBe(frozen); // the caller's figure is untouched
  });

  it('the bundle every front end renders carries the normalised titles', () => {
    const b = plotlyBundle({ data: [{ y: [1, 2] }], layout: { title: 'T', xaxis: { title: 'x' } } }, { embedLibrary: false, divId: 'd' });
    expect((b.data[PLOTLY_MIME] as { layout: unknown }).layout).toEqual({ title: { text: 'T' }, xaxis: { title: { text: 'x' } } });
    expect(b.data['text/html']).toContain('"title":{"text":"T"}');
    expect(b.data['text/plain']).toBe('Figure(1 trace: scatter; "T")');
  });

  it('warns once per unknown layout key, naming it; subplot suffixes and trace layout keys are known', () => {
    resetLayoutWarnings();
    const warn = vi.fn();
    const fig = { data: [], layout: { titel: 'x', xaxis2: {}, legend3: {}, barmode: 'stack', boxgap: 0.1, height: 300 } };
    normaliseFigure(fig, warn);
    normaliseFigure(fig, warn);
    normaliseFigure({ data: [], layout: { xaxis1: {} } }, warn);
    expect(warn.mock.calls.map((c) => c[0])).toEqual([
      'plot(): layout.titel is not a layout attribute of plotly.js 3.7.0; plotly ignores it',
      'plot(): layout.xaxis1 is not a layout attribute of plotly.js 3.7.0; plotly ignores it',
    ]);
    expect(isKnownLayoutKey('yaxis12')).toBe(true);
    expect(isKnownLayoutKey('hovermode')).toBe(true);
    expect(isKnownLayoutKey('editType')).toBe(false);
    expect(PLOTLY_LAYOUT_KEYS.length).toBeGreaterThan(60);
  });
});
