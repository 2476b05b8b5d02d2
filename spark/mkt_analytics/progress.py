"""Progress and the summary as JSON lines on stdout, which `mkt analytics run` renders."""

import json
import time


def emit(event, **fields):
    print(json.dumps({"event": event, **fields}, ensure_ascii=False), flush=True)


class Step:
    """Times one step and reports it as a progress line; `detail` is shown when it is done."""

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


def note(message):
    emit("note", message=message)
