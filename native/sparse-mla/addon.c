/*
 * The Node-API face of the native kernels: argument checks, the wasm memory's data pointer, and
 * dispatch to the thread pool. Built without AVX2 flags so that loading it on a CPU without AVX2
 * works and `info().cpuSupported` can say so instead of crashing on an illegal instruction.
 *
 * attendHeads(memory, q, k, s, o, sink, stats, numHeadsPad, numCandidates, numFirstSubset,
 *             headDim, kStride, scale, threads)
 *   memory: a typed array over the whole wasm memory (a SharedArrayBuffer); offsets are bytes
 *   into it, as in the wasm kernel attendHeads. The kernels write s, o and stats in place.
 * info() -> { sourceHash, cpuSupported, maxThreads }
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <string.h>

#include "sparse-mla.h"

#ifndef SMLA_SOURCE_HASH
#define SMLA_SOURCE_HASH "unknown"
#endif

#define CHECK_NAPI(env, call)                                             \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_error((env), NULL, "sparse-mla-native: N-API call failed"); \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

static int cpu_supported(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return 0;
#endif
}

/* Reads argument `i` as an integer in [lo, hi]; throws a RangeError naming it otherwise. */
static int get_int(napi_env env, napi_value v, const char *name, double lo, double hi, int64_t *out) {
  double d;
  if (napi_get_value_double(env, v, &d) != napi_ok) {
    char msg[160];
    snprintf(msg, sizeof msg, "attendHeads: %s must be a number", name);
    napi_throw_type_error(env, NULL, msg);
    return 0;
  }
  if (!(d >= lo && d <= hi) || d != (double)(int64_t)d) {
    char msg[200];
    snprintf(msg, sizeof msg, "attendHeads: %s must be an integer in [%.0f, %.0f], got %g", name, lo, hi, d);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  *out = (int64_t)d;
  return 1;
}

static napi_value throw_range(napi_env env, const char *msg) {
  napi_throw_range_error(env, NULL, msg);
  return NULL;
}

/* Checks that bytes [off, off + bytes) lie inside the memory and off is float-aligned. */
static int check_span(napi_env env, const char *name, int64_t off, int64_t bytes, int64_t len) {
  if (off % 4 != 0 || off + bytes > len) {
    char msg[220];
    snprintf(msg, sizeof msg, "attendHeads: %s (byte offset %lld, %lld bytes) is %s the %lld-byte memory", name,
             (long long)off, (long long)bytes, off % 4 != 0 ? "not 4-byte aligned in" : "outside", (long long)len);
    napi_throw_range_error(env, NULL, msg);
    return 0;
  }
  return 1;
}

static napi_value attend_heads(napi_env env, napi_callback_info info) {
  size_t argc = 14;
  napi_value argv[14];
  CHECK_NAPI(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 14) return throw_range(env, "attendHeads: expected 14 arguments (memory, q, k, s, o, sink, stats, numHeadsPad, numCandidates, numFirstSubset, headDim, kStride, scale, threads)");
  if (!cpu_supported()) {
    napi_throw_error(env, NULL, "attendHeads: this CPU lacks AVX2/FMA");
    return NULL;
  }
  bool is_typed;
  CHECK_NAPI(env, napi_is_typedarray(env, argv[0], &is_typed));
  if (!is_typed) {
    napi_throw_type_error(env, NULL, "attendHeads: memory must be a typed array over the wasm memory");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length, byte_offset;
  void *data;
  napi_value buffer;
  CHECK_NAPI(env, napi_get_typedarray_info(env, argv[0], &type, &length, &data, &buffer, &byte_offset));
  size_t elem = 1;
  switch (type) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: elem = 1; break;
    case napi_int16_array: case napi_uint16_array: elem = 2; break;
    case napi_int32_array: case napi_uint32_array: case napi_float32_array: elem = 4; break;
    default: elem = 8; break;
  }
  if (byte_offset != 0) return throw_range(env, "attendHeads: memory must view its buffer from byte 0 (offsets are wasm addresses)");
  if (data == NULL && length != 0) return throw_range(env, "attendHeads: memory has no data pointer");
  const int64_t len = (int64_t)(length * elem);
  const double maxb = (double)len;
  int64_t q, k, s, o, sink, stats, hp, n, n0, D, ldk, threads;
  if (!get_int(env, argv[1], "q", 0, maxb, &q) || !get_int(env, argv[2], "k", 0, maxb, &k) ||
      !get_int(env, argv[3], "s", 0, maxb, &s) || !get_int(env, argv[4], "o", 0, maxb, &o) ||
      !get_int(env, argv[5], "sink", 0, maxb, &sink) || !get_int(env, argv[6], "stats", 0, maxb, &stats) ||
      !get_int(env, argv[7], "numHeadsPad", 4, 1 << 20, &hp) || !get_int(env, argv[8], "numCandidates", 0, 1 << 24, &n) ||
      !get_int(env, argv[9], "numFirstSubset", 0, 1 << 24, &n0) || !get_int(env, argv[10], "headDim", 8, 1 << 20, &D) ||
      !get_int(env, argv[11], "kStride", 8, 1 << 21, &ldk) || !get_int(env, argv[13], "threads", 1, SMLA_MAX_THREADS, &threads)) {
    return NULL;
  }
  double scale;
  if (napi_get_value_double(env, argv[12], &scale) != napi_ok) {
    napi_throw_type_error(env, NULL, "attendHeads: scale must be a number");
    return NULL;
  }
  if (hp % SMLA_HEAD_TILE != 0) return throw_range(env, "attendHeads: numHeadsPad must be a multiple of 4");
  if (D % 8 != 0) return throw_range(env, "attendHeads: headDim must be a multiple of 8");
  if (ldk < D) return throw_range(env, "attendHeads: kStride must be at least headDim");
  if (n0 > n) return throw_range(env, "attendHeads: numFirstSubset must not exceed numCandidates");
  if (!(scale == scale) || scale - scale != 0) return throw_range(env, "attendHeads: scale must be finite");
  if (!check_span(env, "q", q, hp * D * 4, len) || !check_span(env, "k", k, n > 0 ? ((n - 1) * ldk + D) * 4 : 0, len) ||
      !check_span(env, "s", s, hp * n * 4, len) || !check_span(env, "o", o, hp * D * 4, len) ||
      !check_span(env, "sink", sink, hp * 4, len) || !check_span(env, "stats", stats, hp * 16, len)) {
    return NULL;
  }
  char *base = (char *)data;
  const smla_call call = {
    .q = (const float *)(base + q), .k = (const float *)(base + k), .s = (float *)(base + s),
    .o = (float *)(base + o), .sink = (const float *)(base + sink), .stats = (float *)(base + stats),
    .num_heads_pad = (int32_t)hp, .n = (int32_t)n, .n0 = (int32_t)n0, .d = (int32_t)D, .ldk = (int32_t)ldk,
    .scale = (float)scale,
  };
  const int32_t parts = (int32_t)(threads < hp / SMLA_HEAD_TILE ? threads : hp / SMLA_HEAD_TILE);
  if (smla_run_threads(&call, parts) != 0) {
    napi_throw_error(env, NULL, "attendHeads: could not start worker threads");
    return NULL;
  }
  return NULL;
}

static napi_value info_fn(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, hash, supported, max_threads;
  CHECK_NAPI(env, napi_create_object(env, &obj));
  CHECK_NAPI(env, napi_create_string_utf8(env, SMLA_SOURCE_HASH, NAPI_AUTO_LENGTH, &hash));
  CHECK_NAPI(env, napi_get_boolean(env, cpu_supported(), &supported));
  CHECK_NAPI(env, napi_create_int32(env, SMLA_MAX_THREADS, &max_threads));
  CHECK_NAPI(env, napi_set_named_property(env, obj, "sourceHash", hash));
  CHECK_NAPI(env, napi_set_named_property(env, obj, "cpuSupported", supported));
  CHECK_NAPI(env, napi_set_named_property(env, obj, "maxThreads", max_threads));
  return obj;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "attendHeads", NAPI_AUTO_LENGTH, attend_heads, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "attendHeads", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "info", NAPI_AUTO_LENGTH, info_fn, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "info", fn) != napi_ok) return NULL;
  return exports;
}
