// Entry point of one kernel thread in Node (worker_threads): the pool passes its ThreadInit as
// workerData; the thread says 'ready' on its port once the modules are instantiated, then serves.
import { parentPort, workerData } from 'node:worker_threads';
import { serveKernelThread, type ThreadInit } from './protocol.ts';

serveKernelThread(workerData as ThreadInit, () => parentPort?.postMessage('ready'));
