"""Kafka through Spark's own source and sink, Avro in the Confluent wire format
(magic byte 0, a 4-byte schema id, the Avro binary), decoded and encoded in the
executors with from_avro / to_avro."""

import json
import struct

from pyspark.sql import functions as F
from pyspark.sql.avro.functions import from_avro, to_avro


def kafka_options(client):
    """The Java client properties `mkt` derived from the profile (TLS, SASL), as the source's and sink's kafka.* options."""
    return {f"kafka.{k}": v for k, v in client.items()}


def _offsets(topic, offsets):
    return json.dumps({topic: {str(p): int(o) for p, o in offsets.items()}})


def read_topic(spark, options, topic, starts, ends, min_partitions):
    """The records of one topic between two offsets per partition (batch, read_committed), or None when there are none.

    The offsets are the ones `mkt` read from the brokers when the run began, so a run covers
    exactly what existed then; groupIdPrefix keeps the connector's consumer groups under the
    analytics principal's prefixed ACL (mkt-analytics-*)."""
    if all(ends[p] <= max(starts.get(p, 0), 0) for p in ends):  # -2 is "the earliest
        return None
    return (
        spark.read.format("kafka")
        .options(**options)
        .option("subscribe", topic)
        .option("startingOffsets", _offsets(topic, starts))
        .option("endingOffsets", _offsets(topic, ends))
        .option("kafka.isolation.level", "read_committed")
        .option("groupIdPrefix", "mkt-analytics")
        # Compaction and transaction markers leave gaps in the offsets; they are not lost data.
        .option("failOnDataLoss", "false")
        .option("minPartitions", str(min_partitions))
        .load()
        .select(F.col("key").cast("string").alias("key"), "value", "partition", "offset")
    )


def decode(frame, registry, reader_schema):
    """Adds `record` (the value decoded into the reader schema, null for a tombstone or a value not in the wire format).

    Each writer schema id present is decoded with its own writer schema resolved to the reader
    schema (Avro schema resolution), so records written before a compatible change still read."""
    framed = (frame.withColumn("_framed", F.col("value").isNotNull() & (F.length("value") >= 5) & (F.hex(F.substring("value", 1, 1)) == "00"))
              .withColumn("_schema_id", F.when(F.col("_framed"), F.conv(F.hex(F.substring("value", 2, 4)), 16, 10).cast("long")))
              .withColumn("_payload", F.when(F.col("_framed"), F.expr("substring(value, 6)"))))
    ids = sorted(r[0] for r in framed.select("_schema_id").where(F.col("_schema_id").isNotNull()).distinct().collect())
    options = {"mode": "FAILFAST", "avroSchema": reader_schema}
    if not ids:
        return framed.withColumn("record", from_avro(F.lit(None).cast("binary"), reader_schema, options)).drop("_framed", "_schema_id", "_payload")
    decoded = F.coalesce(*[F.when(F.col("_schema_id") == i, from_avro(F.col("_payload"), registry.schema_text(i), options)) for i in ids])
    return framed.withColumn("record", decoded).drop("_framed", "_schema_id", "_payload")


def write_topic(frame, options, topic, key, schema_id, schema):
    """Writes each row (its columns are the schema's fields) as a Confluent-framed Avro value under `key`; acks=all, idempotent."""
    header = bytearray(b"\x00" + struct.pack(">I", int(schema_id)))
    value = F.concat(F.lit(header), to_avro(F.struct(*[F.col(f["name"]) for f in schema["fields"]]), json.dumps(schema)))
    (frame.select(F.col(key).cast("string").alias("key"), value.alias("value"))
     .write.format("kafka").options(**options)
     .option("topic", topic)
     .option("kafka.acks", "all")
     .option("kafka.enable.idempotence", "true")
     .option("kafka.compression.type", "lz4")
     .option("kafka.linger.ms", "20")
     .save())
