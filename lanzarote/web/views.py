"""The analysts' pages: queue, report, subject, dashboard, administration and audit, rendered on the server.

Pages call the same use cases as the API and the command line (`lanzarote.service`), so need-to-know, auditing and
validation are theirs. Forms post with the page's CSRF token and answer with a redirect (post/redirect/get).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from lanzarote.api import people
from lanzarote.api import reports as api_reports
from lanzarote.api.context import COOKIE, Ctx, CurrentUser, Db, EnrollingUser, context, csrf_ok
from lanzarote.api.reports import Filter, RoutingDecision
from lanzarote.errors import LanzaroteError, NotAuthenticated
from lanzarote.model.report import PartyRole
from lanzarote.service import AGENCY_KINDS, ROLES, User, deconfliction, figures, links, logins, passwords
from lanzarote.service import cases as service_cases
from lanzarote.service import knowledge as service_knowledge
from lanzarote.service import people as service_people
from lanzarote.service import reports as service_reports
from lanzarote.service.actors import require
from lanzarote.triage.rules import Rules
from lanzarote.web import svg

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form(max_length=200)]


def render(request: Request, name: str, user: User | None, status_code: int = 200, **data: Any) -> Response:
    ctx = context(request)
    csrf = ctx.csrf(request.cookies.get(COOKIE, "")) if user else ""
    return templates.TemplateResponse(request, name, {"user": user, "csrf": csrf, **data}, status_code=status_code)


def error_page(request: Request, status: int, message: str) -> Response:
    return render(request, "error.html", None, status_code=status, status=status, message=message)


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url if url.startswith("/") and not url.startswith("//") else "/", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return render(request, "login.html", None, error=None)


@router.post("/login")
async def login(request: Request, ctx: Ctx, username: Annotated[str, Form(max_length=100)],
                password: Annotated[str, Form(max_length=1000)],
                code: Annotated[str, Form(max_length=40)] = "") -> Response:
    try:
        _, token, device = await people.log_in(ctx, request, username, password, code, "web")
    except LanzaroteError as exc:
        status = exc.http_status
        message = "Wrong user name, password or code." if isinstance(exc, NotAuthenticated) else str(exc)
        return render(request, "login.html", None, status_code=status, error=message)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    people.keep_device(response, request, device)
    return response


@router.post("/logout")
def logout(request: Request, s: Db, ctx: Ctx, user: EnrollingUser, csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    logins.log_out(s, user, request.cookies.get(COOKIE, ""))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/second-factor", response_class=HTMLResponse)
def second_factor_page(request: Request, s: Db, user: EnrollingUser) -> Response:
    secret, uri = logins.begin_second_factor(s, user)
    return render(request, "second_factor.html", user, secret=secret, uri=uri, codes=None, error=None)


@router.post("/second-factor", response_class=HTMLResponse)
def second_factor_confirm(request: Request, s: Db, ctx: Ctx, user: EnrollingUser, csrf: Csrf,
                          code: Annotated[str, Form(max_length=10)]) -> Response:
    csrf_ok(request, ctx, csrf)
    return render(request, "second_factor.html", user, codes=logins.confirm_second_factor(s, user, code))


@router.get("/password", response_class=HTMLResponse)
def password_page(request: Request, user: EnrollingUser) -> Response:
    return render(request, "password.html", user, error=None, done=None)


@router.post("/password", response_class=HTMLResponse)
def password_change(request: Request, ctx: Ctx, user: EnrollingUser, csrf: Csrf,
                    current: Annotated[str, Form(max_length=1000)], new: Annotated[str, Form(max_length=1000)],
                    repeated: Annotated[str, Form(max_length=1000)]) -> Response:
    csrf_ok(request, ctx, csrf)
    if new != repeated:
        return render(request, "password.html", user, status_code=422, done=None,
                      error="The new password and its repetition differ.")
    try:
        ended = passwords.change_password(ctx.engine, user, current, new, keep=request.cookies.get(COOKIE, ""))
    except LanzaroteError as exc:
        return render(request, "password.html", user, status_code=exc.http_status, error=str(exc), done=None)
    return render(request, "password.html", user, error=None, done=ended)


@router.get("/", response_class=HTMLResponse)
def queue_page(request: Request, s: Db, ctx: Ctx, user: CurrentUser, f: Filter,
               cursor: api_reports.Cursor = None) -> Response:
    page = service_reports.queue(s, user, f, cursor, "web", api_reports.PAGE)
    params = {k: v for k, v in request.query_params.items() if k != "cursor" and v}
    next_url = "/?" + urlencode({**params, "cursor": page.next_cursor}) if page.next_cursor else None
    colleagues = service_reports.colleagues(s, user)
    expiring = [] if cursor else service_cases.expiring_preservations(s, user, "web")
    return render(request, "queue.html", user, items=page.items, total=ctx.counts.get(s, user, f), expiring=expiring,
                  cap=ctx.counts.cap, held_elsewhere=deconfliction.subjects_with_hits(s, {
                      i.subject for i in page.items if i.subject}),
                  f=f, params=params, next_url=next_url, first_page=bool(cursor), colleagues=colleagues,
                  here=str(request.url.path) + ("?" + str(request.url.query) if request.url.query else ""))


@router.get("/reports/{report_id:path}", response_class=HTMLResponse)
def report_page(request: Request, report_id: str, s: Db, user: CurrentUser) -> Response:
    stored = service_reports.read(s, user, report_id, "web")
    key = service_reports.key_of(stored)
    suggestions = links.suggestions_for(s, user, {key})
    colleagues = service_reports.colleagues(s, user, stored)
    return render(request, "report.html", user, r=stored.report, stored=stored, key=key,
                  victims=[p for p in stored.report.parties if p.role is PartyRole.VICTIM],
                  others=[p for p in stored.report.parties if p.role is not PartyRole.VICTIM],
                  verdicts={v.file_id: v for v in stored.verdicts or ()}, suggestions=suggestions,
                  colleagues=colleagues, cases=service_cases.case_of_reports(s, user, key),
                  versions=service_reports.versions_of_read(s, stored))


@router.post("/reports/{report_id:path}/assign")
def assign(request: Request, report_id: str, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
           username: Annotated[str, Form(max_length=100)] = "",
           back_to: Annotated[str, Form(max_length=2000)] = "") -> Response:
    csrf_ok(request, ctx, csrf)
    service_reports.assign(s, user, report_id, username or None)
    return back(back_to or f"/reports/{quote(report_id)}")


@router.post("/reports/{report_id:path}/route")
def route(request: Request, report_id: str, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
          country: Annotated[str, Form(max_length=2)], reason: Annotated[str, Form(max_length=2000)],
          authority: Annotated[str, Form(max_length=300)] = "") -> Response:
    csrf_ok(request, ctx, csrf)
    decision = RoutingDecision(country=country, authority=authority or None, reason=reason)  # the API's validation
    service_reports.override_route(s, user, report_id, decision.country, decision.authority, decision.reason,
                                   ctx.tables)
    return back(f"/reports/{quote(report_id)}")


@router.post("/suggestions/decide")
def decide(request: Request, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
           report_a: Annotated[str, Form(max_length=300)], report_b: Annotated[str, Form(max_length=300)],
           decision: Annotated[str, Form(pattern="^(confirm|reject)$")],
           back_to: Annotated[str, Form(max_length=2000)] = "/") -> Response:
    csrf_ok(request, ctx, csrf)
    links.decide(s, user, report_a, report_b, decision == "confirm")
    return back(back_to)


def _priors(items: list[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        for reason in item.reasons or ():
            if reason.signal == "T8" and reason.evidence:
                cases = reason.evidence.split(":", 1)[-1]
                out[f"{item.source}/{item.report_id}"] = [c.strip() for c in cases.split(",") if c.strip()]
    return out


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def subject_page(request: Request, subject_id: str, s: Db, user: CurrentUser) -> Response:
    view = links.subject(s, user, subject_id, "web")
    graph = svg.link_graph(view.reports, view.links, _priors(view.reports))
    return render(request, "subject.html", user, view=view, graph=graph, here=f"/subjects/{quote(subject_id)}",
                  deconfliction=deconfliction.subject_status(s, user, subject_id))


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, s: Db, user: CurrentUser) -> Response:
    st = figures.statistics(s, user)
    return render(request, "dashboard.html", user, st=st,
                  per_day=svg.stacked_days(st.days, st.per_day),
                  per_country=svg.bars([(f"{c} · {a}", n) for c, a, n in st.per_country], "Reports per country"),
                  per_provider=svg.bars(st.per_provider, "Reports per provider"))


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request, s: Db, ctx: Ctx, user: CurrentUser) -> Response:
    require(user, "administer")
    return render(request, "admin.html", user, users=service_people.users(s, user),
                  agencies=service_people.agencies(s, user), hash_lists=figures.hash_lists(),
                  tables_version=ctx.tables.version, rules_version=Rules.load().version, roles=ROLES,
                  kinds=AGENCY_KINDS)


@router.post("/admin/users")
def admin_add_user(request: Request, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
                   username: Annotated[str, Form(max_length=100)], password: Annotated[str, Form(max_length=1000)],
                   role: Annotated[str, Form(max_length=40)], agency: Annotated[str, Form(max_length=40)]) -> Response:
    csrf_ok(request, ctx, csrf)
    people.api_add_user(people.NewUser(username=username, password=password, role=role, agency=agency), s, user)
    return back("/admin")


@router.post("/admin/users/{username}/disable")
def admin_disable_user(request: Request, username: str, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf) -> Response:
    csrf_ok(request, ctx, csrf)
    people.api_disable_user(username, s, user)
    return back("/admin")


@router.post("/admin/users/{username}/reset-password", response_class=HTMLResponse)
def admin_reset_password(request: Request, username: str, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf
                         ) -> Response:
    csrf_ok(request, ctx, csrf)
    temporary = passwords.reset_password(s, user, username)
    return render(request, "password_reset.html", user, username=username, temporary=temporary)


@router.post("/admin/agencies")
def admin_add_agency(request: Request, s: Db, ctx: Ctx, user: CurrentUser, csrf: Csrf,
                     code: Annotated[str, Form(max_length=40)], name: Annotated[str, Form(max_length=200)],
                     kind: Annotated[str, Form(max_length=20)], country: Annotated[str, Form(max_length=2)] = "",
                     authority: Annotated[str, Form(max_length=300)] = "") -> Response:
    csrf_ok(request, ctx, csrf)
    people.api_add_agency(people.NewAgency(code=code, name=name, kind=kind, country=country or None,
                                           authority=authority or None), s, user)
    return back("/admin")


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, s: Db, user: CurrentUser, actor: str = "", action: str = "",
               target: str = "") -> Response:
    rows = service_people.audit_search(s, user, actor[:100], action[:40], target[:300])
    return render(request, "audit.html", user, rows=rows, actor=actor, action=action, target=target)




@router.get("/kb", response_class=HTMLResponse)
def kb_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "kb.html", user, listing=service_knowledge.countries(user), fields=service_knowledge.FIELDS)


@router.get("/kb/{code}", response_class=HTMLResponse)
def kb_country_page(request: Request, code: str, user: CurrentUser) -> Response:
    return render(request, "kb_country.html", user, c=service_knowledge.country(user, code),
                  fields=service_knowledge.FIELDS)
