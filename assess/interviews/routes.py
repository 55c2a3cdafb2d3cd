"""Interview routes: parse the request, call one service, render or redirect.

Recruiters and interviewers (and admin) interview and fill scorecards; item authors
may read the question bank, which they maintain. None of this reaches a candidate:
kits, model answers and interviewer-only details are rendered under /staff only.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, session, url_for

from assess.auth import current_staff, roles_required
from assess.db import db_session
from assess.errors import error_response
from assess.interviews import bp
from assess.interviews.debrief_forms import assignment_form
from assess.interviews.forms import CorrectionForm, GuideQuestionForm, ScorecardFields, scorecard_form
from assess.interviews.lookup import candidate_and_kit
from assess.models import Campaign, Invitation
from assess.request_guard import is_ascii_number
from assess.services.scorecards import (
    NotScoringStage,
    ScorecardAnswers,
    ScorecardInvalid,
    ScorecardLocked,
    interview_candidates,
    own_scorecard,
    save_scorecard,
    start_correction,
    submitted_count,
    visible_scorecards,
)
from assess.web import Page, app_kits, current_time
from kits.model import (
    GOAL_LIKELIHOOD,
    NOT_ENOUGH_INFORMATION_TEXT,
    RECOMMENDATIONS,
    InterviewerQuestion,
    InterviewKit,
    QuestionBank,
    Stage,
)

#: Session key: the question-bank questions each stage's guide has pulled in, per browser.
GUIDE_QUESTIONS = "interview_guide_questions"
MAX_PULLED = 30


@dataclass(frozen=True)
class StageContext:
    invitation: Invitation
    campaign: Campaign
    kit: InterviewKit
    stage: Stage


def _stage(invitation_id: int, stage_id: str) -> StageContext:
    invitation, campaign, kit = candidate_and_kit(invitation_id)
    try:
        stage = kit.stage(stage_id)
    except KeyError:
        abort(404)
    return StageContext(invitation, campaign, kit, stage)


@bp.app_template_global()
def scale_names() -> dict[str, object]:
    return {
        "not_enough": NOT_ENOUGH_INFORMATION_TEXT,
        "recommendations": RECOMMENDATIONS,
        "goal_likelihood": GOAL_LIKELIHOOD,
    }


@bp.get("/")
@roles_required("recruiter", "interviewer")
def candidates() -> Page:
    from assess.services.debrief import my_interviews

    kits = app_kits()
    rows = interview_candidates(db_session(), current_staff())
    mine = my_interviews(db_session(), current_staff())
    return render_template("interviews/candidates.html", rows=rows, kits=kits.kits, mine=mine)


@bp.get("/candidates/<int:invitation_id>")
@roles_required("recruiter", "interviewer")
def candidate(invitation_id: int) -> Page:
    invitation, campaign, kit = candidate_and_kit(invitation_id)
    viewer = current_staff()
    stages = [
        (
            stage,
            own_scorecard(db_session(), invitation.id, kit.id, stage.id, viewer),
            submitted_count(db_session(), invitation.id, kit.id, stage.id),
        )
        for stage in kit.stages
    ]
    from assess.services.debrief import DEBRIEF_ROLES, candidate_assignments, debrief_blocker

    return render_template(
        "interviews/candidate.html",
        invitation=invitation,
        campaign=campaign,
        kit=kit,
        stages=stages,
        assignments=candidate_assignments(db_session(), invitation.id),
        assign_form=assignment_form(kit) if viewer.role in DEBRIEF_ROLES else None,
        debrief_blocker=debrief_blocker(db_session(), viewer, invitation, kit),
    )


@bp.get("/candidates/<int:invitation_id>/stages/<stage_id>/guide")
@roles_required("recruiter", "interviewer")
def guide(invitation_id: int, stage_id: str) -> Page:
    context = _stage(invitation_id, stage_id)
    return render_template(
        "interviews/guide.html",
        context=context,
        pulled=_pulled_questions(context),
        form=GuideQuestionForm(),
    )


def _guide_key(context: StageContext) -> str:
    return f"{context.invitation.id}/{context.kit.id}/{context.stage.id}"


def _pulled_questions(context: StageContext) -> list[tuple[str, QuestionBank, InterviewerQuestion]]:
    banks = app_kits().question_banks
    found = []
    for ref in session.get(GUIDE_QUESTIONS, {}).get(_guide_key(context), []):
        bank = banks.get(ref.split("/", 1)[0])
        question = _question(bank, ref)
        if bank is not None and question is not None:
            found.append((ref, bank, question))
    return found


def _question(bank: QuestionBank | None, ref: str) -> InterviewerQuestion | None:
    if bank is None or "/" not in ref:
        return None
    try:
        return bank.question(ref.split("/", 1)[1])
    except KeyError:
        return None


@bp.post("/candidates/<int:invitation_id>/stages/<stage_id>/guide/questions")
@roles_required("recruiter", "interviewer")
def pull_question(invitation_id: int, stage_id: str) -> Page:
    context = _stage(invitation_id, stage_id)
    form = GuideQuestionForm()
    ref = form.question.data or ""
    if (
        not form.validate_on_submit()
        or _question(app_kits().question_banks.get(ref.split("/", 1)[0]), ref) is None
    ):
        abort(400)
    guides = dict(session.get(GUIDE_QUESTIONS, {}))
    pulled = [r for r in guides.get(_guide_key(context), []) if r != ref]
    guides[_guide_key(context)] = [*pulled, ref][-MAX_PULLED:]
    session[GUIDE_QUESTIONS] = guides
    flash("Question added to the interview guide.")
    return redirect(
        url_for(
            "interviews.question_bank",
            invitation=invitation_id,
            stage=stage_id,
            competency=request.args.get("competency") or None,
        )
        + f"#question-{ref.split('/', 1)[1]}"
    )


@bp.post("/candidates/<int:invitation_id>/stages/<stage_id>/guide/questions/remove")
@roles_required("recruiter", "interviewer")
def drop_question(invitation_id: int, stage_id: str) -> Page:
    context = _stage(invitation_id, stage_id)
    form = GuideQuestionForm()
    if not form.validate_on_submit():
        abort(400)
    guides = dict(session.get(GUIDE_QUESTIONS, {}))
    guides[_guide_key(context)] = [r for r in guides.get(_guide_key(context), []) if r != form.question.data]
    session[GUIDE_QUESTIONS] = guides
    flash("Question removed from the interview guide.")
    return redirect(url_for("interviews.guide", invitation_id=invitation_id, stage_id=stage_id))


@bp.get("/question-bank")
@roles_required("recruiter", "interviewer", "author")
def question_bank() -> Page:
    banks = app_kits().question_banks
    competency = request.args.get("competency", "")
    known = {tag.id: tag.name for bank in banks.values() for tag in bank.competencies}
    if competency and competency not in known:
        return error_response(404, "No question in the bank is tagged with that competency.")
    context = _pull_context()
    pulled = {ref for ref, _, _ in _pulled_questions(context)} if context else set()
    listed = [
        (bank, [q for q in bank.questions if not competency or competency in q.competencies])
        for bank in banks.values()
    ]
    return render_template(
        "interviews/question_bank.html",
        listed=listed,
        competencies=known,
        competency=competency,
        context=context,
        pulled=pulled,
        form=GuideQuestionForm(),
    )


def _pull_context() -> StageContext | None:
    """The guide the bank page adds to, when opened from one (``?invitation=&stage=``)."""
    raw_invitation, stage_id = request.args.get("invitation", ""), request.args.get("stage", "")
    if not raw_invitation and not stage_id:
        return None
    if not is_ascii_number(raw_invitation) or not stage_id:
        abort(404)
    return _stage(int(raw_invitation), stage_id)


@bp.route("/candidates/<int:invitation_id>/stages/<stage_id>/scorecard", methods=["GET", "POST"])
@roles_required("recruiter", "interviewer")
def scorecard(invitation_id: int, stage_id: str) -> Page:
    context = _stage(invitation_id, stage_id)
    viewer = current_staff()
    fields = scorecard_form(context.kit, context.stage)
    problem, status = "", 200
    if request.method == "GET":
        own = own_scorecard(db_session(), invitation_id, context.kit.id, stage_id, viewer)
        if own is not None and not own.is_submitted:
            fields.fill(ScorecardAnswers.model_validate(own.answers()))
    elif not fields.form.validate_on_submit():
        status = 400 if "csrf_token" in fields.form.errors else 422
    else:
        submit = bool(fields.form.submit.data)
        try:
            save_scorecard(
                db_session(),
                context.kit,
                context.stage,
                context.invitation,
                viewer,
                fields.answers(),
                current_time(),
                submit=submit,
            )
        except ScorecardInvalid as exc:
            status = _show_problems(fields, exc)
        except ScorecardLocked as exc:
            problem, status = str(exc).capitalize() + ".", 409
        except NotScoringStage as exc:
            problem, status = str(exc).capitalize() + ".", 403
        else:
            flash("Scorecard submitted." if submit else "Draft saved. Nobody else can see it.")
            return redirect(url_for("interviews.scorecard", invitation_id=invitation_id, stage_id=stage_id))
    return _scorecard_page(context, fields, CorrectionForm(formdata=None), problem, status)


def _show_problems(fields: ScorecardFields, exc: ScorecardInvalid) -> int:
    """Put the service's reasons on their fields; a problem with no field means a tampered post."""
    form = fields.form
    for problem_field, reason in exc.problems:
        name = fields.field_of(problem_field)
        if name is None or name not in form:
            return 400
        form[name].errors = [*form[name].errors, reason.capitalize() + "."]
    return 422


def _scorecard_page(
    context: StageContext, fields: ScorecardFields, correction: CorrectionForm, problem: str, status: int
) -> Page:
    viewer = current_staff()
    cards = visible_scorecards(db_session(), viewer, context.invitation.id, context.kit.id, context.stage.id)
    return (
        render_template(
            "interviews/scorecard.html",
            context=context,
            fields=fields,
            form=fields.form,
            cards=cards,
            correction=correction,
            problem=problem,
        ),
        status,
    )


@bp.post("/candidates/<int:invitation_id>/stages/<stage_id>/correction")
@roles_required("recruiter", "interviewer")
def correct(invitation_id: int, stage_id: str) -> Page:
    context = _stage(invitation_id, stage_id)
    correction = CorrectionForm()
    fields = scorecard_form(context.kit, context.stage)
    if not correction.validate_on_submit():
        status = 400 if "csrf_token" in correction.errors else 422
        return _scorecard_page(context, fields, correction, "", status)
    try:
        draft = start_correction(
            db_session(),
            context.kit,
            context.stage,
            context.invitation,
            current_staff(),
            correction.reason.data or "",
            current_time(),
        )
    except ScorecardLocked as exc:
        return _scorecard_page(context, fields, correction, str(exc).capitalize() + ".", 409)
    flash(f"Revision {draft.revision} started from your submitted scorecard; submit it when it is right.")
    return redirect(url_for("interviews.scorecard", invitation_id=invitation_id, stage_id=stage_id))
