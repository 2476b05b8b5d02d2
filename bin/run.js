#!/usr/bin/env node
/* global process, setTimeout */
// Each librdkafka consumer holds a libuv thread while it waits for records (a worker runs up to four);
// more threads keep file and DNS work from queueing behind them. Set before anything uses the pool.
process.env.UV_THREADPOOL_SIZE ??= '16'
const {execute} = await import('@oclif/core')

await execute({dir: import.meta.url})
// The command has finished and said everything. A Kafka client still trying to say goodbye to a
// broker that is gone (or a cluster without quorum) must not keep the process alive: exit soon.
setTimeout(() => process.exit(), 2000).unref()
