"""The mkt analytics job (PySpark): category statistics, ALS recommendations and a Parquet
archive, from the platform's Kafka topics.

Started by `mkt analytics run`, which registers the output schemas, reads the end offsets of
the input topics and passes one JSON config (argv[1]: a path). Progress and the summary are
JSON lines on stdout; Spark's own logging goes to stderr.

Kafka is read and written by Spark's own Kafka source and sink, the Confluent wire format is
decoded and encoded with from_avro / to_avro, and the scoring runs in the executors: the
driver handles offsets, schema ids and the model's item factors, never the records. Each run
reads only what arrived since the last commit in the lake (mkt_analytics.lake).
"""

import atexit
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone

from mkt_analytics.catalog import PRODUCT_COLUMNS, ban_updates, latest, live_products, product_updates
from mkt_analytics.kafka_io import decode, kafka_options, read_topic, write_topic
from mkt_analytics.lake import Lake
from mkt_analytics.progress import Step, emit, note
from mkt_analytics.recommend import als_lists, fallbacks, interactions
from mkt_analytics.registry import Registry
from mkt_analytics.stats import category_stats

PRODUCT_STATE = ("key string, batch long, offset long, deleted boolean, product_id string, name string, brand string, category string, "
                 "price double, currency string, available long, sku string, store_id string, updated_at string")
BAN_STATE = "key string, batch long, offset long, deleted boolean"
EVENTS = {"searches": "searched_at", "views": "viewed_at", "requests": "requested_at"}
ARCHIVE = {"searches": "searches", "views": "views", "requests": "recommendation_requests"}
# Below this many input records a run turns adaptive query execution off.
SMALL_RUN = 100_000


def start_spark(config):
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(config["master"]).appName("mkt-analytics")
               .config("spark.jars", ",".join(config["jars"]))
               .config("spark.ui.enabled", "false")
               .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.pyspark.python", sys.executable)
               .config("spark.driver.memory", config.get("driver_memory", "2g"))
               .config("spark.executor.memory", config.get("executor_memory", "1g")))
    if config["master"].startswith("local"):
        # One executor: there is no locality to wait for. And local mode offers its cores again only when a task
        # ends: in a stage of cached Kafka partitions and HDFS blocks, the block tasks held back by delay scheduling
        # were never offered again once the cached ones had finished, and the run hung (an incremental run on HDFS).
        builder = builder.config("spark.locality.wait", "0")
    if config.get("shuffle_partitions"):
        builder = builder.config("spark.sql.shuffle.partitions", str(config["shuffle_partitions"]))
    for key, value in config.get("spark_conf", {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    if not config.get("shuffle_partitions"):
        spark.conf.set("spark.sql.shuffle.partitions", str(max(4, 2 * spark.sparkContext.defaultParallelism)))
    # The executors import the job's modules from a zip of them.
    bundle_dir = tempfile.mkdtemp(prefix="mkt-analytics-")
    atexit.register(shutil.rmtree, bundle_dir, ignore_errors=True)  # one per run: `--every` must not pile them up
    bundle = os.path.join(bundle_dir, "mkt_analytics.zip")
    package = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mkt_analytics")
    with zipfile.ZipFile(bundle, "w") as archive:
        for name in sorted(os.listdir(package)):
            if name.endswith(".py"):
                archive.write(os.path.join(package, name), f"mkt_analytics/{name}")
    spark.sparkContext.addPyFile(bundle)
    return spark


class Inputs:
    """Where each input topic is read from: after the last commit's offsets, or from the start."""

    def __init__(self, config, commit):
        self.ends = {topic: {int(p): int(o) for p, o in parts.items()} for topic, parts in config["offsets"].items()}
        self.stored = {} if commit is None else {t: {int(p): int(o) for p, o in parts.items()} for t, parts in commit["offsets"].items()}

    def records(self):
        """How many records this run reads at most (offsets, so compaction gaps and markers count too)."""
        total = 0
        for topic, ends in self.ends.items():
            starts, _ = self.starts(topic, quiet=True)
            total += sum(max(0, end - max(starts.get(p, 0), 0)) for p, end in ends.items())
        return total

    def starts(self, topic, quiet=False):
        """(start offset per partition, fresh): fresh means from the start, so what was derived from this topic is rebuilt."""
        stored, ends = self.stored.get(topic), self.ends[topic]
        if stored is None:
            return {p: -2 for p in ends}, True
        if any(stored.get(p, 0) > end for p, end in ends.items()):
            if not quiet:
                note(f"{topic} ends before the offsets of the last run (was it recreated?): reading it again from the start")
            return {p: -2 for p in ends}, True
        return {p: stored.get(p, -2) for p in ends}, False


def read_products(spark, config, lake, commit, inputs, registry, batch, options, parallelism):
    topics = config["topics"]
    states, counts = {}, {}
    for name, schema in [("products", PRODUCT_STATE), ("bans", BAN_STATE)]:
        topic = topics[name]
        starts, fresh = inputs.starts(topic)
        raw = read_topic(spark, options, topic, starts, inputs.ends[topic], parallelism)
        previous = None
        if commit is not None and not fresh:
            kept = commit["state"].get(name)
            if not kept or not lake.exists(kept):
                raise SystemExit(f"the lake's commit {commit['batch']} points to its {name} state at {lake.path(kept or '_state')}, which is missing; "
                                 "run with --full to rebuild it from the topics")
            previous = spark.read.parquet(lake.path(kept))
        if raw is None and previous is not None:
            states[name], counts[name] = commit["state"][name], 0  # nothing new: the last state stands
            continue
        raw = raw.persist() if raw is not None else None
        counts[name] = raw.count() if raw is not None else 0
        updates = None
        if raw is not None:
            updates = product_updates(decode(raw, registry, config["readers"]["products"]), batch) if name == "products" else ban_updates(raw, batch)
        merged = latest(previous, updates)
        path = f"_state/{batch:08d}/{name}"
        (merged if merged is not None else spark.createDataFrame([], schema)).write.mode("overwrite").parquet(lake.path(path))
        if raw is not None:
            raw.unpersist()
        states[name] = path
    products = spark.read.parquet(lake.path(states["products"]))
    bans = spark.read.parquet(lake.path(states["bans"]))
    return products, bans, states, counts


def read_events(spark, config, lake, inputs, registry, batch, options, parallelism):
    """Appends the new events to the archive (by the day they happened and the run's batch) and returns the whole archive."""
    counts, tables = {}, {}
    for name, when in EVENTS.items():
        topic, table = config["topics"][name], ARCHIVE[name]
        starts, fresh = inputs.starts(topic)
        raw = read_topic(spark, options, topic, starts, inputs.ends[topic], parallelism)
        if raw is None:
            counts[name] = 0
            if fresh and lake.exists(table):
                lake.delete(table)  # read from the start and found nothing: the archive is what the topic holds
        else:
            from pyspark.sql import functions as F

            raw = raw.persist()  # read from Kafka once: for the schema ids, then for the events
            events = decode(raw, registry, config["readers"][name]).where(F.col("record").isNotNull()).select("record.*")
            events = events.withColumn("date", F.substring(when, 1, 10)).withColumn("batch", F.lit(batch)).persist()
            counts[name] = events.count()
            if counts[name] > 0:
                # A rerun of this batch replaces what it wrote; a fresh read replaces the whole table.
                (events.write.mode("overwrite").option("partitionOverwriteMode", "static" if fresh else "dynamic")
                 .partitionBy("date", "batch").parquet(lake.path(table)))
            elif fresh and lake.exists(table):
                lake.delete(table)
            events.unpersist()
            raw.unpersist()
        tables[name] = spark.read.parquet(lake.path(table)) if lake.has_parquet(table) else None
    return tables, counts


def recommendations(spark, config, live, events, computed_at, model_version):
    from pyspark.sql import functions as F

    top_n = int(config.get("top_n", 50))
    weighted = interactions(events["searches"], events["views"], live, config.get("weights", {"view": 3.0, "search": 1.0}))
    weighted = weighted.cache() if weighted is not None else None
    interaction_count = weighted.count() if weighted is not None else 0
    timings, als = {}, None
    started = time.time()
    if interaction_count > 0:
        als, timings = als_lists(spark, weighted, interaction_count, live, config)
        als = als.persist()
    ids = [t.select("user_id") for t in events.values() if t is not None]
    users = ids[0] if ids else spark.createDataFrame([], "user_id string")
    for more in ids[1:]:
        users = users.unionByName(more)
    users = users.distinct()
    asked = [t.select("user_id", "category") for t in (events["searches"], events["requests"]) if t is not None]
    wanted = asked[0] if asked else spark.createDataFrame([], "user_id string, category string")
    for more in asked[1:]:
        wanted = wanted.unionByName(more)
    wanted = wanted.where(F.col("category").isNotNull()).distinct()
    rest = fallbacks(spark, weighted, live, users, wanted, als.select("user_id") if als is not None else None, top_n)
    lists = als.unionByName(rest) if als is not None else rest
    records = lists.withColumn("model_version", F.lit(model_version)).withColumn("computed_at", F.lit(computed_at)).persist()
    output = config["outputs"]["recommendations"]
    write_topic(records, config["sink"], config["topics"]["recommendations"], "user_id", output["schema_id"], output["schema"])
    by_source = {r["source"]: r["count"] for r in records.where(~F.col("user_id").startswith("*")).groupBy("source").count().collect()}
    timings["total"] = round(time.time() - started, 1)
    counts = {"users": users.count(), "interactions": interaction_count, "als_users": by_source.get("als", 0),
              "category_fallback_users": by_source.get("category-popular", 0), "popular_fallback_users": by_source.get("popular", 0)}
    records.unpersist()
    return counts, timings


def end_with_parent():
    """The job runs in a process group of its own (so that stopping it stops Spark too); when `mkt` dies
    without stopping it (SIGKILL), the job must not go on alone: it ends its group once it is orphaned."""
    import signal
    import threading

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os.killpg(os.getpgid(0), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="mkt-parent-watch").start()


def main():
    end_with_parent()
    with open(sys.argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    started = time.time()
    computed_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    model_version = f"als-{computed_at[:19].replace('-', '').replace(':', '').replace('T', '-')}"
    registry = Registry(config["registry"])
    source = kafka_options(config["source"])
    config["sink"] = kafka_options(config["sink_client"])

    with Step("spark", f"starting Spark ({config['master']})") as step:
        spark = start_spark(config)
        parallelism = spark.sparkContext.defaultParallelism
        lake = Lake(spark, config["lake"])
        last = lake.last_commit()
        # Batch numbers only grow, also after --full, so that the newest commit is always the last one.
        batch = last["batch"] + 1 if last else 1
        commit = None if config.get("full") else last
        inputs = Inputs(config, commit)
        if inputs.records() < SMALL_RUN:
            # A small run is a few hundred tiny jobs: adaptive execution's re-planning at every stage costs more
            # than it could save (about 5 s of 40 on 2 cores for the sample data).
            spark.conf.set("spark.sql.adaptive.enabled", "false")
        since = f"after run {last['batch']} of {last['computed_at']}" if last else "first run on this lake"
        step.detail = f"Spark {spark.version}, {parallelism} cores; {'everything again (--full)' if config.get('full') else since}"

    with Step("read-products", f"reading {config['topics']['products']} and {config['topics']['bans']}") as step:
        products, bans, states, read_counts = read_products(spark, config, lake, commit, inputs, registry, batch, source, parallelism)
        products, bans = products.cache(), bans.cache()
        live = live_products(products, bans).cache()
        total, live_count = products.count(), live.count()
        step.detail = f"{read_counts['products']} new records; {live_count} live products, {total - live_count} banned, {bans.count()} bans in force"

    with Step("read-events", f"reading {config['topics']['searches']}, {config['topics']['views']} and {config['topics']['requests']}") as step:
        events, event_counts = read_events(spark, config, lake, inputs, registry, batch, source, parallelism)
        totals = {name: (table.count() if table is not None else 0) for name, table in events.items()}
        step.detail = ", ".join(f"{event_counts[n]} new {n} ({totals[n]} in all)" for n in EVENTS)

    with Step("category-stats", f"category statistics → {config['topics']['stats']}") as step:
        stats = category_stats(live, computed_at).cache()
        output = config["outputs"]["stats"]
        write_topic(stats, config["sink"], config["topics"]["stats"], "category", output["schema_id"], output["schema"])
        categories = stats.count()
        step.detail = f"{categories} categories"

    with Step("recommendations", f"ALS recommendations → {config['topics']['recommendations']}") as step:
        counts, timings = recommendations(spark, config, live, events, computed_at, model_version)
        shape = f"{timings.pop('pairs')} user × product pairs in {timings.pop('blocks')} ALS blocks; " if "blocks" in timings else ""
        step.detail = f"{counts['als_users']} users from ALS, {counts['category_fallback_users'] + counts['popular_fallback_users']} from fallbacks; {shape}seconds {timings}"

    with Step("archive", f"Parquet archive → {config['lake']}") as step:
        from pyspark.sql import functions as F

        live.select(*PRODUCT_COLUMNS).withColumn("date", F.lit(computed_at[:10])).write.mode("overwrite").partitionBy("date").parquet(lake.path("products"))
        lake.write_commit({"batch": batch, "computed_at": computed_at, "model_version": model_version, "topics": config["topics"],
                           "offsets": {t: {str(p): o for p, o in parts.items()} for t, parts in inputs.ends.items()}, "state": states})
        lake.prune_states({path.split("/")[1] for path in states.values()})
        step.detail = f"run {batch} committed; products, {', '.join(ARCHIVE.values())}"

    spark.stop()
    emit("summary", computed_at=computed_at, model_version=model_version, batch=batch, products=live_count, banned=total - live_count,
         searches=totals["searches"], views=totals["views"], requests=totals["requests"], categories=categories,
         recommendations=counts["als_users"] + counts["category_fallback_users"] + counts["popular_fallback_users"],
         read={**read_counts, **event_counts}, lake=config["lake"], seconds=round(time.time() - started, 2), **counts)


if __name__ == "__main__":
    main()
