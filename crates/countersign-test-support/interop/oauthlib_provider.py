#!/usr/bin/env python3
"""An OAuth 1.0a provider that nobody here wrote: Python oauthlib's endpoints on loopback.

Serves oauthlib's RequestTokenEndpoint, AuthorizationEndpoint, AccessTokenEndpoint and
ResourceEndpoint over http.server on 127.0.0.1 (an ephemeral port), with an in-memory
RequestValidator that keeps every default check of oauthlib's base class (client key, token,
nonce and verifier formats, the 600-second timestamp window, nonce replay, signature methods).
The one default it changes is `enforce_ssl`: the server is plain HTTP on loopback.

The first line on stdout is the base URL. Authorization is approved at once (there is no user):
GET /authorize?oauth_token=... answers 302 to the callback with oauth_token and oauth_verifier,
or, for an `oob` request token, 200 with them as a form body.

Routes:
  GET|POST /request_token   temporary credentials
  GET      /authorize       approval (automatic)
  POST     /access_token    token credentials
  GET      /identity        protected: Discogs-shaped identity JSON
  POST     /echo            protected: the form parameters it received, as JSON

The countersign-reqwest and countersign-ureq interop tests run it (see .ci/run). It exits when
its standard input closes, so it never outlives the test that started it.
"""

import hmac
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from oauthlib.oauth1 import (
    AccessTokenEndpoint,
    AuthorizationEndpoint,
    RequestTokenEndpoint,
    RequestValidator,
    ResourceEndpoint,
)
from oauthlib.oauth1.rfc5849 import errors

# oauthlib's default validator wants client keys of 20 to 30 alphanumeric characters.
CLIENT_KEY = "countersignInteropKey01"
CLIENT_SECRET = "countersign-interop-secret"


class Validator(RequestValidator):
    """In-memory storage; every check of the base class left as it is, but `enforce_ssl`."""

    def __init__(self):
        super().__init__()
        self.lock = threading.Lock()
        self.request_tokens = {}
        self.access_tokens = {}
        self.nonces = set()

    @property
    def enforce_ssl(self):
        # Plain HTTP on loopback: the only default policy this provider changes.
        return False

    # Dummies keep the timing the same for unknown clients and tokens (oauthlib's advice).
    @property
    def dummy_client(self):
        return "dummyClientKeyForTiming"

    @property
    def dummy_request_token(self):
        return "dummyRequestTokenForTiming"

    @property
    def dummy_access_token(self):
        return "dummyAccessTokenForTiming"

    def validate_client_key(self, client_key, request):
        return hmac.compare_digest(client_key, CLIENT_KEY)

    def get_client_secret(self, client_key, request):
        return CLIENT_SECRET if client_key == CLIENT_KEY else "dummy-secret"

    def validate_timestamp_and_nonce(
        self, client_key, timestamp, nonce, request, request_token=None, access_token=None
    ):
        key = (client_key, timestamp, nonce, request_token, access_token)
        with self.lock:
            if key in self.nonces:
                return False
            self.nonces.add(key)
            return True

    def get_default_realms(self, client_key, request):
        return []

    def validate_requested_realms(self, client_key, realms, request):
        return True

    def validate_redirect_uri(self, client_key, redirect_uri, request):
        return redirect_uri == "oob" or redirect_uri.startswith(("http://", "https://"))

    def save_request_token(self, token, request):
        with self.lock:
            self.request_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"],
                "client": request.client_key,
                "callback": request.redirect_uri,
                "verifier": None,
            }

    def verify_request_token(self, token, request):
        with self.lock:
            return token in self.request_tokens

    def get_realms(self, token, request):
        return []

    def verify_realms(self, token, realms, request):
        return True

    def save_verifier(self, token, verifier, request):
        with self.lock:
            self.request_tokens[token]["verifier"] = verifier["oauth_verifier"]

    def get_redirect_uri(self, token, request):
        with self.lock:
            return self.request_tokens[token]["callback"]

    def validate_request_token(self, client_key, token, request):
        with self.lock:
            entry = self.request_tokens.get(token)
        return entry is not None and entry["client"] == client_key

    def get_request_token_secret(self, client_key, token, request):
        with self.lock:
            entry = self.request_tokens.get(token)
        return entry["secret"] if entry else "dummy-secret"

    def validate_verifier(self, client_key, token, verifier, request):
        with self.lock:
            entry = self.request_tokens.get(token)
        expected = (entry or {}).get("verifier") or ""
        return bool(expected) and hmac.compare_digest(expected, verifier)

    def invalidate_request_token(self, client_key, request_token, request):
        with self.lock:
            self.request_tokens.pop(request_token, None)

    def save_access_token(self, token, request):
        with self.lock:
            self.access_tokens[token["oauth_token"]] = {
                "secret": token["oauth_token_secret"],
                "client": request.client_key,
            }

    def validate_access_token(self, client_key, token, request):
        with self.lock:
            entry = self.access_tokens.get(token)
        return entry is not None and entry["client"] == client_key

    def get_access_token_secret(self, client_key, token, request):
        with self.lock:
            entry = self.access_tokens.get(token)
        return entry["secret"] if entry else "dummy-secret"

    def validate_realms(self, client_key, token, request, uri=None, realms=None):
        return True


VALIDATOR = Validator()
REQUEST_TOKEN = RequestTokenEndpoint(VALIDATOR)
AUTHORIZATION = AuthorizationEndpoint(VALIDATOR)
ACCESS_TOKEN = AccessTokenEndpoint(VALIDATOR)
RESOURCE = ResourceEndpoint(VALIDATOR)


class Handler(BaseHTTPRequestHandler):
    server_version = "oauthlib-interop"

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        if os.environ.get("OAUTHLIB_PROVIDER_LOG"):
            super().log_message(format, *args)

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def route(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        uri = "http://%s%s" % (self.headers.get("Host", ""), self.path)
        headers = dict(self.headers.items())
        path = urlsplit(self.path).path
        try:
            if path == "/request_token" and method in ("GET", "POST"):
                self.answer(*REQUEST_TOKEN.create_request_token_response(uri, method, body, headers))
            elif path == "/authorize" and method == "GET":
                self.answer(
                    *AUTHORIZATION.create_authorization_response(uri, method, body, headers, realms=[])
                )
            elif path == "/access_token" and method == "POST":
                self.answer(*ACCESS_TOKEN.create_access_token_response(uri, method, body, headers))
            elif path in ("/identity", "/echo"):
                valid, request = RESOURCE.validate_protected_resource_request(
                    uri, method, body, headers, realms=[]
                )
                if not valid:
                    self.json(401, {"message": "You must authenticate to access this resource."})
                elif path == "/identity":
                    self.json(
                        200,
                        {
                            "id": 1,
                            "username": "oauthlib",
                            "resource_url": "http://%s/users/oauthlib" % self.headers.get("Host", ""),
                            "consumer_name": "countersign interop",
                        },
                    )
                else:
                    self.json(200, {"method": method, "form": dict(parse_qsl(body, keep_blank_values=True))})
            else:
                self.json(404, {"message": "The requested resource was not found."})
        except errors.OAuth1Error as e:
            self.answer({"Content-Type": "application/x-www-form-urlencoded"}, e.urlencoded, e.status_code)

    def answer(self, headers, body, status):
        data = (body or "").encode("utf-8")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def json(self, status, value):
        self.answer({"Content-Type": "application/json"}, json.dumps(value), status)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("http://127.0.0.1:%d" % server.server_address[1], flush=True)

    def stop_when_stdin_closes():
        sys.stdin.read()
        os._exit(0)

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
