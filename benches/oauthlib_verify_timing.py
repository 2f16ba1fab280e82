#!/usr/bin/env python3
"""oauthlib verifying the request the countersign verify bench verifies, timed in the same run.

Reads one JSON object on standard input:

  {"uri": "https://...", "authorization": "OAuth ...", "consumer_key": "...",
   "client_secret": "...", "token": "...", "token_secret": "...", "runs": 20000}

and prints one line, "ns_per_call <float>": the mean time of oauthlib's
SignatureOnlyEndpoint.validate_request over `runs` calls (after a warm-up of a tenth of them),
with a RequestValidator whose lookups are dictionary reads and whose client-key, token and nonce
format checks and nonce store accept everything (less work than oauthlib's defaults, so the
comparison flatters oauthlib, if anything). The header's timestamp must be within oauthlib's
600 seconds of now. Exits 1 when oauthlib refuses the request.
"""

import json
import sys
import time

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint


def main():
    job = json.load(sys.stdin)

    class Validator(RequestValidator):
        @property
        def allowed_signature_methods(self):
            return ("PLAINTEXT", "HMAC-SHA1")

        @property
        def dummy_client(self):
            return "dummy-client"

        @property
        def dummy_access_token(self):
            return "dummy-token"

        def check_client_key(self, client_key):
            return True

        def check_access_token(self, request_token):
            return True

        def check_nonce(self, nonce):
            return True

        def validate_client_key(self, client_key, request):
            return client_key == job["consumer_key"]

        def validate_access_token(self, client_key, token, request):
            return token == job["token"]

        def validate_timestamp_and_nonce(self, client_key, timestamp, nonce, request,
                                         request_token=None, access_token=None):
            return True

        def get_client_secret(self, client_key, request):
            return job["client_secret"]

        def get_access_token_secret(self, client_key, token, request):
            return job["token_secret"]

    endpoint = SignatureOnlyEndpoint(Validator())
    headers = {"Authorization": job["authorization"]}

    def once():
        return endpoint.validate_request(job["uri"], "GET", None, headers)

    valid, _ = once()
    if not valid:
        print("oauthlib refused the request", file=sys.stderr)
        sys.exit(1)
    runs = int(job.get("runs", 20000))
    for _ in range(runs // 10):
        once()
    start = time.perf_counter_ns()
    for _ in range(runs):
        once()
    elapsed = time.perf_counter_ns() - start
    print("ns_per_call %.1f" % (elapsed / runs))


if __name__ == "__main__":
    main()
