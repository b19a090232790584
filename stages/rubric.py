"""The default first-stage rubric (100 points) and the rule every rubric keeps."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# (key, parent, kind, category, points, name_ko, name_en, criteria[(key, name_ko, name_en, max)])
FIRST_STAGE_RUBRIC = [
    ("benchmarks", None, "group", "", 40, "벤치마크 평가", "Benchmarks", []),
    ("nia", "benchmarks", "benchmark", "nia", 10, "NIA 벤치마크", "NIA benchmark", []),
    (
        "global_common",
        "benchmarks",
        "benchmark",
        "global_common",
        20,
        "글로벌 공통 벤치마크",
        "Global common benchmarks",
        [],
    ),
    ("team_chosen", "benchmarks", "benchmark", "team_chosen", 10, "팀 선택 벤치마크", "Team-chosen benchmarks", []),
    (
        "expert",
        None,
        "expert",
        "",
        35,
        "전문가 평가",
        "Expert evaluation",
        [
            ("technology", "기술력 (아키텍처·학습)", "Technology (architecture, training)", 10),
            ("report", "기술 보고서·학습 로그", "Technical report and training logs", 10),
            ("sovereignty", "독자성·확장 계획", "Sovereignty and roadmap", 10),
        ],
    ),
    (
        "user",
        None,
        "user",
        "",
        25,
        "사용자 평가",
        "User evaluation",
        [
            ("usefulness", "유용성", "Usefulness", 5),
            ("accuracy", "정확성", "Accuracy", 5),
            ("korean", "한국어 자연스러움", "Korean fluency", 5),
        ],
    ),
]
DEFAULT_TIE_BREAK = ["benchmarks", "expert"]
PART_KINDS = ("group", "benchmark", "expert", "user")  # stages.models.PartKind (a test keeps them equal)


def rubric_dicts(rubric) -> list[dict]:
    """The rubric as a list of part dicts (criteria as dicts), from the tuples above or dicts."""
    parts = []
    for part in rubric:
        if not isinstance(part, dict):
            key, parent, kind, category, points, name_ko, name_en, criteria = part
            part = {
                "key": key,
                "parent": parent,
                "kind": kind,
                "category": category,
                "points": points,
                "name_ko": name_ko,
                "name_en": name_en,
                "criteria": criteria,
            }
        criteria = [
            c if isinstance(c, dict) else dict(zip(("key", "name_ko", "name_en", "max_score"), c))
            for c in part.get("criteria", [])
        ]
        parts.append(
            {
                "key": part["key"],
                "parent": part.get("parent"),
                "kind": part["kind"],
                "category": part.get("category", ""),
                "points": part["points"],
                "name_ko": part.get("name_ko", ""),
                "name_en": part.get("name_en", ""),
                "criteria": criteria,
            }
        )
    return parts


def check_rubric(parts: list[dict]) -> None:
    """Every group's points are its children's sum; keys are unique; benchmarks name a category."""
    errors = []
    keys = [p["key"] for p in parts]
    if not parts:
        errors.append(_("A rubric needs at least one part."))
    if len(keys) != len(set(keys)):
        errors.append(_("Rubric part keys must be unique."))
    criterion_keys = [c["key"] for p in parts for c in p.get("criteria", [])]
    if len(criterion_keys) != len(set(criterion_keys)):
        errors.append(_("Criterion keys must be unique within a stage."))
    for position, part in enumerate(parts):
        if part["parent"] is not None and part["parent"] not in keys[:position]:
            errors.append(
                _("%(part)s: its parent %(parent)s must be a part listed before it.")
                % {"part": part["key"], "parent": part["parent"]}
            )
        if part["kind"] not in PART_KINDS:
            errors.append(_("%(part)s: unknown kind %(kind)s.") % {"part": part["key"], "kind": part["kind"]})
        if part["kind"] == "benchmark" and not part.get("category"):
            errors.append(_("%(part)s: a benchmark part names a task category.") % {"part": part["key"]})
        if Decimal(str(part["points"])) < 0 or any(Decimal(str(c["max_score"])) <= 0 for c in part.get("criteria", [])):
            errors.append(
                _("%(part)s: points may not be negative, and a criterion's maximum must be positive.")
                % {"part": part["key"]}
            )
        if part.get("criteria") and part["kind"] not in ("expert", "user"):
            errors.append(_("Only an expert or user part has criteria (%(part)s).") % {"part": part["key"]})
    for part in parts:
        children = [c for c in parts if c["parent"] == part["key"]]
        if part["kind"] == "group":
            total = sum(Decimal(str(c["points"])) for c in children)
            if total != Decimal(str(part["points"])):
                errors.append(
                    _("%(part)s has %(points)s points but its parts add up to %(total)s.")
                    % {"part": part["key"], "points": part["points"], "total": total}
                )
        elif children:
            errors.append(_("Only a group may have parts (%(part)s).") % {"part": part["key"]})
        if part["kind"] in ("expert", "user") and not part.get("criteria"):
            errors.append(_("%(part)s needs at least one criterion.") % {"part": part["key"]})
    if errors:
        raise ValidationError({"rubric": errors})
