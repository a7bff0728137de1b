/*
 * A persistent pool of worker threads for splitting one token's heads. A decode step is under a
 * millisecond, so starting threads per call (tens of microseconds) would eat much of the gain:
 * workers wait on a per-worker generation counter, spinning briefly (SPIN_NS) after each job,
 * then sleeping on a futex (a wake-up costs microseconds). The caller runs the
 * first head range itself and waits for the rest the same way.
 *
 * Heads are split exactly as engine/attention/fast/head-runner.ts splitHeadRange does: blocks
 * of 4 heads, range i = [floor(B i / T), floor(B (i+1) / T)) * 4. One job runs at a time
 * (a mutex serialises callers from several JavaScript threads). Workers live until the process
 * ends; an idle one sleeps in the kernel and costs nothing.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sparse-mla.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

/* How long a thread spins for the next event before sleeping on the futex. Short: between two
 * tokens the JavaScript side spends ~0.25 ms gathering rows, longer than any spin worth its CPU
 * on a shared 2-core machine (a 1 ms spin made decode slower under load), so the spin only
 * covers the caller's wait for the workers' last heads. */
#define SPIN_NS 50000L

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static int num_workers;

/* One slot per worker: the caller writes the job, then bumps `generation`; the worker runs it
 * and decrements the shared `remaining`. A worker only ever sees jobs meant for it. */
typedef struct {
  _Alignas(64) _Atomic uint32_t generation;
  _Atomic int32_t sleeping;
  const smla_call *job;
  int32_t parts;
} worker_slot;

static worker_slot slots[SMLA_MAX_THREADS];
static _Atomic uint32_t remaining;
static _Atomic int32_t caller_sleeping;

static long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void futex_wait(_Atomic uint32_t *addr, uint32_t expected) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void futex_wake_all(_Atomic uint32_t *addr) {
  syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void range_of(int32_t num_heads_pad, int32_t parts, int32_t i, int32_t *h0, int32_t *h1) {
  const int64_t blocks = num_heads_pad / SMLA_HEAD_TILE;
  *h0 = (int32_t)(blocks * i / parts) * SMLA_HEAD_TILE;
  *h1 = (int32_t)(blocks * (i + 1) / parts) * SMLA_HEAD_TILE;
}

/* Waits until *addr != seen: spins SPIN_NS, then sleeps (counted in *sleeping so the waker
 * knows a futex wake is needed). Sequentially consistent order on both sides: either the waiter
 * sees the new value or the waker sees the sleeper. */
static uint32_t wait_change(_Atomic uint32_t *addr, uint32_t seen, _Atomic int32_t *sleeping) {
  const long until = now_ns() + SPIN_NS;
  for (int i = 0;; i++) {
    const uint32_t v = atomic_load(addr);
    if (v != seen) return v;
    if ((i & 63) == 63 && now_ns() > until) break;
    cpu_relax();
  }
  for (;;) {
    atomic_fetch_add(sleeping, 1);
    if (atomic_load(addr) == seen) futex_wait(addr, seen);
    atomic_fetch_sub(sleeping, 1);
    const uint32_t v = atomic_load(addr);
    if (v != seen) return v;
  }
}

static void *worker_main(void *arg) {
  const int32_t index = (int32_t)(intptr_t)arg; /* 1-based: range 0 is the caller's */
  worker_slot *slot = &slots[index];
  uint32_t seen = 0; /* a slot's generation is 0 until its worker exists */
  for (;;) {
    seen = wait_change(&slot->generation, seen, &slot->sleeping);
    const smla_call *c = slot->job;
    int32_t h0, h1;
    range_of(c->num_heads_pad, slot->parts, index, &h0, &h1);
    smla_attend_range(c, h0, h1);
    if (atomic_fetch_sub(&remaining, 1) == 1 && atomic_load(&caller_sleeping) > 0) futex_wake_all(&remaining);
  }
  return NULL;
}

/* A forked child has none of the parent's workers (fork copies only the calling thread): it
 * starts its own on first use instead of waiting for threads that do not exist there. */
static void forget_workers_in_child(void) {
  pthread_mutex_init(&job_lock, NULL);
  num_workers = 0;
  for (int i = 0; i < SMLA_MAX_THREADS; i++) {
    atomic_store(&slots[i].generation, 0);
    atomic_store(&slots[i].sleeping, 0);
  }
  atomic_store(&caller_sleeping, 0);
}

/* Starts workers until there are `want`; returns 0, or -1 if a thread could not be created. */
static int ensure_workers(int want) {
  static int atfork_registered;
  if (!atfork_registered) atfork_registered = pthread_atfork(NULL, NULL, forget_workers_in_child) == 0;
  while (num_workers < want) {
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int rc = pthread_create(&t, &attr, worker_main, (void *)(intptr_t)(num_workers + 1));
    pthread_attr_destroy(&attr);
    if (rc != 0) return -1;
    num_workers++;
  }
  return 0;
}

int smla_run_threads(const smla_call *c, int32_t threads) {
  if (threads <= 1) {
    smla_attend_range(c, 0, c->num_heads_pad);
    return 0;
  }
  pthread_mutex_lock(&job_lock);
  if (ensure_workers(threads - 1) != 0) {
    pthread_mutex_unlock(&job_lock);
    return -1;
  }
  atomic_store(&remaining, (uint32_t)(threads - 1));
  for (int32_t i = 1; i < threads; i++) {
    worker_slot *slot = &slots[i];
    slot->job = c;
    slot->parts = threads;
    atomic_fetch_add(&slot->generation, 1);
    if (atomic_load(&slot->sleeping) > 0) futex_wake_all(&slot->generation);
  }
  int32_t h0, h1;
  range_of(c->num_heads_pad, threads, 0, &h0, &h1);
  smla_attend_range(c, h0, h1);
  uint32_t left = atomic_load(&remaining);
  while (left != 0) left = wait_change(&remaining, left, &caller_sleeping);
  pthread_mutex_unlock(&job_lock);
  return 0;
}
