/** A worker thread that signs requests of the realistic mix on demand, so the load generator's loop stays free. */
import { parentPort, workerData } from 'node:worker_threads';
import { Workload } from '../test/support/workload.js';

const workload = new Workload(undefined, (workerData as { seed: number }).seed);
parentPort?.on('message', (count: number) => {
  parentPort?.postMessage(Array.from({ length: count }, () => workload.next()));
});
