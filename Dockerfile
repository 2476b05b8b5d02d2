# syntax=docker/dockerfile:1
# The mkt image: the CLI and its workers (filter, indexer, recommender,
# gateway), the Spark job's driver, and the Spark standalone master and
# worker, all from the same dist/ the tests run. compose/docker-compose.yml
# builds it.
#
# Spark comes from the pyspark package (as in the local runtime), not from
# apache/spark: its images carry Ubuntu 22.04's Python 3.10, while the job's
# pinned pandas 3 and numpy 2.4 need 3.11, and PySpark refuses executors
# whose Python differs from the driver's. One image for driver and executors
# keeps them equal by construction.

ARG NODE_IMAGE=node:20.19.5-bookworm-slim
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm

FROM ${NODE_IMAGE} AS node

# --- Java 17, Python 3.11 with the job's requirements (pyspark ships Spark), Node 20 ---
FROM ${PYTHON_IMAGE} AS base
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openjdk-17-jre-headless procps tini libssl3 zlib1g libzstd1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY spark/requirements.txt /opt/mkt/spark/requirements.txt
RUN pip install --no-cache-dir -r /opt/mkt/spark/requirements.txt
ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
    SPARK_HOME=/usr/local/lib/python3.11/site-packages/pyspark \
    MKT_PYTHON=/usr/local/bin/python3 \
    PYSPARK_PYTHON=/usr/local/bin/python3 \
    MKT_CACHE_DIR=/opt/mkt/cache
ENV PATH=/opt/mkt/bin:${SPARK_HOME}/bin:${PATH}

# --- npm ci (librdkafka linked against the system's OpenSSL, zlib, zstd), build, the Maven artifacts ---
FROM base AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends g++ make python3 libssl-dev zlib1g-dev libzstd-dev maven \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /opt/mkt
# A checkout has package-lock.json; the npm package (which ships this file and the sources) does not.
COPY package.json package-lock.json* ./
RUN if [ -f package-lock.json ]; then install=ci; else install=install; fi \
 && CKJS_LINKING=dynamic npm $install --no-audit --no-fund --ignore-scripts \
 && CKJS_LINKING=dynamic npm rebuild @confluentinc/kafka-javascript koffi
COPY tsconfig.json tsconfig.build.json ./
COPY bin bin
COPY commands commands
COPY src src
COPY compose compose
COPY data data
COPY spark spark
RUN npm run build && npm prune --omit=dev
# Every jar the containers need (Kafka's tools, the Connect plugins, the JMX exporter, Hadoop's client, Spark's Kafka connector).
RUN node bin/run.js infra pull && rm -rf /opt/mkt/cache/m2

# --- the image ---
FROM base
COPY --from=build /opt/mkt /opt/mkt
RUN ln -s /opt/mkt/bin/run.js /opt/mkt/bin/mkt \
 && useradd --uid 1000 --gid 0 --home-dir /home/mkt --create-home mkt
WORKDIR /home/mkt
USER 1000:0
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["mkt", "--help"]
