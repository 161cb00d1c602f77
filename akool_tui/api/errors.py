"""AKool error codes and the one exception hierarchy the client raises.

Every failure a user can meet -- a business code other than 1000, an HTTP error,
a timeout, a body that is not JSON or has no ``code`` -- becomes an
:class:`AkoolError` whose ``str()`` is a clear, secret-free sentence.
"""

from __future__ import annotations

from .secrets import mask_text

OK = 1000

#: Clear messages for every code of the reference (spec section 5).
CODE_MESSAGES: dict[int, str] = {
    1000: "OK",
    1003: "Parameter error: a required value is missing or invalid",
    1004: "The account requires verification",
    1005: "Too many requests: slow down and try again",
    1006: "Insufficient quota",
    1007: "The number of face changes exceeds the limit",
    1008: "The requested content does not exist",
    1009: "You do not have permission for this operation",
    1010: "This content cannot be operated on",
    1011: "This has already been done",
    1013: "The audio is already used by a video",
    1014: "The resource does not exist",
    1015: "Processing the video failed",
    1016: "The face swap failed",
    1017: "The audio has not been created",
    1101: "Invalid API key or client credentials, or an expired token: check them "
          "(akool-tui config show)",
    1102: "Authorization is missing: set an API key or clientId/clientSecret",
    1103: "The account has not paid",
    1104: "Insufficient credits: top up the account or shorten the session",
    1105: "Processing the avatar failed",
    1108: "Processing the image failed",
    1109: "The account does not exist",
    1110: "Processing the audio failed",
    1111: "The avatar callback failed",
    1112: "Processing the voice failed",
    1200: "The account has been banned",
    1201: "Creating the audio failed; try again later",
    1202: "The same video cannot be lip-synced in the same language more than once",
    1203: "The video must have audio",
    1204: "The video is longer than 60 s",
    1205: "Creating the video failed; try again later",
    1206: "Changing the video's background failed",
    1207: "The video is larger than the 300 MB limit",
    1208: "The video could not be parsed",
    1209: "Upload the video in another encoding format",
    1210: "The video frame rate is above 60 fps",
    1211: "Creating the lip-sync failed; try again later",
    1212: "The sentiment analysis failed",
    1213: "A subscription is required",
    1214: "The live avatar is still processing",
    1215: "The live avatar is busy: the concurrent session limit is reached",
    1216: "The session does not exist",
    1217: "The callback failed",
    1218: "Processing error",
    1219: "The session is already closed",
    1220: "The avatar upload failed",
    1221: "The account is not subscribed",
    1222: "It already exists",
    1223: "The upload limit is exceeded",
    1232: "The knowledge base does not exist",
    1233: "A knowledge base with this name already exists",
    1234: "Creating the knowledge base failed: check that its documents and pages can be reached",
    1235: "Updating the knowledge base failed: check that its documents and pages can be reached",
    1236: "The knowledge base could not be read: check its ID",
}


def describe_code(code: int, msg: str | None = None) -> str:
    """A one-line human message for a business code; unknown codes show code and msg."""
    known = CODE_MESSAGES.get(code)
    server = (msg or "").strip()
    if known is None:
        return f"AKool error {code}: {server or 'no message'}"
    if server and server.lower() not in known.lower() and server.upper() != "OK":
        return f"{known} (code {code}: {server})"
    return f"{known} (code {code})"


class AkoolError(Exception):
    """Base of every error the client raises. ``str(err)`` is for humans."""

    #: whether a retry of an idempotent read may succeed
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        server_msg: str | None = None,
        endpoint: str | None = None,
    ) -> None:
        message = mask_text(message)  # a server msg or a URL may quote a secret
        super().__init__(message)
        self.message = message
        self.code = code
        self.server_msg = server_msg if server_msg is None else mask_text(server_msg)
        self.endpoint = endpoint

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class ApiError(AkoolError):
    """The service answered with a business code other than 1000."""


class ParamError(ApiError):
    """1003: a parameter was missing or invalid."""


class AuthError(ApiError):
    """1101 / 1102: credentials missing, invalid or expired."""


class TokenExpiredError(AuthError):
    """1101: the token is invalid or expired; a new token may fix it."""


class RateLimitError(ApiError):
    """1005: too frequent."""

    retryable = True


class QuotaError(ApiError):
    """Quota, credits, payment or subscription (1006, 1103, 1104, 1213, 1221, 1223)."""


class PermissionDeniedError(ApiError):
    """1004, 1009, 1200: not allowed for this account."""


class NotFoundError(ApiError):
    """1008, 1014, 1109, 1216, 1232: the thing does not exist."""


class BusyError(ApiError):
    """1214, 1215: the avatar is processing or the concurrent session cap is hit."""


class SessionClosedError(ApiError):
    """1219: the session is already closed."""


class ConflictError(ApiError):
    """1010, 1011, 1222, 1233: it already exists, or cannot be operated on."""


class TransportError(AkoolError):
    """The request did not get a usable answer: network, HTTP status or protocol."""


class NetworkError(TransportError):
    """Connection refused, reset, DNS failure."""

    retryable = True


class TimeoutError_(NetworkError):
    """The request timed out."""


class HTTPStatusError(TransportError):
    """The server answered with an HTTP status other than 200."""

    def __init__(self, message: str, *, status: int, **kw) -> None:
        super().__init__(message, **kw)
        self.status = status
        self.retryable = status >= 500 or status == 429


class ProtocolError(TransportError):
    """The body is not JSON, is not an object, or has no integer ``code``."""


class ConfigError(AkoolError):
    """Local configuration is missing or invalid (no request was sent)."""


class MissingCredentialsError(ConfigError, AuthError):
    """No usable credentials are configured; raised before any request is sent."""


_CODE_CLASSES: dict[int, type[ApiError]] = {
    1003: ParamError,
    1004: PermissionDeniedError,
    1005: RateLimitError,
    1006: QuotaError,
    1008: NotFoundError,
    1009: PermissionDeniedError,
    1014: NotFoundError,
    1101: TokenExpiredError,
    1102: AuthError,
    1103: QuotaError,
    1104: QuotaError,
    1200: PermissionDeniedError,
    1213: QuotaError,
    1214: BusyError,
    1215: BusyError,
    1216: NotFoundError,
    1219: SessionClosedError,
    1221: QuotaError,
    1222: ConflictError,
    1223: QuotaError,
    1010: ConflictError,
    1011: ConflictError,
    1109: NotFoundError,
    1232: NotFoundError,
    1233: ConflictError,
}


def error_for_code(code: int, msg: str | None = None, *, endpoint: str | None = None) -> ApiError:
    """Build the typed error for a business code (never called with 1000)."""
    cls = _CODE_CLASSES.get(code, ApiError)
    return cls(describe_code(code, msg), code=code, server_msg=msg, endpoint=endpoint)
