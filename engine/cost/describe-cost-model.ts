/**
 * `describeCostModel(hardware)`: one row per cost constant (value, unit, provenance) for a notebook
 * table. On a GPU other than the one the calibration measured, the measured kernel-class constants are
 * shown as derived: the H100 fit's efficiencies with that GPU's datasheet peaks (hardware-presets.ts).
 */
import { hardwarePreset, type HardwarePreset } from '../presets/hardware-presets';
import { DEFAULT_COST_CONSTANTS, withCostOverrides, type CostConstants } from './cost-constants';
import { costConstantProvenance } from './cost-provenance';

export interface CostModelRow {
  readonly constant: string;
  readonly value: number;
  readonly unit: string;
  readonly provenance: 'measured' | 'derived' | 'sourced' | 'assumed';
  readonly detail: string;
}

function unitOf(name: string): string {
  if (name.endsWith('Seconds')) return 's';
  if (name.endsWith('Rows') || name.endsWith('Tokens')) return 'tokens';
  if (name.endsWith('PerLayer')) return 'count';
  if (name === 'activationBytes') return 'bytes';
  return 'ratio';
}

export function describeCostModel(hardware: HardwarePreset | string = 'H100', overrides: Partial<Record<keyof CostConstants, number>> = {}): CostModelRow[] {
  const hw = typeof hardware === 'string' ? hardwarePreset(hardware) : hardware;
  const ref = hardwarePreset('H100');
  const c = withCostOverrides(DEFAULT_COST_CONSTANTS, overrides);
  const rows: CostModelRow[] = [];
  for (const name of Object.keys(c) as (keyof CostConstants)[]) {
    const p = costConstantProvenance(name);
    const overridden = name in overrides;
    let provenance: CostModelRow['provenance'] = p.kind;
    let detail = p.range ? `${p.detail} (range ${p.range[0]}–${p.range[1]})` : p.detail;
    if (p.kind === 'measured' && hw.calibration === 'derived') {
      provenance = 'derived';
      detail = `derived from the H100 fit by datasheet ratios (${hw.name}/H100: bandwidth ×${(hw.memoryBandwidth / ref.memoryBandwidth).toFixed(2)}, `
        + `bf16 ×${(hw.peakFlops.bf16 / ref.peakFlops.bf16).toFixed(2)}, fp8 ×${(hw.peakFlops.fp8 / ref.peakFlops.fp8).toFixed(2)}); ${p.detail}`;
    }
    if (overridden) detail = `overridden by the caller; default ${DEFAULT_COST_CONSTANTS[name]} (${detail})`;
    rows.push({ constant: name, value: c[name], unit: unitOf(name), provenance, detail });
  }
  rows.push({ constant: `hardware ${hw.name}`, value: hw.memoryBandwidth, unit: 'B/s', provenance: hw.calibration === 'measured' ? 'measured' : 'derived', detail: `${hw.source}; calibration ${hw.calibration}` });
  return rows;
}
