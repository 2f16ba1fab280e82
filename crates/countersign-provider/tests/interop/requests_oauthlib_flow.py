#!/usr/bin/env python3
"""The OAuth 1.0a flow with requests-oauthlib, a client nobody here wrote, against
`countersign serve --auto-approve`.

Usage: requests_oauthlib_flow.py BASE_URL CONSUMER_KEY CONSUMER_SECRET

For each signature method (PLAINTEXT, HMAC-SHA1, HMAC-SHA256, HMAC-SHA512) it walks the flow out of band and with a
callback URL: temporary credentials, the authorize step (automation mode: the verifier comes back
as a form body for oob, or in the redirect to the callback, which is not followed but handed to
parse_authorization_response), the token credentials, then the identity resource and the
protected /database/search. Then the request-token request as the official Discogs Python
client signs it (oauthlib's Client, oauth_callback in the form body and the rest in the header),
and a wrong consumer secret, refused. Exits
non-zero, with one line saying what failed, on the first surprise.
"""

import sys
import urllib.parse

import requests
from oauthlib.oauth1 import (
    SIGNATURE_HMAC_SHA1,
    SIGNATURE_HMAC_SHA256,
    SIGNATURE_HMAC_SHA512,
    SIGNATURE_PLAINTEXT,
    Client,
)
from requests_oauthlib import OAuth1Session

USER_AGENT = "countersign-interop/1.0 (requests-oauthlib)"
CALLBACK = "http://127.0.0.1:9/callback?state=xyz"


def check(condition, what):
    if not condition:
        raise SystemExit(f"FAIL: {what}")


def session(key, secret, method, **kwargs):
    s = OAuth1Session(key, client_secret=secret, signature_method=method, **kwargs)
    s.headers["User-Agent"] = USER_AGENT
    return s


def flow(base, key, secret, method, callback):
    what = f"{method}, callback {callback}"
    oauth = session(key, secret, method, callback_uri=callback)
    temporary = oauth.fetch_request_token(base + "/oauth/request_token")
    check(temporary.get("oauth_callback_confirmed") == "true", f"{what}: callback not confirmed: {temporary}")
    token = temporary["oauth_token"]

    authorize = oauth.authorization_url(base + "/oauth/authorize")
    check(authorize == f"{base}/oauth/authorize?oauth_token={token}", f"{what}: authorize URL {authorize}")
    answer = requests.get(authorize, allow_redirects=False, headers={"User-Agent": USER_AGENT})
    if callback == "oob":
        check(answer.status_code == 200, f"{what}: authorize answered {answer.status_code}")
        check(
            answer.headers["Content-Type"] == "application/x-www-form-urlencoded",
            f"{what}: authorize content type {answer.headers['Content-Type']}",
        )
        fields = dict(urllib.parse.parse_qsl(answer.text, strict_parsing=True))
        check(fields.get("oauth_token") == token, f"{what}: oob answer names another token")
        oauth = session(
            key,
            secret,
            method,
            resource_owner_key=token,
            resource_owner_secret=temporary["oauth_token_secret"],
            verifier=fields["oauth_verifier"],
        )
    else:
        check(answer.status_code == 302, f"{what}: authorize answered {answer.status_code}")
        location = answer.headers["Location"]
        check(location.startswith(f"{callback}&oauth_token={token}&oauth_verifier="), f"{what}: redirect to {location}")
        parsed = oauth.parse_authorization_response(location)
        check(parsed.get("oauth_token") == token, f"{what}: parse_authorization_response gave {parsed}")

    access = oauth.fetch_access_token(base + "/oauth/access_token")
    check(access["oauth_token"] != token, f"{what}: the access token is the request token")
    api = session(
        key,
        secret,
        method,
        resource_owner_key=access["oauth_token"],
        resource_owner_secret=access["oauth_token_secret"],
    )
    identity = api.get(base + "/oauth/identity")
    check(identity.status_code == 200, f"{what}: identity answered {identity.status_code} {identity.text}")
    expected = {
        "id": 1,
        "username": "example",
        "resource_url": base + "/users/example",
        "consumer_name": "countersign serve",
    }
    check(identity.json() == expected, f"{what}: identity {identity.json()}")
    search = api.get(base + "/database/search", params={"q": "nirvana", "type": "release"})
    check(search.status_code == 200, f"{what}: search answered {search.status_code} {search.text}")
    check("X-Discogs-Ratelimit-Remaining" in search.headers, f"{what}: no rate-limit headers")
    print(f"ok: {what}: {identity.json()['username']} via {access['oauth_token'][:6]}...")


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    base, key, secret = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    for method in (SIGNATURE_PLAINTEXT, SIGNATURE_HMAC_SHA1, SIGNATURE_HMAC_SHA256, SIGNATURE_HMAC_SHA512):
        for callback in ("oob", CALLBACK):
            flow(base, key, secret, method, callback)

    # The official Discogs Python client (discogs_client) signs its request-token request with
    # oauthlib's Client and the callback in the form body: oauth_callback travels in the body,
    # the other oauth_* parameters in the header. Discogs accepts that; so must serve.
    for method in (SIGNATURE_PLAINTEXT, SIGNATURE_HMAC_SHA1):
        client = Client(key, client_secret=secret, signature_method=method)
        body = urllib.parse.urlencode({"oauth_callback": CALLBACK})
        url, headers, body = client.sign(
            base + "/oauth/request_token",
            http_method="POST",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        check("oauth_callback" not in headers["Authorization"], f"{method}: callback in the header")
        headers["User-Agent"] = "DiscogsClientLike/2.3"
        answer = requests.post(url, data=body, headers=headers)
        check(answer.status_code == 200, f"{method}, callback in the body: {answer.status_code} {answer.text}")
        fields = dict(urllib.parse.parse_qsl(answer.text, strict_parsing=True))
        check(fields.get("oauth_callback_confirmed") == "true", f"{method}, callback in the body: {fields}")
        print(f"ok: {method}, oauth_callback in the form body (as discogs_client sends it)")

    wrong = session(key, secret + "-wrong", SIGNATURE_PLAINTEXT, callback_uri="oob")
    answer = wrong.post(base + "/oauth/request_token")
    check(answer.status_code == 401, f"wrong secret answered {answer.status_code}")
    check(answer.text == "Invalid signature.", f"wrong secret said {answer.text!r}")
    print("ok: a wrong consumer secret is refused")


if __name__ == "__main__":
    main()
