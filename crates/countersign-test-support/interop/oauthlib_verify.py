#!/usr/bin/env python3
"""Signatures checked by an implementation nobody here wrote: Python oauthlib's.

Reads one JSON object per line on standard input and answers one line on standard output:
"ok", "bad-signature", "bad-body-hash", or "error: <what oauthlib raised>". Each object is a
signed request:

  {"method": "POST", "uri": "https://...", "headers": {"Authorization": "OAuth ...",
   "Content-Type": "..."}, "body": "<text>",
   "client_secret": "...", "token_secret": "...", "rsa_public_key": "<PEM>"}

oauthlib collects the parameters as its endpoints do (BaseEndpoint._create_request: the header,
a form body when the Content-Type says so, the query), then verifies the signature with the
method the request names: signature.verify_plaintext, verify_hmac_sha1/256/512 with the secrets,
verify_rsa_sha1/256 with the public key (oauthlib's RSA needs `cryptography` and `PyJWT`: install
`oauthlib[signedtoken]`). oauthlib does not check oauth_body_hash; when one is sent, it is
compared here with base64 of hashlib's digest of the body (SHA-1 for the SHA-1 methods, SHA-256
for the SHA-256 ones, SHA-512 for HMAC-SHA512).

It exits when its standard input closes.
"""

import base64
import hashlib
import json
import sys

from oauthlib.oauth1.rfc5849 import signature
from oauthlib.oauth1.rfc5849.endpoints.base import BaseEndpoint

import jwt.algorithms  # noqa: F401  (fail now, with the import error, when PyJWT is missing)

ENDPOINT = BaseEndpoint(request_validator=None)

DIGESTS = {
    "HMAC-SHA1": hashlib.sha1,
    "RSA-SHA1": hashlib.sha1,
    "HMAC-SHA256": hashlib.sha256,
    "RSA-SHA256": hashlib.sha256,
    "HMAC-SHA512": hashlib.sha512,
}


def verify(job):
    request = ENDPOINT._create_request(
        job["uri"], job["method"], job.get("body", ""), job.get("headers", {})
    )
    method = request.signature_method
    secret = job.get("client_secret", "")
    token_secret = job.get("token_secret", "")
    if method == "PLAINTEXT":
        good = signature.verify_plaintext(request, secret, token_secret)
    elif method == "HMAC-SHA1":
        good = signature.verify_hmac_sha1(request, secret, token_secret)
    elif method == "HMAC-SHA256":
        good = signature.verify_hmac_sha256(request, secret, token_secret)
    elif method == "HMAC-SHA512":
        good = signature.verify_hmac_sha512(request, secret, token_secret)
    elif method == "RSA-SHA1":
        good = signature.verify_rsa_sha1(request, job["rsa_public_key"])
    elif method == "RSA-SHA256":
        good = signature.verify_rsa_sha256(request, job["rsa_public_key"])
    else:
        return "error: unknown method %r" % (method,)
    if not good:
        return "bad-signature"
    sent = request.oauth_params.get("oauth_body_hash")
    if sent is not None:
        digest = DIGESTS[method](job.get("body", "").encode("utf-8")).digest()
        if base64.b64encode(digest).decode("ascii") != sent:
            return "bad-body-hash"
    return "ok"


def main():
    for line in sys.stdin:
        try:
            answer = verify(json.loads(line))
        except Exception as error:  # noqa: BLE001  (every refusal is an answer)
            answer = "error: %s: %s" % (type(error).__name__, str(error).replace("\n", " "))
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
