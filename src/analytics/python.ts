/** Moved to src/pyspark/env.ts (the infra's Spark cluster runs from the same virtualenv); kept for the imports of this capability. */
export * from '../pyspark/env.js'
