/** The files our writers produce for fixtures/dumps/ours (shared by the writer script and the tests). */
import { makeTensor } from '../../../engine/io/dtype';
import { writeNpy } from '../../../engine/io/npy';
import { writeSafetensors } from '../../../engine/io/safetensors';

export function oursFixtures(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  files.set('ours-dtypes.safetensors', writeSafetensors({
    f32: makeTensor('F32', [2, 3], Float32Array.from([0, -0, 1.5, -2.25, 3.4028234663852886e38, 1e-45])),
    f16: makeTensor('F16', [4], Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001])),
    bf16: makeTensor('BF16', [2, 2], Uint16Array.from([0x3f80, 0xbfc0, 0x7f7f, 0x0001])),
    f8_e4m3: makeTensor('F8_E4M3', [16, 16], Uint8Array.from({ length: 256 }, (_, i) => i)),
    i32: makeTensor('I32', [3], Int32Array.from([-(2 ** 31), 0, 2 ** 31 - 1])),
    i64: makeTensor('I64', [3], BigInt64Array.from([-(2n ** 63n), 2n ** 53n + 1n, 2n ** 63n - 1n])),
    u8: makeTensor('U8', [5], Uint8Array.from([0, 1, 127, 128, 255])),
    bool: makeTensor('BOOL', [3], Uint8Array.from([1, 0, 1])),
    scalar: makeTensor('F64', [], Float64Array.from([2.5])),
    empty: makeTensor('F32', [0, 4], new Float32Array(0)),
  }, { metadata: { writer: 'enginelab writeSafetensors', note: 'ours' } }));
  const m = makeTensor('F32', [2, 3, 4], Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3));
  files.set('ours-c-v1.npy', writeNpy(m));
  files.set('ours-fortran-v3.npy', writeNpy(m, { fortranOrder: true, version: 3 }));
  files.set('ours-be-i8-v2.npy', writeNpy(makeTensor('I64', [2, 2], BigInt64Array.from([-1n, 2n, 2n ** 62n, -(2n ** 63n)])), { bigEndian: true, version: 2 }));
  files.set('ours-bool.npy', writeNpy(makeTensor('BOOL', [2, 2], Uint8Array.from([1, 0, 0, 1]))));
  return files;
}
