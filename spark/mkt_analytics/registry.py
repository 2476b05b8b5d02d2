"""Writer schemas by id from the Confluent-compatible registry API (driver side, a few small requests)."""

import json
import urllib.request
from base64 import b64encode


class Registry:
    def __init__(self, settings):
        self.url = settings["url"].rstrip("/")
        self.auth = None
        if settings.get("username") and settings.get("password"):
            self.auth = "Basic " + b64encode(f"{settings['username']}:{settings['password']}".encode()).decode()
        self.texts = {}

    def schema_text(self, schema_id):
        if schema_id not in self.texts:
            request = urllib.request.Request(f"{self.url}/schemas/ids/{schema_id}", headers={"Accept": "application/json"})
            if self.auth:
                request.add_header("Authorization", self.auth)
            try:
                with urllib.request.urlopen(request, timeout=15) as response:
                    self.texts[schema_id] = json.load(response)["schema"]
            except Exception as error:  # noqa: BLE001 - named in the job's error
                raise SystemExit(f"the schema registry has no schema with id {schema_id} ({error}); records framed with it cannot be read")
        return self.texts[schema_id]
