#!/usr/bin/env python3
"""Writes the named seed inputs of fuzz/corpus/<target>/ from published vectors.

Run from anywhere: `python3 fuzz/seeds.py`. It (re)writes only the files named below and leaves
any other corpus file alone. The byte targets get the texts themselves; the structured targets
(`round_trip`, `plaintext_differential`) get bytes that `arbitrary` decodes into the values
listed, laid out the way arbitrary 1.x reads them for inputs of at most 256 bytes: fixed-size
values from the front, each string's length as one byte from the back.

Sources: RFC 5849 (sections 1.2, 2.1-2.3, 3.5.1, 3.6), the OAuth Problem Reporting extension,
the Discogs API's error body, and the peers' vectors in crates/countersign/tests/data/.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    if isinstance(data, str):
        data = data.encode()
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


# --- byte targets -------------------------------------------------------------------------------

TOKEN_RESPONSE = {
    "rfc5849-2.1-temporary-credentials": "oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b&oauth_callback_confirmed=true",
    "rfc5849-2.3-token-credentials": "oauth_token=j49ddk933skd9dks&oauth_token_secret=ll399dj47dskfjdk",
    "rfc5849-1.2-photos-temporary-credentials": "oauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true",
    "rfc5849-1.2-photos-token-credentials": "oauth_token=nnch734d00sl2jdk&oauth_token_secret=pfkkdhi9sl3r4s00",
    "problem-reporting-token-rejected": "oauth_problem=token_rejected&oauth_problem_advice=start+again",
    "problem-reporting-with-token": "oauth_token=t&oauth_token_secret=s&oauth_problem=nonce_used",
    "discogs-text-plain-invalid-consumer": "Invalid consumer.",
    "extra-parameters-encoded": "oauth_token=a%20b&oauth_token_secret=c+d%2B&oauth_expires_in=3600&oauth_session_handle=h%3D%3D&user_id=12",
    "trailing-crlf": "oauth_token=hdk48Djdsa&oauth_token_secret=xyz4992k83j47x0b\r\n",
    "empty-token-secret": "oauth_token=t&oauth_token_secret=",
    "callback-not-confirmed": "oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=false",
    "duplicate-token-spelled-encoded": "oauth_token=a&oauth%5Ftoken=b&oauth_token_secret=c",
    "bad-escape": "oauth_token=%zz&oauth_token_secret=x",
    "invalid-utf8": b"oauth_token=\xff&oauth_token_secret=x",
    "empty": "",
}

CALLBACK = {
    "rfc5849-2.2-callback-with-query": "http://client.example.net/cb?x=1&oauth_token=hdk48Djdsa&oauth_verifier=473f82d3",
    "rfc5849-1.2-photos-callback": "http://printer.example.com/ready?oauth_token=hh5s93j4hdidpola&oauth_verifier=hfdp7dh39dks9884",
    "discogs-denied-query": "?denied=hdk48Djdsa",
    "bare-query": "oauth_token=hdk48Djdsa&oauth_verifier=473f82d3",
    "fragment": "https://app.example/cb?oauth_token=a&oauth_verifier=b#section",
    "encoded-values": "?oauth_token=a%2Fb&oauth_verifier=c%2Bd+e",
    "denied-and-verifier": "?denied=a&oauth_verifier=b",
    "ipv6-loopback-port": "http://[::1]:8080/cb?oauth_token=t&oauth_verifier=v",
    "no-query": "http://client.example.net/cb",
}

AUTHORIZATION_HEADER = {
    "rfc5849-2.1-plaintext-temporary": 'OAuth realm="Example", oauth_consumer_key="jd83jd92dhsh93js", oauth_signature_method="PLAINTEXT", oauth_callback="http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1", oauth_signature="ja893SD9%26"',
    "rfc5849-2.3-plaintext-token": 'OAuth realm="Example", oauth_consumer_key="jd83jd92dhsh93js", oauth_token="hdk48Djdsa", oauth_signature_method="PLAINTEXT", oauth_verifier="473f82d3", oauth_signature="ja893SD9%26xyz4992k83j47x0b"',
    "rfc5849-3.5.1-hmac-sha1": 'OAuth realm="Example", oauth_consumer_key="0685bd9184jfhq22", oauth_token="ad180jjd733klru7", oauth_signature_method="HMAC-SHA1", oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D", oauth_timestamp="137131200", oauth_nonce="4572616e48616d6d65724c61686176", oauth_version="1.0"',
    "rfc5849-3.5.1-hmac-sha1-folded-lines": 'OAuth realm="Example",\n        oauth_consumer_key="0685bd9184jfhq22",\n        oauth_token="ad180jjd733klru7",\n        oauth_signature_method="HMAC-SHA1",\n        oauth_signature="wOJIO9A2W5mFwDgiDvZbTSMK%2FPY%3D",\n        oauth_timestamp="137131200",\n        oauth_nonce="4572616e48616d6d65724c61686176",\n        oauth_version="1.0"',
    "rfc5849-1.2-photos-initiate": 'OAuth realm="Photos", oauth_consumer_key="dpf43f3p2l4k3l03", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131200", oauth_nonce="wIjqoS", oauth_callback="http%3A%2F%2Fprinter.example.com%2Fready", oauth_signature="74KNZJeDHnMBp0EMJ9ZHt%2FXKycU%3D"',
    "oauthlib-client-header": 'OAuth oauth_nonce="abc", oauth_timestamp="1234567890", oauth_version="1.0", oauth_signature_method="HMAC-SHA1", oauth_consumer_key="client_key", oauth_signature="hH5BWYVqo7QI4EmPBUUe9owRUUQ%3D"',
    "prepared-signer-access": 'OAuth oauth_consumer_key="key", oauth_token="token", oauth_signature_method="PLAINTEXT", oauth_version="1.0", oauth_timestamp="1700000000", oauth_nonce="n0nce", oauth_signature="secret%26token%2520secret"',
    "quoted-realm-escapes-and-tab": 'OAuth realm="a \\"b\\"\t\\\\c", oauth_consumer_key="k", oauth_signature="%26"',
    "lowercase-scheme-loose-whitespace": '  oauth\toauth_consumer_key = "k" ,, \t oauth_token="t",',
    "extension-parameter": 'OAuth oauth_consumer_key="k", oauth_body_hash="a%3D", oauth_signature="s%26"',
    "discogs-scheme": "Discogs key=abc, secret=def",
}

PERCENT_DECODING = {
    "rfc5849-3.6-dogs-cats-mice": "Dogs, Cats & Mice",
    "rfc5849-3.6-dogs-cats-mice-encoded": "Dogs%2C%20Cats%20%26%20Mice",
    "rfc5849-3.6-snowman": "\u2603",
    "rfc5849-3.6-snowman-encoded": "%E2%98%83",
    "rfc5849-3.6-doencode": "/= +doencode",
    "rfc5849-3.6-doencode-encoded": "%2F%3D%20%2Bdoencode",
    "rfc5849-3.6-dontencode": "-._~dontencode",
    "lowercase-hex": "%e2%98%83",
    "form-plus-and-encoded-plus": "a+b%2Bc",
    "truncated-escape": "100%",
    "short-escape": "ab%4",
    "non-hex-escape": "a%zz",
    "escape-decodes-to-invalid-utf8": "%FF",
    "escape-decodes-to-truncated-utf8": "%E2%98",
    "raw-invalid-utf8": b"\xff\xfe%41",
}

DATE = "Date: Sun, 06 Nov 1994 08:49:37 GMT"

RESPONSE_HEADERS = {
    "rfc9110-date-401-skewed": f"401\n{DATE}\nContent-Type: text/plain\n\nInvalid consumer.",
    "rfc850-and-asctime-dates": "401\ndate: Sunday, 06-Nov-94 08:49:37 GMT\nRetry-After: Sun Nov  6 08:59:37 1994\n\n",
    "discogs-rate-limited-429": "429\nX-Discogs-Ratelimit: 60\nX-Discogs-Ratelimit-Used: 60\nX-Discogs-Ratelimit-Remaining: 0\nRetry-After: 60\n\n{\"message\": \"You are making requests too quickly.\"}",
    "rate-limit-padded-plus-and-junk": "200\nx-discogs-ratelimit:  +25 \nX-Discogs-Ratelimit-Used: -1\nX-Discogs-Ratelimit-Remaining: 4294967296\n\nok",
    "retry-after-http-date": f"503\n{DATE}\nRetry-After: Sun, 06 Nov 1994 08:50:37 GMT\n\nService Unavailable",
    "www-authenticate-problem": "401\nWWW-Authenticate: OAuth realm=\"Photos\", oauth_problem=\"timestamp_refused\"\n\n",
    "problem-reporting-form-body": "400\nContent-Type: application/x-www-form-urlencoded\n\noauth_problem=token_rejected&oauth_problem_advice=start+again",
    "echoed-token-secret-form": "500\n\noauth_token=hh5s93j4hdidpola&oauth_token_secret=hdhd0244k9j7ao03&oauth_callback_confirmed=true",
    "echoed-secrets-mixed-names": "502\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n\ntoken=abc&Password=p%40ss&oauth_verifier=hfdp7dh39dks9884&mytoken=public&x=1",
    "bad-date-and-crlf-injection": "401\nDate: yesterday\n\nline one\r\nInjected: yes",
    "date-year-9999": "401\nDate: Fri, 31 Dec 9999 23:59:59 GMT\n\n",
    "long-text-body": "500\n\n" + "token=a&" * 40,
    "not-a-status": b"HTTP/1.1 418 I'm a teapot\nRetry-After: 0\n\n\xe2\x98\x83\xff",
}

# --- structured targets ---------------------------------------------------------------------------


class Arbitrary:
    """Bytes that arbitrary 1.x decodes into the values pushed, in order (inputs <= 256 bytes)."""

    def __init__(self):
        self.front = bytearray()
        self.back = []

    def u8(self, value):
        self.front.append(value)
        return self

    def boolean(self, value):
        return self.u8(1 if value else 0)

    def i16(self, value):
        self.front += value.to_bytes(2, "little", signed=True)
        return self

    def u64(self, value):
        self.front += value.to_bytes(8, "little")
        return self

    def variant(self, index, count):
        # derive(Arbitrary) picks variant (u32 * count) >> 32.
        value = -(-(index << 32) // count)
        assert (value * count) >> 32 == index
        self.front += value.to_bytes(4, "little")
        return self

    def string(self, value):
        data = value.encode()
        self.back.append(len(data))
        self.front += data
        return self

    def option(self, value, push):
        self.boolean(value is not None)
        if value is not None:
            push(value)
        return self

    def bytes(self):
        data = bytes(self.front) + bytes(reversed(self.back))
        assert len(data) <= 256, "the layout above holds for inputs of at most 256 bytes"
        return data


DESTINATIONS = ["Https", "Loopback", "RemoteHttp"]
CALLBACKS = ["Oob", "Url", "Raw"]


def oob():
    return ("Oob", None)


def url(rest):
    """https://client.example.net/<rest>"""
    return ("Url", rest)


def raw(text):
    return ("Raw", text)


def round_trip(key, secret, token=None, callback=None, verifier=None, realm=None,
               version=True, timestamp=0, nonce="", destination="Https", allow_insecure=False):
    a = Arbitrary()
    a.string(key).string(secret)
    a.option(token, lambda t: a.string(t[0]).string(t[1]))
    def push_callback(choice):
        variant, text = choice
        a.variant(CALLBACKS.index(variant), len(CALLBACKS))
        if text is not None:
            a.string(text)

    a.option(callback, push_callback)
    a.option(verifier, a.string)
    a.option(realm, a.string)
    a.boolean(version).u64(timestamp).string(nonce)
    a.variant(DESTINATIONS.index(destination), len(DESTINATIONS))
    a.boolean(allow_insecure)
    return a.bytes()


ROUND_TRIP = {
    "rfc5849-2.1-temporary-credentials-request": round_trip(
        "jd83jd92dhsh93js", "ja893SD9", callback=raw("http://client.example.net/cb?x=1"),
        realm="Example", timestamp=137131200, nonce="wIjqoS"),
    "rfc5849-2.3-token-credentials-request": round_trip(
        "jd83jd92dhsh93js", "ja893SD9", token=("hdk48Djdsa", "xyz4992k83j47x0b"),
        verifier="473f82d3", realm="Example", timestamp=137131201, nonce="walatlh"),
    "rfc5849-1.2-photos-access-loopback": round_trip(
        "dpf43f3p2l4k3l03", "kd94hf93k423kf44", token=("nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"),
        realm="Photos", timestamp=137131202, nonce="chapoH", destination="Loopback"),
    "discogs-access-no-version": round_trip(
        "consumer-key", "consumer-secret", token=("access-token", "token secret"),
        version=False, timestamp=1700000000, nonce="k7Hn2pQx9vR4mW8tY1zA3bC5"),
    "oob-callback": round_trip("key", "secret", callback=oob(), timestamp=1, nonce="n"),
    "callback-url-with-query": round_trip("key", "secret", callback=url("cb?state=x%2Fy&z"), nonce="n"),
    "callback-with-space-refused": round_trip("key", "secret", callback=url("cb?state=a b"), nonce="n"),
    "realm-quotes-backslash-tab": round_trip(
        "k", "s", realm='a "b" \\c\td', timestamp=2**64 - 1, nonce="x"),
    "realm-newline-is-invalid": round_trip("k", "s", realm="line\nbreak", nonce="x"),
    "remote-http-refused": round_trip("k", "s", destination="RemoteHttp", nonce="x"),
    "remote-http-allowed-unicode": round_trip(
        "\u043a\u043b\u044e\u0447", "s e&c=r%t", token=("t+/", "\u2603+/="),
        callback=url("ready?x=\u2603"), verifier="v v", nonce="n%20", destination="RemoteHttp",
        allow_insecure=True),
    "all-empty-callback-refused": round_trip("", "", token=("", ""), callback=raw(""), verifier="", realm=""),
}


def plaintext(consumer_secret, token_secret=None):
    a = Arbitrary()
    a.string(consumer_secret)
    a.option(token_secret, a.string)
    return a.bytes()


PLAINTEXT_DIFFERENTIAL = {
    "rfc5849-2.1-consumer-secret-only": plaintext("ja893SD9"),
    "rfc5849-2.3-with-token-secret": plaintext("ja893SD9", "xyz4992k83j47x0b"),
    "rfc5849-1.2-photos": plaintext("kd94hf93k423kf44", "pfkkdhi9sl3r4s00"),
    "oauthlib-spaces-in-token-secret": plaintext("ECrDNoq1VYzzzzzzzzzyAK7TwZNtPnkqatqZZZZ", "just-a-string    asdasd"),
    "oauthlib-foo-bar": plaintext("foo", "bar"),
    "empty-secrets": plaintext("", ""),
    "reserved-characters": plaintext("a b", "c&d"),
    "snowman-percent-plus-slash": plaintext("\u2603%", "+/="),
}

VERIFY_METHODS = ["Plaintext", "HmacSha1"]
VERIFY_LOCATIONS = ["Header", "Query", "Body"]


def signed(method="Plaintext", client=0, token=None, post=False, query=None, form=None,
           realm=None, verifier=None, version=True, timestamp=1700000000, skew=0, nonce="n0nce",
           location="Header", tamper_at=0, tamper_with=0):
    """A SignedInput for the structured part of `verify` (client and token index CLIENTS)."""
    a = Arbitrary()
    a.variant(VERIFY_METHODS.index(method), len(VERIFY_METHODS))
    a.u8(client)
    a.option(token, a.u8)
    a.boolean(post)
    pair = lambda p: a.string(p[0]).string(p[1])
    a.option(query, pair)
    a.option(form, pair)
    a.option(realm, a.string)
    a.option(verifier, a.string)
    a.boolean(version).u64(timestamp).i16(skew).string(nonce)
    a.variant(VERIFY_LOCATIONS.index(location), len(VERIFY_LOCATIONS))
    a.u8(tamper_at).u8(tamper_with)
    return a.bytes()


def request(method, url, authorization="", body=None):
    """The raw part of `verify`: method, URL and Authorization lines, then the form body."""
    text = f"{method}\n{url}\n{authorization}"
    return text if body is None else f"{text}\n{body}"


VERIFY = {
    "core-doc-plaintext-header": request(
        "GET", "https://api.example/photos?size=original",
        'OAuth oauth_consumer_key="key", oauth_token="token", oauth_signature_method="PLAINTEXT", oauth_version="1.0", oauth_timestamp="1700000000", oauth_nonce="n0nce", oauth_signature="consumer%2520secret%26token%2520secret"'),
    "rfc5849-2.1-plaintext-form-body": request(
        "POST", "https://server.example.com/request_temp_credentials", "",
        "oauth_consumer_key=jd83jd92dhsh93js&oauth_signature_method=PLAINTEXT&oauth_callback=http%3A%2F%2Fclient.example.net%2Fcb%3Fx%3D1&oauth_timestamp=1700000100&oauth_nonce=wIjqoS&oauth_signature=ja893SD9%26"),
    "rfc5849-3.5.1-hmac-sha1-stale": request(
        "POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        'OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", oauth_token="kkk9d7dh3k39sjv7", oauth_signature_method="HMAC-SHA1", oauth_timestamp="137131201", oauth_nonce="7d8f3e4a", oauth_signature="bYT5CMsGcbgUdFHObYMEfcx6bsw%3D"',
        "c2&a3=2+q"),
    "plaintext-query-mixed-with-header": request(
        "GET", "https://api.example/x?oauth_consumer_key=key&oauth_signature=consumer%2520secret%26",
        'OAuth oauth_nonce="n", oauth_timestamp="1700000000"'),
    "unknown-client-secret-in-key": request(
        "GET", "https://api.example/x",
        'OAuth oauth_consumer_key="kd94hf93k423kf44", oauth_signature_method="PLAINTEXT", oauth_timestamp="1700000000", oauth_nonce="n", oauth_signature="%26"'),
    "basic-scheme-and-invalid-utf8-body": b"POST\nhttps://api.example/x\nBasic dXNlcjpwYXNz\noauth_consumer_key=\xff",
}

# --- exchange: `METHOD URL`, then one answer a line (`STATUS LOCATION`, `401 skew`) -------------

EXCHANGE = {
    "get-200": "GET https://api.discogs.com/oauth/identity\n200",
    "skew-retry-once": "GET https://api.discogs.com/oauth/identity\n401 skew\n401 skew",
    "same-origin-redirects": "GET https://api.example.com/a/b?x=1\n301 /c\n302 d?y=2\n307 https://API.example.com:443/e",
    "redirect-limit": "GET https://api.example.com/\n302 /1\n302 /2\n302 /3\n302 /4",
    "post-303-becomes-get": "POST https://api.example.com/upload\n303 /status",
    "post-307-keeps-body": "POST https://api.example.com/upload\n307 /upload2\n308 /upload3",
    "post-301-becomes-get": "POST https://api.example.com/upload\n301 /moved",
    "head-303-stays-head": "HEAD https://api.example.com/x\n303 /y",
    "cross-origin": "GET https://api.example.com/x\n302 https://evil.example/x",
    "protocol-relative": "GET https://api.example.com/x\n302 //evil.example/x",
    "scheme-change": "GET https://api.example.com/x\n302 http://api.example.com/x",
    "port-change": "GET http://127.0.0.1:8080/x\n302 http://127.0.0.1:8081/x",
    "userinfo-trick": "GET https://api.example.com/x\n302 https://api.example.com@evil.example/x",
    "backslash-tricks": "GET https://api.example.com/x\n302 /\\evil.example/x\n302 https://api.example.com\\@evil.example/",
    "dot-segments": "GET https://api.example.com/a/b/c\n302 ../../%2e%2E/d/./e/..",
    "skew-then-redirect": "PUT https://api.example.com/a\n401 skew\n308 /b",
    "insecure-remote": "GET http://api.example.com/x",
    "loopback-http": "DELETE http://localhost:3000/x\n302 /y",
    "ipv6-host": "GET http://[::1]:8080/x\n302 http://[::1]:8080/y\n302 http://[0:0::1]:8080/z",
    "not-a-status": "GET https://api.example.com/x\nabc /y",
}

def profile(preset, present, base="", account="", app="", template=""):
    """provider_profiles: the preset's index, the bits of the variables present (1 base, 2
    account, 4 app), then the variables and a request-token URL template, a line each."""
    return bytes([preset, present]) + "\n".join([base, account, app, template]).encode()


# One seed per preset (providers::all() has 15; an index wraps around), every variable given.
PROVIDER_PROFILES = {
    f"preset-{i}": profile(i, 7, "https://shop.example.com", "Acme_Corp", "my app/1",
                           "{base}/oauth/request_token")
    for i in range(15)
}
PROVIDER_PROFILES.update({
    "no-variables": profile(3, 0, template="https://{account_host}.example.com/x"),
    "account-not-a-host": profile(5, 2, account="a.b", template="https://{account_host}.x/"),
    "unclosed-brace": profile(0, 7, "https://a.example", "x", "y", "https://a.example/{base"),
    "unknown-variable": profile(1, 7, "https://a.example", "x", "y", "{host}/x"),
    "lone-close-brace": profile(2, 7, "https://a.example", "x", "y", "{base}/}{app}"),
    "not-a-url": profile(4, 7, "not a url", "x", "y", "{base}"),
    "app-encoded": profile(9, 4, app="caf\u00e9 & co", template="https://a.example/{app}/{app}"),
})

# verify_signed: requests signed by `Signer` (SignedInput, encoded as `arbitrary` reads it).
VERIFY_SIGNED = {
    "signed-plaintext-header": signed(),
    "signed-plaintext-photos-token-query": signed(client=1, token=1, query=("size", "original"),
                                                 location="Query", tamper_at=5, tamper_with=7),
    "signed-hmac-sha1-header-realm-verifier": signed(
        "HmacSha1", client=2, token=0, realm="Example", verifier="473f82d3", post=True,
        form=("c2", ""), query=("a3", "a"), nonce="7d8f3e4a", tamper_at=27),
    "signed-hmac-sha1-body-unicode": signed(
        "HmacSha1", client=3, token=0, post=True, form=("na me", "\u2603 v&a=l"),
        location="Body", version=False, tamper_at=200, tamper_with=93),
    "signed-hmac-sha1-stale": signed("HmacSha1", skew=301, nonce="late"),
    "signed-empty-nonce": signed(nonce="", location="Body"),
    "signed-app-param-named-oauth": signed("HmacSha1", query=("oauth_signature", "x"), location="Query"),
}

TARGETS = {
    "token_response": TOKEN_RESPONSE,
    "callback": CALLBACK,
    "authorization_header": AUTHORIZATION_HEADER,
    "percent_decoding": PERCENT_DECODING,
    "round_trip": ROUND_TRIP,
    "plaintext_differential": PLAINTEXT_DIFFERENTIAL,
    "response_headers": RESPONSE_HEADERS,
    "verify": VERIFY,
    "verify_signed": VERIFY_SIGNED,
    "exchange": EXCHANGE,
    "provider_profiles": PROVIDER_PROFILES,
}

if __name__ == "__main__":
    for target, seeds in TARGETS.items():
        for name, data in seeds.items():
            write(target, name, data)
        print(f"{target}: {len(seeds)} seeds")
