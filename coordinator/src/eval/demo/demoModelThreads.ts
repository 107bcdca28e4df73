/**
 * The thread count entry points that run the tiny demo model default to (resolveThreads fallback):
 * on a model this small a second llama.cpp thread spends more time at barriers than computing,
 * badly so when other jobs share the cores (measured in the README).
 */
export const DEMO_MODEL_THREADS = { threads: 1, why: "the demo model is tiny: a second thread waits at barriers more than it computes" } as const;
