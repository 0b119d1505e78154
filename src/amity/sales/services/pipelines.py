"""Pipelines, their stages and the lost reasons: a workspace's sales process, set up with sensible defaults on first use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from amity.core import audit
from amity.core.access import require
from amity.core.errors import FieldErrors
from amity.core.models import AuditEntry, User, Workspace
from amity.core.permissions import Action, ObjectType
from amity.sales.models import OPEN_CATEGORIES, ForecastCategory, LostReason, Opportunity, Pipeline, Stage, default_stage_category

DEFAULT_PIPELINE = "Sales"
# name, default win probability (percent), kind
DEFAULT_STAGES: list[tuple[str, int, str]] = [
    ("New", 10, Stage.Kind.OPEN),
    ("Qualified", 25, Stage.Kind.OPEN),
    ("Proposal", 50, Stage.Kind.OPEN),
    ("Negotiation", 75, Stage.Kind.OPEN),
    ("Won", 100, Stage.Kind.WON),
    ("Lost", 0, Stage.Kind.LOST),
]
DEFAULT_LOST_REASONS = ["Price too high", "Chose a competitor", "No budget", "No decision", "Bad timing", "Missing feature", "Other"]
MAX_STAGES = 30


def _stage_summary(pipeline: Pipeline) -> list[str]:
    return (
        [
            f"{stage.name} ({stage.kind}, {stage.probability}%, {stage.forecast_category})"
            for stage in pipeline.stages.order_by("position", "id")
        ]
        if pipeline.pk
        else []
    )


def _create_pipeline(workspace: Workspace, name: str, stages: Sequence[tuple[str, int, str]], *, is_default: bool) -> Pipeline:
    pipeline = Pipeline.objects.create(workspace=workspace, name=name, is_default=is_default)
    Stage.objects.bulk_create(
        Stage(
            workspace=workspace,
            pipeline=pipeline,
            name=stage_name,
            probability=probability,
            kind=kind,
            position=position,
            forecast_category=default_stage_category(kind, probability),
        )
        for position, (stage_name, probability, kind) in enumerate(stages)
    )
    return pipeline


def sales_setup(*, workspace: Workspace) -> Pipeline:
    """The workspace's default pipeline, creating "New, Qualified, Proposal, Negotiation, Won, Lost" and the usual lost reasons on first use.

    Safe to call on every request: it writes only when the workspace has no pipeline (or no lost
    reason) yet, and two first requests at once create them once.
    """
    default = Pipeline.objects.filter(workspace=workspace).order_by("-is_default", "position", "id").first()
    if default is not None:
        return default
    try:
        with transaction.atomic():
            pipeline = _create_pipeline(workspace, DEFAULT_PIPELINE, DEFAULT_STAGES, is_default=True)
            audit.record(
                actor=None, workspace=workspace, action=AuditEntry.Action.CREATE, obj=pipeline,
                changes={"name": [None, pipeline.name], "stages": [None, _stage_summary(pipeline)]},
            )  # fmt: skip
            if not LostReason.objects.filter(workspace=workspace).exists():
                LostReason.objects.bulk_create(
                    LostReason(workspace=workspace, name=name, position=position) for position, name in enumerate(DEFAULT_LOST_REASONS)
                )
    except IntegrityError:  # another request set the workspace up a moment ago
        pipeline = Pipeline.objects.get(workspace=workspace, is_default=True)
    return pipeline


# --- Pipelines and stages ---------------------------------------------------------------------------------


def _clean_stages(pipeline: Pipeline, raw: Sequence[Mapping[str, Any]], errors: FieldErrors) -> list[Stage]:
    """The pipeline's new ordered stages: existing ones (by id) changed in place, new ones unsaved; at least one open, won and lost."""
    existing = {stage.pk: stage for stage in pipeline.stages.all()} if pipeline.pk else {}
    holding = set(Opportunity.objects.filter(pipeline=pipeline).values_list("stage_id", flat=True).distinct()) if pipeline.pk else set()
    if len(raw) > MAX_STAGES:
        errors["stages"] = f"A pipeline has at most {MAX_STAGES} stages."
        return []
    stages: list[Stage] = []
    names: set[str] = set()
    for index, row in enumerate(raw):
        stage_id = row.get("id")
        stage = existing.get(stage_id) if stage_id else Stage(workspace=pipeline.workspace)
        if stage is None:
            errors[f"stages.{index}.id"] = f"No stage with id {stage_id} in this pipeline."
            continue
        name = " ".join(str(row.get("name") or "").split())
        if not name or len(name) > 80:
            errors[f"stages.{index}.name"] = "A stage's name has 1 to 80 characters."
        elif name.lower() in names:
            errors[f"stages.{index}.name"] = f"Two stages are called {name!r}."
        names.add(name.lower())
        kind = row.get("kind") or Stage.Kind.OPEN
        if kind not in Stage.Kind.values:
            errors[f"stages.{index}.kind"] = f"Choose one of: {', '.join(Stage.Kind.values)}."
        elif stage.pk in holding and kind != stage.kind:
            errors[f"stages.{index}.kind"] = f"Deals are in {stage.name!r}; move them out before making it {kind}."
        default_probability = {Stage.Kind.WON: 100, Stage.Kind.LOST: 0}.get(kind, 50)
        probability = row.get("probability")
        probability = default_probability if probability is None else probability
        if not isinstance(probability, int) or not 0 <= probability <= 100:
            errors[f"stages.{index}.probability"] = "A probability is a whole percent from 0 to 100."
        stage.forecast_category = _clean_stage_category(stage, row, kind, probability, errors, f"stages.{index}.forecast_category")
        stage.name, stage.kind, stage.probability, stage.position = name, kind, probability, index
        stages.append(stage)
    kinds = {stage.kind for stage in stages}
    if not any(key.startswith("stages") for key in errors) and not {Stage.Kind.OPEN, Stage.Kind.WON, Stage.Kind.LOST} <= kinds:
        errors["stages"] = "A pipeline needs at least one open stage, one won stage and one lost stage."
    for stage in existing.values():
        if stage not in stages and stage.pk in holding:
            errors.setdefault("stages", f"Deals are in {stage.name!r}; move them to another stage before removing it.")
    return stages


def _clean_stage_category(stage: Stage, row: Mapping[str, Any], kind: str, probability: Any, errors: FieldErrors, at: str) -> str:
    """A stage's forecast category: won stages are closed and lost ones omitted; an open one's is chosen or follows its probability."""
    wanted = row.get("forecast_category")
    forced = {Stage.Kind.WON.value: ForecastCategory.CLOSED, Stage.Kind.LOST.value: ForecastCategory.OMITTED}.get(kind)
    if forced is not None:
        if wanted not in (None, forced):
            errors[at] = f"A {kind} stage's deals are forecast as {forced.label.lower()}."
        return forced
    if wanted is None:
        keep = stage.pk and stage.kind == kind and stage.forecast_category in OPEN_CATEGORIES
        return stage.forecast_category if keep else default_stage_category(kind, probability if isinstance(probability, int) else 0)
    if wanted not in OPEN_CATEGORIES:
        errors[at] = f"An open stage's category is one of: {', '.join(OPEN_CATEGORIES)}."
        return ForecastCategory.PIPELINE
    return str(wanted)


def _write_stages(pipeline: Pipeline, stages: list[Stage]) -> None:
    kept = [stage.pk for stage in stages if stage.pk]
    pipeline.stages.exclude(pk__in=kept).delete()
    # Renaming A→B and B→A in one go would trip the unique name; park the kept stages' names first.
    for stage in stages:
        if stage.pk:
            Stage.objects.filter(pk=stage.pk).update(name=f"(renaming stage {stage.pk})")
    for stage in stages:
        stage.pipeline = pipeline
        stage.save()


def _clean_pipeline(pipeline: Pipeline, workspace: Workspace, data: Mapping[str, Any]) -> list[Stage] | None:
    errors = FieldErrors()
    if "name" in data:
        pipeline.name = " ".join(str(data["name"] or "").split())
        if not pipeline.name or len(pipeline.name) > 120:
            errors["name"] = "A pipeline's name has 1 to 120 characters."
        elif Pipeline.objects.filter(workspace=workspace, name__iexact=pipeline.name).exclude(pk=pipeline.pk or 0).exists():
            errors["name"] = f"Another pipeline is called {pipeline.name!r}."
    if "is_default" in data:
        if pipeline.is_default and not data["is_default"]:
            errors["is_default"] = "Make another pipeline the default instead; there is always one."
        pipeline.is_default = bool(data["is_default"]) or pipeline.is_default
    if "position" in data:
        pipeline.position = int(data["position"] or 0)
    stages = None
    if "stages" in data or pipeline.pk is None:
        stages = _clean_stages(pipeline, [dict(row) for row in data.get("stages") or []], errors)
    errors.raise_if_any()
    return stages


def _save_pipeline(*, actor: User, workspace: Workspace, pipeline: Pipeline, data: Mapping[str, Any]) -> Pipeline:
    creating = pipeline.pk is None
    fields = ["name", "is_default", "position"]
    before = {**audit.snapshot(pipeline, fields), "stages": _stage_summary(pipeline)} if not creating else {}
    stages = _clean_pipeline(pipeline, workspace, data)
    if pipeline.is_default:
        Pipeline.objects.filter(workspace=workspace, is_default=True).exclude(pk=pipeline.pk or 0).update(is_default=False)
    pipeline.save()
    if stages is not None:
        _write_stages(pipeline, stages)
    changes = audit.diff(before, {**audit.snapshot(pipeline, fields), "stages": _stage_summary(pipeline)})
    if creating or changes:
        action = AuditEntry.Action.CREATE if creating else AuditEntry.Action.UPDATE
        audit.record(actor=actor, workspace=workspace, action=action, obj=pipeline, changes=changes)
    return pipeline


@transaction.atomic
def pipeline_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> Pipeline:
    """Add a pipeline with its ordered stages (at least one open, one won and one lost)."""
    require(actor, workspace, Action.ADD, ObjectType.PIPELINE)
    sales_setup(workspace=workspace)  # so that the first pipeline a workspace makes is not left without a default
    return _save_pipeline(actor=actor, workspace=workspace, pipeline=Pipeline(workspace=workspace), data=data)


@transaction.atomic
def pipeline_update(*, actor: User, pipeline: Pipeline, data: Mapping[str, Any]) -> Pipeline:
    """Rename a pipeline, make it the default, or give it a new list of stages (ids keep a stage; a stage left out is removed)."""
    require(actor, pipeline.workspace, Action.CHANGE, ObjectType.PIPELINE)
    return _save_pipeline(actor=actor, workspace=pipeline.workspace, pipeline=pipeline, data=data)


@transaction.atomic
def pipeline_delete(*, actor: User, pipeline: Pipeline) -> None:
    """Remove a pipeline that holds no deals and is not the default."""
    require(actor, pipeline.workspace, Action.DELETE, ObjectType.PIPELINE)
    if pipeline.is_default:
        raise ValidationError({"pipeline": "Make another pipeline the default before removing this one."})
    deals = Opportunity.objects.filter(pipeline=pipeline).count()
    if deals:
        raise ValidationError({"pipeline": f"{deals} deals are in this pipeline (some may be in the bin); move them first."})
    audit.record(
        actor=actor, workspace=pipeline.workspace, action=AuditEntry.Action.DELETE, obj=pipeline,
        changes={"name": [pipeline.name, None], "stages": [_stage_summary(pipeline), None]},
    )  # fmt: skip
    pipeline.delete()


# --- Lost reasons -------------------------------------------------------------------------------------------


def _clean_lost_reason(reason: LostReason, workspace: Workspace, data: Mapping[str, Any]) -> None:
    errors = FieldErrors()
    if "name" in data:
        reason.name = " ".join(str(data["name"] or "").split())
        if not reason.name or len(reason.name) > 120:
            errors["name"] = "A lost reason has 1 to 120 characters."
        elif LostReason.objects.filter(workspace=workspace, name__iexact=reason.name).exclude(pk=reason.pk or 0).exists():
            errors["name"] = f"There is a lost reason {reason.name!r} already."
    if "position" in data:
        reason.position = int(data["position"] or 0)
    if "active" in data:
        reason.active = bool(data["active"])
    errors.raise_if_any()


@transaction.atomic
def lost_reason_create(*, actor: User, workspace: Workspace, data: Mapping[str, Any]) -> LostReason:
    """Add a reason people can give when a deal is lost."""
    require(actor, workspace, Action.ADD, ObjectType.PIPELINE)
    reason = LostReason(workspace=workspace)
    _clean_lost_reason(reason, workspace, {"name": "", **data})
    reason.save()
    audit.record(actor=actor, workspace=workspace, action=AuditEntry.Action.CREATE, obj=reason, changes={"name": [None, reason.name]})
    return reason


@transaction.atomic
def lost_reason_update(*, actor: User, reason: LostReason, data: Mapping[str, Any]) -> LostReason:
    """Rename, reorder, or (de)activate a lost reason."""
    require(actor, reason.workspace, Action.CHANGE, ObjectType.PIPELINE)
    fields = ["name", "position", "active"]
    before = audit.snapshot(reason, fields)
    _clean_lost_reason(reason, reason.workspace, data)
    reason.save()
    changes = audit.diff(before, audit.snapshot(reason, fields))
    if changes:
        audit.record(actor=actor, workspace=reason.workspace, action=AuditEntry.Action.UPDATE, obj=reason, changes=changes)
    return reason


@transaction.atomic
def lost_reason_delete(*, actor: User, reason: LostReason) -> None:
    """Remove a lost reason no deal gives; one in use is deactivated instead."""
    require(actor, reason.workspace, Action.DELETE, ObjectType.PIPELINE)
    if reason.opportunities.exists():
        raise ValidationError({"lost_reason": "Lost deals give this reason; deactivate it instead (set active to false)."})
    audit.record(
        actor=actor, workspace=reason.workspace, action=AuditEntry.Action.DELETE, obj=reason, changes={"name": [reason.name, None]}
    )
    reason.delete()
