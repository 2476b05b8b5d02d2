"""Recommendations: implicit-feedback ALS on user × product weights, scored in the executors
against the broadcast item factors and re-ranked by the user's category affinity; popular
products (in the categories a user searched or asked for, else overall) for users without history."""

import time

from pyspark.sql import functions as F
from pyspark.sql.window import Window

ITEMS = "array<struct<product_id:string,score:double>>"
SCORED = f"user_id string, items {ITEMS}, source string"
# Floats in one block of scores (users × items) per Python worker: about 256 MB.
BLOCK = 64 * 1024 * 1024
# ALS builds each user and item block in memory: the 5,000,000-event benchmark's 22.4 million pairs in 2 blocks ran a 2 GB
# local[2] driver out of heap in the fit; the 1,000,000-event one's fitted. More blocks than cores only
# when the pairs need them, so a small run keeps its few tasks.
PAIRS_PER_BLOCK = 2_000_000


def als_blocks(pairs, cores):
    """How many user (and item) blocks ALS splits the ratings into: one per core, more when a block would hold too many pairs."""
    return max(2, cores, -(-pairs // PAIRS_PER_BLOCK))


def interactions(searches, views, live, weights):
    """Per user and live product: a view weighs weights.view, appearing in a search's results weights.search."""
    parts = []
    if searches is not None:
        parts.append(searches.select("user_id", F.explode("result_ids").alias("product_id")).withColumn("weight", F.lit(float(weights["search"]))))
    if views is not None:
        parts.append(views.select("user_id", "product_id").withColumn("weight", F.lit(float(weights["view"]))))
    if not parts:
        return None
    union = parts[0] if len(parts) == 1 else parts[0].unionByName(parts[1])
    return union.join(live.select("product_id"), "product_id").groupBy("user_id", "product_id").agg(F.sum("weight").alias("weight"))


def scorer(broadcast, top_n):
    """The mapInPandas function: for each block of users, scores against every item, keeps the best 2×top_n by ALS
    and re-ranks them: 0.5 × ALS score / the user's best + 0.5 × the user's share of interaction weight in the item's category."""

    def score(batches):
        import numpy as np
        import pandas as pd

        V, product_ids, item_category, categories = broadcast.value
        candidates = min(len(product_ids), top_n * 2)
        keep = min(len(product_ids), top_n)
        chunk = max(1, BLOCK // max(1, len(product_ids)))
        for frame in batches:
            users = frame["user_id"].to_numpy()
            U_all = np.asarray(frame["features"].tolist(), dtype=np.float32).reshape(len(frame), V.shape[1])
            affinity_all = np.zeros((len(frame), categories), dtype=np.float32)
            for row, pairs in enumerate(frame["affinity"]):
                for pair in pairs if pairs is not None else []:
                    affinity_all[row, pair["c"]] = pair["w"]
            lists = []
            for start in range(0, len(frame), chunk):
                U, affinity = U_all[start:start + chunk], affinity_all[start:start + chunk]
                scores = U @ V.T
                best = np.argpartition(-scores, candidates - 1, axis=1)[:, :candidates]
                als = np.take_along_axis(scores, best, axis=1)
                als_norm = als / np.maximum(als.max(axis=1, keepdims=True), 1e-9)
                rows = np.arange(len(best))[:, None]
                final = np.round(0.5 * als_norm + 0.5 * affinity[rows, item_category[best]], 6)
                # Best first; equal scores by product id (items are numbered in product id order), so the same data gives the same lists.
                by_id = np.argsort(best, axis=1, kind="stable")
                best, final = np.take_along_axis(best, by_id, axis=1), np.take_along_axis(final, by_id, axis=1)
                order = np.argsort(-final, axis=1, kind="stable")[:, :keep]
                best, final = np.take_along_axis(best, order, axis=1), np.take_along_axis(final, order, axis=1)
                lists.extend([{"product_id": str(p), "score": float(f)} for p, f in zip(product_ids[b], s)] for b, s in zip(best, final))
            yield pd.DataFrame({"user_id": users, "items": lists, "source": "als"})

    return score


def als_lists(spark, weighted, pairs, live, config):
    """(lists of the users ALS knows, timings); the factors are fitted and scored in the executors."""
    from pyspark.ml.recommendation import ALS

    model = config.get("model", {})
    top_n = int(config.get("top_n", 50))
    users = weighted.select("user_id").distinct().withColumn("u", F.row_number().over(Window.orderBy("user_id")) - 1)
    items = weighted.select("product_id").distinct().withColumn("i", F.row_number().over(Window.orderBy("product_id")) - 1)
    train = weighted.join(users, "user_id").join(items, "product_id").select("u", "i", "weight")
    blocks = als_blocks(pairs, spark.sparkContext.defaultParallelism)
    als = ALS(userCol="u", itemCol="i", ratingCol="weight", implicitPrefs=True, rank=int(model.get("rank", 12)),
              maxIter=int(model.get("iterations", 10)), regParam=float(model.get("reg", 0.05)), alpha=float(model.get("alpha", 10.0)),
              coldStartStrategy="drop", seed=42, nonnegative=True, numUserBlocks=blocks, numItemBlocks=blocks)
    timings = {"pairs": pairs, "blocks": blocks}
    started = time.time()
    fitted = als.fit(train)
    timings["fit"] = round(time.time() - started, 1)

    import numpy as np

    # The item side is the model, not the data: product count × rank floats, broadcast to every executor.
    item_rows = (items.join(fitted.itemFactors.withColumnRenamed("id", "i"), "i").join(live.select("product_id", "category"), "product_id")
                 .select("i", "product_id", "category", "features").toPandas().sort_values("i"))
    categories = sorted(item_rows["category"].unique())
    category_index = {c: n for n, c in enumerate(categories)}
    V = np.asarray(item_rows["features"].tolist(), dtype=np.float32).reshape(len(item_rows), -1)
    broadcast = spark.sparkContext.broadcast((V, item_rows["product_id"].to_numpy(), np.array([category_index[c] for c in item_rows["category"]]), len(categories)))

    by_category = weighted.join(live.select("product_id", "category"), "product_id").groupBy("user_id", "category").agg(F.sum("weight").alias("w"))
    share = by_category.withColumn("w", F.col("w") / F.sum("w").over(Window.partitionBy("user_id")))
    category_ids = spark.createDataFrame([(c, n) for c, n in category_index.items()], "category string, c int")
    affinity = share.join(F.broadcast(category_ids), "category").groupBy("user_id").agg(F.collect_list(F.struct("c", "w")).alias("affinity"))
    scored_users = (users.join(fitted.userFactors.withColumnRenamed("id", "u"), "u").join(affinity, "user_id", "left")
                    .select("user_id", "features", "affinity"))
    return scored_users.mapInPandas(scorer(broadcast, top_n), SCORED), timings


def fallbacks(spark, weighted, live, users, wanted, als_users, top_n):
    """Popular lists: per category for users who searched or asked for categories, overall for the rest, and the * rows."""
    popularity = weighted.groupBy("product_id").agg(F.sum("weight").alias("popularity")) if weighted is not None else None
    popular = live.select("product_id", "category", "available")
    popular = popular.join(popularity, "product_id", "left") if popularity is not None else popular.withColumn("popularity", F.lit(None).cast("double"))
    # Interaction weight received; in stock breaks ties.
    popular = popular.select("product_id", "category", (F.coalesce("popularity", F.lit(0.0)) + F.when(F.col("available") > 0, 0.001).otherwise(0.0)).alias("pop"))
    in_category = Window.partitionBy("category").orderBy(F.desc("pop"), F.asc("product_id"))
    top_per_category = popular.withColumn("rank", F.row_number().over(in_category)).where(F.col("rank") <= top_n).cache()
    # Lists in rank order (sort_array sorts the structs by their first field).
    as_items = lambda: F.transform(F.sort_array(F.collect_list(F.struct("rank", "product_id", "pop"))),
                                   lambda x: F.struct(x["product_id"].alias("product_id"), F.round(x["pop"], 6).alias("score")))

    global_top = [(r["product_id"], round(float(r["pop"]), 6)) for r in popular.orderBy(F.desc("pop"), F.asc("product_id")).limit(top_n).collect()]
    global_items = F.array(*[F.struct(F.lit(p).alias("product_id"), F.lit(s).alias("score")) for p, s in global_top]).cast(ITEMS)

    without = users.join(als_users, "user_id", "left_anti") if als_users is not None else users
    asked = wanted.join(without, "user_id").join(top_per_category.select("category", "product_id", "pop"), "category")
    per_user = Window.partitionBy("user_id").orderBy(F.desc("pop"), F.asc("product_id"))
    category_lists = (asked.withColumn("rank", F.row_number().over(per_user)).where(F.col("rank") <= top_n)
                      .groupBy("user_id").agg(as_items().alias("items")).withColumn("source", F.lit("category-popular")))
    popular_lists = without.join(category_lists.select("user_id"), "user_id", "left_anti").select("user_id", global_items.alias("items"), F.lit("popular").alias("source"))
    category_rows = top_per_category.groupBy("category").agg(as_items().alias("items")).select(
        F.concat(F.lit("*:"), F.col("category")).alias("user_id"), "items", F.lit("popular").alias("source"))
    anyone = spark.createDataFrame([("*",)], "user_id string").select("user_id", global_items.alias("items"), F.lit("popular").alias("source"))
    return category_lists.unionByName(popular_lists).unionByName(category_rows).unionByName(anyone)
