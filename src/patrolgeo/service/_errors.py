"""Errors as JSON: a code, the field at fault and a message in the caller's language.

Everything the service refuses goes through :class:`ApiError` or FastAPI's validation
errors; both become ``{"error": {"code", "field", "message"}, "errors": [...]}``, or on
``/open311/`` paths the GeoReport v2 form, a list of ``{"code", "description"}``.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from patrolgeo.labels import label
from patrolgeo.service import _labels  # noqa: F401  (registers the service's words)

OPEN311_PREFIX = "/open311/"


class ApiError(Exception):
    """A refused request: HTTP status, error code and the field it is about.

    Parameters
    ----------
    status
        HTTP status (400, 401, 403, 404, 409, 413, 415, 422).
    code
        A code of the ``service_error`` labels table.
    field
        The request field at fault (``"lat"``, ``"service_code"``), if any.
    detail
        Extra text appended to the message (a value, an allowed list).
    """

    def __init__(self, status: int, code: str, field: str | None = None,
                 detail: str = "") -> None:
        super().__init__(f"{status} {code} {field or ''} {detail}".strip())
        self.status, self.code, self.field, self.detail = status, code, field, detail


def request_lang(request: Request) -> str:
    """The caller's language: ``?lang=``, else ``Accept-Language``, else Chinese."""
    lang = request.query_params.get("lang", "")
    if lang in ("zh", "en"):
        return lang
    accept = request.headers.get("accept-language", "").strip().lower()
    return "en" if accept.startswith("en") else "zh"


def _item(code: str, field: str | None, detail: str, lang: str) -> dict[str, Any]:
    message = label("service_error", code, lang) + (f": {detail}" if detail else "")
    return {"code": code, "field": field, "message": message}


def _respond(request: Request, status: int, items: list[dict[str, Any]],
             headers: dict[str, str] | None = None) -> JSONResponse:
    if request.url.path.startswith(OPEN311_PREFIX):
        body: Any = [{"code": status, "description":
                      f"{i['field']}: {i['message']}" if i["field"] else i["message"]}
                     for i in items]
    else:
        body = {"error": items[0], "errors": items}
    return JSONResponse(body, status_code=status, headers=headers)


def _field_of(loc: tuple[Any, ...]) -> str:
    """The request field of a pydantic error location (``("body", "lat")`` → ``lat``)."""
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or str(loc[-1] if loc else "")


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
    return _respond(request, exc.status,
                    [_item(exc.code, exc.field, exc.detail, request_lang(request))], headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    lang = request_lang(request)
    items = [_item("missing" if err.get("type") == "missing" else "invalid",
                   _field_of(tuple(err.get("loc", ()))),
                   # pydantic's own words are English: shown to English callers only
                   str(err.get("msg", "")) if lang == "en" and err.get("type") != "missing"
                   else "", lang)
             for err in exc.errors()]
    return _respond(request, 422, items or [_item("invalid", None, "", lang)])


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = "not_found" if exc.status_code == 404 else "invalid"
    return _respond(request, exc.status_code, [_item(code, None, "", request_lang(request))])


def install_handlers(app: FastAPI) -> None:
    """Make every refusal of ``app`` a JSON error naming its field."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
