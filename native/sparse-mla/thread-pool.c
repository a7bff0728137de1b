/*
 * A persistent pool of worker threads for splitting one token's heads. A decode step is under a
 * millisecond, so starting threads per call (tens of microseconds) would eat much of the gain:
 * workers wait on a per-worker generation counter, spinning briefly (SPIN_NS) after each job,
 * then sleeping on a futex (a wake-up costs microseconds).
 *
 * Heads are cut into CHUNKS_PER_THREAD x threads chunks on multiples of 4 heads (chunk i =
 * [floor(B i / C), floor(B (i+1) / C)) * 4 for B blocks of 4 heads, as splitHeadRange does) and
 * every participant, the caller included, claims chunks from one atomic word until none are
 * left. On a shared machine a worker may be descheduled for milliseconds; fixed ranges made the
 * caller wait for it (a 2-thread decode then ran at half the 1-thread speed), while claiming lets
 * the caller take the chunks nobody started. A head's arithmetic never depends on its chunk or
 * thread, so every split gives the same bits.
 *
 * One job runs at a time (a mutex serialises callers from several JavaScript threads). Workers
 * live until the process ends; an idle one sleeps in the kernel and costs nothing.
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

/* Chunks per thread. More chunks let a late worker's share be taken over in smaller pieces, but
 * each chunk re-reads the gathered K block (about 1.3 MB for V4-Flash) from L3: measured on the
 * V4-Flash decode step with 2 threads, 1 chunk per thread 0.52 ms, 2: 0.54 ms, 4: 0.57 ms. With
 * one, the caller still takes over a worker's whole share when the worker has not started. */
#define CHUNKS_PER_THREAD 1

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static int num_workers;

/* Per worker: bumped by the caller to wake it for a job. */
typedef struct {
  _Alignas(64) _Atomic uint32_t generation;
  _Atomic int32_t sleeping;
} worker_slot;

static worker_slot slots[SMLA_MAX_THREADS];

/* The job: `claim` packs (number of chunks << 32) | next unclaimed chunk. A successful claim of
 * chunk i < n proves the job is still running (the caller returns only once all n chunks are
 * done), so `job` may then be read: it is written before `claim` is reset for the job. */
static _Alignas(64) _Atomic uint64_t claim;
static const smla_call *_Atomic job;
static _Alignas(64) _Atomic uint32_t remaining; /* chunks not yet finished */
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

/* Claims and runs chunks of the current job until none are left. */
static void run_chunks(void) {
  for (;;) {
    uint64_t w = atomic_load(&claim);
    const uint32_t n = (uint32_t)(w >> 32), i = (uint32_t)w;
    if (i >= n) return;
    if (!atomic_compare_exchange_weak(&claim, &w, w + 1)) continue;
    const smla_call *c = atomic_load(&job);
    int32_t h0, h1;
    range_of(c->num_heads_pad, (int32_t)n, (int32_t)i, &h0, &h1);
    smla_attend_range(c, h0, h1);
    if (atomic_fetch_sub(&remaining, 1) == 1 && atomic_load(&caller_sleeping) > 0) futex_wake_all(&remaining);
  }
}

static void *worker_main(void *arg) {
  worker_slot *slot = &slots[(intptr_t)arg];
  uint32_t seen = 0; /* a slot's generation is 0 until its worker exists */
  for (;;) {
    seen = wait_change(&slot->generation, seen, &slot->sleeping);
    run_chunks();
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
  const int32_t blocks = c->num_heads_pad / SMLA_HEAD_TILE;
  if (threads <= 1 || blocks <= 1) {
    smla_attend_range(c, 0, c->num_heads_pad);
    return 0;
  }
  pthread_mutex_lock(&job_lock);
  if (ensure_workers(threads - 1) != 0) {
    pthread_mutex_unlock(&job_lock);
    return -1;
  }
  const int32_t chunks = threads * CHUNKS_PER_THREAD < blocks ? threads * CHUNKS_PER_THREAD : blocks;
  atomic_store(&job, c);
  atomic_store(&remaining, (uint32_t)chunks);
  atomic_store(&claim, (uint64_t)chunks << 32);
  for (int32_t i = 1; i < threads; i++) {
    worker_slot *slot = &slots[i];
    atomic_fetch_add(&slot->generation, 1);
    if (atomic_load(&slot->sleeping) > 0) futex_wake_all(&slot->generation);
  }
  run_chunks();
  uint32_t left = atomic_load(&remaining);
  while (left != 0) left = wait_change(&remaining, left, &caller_sleeping);
  pthread_mutex_unlock(&job_lock);
  return 0;
}
