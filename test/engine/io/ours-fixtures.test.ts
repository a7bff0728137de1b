/**
 * Files written by our writers, checked by independent readers: fixtures/dumps/ours/verified.json
 * is what the `safetensors` package (with PyTorch) and NumPy read from those exact bytes (sha256
 * recorded). These tests pin our current writers to those bytes and the report's values to ours;
 * if a writer changes, regenerate (write-ours.ts) and re-verify (verify_ours.py).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../../engine/io/safetensors';
import { readNpy } from '../../../engine/io/npy';
import { tensorToFloat64 } from '../../../engine/io/dtype';
import type { Tensor } from '../../../engine/io/dtype';
import { expectSameValues, fixtureBytes, fixtureJson } from './fixtures';
import { oursFixtures } from '../../../fixtures/dumps/ours-fixtures';

const report = fixtureJson('ours', 'verified.json');
const torchName: Record<string, string> = {
  F32: 'torch.float32', F16: 'torch.float16', BF16: 'torch.bfloat16', F8_E4M3: 'torch.float8_e4m3fn', I32: 'torch.int32',
  I64: 'torch.int64', U8: 'torch.uint8', BOOL: 'torch.bool', F64: 'torch.float64',
};

function ourValues(t: Tensor): (number | string)[] {
  return t.dtype === 'I64' ? [...(t.data as BigInt64Array)].map(String) : [...tensorToFloat64(t)];
}

describe('our writers, read by the safetensors package, PyTorch 2.11 and NumPy', () => {
  const files = oursFixtures();

  it('the writers still produce the committed, externally verified bytes', () => {
    for (const [name, bytes] of files) {
      expect(Buffer.from(fixtureBytes('ours', name)).equals(Buffer.from(bytes)), name).toBe(true);
      expect(report.files[name], name).toBeDefined();
      expect(report.files[name].sha256, name).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(report.files[name].ok, `${name}: ${report.files[name].error}`).toBe(true);
    }
    expect(report.versions.safetensors).toBeDefined();
  });

  it('safetensors.torch.load_file read every tensor with our dtype, shape and values; metadata intact', () => {
    const ours = readSafetensors(files.get('ours-dtypes.safetensors')!);
    const theirs = report.files['ours-dtypes.safetensors'];
    expect(theirs.metadata).toEqual(ours.metadata);
    expect(Object.keys(theirs.tensors).sort()).toEqual([...ours.tensors.keys()].sort());
    for (const [name, t] of ours.tensors) {
      const e = theirs.tensors[name];
      expect(e.dtype, name).toBe(torchName[t.dtype]);
      expect(e.shape, name).toEqual(t.shape);
      if (t.dtype === 'I64') expect(e.values).toEqual(ourValues(t));
      else expectSameValues(ourValues(t) as number[], e.values, name);
    }
  });

  it('NumPy read our .npy files (C/Fortran order, versions 1–3, big-endian, bool) with our values', () => {
    for (const name of [...files.keys()].filter((n) => n.endsWith('.npy'))) {
      const ours = readNpy(files.get(name)!);
      const e = report.files[name];
      expect(e.descr, name).toBe(ours.descr);
      expect(e.shape, name).toEqual(ours.tensor.shape);
      expect(e.fortran_order, name).toBe(ours.fortranOrder);
      const v = ourValues(ours.tensor);
      if (ours.tensor.dtype === 'I64') expect(e.values).toEqual(v);
      else expectSameValues(v as number[], e.values.map((x: number | boolean) => Number(x)), name);
    }
  });
});
