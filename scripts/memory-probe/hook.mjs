// Preloaded into the worker by scripts/memory-probe/run.ts (node --expose-gc --import).
// Main thread: on SIGUSR2 writes process.memoryUsage() before and after a full GC
// to MEMORY_PROBE_OUT. Every other thread that loads it (the SDK's workflow thread
// inherits execArgv) writes its own V8 heap every 500 ms to MEMORY_PROBE_OUT.thread<id>
// (the peak seen, and the heap after a full GC once MEMORY_PROBE_OUT.gc exists).
import fs from 'node:fs';
import v8 from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';
const out = process.env.MEMORY_PROBE_OUT;
const MB = 1024 * 1024;
if (out && isMainThread) {
  process.on('SIGUSR2', () => {
    const before = process.memoryUsage();
    if (typeof globalThis.gc === 'function') globalThis.gc();
    const after = process.memoryUsage();
    fs.writeFileSync(out, JSON.stringify({ before, after }));
  });
} else if (out) {
  let peakUsed = 0;
  let peakTotal = 0;
  let afterGc;
  const timer = globalThis.setInterval(() => {
    const h = v8.getHeapStatistics();
    peakUsed = Math.max(peakUsed, h.used_heap_size);
    peakTotal = Math.max(peakTotal, h.total_heap_size);
    if (!afterGc && fs.existsSync(`${out}.gc`) && typeof globalThis.gc === 'function') {
      globalThis.gc();
      afterGc = v8.getHeapStatistics();
    }
    const r = (n) => Math.round(n / MB);
    fs.writeFileSync(
      `${out}.thread${threadId}`,
      JSON.stringify({
        threadId,
        peakUsedMb: r(peakUsed),
        peakTotalMb: r(peakTotal),
        nowUsedMb: r(h.used_heap_size),
        nowTotalMb: r(h.total_heap_size),
        afterGcUsedMb: afterGc && r(afterGc.used_heap_size),
        afterGcTotalMb: afterGc && r(afterGc.total_heap_size),
      }),
    );
  }, 500);
  timer.unref();
}
