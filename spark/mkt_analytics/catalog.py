"""The catalogue as of the end of this run's offsets: the latest version of every product,
less tombstones and bans, kept in the lake between runs so that a run reads only what is new."""

from pyspark.sql import functions as F
from pyspark.sql.window import Window

PRODUCT_COLUMNS = ["product_id", "name", "brand", "category", "price", "currency", "available", "sku", "store_id", "updated_at"]


def product_updates(decoded, batch):
    """One row per record: its key and place in the log, a tombstone flag, and the card's columns."""
    card = F.col("record")
    return decoded.where(F.col("value").isNull() | card.isNotNull()).where(F.col("key").isNotNull() | card.isNotNull()).select(
        F.coalesce(F.col("key"), card["product_id"]).alias("key"),
        F.lit(batch).alias("batch"),
        "offset",
        F.col("value").isNull().alias("deleted"),
        card["product_id"].alias("product_id"),
        card["name"].alias("name"),
        card["brand"].alias("brand"),
        card["category"].alias("category"),
        card["price"]["amount"].cast("double").alias("price"),
        card["price"]["currency"].alias("currency"),
        (card["stock"]["available"] - card["stock"]["reserved"]).cast("long").alias("available"),
        card["sku"].alias("sku"),
        card["store_id"].alias("store_id"),
        card["updated_at"].alias("updated_at"),
    )


def ban_updates(frame, batch):
    """Bans are keyed product:<id> or sku:<sku>; a tombstone lifts one."""
    return frame.where(F.col("key").isNotNull()).select("key", F.lit(batch).alias("batch"), "offset", F.col("value").isNull().alias("deleted"))


def latest(previous, updates):
    """The newest row per key: later runs first, then the later offset (one key lives in one partition); tombstones drop the key."""
    rows = [f for f in (previous, updates) if f is not None]
    if not rows:
        return None
    merged = rows[0] if len(rows) == 1 else rows[0].unionByName(rows[1])
    newest = Window.partitionBy("key").orderBy(F.desc("batch"), F.desc("offset"))
    return merged.withColumn("_n", F.row_number().over(newest)).where((F.col("_n") == 1) & ~F.col("deleted")).drop("_n")


def live_products(products, bans):
    """The products no ban in force names, by id or by SKU."""
    if bans is None:
        return products
    banned = bans.select(F.split("key", ":", 2).alias("k")).select(F.col("k")[0].alias("kind"), F.col("k")[1].alias("id"))
    by_id = banned.where(F.col("kind") == "product").select(F.col("id").alias("product_id"))
    by_sku = banned.where(F.col("kind") == "sku").select(F.col("id").alias("sku"))
    return products.join(by_id, "product_id", "left_anti").join(by_sku, "sku", "left_anti")
