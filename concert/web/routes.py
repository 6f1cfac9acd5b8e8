from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_date, format_datetime, get_locale, gettext as _
from flask_login import current_user, login_required

from ..errors import unavailable_response
from .. import health
from ..models import ROLES
from ..ratelimits import password_attempts
from ..schemas.territories import InvitationInput, RoleInput
from ..schemas.workspace import ContributionsQuery, PostInput, PostsQuery
from ..services import (
    accounts, channels, events, mail, members, mentions, posts, presence, territories,
)
from ..services.errors import ServiceError, Unauthorized
from ..services.access import access
from ..auth import sign_in, sign_out
from . import attachments, bp
from .feedback import attempt, form_error, outcome
from ..labels import KIND_LABELS, PHASE_LABELS, ROLE_LABELS
from .forms import (
    ConfirmForm, ExistingAccountForm, InviteForm, LanguageForm, LoginForm, NewAccountForm,
    RoleForm, TerritoryForm,
)


# Globals and filters rather than context, so that macros imported without context (the
# territory header) see them too. Flask-Babel names its own date filters differently.
bp.add_app_template_filter(format_date, "format_date")
bp.add_app_template_filter(format_datetime, "format_datetime")
for _name, _value in {"ROLE_LABELS": ROLE_LABELS, "KIND_LABELS": KIND_LABELS,
                      "PHASE_LABELS": PHASE_LABELS, "current_user": current_user}.items():
    bp.add_app_template_global(_value, _name)


@bp.app_context_processor
def _locale():
    return {"current_locale": str(get_locale())}


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("web.home")


@bp.get("/healthz")
def healthz():
    """200 `{"status": "ok"}`, or 503 saying what is down, for a load balancer."""
    status = health.check(current_app.config["MESSAGE_QUEUE"])
    if all(state == "ok" for state in status.values()):
        return jsonify({"status": "ok"})
    return unavailable_response(extra={"status": "unavailable", **status})


@bp.get("/")
@login_required
def home():
    form = TerritoryForm() if current_user.is_admin else None
    return render_template(
        "home.html", territories=territories.territories_for(current_user), form=form
    )


@bp.post("/territories")
@login_required
def create_territory():
    if not current_user.is_admin:
        abort(403)
    form = TerritoryForm()
    if form.validate_on_submit():
        territory, refused = outcome(lambda: territories.create_territory(
            current_user, form.slug.data, form.name.data, form.departement.data,
            form.communes.data))
        if refused is not None:
            form_error(form, refused)
        else:
            flash(_("Territoire « %(name)s » créé.", name=territory.name), "success")
            return redirect(url_for("web.members_page", slug=territory.slug))
    return render_template(
        "home.html", territories=territories.territories_for(current_user), form=form
    ), 422


@bp.route("/login", methods=["GET", "POST"])
@password_attempts
def login():
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data)
        except Unauthorized as exc:
            flash(str(exc.message), "error")
        else:
            sign_in(user)
            return redirect(_safe_next(form.next.data))
    status = 401 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        sign_out()
        flash(_("Vous êtes déconnecté."), "success")
        return redirect(url_for("web.login"))
    if not current_user.is_authenticated:
        return redirect(url_for("web.login"))
    return render_template("logout.html", form=form)


@bp.post("/lang")
def set_language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in ("fr", "en"):
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            accounts.set_locale(current_user, form.lang.data)
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@password_attempts
def invitation(token: str):
    try:
        invite = members.open_invitation(token)
    except ServiceError as exc:  # not feedback.py's mapping: a visitor, no territory to
        # hide, and a closed link's own page tells the invitee what to do next
        return render_template("invitation_closed.html", message=exc.message), exc.status
    existing = accounts.find_user(invite.email)
    signed_in_as_invitee = current_user.is_authenticated and current_user.email == invite.email
    if signed_in_as_invitee:
        form = ConfirmForm()
    elif existing is not None:
        form = ExistingAccountForm()
    else:
        form = NewAccountForm()
    if form.validate_on_submit():
        membership, refused = outcome(lambda: members.accept_invitation(
            token,
            name=getattr(form, "name", None) and form.name.data,
            password=getattr(form, "password", None) and form.password.data,
            signed_in=current_user if current_user.is_authenticated else None,
        ))
        if refused is not None:
            form_error(form, refused)
        else:
            if not signed_in_as_invitee:
                sign_in(membership.user)
            flash(_("Bienvenue dans « %(name)s ».", name=membership.territory.name), "success")
            return redirect(url_for("web.territory", slug=membership.territory.slug))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "invitation.html", invite=invite, form=form, existing=existing is not None,
        signed_in_as_invitee=signed_in_as_invitee,
    ), status


# Posts per page of chat history, as rendered and as loaded by scrolling up.
WORKSPACE_PAGE = 50
CONTRIBUTIONS_PAGE = 50


@bp.get("/t/<slug>/")
@login_required
def territory(slug: str):
    """The chat workspace: a channel's latest posts, server-rendered, then kept live by
    static/js/workspace.js."""
    args = request.args
    return _workspace(access(current_user, slug), args.get("channel", type=int),
                      args.get("thread", type=int), args.get("before", type=int))


@bp.post("/t/<slug>/posts")
@login_required
def create_post(slug: str):
    """The composer without JavaScript: same service as the Socket.IO `post`."""
    where = access(current_user, slug)
    data = request.form
    channel_id, thread_id = data.get("channel", type=int), data.get("reply_to", type=int)
    if not ConfirmForm().validate_on_submit():
        flash(_("Le formulaire a expiré : rechargez la page et recommencez."), "error")
        return _workspace(where, channel_id, thread_id, draft=data, status=400)
    created, refused = outcome(lambda: posts.create_post(where, PostInput(
        channel=data.get("channel"), kind=data.get("kind"), body=data.get("body"),
        client_id=data.get("client_id"), reply_to=data.get("reply_to"),
        attachments=attachments.from_form(where))))
    if refused is not None:
        form_error(None, refused)
        return _workspace(where, channel_id, thread_id, draft=data, status=refused.status)
    post, _created = created
    return redirect(url_for("web.territory", slug=slug, channel=post.channel_id,
                            thread=post.reply_to_id, _anchor=f"post-{post.id}"))


def _workspace(where, channel_id: int | None, thread_id: int | None = None,
               before: int | None = None, *, draft=None, status: int = 200):
    # Read first: whatever commits after this point reaches the page by its catch-up join.
    seq = events.latest_seq(where.territory.id)
    thread = posts.get_post(where, thread_id) if thread_id else None
    listed = channels.list_channels(where)
    readable = channels.list_channels(where, readable=True)
    if thread is not None:
        channel = thread.channel
    elif channel_id is not None:
        channel = channels.get_channel(where, channel_id)
    else:
        channel = next((c for c in readable if not c.archived), readable[0] if readable else None)
    items = posts.list_posts(where, PostsQuery(channel=channel.id, top_level=True,
                                               before_seq=before, limit=WORKSPACE_PAGE)
                             ) if channel else []
    replies = posts.list_posts(where, PostsQuery(thread=thread.id, limit=posts.MAX_PAGE)
                               ) if thread else []
    return render_template(
        "workspace.html", where=where, territory=where.territory, seq=seq,
        channels=listed, readable={c.id for c in readable}, channel=channel,
        posts=_post_views(where, items), has_older=len(items) == WORKSPACE_PAGE,
        thread=_post_views(where, [thread])[0] if thread else None,
        replies=_post_views(where, replies), draft=draft or {},
        can_contribute=posts.can_contribute(where), client_id=secrets.token_hex(16),
        members=members.list_members(where), mention_key=mentions.reader_key(where),
        online={person["id"] for person in presence.online(where.territory.id)},
    ), status


def _post_views(where, items) -> list[dict]:
    """Posts as the JavaScript receives them, plus what the page shows this member."""
    supported = posts.supported_ids(where, [p.id for p in items])
    views = []
    for post in items:
        view = {**posts.serialise(post), "supported": post.id in supported,
                "created": post.created_at, "html": mentions.for_reader(post.html, where)}
        views.append({**view, "actions": posts.actions_for(where, view)})
    return views


@bp.get("/t/<slug>/contributions")
@login_required
def contributions(slug: str):
    """Besoins et propositions: every need and proposal the member may see."""
    where = access(current_user, slug)
    seq = events.latest_seq(where.territory.id)
    args = request.args
    filters = {name: args.get(name, "") for name in ("channel", "kind", "status")}
    order = args.get("order") or "supports"
    items = posts.list_contributions(where, ContributionsQuery(
        order=order, after=args.get("after"), limit=CONTRIBUTIONS_PAGE, **filters))
    following = (url_for("web.contributions", slug=slug, **filters, order=order,
                         after=posts.page_key(items[-1], order))
                 if len(items) == CONTRIBUTIONS_PAGE else None)
    listed = channels.list_channels(where, readable=True)
    return render_template(
        "contributions.html", where=where, territory=where.territory, seq=seq,
        posts=_post_views(where, items), channels=listed,
        channel_names={c.id: c.name for c in listed}, filters=filters, order=order,
        can_contribute=posts.can_contribute(where), following=following,
        mention_key=mentions.reader_key(where),
        first_page=url_for("web.contributions", slug=slug, **filters, order=order)
        if args.get("after") else None,
    )


@bp.get("/t/<slug>/members")
@login_required
def members_page(slug: str):
    where = access(current_user, slug, admin=True)
    where.require("facilitator", admin=True)
    return _members(where, InviteForm())


def _members(where, invite_form, status: int = 200):
    invitations = members.pending_invitations(where)
    return render_template(
        "members.html", where=where, territory=where.territory,
        members=members.list_members(where), invitations=invitations,
        mails=mail.latest_for_invitations([i.id for i in invitations]),
        invite_form=invite_form,
        roles=ROLES, new_invitation_url=session.pop("new_invitation_url", None),
    ), status


@bp.post("/t/<slug>/invitations")
@login_required
def invite(slug: str):
    where = access(current_user, slug, admin=True)
    where.require("facilitator", admin=True)
    form = InviteForm()
    if form.validate_on_submit():
        sent, refused = outcome(lambda: members.invite(where, InvitationInput(
            email=form.email.data, role=form.role.data, organisation=form.organisation.data,
            organisation_kind=form.organisation_kind.data)))
        if refused is not None:
            form_error(form, refused)
            return _members(where, form, refused.status)
        _invitation_sent(*sent)
        return redirect(url_for("web.members_page", slug=slug))
    return _members(where, form, 422)


def _invitation_sent(invitation, url: str) -> None:
    flash(_("Invitation envoyée par courriel à %(email)s.", email=invitation.email), "success")
    if not mail.smtp_configured():  # development: the link is shown too
        session["new_invitation_url"] = {"email": invitation.email, "url": url}


@bp.post("/t/<slug>/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(slug: str, invitation_id: int):
    where = access(current_user, slug, admin=True)
    if ConfirmForm().validate_on_submit():
        sent, refused = outcome(lambda: members.resend_invitation(where, invitation_id))
        if refused is not None:
            form_error(None, refused)
        else:
            _invitation_sent(*sent)
    return redirect(url_for("web.members_page", slug=slug))


@bp.post("/t/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(slug: str, invitation_id: int):
    where = access(current_user, slug, admin=True)
    if ConfirmForm().validate_on_submit():
        members.revoke_invitation(where, invitation_id)
        flash(_("Invitation annulée."), "success")
    return redirect(url_for("web.members_page", slug=slug))


@bp.post("/t/<slug>/members/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int):
    where = access(current_user, slug, admin=True)
    form = RoleForm()
    if form.validate_on_submit():
        attempt(lambda: members.change_role(where, membership_id,
                                            RoleInput(role=form.role.data)),
                _("Rôle modifié."))
    return redirect(url_for("web.members_page", slug=slug))


@bp.post("/t/<slug>/members/<int:membership_id>/remove")
@login_required
def remove_member(slug: str, membership_id: int):
    where = access(current_user, slug, admin=True)
    if ConfirmForm().validate_on_submit():
        attempt(lambda: members.remove_member(where, membership_id),
                _("Membre retiré du territoire."))
    return redirect(url_for("web.members_page", slug=slug))
