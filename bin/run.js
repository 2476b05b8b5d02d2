#!/usr/bin/env -S node --max-semi-space-size=32
// A larger young generation: `shop send` and the workers allocate many
// short-lived objects, and scavenging 16 MB at a time costs ~15% throughput.
import {execute} from '@oclif/core'

await execute({dir: import.meta.url})
