"""The analytics job's modules; shipped to Spark's executors as one zip (SparkContext.addPyFile)."""
