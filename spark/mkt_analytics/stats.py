"""Category statistics over the live catalogue, as rows of the category-stats schema."""

from pyspark.sql import functions as F
from pyspark.sql.window import Window


def category_stats(live, computed_at):
    stats = live.groupBy("category").agg(
        F.count("*").alias("product_count"), F.avg("price").alias("avg_price"), F.min("price").alias("min_price"),
        F.max("price").alias("max_price"), F.coalesce(F.sum("available"), F.lit(0)).cast("long").alias("total_available"))
    brands = live.groupBy("category", "brand").agg(F.count("*").alias("products"))
    # The three brands with the most products; ties by name, in code point order.
    ranked = brands.withColumn("rank", F.row_number().over(Window.partitionBy("category").orderBy(F.desc("products"), F.asc("brand"))))
    top = ranked.where(F.col("rank") <= 3).groupBy("category").agg(
        F.transform(F.sort_array(F.collect_list(F.struct("rank", "brand", "products"))),
                    lambda b: F.struct(b["brand"].alias("brand"), b["products"].alias("products"))).alias("top_brands"))
    return stats.join(top, "category", "left").select(
        "category", "product_count", "avg_price", "min_price", "max_price", "total_available",
        F.coalesce("top_brands", F.array().cast("array<struct<brand:string,products:bigint>>")).alias("top_brands"),
        F.lit(computed_at).alias("computed_at"))
