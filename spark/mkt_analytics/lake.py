"""The lake's bookkeeping, through Hadoop's FileSystem API (file:// and hdfs:// alike).

A run's results become visible through one commit file, `_commits/<batch>.json`, written
last: the offsets each input topic was read to and where this run's product and ban state
is. A run that dies before it leaves no commit; the next one starts from the last commit
again and overwrites what the dead run had written under the same batch number."""

import json


class Lake:
    def __init__(self, spark, uri):
        self.spark = spark
        self.uri = uri.rstrip("/")
        jvm = spark.sparkContext._jvm
        self._Path = jvm.org.apache.hadoop.fs.Path
        self._conf = spark.sparkContext._jsc.hadoopConfiguration()
        self.fs = self._Path(self.uri).getFileSystem(self._conf)

    def path(self, *parts):
        return "/".join([self.uri, *parts])

    def exists(self, *parts):
        return self.fs.exists(self._Path(self.path(*parts)))

    def has_parquet(self, *parts):
        """Whether a table holds any data file (a table written from no rows has none, and Spark cannot read it)."""
        directory = self._Path(self.path(*parts))
        if not self.fs.exists(directory):
            return False
        files = self.fs.listFiles(directory, True)
        while files.hasNext():
            if files.next().getPath().getName().endswith(".parquet"):
                return True
        return False

    def delete(self, *parts):
        self.fs.delete(self._Path(self.path(*parts)), True)

    def last_commit(self):
        """The newest commit, or None for a lake no run has committed to."""
        directory = self._Path(self.path("_commits"))
        if not self.fs.exists(directory):
            return None
        names = sorted(s.getPath().getName() for s in self.fs.listStatus(directory) if s.getPath().getName().endswith(".json"))
        if not names:
            return None
        stream = self.fs.open(self._Path(self.path("_commits", names[-1])))
        try:
            reader = self.spark.sparkContext._jvm.java.io.BufferedReader(self.spark.sparkContext._jvm.java.io.InputStreamReader(stream, "UTF-8"))
            lines = []
            while True:
                line = reader.readLine()
                if line is None:
                    break
                lines.append(line)
        finally:
            stream.close()
        return json.loads("\n".join(lines))

    def write_commit(self, commit):
        """Written under a temporary name, then renamed: a reader sees the whole commit or none."""
        name = f"{commit['batch']:08d}.json"
        temporary = self._Path(self.path("_commits", f".{name}.tmp"))
        final = self._Path(self.path("_commits", name))
        stream = self.fs.create(temporary, True)
        try:
            stream.write(bytearray(json.dumps(commit, ensure_ascii=False, indent=1).encode("utf-8")))
        finally:
            stream.close()
        if self.fs.exists(final):
            self.fs.delete(final, False)
        if not self.fs.rename(temporary, final):
            raise SystemExit(f"could not commit {self.path('_commits', name)}")

    def prune_states(self, keep):
        """Deletes the state versions (batch folders under _state) the last commit does not point to."""
        directory = self._Path(self.path("_state"))
        if not self.fs.exists(directory):
            return
        for status in self.fs.listStatus(directory):
            if status.getPath().getName() not in keep:
                self.fs.delete(status.getPath(), True)
