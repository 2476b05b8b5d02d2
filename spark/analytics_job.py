"""The mkt analytics job (PySpark): category statistics, ALS recommendations
and a Parquet archive, from the platform's Kafka topics.

Started by `mkt analytics run`, which registers the output schemas and passes
one JSON config (argv[1]: a path). Progress and the summary are JSON lines on
stdout; Spark's own logging goes to stderr.

Kafka is read and written with confluent-kafka (librdkafka) in the driver,
Avro with fastavro against the Confluent-compatible registry: the Spark Kafka
connector needs spark-token-provider-kafka-0-10, which the reachable Maven
mirror does not carry. Everything that computes runs in Spark.
"""

import io
import json
import struct
import sys
import time
import urllib.request
import uuid
from base64 import b64encode
from datetime import datetime, timezone

import fastavro
import pandas as pd
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


class Step:
    """Times one step and reports it as a progress line."""

    def __init__(self, name, label):
        self.name, self.label = name, label

    def __enter__(self):
        emit("start", step=self.name, label=self.label)
        self.started = time.time()
        self.detail = ""
        return self

    def __exit__(self, kind, value, tb):
        if kind is None:
            emit("done", step=self.name, detail=self.detail, seconds=round(time.time() - self.started, 2))


class Registry:
    """Writer schemas by id from the Confluent-compatible API, parsed once."""

    def __init__(self, settings):
        self.url = settings["url"].rstrip("/")
        self.auth = None
        if settings.get("username") and settings.get("password"):
            self.auth = "Basic " + b64encode(f"{settings['username']}:{settings['password']}".encode()).decode()
        self.schemas = {}

    def schema(self, schema_id):
        if schema_id not in self.schemas:
            request = urllib.request.Request(f"{self.url}/schemas/ids/{schema_id}", headers={"Accept": "application/json"})
            if self.auth:
                request.add_header("Authorization", self.auth)
            with urllib.request.urlopen(request, timeout=10) as response:
                text = json.load(response)["schema"]
            self.schemas[schema_id] = fastavro.parse_schema(json.loads(text))
        return self.schemas[schema_id]

    def decode(self, value):
        """A Confluent-framed Avro value, or None for a tombstone or a value that is not one."""
        if value is None or len(value) < 5 or value[0] != 0:
            return None
        schema_id = struct.unpack(">I", value[1:5])[0]
        return fastavro.schemaless_reader(io.BytesIO(value[5:]), self.schema(schema_id), None)


def client_config(config):
    settings = {"bootstrap.servers": ",".join(config["brokers"])}
    sasl = config.get("sasl")
    tls = config.get("tls") or {}
    if sasl:
        settings.update({"sasl.mechanisms": sasl["mechanism"].upper(), "sasl.username": sasl["username"], "sasl.password": sasl["password"]})
    if tls.get("enabled"):
        settings["security.protocol"] = "SASL_SSL" if sasl else "SSL"
        if tls.get("ca"):
            settings["ssl.ca.location"] = tls["ca"]
    elif sasl:
        settings["security.protocol"] = "SASL_PLAINTEXT"
    return settings


def read_topic(config, topic):
    """Every committed record of a topic from the beginning to where it ends now: (key, value, partition, offset, timestamp ms).
    Read from config["source"] when given (the analytics cluster MirrorMaker 2 feeds), else from the cluster the results go to."""
    consumer = Consumer({**client_config(config.get("source") or config), "group.id": f"mkt-analytics-{uuid.uuid4()}", "enable.auto.commit": False,
                         "isolation.level": "read_committed", "enable.partition.eof": True, "auto.offset.reset": "earliest"})
    try:
        metadata = consumer.list_topics(topic, timeout=15)
        if topic not in metadata.topics or metadata.topics[topic].error is not None:
            raise SystemExit(f"topic {topic} does not exist")
        assignments, remaining = [], set()
        for partition in metadata.topics[topic].partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=15)
            if high > low:
                assignments.append(TopicPartition(topic, partition, low))
                remaining.add(partition)
        consumer.assign(assignments)
        while remaining:
            for message in consumer.consume(num_messages=5000, timeout=1.0):
                error = message.error()
                if error is not None:
                    if error.code() == KafkaError._PARTITION_EOF:
                        remaining.discard(message.partition())
                        continue
                    raise SystemExit(f"reading {topic}: {error}")
                key = message.key()
                yield (key.decode("utf-8") if key is not None else None, message.value(), message.partition(), message.offset(), message.timestamp()[1])
    finally:
        consumer.close()


def load(config, registry):
    topics = config["topics"]
    products, bans = {}, {}
    with Step("read-products", f"reading {topics['products']} and {topics['bans']}") as step:
        for key, value, *_ in read_topic(config, topics["products"]):
            card = registry.decode(value)
            if value is None and key is not None:
                products.pop(key, None)
            elif card is not None:
                products[card["product_id"]] = card  # in offset order: the latest version wins
        for key, value, *_ in read_topic(config, topics["bans"]):
            if key is None:
                continue
            if value is None:
                bans.pop(key, None)
            else:
                bans[key] = True
        banned_ids = {k.split(":", 1)[1] for k in bans if k.startswith("product:")}
        banned_skus = {k.split(":", 1)[1] for k in bans if k.startswith("sku:")}
        live = [c for c in products.values() if c["product_id"] not in banned_ids and c["sku"] not in banned_skus]
        step.detail = f"{len(live)} live products, {len(products) - len(live)} banned since they passed the filter, {len(bans)} bans in force"
    frame = pd.DataFrame({
        "product_id": [c["product_id"] for c in live],
        "name": [c["name"] for c in live],
        "brand": [c["brand"] for c in live],
        "category": [c["category"] for c in live],
        "price": [float(c["price"]["amount"]) for c in live],
        "currency": [c["price"]["currency"] for c in live],
        "available": [int(c["stock"]["available"]) - int(c["stock"]["reserved"]) for c in live],
        "store_id": [c["store_id"] for c in live],
        "updated_at": [c["updated_at"] for c in live],
    })

    searches, views, requests = [], [], []
    with Step("read-events", f"reading {topics['searches']}, {topics['views']} and {topics['requests']}") as step:
        for _, value, *_ in read_topic(config, topics["searches"]):
            e = registry.decode(value)
            if e is not None:
                searches.append((e["user_id"], e["query"], e.get("category"), list(e.get("result_ids") or []), e["searched_at"]))
        for _, value, *_ in read_topic(config, topics["views"]):
            e = registry.decode(value)
            if e is not None:
                views.append((e["user_id"], e["product_id"], e["viewed_at"]))
        for _, value, *_ in read_topic(config, topics["requests"]):
            e = registry.decode(value)
            if e is not None:
                requests.append((e["user_id"], e.get("category"), e.get("max_price"), e["requested_at"]))
        step.detail = f"{len(searches)} searches, {len(views)} views, {len(requests)} recommendation requests"
    return frame, len(products) - len(live), searches, views, requests


def frames(spark, products, searches, views, requests):
    from pyspark.sql import types as T

    product_schema = T.StructType([T.StructField(n, t) for n, t in [
        ("product_id", T.StringType()), ("name", T.StringType()), ("brand", T.StringType()), ("category", T.StringType()),
        ("price", T.DoubleType()), ("currency", T.StringType()), ("available", T.LongType()), ("store_id", T.StringType()), ("updated_at", T.StringType())]])
    products_df = spark.createDataFrame(products, schema=product_schema)
    searches_df = spark.createDataFrame(pd.DataFrame(searches, columns=["user_id", "query", "category", "result_ids", "searched_at"]) if searches else [],
                                        schema="user_id string, query string, category string, result_ids array<string>, searched_at string")
    views_df = spark.createDataFrame(pd.DataFrame(views, columns=["user_id", "product_id", "viewed_at"]) if views else [],
                                     schema="user_id string, product_id string, viewed_at string")
    requests_df = spark.createDataFrame(pd.DataFrame(requests, columns=["user_id", "category", "max_price", "requested_at"]) if requests else [],
                                        schema="user_id string, category string, max_price double, requested_at string")
    return products_df, searches_df, views_df, requests_df


def category_stats(products_df, computed_at):
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    stats = products_df.groupBy("category").agg(
        F.count("*").alias("product_count"), F.avg("price").alias("avg_price"), F.min("price").alias("min_price"),
        F.max("price").alias("max_price"), F.sum("available").alias("total_available"))
    brands = products_df.groupBy("category", "brand").agg(F.count("*").alias("products"))
    ranked = brands.withColumn("rank", F.row_number().over(Window.partitionBy("category").orderBy(F.desc("products"), F.asc("brand"))))
    top = ranked.where(F.col("rank") <= 3).groupBy("category").agg(
        F.sort_array(F.collect_list(F.struct(F.col("rank"), F.col("brand"), F.col("products")))).alias("ranked"))
    rows = stats.join(top, "category", "left").orderBy("category").collect()
    return [{
        "category": r["category"], "product_count": int(r["product_count"]), "avg_price": float(r["avg_price"]),
        "min_price": float(r["min_price"]), "max_price": float(r["max_price"]), "total_available": int(r["total_available"] or 0),
        "top_brands": [{"brand": b["brand"], "products": int(b["products"])} for b in (r["ranked"] or [])],
        "computed_at": computed_at,
    } for r in rows]


def score_users(fitted, user_index, item_index, interactions, live, top_n, chunk=2048):
    """Scores every user against every product from the fitted factors, in chunks of users
    with numpy (a small dense product each), and re-ranks the best ALS candidates by the
    user's category affinity: score = 0.5 × ALS score / the user's best + 0.5 × the share of
    the user's interaction weight in the product's category. Spark's recommendForAllUsers
    plus window ranking did the same several times slower on this machine."""
    import numpy as np
    from pyspark.sql import functions as F

    users = user_index.toPandas().sort_values("u")
    items = item_index.join(live.select("product_id", "category"), "product_id").toPandas().sort_values("i")
    user_factors = fitted.userFactors.toPandas().set_index("id")
    item_factors = fitted.itemFactors.toPandas().set_index("id")
    users = users[users["u"].isin(user_factors.index)]
    items = items[items["i"].isin(item_factors.index)]
    U = np.asarray(user_factors.loc[users["u"], "features"].tolist(), dtype=np.float32)
    V = np.asarray(item_factors.loc[items["i"], "features"].tolist(), dtype=np.float32)
    product_ids = items["product_id"].to_numpy()
    categories, item_category = np.unique(items["category"].to_numpy(), return_inverse=True)

    weights = interactions.join(live.select("product_id", "category"), "product_id").groupBy("user_id", "category").agg(F.sum("weight").alias("w")).toPandas()
    user_row = {u: n for n, u in enumerate(users["user_id"].to_numpy())}
    category_col = {c: n for n, c in enumerate(categories)}
    affinity = np.zeros((len(users), len(categories)), dtype=np.float32)
    for user, category, w in weights[["user_id", "category", "w"]].itertuples(index=False):
        if user in user_row and category in category_col:
            affinity[user_row[user], category_col[category]] += w
    affinity /= np.maximum(affinity.sum(axis=1, keepdims=True), 1e-9)

    candidates = min(len(product_ids), top_n * 2)
    keep = min(len(product_ids), top_n)
    user_ids = users["user_id"].to_numpy()
    results = {}
    for start in range(0, len(user_ids), chunk):
        scores = U[start:start + chunk] @ V.T
        best = np.argpartition(-scores, candidates - 1, axis=1)[:, :candidates]
        als = np.take_along_axis(scores, best, axis=1)
        als_norm = als / np.maximum(als.max(axis=1, keepdims=True), 1e-9)
        rows = np.arange(start, start + len(best))[:, None]
        final = np.round(0.5 * als_norm + 0.5 * affinity[rows, item_category[best]], 6)
        # Best first; equal scores by product id (items are numbered in product id order, so a stable
        # sort after ordering by that number), so the same data gives the same lists.
        by_id = np.argsort(best, axis=1, kind="stable")
        best, final = np.take_along_axis(best, by_id, axis=1), np.take_along_axis(final, by_id, axis=1)
        order = np.argsort(-final, axis=1, kind="stable")[:, :keep]
        best, final = np.take_along_axis(best, order, axis=1), np.take_along_axis(final, order, axis=1)
        for n in range(len(best)):
            results[user_ids[start + n]] = {"items": [{"product_id": str(p), "score": float(f)} for p, f in zip(product_ids[best[n]], final[n])], "source": "als"}
    return results


def recommendations(config, products_df, searches_df, views_df, events, computed_at, model_version):
    """Implicit-feedback ALS on user × product weights, re-ranked by the user's category affinity; fallbacks for users without history.

    `events` are the (searches, views, requests) rows already in the driver: who the users are and
    which categories they asked for are read from them rather than with more Spark jobs."""
    from pyspark.ml.recommendation import ALS
    from pyspark.sql import functions as F
    from pyspark.sql.window import Window

    top_n = int(config.get("top_n", 50))
    weights = config.get("weights", {"view": 3.0, "search": 1.0})
    model = config.get("model", {})
    live = products_df.select("product_id", "category", "available")
    searches, views, requests = events

    hits = searches_df.select("user_id", F.explode("result_ids").alias("product_id")).withColumn("weight", F.lit(float(weights["search"])))
    seen = views_df.select("user_id", "product_id").withColumn("weight", F.lit(float(weights["view"])))
    interactions = hits.unionByName(seen).join(live.select("product_id"), "product_id").groupBy("user_id", "product_id").agg(F.sum("weight").alias("weight")).cache()

    results, timings = {}, {}
    started = time.time()
    interaction_count = interactions.count()
    active = set()
    if interaction_count > 0:
        user_index = interactions.select("user_id").distinct().withColumn("u", F.row_number().over(Window.orderBy("user_id")) - 1)
        item_index = interactions.select("product_id").distinct().withColumn("i", F.row_number().over(Window.orderBy("product_id")) - 1)
        train = interactions.join(user_index, "user_id").join(item_index, "product_id").select("u", "i", "weight")
        als = ALS(userCol="u", itemCol="i", ratingCol="weight", implicitPrefs=True, rank=int(model.get("rank", 12)),
                  maxIter=int(model.get("iterations", 10)), regParam=float(model.get("reg", 0.05)), alpha=float(model.get("alpha", 10.0)),
                  coldStartStrategy="drop", seed=42, nonnegative=True, numUserBlocks=4, numItemBlocks=4)
        fit_started = time.time()
        fitted = als.fit(train)
        timings["fit"] = round(time.time() - fit_started, 1)
        score_started = time.time()
        results.update(score_users(fitted, user_index, item_index, interactions, live, top_n))
        timings["score"] = round(time.time() - score_started, 1)
        active = set(results)
    als_users = len(results)

    # Popularity: the interaction weight every live product received (in stock breaks ties).
    popularity = interactions.groupBy("product_id").agg(F.sum("weight").alias("popularity"))
    popular = live.join(popularity, "product_id", "left").fillna(0.0, ["popularity"]) \
        .withColumn("pop_score", F.col("popularity") + F.when(F.col("available") > 0, F.lit(0.001)).otherwise(F.lit(0.0))) \
        .select("product_id", "category", "pop_score").toPandas().sort_values(["pop_score", "product_id"], ascending=[False, True])
    as_items = lambda frame: [{"product_id": pid, "score": round(float(score), 6)} for pid, score in zip(frame["product_id"], frame["pop_score"])]
    global_top = as_items(popular.head(top_n))
    per_category = {category: frame.head(top_n) for category, frame in popular.groupby("category", sort=False)}

    # Users without interactions: popular in the categories they searched or asked for, else popular everywhere.
    users = {e[0] for e in searches} | {e[0] for e in views} | {e[0] for e in requests}
    wanted = {}
    for user, category in [(e[0], e[2]) for e in searches] + [(e[0], e[1]) for e in requests]:
        if category and category in per_category and user not in active:
            wanted.setdefault(user, set()).add(category)
    for user in users - active:
        if user in wanted:
            merged = pd.concat([per_category[c] for c in sorted(wanted[user])]).sort_values(["pop_score", "product_id"], ascending=[False, True]).head(top_n)
            results[user] = {"items": as_items(merged), "source": "category-popular"}
        else:
            results[user] = {"items": global_top, "source": "popular"}
    results["*"] = {"items": global_top, "source": "popular"}  # anyone the job has never seen
    for category, frame in per_category.items():
        results[f"*:{category}"] = {"items": as_items(frame), "source": "popular"}  # for requests that filter by category

    records = [{"user_id": user, "items": r["items"], "source": r["source"], "model_version": model_version, "computed_at": computed_at} for user, r in results.items()]
    counts = {"users": len(users), "interactions": interaction_count, "als_users": als_users,
              "category_fallback_users": sum(1 for r in results.values() if r["source"] == "category-popular"),
              "popular_fallback_users": sum(1 for u, r in results.items() if r["source"] == "popular" and not u.startswith("*")),
              "timings": {**timings, "total": round(time.time() - started, 1)}}
    return records, counts


def publish(config, topic, output, records, key_field):
    """Confluent-framed Avro (the id the CLI registered), idempotent, acks=all."""
    schema = fastavro.parse_schema(output["schema"])
    header = b"\x00" + struct.pack(">I", int(output["schema_id"]))
    producer = Producer({**client_config(config), "enable.idempotence": True, "acks": "all", "compression.type": "lz4", "linger.ms": 20})
    failures = []
    for record in records:
        buffer = io.BytesIO()
        buffer.write(header)
        fastavro.schemaless_writer(buffer, schema, record)
        while True:
            try:
                producer.produce(topic, key=record[key_field].encode("utf-8"), value=buffer.getvalue(),
                                 on_delivery=lambda err, msg: err and failures.append(str(err)))
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    remaining = producer.flush(60)
    if failures or remaining:
        raise SystemExit(f"writing {topic}: {len(failures)} failed, {remaining} undelivered: {failures[:3]}")


def archive(spark, config, products_df, searches_df, views_df, requests_df, computed_at):
    from pyspark.sql import functions as F

    lake = config["lake"].rstrip("/")
    written = {}
    # Products: the catalogue as of this run, under the run's date; events: under the day they happened.
    for name, frame, date in [("products", products_df, F.lit(computed_at[:10])), ("searches", searches_df, F.substring("searched_at", 1, 10)),
                              ("views", views_df, F.substring("viewed_at", 1, 10)), ("recommendation_requests", requests_df, F.substring("requested_at", 1, 10))]:
        dated = frame.withColumn("date", date)
        # Dynamic partition overwrite: a rerun replaces the days it covers, never duplicates them.
        dated.write.mode("overwrite").partitionBy("date").parquet(f"{lake}/{name}")
        written[name] = f"{lake}/{name}"
    return written


def main():
    with open(sys.argv[1], encoding="utf-8") as handle:
        config = json.load(handle)
    started = time.time()
    computed_at = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    model_version = f"als-{computed_at[:19].replace('-', '').replace(':', '').replace('T', '-')}"
    registry = Registry(config["registry"])

    products, banned, searches, views, requests = load(config, registry)

    with Step("spark", f"starting Spark ({config['master']})") as step:
        from pyspark.sql import SparkSession

        spark = (SparkSession.builder.master(config["master"]).appName("mkt-analytics")
                 .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(config.get("shuffle_partitions", 4)))
                 .config("spark.sql.sources.partitionOverwriteMode", "dynamic").config("spark.sql.execution.arrow.pyspark.enabled", "true")
                 .config("spark.driver.memory", config.get("driver_memory", "2g")).getOrCreate())
        spark.sparkContext.setLogLevel("ERROR")
        step.detail = f"Spark {spark.version}"
    products_df, searches_df, views_df, requests_df = frames(spark, products, searches, views, requests)
    products_df.cache()

    with Step("category-stats", f"category statistics → {config['topics']['stats']}") as step:
        stats = category_stats(products_df, computed_at)
        publish(config, config["topics"]["stats"], config["outputs"]["stats"], stats, "category")
        step.detail = f"{len(stats)} categories"

    with Step("recommendations", f"ALS recommendations → {config['topics']['recommendations']}") as step:
        records, counts = recommendations(config, products_df, searches_df, views_df, (searches, views, requests), computed_at, model_version)
        publish(config, config["topics"]["recommendations"], config["outputs"]["recommendations"], records, "user_id")
        step.detail = f"{counts['als_users']} users from ALS, {counts['category_fallback_users'] + counts['popular_fallback_users']} from fallbacks; seconds {counts.pop('timings')}"

    with Step("archive", f"Parquet archive → {config['lake']}") as step:
        written = archive(spark, config, products_df, searches_df, views_df, requests_df, computed_at)
        step.detail = ", ".join(written)

    spark.stop()
    emit("summary", computed_at=computed_at, model_version=model_version, products=len(products), banned=banned,
         searches=len(searches), views=len(views), requests=len(requests), categories=len(stats),
         recommendations=sum(1 for r in records if not r["user_id"].startswith("*")),
         lake=config["lake"], seconds=round(time.time() - started, 2), **counts)


if __name__ == "__main__":
    main()
