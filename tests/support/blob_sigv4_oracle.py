#!/usr/bin/python3
"""Independent SigV4 oracle for tests/unit/blob/sigv4_oracle_test.cc.

Reads a JSON array of cases on stdin and prints a JSON array of results: what
botocore (Debian's python3-botocore) computes for the same request at the
same frozen time. Each case:
  {"mode": "header" | "presign", "method": "PUT", "scheme": "http",
   "host": "127.0.0.1:9000", "path": "/bucket/raw key", "query": [[k, v], ...],
   "headers": [[name, value], ...], "body_hex": "..." | null (UNSIGNED-PAYLOAD),
   "timestamp": "20130524T000000Z", "access_key": ..., "secret_key": ...,
   "region": "us-east-1", "expires": 3600}
Result: {"canonical_request", "string_to_sign", "signature", and
"authorization" (header mode) or "url" (presign mode)}.

The path is percent-encoded the way botocore's serializer encodes S3 keys
(percent_encode(key, safe='/~')), so key encoding is checked independently of
the C++ encoder. Exits 3 when botocore is not importable.
"""
import binascii
import datetime as _datetime
import json
import logging
import sys
import types

try:
    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from botocore.utils import percent_encode
except ImportError as e:  # pragma: no cover
    print(f"botocore unavailable: {e}", file=sys.stderr)
    sys.exit(3)


class _FrozenDateTime(_datetime.datetime):
    frozen = None

    @classmethod
    def utcnow(cls):
        return cls.frozen


# botocore.auth reads the time through its module-level `datetime` import.
botocore.auth.datetime = types.SimpleNamespace(datetime=_FrozenDateTime)


class _Capture(logging.Handler):
    """botocore logs the canonical request, string to sign and signature."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.values = {}

    def emit(self, record):
        msg = record.msg
        for key, prefix in (("canonical_request", "CanonicalRequest:"),
                            ("string_to_sign", "StringToSign:"),
                            ("signature", "Signature:")):
            if isinstance(msg, str) and msg.startswith(prefix) and record.args:
                self.values[key] = record.args[0]


def run_case(case):
    capture = _Capture()
    logger = logging.getLogger("botocore.auth")
    logger.setLevel(logging.DEBUG)
    logger.addHandler(capture)
    try:
        _FrozenDateTime.frozen = _datetime.datetime.strptime(case["timestamp"], "%Y%m%dT%H%M%SZ")
        credentials = Credentials(case["access_key"], case["secret_key"])
        url = f'{case["scheme"]}://{case["host"]}{percent_encode(case["path"], safe="/~")}'
        headers = {name: value for name, value in case.get("headers", [])}
        params = [tuple(p) for p in case.get("query", [])]
        body_hex = case.get("body_hex")
        data = binascii.unhexlify(body_hex) if body_hex is not None else b""
        request = AWSRequest(method=case["method"], url=url, headers=headers,
                             params=params or None, data=data)
        out = {}
        if case["mode"] == "header":
            if body_hex is None:
                request.context["client_config"] = types.SimpleNamespace(
                    s3={"payload_signing_enabled": False})
            signer = botocore.auth.S3SigV4Auth(credentials, "s3", case["region"])
            signer.add_auth(request)
            out["authorization"] = request.headers["Authorization"]
        else:
            signer = botocore.auth.S3SigV4QueryAuth(credentials, "s3", case["region"],
                                                    expires=case["expires"])
            signer.add_auth(request)
            out["url"] = request.url
        out.update(capture.values)
        return out
    finally:
        logger.removeHandler(capture)


def main():
    cases = json.load(sys.stdin)
    json.dump([run_case(c) for c in cases], sys.stdout)


if __name__ == "__main__":
    main()
